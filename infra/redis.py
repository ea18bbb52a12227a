"""Where the votes live: Redis as a Fargate task on EFS, or ElastiCache, behind one interface."""

from __future__ import annotations

from typing import Protocol

from infra.cache import MAXMEMORY_POLICY, ManagedRedis
from infra.endpoint import RedisEndpoint
from infra.fargate_service import (
    Container,
    EfsVolume,
    FargateService,
    Listener,
    LoadBalancer,
    ServiceBase,
)
from infra.identity import Identity
from infra.network import Network
from infra.secrets import PreviousRedisPassword, RedisPassword
from infra.security import REDIS, SecurityGroups
from infra.settings import Settings
from infra.storage import REDIS_GID, REDIS_UID, RedisStorage
from toolchain.providers import Construct, TerraformResource


class RedisBackend(Protocol):
    """What the rest of the stack needs from either backend."""

    endpoint: RedisEndpoint
    ready: list[TerraformResource]
    """What clients wait for: Terraform changes Redis (a new password included) and waits for
    it to be steady before it starts their new tasks."""
    file_system_arns: list[str]
    """What AWS Backup must copy (ElastiCache keeps snapshots of its own instead)."""


def redis_backend(
    scope: Construct,
    *,
    settings: Settings,
    network: Network,
    groups: SecurityGroups,
    password: RedisPassword,
    previous_password: PreviousRedisPassword | None,
    identity: Identity,
    kms_key_arn: str,
    base: ServiceBase,
    image_uri: str,
) -> RedisBackend:
    """The backend `settings.redis_backend` names: `fargate` (id "redis") or `elasticache`.

    `image_uri` is the Redis image the Fargate backend runs (`settings.redis_image`, pulled
    through the account's cache)."""
    if settings.redis_backend == "elasticache":
        return ManagedRedis(
            scope,
            "cache",
            name=settings.name_prefix,
            subnet_ids=network.private_subnet_ids,
            security_group_id=groups.cache.id,
            kms_key_arn=kms_key_arn,
            auth_token=password.variable.string_value,
            rotating=settings.redis_password_rotating,
            node_type=settings.cache_node_type,
            engine_version=settings.cache_engine_version,
            failover=settings.cache_failover,
            snapshot_retention_days=settings.cache_snapshot_retention_days,
            restore_snapshot=settings.cache_restore_snapshot,
            protect=settings.deletion_protection,
            final_snapshot=settings.retain_backups,
        )
    return FargateRedis(
        scope,
        "redis",
        settings=settings,
        network=network,
        groups=groups,
        password=password,
        previous_password=previous_password,
        identity=identity,
        kms_key_arn=kms_key_arn,
        base=base,
        image_uri=image_uri,
    )


#: Share of the task's memory Redis may fill with data (maxmemory): the rest is headroom for
#: the AOF rewrite's fork (copy-on-write pages while votes keep coming), client buffers and
#: the allocator's fragmentation, so the task is never OOM-killed.
MAXMEMORY_SHARE = 0.6


def server_command(*, rotating: bool, memory_mib: int) -> list[str]:
    """redis-server's command: the `default` user with the password(s) from the secrets, the
    append-only file on /data, and memory bounded for a task of `memory_mib`.

    Through a shell so the values come from the container's environment, never the task
    definition. While `rotating`, the previous password is accepted too.
    """
    passwords = '">$REDIS_PWD"' + (' ">$REDIS_PWD_PREVIOUS"' if rotating else "")
    return [
        "sh",
        "-c",
        f'exec redis-server --user default on {passwords} "~*" "&*" "+@all" '
        "--appendonly yes --dir /data"
        f" --maxmemory {int(memory_mib * MAXMEMORY_SHARE)}mb"
        f" --maxmemory-policy {MAXMEMORY_POLICY}",
    ]


class FargateRedis(FargateService):
    """redis-server as a single-writer Fargate service behind an internal NLB, data on EFS.

    Its EFS file system is a sibling construct (`<id>_storage`) because the task definition
    needs it before this service exists. The password comes from the SSM secret through a shell,
    so it is never in the task definition's JSON.
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        settings: Settings,
        network: Network,
        groups: SecurityGroups,
        password: RedisPassword,
        previous_password: PreviousRedisPassword | None,
        identity: Identity,
        kms_key_arn: str,
        base: ServiceBase,
        image_uri: str,
    ) -> None:
        """Create the storage, then the service `<name_prefix>-redis` running `image_uri`;
        `previous_password`
        (None outside a rotation) is accepted beside `password`."""
        name = f"{settings.name_prefix}-redis"
        self.storage = RedisStorage(
            scope,
            f"{id}_storage",
            name=name,
            kms_key_arn=kms_key_arn,
            subnet_ids=network.private_subnet_ids,
            security_group_id=groups.redis_storage.id,
            protect=settings.deletion_protection,
        )
        mount_grant = identity.allow_efs_mount(
            "redis", self.storage.file_system.arn, self.storage.access_point.arn
        )
        super().__init__(
            scope,
            id,
            base=base,
            name=name,
            security_group_id=groups.redis_tasks.id,
            task_role_arn=identity.task_roles["redis"].arn,
            container=Container(
                image=image_uri,
                port=REDIS,
                # ECS reads secrets only when a task starts: a new version starts new tasks.
                environment={"REDIS_ROTATION": str(settings.redis_password_version)},
                secrets={"REDIS_PWD": password.parameter_arn}
                | (
                    {"REDIS_PWD_PREVIOUS": previous_password.parameter_arn}
                    if previous_password
                    else {}
                ),
                command=server_command(
                    rotating=previous_password is not None, memory_mib=settings.redis_memory
                ),
                user=f"{REDIS_UID}:{REDIS_GID}",
                health_check=[
                    "CMD-SHELL",
                    'REDISCLI_AUTH="$REDIS_PWD" redis-cli ping | grep -q PONG',
                ],
                scratch_paths=(),
            ),
            cpu=settings.redis_cpu,
            memory=settings.redis_memory,
            desired_count=settings.redis_desired_count,
            load_balancer=LoadBalancer(
                subnet_ids=network.private_subnet_ids,
                security_group_id=groups.redis_lb.id,
                listeners=[Listener(REDIS)],
                internal=True,
                deregistration_delay=10,
                deletion_protection=settings.deletion_protection,
            ),
            efs_volume=EfsVolume(
                file_system_id=self.storage.file_system.id,
                access_point_id=self.storage.access_point.id,
                container_path="/data",
            ),
            single_writer=True,
            # A task mounts /data through a mount target in its subnet, with its role's grant.
            depends_on=[*self.storage.mount_targets, mount_grant, *identity.task_grants["redis"]],
        )
        self.endpoint = RedisEndpoint(host=self.lb.dns_name)
        self.ready: list[TerraformResource] = [self.service]
        self.file_system_arns = [self.storage.file_system.arn]
