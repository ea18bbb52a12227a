"""Entry point for `python -m infra.review`."""

from .cli import main

raise SystemExit(main())
