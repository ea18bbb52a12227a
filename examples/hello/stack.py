"""Another app on the same constructs: a public web server (nginx's official image, from ECR
Public through the account's pull-through cache) in the voting app's network, behind an
internet-facing NLB.

What it reuses: `ReadableStack` (readable addresses), `Encryption` (the KMS key), `Network`
(VPC, subnets per AZ, NAT, flow logs), `SecurityGroups` (the NLB's and the tasks', without
Redis's), `PullThroughCache`, `Identity` (execution role and task role, no secrets), and
`FargateService` with its load balancer. What it leaves out, by not building it: Redis, the
registry and image build, secrets, alarms and backups.
"""

from __future__ import annotations

from infra.encryption import Encryption
from infra.fargate_service import (
    Container,
    FargateService,
    Listener,
    LoadBalancer,
    ServiceBase,
    log_group_name,
)
from infra.identity import Identity
from infra.naming import ReadableStack
from infra.network import Network
from infra.registry import PullThroughCache
from infra.security import SecurityGroups
from toolchain.providers import (
    AwsProvider,
    Construct,
    EcsCluster,
    TerraformOutput,
)

NAME = "hello-dev"
REGION = "eu-west-1"
# nginx 1.27.5, pinned by digest. Its master process starts as root to bind port 80 and runs
# the workers as the `nginx` user: an image choice of this example, not a default to copy.
IMAGE = (
    "docker/library/nginx:1.27-alpine"
    "@sha256:65645c7bb6a0661892a8b03b89d0743208a18dd2f3f17a54ef4b76fb8e2f2a10"
)
PORT = 80


class HelloStack(ReadableStack):
    """One environment of the example app."""

    def __init__(self, scope: Construct, id: str = NAME) -> None:
        super().__init__(scope, id)
        AwsProvider(self, "aws", region=REGION)
        encryption = Encryption(self, "encryption", name=NAME)
        network = Network(
            self,
            "network",
            name=NAME,
            cidr="10.20.0.0/16",
            public_cidrs=["10.20.0.0/19", "10.20.32.0/19"],
            private_cidrs=["10.20.128.0/19", "10.20.160.0/19"],
            zone_names=[f"{REGION}a", f"{REGION}b"],
            log_retention_days=30,
            kms_key_arn=encryption.key_arn,
            account=encryption.account,
        )
        groups = SecurityGroups(
            self,
            "security",
            name=NAME,
            vpc_id=network.vpc.id,
            public_ports=[80],
            web_port=PORT,
            # No Redis: no Redis groups. Image pulls and logs leave through NAT on 443.
            redis_backend=None,
        )

        images = PullThroughCache(self, "images", name=NAME, account=encryption.account)
        identity = Identity(
            self,
            "identity",
            name=NAME,
            account=encryption.account,
            secret_parameter_arns=[],
            kms_key_arn=encryption.key_arn,
            cached_repository_arns=[images.repository_arn(IMAGE)],
            log_group_arns=[
                encryption.account.arn("logs", f"log-group:{log_group_name(f'{NAME}-web')}")
            ],
            services=["web"],
        )
        cluster = EcsCluster(self, "cluster", name=NAME)
        web = FargateService(
            self,
            "web",
            base=ServiceBase(
                region=REGION,
                cluster_arn=cluster.arn,
                cluster_name=cluster.name,
                vpc_id=network.vpc.id,
                subnet_ids=network.private_subnet_ids,
                execution_role_arn=identity.execution_role.arn,
                execution_grants=identity.execution_grants,
                network_paths=network.egress_routes,
                log_retention_days=30,
                kms_key_arn=encryption.key_arn,
            ),
            name=f"{NAME}-web",
            security_group_id=groups.web_tasks.id,
            task_role_arn=identity.task_roles["web"].arn,
            container=Container(
                image=images.image_uri(IMAGE),
                port=PORT,
                # nginx writes its pid and caches there; the root stays read-only.
                scratch_paths=("/tmp", "/var/cache/nginx", "/var/run"),
                health_check=["CMD-SHELL", "wget -q -O /dev/null http://127.0.0.1/"],
            ),
            cpu=256,
            memory=512,
            desired_count=2,
            load_balancer=LoadBalancer(
                subnet_ids=network.public_subnet_ids,
                security_group_id=groups.web_lb.id,
                listeners=[Listener(80)],
                internal=False,
                health_check_path="/",
            ),
        )
        TerraformOutput(self, "url", value=f"http://{web.lb.dns_name}")
