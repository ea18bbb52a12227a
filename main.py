"""Synthesize the voting app: one Terraform stack per environment, into cdktf.out/stacks/."""

import importlib.util
import os
import sys
from pathlib import Path

from infra.settings import SettingsError, load_all, read_context, select
from toolchain import flavours, lazy_import, lazy_node
from toolchain.node import use_project_node
from toolchain.outdir import remove_stale_stacks, summary, written_stacks
from toolchain.project import CDKTF_JSON, output_dir


def main() -> int:
    """Validate the settings of every environment, then synthesize the selected ones."""
    try:
        environments = load_all(read_context(CDKTF_JSON))
        selected = select(environments, os.environ.get("VOTING_ENVIRONMENTS", ""))
        # The CDK flavour and the loaders' switches, checked (they raise on a bad value) before
        # anything loads.
        flavour = flavours.selected()
        lazy_import.enabled()
        lazy_node.enabled()
    except (SettingsError, flavours.ToolchainError, lazy_import.LazyImportError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2

    # Debian's python3, or any Python but the project venv's, lacks the locked packages.
    if importlib.util.find_spec("jsii") is None:
        print(
            "error: this Python lacks the project's packages (jsii, cdktf); run `make synth`, "
            "or `.venv/bin/python main.py` once `make synth` has installed them",
            file=sys.stderr,
        )
        return 2

    names = ", ".join(settings.stack_name for settings in selected)
    print(
        f"Synthesizing {names} with {flavour.name} "
        "(loading the AWS provider takes a few seconds)...",
        flush=True,
    )
    use_project_node()
    # Imported only now: a settings mistake is reported before the provider loads.
    from infra.stack import VotingStack
    from toolchain.providers import App

    # The cdktf CLI passes its output folder; run directly, the one cdktf.json names.
    outdir = Path(os.environ.get("CDKTF_OUTDIR") or output_dir())
    app = App(outdir=str(outdir))
    for settings in selected:
        VotingStack(app, settings)
    app.synth()
    stacks = written_stacks(outdir)
    print(summary(stacks, remove_stale_stacks(outdir, stacks)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
