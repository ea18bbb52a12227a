"""Both CDK flavours, cdktf and cdktn, synthesize the same stacks: only version pins differ.

Each flavour synthesizes every test variant once per session, all in one subprocess
(`VOTING_CDK=<flavour>`): a flavour's packages can only be loaded by a process of their own. The
subprocess also reports what its loaders did, so a silent fall back to eager loading (2-3x the
synth time and memory) fails here: the loader budget.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any, NamedTuple

import pytest

from tests.conftest import VARIANTS, project_settings
from toolchain import flavours, lazy_node, terraform
from toolchain.project import PROJECT_DIR

# The only JSON that may differ between the flavours: path -> (cdktf's value, cdktn's value).
METADATA_VERSION = ("//", "metadata", "version")
ALLOWED = {
    METADATA_VERSION: ("0.21.0", "0.24.0"),
    ("terraform", "required_providers", "aws", "source"): ("aws", "hashicorp/aws"),
    ("terraform", "required_providers", "aws", "version"): ("6.25.0", "6.69.1"),
    ("terraform", "required_providers", "docker", "version"): ("3.6.2", "4.6.0"),
}
# A stack uses about 45 AWS submodules of 2,2xx; eager loading runs all of them.
MODULE_BUDGET = 100

# Synthesizes every variant of tests/conftest.py and runs main.py; reports the Python submodules
# that ran.
SYNTH_ALL = textwrap.dedent(
    """\
    import json, sys, types
    from pathlib import Path
    from tests.conftest import VARIANTS, _synth, variant_settings
    from toolchain import providers

    import main

    out = Path(sys.argv[1])
    for variant in VARIANTS:
        (out / f"{variant}.json").write_text(_synth(variant_settings(variant)).text)
    main.main()  # into CDKTF_OUTDIR: the stacks users get, "//" metadata included
    prefix = providers.AWS_PACKAGE + "."
    ran = [name for name, module in sys.modules.items()
           if name.startswith(prefix) and name.count(".") == 1 and type(module) is types.ModuleType]
    (out / "python-modules.json").write_text(json.dumps(sorted(ran)))
    """
)

# Preloaded into jsii's node processes: at exit, the AWS provider submodules node compiled.
NODE_PROBE = textwrap.dedent(
    """\
    "use strict";
    const fs = require("node:fs");
    const path = require("node:path");
    process.on("exit", () => {
      const folder = new RegExp("/node_modules/@cdkt[fn]/provider-aws/lib/([^/]+)/");
      const loaded = new Set();
      for (const file of Object.keys(require.cache)) {
        const match = folder.exec(file);
        if (match) loaded.add(match[1]);
      }
      const report = path.join(process.env.NODE_PROBE_DIR, `${process.pid}.json`);
      fs.writeFileSync(report, JSON.stringify([...loaded].sort()));
    });
    """
)


class FlavourRun(NamedTuple):
    synths: dict[str, dict[str, Any]]
    texts: dict[str, str]
    stacks: dict[str, dict[str, Any]]
    python_modules: list[str]
    node_modules: list[str]
    stderr: str


def _run_flavour(flavour: str, folder: Path) -> FlavourRun:
    out, probe_dir = folder / "stacks", folder / "probe"
    out.mkdir(parents=True)
    probe_dir.mkdir()
    probe = folder / "probe.cjs"
    probe.write_text(NODE_PROBE, encoding="utf-8")
    # The test process's own loader and context settings are not the child's to inherit.
    ours = {"NODE_OPTIONS", lazy_node.PACKAGES_VARIABLE, flavours.CONTEXT_VARIABLE}
    env = {key: value for key, value in os.environ.items() if key not in ours}
    env.pop("VOTING_ENVIRONMENTS", None)
    env.update(
        {
            flavours.ENV_VARIABLE: flavour,
            "NODE_OPTIONS": lazy_node.require_option(probe),
            "NODE_PROBE_DIR": str(probe_dir),
            "CDKTF_OUTDIR": str(folder / "main"),
        }
    )
    result = subprocess.run(
        [sys.executable, "-c", SYNTH_ALL, str(out)],
        cwd=PROJECT_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    texts = {v: (out / f"{v}.json").read_text(encoding="utf-8") for v in VARIANTS}
    reports = [json.loads(p.read_text(encoding="utf-8")) for p in probe_dir.glob("*.json")]
    return FlavourRun(
        synths={variant: json.loads(text) for variant, text in texts.items()},
        texts=texts,
        stacks={
            path.parent.name: json.loads(path.read_text(encoding="utf-8"))
            for path in (folder / "main").glob("stacks/*/cdk.tf.json")
        },
        python_modules=json.loads((out / "python-modules.json").read_text(encoding="utf-8")),
        node_modules=max(reports, key=len, default=[]),
        stderr=result.stderr,
    )


@pytest.fixture(scope="session")
def flavour_runs(tmp_path_factory) -> dict[str, FlavourRun]:
    """Every variant synthesized by each flavour, one subprocess per flavour."""
    return {
        flavour: _run_flavour(flavour, tmp_path_factory.mktemp(flavour))
        for flavour in flavours.FLAVOURS
    }


def differences(old: Any, new: Any, path: tuple[str, ...] = ()) -> dict[tuple, tuple]:
    """Every path where `old` and `new` differ -> (old value, new value); missing is None."""
    if isinstance(old, dict) and isinstance(new, dict):
        found: dict[tuple, tuple] = {}
        for key in sorted(old.keys() | new.keys()):
            found.update(differences(old.get(key), new.get(key), (*path, key)))
        return found
    if isinstance(old, list) and isinstance(new, list) and len(old) == len(new):
        found = {}
        for index, (a, b) in enumerate(zip(old, new, strict=True)):
            found.update(differences(a, b, (*path, str(index))))
        return found
    return {} if old == new else {path: (old, new)}


def test_the_difference_check_reports_any_other_change():
    old = {"resource": {"aws_vpc": {"main": {"cidr_block": "10.0.0.0/16", "tags": {"a": "1"}}}}}
    new = json.loads(json.dumps(old))
    new["resource"]["aws_vpc"]["main"]["cidr_block"] = "10.1.0.0/16"
    del new["resource"]["aws_vpc"]["main"]["tags"]["a"]
    new["output"] = {"x": {"value": 1}}
    assert differences(old, new) == {
        ("resource", "aws_vpc", "main", "cidr_block"): ("10.0.0.0/16", "10.1.0.0/16"),
        ("resource", "aws_vpc", "main", "tags", "a"): ("1", None),
        ("output",): (None, {"x": {"value": 1}}),
    }


@pytest.mark.parametrize("variant", VARIANTS)
def test_flavours_differ_only_in_version_pins(flavour_runs, variant):
    cdktf, cdktn = flavour_runs["cdktf"].synths[variant], flavour_runs["cdktn"].synths[variant]
    # Testing.synth leaves out the "//" metadata block; main.py's stacks have it (below).
    assert "//" not in cdktf and "//" not in cdktn
    assert differences(cdktf, cdktn) == {p: v for p, v in ALLOWED.items() if p != METADATA_VERSION}


@pytest.mark.parametrize("stack", [s.stack_name for s in project_settings().values()])
def test_main_py_stacks_differ_only_in_versions(flavour_runs, stack):
    cdktf, cdktn = flavour_runs["cdktf"].stacks[stack], flavour_runs["cdktn"].stacks[stack]
    assert differences(cdktf, cdktn) == ALLOWED


def test_cdktf_output_is_what_the_session_synthesizes(flavour_runs, synthesized):
    """The subprocess synthesizes what the tests' own fixtures do, byte for byte."""
    session = flavours.selected().name
    for variant in VARIANTS:
        assert flavour_runs[session].texts[variant] == synthesized(variant).text, variant


@pytest.mark.parametrize("flavour", list(flavours.FLAVOURS))
def test_loader_budget(flavour_runs, flavour):
    """Both loaders stay lazy: no fall-back line, and only the submodules the stacks use run."""
    run = flavour_runs[flavour]
    assert not re.search(r"eager", run.stderr), run.stderr
    assert run.stderr == "", run.stderr
    for modules in (run.python_modules, run.node_modules):
        assert "vpc" in {name.rsplit(".", 1)[-1] for name in modules}
        assert 30 < len(modules) < MODULE_BUDGET, modules
    assert "sagemaker-domain" not in run.node_modules


@pytest.mark.parametrize("variant", VARIANTS)
def test_terraform_loads_the_cdktn_output_offline(flavour_runs, variant, tmp_path):
    """As tests/test_terraform.py for cdktf: everything but provider installation passes."""
    (tmp_path / "cdk.tf.json").write_text(flavour_runs["cdktn"].texts[variant], encoding="utf-8")
    result = terraform.run(
        ["init", "-backend=false", "-input=false", "-no-color"], chdir=tmp_path, offline=True
    )
    output = result.stdout + result.stderr
    assert "Initializing provider plugins" in result.stdout, output
    errors = set(re.findall(r"^Error: (.+)$", output, re.MULTILINE))
    assert errors == {"Failed to query available provider packages"}, output
    flat = output.replace("\n", " ")
    assert "hashicorp/aws was not found" in flat and "kreuzwerker/docker was not found" in flat, (
        flat
    )


def test_a_bad_flavour_stops_synth_naming_the_setting(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != flavours.CONTEXT_VARIABLE}
    result = subprocess.run(
        [sys.executable, "main.py"],
        cwd=PROJECT_DIR,
        env={**env, flavours.ENV_VARIABLE: "terraform-cdk", "CDKTF_OUTDIR": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2
    (line,) = result.stderr.strip().splitlines()
    assert line == "error: VOTING_CDK='terraform-cdk' is not a CDK flavour: use cdktf or cdktn"


def test_the_default_flavour_is_cdktf():
    assert flavours.selected({}).name == "cdktf"
    assert flavours.selected({flavours.ENV_VARIABLE: "cdktn"}).cdk == "cdktn"


def test_without_target_versions_cdktn_refuses_the_write_only_password(tmp_path):
    """What cdktf.json's targetVersions is for: the context the CLIs pass holds none here."""
    env = {k: v for k, v in os.environ.items() if k not in {"NODE_OPTIONS", "VOTING_ENVIRONMENTS"}}
    env.update(
        {
            flavours.ENV_VARIABLE: "cdktn",
            flavours.CONTEXT_VARIABLE: "{}",
            "VOTING_ENVIRONMENTS": "dev",
            "CDKTF_OUTDIR": str(tmp_path),
        }
    )
    result = subprocess.run(
        [sys.executable, "main.py"],
        cwd=PROJECT_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode != 0
    assert "requires terraform >=1.11.0" in result.stderr, result.stderr[-3000:]
    assert not list(tmp_path.glob("stacks/*/cdk.tf.json"))
