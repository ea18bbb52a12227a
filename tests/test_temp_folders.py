"""The tests clean up after themselves: nothing of theirs stays in the system temp folder."""

from __future__ import annotations

import os
import subprocess
import sys

from toolchain.project import PROJECT_DIR


def test_cdktf_testing_synths_leave_no_outdir_in_the_temp_folder(tmp_path):
    """cdktf's `Testing.app()` makes a `cdktf.outdir.*` folder in the temp folder unless given one.

    The tests that synthesize outside the session fixtures run in a pytest of their own whose
    temp folder (TMPDIR, which node's os.tmpdir() follows too) is empty at the start.
    """
    temp = tmp_path / "tmp"
    temp.mkdir()
    basetemp = tmp_path / "basetemp"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            f"--basetemp={basetemp}",
            "tests/test_registry.py::test_the_tag_follows_the_build_context",
        ],
        cwd=PROJECT_DIR,
        env={**os.environ, "TMPDIR": str(temp)},
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    left = sorted(p.name for p in temp.iterdir() if p.name.startswith("cdktf"))
    assert left == [], f"left in the temp folder: {left}"
