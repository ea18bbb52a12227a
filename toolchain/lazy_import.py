"""Import the prebuilt provider packages with their submodules loaded on first use.

The prebuilt `cdktf-cdktf-provider-aws` package is frozen at its last release. Its `__init__.py`
loads the jsii assembly, calls `publication.publish()`, and then runs `from . import <submodule>`
for every resource and data source the provider has: about 17 s and ~1 GB per synth, although a
stack uses a few dozen. `install()` runs that `__init__.py` unchanged, with a finder in front of
the import system that hands each of those submodules to importlib's `LazyLoader`: the statement
binds the submodule, and its code runs when the stack first reads from it
(`from cdktf_cdktf_provider_aws.vpc import Vpc`). The JSON a stack synthesizes is the same either
way; a test proves it byte for byte.

Which submodules wait is read from the installed `__init__.py` each time: every statement after its
last `publication.publish()` must be `from . import <name>` naming a submodule folder, as the
generator writes it. cdktn's packages are generated lazy already: after `publication.publish()`
they list the submodule folders in `_SUBMODULES` and load one in a module `__getattr__`; such a
package is imported as it is. A package laid out otherwise is imported eagerly, as plain cdktf
does, and one line on stderr says so. `VOTING_LAZY_PROVIDERS=0` imports the packages eagerly too
(cdktn's still load their submodules on first use: that is their own code).
"""

from __future__ import annotations

import ast
import importlib
import importlib.abc
import importlib.machinery
import importlib.util
import os
import sys
from collections.abc import Sequence
from importlib.machinery import ModuleSpec
from pathlib import Path
from types import ModuleType

ENV_SWITCH = "VOTING_LAZY_PROVIDERS"


class LazyImportError(ImportError):
    """A lazy-loading switch holds something that is not a switch value."""


def enabled(variable: str = ENV_SWITCH) -> bool:
    """Tell whether the loader that `variable` switches is on (the default); `0` turns it off."""
    value = os.environ.get(variable, "1").strip().lower()
    if value not in {"0", "1", "false", "true", "off", "on", "no", "yes"}:
        raise LazyImportError(f"{variable}={value!r} is not a switch: use 1 (lazy) or 0 (eager)")
    return value in {"1", "true", "on", "yes"}


def install(package: str) -> ModuleType:
    """Import `package` with the submodules its `__init__` imports last loaded on first use."""
    if package in sys.modules:
        return sys.modules[package]
    spec = importlib.util.find_spec(package)
    if spec is None:
        raise ModuleNotFoundError(f"No module named {package!r}", name=package)
    if spec.origin is None or spec.submodule_search_locations is None:
        submodules: frozenset[str] | str | None = "it is not a package with an __init__.py"
    else:
        submodules = _deferrable_submodules(Path(spec.origin))
    if submodules is None:
        return importlib.import_module(package)
    if isinstance(submodules, str):
        print(f"lazy_import: {package} imports eagerly: {submodules}", file=sys.stderr)
        return importlib.import_module(package)

    finder = _DeferSubmodules(package, Path(spec.origin).parent, submodules)
    sys.meta_path.insert(0, finder)
    try:
        return importlib.import_module(package)
    finally:
        sys.meta_path.remove(finder)


def _deferrable_submodules(init: Path) -> frozenset[str] | str | None:
    """The submodules `init` imports after `publication.publish()`; what differs if not that.

    None if `init` is cdktn's layout, which defers its submodules itself.
    """
    body = ast.parse(init.read_bytes(), str(init)).body
    published = [i for i, statement in enumerate(body) if _is_publish(statement)]
    if not published:
        return f"{init} never calls publication.publish()"
    folders = {entry.name for entry in os.scandir(init.parent) if entry.is_dir()}
    after = body[published[-1] + 1 :]
    if _defers_itself(after, folders):
        return None
    names: set[str] = set()
    for statement in after:
        if not _is_relative_import(statement):
            return f"{init}:{statement.lineno} is not a 'from . import <submodule>' statement"
        for alias in statement.names:
            if alias.name not in folders:
                return f"{init}:{statement.lineno} imports {alias.name!r}, not a submodule folder"
            names.add(alias.name)
    if not names:
        return f"{init} imports no submodule after publication.publish()"
    return frozenset(names)


def _defers_itself(statements: list[ast.stmt], folders: set[str]) -> bool:
    """Tell whether `statements` are cdktn's: `_SUBMODULES = {<folders>}`, then a module
    `__getattr__` that imports them, `__dir__`, and the two `setattr` calls that install both."""
    if len(statements) != 6:
        return False
    listing, getattr_, dir_, import_sys, *setattrs = statements
    return (
        isinstance(listing, ast.Assign)
        and [ast.unparse(target) for target in listing.targets] == ["_SUBMODULES"]
        and isinstance(listing.value, ast.Set)
        and all(
            isinstance(item, ast.Constant) and item.value in folders for item in listing.value.elts
        )
        and isinstance(getattr_, ast.FunctionDef)
        and getattr_.name == "__getattr__"
        and "_SUBMODULES" in ast.unparse(getattr_)
        and isinstance(dir_, ast.FunctionDef)
        and dir_.name == "__dir__"
        and ast.unparse(import_sys) == "import sys as _sys"
        and [ast.unparse(call) for call in setattrs]
        == [
            "setattr(_sys.modules[__name__], '__getattr__', __getattr__)",
            "setattr(_sys.modules[__name__], '__dir__', __dir__)",
        ]
    )


def _is_publish(statement: ast.stmt) -> bool:
    """Tell whether `statement` is the generator's `publication.publish()`."""
    return (
        isinstance(statement, ast.Expr)
        and isinstance(call := statement.value, ast.Call)
        and not call.args
        and not call.keywords
        and isinstance(call.func, ast.Attribute)
        and call.func.attr == "publish"
        and isinstance(call.func.value, ast.Name)
        and call.func.value.id == "publication"
    )


def _is_relative_import(statement: ast.stmt) -> bool:
    """Tell whether `statement` is `from . import <name>[, <name>...]` without renaming."""
    return (
        isinstance(statement, ast.ImportFrom)
        and statement.level == 1
        and statement.module is None
        and all(alias.asname is None and alias.name != "*" for alias in statement.names)
    )


class _DeferSubmodules(importlib.abc.MetaPathFinder):
    """Find the named submodule folders of one package, with their execution deferred."""

    def __init__(self, package: str, directory: Path, names: frozenset[str]) -> None:
        self._folders = {f"{package}.{name}": os.path.join(directory, name) for name in names}

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> ModuleSpec | None:
        folder = self._folders.get(fullname)
        if folder is None:
            return None
        # Built here rather than by the path finder: it would stat each folder again (~40 ms).
        spec = importlib.util.spec_from_file_location(
            fullname, os.path.join(folder, "__init__.py"), submodule_search_locations=[folder]
        )
        if spec is None or spec.loader is None:
            return None
        spec.loader = importlib.util.LazyLoader(spec.loader)
        return spec
