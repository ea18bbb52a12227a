"""The deploy instructions hold: docs/deploy.md's plain-Terraform steps, and the resource counts
it and the README quote."""

import re

from tests.test_terraform import PROVIDER_ERROR, _errors
from toolchain import terraform
from toolchain.project import PROJECT_DIR

README = (PROJECT_DIR / "README.md").read_text(encoding="utf-8")
DEPLOY = (PROJECT_DIR / "docs" / "deploy.md").read_text(encoding="utf-8")


def _plain_terraform_steps() -> list[str]:
    block = DEPLOY.split("Plain Terraform works", 1)[1].split("```sh\n", 1)[1].split("```")[0]
    return block.splitlines()


def test_plain_terraform_steps_work_up_to_the_provider_download(synth_dev, tmp_path):
    make_synth, cd, init, *_ = _plain_terraform_steps()
    assert make_synth == "make synth"
    folder = tmp_path / cd.removeprefix("cd ")
    folder.mkdir(parents=True)
    (folder / "cdk.tf.json").write_text(synth_dev.text, encoding="utf-8")
    args = init.split()
    assert args[0] == "terraform"
    # The README's own init, with the local backend it configures, offline.
    result = terraform.run([*args[1:], "-input=false", "-no-color"], chdir=folder, offline=True)
    assert "Initializing provider plugins" in result.stdout, result.stdout + result.stderr
    assert set(_errors(result)) == {PROVIDER_ERROR}, result.stdout + result.stderr


def test_readme_resource_counts_match_the_stacks(synth_dev, synth_prod):
    counts = [sum(map(len, s.data["resource"].values())) for s in (synth_dev, synth_prod)]
    found = re.search(r"a new dev stack adds (\d+) resources and prod (\d+)", DEPLOY)
    assert found, "docs/deploy.md's first-deploy checklist lost its resource counts"
    assert [int(found[1]), int(found[2])] == counts
    # What `make synth` prints, as the quick start shows it.
    shown = [int(n) for n in re.findall(r"voting-app-(?:dev|prod) +(\d+) resources", README)]
    assert shown == counts
