"""Load the prebuilt providers' JavaScript submodules on first use, in the node process jsii starts.

jsii runs the provider classes in a node process it starts when Python loads the first jsii
assembly. There, the entry point of `@cdktf/provider-aws` requires all 2,212 of its submodules
(about 1.7 s and 450 MB) although a stack uses a few dozen; cdktn's `@cdktn/provider-aws` does the
same with 2,433. `configure()` appends `--require toolchain/lazy_require.cjs` to `NODE_OPTIONS`
(after whatever the user set there) and names the provider packages in `LAZY_REQUIRE_PACKAGES`, so
the node process jsii starts afterwards preloads that hook: it gives those entry points one getter
per submodule (see the hook for how, and for when it loads a package eagerly). The npm package
names are read from each Python package's `_jsii/__init__.py`, the module that loads its assembly.

Only a node process started after `configure()` sees the hook, so `toolchain/providers.py` calls it
before anything loads a jsii assembly. `VOTING_LAZY_NODE_PROVIDERS=0` switches the hook off: then
`configure()` removes our `--require` and `LAZY_REQUIRE_PACKAGES`, so a hook inherited from a
parent process (a test or the benchmark starting a synth) is off too.
"""

from __future__ import annotations

import importlib.util
import os
import re
import sys
from pathlib import Path

from toolchain import lazy_import

ENV_SWITCH = "VOTING_LAZY_NODE_PROVIDERS"
PACKAGES_VARIABLE = "LAZY_REQUIRE_PACKAGES"
PRELOAD = Path(__file__).resolve().with_name("lazy_require.cjs")

_ASSEMBLY_LOAD = re.compile(r'jsii\.JSIIAssembly\.load\(\s*"([^"]+)"')
# Our option as `require_option` writes it, for this checkout or any other (a parent process may
# run from another clone): configure() keeps at most one, so node never loads the hook twice.
_OUR_OPTION = re.compile(r'\s*--require "(?:[^"\\]|\\.)*[/\\]lazy_require\.cjs"')


def enabled() -> bool:
    """Tell whether the node-side loader is on (the default); `VOTING_LAZY_NODE_PROVIDERS=0`."""
    return lazy_import.enabled(ENV_SWITCH)


def configure(*packages: str) -> None:
    """Set up the environment of the node process jsii will start: `packages` lazy, or none."""
    if enabled() and any(name == "_jsii" or name.endswith("._jsii") for name in sys.modules):
        print(
            "lazy_node: jsii's node process already runs, so its provider modules load eagerly; "
            "import toolchain.providers before anything else that loads a jsii assembly",
            file=sys.stderr,
        )
        return
    options = _OUR_OPTION.sub("", os.environ.get("NODE_OPTIONS", "")).strip()
    names = [name for name in map(npm_package, packages) if name is not None] if enabled() else []
    if names:
        os.environ["NODE_OPTIONS"] = f"{options} {require_option(PRELOAD)}".strip()
        os.environ[PACKAGES_VARIABLE] = ",".join(names)
        return
    os.environ.pop(PACKAGES_VARIABLE, None)
    if options:
        os.environ["NODE_OPTIONS"] = options
    else:
        os.environ.pop("NODE_OPTIONS", None)


def require_option(path: Path) -> str:
    """`--require <path>` as NODE_OPTIONS spells it: quoted, with `\\` and `"` escaped."""
    quoted = str(path).replace("\\", "\\\\").replace('"', '\\"')
    return f'--require "{quoted}"'


def npm_package(package: str) -> str | None:
    """The npm name of the assembly Python `package` loads; None (and one line) if not found."""
    spec = importlib.util.find_spec(package)
    if spec is None or spec.origin is None:
        print(f"lazy_node: {package} is not installed; nothing to load lazily", file=sys.stderr)
        return None
    loader = Path(spec.origin).parent / "_jsii" / "__init__.py"
    try:
        match = _ASSEMBLY_LOAD.search(loader.read_text(encoding="utf-8"))
    except OSError:
        match = None
    if match is None:
        print(
            f"lazy_node: {package} loads eagerly in node: no jsii.JSIIAssembly.load(...) "
            f"in {loader}",
            file=sys.stderr,
        )
        return None
    return match[1]
