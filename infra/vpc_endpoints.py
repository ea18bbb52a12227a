"""Private paths to AWS: VPC endpoints, so image pulls, logs and secrets do not go through NAT."""

from __future__ import annotations

from collections.abc import Sequence

from infra.security import SecurityGroups
from toolchain.providers import Construct, VpcEndpoint

# What a Fargate task (platform 1.4) calls when it starts and runs: ECR's API and registry,
# CloudWatch Logs for awslogs, SSM for the `secrets` it injects. Image layers come from S3.
INTERFACE_SERVICES = ("ecr.api", "ecr.dkr", "logs", "ssm")


class VpcEndpoints(Construct):
    """Interface endpoints with private DNS in the private subnets, behind the endpoints'
    security group, and the S3 gateway endpoint on the private route tables.

    The web tasks' only way out is then through these (see `SecurityGroups`).
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        name: str,
        region: str,
        vpc_id: str,
        subnet_ids: Sequence[str],
        route_table_ids: Sequence[str],
        groups: SecurityGroups,
        extra_services: Sequence[str] = (),
    ) -> None:
        """Create the endpoints of `INTERFACE_SERVICES` (and `extra_services`, default none,
        such as `ssmmessages` for ECS Exec) and S3's gateway; open 443 to S3 for the web tasks.
        """
        super().__init__(scope, id)
        if groups.endpoints is None:
            raise ValueError("groups must be built with vpc_endpoints=True")
        self.interfaces: dict[str, VpcEndpoint] = {}
        for service in (*INTERFACE_SERVICES, *extra_services):
            self.interfaces[service] = VpcEndpoint(
                self,
                service.replace(".", "_"),
                vpc_id=vpc_id,
                service_name=f"com.amazonaws.{region}.{service}",
                vpc_endpoint_type="Interface",
                private_dns_enabled=True,
                subnet_ids=list(subnet_ids),
                security_group_ids=[groups.endpoints.id],
                tags={"Name": f"{name}-{service}"},
            )
        self.s3 = VpcEndpoint(
            self,
            "s3",
            vpc_id=vpc_id,
            service_name=f"com.amazonaws.{region}.s3",
            vpc_endpoint_type="Gateway",
            route_table_ids=list(route_table_ids),
            tags={"Name": f"{name}-s3"},
        )
        self.all: list[VpcEndpoint] = [*self.interfaces.values(), self.s3]
        groups.allow_tasks_to_prefix_list("s3", self.s3.prefix_list_id, "S3 (image layers)")
