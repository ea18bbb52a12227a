"""Lifecycle rules over every variant: what Terraform and AWS do on deploy, change and destroy.

Each rule reads the synthesized JSON as a whole, so a resource added later is held to it too.
"""

from __future__ import annotations

from typing import Any

import pytest

from infra.testing import assert_every
from review.refs import refs_in
from review.replacement import REPLACEMENT_ARGUMENTS
from tests.conftest import VARIANTS, variant_settings
from tests.helpers import Synth

# Arguments that must be unique in an account or VPC: two objects cannot hold the same at once.
_UNIQUE_NAMES = ("name", "replication_group_id", "creation_token")
# A task definition's family is its name; elsewhere (a parameter group's) it is not.
_UNIQUE_BY_TYPE = {"aws_ecs_task_definition": ("family",)}


def _references(value: Any) -> set[tuple[str, str, str]]:
    """(kind, type, name) of each object `value` refers to: resource, data, ephemeral, var."""
    return {(ref.kind, ref.type, ref.name) for ref in refs_in(value)}


def _blocks(synth: Synth, mode: str) -> dict[tuple[str, str], dict]:
    section = synth.data.get(mode, {})
    return {(type_, name): body for type_, items in section.items() for name, body in items.items()}


def _known_at_plan(synth: Synth, reference: tuple[str, str, str], seen=()) -> bool:
    """Whether Terraform knows a value when it plans: variables, and data sources or ephemeral
    resources whose own arguments are known at plan. A managed resource's attribute is not."""
    mode, type_, name = reference
    if mode == "var":
        return True
    if mode not in ("data", "ephemeral") or reference in seen:
        return False
    body = _blocks(synth, mode).get((type_, name))
    if body is None:
        return False
    arguments = {k: v for k, v in body.items() if k not in ("depends_on", "lifecycle")}
    if body.get("depends_on"):
        return False  # a data source that waits on a resource is read during apply
    return all(_known_at_plan(synth, ref, (*seen, reference)) for ref in _references(arguments))


@pytest.fixture(params=VARIANTS)
def variant(request) -> tuple[Synth, Any]:
    return request.getfixturevalue(request.param), variant_settings(request.param)


def test_no_fixed_unique_name_on_create_before_destroy(any_synth):
    """A replacement is created before the old object goes: a fixed name would collide, unless
    the name changes with every other argument that replaces the object (so a replacement
    always comes with a new name)."""
    offenders = [
        f"{type_}.{name}: {key}"
        for (type_, name), body in _blocks(any_synth, "resource").items()
        if body.get("lifecycle", {}).get("create_before_destroy")
        for key in (*_UNIQUE_NAMES, *_UNIQUE_BY_TYPE.get(type_, ()))
        if key in body and not _named_after_its_replacements(type_, body, key)
    ]
    assert not offenders, offenders


def _named_after_its_replacements(type_: str, body: dict, key: str) -> bool:
    """Whether `body[key]` holds the value of every other replacement-forcing argument."""
    rule = REPLACEMENT_ARGUMENTS[type_]
    if rule.all_but:
        return False
    others = [arg for arg in rule.forcing if arg not in (key, "name_prefix") and arg in body]
    return all(isinstance(body[a], str) and body[a] in body[key] for a in others) and any(
        isinstance(body[a], str) for a in others
    )


def test_provider_configuration_is_known_at_plan(any_synth):
    """Terraform configures providers while planning; a resource's attribute is unknown then."""
    for provider, configs in any_synth.data["provider"].items():
        for config in configs:
            unknown = [ref for ref in _references(config) if not _known_at_plan(any_synth, ref)]
            assert not unknown, f"provider {provider} reads {unknown}"


def test_provider_credentials_stay_out_of_state(any_synth):
    """Data sources are saved in the state; a registry password must come from elsewhere."""
    for provider, configs in any_synth.data["provider"].items():
        for config in configs:
            for mode, type_, name in _references(config):
                assert not (mode == "data" and "token" in type_), (provider, type_, name)


def test_a_destroyable_stack_holds_nothing_that_blocks_destroy(variant):
    synth, settings = variant
    resources = _blocks(synth, "resource")
    if settings.deletion_protection:
        # Protected: the votes, images and load balancers survive a mistaken destroy.
        for (type_, name), body in resources.items():
            if type_ == "aws_ecr_repository":
                assert not body.get("force_delete"), name
            if type_ == "aws_backup_vault":
                assert not body.get("force_destroy"), name
            if type_ in ("aws_efs_file_system", "aws_elasticache_replication_group"):
                assert body.get("lifecycle", {}).get("prevent_destroy") is True, name
            if type_ == "aws_lb":
                assert body["enable_deletion_protection"] is True, name
        return
    for (type_, name), body in resources.items():
        assert not body.get("lifecycle", {}).get("prevent_destroy"), f"{type_}.{name}"
        assert not body.get("enable_deletion_protection"), f"{type_}.{name}"
        assert not body.get("deletion_protection"), f"{type_}.{name}"
        if type_ == "aws_ecr_repository":
            assert body.get("force_delete") is True, f"{name}: pushed images block destroy"
        if type_ == "aws_backup_vault":
            assert body.get("force_destroy") is True, f"{name}: recovery points block destroy"


def test_services_wait_for_steady_state_and_roll_back(any_synth):
    """A deploy ends when the tasks are healthy, and fails when a release was rolled back."""
    assert_every(
        any_synth.data,
        "aws_ecs_service",
        {
            "wait_for_steady_state": True,
            "deployment_circuit_breaker": {"enable": True, "rollback": True},
        },
    )


def test_services_depend_on_what_their_tasks_need_at_start(any_synth):
    """Dependencies Terraform cannot see: a task mounts EFS through a mount target, and pulls
    its image and secrets with permissions attached to its roles by separate resources."""
    resources = _blocks(any_synth, "resource")
    for name, service in any_synth.resources("aws_ecs_service").items():
        depends_on = set(service.get("depends_on", []))
        ((_, _, task_name),) = _references(service["task_definition"])
        task = any_synth.resource("aws_ecs_task_definition", task_name)
        roles = _references([task.get("execution_role_arn"), task.get("task_role_arn")])
        needed = set()
        for volume in task.get("volume", []):
            efs = volume.get("efs_volume_configuration")
            if efs:
                needed |= {
                    f"aws_efs_mount_target.{target}"
                    for (type_, target), body in resources.items()
                    if type_ == "aws_efs_mount_target"
                    and body["file_system_id"] == efs["file_system_id"]
                }
        for (type_, grant), body in resources.items():
            if type_ in ("aws_iam_role_policy", "aws_iam_role_policy_attachment"):
                ((_, _, role),) = _references(body["role"])
                if ("resource", "aws_iam_role", role) in roles:
                    needed.add(f"{type_}.{grant}")
        needed |= _network_paths(resources, service["network_configuration"]["subnets"])
        assert needed <= depends_on, f"{name} does not wait for {sorted(needed - depends_on)}"


def _network_paths(resources: dict, subnets: list[str]) -> set[str]:
    """What a task in `subnets` needs to reach its image, logs and secrets: the routes of its
    subnets' route tables (NAT) and the VPC endpoints serving those subnets or tables."""
    tables = {
        body["route_table_id"]
        for (type_, _), body in resources.items()
        if type_ == "aws_route_table_association" and body["subnet_id"] in subnets
    }
    paths = {
        f"aws_route.{route}"
        for (type_, route), body in resources.items()
        if type_ == "aws_route" and body["route_table_id"] in tables
    }
    paths |= {
        f"aws_vpc_endpoint.{endpoint}"
        for (type_, endpoint), body in resources.items()
        if type_ == "aws_vpc_endpoint"
        and (
            set(body.get("subnet_ids", [])) & set(subnets)
            or set(body.get("route_table_ids", [])) & tables
        )
    }
    assert paths, f"no route out of {subnets}: the check would prove nothing"
    return paths
