"""Deployments: web blue/green through ECS in prod (two target groups, bake time, rollback on
the web alarms), rolling in dev; Redis always rolling with the circuit breaker, one writer.

Every mode is written out, and web is blue/green-ready in both (the second group, the role, the
weighted listener): switching strategy or turning TLS on changes the service and the listener
in place, never what their ignore_changes hides from Terraform."""

import dataclasses
import json

import pytest

from infra.settings import SettingsError
from infra.testing import assert_every
from review.changes import resource_changes
from tests.conftest import _settings, _synth, variant_settings

ROLLBACK = ["web-http-500", "web-unhealthy-targets"]


@pytest.mark.parametrize("variant", ["synth_prod", "synth_prod_fargate", "synth_three_az"])
def test_prod_web_deploys_blue_green_and_rolls_back_on_its_alarms(request, variant):
    synth = request.getfixturevalue(variant)
    web = synth.resource("aws_ecs_service", "web_service")
    assert web["deployment_configuration"] == {
        "strategy": "BLUE_GREEN",
        "bake_time_in_minutes": "10",
    }
    ((balancer),) = web["load_balancer"]
    assert balancer["target_group_arn"] == "${aws_lb_target_group.web_targets.arn}"
    assert balancer["advanced_configuration"] == {
        "alternate_target_group_arn": "${aws_lb_target_group.web_targets_alt.arn}",
        "production_listener_rule": "${aws_lb_listener.web_listener.arn}",
        "role_arn": "${aws_iam_role.web_deploy_role.arn}",
    }
    names = [f"voting-app-prod-{what}" for what in ROLLBACK]
    assert web["alarms"] == {"alarm_names": names, "enable": True, "rollback": True}
    alarms = {a["alarm_name"]: n for n, a in synth.resources("aws_cloudwatch_metric_alarm").items()}
    # ECS looks the alarms up: the service is created after them
    for name in names:
        assert f"aws_cloudwatch_metric_alarm.{alarms[name]}" in web["depends_on"]
    assert "aws_iam_role_policy.web_deploy_role_policy" in web["depends_on"]
    # the circuit breaker still stops a release whose tasks never start
    assert web["deployment_circuit_breaker"] == {"enable": True, "rollback": True}
    # apply waits through 10 min bake + 3 x 10 min NLB delays + 20 min for the tasks
    assert web["timeouts"] == {"create": "60m", "update": "60m"}


@pytest.mark.parametrize("variant", ["synth_prod", "synth_dev"])
def test_the_listener_forwards_to_both_groups_and_is_left_to_ecs(request, variant):
    """The production listener forwards to the primary group and the alternate one, weighted
    100/0, and ECS owns the weights afterwards."""
    synth = request.getfixturevalue(variant)
    groups = synth.resources("aws_lb_target_group")
    blue, green = groups["web_targets"], groups["web_targets_alt"]
    assert blue == green
    listener = synth.resource("aws_lb_listener", "web_listener")
    assert listener["default_action"] == [
        {
            "type": "forward",
            "forward": {
                "target_group": [
                    {"arn": "${aws_lb_target_group.web_targets.arn}", "weight": 100},
                    {"arn": "${aws_lb_target_group.web_targets_alt.arn}", "weight": 0},
                ]
            },
        }
    ]
    assert listener["lifecycle"] == {"ignore_changes": ["default_action"]}


@pytest.mark.parametrize("variant", ["synth_prod", "synth_dev"])
def test_terraform_leaves_the_live_target_group_to_ecs(request, variant):
    """ECS swaps which group is live on every blue/green release; an apply that sent the first
    group back would stop the groups alternating (terraform-provider-aws issue 45678). Rolling
    keeps the same configuration, so a switch of strategy needs nothing this hides."""
    service = request.getfixturevalue(variant).resource("aws_ecs_service", "web_service")
    assert service["lifecycle"]["ignore_changes"] == ["desired_count", "load_balancer"]


def test_deploy_role_moves_only_this_listener_between_these_groups(synth_prod):
    role = synth_prod.resource("aws_iam_role", "web_deploy_role")
    (trust,) = json.loads(role["assume_role_policy"])["Statement"]
    assert trust["Principal"] == {"Service": "ecs.amazonaws.com"}
    reads, targets, listener = json.loads(
        synth_prod.resource("aws_iam_role_policy", "web_deploy_role_policy")["policy"]
    )["Statement"]
    assert reads["Resource"] == "*"
    assert all(a.startswith("elasticloadbalancing:Describe") for a in reads["Action"])
    assert targets["Resource"] == [
        "${aws_lb_target_group.web_targets.arn}",
        "${aws_lb_target_group.web_targets_alt.arn}",
    ]
    assert listener == {
        "Effect": "Allow",
        "Action": "elasticloadbalancing:ModifyListener",
        "Resource": "${aws_lb_listener.web_listener.arn}",
    }


@pytest.mark.parametrize("variant", ["synth_prod", "synth_dev"])
def test_target_alarms_add_up_both_groups(request, variant):
    synth = request.getfixturevalue(variant)
    env = variant_settings(variant).environment
    alarms = {a["alarm_name"]: a for a in synth.resources("aws_cloudwatch_metric_alarm").values()}
    for what, metric_name in (
        ("web-no-healthy-targets", "HealthyHostCount"),
        ("web-unhealthy-targets", "UnHealthyHostCount"),
    ):
        *groups, total = alarms[f"voting-app-{env}-{what}"]["metric_query"]
        assert [g["metric"]["dimensions"]["TargetGroup"] for g in groups] == [
            "${aws_lb_target_group.web_targets.arn_suffix}",
            "${aws_lb_target_group.web_targets_alt.arn_suffix}",
        ]
        assert {g["metric"]["metric_name"] for g in groups} == {metric_name}
        assert total["expression"] == "FILL(group1, 0) + FILL(group2, 0)"
        assert total["return_data"] is True


@pytest.mark.parametrize("variant", ["synth_dev", "synth_tls", "synth_one_az"])
def test_dev_web_rolls_and_says_so(request, variant):
    """Without `strategy` the provider keeps whatever AWS has (the block is computed): a service
    once blue/green would stay so with no diff."""
    synth = request.getfixturevalue(variant)
    web = synth.resource("aws_ecs_service", "web_service")
    assert web["deployment_configuration"] == {"strategy": "ROLLING"}
    for key in ("alarms", "timeouts"):
        assert key not in web, key
    # blue/green-ready: switching is a change of strategy only
    assert web["load_balancer"][0]["advanced_configuration"]["alternate_target_group_arn"] == (
        "${aws_lb_target_group.web_targets_alt.arn}"
    )


@pytest.mark.parametrize("variant", ["synth_dev", "synth_prod_fargate"])
def test_redis_keeps_a_rolling_single_writer_deployment(request, variant):
    redis = request.getfixturevalue(variant).resource("aws_ecs_service", "redis_service")
    assert redis["deployment_configuration"] == {"strategy": "ROLLING"}
    assert redis["deployment_circuit_breaker"] == {"enable": True, "rollback": True}
    assert redis["deployment_minimum_healthy_percent"] == 0
    assert redis["deployment_maximum_percent"] == 100


def test_bad_blue_green_settings_stop_synth():
    with pytest.raises(
        SettingsError, match="setting 'web_bake_minutes' = 2 is invalid: blue_green must bake"
    ):
        _settings("prod", web_bake_minutes=2)
    with pytest.raises(
        SettingsError,
        match="setting 'web_deployment' = 'blue_green' is invalid: blue_green moves one listener",
    ):
        _settings("prod", domain_name="vote.example.com", hosted_zone_id="Z0123")
    # TLS only: one listener, blue/green is fine
    _settings("prod", domain_name="vote.example.com", hosted_zone_id="Z0123", http_listener=False)


def _switch(variant: str, **changes):
    """What changing `variant`'s settings does to each resource that changes at all."""
    before = variant_settings(variant)
    old = _synth(before).data
    new = _synth(dataclasses.replace(before, **changes)).data
    return {c.address: c for c in resource_changes(old, new) if c.action != "unchanged"}


SWITCHES = {
    "rolling to blue/green": ("synth_dev", {"web_deployment": "blue_green"}),
    "blue/green to rolling": ("synth_prod", {"web_deployment": "rolling"}),
    "HTTPS under blue/green": (
        "synth_prod",
        {
            "domain_name": "vote.example.com",
            "certificate_arn": "arn:aws:acm:us-west-2:123456789012:certificate/abc",
            "http_listener": False,
        },
    ),
}


@pytest.mark.parametrize("switch", SWITCHES)
def test_switches_update_in_place_and_need_nothing_ignore_changes_hides(switch):
    variant, changes = SWITCHES[switch]
    changed = _switch(variant, **changes)
    kept = {
        "aws_ecs_service.web_service",
        "aws_lb_listener.web_listener",
        "aws_lb_target_group.web_targets_alt",
    }
    for address in kept:
        change = changed.get(address)
        assert change is None or change.action == "update", change
        hidden = ("load_balancer", "default_action")
        assert change is None or not [p for p in change.changed if p.startswith(hidden)]
    # Only a new task definition may come with it (with HTTPS the app learns its domain): a
    # deploy, not a replacement of what ECS or the NLB hold.
    replaced = [c for c in changed.values() if c.action == "replace"]
    assert [c.address for c in replaced] in ([], ["aws_ecs_task_definition.web_task"])


def test_https_under_blue_green_keeps_the_listener_ecs_moves(synth_prod):
    changed = _switch("synth_prod", **SWITCHES["HTTPS under blue/green"][1])
    listener = changed["aws_lb_listener.web_listener"]
    assert listener.action == "update"
    assert {"port", "protocol", "certificate_arn", "ssl_policy"} <= set(listener.changed)


def test_strategy_switches_flip_the_strategy(synth_dev, synth_prod):
    to_blue_green = _switch("synth_dev", web_deployment="blue_green")
    assert (
        "deployment_configuration.strategy" in to_blue_green["aws_ecs_service.web_service"].changed
    )
    assert set(to_blue_green) <= {
        "aws_ecs_service.web_service",
        "aws_cloudwatch_metric_alarm.monitoring_web_no_healthy_targets",
        "aws_cloudwatch_metric_alarm.monitoring_web_unhealthy_targets",
        "aws_cloudwatch_dashboard.dashboard_dashboard",
    }


def test_task_definition_revisions_are_kept_for_a_manual_rollback(any_synth):
    """Without skip_destroy each new revision deregisters the one before, and AWS will not run
    an INACTIVE revision again."""
    assert_every(any_synth.data, "aws_ecs_task_definition", {"skip_destroy": True})


def test_the_rollback_recipe_states_the_stacks_own_timing(synth_prod):
    """docs/day-two-deployments.md: how long a blue/green release takes to become final."""
    import re

    from infra.fargate_service import NLB_BLUE_GREEN_DELAY_MINUTES
    from toolchain.project import PROJECT_DIR

    text = (PROJECT_DIR / "docs" / "day-two-deployments.md").read_text(encoding="utf-8")
    (shown,) = re.findall(r"<!-- bg-minutes -->(\d+)\s+minutes<!-- /bg-minutes -->", text)
    bake = int(
        synth_prod.resource("aws_ecs_service", "web_service")["deployment_configuration"][
            "bake_time_in_minutes"
        ]
    )
    assert int(shown) == bake + NLB_BLUE_GREEN_DELAY_MINUTES


# What stacks deployed before the production listener got its stable id hold in their state
# (git 1841a08 and earlier named every listener by its port); literal, not derived from the code.
EARLIER_PRODUCTION_LISTENERS = {
    "synth_dev": {"web": "web_listener_80", "redis": "redis_listener_6379"},
    "synth_prod_fargate": {"web": "web_listener_80", "redis": "redis_listener_6379"},
    "synth_tls": {"web": "web_listener_443", "redis": "redis_listener_6379"},
    "synth_tls_only": {"web": "web_listener_443", "redis": "redis_listener_6379"},
}


@pytest.mark.parametrize("variant", EARLIER_PRODUCTION_LISTENERS)
def test_a_stack_deployed_before_the_stable_listener_id_keeps_its_listeners(request, variant):
    """Without a `moved` block Terraform would destroy the port-named listener and create
    `listener` on the same port (a collision, then an outage; under blue/green ECS would keep the
    deleted ARN as its production listener, which `ignore_changes` hides)."""
    synth = request.getfixturevalue(variant)
    earlier = EARLIER_PRODUCTION_LISTENERS[variant]
    moved = {block["from"]: block["to"] for block in synth.data.get("moved", [])}
    for service, old_id in earlier.items():
        assert moved.get(f"aws_lb_listener.{old_id}") == f"aws_lb_listener.{service}_listener"
    # Applied over the same stack as it was named then, nothing is destroyed or created.
    old = json.loads(synth.text)
    old.pop("moved")
    listeners = old["resource"]["aws_lb_listener"]
    renames = {f"{service}_listener": old_id for service, old_id in earlier.items()}
    for new_id, old_id in renames.items():
        listeners[old_id] = listeners.pop(new_id)
    text = json.dumps(old)
    for new_id, old_id in renames.items():
        text = text.replace(f"aws_lb_listener.{new_id}.", f"aws_lb_listener.{old_id}.")
        text = text.replace(f'"aws_lb_listener.{new_id}"', f'"aws_lb_listener.{old_id}"')
    old = json.loads(text)
    changes = [c for c in resource_changes(old, synth.data) if c.action != "unchanged"]
    assert [c for c in changes if c.action != "update"] == []
    # Updated only in the text of a reference to the listener (the ARN it resolves to is the
    # same); the review compares the text.
    for change in changes:
        kind, name = change.address.split(".")
        referenced = json.dumps(old["resource"][kind][name])
        assert any(f"aws_lb_listener.{old_id}." in referenced for old_id in earlier.values())


def test_reverting_the_frontend_brings_back_the_stack_as_it_was(synth_prod):
    """docs/day-two-deployments.md, "the lasting way": the stack is a function of the
    frontend's content hash, so reverting the frontend commit synthesizes exactly the stack
    before the bad release; applying it builds and pushes the image again, registers a new
    revision (the bad one stays, skip_destroy) and updates the service in place."""
    import hashlib

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(
            "infra.registry.source_hash", lambda context: hashlib.sha256(b"bad release").hexdigest()
        )
        bad = _synth(variant_settings("synth_prod"))
    assert bad.text != synth_prod.text
    reverted = _synth(variant_settings("synth_prod"))
    assert reverted.text == synth_prod.text
    changes = {c.address: c for c in resource_changes(bad.data, reverted.data)}
    acted = {a: c.action for a, c in changes.items() if c.action != "unchanged"}
    assert acted == {
        "terraform_data.registry_build": "replace",
        "docker_image.registry_image": "replace",
        "docker_registry_image.registry_push": "replace",
        "aws_ecs_task_definition.web_task": "replace",
        "aws_ecs_service.web_service": "update",
    }
    ((changed),) = changes["aws_ecs_service.web_service"].changed
    assert changed.startswith("task_definition ")
    assert reverted.resource("aws_ecs_task_definition", "web_task")["skip_destroy"] is True


def _shown(text: str, marker: str) -> int:
    import re

    (value,) = re.findall(rf"<!-- {marker} -->(\d+)[^<]*<!-- /{marker} -->", text)
    return int(value)


def test_the_rollback_recipe_states_the_rolling_timing_of_the_stack(synth_dev):
    """docs/day-two-deployments.md: how long a rolling rollback takes, from the stack's own
    health check, grace period and deregistration delay."""
    from toolchain.project import PROJECT_DIR

    text = (PROJECT_DIR / "docs" / "day-two-deployments.md").read_text(encoding="utf-8")
    group = synth_dev.resource("aws_lb_target_group", "web_targets")
    check = group["health_check"]
    assert _shown(text, "healthy-seconds") == check["healthy_threshold"] * check["interval"]
    assert _shown(text, "unhealthy-seconds") == check["unhealthy_threshold"] * check["interval"]
    assert _shown(text, "drain-seconds") == int(group["deregistration_delay"])
    service = synth_dev.resource("aws_ecs_service", "web_service")
    assert _shown(text, "grace-seconds") == service["health_check_grace_period_seconds"]


def test_https_with_http_kept_moves_the_production_listener_and_adds_port_80(synth_dev):
    """Rolling, HTTP -> HTTPS keeping plain HTTP: the listener that had port 80 becomes the TLS
    one in place, and the new plain listener takes port 80 only after it has left it."""
    changed = _switch(
        "synth_dev",
        domain_name="vote.example.com",
        certificate_arn="arn:aws:acm:us-west-2:123456789012:certificate/abc",
    )
    listeners = {a: c.action for a, c in changed.items() if a.startswith("aws_lb_listener.")}
    assert listeners == {
        "aws_lb_listener.web_listener": "update",
        "aws_lb_listener.web_listener_80": "create",
    }
    assert {"port", "protocol", "certificate_arn"} <= {
        path.split(" ")[0] for path in changed["aws_lb_listener.web_listener"].changed
    }
    after = _synth(
        dataclasses.replace(
            variant_settings("synth_dev"),
            domain_name="vote.example.com",
            certificate_arn="arn:aws:acm:us-west-2:123456789012:certificate/abc",
        )
    )
    plain = after.resource("aws_lb_listener", "web_listener_80")
    assert plain["port"] == 80
    assert plain["depends_on"] == ["aws_lb_listener.web_listener"]
    assert after.resource("aws_lb_listener", "web_listener")["port"] == 443


def test_a_container_port_change_needs_the_replacements_the_recipe_names(synth_prod):
    """docs/day-two-deployments.md, "Changing the web container port": both target groups are
    replaced (their port), while ignore_changes keeps the listener and the service's load
    balancer on the old groups, so a plain apply cannot finish; the recipe replaces the
    listener and the service in the same apply."""
    from toolchain.project import PROJECT_DIR

    changed = _switch("synth_prod", web_container_port=9000)
    assert changed["aws_lb_target_group.web_targets"].action == "replace"
    assert changed["aws_lb_target_group.web_targets_alt"].action == "replace"
    # hidden from Terraform: the listener does not change, the service only its task definition
    assert "aws_lb_listener.web_listener" not in changed
    assert [p.split(" ")[0] for p in changed["aws_ecs_service.web_service"].changed] == [
        "task_definition"
    ]
    text = (PROJECT_DIR / "docs" / "day-two-deployments.md").read_text(encoding="utf-8")
    assert "-replace=aws_lb_listener.web_listener -replace=aws_ecs_service.web_service" in text
    # what the recipe relies on: new groups exist before the old listener goes, the new listener
    # forwards to them, and the new service is created after the new listener
    for group in ("web_targets", "web_targets_alt"):
        target_group = synth_prod.resource("aws_lb_target_group", group)
        assert target_group["lifecycle"] == {"create_before_destroy": True}
    listener = json.dumps(synth_prod.resource("aws_lb_listener", "web_listener"))
    assert "${aws_lb_target_group.web_targets_alt.arn}" in listener
    service = synth_prod.resource("aws_ecs_service", "web_service")
    assert "aws_lb_listener.web_listener" in service["depends_on"]
