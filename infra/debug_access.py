"""Debugging access: ECS Exec sessions into the tasks, logged and encrypted (off by default)."""

from __future__ import annotations

from infra.fargate_service import log_group_name
from infra.policies import Account
from toolchain.providers import CloudwatchLogGroup, Construct

# What the SSM agent in a task calls to open a session (no resource-level permissions exist).
SSM_MESSAGES_ACTIONS = (
    "ssmmessages:CreateControlChannel",
    "ssmmessages:CreateDataChannel",
    "ssmmessages:OpenControlChannel",
    "ssmmessages:OpenDataChannel",
)


class DebugAccess(Construct):
    """The log group every ECS Exec session of the cluster is recorded in, and the cluster
    configuration that encrypts sessions with the stack key and sends their output there."""

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        name: str,
        account: Account,
        kms_key_arn: str,
        log_retention_days: int,
    ) -> None:
        """Create the log group `/ecs/<name>-exec`, kept and encrypted like the services' logs."""
        super().__init__(scope, id)
        self.log_group = CloudwatchLogGroup(
            self,
            "logs",
            name=log_group_name(f"{name}-exec"),
            retention_in_days=log_retention_days,
            kms_key_id=kms_key_arn,
        )
        self.log_group_arn = account.arn("logs", f"log-group:{log_group_name(f'{name}-exec')}")
        self.cluster_configuration = {
            "execute_command_configuration": {
                "kms_key_id": kms_key_arn,
                "logging": "OVERRIDE",
                "log_configuration": {
                    "cloud_watch_log_group_name": self.log_group.name,
                    "cloud_watch_encryption_enabled": True,
                },
            }
        }
