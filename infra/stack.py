"""The voting-app stack of one environment: provider, backend, composition and outputs."""

from __future__ import annotations

import os
from pathlib import Path

from infra.cache import ManagedRedis
from infra.encryption import Encryption
from infra.fargate_service import (
    Autoscaling,
    Container,
    EfsVolume,
    FargateService,
    Listener,
    LoadBalancer,
)
from infra.identity import Identity
from infra.network import Network
from infra.project import FRONTEND_DIR, PROJECT_DIR, stack_dir
from infra.providers import (
    AwsProvider,
    AwsProviderDefaultTags,
    Construct,
    EcsCluster,
    EcsClusterSetting,
    LocalBackend,
    Node,
    S3Backend,
    TerraformElement,
    TerraformOutput,
    TerraformStack,
)
from infra.registry import Registry
from infra.secrets import RedisPassword
from infra.security import REDIS, SecurityGroups
from infra.settings import Settings
from infra.storage import REDIS_GID, REDIS_UID, RedisStorage
from infra.template import literal
from infra.tls import Certificate, alias_record

# Write-only arguments (the Redis password) need Terraform 1.11.
REQUIRED_TERRAFORM = ">= 1.11.0"


class VotingStack(TerraformStack):
    """Everything one environment of the voting app needs, from VPC to public URL."""

    def __init__(self, scope: Construct, settings: Settings) -> None:
        """Build the stack `settings.stack_name` from already validated `settings`."""
        super().__init__(scope, settings.stack_name)
        self._logical_ids: dict[str, str] = {}
        s = self.settings = settings
        name = s.name_prefix

        AwsProvider(
            self,
            "aws",
            region=s.region,
            default_tags=[
                AwsProviderDefaultTags(
                    tags={
                        "project": s.project,
                        "environment": s.environment,
                        "managed-by": "cdktf",
                        **{literal(key): literal(value) for key, value in s.tags.items()},
                    }
                )
            ],
        )
        self._backend()
        self.add_override("terraform.required_version", REQUIRED_TERRAFORM)

        encryption = Encryption(self, "encryption", name=name)
        public_cidrs, private_cidrs = s.subnet_cidrs
        network = Network(
            self,
            "network",
            name=name,
            cidr=s.vpc_cidr,
            public_cidrs=public_cidrs,
            private_cidrs=private_cidrs,
            zone_names=s.zone_names,
            nat_per_az=s.nat_per_az,
            log_retention_days=s.log_retention_days,
            kms_key_arn=encryption.key_arn,
        )
        public_ports = ([80] if s.http_listener else []) + ([443] if s.tls_enabled else [])
        groups = SecurityGroups(
            self,
            "security",
            name=name,
            vpc_id=network.vpc.id,
            public_ports=public_ports,
            web_port=s.web_container_port,
            redis_backend=s.redis_backend,
        )
        fargate_redis = s.redis_backend == "fargate"
        password = RedisPassword(
            self,
            "secrets",
            name=name,
            kms_key_arn=encryption.key_arn,
            version=s.redis_password_version,
            ephemeral=fargate_redis,
        )
        storage = None
        if fargate_redis:
            storage = RedisStorage(
                self,
                "redis_storage",
                name=f"{name}-redis",
                kms_key_arn=encryption.key_arn,
                subnet_ids=network.private_subnet_ids,
                security_group_id=groups.redis_storage.id,
            )
        identity = Identity(
            self,
            "identity",
            name=name,
            partition=encryption.partition,
            region=encryption.region,
            password_parameter_arn=password.parameter_arn,
            kms_key_arn=encryption.key_arn,
            services=["web", "redis"] if fargate_redis else ["web"],
            efs_access=(storage.file_system.arn, storage.access_point.arn) if storage else None,
        )
        registry = Registry(
            self,
            "registry",
            name=f"{name}-web",
            kms_key_arn=encryption.key_arn,
            context=FRONTEND_DIR,
            stack_dir=stack_dir(s.stack_name),
            keep_tagged=s.ecr_keep_tagged,
        )
        cluster = EcsCluster(
            self,
            "cluster",
            name=name,
            setting=[EcsClusterSetting(name="containerInsights", value="enabled")],
        )
        common = {
            "region": s.region,
            "cluster_arn": cluster.arn,
            "cluster_name": cluster.name,
            "vpc_id": network.vpc.id,
            "subnet_ids": network.private_subnet_ids,
            "execution_role_arn": identity.execution_role.arn,
            "log_retention_days": s.log_retention_days,
            "kms_key_arn": encryption.key_arn,
        }

        if fargate_redis:
            redis = FargateService(
                self,
                "redis",
                name=f"{name}-redis",
                security_group_id=groups.redis_tasks.id,
                task_role_arn=identity.task_roles["redis"].arn,
                container=Container(
                    image=s.redis_image,
                    port=REDIS,
                    secrets={"REDIS_PWD": password.parameter_arn},
                    # Through a shell so the password comes from the secret, not the JSON.
                    command=[
                        "sh",
                        "-c",
                        'exec redis-server --requirepass "$REDIS_PWD" --appendonly yes --dir /data',
                    ],
                    user=f"{REDIS_UID}:{REDIS_GID}",
                    health_check=[
                        "CMD-SHELL",
                        'REDISCLI_AUTH="$REDIS_PWD" redis-cli ping | grep -q PONG',
                    ],
                    scratch_paths=(),
                ),
                cpu=s.redis_cpu,
                memory=s.redis_memory,
                desired_count=s.redis_desired_count,
                load_balancer=LoadBalancer(
                    subnet_ids=network.private_subnet_ids,
                    security_group_id=groups.redis_lb.id,
                    listeners=[Listener(REDIS)],
                    internal=True,
                    deregistration_delay=10,
                    deletion_protection=s.deletion_protection,
                ),
                efs_volume=EfsVolume(
                    file_system_id=storage.file_system.id,
                    access_point_id=storage.access_point.id,
                    container_path="/data",
                ),
                single_writer=True,
                **common,
            )
            redis_host = redis.lb.dns_name
            redis_env = {}
        else:
            cache = ManagedRedis(
                self,
                "cache",
                name=name,
                subnet_ids=network.private_subnet_ids,
                security_group_id=groups.cache.id,
                kms_key_arn=encryption.key_arn,
                auth_token=password.variable.string_value,
                node_type=s.cache_node_type,
                engine_version=s.cache_engine_version,
                failover=s.cache_failover,
                snapshot_retention_days=7 if s.cache_failover else 1,
            )
            redis_host = cache.endpoint
            redis_env = {"REDIS_TLS": "true"}

        certificate_arn = None
        if s.tls_enabled:
            certificate_arn = (
                s.certificate_arn
                or Certificate(
                    self, "tls", domain_name=s.domain_name, hosted_zone_id=s.hosted_zone_id
                ).arn
            )
        listeners = [Listener(port) for port in public_ports if port == 80]
        if certificate_arn:
            listeners.append(Listener(443, certificate_arn))

        web = FargateService(
            self,
            "web",
            name=f"{name}-web",
            security_group_id=groups.web_tasks.id,
            task_role_arn=identity.task_roles["web"].arn,
            container=Container(
                image=registry.image_uri,
                port=s.web_container_port,
                environment={
                    "REDIS": redis_host,
                    "REDIS_PORT": str(REDIS),
                    "TITLE": literal(s.app_title),
                    "VOTE1VALUE": literal(s.vote_option_1),
                    "VOTE2VALUE": literal(s.vote_option_2),
                    "RESET_ENABLED": "true" if s.reset_enabled else "false",
                    "PORT": str(s.web_container_port),
                    **redis_env,
                },
                secrets={"REDIS_PWD": password.parameter_arn},
                # The image's own HEALTHCHECK script; ECS ignores the Dockerfile's instruction.
                health_check=["CMD", "python", "/app/healthcheck.py"],
            ),
            cpu=s.web_cpu,
            memory=s.web_memory,
            desired_count=s.web_desired_count,
            load_balancer=LoadBalancer(
                subnet_ids=network.public_subnet_ids,
                security_group_id=groups.web_lb.id,
                listeners=listeners,
                internal=False,
                health_check_path="/healthz",
                deletion_protection=s.deletion_protection,
            ),
            autoscaling=Autoscaling(
                min_count=s.web_min_count, max_count=s.web_max_count, cpu_target=s.web_cpu_target
            ),
            **common,
        )
        if s.tls_enabled and s.hosted_zone_id:
            alias_record(
                self,
                "web_dns",
                hosted_zone_id=s.hosted_zone_id,
                domain_name=s.domain_name,
                lb_dns=web.lb.dns_name,
                lb_zone=web.lb.zone_id,
            )

        app_url = f"https://{s.domain_name}" if s.tls_enabled else f"http://{web.lb.dns_name}"
        outputs = {
            "app_url": (app_url, "Where voters open the app"),
            "ecr_repository_url": (registry.repository.repository_url, "Frontend image repository"),
            "image": (registry.image_uri, "Frontend image the web service runs (by digest)"),
            "cluster_name": (cluster.name, "ECS cluster of both services"),
            "redis_endpoint": (f"{redis_host}:{REDIS}", "Redis, reachable inside the VPC only"),
        }
        for output_id, (value, description) in outputs.items():
            TerraformOutput(self, output_id, value=value, description=description)

    def _backend(self) -> None:
        """Local state beside cdktf.json (a relative path), or S3 with a lock file if configured."""
        s = self.settings
        if not s.state_bucket:
            state = PROJECT_DIR / f"terraform.{s.stack_name}.tfstate"
            relative = os.path.relpath(state, stack_dir(s.stack_name))
            LocalBackend(self, path=Path(relative).as_posix())
            return
        S3Backend(
            self,
            bucket=s.state_bucket,
            key=f"{s.state_key_prefix}/{s.stack_name}.tfstate",
            region=s.state_region or s.region,
            encrypt=True,
        )
        # Native S3 locking (Terraform >= 1.10); cdktf 0.21's S3Backend has no field for it.
        self.add_override("terraform.backend.s3.use_lockfile", True)

    def _allocate_logical_id(self, tf_element: Node | TerraformElement) -> str:
        """Name resources after their construct path (`web/service` -> `web_service`).

        cdktf's default appends a hash to every nested id, which makes plans hard to read.
        Paths are unique in the tree; the check below keeps the joined ids unique too.
        """
        node = getattr(tf_element, "node", tf_element)
        path = node.path.split("/", 1)[1]
        logical_id = path.replace("/", "_").replace("-", "_")
        owner = self._logical_ids.setdefault(logical_id, path)
        if owner != path:
            raise ValueError(f"'{path}' and '{owner}' would both be named {logical_id}")
        return logical_id
