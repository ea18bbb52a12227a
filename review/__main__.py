"""Entry point for `python -m review`."""

from .cli import main

raise SystemExit(main())
