"""Network: VPC, subnets per AZ, gateways, routes, default SG and flow logs."""

import dataclasses
import ipaddress
import itertools

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
    assert cidrs == ["10.0.0.0/19", "10.0.128.0/19", "10.0.160.0/19", "10.0.32.0/19"]
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


def test_each_subnet_pair_sits_in_its_own_named_zone(any_synth, request):
    """Zones are the names the settings give, one per AZ: never wrapped around a shorter list."""
    from tests.conftest import variant_settings

    settings = variant_settings(request.node.callspec.params["any_synth"])
    subnets = any_synth.resources("aws_subnet").values()
    for tier in ("public", "private"):
        zones = [s["availability_zone"] for s in subnets if s["tags"]["tier"] == tier]
        assert sorted(zones) == sorted(settings.zone_names), (tier, zones)


def test_a_missing_zone_stops_the_plan_with_its_reason(synth_prod, tmp_path):
    """Terraform evaluates the zone lookup's postcondition: run it on a lookup missing a zone."""
    import json

    from toolchain import terraform

    (zones,) = synth_prod.data["data"]["aws_availability_zones"].values()
    (postcondition,) = zones["lifecycle"]["postcondition"]
    assert "self.names" in postcondition["condition"]
    # The same condition and message, on a variable standing in for the lookup's result.
    rule = {
        "condition": postcondition["condition"].replace("self.names", "var.names"),
        "error_message": postcondition["error_message"],
    }
    config = {"variable": {"names": {"type": "list(string)", "validation": [rule]}}}
    (tmp_path / "main.tf.json").write_text(json.dumps(config), encoding="utf-8")
    assert terraform.run(["init", "-no-color"], chdir=tmp_path, offline=True).returncode == 0
    found = zones["filter"][0]["values"]

    def plan(names: list[str]):
        return terraform.run(
            ["plan", "-no-color", "-input=false", f"-var=names={json.dumps(names)}"],
            chdir=tmp_path,
            offline=True,
        )

    assert plan(found).returncode == 0
    refused = plan(found[:-1])
    assert refused.returncode != 0
    assert "set the availability_zones setting" in refused.stderr.replace("\n", " ")


def test_adding_an_availability_zone_moves_no_existing_subnet():
    """`cidr_block` forces a subnet's replacement: growing az_count must only add ranges."""
    from infra.settings import Settings

    dev = Settings()
    layouts = [dataclasses.replace(dev, az_count=count).subnet_cidrs for count in (1, 2, 3, 4)]
    for smaller, larger in itertools.pairwise(layouts):
        for tier in (0, 1):
            assert larger[tier][: len(smaller[tier])] == smaller[tier], (smaller, larger)
    # The largest layout still fits the VPC without overlap.
    public, private = layouts[-1]
    networks = [ipaddress.ip_network(cidr) for cidr in public + private]
    vpc = ipaddress.ip_network(dev.vpc_cidr)
    assert all(net.subnet_of(vpc) for net in networks)
    assert not any(a.overlaps(b) for a, b in itertools.combinations(networks, 2))
