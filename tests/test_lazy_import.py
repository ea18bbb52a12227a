"""The Python-side provider loader: submodules run on first use, unknown layouts import eagerly."""

import importlib
import sys
import textwrap
import types

import pytest

from toolchain import lazy_import

# What the jsii generator writes, cut down: publish, then one import per submodule folder.
GENERATED = """\
    import publication
    import fakeprov_events
    fakeprov_events.RAN.append(__name__)

    __all__ = ["thing", "other"]

    publication.publish()

    # Loading modules to ensure their types are registered with the jsii runtime library
    from . import thing
    from . import other
"""


# What cdktn's generator writes: publish, then the package defers its submodules itself.
SELF_LAZY = """\
    import importlib as _importlib
    import publication
    import fakeprov_events
    fakeprov_events.RAN.append(__name__)

    __all__ = []

    publication.publish()

    _SUBMODULES = {
        "thing",
        "other",
    }

    def __getattr__(name: str) -> object:
        if name in _SUBMODULES:
            mod = _importlib.import_module(f".{name}", __name__)
            globals()[name] = mod
            return mod
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

    def __dir__() -> "list[str]":
        return [*__all__, *_SUBMODULES]

    import sys as _sys
    setattr(_sys.modules[__name__], "__getattr__", __getattr__)
    setattr(_sys.modules[__name__], "__dir__", __dir__)
"""


def _package(root, name, init):
    """Write package `name` under `root`: `init`, and submodules `thing` and `other` that log."""
    package = root / name
    for submodule, value in (("thing", 42), ("other", 7)):
        (package / submodule).mkdir(parents=True)
        (package / submodule / "__init__.py").write_text(
            f"import fakeprov_events\nfakeprov_events.RAN.append(__name__)\nVALUE = {value}\n"
        )
    (package / "__init__.py").write_text(textwrap.dedent(init))
    return package


@pytest.fixture
def on_path(tmp_path, monkeypatch):
    """A folder on sys.path with `fakeprov_events.RAN`, the log of executed package modules."""
    (tmp_path / "fakeprov_events.py").write_text("RAN = []\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    yield tmp_path
    for name in [n for n in sys.modules if n.startswith("fakeprov")]:
        del sys.modules[name]


def _ran():
    return importlib.import_module("fakeprov_events").RAN


def test_known_layout_runs_each_submodule_on_first_use(on_path, capsys):
    _package(on_path, "fakeprov_good", GENERATED)
    module = lazy_import.install("fakeprov_good")
    assert _ran() == ["fakeprov_good"]
    assert module is sys.modules["fakeprov_good"]

    from fakeprov_good.thing import VALUE

    assert VALUE == 42
    assert _ran() == ["fakeprov_good", "fakeprov_good.thing"]
    assert module.other.VALUE == 7
    assert _ran() == ["fakeprov_good", "fakeprov_good.thing", "fakeprov_good.other"]
    assert capsys.readouterr().err == ""


def test_lazy_package_looks_like_the_eager_one(on_path):
    _package(on_path, "fakeprov_lazy", GENERATED)
    _package(on_path, "fakeprov_eager", GENERATED)
    lazy = lazy_import.install("fakeprov_lazy")
    eager = importlib.import_module("fakeprov_eager")
    # publication.publish() ran in both: the public module, with the private one beside it.
    assert sorted(vars(lazy)) == sorted(vars(eager))
    assert sys.modules["fakeprov_lazy._private"].__name__ == "fakeprov_lazy"
    assert lazy.thing.VALUE == eager.thing.VALUE


@pytest.mark.parametrize(
    ("init", "problem", "submodules"),
    [
        (
            GENERATED.replace("publication.publish()", "pass"),
            "never calls publication.publish()",
            ["thing", "other"],
        ),
        (
            GENERATED + "    print('hi')\n",
            "is not a 'from . import <submodule>' statement",
            ["thing", "other"],
        ),
        (
            GENERATED.replace("import other", "import other as renamed"),
            "is not a 'from . import <submodule>' statement",
            ["thing", "other"],
        ),
        (
            GENERATED.replace("from . import other", "from .other import VALUE"),
            "is not a 'from . import <submodule>' statement",
            ["thing", "other"],
        ),
        (
            GENERATED + "    from . import helper\n",
            "imports 'helper', not a submodule folder",
            ["thing", "other", "helper"],
        ),
        (
            GENERATED.split("# Loading")[0],
            "imports no submodule after publication.publish()",
            [],
        ),
    ],
)
def test_unknown_layout_imports_eagerly_and_says_so_in_one_line(
    on_path, capsys, init, problem, submodules
):
    name = f"fakeprov_{abs(hash(init))}"
    package = _package(on_path, name, init)
    (package / "helper.py").write_text(
        "import fakeprov_events\nfakeprov_events.RAN.append(__name__)\n"
    )

    module = lazy_import.install(name)

    assert module is sys.modules[name]
    assert _ran() == [name, *(f"{name}.{submodule}" for submodule in submodules)]
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(f"lazy_import: {name} imports eagerly: ")
    assert problem in lines[0]


def test_self_lazy_layout_is_imported_as_it_is_without_a_line(on_path, capsys):
    _package(on_path, "fakeprov_selflazy", SELF_LAZY)
    module = lazy_import.install("fakeprov_selflazy")
    assert _ran() == ["fakeprov_selflazy"]
    from fakeprov_selflazy.thing import VALUE

    assert VALUE == 42
    assert module.other.VALUE == 7
    assert _ran() == ["fakeprov_selflazy", "fakeprov_selflazy.thing", "fakeprov_selflazy.other"]
    assert capsys.readouterr().err == ""


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (('"other",', '"other",\n        "helper",'), "is not a 'from . import <submodule>'"),
        (("import sys as _sys", "import sys as _sys\n    print('hi')"), "is not a 'from . import"),
    ],
)
def test_self_lazy_layout_with_more_in_it_is_eager_with_a_line(on_path, capsys, change, problem):
    name = f"fakeprov_{abs(hash(change))}"
    _package(on_path, name, SELF_LAZY.replace(*change))
    lazy_import.install(name)
    (line,) = capsys.readouterr().err.splitlines()
    assert line.startswith(f"lazy_import: {name} imports eagerly: ") and problem in line


def test_missing_package_is_an_import_error():
    with pytest.raises(ModuleNotFoundError, match="fakeprov_absent"):
        lazy_import.install("fakeprov_absent")


def test_real_aws_package_runs_only_the_submodules_the_stack_uses():
    from toolchain import providers  # imports the provider packages as a synth does

    if not lazy_import.enabled():
        pytest.fail(f"{lazy_import.ENV_SWITCH} is off, so the lazy loader is not under test")
    prefix = f"{providers.AWS_PACKAGE}."
    submodules = [
        m for name, m in sys.modules.items() if name.count(".") == 1 and name.startswith(prefix)
    ]
    executed = {m.__name__ for m in submodules if type(m) is types.ModuleType}
    if providers.FLAVOUR.name == "cdktf":
        # lazy_import binds every submodule, deferred; cdktn's package imports one when asked.
        assert len(submodules) > 2000
    assert f"{prefix}vpc" in executed
    assert f"{prefix}sagemaker_domain" not in executed
    assert len(executed) < 100


def test_switch_values(monkeypatch):
    monkeypatch.setenv(lazy_import.ENV_SWITCH, "0")
    assert lazy_import.enabled() is False
    monkeypatch.setenv(lazy_import.ENV_SWITCH, "on")
    assert lazy_import.enabled() is True
    monkeypatch.setenv(lazy_import.ENV_SWITCH, "maybe")
    with pytest.raises(lazy_import.LazyImportError, match="VOTING_LAZY_PROVIDERS='maybe'"):
        lazy_import.enabled()
