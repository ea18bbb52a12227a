"""The dashboard: alarms' states, task counts, CPU and memory, NLB hosts and flows, Redis health."""

import json

import pytest


def _widgets(synth) -> list[dict]:
    (dashboard,) = synth.resources("aws_cloudwatch_dashboard").values()
    return json.loads(dashboard["dashboard_body"])["widgets"]


def _graphs(synth) -> dict[str, list[list]]:
    return {
        w["properties"]["title"]: w["properties"]["metrics"]
        for w in _widgets(synth)
        if w["type"] == "metric"
    }


@pytest.mark.parametrize("variant", ["synth_dev", "synth_prod"])
def test_dashboard_shows_every_alarm(request, variant):
    synth = request.getfixturevalue(variant)
    (dashboard,) = synth.resources("aws_cloudwatch_dashboard").values()
    assert dashboard["dashboard_name"] in ("voting-app-dev", "voting-app-prod")
    alarm_widget = _widgets(synth)[0]
    assert alarm_widget["type"] == "alarm"
    assert sorted(alarm_widget["properties"]["alarms"]) == sorted(
        f"${{aws_cloudwatch_metric_alarm.{name}.arn}}"
        for name in synth.resources("aws_cloudwatch_metric_alarm")
    )
    for widget in _widgets(synth)[1:]:
        assert widget["properties"]["region"] == "us-west-2"


def test_fargate_backend_graphs(synth_dev):
    graphs = _graphs(synth_dev)
    assert set(graphs) == {
        "web tasks",
        "web CPU and memory (%)",
        "redis tasks",
        "redis CPU and memory (%)",
        "web NLB targets",
        "web NLB flows",
        "redis NLB targets",
        "redis NLB flows",
        "Redis storage (EFS)",
        "App errors (from the web log)",
    }
    service = ["ClusterName", "${aws_ecs_cluster.cluster.name}"]
    assert graphs["redis tasks"] == [
        [
            "ECS/ContainerInsights",
            "DesiredTaskCount",
            *service,
            "ServiceName",
            "voting-app-dev-redis",
        ],
        [
            "ECS/ContainerInsights",
            "RunningTaskCount",
            *service,
            "ServiceName",
            "voting-app-dev-redis",
        ],
    ]
    # Both groups of web: blue/green-ready, traffic may be in either.
    healthy, unhealthy, alt_healthy, alt_unhealthy = graphs["web NLB targets"]
    assert healthy[:2] == ["AWS/NetworkELB", "HealthyHostCount"]
    assert unhealthy[:2] == ["AWS/NetworkELB", "UnHealthyHostCount"]
    assert healthy[2:6] == [
        "LoadBalancer",
        "${aws_lb.web_lb.arn_suffix}",
        "TargetGroup",
        "${aws_lb_target_group.web_targets.arn_suffix}",
    ]
    assert alt_healthy[5] == "${aws_lb_target_group.web_targets_alt.arn_suffix}"
    assert [m[1] for m in graphs["redis NLB flows"]] == ["ActiveFlowCount", "NewFlowCount"]
    assert graphs["Redis storage (EFS)"][0][:4] == [
        "AWS/EFS",
        "PercentIOLimit",
        "FileSystemId",
        "${aws_efs_file_system.redis_storage_file_system.id}",
    ]
    assert graphs["App errors (from the web log)"] == [
        ["voting-app-dev", "RedisUnavailable", {"stat": "Sum"}],
        ["voting-app-dev", "Http5xx", {"stat": "Sum"}],
        ["voting-app-dev", "Http500", {"stat": "Sum"}],
        ["voting-app-dev", "RedisFull", {"stat": "Sum"}],
    ]


def test_elasticache_backend_graphs_each_node(synth_prod):
    graphs = _graphs(synth_prod)
    assert not any(title.startswith("redis") for title in graphs)
    group = "${aws_elasticache_replication_group.cache_group.replication_group_id}"
    for title in (
        "Cache engine CPU (%)",
        "Cache memory used (%)",
        "Cache connections",
        "Cache evictions",
    ):
        assert [m[3] for m in graphs[title]] == [f"{group}-001", f"{group}-002"], title
