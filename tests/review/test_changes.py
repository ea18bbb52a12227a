"""The offline change classifier: real synthesized stacks before and after a settings change, and
small hand-written stacks for each rule."""

from __future__ import annotations

import dataclasses
import json

import pytest

from review import replacement
from review.changes import REPLACEMENT_ARGUMENTS, UNKNOWN_TYPE, resource_changes
from review.replacement import LaterChange, pinned_version, rule_for
from tests.conftest import VARIANTS, _synth, variant_settings


def _by_address(old: dict, new: dict) -> dict:
    return {c.address: c for c in resource_changes(old, new)}


def _changed_synth(variant: str, **changes) -> dict:
    """A variant synthesized again with some settings changed."""
    settings = dataclasses.replace(variant_settings(variant), **changes)
    return json.loads(_synth(settings).text)


# --- the table covers what the stacks use ---------------------------------------------------


@pytest.mark.parametrize("variant", VARIANTS)
def test_every_resource_type_of_every_variant_is_in_the_table(synthesized, variant):
    types = set(synthesized(variant).data["resource"])
    assert types - REPLACEMENT_ARGUMENTS.keys() == set()


def test_every_row_cites_a_documentation_page():
    for type_name, rule in REPLACEMENT_ARGUMENTS.items():
        assert rule.source.startswith("https://"), type_name
        page = type_name.removeprefix("aws_").removeprefix("docker_")
        assert rule.source.endswith(page) or type_name == "terraform_data", type_name


# --- real stacks ----------------------------------------------------------------------------


def test_same_stack_changes_nothing(synth_prod):
    changes = resource_changes(synth_prod.data, synth_prod.data)
    assert {c.action for c in changes} == {"unchanged"}
    assert len(changes) == sum(len(v) for v in synth_prod.data["resource"].values())


def test_vpc_range_change_replaces_every_subnet(synth_dev):
    after = _changed_synth("synth_dev", vpc_cidr="10.1.0.0/16")
    changes = _by_address(synth_dev.data, after)
    subnets = [c for c in changes.values() if c.type == "aws_subnet"]
    assert subnets
    for subnet in subnets:
        assert subnet.action == "replace"
        assert "cidr_block" in subnet.forcing
        assert "vpc_id (aws_vpc.network_vpc replaced)" in subnet.forcing
    assert changes["aws_vpc.network_vpc"].forcing == ("cidr_block",)
    # the load balancers sit in the replaced subnets, so they and their listeners go too
    for lb in (c for c in changes.values() if c.type in ("aws_lb", "aws_lb_listener")):
        assert lb.action == "replace", lb


def test_title_change_replaces_the_web_task_definition_and_updates_the_service(synth_dev):
    after = _changed_synth("synth_dev", app_title="Cats or dogs")
    changes = _by_address(synth_dev.data, after)
    moved = {a: c for a, c in changes.items() if c.action != "unchanged"}
    web_tasks = [c for c in moved.values() if c.type == "aws_ecs_task_definition"]
    assert len(web_tasks) == 1 and web_tasks[0].action == "replace"
    assert web_tasks[0].forcing == ("container_definitions",)
    services = [c for c in moved.values() if c.type == "aws_ecs_service"]
    assert len(services) == 1 and services[0].action == "update"
    assert services[0].changed == (f"task_definition ({web_tasks[0].address} replaced)",)
    # nothing else moves: Redis, the network and the load balancers stay as they are
    assert set(moved) == {web_tasks[0].address, services[0].address}


def test_a_default_tag_change_updates_resources_in_place(synth_prod):
    after = _changed_synth("synth_prod", tags={"owner": "team-a"})
    changes = resource_changes(synth_prod.data, after)
    assert {c.action for c in changes} == {"update", "unchanged"}
    updated = [c for c in changes if c.action == "update"]
    assert any(c.type == "aws_ecs_task_definition" for c in updated)
    assert all(c.changed == ("tags_all (provider default_tags)",) for c in updated)
    # types without tags stay untouched
    assert all(c.action == "unchanged" for c in changes if c.type == "aws_route")


def test_backend_switch_destroys_the_efs_store_and_creates_the_cache(
    synth_prod_fargate, synth_prod
):
    changes = _by_address(synth_prod_fargate.data, synth_prod.data)
    efs = [c for c in changes.values() if c.type == "aws_efs_file_system"]
    assert efs and all(c.action == "destroy" for c in efs)
    cache = [c for c in changes.values() if c.type == "aws_elasticache_replication_group"]
    assert cache and all(c.action == "create" for c in cache)


# --- hand-written stacks, one rule each -----------------------------------------------------


def _stack(**resources) -> dict:
    """A stack from `type__name=body` keywords."""
    section: dict = {}
    for key, body in resources.items():
        type_name, name = key.split("__")
        section.setdefault(type_name, {})[name] = body
    return {"resource": section}


_LB = {"name": "web", "internal": False, "load_balancer_type": "network", "subnets": ["s-1"]}
_LISTENER = {
    "load_balancer_arn": "${aws_lb.web.arn}",
    "port": 80,
    "protocol": "TCP",
    "default_action": [{"type": "forward", "target_group_arn": "${aws_lb_target_group.t.arn}"}],
}


def test_listener_port_change_is_an_update():
    old = _stack(aws_lb__web=_LB, aws_lb_listener__http=_LISTENER)
    new = _stack(aws_lb__web=_LB, aws_lb_listener__http={**_LISTENER, "port": 8080})
    change = _by_address(old, new)["aws_lb_listener.http"]
    assert (change.action, change.changed, change.forcing) == ("update", ("port",), ())


def test_replaced_load_balancer_replaces_its_listener():
    old = _stack(aws_lb__web=_LB, aws_lb_listener__http=_LISTENER)
    new = _stack(aws_lb__web={**_LB, "internal": True}, aws_lb_listener__http=_LISTENER)
    changes = _by_address(old, new)
    assert changes["aws_lb.web"].forcing == ("internal",)
    assert changes["aws_lb_listener.http"].action == "replace"
    assert changes["aws_lb_listener.http"].forcing == ("load_balancer_arn (aws_lb.web replaced)",)


def test_subnet_cidr_change_is_a_replacement():
    subnet = {"vpc_id": "${aws_vpc.v.id}", "cidr_block": "10.0.0.0/24", "availability_zone": "a"}
    old = _stack(aws_subnet__a=subnet)
    new = _stack(aws_subnet__a={**subnet, "cidr_block": "10.0.1.0/24"})
    change = _by_address(old, new)["aws_subnet.a"]
    assert (change.action, change.forcing) == ("replace", ("cidr_block",))


def test_tag_change_is_an_update():
    key = {"description": "k", "tags": {"team": "a"}}
    change = _by_address(
        _stack(aws_kms_key__k=key), _stack(aws_kms_key__k={**key, "tags": {"team": "b"}})
    )["aws_kms_key.k"]
    assert (change.action, change.changed) == ("update", ("tags.team",))


def test_task_definition_replaced_by_any_argument_but_tags():
    task = {"family": "web", "cpu": "256", "memory": "512", "tags": {"a": "1"}}
    old = _stack(aws_ecs_task_definition__t=task)
    assert _by_address(old, _stack(aws_ecs_task_definition__t={**task, "cpu": "512"}))[
        "aws_ecs_task_definition.t"
    ].forcing == ("cpu",)
    assert (
        _by_address(old, _stack(aws_ecs_task_definition__t={**task, "tags": {"a": "2"}}))[
            "aws_ecs_task_definition.t"
        ].action
        == "update"
    )


def test_nested_forcing_argument():
    task = {"family": "web", "volume": [{"name": "data"}]}
    efs = {"creation_token": "x", "encrypted": True, "lifecycle_policy": [{"a": "AFTER_7_DAYS"}]}
    old = _stack(aws_ecs_task_definition__t=task, aws_efs_file_system__f=efs)
    new = _stack(
        aws_ecs_task_definition__t={**task, "volume": [{"name": "scratch"}]},
        aws_efs_file_system__f={**efs, "lifecycle_policy": [{"a": "AFTER_14_DAYS"}]},
    )
    changes = _by_address(old, new)
    assert changes["aws_ecs_task_definition.t"].forcing == ("volume[0].name",)
    assert changes["aws_efs_file_system.f"].action == "update"


def test_reference_to_a_literal_argument_of_a_replaced_resource_stays_known():
    group = {"name": "logs", "log_group_class": "STANDARD"}
    reader = {"name": "f", "log_group_name": "${aws_cloudwatch_log_group.g.name}", "pattern": ""}
    old = _stack(aws_cloudwatch_log_group__g=group, aws_cloudwatch_log_metric_filter__f=reader)
    new = _stack(
        aws_cloudwatch_log_group__g={**group, "log_group_class": "INFREQUENT_ACCESS"},
        aws_cloudwatch_log_metric_filter__f=reader,
    )
    changes = _by_address(old, new)
    assert changes["aws_cloudwatch_log_group.g"].action == "replace"
    assert changes["aws_cloudwatch_log_metric_filter.f"].action == "unchanged"


def test_ignore_changes_hides_a_difference():
    service = {
        "name": "web",
        "cluster": "c",
        "desired_count": 2,
        "lifecycle": {"ignore_changes": ["desired_count"]},
    }
    change = _by_address(
        _stack(aws_ecs_service__s=service),
        _stack(aws_ecs_service__s={**service, "desired_count": 4}),
    )["aws_ecs_service.s"]
    assert change.action == "unchanged"


def test_triggers_replace_and_replace_triggered_by():
    data = {"triggers_replace": {"version": "1"}}
    reader = {
        "name": "p",
        "type": "SecureString",
        "lifecycle": {"replace_triggered_by": ["terraform_data.rotation"]},
    }
    old = _stack(terraform_data__rotation=data, aws_ssm_parameter__p=reader)
    new = _stack(
        terraform_data__rotation={"triggers_replace": {"version": "2"}}, aws_ssm_parameter__p=reader
    )
    changes = _by_address(old, new)
    assert changes["terraform_data.rotation"].forcing == ("triggers_replace.version",)
    assert changes["aws_ssm_parameter.p"].action == "replace"
    assert changes["aws_ssm_parameter.p"].forcing == (
        "lifecycle.replace_triggered_by (terraform_data.rotation changed)",
    )


def test_unknown_type_changed_is_a_replacement_and_says_why():
    old = _stack(aws_made_up__x={"size": 1})
    new = _stack(aws_made_up__x={"size": 2})
    change = _by_address(old, new)["aws_made_up.x"]
    assert (change.action, change.forcing) == ("replace", (UNKNOWN_TYPE,))
    assert _by_address(old, old)["aws_made_up.x"].action == "unchanged"


def test_network_load_balancer_losing_a_subnet_is_replaced_gaining_one_is_not():
    two = {**_LB, "subnets": ["s-1", "s-2"]}
    assert _by_address(_stack(aws_lb__web=_LB), _stack(aws_lb__web=two))["aws_lb.web"].action == (
        "update"
    )
    assert _by_address(_stack(aws_lb__web=two), _stack(aws_lb__web=_LB))["aws_lb.web"].action == (
        "replace"
    )


def test_created_and_destroyed_and_data_sources_ignored():
    old = {
        "resource": {"aws_sns_topic": {"a": {"name": "a"}}},
        "data": {"aws_partition": {"p": {}}},
    }
    new = {"resource": {"aws_sns_topic": {"b": {"name": "b"}}}}
    assert [(c.address, c.action) for c in resource_changes(old, new)] == [
        ("aws_sns_topic.a", "destroy"),
        ("aws_sns_topic.b", "create"),
    ]


def test_moved_block_compares_a_renamed_resource_with_itself():
    listener = {"load_balancer_arn": "${aws_lb.web.arn}", "port": 80, "protocol": "TCP"}
    old = _stack(aws_lb__web=_LB, aws_lb_listener__http=listener)
    new = _stack(aws_lb__web=_LB, aws_lb_listener__web_80=listener)
    assert {c.address: c.action for c in resource_changes(old, new)}["aws_lb_listener.http"] == (
        "destroy"
    )
    new["moved"] = [{"from": "aws_lb_listener.http", "to": "aws_lb_listener.web_80"}]
    changes = {c.address: c.action for c in resource_changes(old, new)}
    assert changes == {"aws_lb.web": "unchanged", "aws_lb_listener.web_80": "unchanged"}


# --- rules that start at a provider version -------------------------------------------------


def _pinned(stack: dict, aws_version: str) -> dict:
    """The stack with the aws provider pinned as the synthesized JSON pins it."""
    provider = {"source": "hashicorp/aws", "version": aws_version}
    return {**stack, "terraform": {"required_providers": {"aws": provider}}}


_ENDPOINT = {
    "vpc_id": "vpc-1",
    "service_name": "com.amazonaws.us-west-2.ecr.api",
    "vpc_endpoint_type": "Interface",
    "private_dns_enabled": True,
}


def _private_dns_change(aws_version: str):
    """What turning private DNS off does to an interface endpoint under that aws provider."""
    old = _pinned(_stack(aws_vpc_endpoint__ecr=_ENDPOINT), aws_version)
    off = {**_ENDPOINT, "private_dns_enabled": False}
    new = _pinned(_stack(aws_vpc_endpoint__ecr=off), aws_version)
    return _by_address(old, new)["aws_vpc_endpoint.ecr"]


@pytest.mark.parametrize("aws_version", ["6.28.0", "6.69.1"])
def test_private_dns_change_replaces_the_endpoint_from_aws_6_28(aws_version):
    # provider 6.28.0 made aws_vpc_endpoint.private_dns_enabled ForceNew (its CHANGELOG)
    change = _private_dns_change(aws_version)
    assert (change.action, change.forcing) == ("replace", ("private_dns_enabled",))


@pytest.mark.parametrize("aws_version", ["6.25.0", "6.27.0"])
def test_private_dns_change_updates_the_endpoint_before_aws_6_28(aws_version):
    change = _private_dns_change(aws_version)
    assert (change.action, change.changed) == ("update", ("private_dns_enabled",))


def test_without_an_exact_pin_the_later_rules_apply():
    # a range lets `terraform init` take the newest release: better a replacement too many
    for stack in ({}, _pinned({}, ">= 6.0"), _pinned({}, "~> 6.25")):
        assert pinned_version(stack, "aws") is None
        assert rule_for("aws_vpc_endpoint", stack).forces("private_dns_enabled")
    assert pinned_version(_pinned({}, "= 6.69.1"), "aws") == (6, 69, 1)


def test_every_later_change_names_a_table_type_after_the_pages_it_cites():
    for change in replacement.LATER_CHANGES:
        assert change.type_name in REPLACEMENT_ARGUMENTS, change
        assert change.provider == "aws" and replacement._version(change.since) > (6, 25, 0)
        assert change.source.startswith("https://"), change


def test_a_later_change_can_also_stop_an_argument_forcing(monkeypatch):
    monkeypatch.setattr(
        replacement,
        "LATER_CHANGES",
        (
            LaterChange("aws_subnet", "cidr_block", "6.40.0", "https://x", forces=False),
            LaterChange("aws_flow_log", "tags", "6.40.0", "https://x"),
        ),
    )
    old, new = _pinned({}, "6.39.0"), _pinned({}, "6.40.0")
    assert rule_for("aws_subnet", old).forces("cidr_block")
    assert not rule_for("aws_subnet", new).forces("cidr_block")
    assert rule_for("aws_subnet", new).forces("vpc_id")
    # aws_flow_log lists the exceptions (every argument but tags forces): tags leaves that list
    assert not rule_for("aws_flow_log", old).forces("tags")
    assert rule_for("aws_flow_log", new).forces("tags")
    assert not rule_for("aws_flow_log", new).forces("tags_all")
    # with no exact pin a change that stops forcing is not assumed: that would hide a replacement
    assert rule_for("aws_subnet", _pinned({}, ">= 6.0")).forces("cidr_block")
