"""Backups: an AWS Backup plan that copies the Redis data on EFS daily into an encrypted vault."""

from __future__ import annotations

import json
from collections.abc import Sequence

from infra.policies import Account, assume_role_policy, policy
from toolchain.providers import (
    BackupPlan,
    BackupPlanRule,
    BackupSelection,
    BackupVault,
    Construct,
    IamRole,
    IamRolePolicy,
    KmsKey,
    TerraformStack,
)

BACKUP_SERVICE = "backup.amazonaws.com"
# 03:00 UTC daily, a quiet hour for a voting page; AWS starts the job within the hour.
SCHEDULE = "cron(0 3 * * ? *)"


# The ids of what a retained vault keeps beyond the stack, inside the `Backups` construct.
_VAULT, _VAULT_KEY = "vault", "key"


class Backups(Construct):
    """A KMS-encrypted vault, a daily plan keeping each recovery point `retention_days`, and a
    selection of the EFS file systems to back up, run by a role that may back up only those.
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        name: str,
        kms_key_arn: str,
        file_system_arns: Sequence[str],
        retention_days: int,
        force_destroy: bool = False,
        retain: bool = False,
        account: Account | None = None,
    ) -> None:
        """Create the vault `<name>-backups`, the plan `<name>-daily` and its selection.

        `force_destroy` (default False) lets `destroy` delete the vault with its recovery
        points; without it a vault that holds any refuses to go. `retain` (default False) keeps
        the recovery points beyond the stack: the vault is encrypted with a key of its own
        (`kms_key_arn`, the stack's, is deleted with the stack; `account` administers the new
        one) and Terraform refuses to destroy either; `hand_over` ends that at teardown.
        """
        super().__init__(scope, id)
        if not file_system_arns:
            raise ValueError("file_system_arns must name at least one file system")
        if retention_days < 1:
            raise ValueError("retention_days must be 1 or more")
        if retain and (force_destroy or account is None):
            raise ValueError("retain needs an account and excludes force_destroy")
        keep = {"prevent_destroy": True} if retain else None
        vault_key_arn = kms_key_arn
        if retain:
            vault_key_arn = KmsKey(
                self,
                _VAULT_KEY,
                description=f"{name}: backups, kept when the stack is destroyed",
                enable_key_rotation=True,
                deletion_window_in_days=30,
                # IAM policies of the account grant its use (AWS Backup's role, restores).
                policy=json.dumps(
                    {
                        "Version": "2012-10-17",
                        "Statement": [
                            {
                                "Sid": "AccountAdministersAndDelegatesThroughIam",
                                "Effect": "Allow",
                                "Principal": {
                                    "AWS": f"arn:{account.partition}:iam::{account.id}:root"
                                },
                                "Action": "kms:*",
                                "Resource": "*",
                            }
                        ],
                    }
                ),
                lifecycle=keep,
            ).arn
        self.vault = BackupVault(
            self,
            _VAULT,
            name=f"{name}-backups",
            kms_key_arn=vault_key_arn,
            force_destroy=force_destroy,
            lifecycle=keep,
        )
        keys = list(dict.fromkeys([kms_key_arn, vault_key_arn]))
        self.plan = BackupPlan(
            self,
            "plan",
            name=f"{name}-daily",
            rule=[
                BackupPlanRule(
                    rule_name="daily",
                    target_vault_name=self.vault.name,
                    schedule=SCHEDULE,
                    start_window=60,
                    completion_window=180,
                    lifecycle={"delete_after": retention_days},
                )
            ],
        )
        # AWS Backup's documentation shows no source condition for its service role's trust.
        role = IamRole(
            self,
            "role",
            name=f"{name}-backup",
            description="AWS Backup: back up the Redis EFS file system into this stack's vault",
            assume_role_policy=assume_role_policy(BACKUP_SERVICE),
        )
        grant = IamRolePolicy(
            self,
            "role_policy",
            name="back-up-redis-data",
            role=role.id,
            policy=policy(
                {
                    "Action": ["elasticfilesystem:Backup", "elasticfilesystem:DescribeTags"],
                    "Resource": list(file_system_arns),
                },
                {
                    "Action": ["backup:DescribeBackupVault", "backup:CopyIntoBackupVault"],
                    "Resource": self.vault.arn,
                },
                # Reading the encrypted file system and writing the vault: AWS Backup works
                # through grants on the stack key, for AWS resources only.
                {"Action": ["kms:DescribeKey", "kms:Decrypt"], "Resource": keys},
                {
                    "Action": "kms:CreateGrant",
                    "Resource": keys,
                    "Condition": {"Bool": {"kms:GrantIsForAWSResource": "true"}},
                },
            ),
        )
        BackupSelection(
            self,
            "selection",
            name=f"{name}-redis-data",
            plan_id=self.plan.id,
            iam_role_arn=role.arn,
            resources=list(file_system_arns),
            # A job that starts before the role's policy exists fails until the next day.
            depends_on=[grant],
        )


def hand_over(stack: TerraformStack, id: str) -> None:
    """Teardown of a stack whose `Backups` (construct `id`) retained its vault: Terraform
    forgets the vault and its key (a `removed` block, Terraform 1.7+) instead of deleting
    them, so the recovery points and the key that reads them stay in the account."""
    stack.add_override(
        "removed",
        [
            {"from": f"{type_}.{id}_{child}", "lifecycle": {"destroy": False}}
            for type_, child in (("aws_backup_vault", _VAULT), ("aws_kms_key", _VAULT_KEY))
        ],
    )
