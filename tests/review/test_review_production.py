"""A stack whose settings are production-like (deletion protection, or alarms that notify) is held
to production rules whatever it is called: local state, a silent alarm topic, plain HTTP, a
single-task Redis and a backup vault destroyed with the stack are flagged."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from tests.conftest import _synth, variant_settings
from tests.review.helpers import report_of, section


def _renamed(data: dict, name: str = "shop-live") -> dict:
    """The stack under another name and environment tag, so no name rule can catch it."""
    data = json.loads(json.dumps(data))
    data.setdefault("//", {}).setdefault("metadata", {})["stackName"] = name
    data["provider"]["aws"][0]["default_tags"][0]["tags"]["environment"] = "live"
    return data


def _findings(tmp_path: Path, data: dict) -> str:
    path = tmp_path / "stack" / "cdk.tf.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data), encoding="utf-8")
    return section(report_of(path), "## Findings")


_LOCAL_STATE = "state is kept in a local file"
_SILENT_TOPIC = "which has no subscriber: nobody is paged"
_PLAIN_HTTP = "serves plain TCP only, no TLS listener"
_FARGATE_REDIS = "runs Redis as a Fargate task"
_VAULT = "nothing keeps the vault out of `terraform destroy`"
_ALL = (_LOCAL_STATE, _SILENT_TOPIC, _PLAIN_HTTP, _FARGATE_REDIS, _VAULT)


def test_production_like_stack_of_any_name_is_flagged(synth_prod_fargate, tmp_path):
    data = _renamed(synth_prod_fargate.data)
    # prod keeps its vault out of destroy (retain_backups); without that it is a finding too.
    for vault in data["resource"]["aws_backup_vault"].values():
        vault.pop("lifecycle")
    findings = _findings(tmp_path, data)
    for flag in _ALL:
        assert flag in findings, flag


def test_dev_is_not_held_to_production_rules(synth_dev, tmp_path):
    findings = _findings(tmp_path, synth_dev.data)
    for flag in _ALL:
        assert flag not in findings, flag
    assert "No findings" in findings


@pytest.mark.parametrize(
    "setting", [{"deletion_protection": True}, {"alarm_paging": True, "alarm_emails": ()}]
)
def test_either_production_setting_alone_makes_dev_production_like(setting, tmp_path):
    settings = dataclasses.replace(variant_settings("synth_dev"), **setting)
    data = json.loads(_synth(settings).text)
    findings = _findings(tmp_path, data)
    assert _LOCAL_STATE in findings and _FARGATE_REDIS in findings
    report = report_of(tmp_path / "stack" / "cdk.tf.json")
    assert "Held to production rules because of: " in report


def test_state_bucket_and_subscribers_clear_their_flags(synth_s3, tmp_path):
    findings = _findings(tmp_path, _renamed(synth_s3.data))
    assert _LOCAL_STATE not in findings
    assert _SILENT_TOPIC not in findings
    assert _PLAIN_HTTP in findings


def test_tls_listener_clears_plain_http(tmp_path):
    settings = dataclasses.replace(
        variant_settings("synth_prod"),
        domain_name="vote.example.com",
        certificate_arn="arn:aws:acm:us-west-2:123456789012:certificate/abc",
        http_listener=False,
    )
    findings = _findings(tmp_path, _renamed(json.loads(_synth(settings).text)))
    assert _PLAIN_HTTP not in findings


def test_elasticache_with_failover_clears_single_redis_and_without_is_flagged(synth_prod, tmp_path):
    data = _renamed(synth_prod.data)
    assert _FARGATE_REDIS not in _findings(tmp_path / "a", data)
    for group in data["resource"]["aws_elasticache_replication_group"].values():
        group["automatic_failover_enabled"] = False
    assert "has no automatic failover" in _findings(tmp_path / "b", data)


def test_backup_vault_kept_out_of_destroy_or_forced_away(synth_prod_fargate, tmp_path):
    data = _renamed(synth_prod_fargate.data)
    vaults = data["resource"]["aws_backup_vault"]
    assert all(v["lifecycle"] == {"prevent_destroy": True} for v in vaults.values())
    assert _VAULT not in _findings(tmp_path / "kept", data)
    for vault in vaults.values():
        vault["force_destroy"] = True
        vault.pop("lifecycle")
    findings = _findings(tmp_path / "forced", data)
    for name in vaults:
        assert f"`aws_backup_vault.{name}` has force_destroy: destroying the stack deletes" in (
            findings
        )
