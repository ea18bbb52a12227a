"""The Node.js that jsii runs: the release package.json pins, installed in node_modules.

jsii starts `node` from the PATH unless JSII_NODE names one. The PATH of `make`, `pipenv run` or
an IDE often leads to an older system node (on which jsii prints an end-of-life banner), so the
entry points call `use_project_node()` before the first cdktf import.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from toolchain.project import PROJECT_DIR


def project_node() -> Path | None:
    """The binary of the installed `node-<os>-<cpu>` package, if npm installed one here.

    npm installs only the package whose os and cpu match this machine. Its binary is looked up
    in the package itself: npm 9 (Debian 12's) does not link it into node_modules/.bin.
    """
    found = sorted((PROJECT_DIR / "node_modules").glob(f"node-{sys.platform}-*/bin/node"))
    return found[0] if found else None


def use_project_node() -> None:
    """Point jsii at the project's Node.js, unless JSII_NODE already names one.

    Without node_modules (or on a platform the npm registry has no Node package for), jsii keeps
    using the node on the PATH.
    """
    node = project_node()
    if not os.environ.get("JSII_NODE") and node is not None:
        os.environ["JSII_NODE"] = str(node)
