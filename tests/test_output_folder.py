"""`cdktf synth --output X` (CDKTF_OUTDIR): relative paths in the JSON still find their files."""

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import project_settings
from tests.test_synth_output import _clone


def test_paths_resolve_from_another_output_folder(tmp_path):
    project = _clone(tmp_path / "voting-app")
    outdir = tmp_path / "elsewhere" / "out"
    outdir.mkdir(parents=True)  # as the cdktf CLI does
    env = {**os.environ, "VOTING_ENVIRONMENTS": "dev", "CDKTF_OUTDIR": str(outdir)}
    subprocess.run([sys.executable, "main.py"], cwd=project, env=env, check=True, timeout=300)
    dev = project_settings(project / "cdktf.json")["dev"].stack_name
    stack = outdir / "stacks" / dev
    data = json.loads((stack / "cdk.tf.json").read_text(encoding="utf-8"))

    (image,) = data["resource"]["docker_image"].values()
    context = (stack / image["build"]["context"]).resolve()
    assert context == (project / "frontend").resolve()
    state = Path(os.path.normpath(stack / data["terraform"]["backend"]["local"]["path"]))
    assert state == project / f"terraform.{dev}.tfstate"
