"""The lazy provider loader refuses package layouts it does not know."""

import sys
import textwrap

import pytest

from infra import lazy_import


def _package(root, name, init):
    package = root / name
    (package / "_jsii").mkdir(parents=True)
    (package / "_jsii" / "__init__.py").write_text("LOADED = True\n")
    (package / "thing").mkdir()
    (package / "thing" / "__init__.py").write_text("VALUE = 42\n")
    (package / "__init__.py").write_text(textwrap.dedent(init))
    return package


@pytest.fixture
def on_path(tmp_path, monkeypatch):
    monkeypatch.syspath_prepend(str(tmp_path))
    yield tmp_path
    for name in [n for n in sys.modules if n.startswith("fakeprov")]:
        del sys.modules[name]


GOOD = """\
    from ._jsii import *
    __all__ = ["thing"]
    publication.publish()

    # Loading modules to ensure their types are registered with the jsii runtime lib
    from . import thing
"""


def test_known_layout_loads_submodules_on_demand(on_path):
    _package(on_path, "fakeprov_good", GOOD)
    module = lazy_import.install("fakeprov_good")
    assert "fakeprov_good.thing" not in sys.modules
    assert module.thing.VALUE == 42
    assert "fakeprov_good.thing" in sys.modules
    with pytest.raises(AttributeError):
        _ = module.other


@pytest.mark.parametrize(
    ("init", "problem"),
    [
        ("from ._jsii import *\nx = 1\n", "no 'from . import <submodule>' block"),
        ("from ._jsii import *\nfrom . import thing\n", "do not follow 'publication.publish()'"),
        (
            "from ._jsii import *\npublication.publish()\nfrom . import thing\nprint('hi')\n",
            "unexpected statement",
        ),
        ("from ._jsii import *\npublication.publish()\nfrom . import gone\n", "names no submodule"),
        ("publication.publish()\nfrom . import thing\n", "jsii assembly is not loaded"),
    ],
)
def test_unknown_layout_is_a_clear_error(on_path, init, problem):
    name = f"fakeprov_{abs(hash(init))}"
    _package(on_path, name, init)
    with pytest.raises(lazy_import.LazyImportError, match="VOTING_LAZY_PROVIDERS=0") as error:
        lazy_import.install(name)
    assert problem in str(error.value)
    assert name not in sys.modules


def test_switch_values(monkeypatch):
    monkeypatch.setenv(lazy_import.ENV_SWITCH, "0")
    assert lazy_import.enabled() is False
    monkeypatch.setenv(lazy_import.ENV_SWITCH, "maybe")
    with pytest.raises(lazy_import.LazyImportError, match="is not a switch"):
        lazy_import.enabled()
