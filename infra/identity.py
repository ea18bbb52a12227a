"""Identity: the task execution role and one task role per service, each with the least it needs."""

from __future__ import annotations

from infra.policies import assume_role_policy, policy
from infra.providers import Construct, IamRole, IamRolePolicy, IamRolePolicyAttachment

ECS_TASKS = "ecs-tasks.amazonaws.com"


class Identity(Construct):
    """Roles for the ECS tasks.

    The execution role (used by ECS, not by the app) pulls images, writes logs and reads exactly
    one secret: the Redis password parameter. Each service's task role (what the app's own AWS
    calls would use) has nothing attached, except the Redis task's right to mount its EFS
    access point when the Fargate backend keeps data there.
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        name: str,
        partition: str,
        region: str,
        password_parameter_arn: str,
        kms_key_arn: str,
        services: list[str],
    ) -> None:
        """Create the roles; `services` names the services that get a task role (["web", ...])."""
        super().__init__(scope, id)
        self.execution_role = IamRole(
            self,
            "execution",
            name=f"{name}-execution",
            description="ECS agent: pull images, write logs, read the Redis password",
            assume_role_policy=assume_role_policy(ECS_TASKS),
        )
        managed = IamRolePolicyAttachment(
            self,
            "execution_managed",
            role=self.execution_role.name,
            policy_arn=f"arn:{partition}:iam::aws:policy/service-role/"
            "AmazonECSTaskExecutionRolePolicy",
        )
        secret = IamRolePolicy(
            self,
            "execution_secret",
            name="read-redis-password",
            role=self.execution_role.id,
            policy=policy(
                {"Action": "ssm:GetParameters", "Resource": password_parameter_arn},
                {
                    "Action": "kms:Decrypt",
                    "Resource": kms_key_arn,
                    "Condition": {
                        "StringEquals": {"kms:ViaService": f"ssm.{region}.amazonaws.com"}
                    },
                },
            ),
        )

        self.execution_grants: list[IamRolePolicy | IamRolePolicyAttachment] = [managed, secret]

        self.task_roles: dict[str, IamRole] = {}
        for service in services:
            self.task_roles[service] = IamRole(
                self,
                f"{service}_task",
                name=f"{name}-{service}-task",
                description=f"{service} containers: no AWS permissions unless listed here",
                assume_role_policy=assume_role_policy(ECS_TASKS),
            )

    def allow_efs_mount(
        self, service: str, file_system_arn: str, access_point_arn: str
    ) -> IamRolePolicy:
        """Let `service`'s task role mount one EFS access point read-write, over TLS only."""
        return IamRolePolicy(
            self,
            f"{service}_task_storage",
            name=f"mount-{service}-data",
            role=self.task_roles[service].id,
            policy=policy(
                {
                    "Action": [
                        "elasticfilesystem:ClientMount",
                        "elasticfilesystem:ClientWrite",
                    ],
                    "Resource": file_system_arn,
                    "Condition": {
                        "StringEquals": {"elasticfilesystem:AccessPointArn": access_point_arn},
                        "Bool": {"aws:SecureTransport": "true"},
                    },
                }
            ),
        )
