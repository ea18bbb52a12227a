"""Session fixtures: each stack variant is synthesized once per run and shared by every test."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.helpers import Synth
from toolchain.node import use_project_node

# Before the first cdktf import: jsii (and every synth the tests start) runs the pinned Node.js.
use_project_node()


# What the tests build on: the profiles' defaults, never the project's cdktf.json, which is the
# user's to change. prod must say where its state lives and who its alarms reach.
TEST_CONTEXT = {"environments": {"prod": {"local_state": True, "alarms_unsubscribed": True}}}


def _settings(env: str, **changes):
    """The settings of the profile `env` (no cdktf.json, no environment variables), changed."""
    from infra.settings import load_all

    settings = load_all(TEST_CONTEXT, environ={})[env]
    return dataclasses.replace(settings, **changes)


def _synth(settings) -> Synth:
    from infra.stack import VotingStack
    from toolchain.project import output_dir
    from toolchain.providers import Testing as CdkTesting

    # The folder main.py writes to, so relative paths in the JSON are the ones users get.
    stack = VotingStack(CdkTesting.app(outdir=str(output_dir())), settings)
    text = CdkTesting.synth(stack)
    return Synth(text=text, data=json.loads(text))


# User text that looks like Terraform template syntax must reach the app as typed.
ODD_TITLE = 'Vote ${var.redis_password} %{ if true }"now"%{ endif } \\ café'
ODD_OPTION = "$${literal} 50%{"

# Every variant the tests synthesize, by fixture name: what `python main.py` writes for dev and
# prod, and the options that change the stack's shape.
_VARIANTS: dict[str, Callable[[], object]] = {
    "synth_dev": lambda: _settings("dev"),
    "synth_prod": lambda: _settings("prod"),
    # prod on the Fargate Redis backend (a task with its data on EFS)
    "synth_prod_fargate": lambda: _settings("prod", redis_backend="fargate"),
    # dev serving HTTPS with a DNS-validated certificate, HTTP kept
    "synth_tls": lambda: _settings(
        "dev", domain_name="vote.example.com", hosted_zone_id="Z0123456789ABCDEFGHIJ"
    ),
    # dev serving HTTPS only, with an existing certificate and no Route 53 zone
    "synth_tls_only": lambda: _settings(
        "dev",
        domain_name="vote.example.com",
        certificate_arn="arn:aws:acm:us-west-2:123456789012:certificate/abc",
        http_listener=False,
    ),
    # prod with its state in S3, and alarms mailed to two addresses
    "synth_s3": lambda: _settings(
        "prod",
        state_bucket="acme-terraform-state",
        state_region="eu-west-1",
        alarm_emails=("ops@example.com", "oncall@example.com"),
    ),
    # prod's first teardown step: protections off, retained backups handed over
    "synth_teardown": lambda: _settings(
        "prod", redis_backend="fargate", deletion_protection=False, teardown=True
    ),
    # dev in one AZ, ECS Exec on (Fargate backend)
    "synth_one_az": lambda: _settings("dev", az_count=1, ecs_exec=True),
    # prod in three AZs on ElastiCache, ECS Exec on through the VPC endpoints
    "synth_three_az": lambda: _settings(
        "prod", az_count=3, redis_backend="elasticache", web_container_port=9000, ecs_exec=True
    ),
    # dev whose title, options and tags hold template-like and quoted text
    "synth_odd_text": lambda: _settings(
        "dev",
        app_title=ODD_TITLE,
        vote_options=(ODD_OPTION, 'Spaces "quoted"'),
        tags={"owner": "team ${x}", "cost-center": "%{y}"},
    ),
}


def project_settings(cdktf_json=None) -> dict:
    """The environments of the project's cdktf.json (or `cdktf_json`) as main.py builds them
    with no VOTING_* variables: what a test that runs main.py, make or the CLI must expect, since
    the user may have renamed the project or added environments."""
    from infra.settings import load_all, read_context
    from toolchain.project import CDKTF_JSON

    return load_all(read_context(cdktf_json or CDKTF_JSON), environ={})


def _project_environments() -> dict[str, Callable[[], object]]:
    """The environments of the project's own cdktf.json that no variant above already builds,
    as variants `env_<name>`: the invariant tests (every test over `any_synth`: security,
    lifecycle, Terraform loading, checkov) check them too. Adding an environment to cdktf.json
    is all it takes."""
    built = [variant() for variant in _VARIANTS.values()]
    environments = project_settings()
    return {
        f"env_{name.replace('-', '_')}": (lambda settings=settings: settings)
        for name, settings in environments.items()
        if settings not in built
    }


_VARIANTS |= _project_environments()
VARIANTS = list(_VARIANTS)


def variant_settings(variant: str):
    """The settings a variant fixture is synthesized from."""
    return _VARIANTS[variant]()


@pytest.fixture(scope="session")
def synthesized() -> Callable[[str], Synth]:
    """Synthesize a variant on first use and keep it for the session."""
    cache: dict[str, Synth] = {}

    def get(variant: str) -> Synth:
        if variant not in cache:
            cache[variant] = _synth(variant_settings(variant))
        return cache[variant]

    return get


def _variant_fixture(variant: str):
    @pytest.fixture(scope="session", name=variant)
    def fixture(synthesized) -> Synth:
        return synthesized(variant)

    return fixture


for _name in VARIANTS:
    globals()[_name] = _variant_fixture(_name)


@pytest.fixture(scope="session")
def dev_settings():
    return _settings("dev")


@pytest.fixture(scope="session")
def synth_dev_path(synth_dev, tmp_path_factory) -> Path:
    """The dev stack's JSON as a file, for tools that read cdk.tf.json (review, checkov)."""
    path = tmp_path_factory.mktemp("voting-app-dev") / "cdk.tf.json"
    path.write_text(synth_dev.text, encoding="utf-8")
    return path


@pytest.fixture(params=VARIANTS)
def any_synth(request) -> Synth:
    """Each stack variant in turn (each still synthesized only once per run)."""
    return request.getfixturevalue(request.param)
