"""Session fixtures: each stack variant is synthesized once per run and shared by every test."""

from __future__ import annotations

import dataclasses
import json
import os
from pathlib import Path

import pytest

# jsii prints a banner on node 20 (end of life upstream, the node this project runs on).
os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")

from tests.helpers import Synth  # noqa: E402


def _settings(env: str, **changes):
    """The real settings of `env` (cdktf.json context, no environment variables), changed."""
    from infra.project import CDKTF_JSON
    from infra.settings import load_all, read_context

    settings = load_all(read_context(CDKTF_JSON), environ={})[env]
    return dataclasses.replace(settings, **changes)


def _synth(settings) -> Synth:
    from infra.providers import Testing as CdkTesting
    from infra.stack import VotingStack

    stack = VotingStack(CdkTesting.app(), settings)
    text = CdkTesting.synth(stack)
    return Synth(text=text, data=json.loads(text))


@pytest.fixture(scope="session")
def dev_settings():
    return _settings("dev")


@pytest.fixture(scope="session")
def synth_dev(dev_settings) -> Synth:
    """The dev stack with default settings: what `python main.py` writes for dev."""
    return _synth(dev_settings)


@pytest.fixture(scope="session")
def synth_dev_path(synth_dev, tmp_path_factory) -> Path:
    """The dev stack's JSON as a file, for tools that read cdk.tf.json (review, checkov)."""
    path = tmp_path_factory.mktemp("voting-app-dev") / "cdk.tf.json"
    path.write_text(synth_dev.text, encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def synth_prod() -> Synth:
    return _synth(_settings("prod"))


@pytest.fixture(scope="session")
def synth_cache() -> Synth:
    """prod with the managed Redis (ElastiCache) backend."""
    return _synth(_settings("prod", redis_backend="elasticache"))


@pytest.fixture(scope="session")
def synth_tls() -> Synth:
    """dev serving HTTPS with a DNS-validated certificate, HTTP kept."""
    return _synth(
        _settings("dev", domain_name="vote.example.com", hosted_zone_id="Z0123456789ABCDEFGHIJ")
    )


@pytest.fixture(scope="session")
def synth_tls_only() -> Synth:
    """dev serving HTTPS only, with an existing certificate and no Route 53 zone."""
    return _synth(
        _settings(
            "dev",
            domain_name="vote.example.com",
            certificate_arn="arn:aws:acm:us-west-2:123456789012:certificate/abc",
            http_listener=False,
        )
    )


@pytest.fixture(scope="session")
def synth_s3() -> Synth:
    """prod with its state in S3."""
    return _synth(_settings("prod", state_bucket="acme-terraform-state", state_region="eu-west-1"))


@pytest.fixture(scope="session")
def synth_one_az() -> Synth:
    """dev in a single availability zone."""
    return _synth(_settings("dev", az_count=1))


@pytest.fixture(scope="session")
def synth_three_az() -> Synth:
    """prod over three availability zones, the ElastiCache backend and odd options."""
    return _synth(
        _settings("prod", az_count=3, redis_backend="elasticache", web_container_port=9000)
    )


# User text that looks like Terraform template syntax must reach the app as typed.
ODD_TITLE = 'Vote ${var.redis_password} %{ if true }"now"%{ endif } \\ café'
ODD_OPTION = "$${literal} 50%{"


@pytest.fixture(scope="session")
def synth_odd_text() -> Synth:
    """dev whose title, options and tags hold template-like and quoted text."""
    return _synth(
        _settings(
            "dev",
            app_title=ODD_TITLE,
            vote_option_1=ODD_OPTION,
            vote_option_2='Spaces "quoted"',
            tags={"owner": "team ${x}", "cost-center": "%{y}"},
        )
    )


VARIANTS = [
    "synth_dev",
    "synth_prod",
    "synth_cache",
    "synth_tls",
    "synth_tls_only",
    "synth_s3",
    "synth_one_az",
    "synth_three_az",
    "synth_odd_text",
]


@pytest.fixture(params=VARIANTS)
def any_synth(request) -> Synth:
    """Each stack variant in turn (each still synthesized only once per run)."""
    return request.getfixturevalue(request.param)
