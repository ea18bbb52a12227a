"""VPC endpoints (prod): ECR, S3, CloudWatch Logs and SSM without NAT; SG to SG, 443 only."""

import pytest

REF = "${{aws_security_group.security_{}.id}}"
INTERFACES = {"ecr_api": "ecr.api", "ecr_dkr": "ecr.dkr", "logs": "logs", "ssm": "ssm"}


def _rules(synth, direction):
    return synth.resources(f"aws_vpc_security_group_{direction}_rule").values()


@pytest.mark.parametrize(
    ("variant", "extra"),
    [
        ("synth_prod", {}),
        ("synth_prod", {}),
        # ECS Exec sessions need the SSM agent's channels and the session key without NAT
        ("synth_three_az", {"ssmmessages": "ssmmessages", "kms": "kms"}),
    ],
)
def test_interface_endpoints_with_private_dns_in_the_private_subnets(request, variant, extra):
    synth = request.getfixturevalue(variant)
    endpoints = synth.resources("aws_vpc_endpoint")
    private = [
        f"${{aws_subnet.{name}.id}}"
        for name, subnet in synth.resources("aws_subnet").items()
        if subnet["tags"]["tier"] == "private"
    ]
    for name, service in (INTERFACES | extra).items():
        endpoint = endpoints[f"endpoints_{name}"]
        assert endpoint["service_name"] == f"com.amazonaws.us-west-2.{service}"
        assert endpoint["vpc_endpoint_type"] == "Interface"
        assert endpoint["private_dns_enabled"] is True
        assert endpoint["subnet_ids"] == private
        assert endpoint["security_group_ids"] == [REF.format("endpoints")]
    s3 = endpoints["endpoints_s3"]
    assert s3["vpc_endpoint_type"] == "Gateway"
    assert s3["service_name"] == "com.amazonaws.us-west-2.s3"
    assert s3["route_table_ids"] == [
        f"${{aws_route_table.{name}.id}}"
        for name, table in synth.resources("aws_route_table").items()
        if name.startswith("network_private_")
    ]
    assert set(endpoints) == {f"endpoints_{name}" for name in INTERFACES | extra} | {"endpoints_s3"}


@pytest.mark.parametrize(
    ("variant", "sources"),
    [("synth_prod_fargate", {"web_tasks", "redis_tasks"}), ("synth_prod", {"web_tasks"})],
)
def test_endpoints_take_443_from_the_task_groups_only(request, variant, sources):
    synth = request.getfixturevalue(variant)
    ingress = [
        r for r in _rules(synth, "ingress") if r["security_group_id"] == REF.format("endpoints")
    ]
    assert {r["referenced_security_group_id"] for r in ingress} == {REF.format(s) for s in sources}
    assert all(r["from_port"] == r["to_port"] == 443 for r in ingress)
    assert not any("cidr_ipv4" in r for r in ingress)


def test_web_tasks_reach_aws_only_through_the_endpoints(synth_prod):
    egress = [
        r for r in _rules(synth_prod, "egress") if r["security_group_id"] == REF.format("web_tasks")
    ]
    targets = {
        (r.get("referenced_security_group_id") or r.get("prefix_list_id"), r["to_port"])
        for r in egress
    }
    assert targets == {
        (REF.format("endpoints"), 443),
        ("${aws_vpc_endpoint.endpoints_s3.prefix_list_id}", 443),
        (REF.format("cache"), 6379),
    }


def test_redis_tasks_reach_aws_only_through_the_endpoints(synth_prod_fargate):
    """Their image comes through ECR's pull-through cache, which the ECR endpoints serve."""
    egress = [
        r
        for r in _rules(synth_prod_fargate, "egress")
        if r["security_group_id"] == REF.format("redis_tasks")
    ]
    targets = {
        (r.get("referenced_security_group_id") or r.get("prefix_list_id") or r.get("cidr_ipv4"))
        for r in egress
        if r["to_port"] == 443
    }
    assert targets == {REF.format("endpoints"), "${aws_vpc_endpoint.endpoints_s3.prefix_list_id}"}


@pytest.mark.parametrize("variant", ["synth_dev", "synth_tls", "synth_one_az"])
def test_dev_has_no_endpoints_and_web_tasks_leave_through_nat(request, variant):
    synth = request.getfixturevalue(variant)
    assert not synth.resources("aws_vpc_endpoint")
    assert "security_endpoints" not in synth.resources("aws_security_group")
    assert any(
        r["security_group_id"] == REF.format("web_tasks") and r.get("cidr_ipv4") == "0.0.0.0/0"
        for r in _rules(synth, "egress")
    )
