"""Session fixtures: each stack variant is synthesized once per run and shared by every test."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from infra.node import use_project_node
from tests.helpers import Synth

# Before the first cdktf import: jsii (and every synth the tests start) runs the pinned Node.js.
use_project_node()


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


VARIANTS = ["synth_dev", "synth_prod", "synth_cache", "synth_tls", "synth_tls_only", "synth_s3"]


@pytest.fixture(params=VARIANTS)
def any_synth(request) -> Synth:
    """Each stack variant in turn (each still synthesized only once per run)."""
    return request.getfixturevalue(request.param)
