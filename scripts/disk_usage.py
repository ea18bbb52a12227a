"""Disk space the quick start takes: the project's folders and the caches in the user's home.

`python3 scripts/disk_usage.py` after `make test`; docs/install.md quotes its output. Sizes are
the bytes of the files (hard links counted once), in MB (10^6 bytes), followed through symlinks.
"""

from __future__ import annotations

import os
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
HOME = Path.home()
CACHE = Path(os.environ.get("XDG_CACHE_HOME") or HOME / ".cache")
FOLDERS = {
    "node_modules": PROJECT / "node_modules",
    ".venv": PROJECT / ".venv",
    ".venv-checkov": PROJECT / ".venv-checkov",
    ".venv-tools": PROJECT / ".venv-tools",
    "~/.npm (npm's cache)": HOME / ".npm",
}


def size(folder: Path) -> int:
    """Bytes of the regular files under `folder`, each inode once."""
    seen: set[tuple[int, int]] = set()
    total = 0
    for root, _, files in os.walk(folder.resolve()):
        for name in files:
            try:
                stat = os.lstat(os.path.join(root, name))
            except OSError:
                continue
            if (stat.st_dev, stat.st_ino) not in seen:
                seen.add((stat.st_dev, stat.st_ino))
                total += stat.st_size
    return total


def main() -> None:
    folders = dict(FOLDERS)
    # jsii keeps unpacked packages in a cache of its own, named after it.
    if CACHE.is_dir():
        for folder in sorted(CACHE.iterdir()):
            if "jsii" in folder.name:
                folders[f"~/.cache/{folder.name} (jsii's cache)"] = folder
    rows = [(name, size(path)) for name, path in folders.items() if path.exists()]
    inside = sum(n for name, n in rows if not name.startswith("~"))
    outside = sum(n for name, n in rows if name.startswith("~"))
    for name, n in rows:
        print(f"{name:40} {n / 1e6:8.0f} MB")
    print(f"{'in the project folder':40} {inside / 1e6:8.0f} MB")
    print(f"{'in the home folder':40} {outside / 1e6:8.0f} MB")


if __name__ == "__main__":
    main()
