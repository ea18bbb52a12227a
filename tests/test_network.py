"""Network: VPC, subnets per AZ, gateways, routes, default SG and flow logs."""

from tests.helpers import assert_resource


def test_vpc_with_dns(synth_dev):
    assert_resource(
        synth_dev,
        "aws_vpc",
        {"cidr_block": "10.0.0.0/16", "enable_dns_support": True, "enable_dns_hostnames": True},
    )


def test_two_public_and_two_private_subnets_without_public_ips(synth_dev):
    subnets = synth_dev.resources("aws_subnet")
    tiers = sorted(props["tags"]["tier"] for props in subnets.values())
    assert tiers == ["private", "private", "public", "public"]
    assert all(props.get("map_public_ip_on_launch") in (None, False) for props in subnets.values())
    cidrs = sorted(props["cidr_block"] for props in subnets.values())
    assert cidrs == ["10.0.0.0/18", "10.0.128.0/18", "10.0.192.0/18", "10.0.64.0/18"]
    zones = {props["availability_zone"] for props in subnets.values()}
    assert len(zones) == 2, zones


def test_dev_has_one_nat_prod_one_per_az(synth_dev, synth_prod):
    assert len(synth_dev.resources("aws_nat_gateway")) == 1
    assert len(synth_prod.resources("aws_nat_gateway")) == 2
    private_routes = [
        props
        for name, props in synth_prod.resources("aws_route").items()
        if name.startswith("network_private")
    ]
    assert {route["nat_gateway_id"] for route in private_routes} == {
        "${aws_nat_gateway.network_nat_0.id}",
        "${aws_nat_gateway.network_nat_1.id}",
    }


def test_public_route_to_internet_gateway_private_to_nat(synth_dev):
    assert_resource(
        synth_dev,
        "aws_route",
        {
            "destination_cidr_block": "0.0.0.0/0",
            "gateway_id": "${aws_internet_gateway.network_igw.id}",
        },
    )
    assert_resource(
        synth_dev,
        "aws_route",
        {
            "destination_cidr_block": "0.0.0.0/0",
            "nat_gateway_id": "${aws_nat_gateway.network_nat_0.id}",
        },
    )
    associations = synth_dev.resources("aws_route_table_association")
    assert len(associations) == 4


def test_default_security_group_is_emptied(synth_dev):
    (default,) = synth_dev.resources("aws_default_security_group").values()
    assert "ingress" not in default and "egress" not in default


def test_flow_logs_to_encrypted_log_group_with_retention(synth_dev):
    assert_resource(
        synth_dev,
        "aws_flow_log",
        {"traffic_type": "ALL", "log_destination_type": "cloud-watch-logs"},
    )
    assert_resource(
        synth_dev,
        "aws_cloudwatch_log_group",
        {
            "name": "/vpc/voting-app-dev/flow-logs",
            "retention_in_days": 14,
            "kms_key_id": "${aws_kms_key.encryption_key.arn}",
        },
    )
