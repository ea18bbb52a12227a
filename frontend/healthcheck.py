"""Container health check: exit 0 when /healthz answers 200 (stdlib only; slim has no curl).

`python healthcheck.py /readyz` probes another path, e.g. readiness by hand.
"""

import os
import sys
import urllib.request


def main() -> int:
    """Probe the local endpoint (default /healthz) and return the process exit status."""
    path = sys.argv[1] if len(sys.argv) > 1 else "/healthz"
    url = f"http://127.0.0.1:{os.environ.get('PORT', '8080')}{path}"
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return 0 if response.status == 200 else 1
    except OSError as error:
        print(f"healthcheck failed: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
