"""Backups: AWS Backup copies the Redis EFS data into an encrypted vault; ElastiCache snapshots."""

import json

import pytest

from tests.helpers import assert_resource

KEY = "${aws_kms_key.encryption_key.arn}"
FILE_SYSTEM = "${aws_efs_file_system.redis_storage_file_system.arn}"


@pytest.mark.parametrize(
    ("variant", "env", "days", "force_destroy"),
    [("synth_dev", "dev", 7, True), ("synth_prod", "prod", 35, False)],
)
def test_daily_plan_keeps_backups_per_profile_in_an_encrypted_vault(
    request, variant, env, days, force_destroy
):
    synth = request.getfixturevalue(variant)
    vault = synth.resource("aws_backup_vault", "backup_vault")
    assert vault == {
        "name": f"voting-app-{env}-backups",
        "kms_key_arn": KEY,
        "force_destroy": force_destroy,
    }
    (rule,) = synth.resource("aws_backup_plan", "backup_plan")["rule"]
    assert rule["target_vault_name"] == "${aws_backup_vault.backup_vault.name}"
    assert rule["schedule"] == "cron(0 3 * * ? *)"
    assert rule["lifecycle"] == {"delete_after": days}
    assert_resource(
        synth,
        "aws_backup_selection",
        {
            "plan_id": "${aws_backup_plan.backup_plan.id}",
            "iam_role_arn": "${aws_iam_role.backup_role.arn}",
            "resources": [FILE_SYSTEM],
            "depends_on": ["aws_iam_role_policy.backup_role_policy"],
        },
    )


def test_backup_role_may_back_up_only_this_file_system_into_this_vault(synth_dev):
    role = synth_dev.resource("aws_iam_role", "backup_role")
    (trust,) = json.loads(role["assume_role_policy"])["Statement"]
    assert trust["Principal"] == {"Service": "backup.amazonaws.com"}
    statements = json.loads(
        synth_dev.resource("aws_iam_role_policy", "backup_role_policy")["policy"]
    )["Statement"]
    assert {json.dumps(s["Resource"]) for s in statements} == {
        json.dumps([FILE_SYSTEM]),
        json.dumps("${aws_backup_vault.backup_vault.arn}"),
        json.dumps(KEY),
    }
    grant = next(s for s in statements if s["Action"] == "kms:CreateGrant")
    assert grant["Condition"] == {"Bool": {"kms:GrantIsForAWSResource": "true"}}


def test_elasticache_keeps_its_own_snapshots_and_has_no_backup_plan(synth_cache, synth_three_az):
    for synth in (synth_cache, synth_three_az):
        assert not synth.resources("aws_backup_plan")
        assert not synth.resources("aws_backup_vault")
        (group,) = synth.resources("aws_elasticache_replication_group").values()
        assert group["snapshot_retention_limit"] == 7
        assert "snapshot_name" not in group


def test_elasticache_snapshot_retention_is_a_setting():
    from tests.conftest import _settings, _synth

    synth = _synth(
        _settings(
            "dev",
            redis_backend="elasticache",
            cache_snapshot_retention_days=3,
            cache_restore_snapshot="voting-app-dev-2026-12-01",
        )
    )
    (group,) = synth.resources("aws_elasticache_replication_group").values()
    assert group["snapshot_retention_limit"] == 3
    assert group["snapshot_name"] == "voting-app-dev-2026-12-01"
    assert not synth.resources("aws_backup_plan")


def test_no_backup_plan_when_retention_is_zero():
    from tests.conftest import _settings, _synth

    synth = _synth(_settings("dev", backup_retention_days=0))
    assert not synth.resources("aws_backup_plan")
    assert not synth.resources("aws_iam_role").get("backup_role")
