"""Synthesize the voting app: one Terraform stack per environment, into cdktf.out/stacks/."""

import os
import sys

from infra.project import CDKTF_JSON, output_dir
from infra.settings import SettingsError, load_all, read_context, select


def main() -> int:
    """Validate the settings of every environment, then synthesize the selected ones."""
    try:
        environments = load_all(read_context(CDKTF_JSON))
        selected = select(environments, os.environ.get("VOTING_ENVIRONMENTS", ""))
    except SettingsError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2

    # Imported only now: a settings mistake is reported before the provider loads.
    from infra.providers import App
    from infra.stack import VotingStack

    # The cdktf CLI passes its output folder; run directly, the one cdktf.json names.
    app = App(outdir=os.environ.get("CDKTF_OUTDIR") or str(output_dir()))
    for settings in selected:
        VotingStack(app, settings)
    app.synth()
    return 0


if __name__ == "__main__":
    sys.exit(main())
