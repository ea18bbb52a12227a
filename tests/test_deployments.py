"""Deployments: web blue/green through ECS in prod (two target groups, bake time, rollback on
the web alarms), rolling in dev; Redis always rolling with the circuit breaker, one writer."""

import json

import pytest

from infra.settings import SettingsError
from tests.conftest import _settings

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
        "production_listener_rule": "${aws_lb_listener.web_listener_80.arn}",
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


def test_the_two_target_groups_are_alike_and_the_listener_is_left_to_ecs(synth_prod):
    groups = synth_prod.resources("aws_lb_target_group")
    blue, green = groups["web_targets"], groups["web_targets_alt"]
    assert blue == green
    listener = synth_prod.resource("aws_lb_listener", "web_listener_80")
    assert listener["default_action"] == [
        {"type": "forward", "target_group_arn": "${aws_lb_target_group.web_targets.arn}"}
    ]
    assert listener["lifecycle"] == {"ignore_changes": ["default_action"]}


def test_terraform_leaves_the_live_target_group_to_ecs(synth_prod, synth_dev):
    """ECS swaps which group is live on every release; an apply that sent the first group back
    would stop the groups alternating (terraform-provider-aws issue 45678)."""
    service = synth_prod.resource("aws_ecs_service", "web_service")
    assert service["lifecycle"]["ignore_changes"] == ["desired_count", "load_balancer"]
    rolling = synth_dev.resource("aws_ecs_service", "web_service")
    assert rolling["lifecycle"]["ignore_changes"] == ["desired_count"]


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
        "Resource": "${aws_lb_listener.web_listener_80.arn}",
    }


def test_target_alarms_add_up_both_groups(synth_prod):
    alarms = {
        a["alarm_name"]: a for a in synth_prod.resources("aws_cloudwatch_metric_alarm").values()
    }
    for what, metric_name in (
        ("web-no-healthy-targets", "HealthyHostCount"),
        ("web-unhealthy-targets", "UnHealthyHostCount"),
    ):
        *groups, total = alarms[f"voting-app-prod-{what}"]["metric_query"]
        assert [g["metric"]["dimensions"]["TargetGroup"] for g in groups] == [
            "${aws_lb_target_group.web_targets.arn_suffix}",
            "${aws_lb_target_group.web_targets_alt.arn_suffix}",
        ]
        assert {g["metric"]["metric_name"] for g in groups} == {metric_name}
        assert total["expression"] == "FILL(group1, 0) + FILL(group2, 0)"
        assert total["return_data"] is True


@pytest.mark.parametrize("variant", ["synth_dev", "synth_tls", "synth_one_az"])
def test_dev_web_rolls(request, variant):
    synth = request.getfixturevalue(variant)
    web = synth.resource("aws_ecs_service", "web_service")
    for key in ("deployment_configuration", "alarms", "timeouts"):
        assert key not in web, key
    assert "advanced_configuration" not in web["load_balancer"][0]
    assert "web_targets_alt" not in synth.resources("aws_lb_target_group")
    assert "web_deploy_role" not in synth.resources("aws_iam_role")


@pytest.mark.parametrize("variant", ["synth_dev", "synth_prod_fargate"])
def test_redis_keeps_a_rolling_single_writer_deployment(request, variant):
    redis = request.getfixturevalue(variant).resource("aws_ecs_service", "redis_service")
    assert "deployment_configuration" not in redis
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
