"""The task a service runs: its one container's definition and the volumes it mounts."""

from __future__ import annotations

from infra.fargate_service.props import Container, EfsVolume
from toolchain.providers import EcsTaskDefinitionVolume

# The SSM agent that ECS Exec bind-mounts into a container writes its state and logs here; with a
# read-only root filesystem these must be writable volumes or the agent stops at start.
EXEC_AGENT_PATHS = ("/managed-agents", "/var/lib/amazon/ssm", "/var/log/amazon/ssm")


def log_group_name(service_name: str) -> str:
    """The CloudWatch log group of a service's containers."""
    return f"/ecs/{service_name}"


def container_definition(
    container: Container, log_group: str, region: str, efs_volume: EfsVolume | None
) -> dict:
    """The container's definition: read-only root with `scratch_paths` (and `efs_volume`) writable,
    an init process, the open-file limit, and its logs in `log_group`."""
    mounts = [
        {"sourceVolume": _volume_name(path), "containerPath": path, "readOnly": False}
        for path in container.scratch_paths
    ]
    if efs_volume is not None:
        mounts.append(
            {
                "sourceVolume": "data",
                "containerPath": efs_volume.container_path,
                "readOnly": False,
            }
        )
    definition: dict = {
        "name": "app",
        "image": container.image,
        "essential": True,
        "readonlyRootFilesystem": True,
        "portMappings": [{"containerPort": container.port, "protocol": "tcp"}],
        "environment": [
            {"name": key, "value": value} for key, value in sorted(container.environment.items())
        ],
        "secrets": [
            {"name": key, "valueFrom": arn} for key, arn in sorted(container.secrets.items())
        ],
        "mountPoints": mounts,
        "linuxParameters": {"initProcessEnabled": True},
        "ulimits": [
            {
                "name": "nofile",
                "softLimit": container.open_files,
                "hardLimit": container.open_files,
            }
        ],
        "logConfiguration": {
            "logDriver": "awslogs",
            "options": {
                "awslogs-group": log_group,
                "awslogs-region": region,
                "awslogs-stream-prefix": "app",
            },
        },
    }
    if container.command is not None:
        definition["command"] = list(container.command)
    if container.user is not None:
        definition["user"] = container.user
    if container.health_check is not None:
        definition["healthCheck"] = {
            "command": list(container.health_check),
            "interval": 15,
            "timeout": 5,
            "retries": 3,
            "startPeriod": 20,
        }
    return definition


def volumes(container: Container, efs_volume: EfsVolume | None) -> list[EcsTaskDefinitionVolume]:
    """The task's volumes: one task-local volume per scratch path, and the EFS access point
    (TLS in transit, IAM-authorized) when `efs_volume` is set."""
    result = [EcsTaskDefinitionVolume(name=_volume_name(p)) for p in container.scratch_paths]
    if efs_volume is not None:
        result.append(
            EcsTaskDefinitionVolume(
                name="data",
                efs_volume_configuration={
                    "file_system_id": efs_volume.file_system_id,
                    "transit_encryption": "ENABLED",
                    "authorization_config": {
                        "access_point_id": efs_volume.access_point_id,
                        "iam": "ENABLED",
                    },
                },
            )
        )
    return result


def _volume_name(path: str) -> str:
    return "scratch" + path.replace("/", "-")
