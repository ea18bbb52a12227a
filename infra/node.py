"""The Node.js that jsii runs: the release package.json pins, installed in node_modules.

jsii starts `node` from the PATH unless JSII_NODE names one. The PATH of `make`, `pipenv run` or
an IDE often leads to an older system node (on which jsii prints an end-of-life banner), so the
entry points call `use_project_node()` before the first cdktf import.
"""

from __future__ import annotations

import os

from infra.project import PROJECT_DIR

#: Where `npm ci` links the binary of the pinned `node-<os>-<cpu>` package.
PROJECT_NODE = PROJECT_DIR / "node_modules" / ".bin" / "node"


def use_project_node() -> None:
    """Point jsii at the project's Node.js, unless JSII_NODE already names one.

    Without node_modules (or on a platform the npm registry has no Node package for), jsii keeps
    using the node on the PATH.
    """
    if not os.environ.get("JSII_NODE") and PROJECT_NODE.is_file():
        os.environ["JSII_NODE"] = str(PROJECT_NODE)
