"""Network: VPC, public and private subnets per AZ, internet and NAT gateways, flow logs."""

from __future__ import annotations

from infra.policies import Account, assume_role_policy, policy
from toolchain.providers import (
    CloudwatchLogGroup,
    Construct,
    DataAwsAvailabilityZones,
    DataAwsAvailabilityZonesFilter,
    DefaultSecurityGroup,
    Eip,
    FlowLog,
    IamRole,
    IamRolePolicy,
    InternetGateway,
    NatGateway,
    Postcondition,
    Route,
    RouteTable,
    RouteTableAssociation,
    Subnet,
    Vpc,
)


class Network(Construct):
    """A VPC whose tasks live in private subnets and reach out through NAT.

    Public subnets hold only the load balancers and NAT gateways; nothing there gets a public IP
    on launch. The default security group is emptied so nothing can use it by accident, and all
    traffic is recorded by VPC flow logs.
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        name: str,
        cidr: str,
        public_cidrs: list[str],
        private_cidrs: list[str],
        zone_names: list[str],
        nat_per_az: bool = False,
        log_retention_days: int,
        kms_key_arn: str,
        account: Account,
    ) -> None:
        """Create the network.

        `public_cidrs` and `private_cidrs` hold one range per zone of `zone_names`, in order.
        `nat_per_az` (default False) gives each AZ its own NAT gateway so an AZ outage does not
        cut the others off; one shared gateway is cheaper. Flow logs keep `log_retention_days`
        and are encrypted with `kms_key_arn`; only `account`'s flow logs may write them.
        """
        super().__init__(scope, id)
        if not zone_names or not len(public_cidrs) == len(private_cidrs) == len(zone_names):
            raise ValueError("public_cidrs and private_cidrs need one range per zone each")
        # The subnets use the zone names as given; this lookup stops the plan, before anything is
        # created, when one of them is not available to the account.
        DataAwsAvailabilityZones(
            self,
            "zones",
            state="available",
            filter=[DataAwsAvailabilityZonesFilter(name="zone-name", values=zone_names)],
            lifecycle={
                "postcondition": [
                    Postcondition(
                        condition=f"${{length(self.names) == {len(zone_names)}}}",
                        error_message=f"Not every zone of {', '.join(zone_names)} is available "
                        "to this account: set the availability_zones setting to zones that are.",
                    )
                ]
            },
        )

        self.vpc = Vpc(
            self,
            "vpc",
            cidr_block=cidr,
            enable_dns_support=True,
            enable_dns_hostnames=True,
            tags={"Name": name},
        )
        # Emptying the default group removes its allow-all rules: every ENI must pick its own.
        DefaultSecurityGroup(self, "default", vpc_id=self.vpc.id, tags={"Name": f"{name}-default"})
        igw = InternetGateway(self, "igw", vpc_id=self.vpc.id, tags={"Name": name})

        public_table = RouteTable(
            self, "public_routes", vpc_id=self.vpc.id, tags={"Name": f"{name}-public"}
        )
        Route(
            self,
            "public_default_route",
            route_table_id=public_table.id,
            destination_cidr_block="0.0.0.0/0",
            gateway_id=igw.id,
        )

        self.public_subnet_ids: list[str] = []
        self.private_subnet_ids: list[str] = []
        self.private_route_table_ids: list[str] = []
        # The private subnets' ways out, which tasks need before they start.
        self.egress_routes: list[Route] = []
        nat_ids: list[str] = []
        for index, (zone, public_cidr, private_cidr) in enumerate(
            zip(zone_names, public_cidrs, private_cidrs, strict=True)
        ):
            public = Subnet(
                self,
                f"public_{index}",
                vpc_id=self.vpc.id,
                cidr_block=public_cidr,
                availability_zone=zone,
                map_public_ip_on_launch=False,
                tags={"Name": f"{name}-public-{index}", "tier": "public"},
            )
            RouteTableAssociation(
                self,
                f"public_{index}_association",
                subnet_id=public.id,
                route_table_id=public_table.id,
            )
            self.public_subnet_ids.append(public.id)
            if index == 0 or nat_per_az:
                eip = Eip(
                    self, f"nat_{index}_ip", domain="vpc", tags={"Name": f"{name}-nat-{index}"}
                )
                nat = NatGateway(
                    self,
                    f"nat_{index}",
                    allocation_id=eip.id,
                    subnet_id=public.id,
                    tags={"Name": f"{name}-nat-{index}"},
                    depends_on=[igw],
                )
                nat_ids.append(nat.id)

            private = Subnet(
                self,
                f"private_{index}",
                vpc_id=self.vpc.id,
                cidr_block=private_cidr,
                availability_zone=zone,
                tags={"Name": f"{name}-private-{index}", "tier": "private"},
            )
            table = RouteTable(
                self,
                f"private_{index}_routes",
                vpc_id=self.vpc.id,
                tags={"Name": f"{name}-private-{index}"},
            )
            route = Route(
                self,
                f"private_{index}_default_route",
                route_table_id=table.id,
                destination_cidr_block="0.0.0.0/0",
                nat_gateway_id=nat_ids[-1],
            )
            self.egress_routes.append(route)
            RouteTableAssociation(
                self, f"private_{index}_association", subnet_id=private.id, route_table_id=table.id
            )
            self.private_subnet_ids.append(private.id)
            self.private_route_table_ids.append(table.id)

        self._flow_logs(name, log_retention_days, kms_key_arn, account)

    def _flow_logs(
        self, name: str, retention_days: int, kms_key_arn: str, account: Account
    ) -> None:
        """Record every accepted and rejected flow of the VPC in CloudWatch Logs."""
        group = CloudwatchLogGroup(
            self,
            "flow_logs",
            name=f"/vpc/{name}/flow-logs",
            retention_in_days=retention_days,
            kms_key_id=kms_key_arn,
        )
        role = IamRole(
            self,
            "flow_logs_role",
            name=f"{name}-flow-logs",
            assume_role_policy=assume_role_policy(
                "vpc-flow-logs.amazonaws.com",
                # A wildcard: the flow log's own ARN would make the role wait for the flow log.
                source_arn=account.arn("ec2", "vpc-flow-log/*"),
                account=account.id,
            ),
        )
        IamRolePolicy(
            self,
            "flow_logs_policy",
            name="write-flow-logs",
            role=role.id,
            policy=policy(
                {
                    "Action": [
                        "logs:CreateLogStream",
                        "logs:PutLogEvents",
                        "logs:DescribeLogStreams",
                    ],
                    "Resource": f"{group.arn}:*",
                }
            ),
        )
        FlowLog(
            self,
            "flow_log",
            vpc_id=self.vpc.id,
            traffic_type="ALL",
            log_destination_type="cloud-watch-logs",
            log_destination=group.arn,
            iam_role_arn=role.arn,
            tags={"Name": name},
        )
