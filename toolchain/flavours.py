"""Which CDK runs the stacks: cdktf (archived, the default) or its maintained fork cdktn.

`VOTING_CDK=cdktf|cdktn` picks the flavour; it is read here and nowhere else. `make synth CDK=cdktn`
(and the Makefile's other targets) set it from make's `CDK` variable. Both flavours have the same
classes under the same submodule names; only the Python packages, the npm CLI and the
Terraform provider versions differ (docs/toolchain.md).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

ENV_VARIABLE = "VOTING_CDK"
DEFAULT = "cdktf"
# The Terraform versions the stacks need, declared once in cdktf.json's context: cdktn refuses
# write-only attributes unless the target allows Terraform 1.11; cdktf ignores the key.
TARGET_VERSIONS_KEY = "targetVersions"
# Where both CLIs hand cdktf.json's context to the app, and where App reads it (either flavour).
CONTEXT_VARIABLE = "CDKTF_CONTEXT_JSON"


class ToolchainError(ValueError):
    """VOTING_CDK names no flavour we support."""


@dataclass(frozen=True)
class Flavour:
    """The Python packages and the CLI of one CDK flavour."""

    name: str
    cdk: str
    aws: str
    docker: str
    cli: str


FLAVOURS = {
    "cdktf": Flavour(
        "cdktf",
        cdk="cdktf",
        aws="cdktf_cdktf_provider_aws",
        docker="cdktf_cdktf_provider_docker",
        cli="cdktf",
    ),
    "cdktn": Flavour(
        "cdktn",
        cdk="cdktn",
        aws="cdktn_provider_aws",
        docker="cdktn_provider_docker",
        cli="cdktn",
    ),
}


def selected(environ: dict[str, str] | None = None) -> Flavour:
    """The flavour `VOTING_CDK` names (default cdktf); a ToolchainError naming it otherwise."""
    value = (os.environ if environ is None else environ).get(ENV_VARIABLE, DEFAULT).strip()
    if value not in FLAVOURS:
        raise ToolchainError(
            f"{ENV_VARIABLE}={value!r} is not a CDK flavour: use {' or '.join(FLAVOURS)}"
        )
    return FLAVOURS[value]


def target_versions(cdktf_json: Path) -> dict[str, str]:
    """The `targetVersions` context of `cdktf_json` (empty if it declares none)."""
    config = json.loads(cdktf_json.read_text(encoding="utf-8"))
    return dict(config.get("context", {}).get(TARGET_VERSIONS_KEY, {}))


def declare_target_versions(cdktf_json: Path) -> None:
    """Hand `targetVersions` to every App the node process jsii starts next, as the CLIs do.

    Run under `cdktf synth` or `cdktn synth`, the CLI already put cdktf.json's whole context in
    CDKTF_CONTEXT_JSON; run directly (`python main.py`, the tests), nothing did. Either way each
    App, `Testing.app()` included, reads the variable when it is created.
    """
    if CONTEXT_VARIABLE in os.environ:
        return
    versions = target_versions(cdktf_json)
    if versions:
        os.environ[CONTEXT_VARIABLE] = json.dumps({TARGET_VERSIONS_KEY: versions})
