"""Backups: AWS Backup copies the Redis EFS data into an encrypted vault; ElastiCache snapshots."""

import json

import pytest

from tests.helpers import assert_resource

KEY = "${aws_kms_key.encryption_key.arn}"
FILE_SYSTEM = "${aws_efs_file_system.redis_storage_file_system.arn}"


VAULT_KEY = "${aws_kms_key.backup_key.arn}"


@pytest.mark.parametrize(
    ("variant", "env", "days", "vault"),
    [
        ("synth_dev", "dev", 7, {"kms_key_arn": KEY, "force_destroy": True}),
        (
            "synth_prod_fargate",
            "prod",
            35,
            {
                "kms_key_arn": VAULT_KEY,
                "force_destroy": False,
                "lifecycle": {"prevent_destroy": True},
            },
        ),
    ],
)
def test_daily_plan_keeps_backups_per_profile_in_an_encrypted_vault(
    request, variant, env, days, vault
):
    synth = request.getfixturevalue(variant)
    assert synth.resource("aws_backup_vault", "backup_vault") == {
        "name": f"voting-app-{env}-backups",
        **vault,
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
        json.dumps([KEY]),
    }
    grant = next(s for s in statements if s["Action"] == "kms:CreateGrant")
    assert grant["Condition"] == {"Bool": {"kms:GrantIsForAWSResource": "true"}}


def test_elasticache_keeps_its_own_snapshots_and_has_no_backup_plan(synth_prod, synth_three_az):
    for synth in (synth_prod, synth_three_az):
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


def test_prod_recovery_points_outlive_the_stack_key_and_deletion_protection(synth_prod_fargate):
    """The stack's key is deleted with the stack: a retained vault needs a key of its own."""
    key = synth_prod_fargate.resource("aws_kms_key", "backup_key")
    assert key["lifecycle"] == {"prevent_destroy": True}
    assert key["enable_key_rotation"] is True
    from tests.conftest import _settings, _synth

    unprotected = _synth(_settings("prod", redis_backend="fargate", deletion_protection=False))
    vault = unprotected.resource("aws_backup_vault", "backup_vault")
    assert vault["force_destroy"] is False and vault["lifecycle"] == {"prevent_destroy": True}
    assert unprotected.resource("aws_kms_key", "backup_key")["lifecycle"] == {
        "prevent_destroy": True
    }


def test_teardown_hands_the_retained_vault_and_its_key_over_instead_of_deleting_them(
    synth_prod_fargate, synth_teardown
):
    retained = {
        f"{type_}.{name}"
        for type_ in ("aws_backup_vault", "aws_kms_key")
        for name, props in synth_prod_fargate.resources(type_).items()
        if props.get("lifecycle", {}).get("prevent_destroy")
    }
    assert retained == {"aws_backup_vault.backup_vault", "aws_kms_key.backup_key"}
    removed = {block["from"]: block["lifecycle"] for block in synth_teardown.data["removed"]}
    assert removed == {address: {"destroy": False} for address in retained}
    for address in retained:
        type_, name = address.split(".")
        assert name not in synth_teardown.resources(type_), address
    # Nothing the destroy must delete is protected any more.
    for type_, resources in synth_teardown.data["resource"].items():
        for name, props in resources.items():
            assert not props.get("lifecycle", {}).get("prevent_destroy"), f"{type_}.{name}"


def test_teardown_needs_deletion_protection_off():
    from infra.settings import SettingsError
    from tests.conftest import _settings

    with pytest.raises(SettingsError, match="setting 'teardown' = True is invalid: .*"):
        _settings("prod", teardown=True)


def test_elasticache_takes_a_final_snapshot_where_backups_are_retained(synth_prod, synth_dev):
    (group,) = synth_prod.resources("aws_elasticache_replication_group").values()
    assert group["final_snapshot_identifier"] == "voting-app-prod-final"
    from tests.conftest import _settings, _synth

    dev_cache = _synth(_settings("dev", redis_backend="elasticache"))
    (group,) = dev_cache.resources("aws_elasticache_replication_group").values()
    assert "final_snapshot_identifier" not in group
