"""Import the prebuilt provider packages without their 2,212 eager submodule imports.

The prebuilt `cdktf-cdktf-provider-aws` package is frozen at its last release. Its `__init__.py`
loads the jsii assembly and then runs `from . import <submodule>` for every resource and data
source the provider has, which costs about 17 s and ~1 GB per synth although a stack uses a few
dozen of them. `install()` executes that `__init__.py` only up to the first of those lines, so the
package module exists with its assembly loaded, and each submodule is imported when the stack asks
for it (`from cdktf_cdktf_provider_aws.vpc import Vpc`, or attribute access through PEP 562).
The JSON a stack synthesizes is the same either way; a test proves it byte for byte.

The generated `__init__.py` ends with `publication.publish()` (which reads every name in `__all__`
and so would import every submodule anyway) followed by the eager-import block; both are skipped.
That tail must be exactly what the generator writes (`publication.publish()`, then only comments
and `from . import <name>` lines, each naming a submodule folder): if a package is laid out
otherwise, `install()` raises `LazyImportError` instead of guessing. Set
`VOTING_LAZY_PROVIDERS=0` to import the packages eagerly, as plain cdktf does.
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import re
import sys
from pathlib import Path
from types import ModuleType

ENV_SWITCH = "VOTING_LAZY_PROVIDERS"

_EAGER_IMPORT = re.compile(r"from \. import ([A-Za-z_][A-Za-z0-9_]*)")
_PUBLISH = "publication.publish()"


class LazyImportError(ImportError):
    """The installed provider package is not laid out the way the lazy loader expects."""


def enabled() -> bool:
    """Tell whether lazy loading is on (the default); `VOTING_LAZY_PROVIDERS=0` turns it off."""
    value = os.environ.get(ENV_SWITCH, "1").strip().lower()
    if value not in {"0", "1", "false", "true", "off", "on", "no", "yes"}:
        raise LazyImportError(f"{ENV_SWITCH}={value!r} is not a switch: use 1 (lazy) or 0 (eager)")
    return value in {"1", "true", "on", "yes"}


def install(package: str) -> ModuleType:
    """Import `package` without running its eager submodule imports; return the package module."""
    if package in sys.modules:
        return sys.modules[package]
    spec = importlib.util.find_spec(package)
    if spec is None or spec.origin is None or spec.submodule_search_locations is None:
        raise LazyImportError(f"{package} is not an installed package")
    init = Path(spec.origin)
    head, submodules = _split(init, init.read_text(encoding="utf-8"))

    module = importlib.util.module_from_spec(spec)
    module.__getattr__ = _submodule_getter(package, submodules)
    sys.modules[package] = module
    try:
        exec(compile(head, spec.origin, "exec"), module.__dict__)  # noqa: S102 - the package's own code
    except BaseException:
        del sys.modules[package]
        raise
    return module


def _split(init: Path, source: str) -> tuple[str, frozenset[str]]:
    """Cut `source` before the eager-import block; return the head and the submodule names."""
    lines = source.splitlines(keepends=True)
    start = next((i for i, line in enumerate(lines) if _EAGER_IMPORT.fullmatch(line.strip())), None)
    if start is None:
        raise _layout_error(init, "no 'from . import <submodule>' block")
    head = lines[:start]
    while head and _is_blank(head[-1]):
        head.pop()
    if not head or head.pop().strip() != _PUBLISH:
        raise _layout_error(init, f"the submodule imports do not follow '{_PUBLISH}'")
    if "from ._jsii import *\n" not in head:
        raise _layout_error(init, "the jsii assembly is not loaded before the submodule imports")

    names: set[str] = set()
    for line in (line.strip() for line in lines[start:]):
        if _is_blank(line):
            continue
        match = _EAGER_IMPORT.fullmatch(line)
        if match is None:
            raise _layout_error(init, f"unexpected statement among the submodule imports: {line!r}")
        if not (init.parent / match[1] / "__init__.py").is_file():
            raise _layout_error(init, f"'{line}' names no submodule folder")
        names.add(match[1])
    return "".join(head), frozenset(names)


def _is_blank(line: str) -> bool:
    """Tell whether a line is empty or only a comment (the generator puts one above the block)."""
    return not line.strip() or line.lstrip().startswith("#")


def _submodule_getter(package: str, submodules: frozenset[str]):
    """Build the PEP 562 `__getattr__` that imports a submodule on first attribute access."""

    def __getattr__(name: str) -> ModuleType:
        if name in submodules:
            return importlib.import_module(f"{package}.{name}")
        raise AttributeError(f"module {package!r} has no attribute {name!r}")

    return __getattr__


def _layout_error(init: Path, problem: str) -> LazyImportError:
    return LazyImportError(
        f"{init}: {problem}. The lazy provider loader only knows the layout of the prebuilt "
        f"cdktf provider packages; set {ENV_SWITCH}=0 to import them eagerly."
    )
