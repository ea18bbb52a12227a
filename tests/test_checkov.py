"""checkov (real, from PyPI, in its own venv) finds nothing in any stack variant."""

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import VARIANTS
from toolchain.project import PROJECT_DIR

CONFIG = PROJECT_DIR / ".checkov.yaml"


def _checkov() -> str:
    candidates = [
        os.environ.get("CHECKOV"),
        str(PROJECT_DIR / ".venv-checkov" / "bin" / "checkov"),
        shutil.which("checkov"),
    ]
    for candidate in candidates:
        if candidate and Path(candidate).is_file():
            return candidate
    pytest.fail("checkov is not installed: run `make test` (it installs .venv-checkov)")


def _scannable(text: str) -> str:
    # checkov 3.3's terraform_json parser fails on the scalar `required_version` in the
    # `terraform` block and then reports zero checks; the block holds nothing to check.
    # Its parser also fails on `removed` blocks (a teardown's) and `moved` blocks (renamed
    # listeners), which create no resource.
    data = json.loads(text)
    data["terraform"].pop("required_version")
    data.pop("removed", None)
    data.pop("moved", None)
    return json.dumps(data, indent=2)


@pytest.fixture(scope="session")
def checkov_report(request, tmp_path_factory) -> dict[str, dict]:
    """One checkov run over every variant; the report of each, by variant name."""
    folder = tmp_path_factory.mktemp("checkov")
    for variant in VARIANTS:
        text = request.getfixturevalue(variant).text
        (folder / f"{variant}.tf.json").write_text(_scannable(text), encoding="utf-8")
    result = subprocess.run(
        [_checkov(), "--config-file", str(CONFIG), "-d", str(folder), "-o", "json"],
        capture_output=True,
        text=True,
        env={**os.environ, "BC_SKIP_MAPPING": "TRUE"},
        timeout=600,
    )
    report = json.loads(result.stdout)
    (report,) = report if isinstance(report, list) else [report]
    assert report["summary"]["parsing_errors"] == 0, result.stderr[-2000:]
    by_variant: dict[str, dict] = {v: {"passed": [], "failed": []} for v in VARIANTS}
    for outcome in ("passed", "failed"):
        for check in report["results"][f"{outcome}_checks"]:
            by_variant[Path(check["file_path"]).name.removesuffix(".tf.json")][outcome].append(
                check
            )
    return by_variant


# What a variant fails on purpose, by check, with the reason.
EXPECTED_FAILURES = {
    "synth_teardown": {
        # Teardown hands the retained vault over and drops the plan: the stack is going away.
        "CKV2_AWS_18": "aws_efs_file_system.redis_storage_file_system",
    },
}


@pytest.mark.parametrize("variant", VARIANTS)
def test_checkov_passes(checkov_report, variant):
    report = checkov_report[variant]
    expected = EXPECTED_FAILURES.get(variant, {})
    failures = [
        f"{c['check_id']} {c['resource']}: {c['check_name']}"
        for c in report["failed"]
        if expected.get(c["check_id"]) != c["resource"]
    ]
    assert not failures, "\n".join(failures)
    failed = {c["check_id"]: c["resource"] for c in report["failed"]}
    assert failed == expected, "an expected failure no longer happens: update EXPECTED_FAILURES"
    # A scan that parsed nothing would also have no failures.
    assert len(report["passed"]) >= 100, f"only {len(report['passed'])} checks ran"


def test_at_most_five_suppressions_each_with_a_reason():
    lines = CONFIG.read_text(encoding="utf-8").split("skip-check:")[1].strip().splitlines()
    skips = [re.fullmatch(r"\s*- (CKV2?_AWS_\d+)\s+# (.{20,})", line) for line in lines]
    assert all(skips), lines
    assert 0 < len(skips) <= 5
    testing = (PROJECT_DIR / "docs" / "testing.md").read_text(encoding="utf-8")
    for skip in skips:
        assert skip[1] in testing, f"{skip[1]} is not listed in docs/testing.md"
