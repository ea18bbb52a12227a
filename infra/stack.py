"""The voting-app stack of one environment: provider, backend, composition and outputs."""

from __future__ import annotations

import os
from pathlib import Path

from infra.backup import Backups, hand_over
from infra.dashboard import Dashboard
from infra.debug_access import DebugAccess
from infra.encryption import Encryption
from infra.fargate_service import ServiceBase, log_group_name
from infra.identity import Identity
from infra.monitoring import Monitoring, alarm_topic_name
from infra.naming import ReadableStack
from infra.network import Network
from infra.redis import redis_backend
from infra.registry import PullThroughCache, Registry
from infra.secrets import PreviousRedisPassword, RedisPassword, ResetToken, VoteTokenKey
from infra.security import SecurityGroups
from infra.settings import Settings
from infra.template import literal
from infra.tls import Certificate, alias_record
from infra.vpc_endpoints import VpcEndpoints
from infra.web import WebFrontend
from toolchain.project import FRONTEND_DIR, PROJECT_DIR, stack_dir
from toolchain.providers import (
    AwsProvider,
    AwsProviderDefaultTags,
    Construct,
    EcsCluster,
    EcsClusterSetting,
    LocalBackend,
    S3Backend,
    TerraformOutput,
)

# Write-only arguments (the Redis password) need Terraform 1.11.
REQUIRED_TERRAFORM = ">= 1.11.0"


class VotingStack(ReadableStack):
    """Everything one environment of the voting app needs, from VPC to public URL.

    Reads like the architecture: internet -> web NLB -> web tasks -> Redis (a Fargate task on
    EFS, or ElastiCache), in a private network, with one KMS key, least-privilege roles and the
    Redis password kept in SSM.
    """

    def __init__(self, scope: Construct, settings: Settings) -> None:
        """Build the stack `settings.stack_name` from already validated `settings`."""
        super().__init__(scope, settings.stack_name)
        s = self.settings = settings
        # Where Terraform will run: the build context and state paths are relative to it.
        self.directory = stack_dir(self.node.root.outdir, s.stack_name)
        name = s.name_prefix
        self._provider()
        self._backend()
        self.add_override("terraform.required_version", REQUIRED_TERRAFORM)

        encryption = Encryption(self, "encryption", name=name, alarm_topic=alarm_topic_name(name))
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
            account=encryption.account,
        )
        groups = SecurityGroups(
            self,
            "security",
            name=name,
            vpc_id=network.vpc.id,
            public_ports=([80] if s.http_listener else []) + ([443] if s.tls_enabled else []),
            web_port=s.web_container_port,
            redis_backend=s.redis_backend,
            vpc_endpoints=s.vpc_endpoints,
            public_cidrs=s.public_cidrs,
        )
        endpoints = (
            VpcEndpoints(
                self,
                "endpoints",
                name=name,
                region=s.region,
                vpc_id=network.vpc.id,
                subnet_ids=network.private_subnet_ids,
                route_table_ids=network.private_route_table_ids,
                groups=groups,
                # ECS Exec sessions: the agent's channels, and the session key's decryption.
                extra_services=("ssmmessages", "kms") if s.ecs_exec else (),
            )
            if s.vpc_endpoints
            else None
        )
        password = RedisPassword(
            self,
            "secrets",
            name=name,
            kms_key_arn=encryption.key_arn,
            version=s.redis_password_version,
            # ElastiCache's auth_token is an ordinary argument: it must read the value.
            ephemeral=s.redis_backend == "fargate",
        )
        # During a rotation the Fargate Redis also accepts the old password (ElastiCache keeps
        # it by itself under the ROTATE strategy).
        previous_password = (
            PreviousRedisPassword(
                self,
                "previous_password",
                name=name,
                kms_key_arn=encryption.key_arn,
                version=s.redis_password_version,
            )
            if s.redis_password_rotating and s.redis_backend == "fargate"
            else None
        )
        vote_token_key = VoteTokenKey(
            self, "vote_token_key", name=name, kms_key_arn=encryption.key_arn
        )
        reset_token = (
            ResetToken(
                self,
                "reset_token",
                name=name,
                kms_key_arn=encryption.key_arn,
                version=s.reset_token_version,
            )
            if s.reset_enabled
            else None
        )
        registry = Registry(
            self,
            "registry",
            name=f"{name}-web",
            kms_key_arn=encryption.key_arn,
            context=FRONTEND_DIR,
            stack_dir=self.directory,
            keep_tagged=s.ecr_keep_tagged,
            # A stack without deletion protection (dev) must destroy cleanly, images included.
            force_delete=not s.deletion_protection,
        )
        services = ["web", "redis"] if s.redis_backend == "fargate" else ["web"]
        redis_images = (
            PullThroughCache(self, "redis_image", name=name, account=encryption.account)
            if s.redis_backend == "fargate"
            else None
        )
        debug = (
            DebugAccess(
                self,
                "exec",
                name=name,
                account=encryption.account,
                kms_key_arn=encryption.key_arn,
                log_retention_days=s.log_retention_days,
            )
            if s.ecs_exec
            else None
        )
        identity = Identity(
            self,
            "identity",
            name=name,
            account=encryption.account,
            secret_parameter_arns=[
                secret.parameter_arn
                for secret in (password, previous_password, vote_token_key, reset_token)
                if secret is not None
            ],
            kms_key_arn=encryption.key_arn,
            repository_arn=registry.repository.arn,
            cached_repository_arns=[redis_images.repository_arn(s.redis_image)]
            if redis_images
            else [],
            log_group_arns=[
                encryption.account.arn("logs", f"log-group:{log_group_name(f'{name}-{service}')}")
                for service in services
            ],
            services=services,
            exec_log_group_arn=debug.log_group_arn if debug else None,
        )
        cluster = EcsCluster(
            self,
            "cluster",
            name=name,
            setting=[EcsClusterSetting(name="containerInsights", value="enabled")],
            configuration=debug.cluster_configuration if debug else None,
        )
        base = ServiceBase(
            region=s.region,
            cluster_arn=cluster.arn,
            cluster_name=cluster.name,
            vpc_id=network.vpc.id,
            subnet_ids=network.private_subnet_ids,
            execution_role_arn=identity.execution_role.arn,
            execution_grants=identity.execution_grants,
            network_paths=[*network.egress_routes, *(endpoints.all if endpoints else [])],
            log_retention_days=s.log_retention_days,
            kms_key_arn=encryption.key_arn,
            execute_command=s.ecs_exec,
        )
        redis = redis_backend(
            self,
            settings=s,
            network=network,
            groups=groups,
            password=password,
            previous_password=previous_password,
            identity=identity,
            kms_key_arn=encryption.key_arn,
            base=base,
            image_uri=redis_images.image_uri(s.redis_image) if redis_images else "",
        )
        web = WebFrontend(
            self,
            "web",
            settings=s,
            network=network,
            groups=groups,
            password=password,
            vote_token_key=vote_token_key,
            reset_token=reset_token,
            identity=identity,
            image_uri=registry.image_uri,
            redis=redis.endpoint,
            redis_ready=redis.ready,
            certificate_arn=self._certificate_arn(),
            base=base,
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

        if redis.file_system_arns and s.backup_retention_days:
            if s.teardown and s.retain_backups:
                hand_over(self, "backup")
            else:
                Backups(
                    self,
                    "backup",
                    name=name,
                    kms_key_arn=encryption.key_arn,
                    file_system_arns=redis.file_system_arns,
                    retention_days=s.backup_retention_days,
                    # Neither protected nor retained (dev): `destroy` removes the recovery
                    # points too.
                    force_destroy=not (s.deletion_protection or s.retain_backups),
                    retain=s.retain_backups,
                    account=encryption.account,
                )
        monitoring = Monitoring(
            self,
            "monitoring",
            settings=s,
            account=encryption.account,
            kms_key_arn=encryption.key_arn,
            cluster_name=cluster.name,
            web=web,
            redis=redis,
        )
        Dashboard(
            self,
            "dashboard",
            name=name,
            region=s.region,
            cluster_name=cluster.name,
            web=web,
            redis=redis,
            monitoring=monitoring,
        )

        app_url = f"https://{s.domain_name}" if s.tls_enabled else f"http://{web.lb.dns_name}"
        outputs = {
            "app_url": (app_url, "Where voters open the app"),
            "ecr_repository_url": (registry.repository.repository_url, "Frontend image repository"),
            "image": (registry.image_uri, "Frontend image the web service runs (by digest)"),
            "cluster_name": (cluster.name, "ECS cluster of both services"),
            "redis_endpoint": (
                f"{redis.endpoint.host}:{redis.endpoint.port}",
                "Redis, reachable inside the VPC only",
            ),
        }
        for output_id, (value, description) in outputs.items():
            TerraformOutput(self, output_id, value=value, description=description)

    def _provider(self) -> None:
        """The AWS provider of the stack's region, tagging every resource."""
        s = self.settings
        tags = {"project": s.project, "environment": s.environment, "managed-by": "cdktf"}
        tags |= {literal(key): literal(value) for key, value in s.tags.items()}
        AwsProvider(self, "aws", region=s.region, default_tags=[AwsProviderDefaultTags(tags=tags)])

    def _certificate_arn(self) -> str | None:
        """The web NLB's certificate: the configured one, or a new DNS-validated one."""
        s = self.settings
        if not s.tls_enabled:
            return None
        if s.certificate_arn:
            return s.certificate_arn
        return Certificate(
            self, "tls", domain_name=s.domain_name, hosted_zone_id=s.hosted_zone_id
        ).arn

    def _backend(self) -> None:
        """Local state beside cdktf.json (a relative path), or S3 with a lock file if configured."""
        s = self.settings
        if not s.state_bucket:
            state = PROJECT_DIR / f"terraform.{s.stack_name}.tfstate"
            relative = os.path.relpath(state, self.directory)
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
