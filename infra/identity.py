"""Identity: the task execution role and one task role per service, each with the least it needs."""

from __future__ import annotations

from infra.debug_access import SSM_MESSAGES_ACTIONS
from infra.policies import Account, assume_role_policy, policy
from toolchain.providers import Construct, IamRole, IamRolePolicy

ECS_TASKS = "ecs-tasks.amazonaws.com"


class Identity(Construct):
    """Roles for the ECS tasks.

    The execution role (used by ECS, not by the app) pulls images from this stack's repository,
    writes to its services' log groups and reads exactly the stack's secrets (the Redis
    password, and the reset token where reset is on). Each service's task role (what the app's
    own AWS calls would use) has nothing attached, except the Redis task's right to mount its
    EFS access point when the Fargate backend keeps data there; ECS may assume it only for
    tasks of this account.
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        name: str,
        account: Account,
        secret_parameter_arns: list[str],
        kms_key_arn: str,
        repository_arn: str | None = None,
        cached_repository_arns: list[str] | None = None,
        log_group_arns: list[str],
        services: list[str],
        exec_log_group_arn: str | None = None,
    ) -> None:
        """Create the roles; `services` names the services that get a task role (["web", ...]).

        `log_group_arns` are the services' log groups, which the execution role writes for the
        awslogs driver. It pulls from `repository_arn` (default None), the repository of a built
        image, and `cached_repository_arns` (default none), the pull-through cache's
        repositories, which the first pull creates and fills: name at least one.
        `secret_parameter_arns` (may be empty) are the SSM parameters it reads into containers.
        `exec_log_group_arn` (default None: ECS Exec off) lets every task role open ECS Exec
        sessions, recorded in that log group and encrypted with `kms_key_arn`.
        """
        super().__init__(scope, id)
        cached = list(cached_repository_arns or ())
        pulled = [arn for arn in (repository_arn, *cached) if arn is not None]
        if not pulled:
            raise ValueError("name the repository_arn or cached_repository_arns to pull from")
        # No source condition here: AWS documents aws:SourceAccount/SourceArn for task roles;
        # whether ECS sends them when it assumes the execution role is not documented, and a
        # condition it does not meet would stop every task from starting.
        self.execution_role = IamRole(
            self,
            "execution",
            name=f"{name}-execution",
            description="ECS agent: pull images, write logs, read the stack's secrets",
            assume_role_policy=assume_role_policy(ECS_TASKS),
        )
        pull_and_log = IamRolePolicy(
            self,
            "execution_pull_and_log",
            name="pull-image-write-logs",
            role=self.execution_role.id,
            policy=policy(
                {
                    "Action": [
                        "ecr:BatchCheckLayerAvailability",
                        "ecr:BatchGetImage",
                        "ecr:GetDownloadUrlForLayer",
                    ],
                    "Resource": pulled[0] if len(pulled) == 1 else pulled,
                },
                *(
                    # A pull-through cache's first pull creates its repository and imports
                    # the image, as the pulling principal.
                    {
                        "Action": ["ecr:BatchImportUpstreamImage", "ecr:CreateRepository"],
                        "Resource": arn,
                    }
                    for arn in cached
                ),
                # AWS offers no resource-level permission for this action: "*" is its only form.
                {"Action": "ecr:GetAuthorizationToken", "Resource": "*"},
                {
                    "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                    "Resource": [f"{arn}:*" for arn in log_group_arns],
                },
            ),
        )
        self.execution_grants: list[IamRolePolicy] = [pull_and_log]
        if secret_parameter_arns:
            secret = IamRolePolicy(
                self,
                "execution_secret",
                name="read-secrets",
                role=self.execution_role.id,
                policy=policy(
                    {"Action": "ssm:GetParameters", "Resource": secret_parameter_arns},
                    {
                        "Action": "kms:Decrypt",
                        "Resource": kms_key_arn,
                        "Condition": {
                            "StringEquals": {
                                "kms:ViaService": f"ssm.{account.region}.amazonaws.com"
                            }
                        },
                    },
                ),
            )
            self.execution_grants.append(secret)

        self.task_roles: dict[str, IamRole] = {}
        for service in services:
            self.task_roles[service] = IamRole(
                self,
                f"{service}_task",
                name=f"{name}-{service}-task",
                description=f"{service} containers: no AWS permissions unless listed here",
                assume_role_policy=assume_role_policy(
                    ECS_TASKS, source_arn=account.arn("ecs", "*"), account=account.id
                ),
            )
        # What each task role holds, by service: its services wait for these to be attached.
        self.task_grants: dict[str, list[IamRolePolicy]] = {service: [] for service in services}
        if exec_log_group_arn is not None:
            for service in services:
                self.task_grants[service].append(
                    self._allow_exec(service, account, exec_log_group_arn, kms_key_arn)
                )

    def _allow_exec(
        self, service: str, account: Account, log_group_arn: str, kms_key_arn: str
    ) -> IamRolePolicy:
        """ECS Exec: the SSM agent's channels, writing the session log, decrypting the session."""
        return IamRolePolicy(
            self,
            f"{service}_task_exec",
            name="ecs-exec-sessions",
            role=self.task_roles[service].id,
            policy=policy(
                # AWS offers no resource-level permission for these: "*" is their only form.
                {"Action": list(SSM_MESSAGES_ACTIONS), "Resource": "*"},
                {
                    "Action": "logs:DescribeLogGroups",
                    "Resource": account.arn("logs", "log-group:*"),
                },
                {
                    "Action": [
                        "logs:CreateLogStream",
                        "logs:DescribeLogStreams",
                        "logs:PutLogEvents",
                    ],
                    "Resource": f"{log_group_arn}:*",
                },
                {"Action": "kms:Decrypt", "Resource": kms_key_arn},
            ),
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
