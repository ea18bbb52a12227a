"""Container health check: exit 0 when /healthz answers 200 (stdlib only; slim has no curl)."""

import os
import sys
import urllib.request


def main() -> int:
    """Probe the local /healthz endpoint and return the process exit status."""
    url = f"http://127.0.0.1:{os.environ.get('PORT', '8080')}/healthz"
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return 0 if response.status == 200 else 1
    except OSError as error:
        print(f"healthcheck failed: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
