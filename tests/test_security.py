"""Security groups: SG-to-SG rules, and 0.0.0.0/0 only on the public listener."""

import pytest

from tests.helpers import assert_resource

REF = "${{aws_security_group.security_{}.id}}"


def _rules(synth, direction):
    return synth.resources(f"aws_vpc_security_group_{direction}_rule")


def test_internet_reaches_only_the_web_nlb_on_80(synth_dev):
    open_ingress = [
        {key: value for key, value in rule.items() if key != "//"}
        for rule in _rules(synth_dev, "ingress").values()
        if "cidr_ipv4" in rule
    ]
    assert open_ingress == [
        {
            "cidr_ipv4": "0.0.0.0/0",
            "description": "TCP 80 from 0.0.0.0/0",
            "from_port": 80,
            "ip_protocol": "tcp",
            "security_group_id": REF.format("web_lb"),
            "to_port": 80,
        }
    ]


def test_no_world_ingress_except_public_listeners(any_synth):
    for name, rule in _rules(any_synth, "ingress").items():
        if rule.get("cidr_ipv4") == "0.0.0.0/0" or rule.get("cidr_ipv6") == "::/0":
            assert rule["security_group_id"] == REF.format("web_lb"), name
            assert rule["from_port"] == rule["to_port"] and rule["to_port"] in (80, 443), name
    for group in any_synth.resources("aws_security_group").values():
        assert "ingress" not in group and "egress" not in group, "rules must be separate resources"
    assert not any_synth.resources("aws_security_group_rule")


def test_no_egress_to_all_ports(any_synth):
    for name, rule in _rules(any_synth, "egress").items():
        assert rule["ip_protocol"] == "tcp", name
        assert rule["from_port"] == rule["to_port"], name


@pytest.mark.parametrize(
    ("target", "source", "port"),
    [
        ("web_tasks", "web_lb", 8080),
        ("redis_lb", "web_tasks", 6379),
        ("redis_tasks", "redis_lb", 6379),
        ("redis_storage", "redis_tasks", 2049),
    ],
)
def test_sg_to_sg_ingress(synth_dev, target, source, port):
    assert_resource(
        synth_dev,
        "aws_vpc_security_group_ingress_rule",
        {
            "security_group_id": REF.format(target),
            "referenced_security_group_id": REF.format(source),
            "from_port": port,
            "to_port": port,
        },
    )


def test_redis_tasks_reachable_only_from_redis_nlb(synth_dev):
    sources = {
        rule.get("referenced_security_group_id", rule.get("cidr_ipv4"))
        for rule in _rules(synth_dev, "ingress").values()
        if rule["security_group_id"] == REF.format("redis_tasks")
    }
    assert sources == {REF.format("redis_lb")}


def test_tls_opens_443_and_can_close_80(synth_tls, synth_tls_only):
    ports = sorted(r["to_port"] for r in _rules(synth_tls, "ingress").values() if "cidr_ipv4" in r)
    assert ports == [80, 443]
    ports = sorted(
        r["to_port"] for r in _rules(synth_tls_only, "ingress").values() if "cidr_ipv4" in r
    )
    assert ports == [443]


def test_public_cidrs_limit_who_reaches_the_web_listener():
    """A corporate range instead of the internet: the listener's rules name it, nothing else
    is opened to anyone."""
    from tests.conftest import _settings, _synth

    synth = _synth(_settings("dev", public_cidrs=("203.0.113.0/24", "198.51.100.7/32")))
    sources = sorted(
        (rule["cidr_ipv4"], rule["to_port"])
        for rule in _rules(synth, "ingress").values()
        if "cidr_ipv4" in rule
    )
    assert sources == [("198.51.100.7/32", 80), ("203.0.113.0/24", 80)]
    for rule in _rules(synth, "ingress").values():
        if "cidr_ipv4" in rule:
            assert rule["security_group_id"] == REF.format("web_lb")


@pytest.mark.parametrize("cidrs", [(), ("10.0.0.0/33",), ("10.0.0.1/8",), ("a", "b")])
def test_public_cidrs_must_be_networks(cidrs):
    from infra.settings import SettingsError
    from tests.conftest import _settings

    with pytest.raises(SettingsError, match="setting 'public_cidrs'"):
        _settings("dev", public_cidrs=cidrs)
