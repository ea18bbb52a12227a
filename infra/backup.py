"""Backups: an AWS Backup plan that copies the Redis data on EFS daily into an encrypted vault."""

from __future__ import annotations

from collections.abc import Sequence

from infra.policies import assume_role_policy, policy
from infra.providers import (
    BackupPlan,
    BackupPlanRule,
    BackupSelection,
    BackupVault,
    Construct,
    IamRole,
    IamRolePolicy,
)

BACKUP_SERVICE = "backup.amazonaws.com"
# 03:00 UTC daily, a quiet hour for a voting page; AWS starts the job within the hour.
SCHEDULE = "cron(0 3 * * ? *)"


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
    ) -> None:
        """Create the vault `<name>-backups`, the plan `<name>-daily` and its selection.

        `force_destroy` (default False) lets `destroy` delete the vault with its recovery
        points; without it a vault that holds any refuses to go, which is how prod keeps them.
        """
        super().__init__(scope, id)
        if not file_system_arns:
            raise ValueError("file_system_arns must name at least one file system")
        if retention_days < 1:
            raise ValueError("retention_days must be 1 or more")
        self.vault = BackupVault(
            self,
            "vault",
            name=f"{name}-backups",
            kms_key_arn=kms_key_arn,
            force_destroy=force_destroy,
        )
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
                {"Action": ["kms:DescribeKey", "kms:Decrypt"], "Resource": kms_key_arn},
                {
                    "Action": "kms:CreateGrant",
                    "Resource": kms_key_arn,
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
