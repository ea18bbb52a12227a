"""Monitoring: the encrypted alarm topic, its policy, subscriptions and every alarm."""

import json

import pytest

from tests.helpers import assert_resource

ACCOUNT = "${data.aws_caller_identity.encryption_account.account_id}"
PARTITION = "${data.aws_partition.encryption_partition.partition}"
REGION = "${data.aws_region.encryption_region.region}"
TOPIC = "${aws_sns_topic.monitoring_topic.arn}"

WEB_ALARMS = {
    "web-tasks-below-desired",
    "web-cpu-high",
    "web-memory-high",
    "web-no-healthy-targets",
    "web-unhealthy-targets",
    "web-redis-unavailable",
    "web-http-5xx",
    "web-http-500",
    "web-redis-full",
}
FARGATE_REDIS_ALARMS = {
    "redis-tasks-below-desired",
    "redis-cpu-high",
    "redis-memory-high",
    "redis-no-healthy-targets",
    "redis-storage-io-limit",
}
CACHE_ALARMS = {"cache-cpu-high", "cache-memory-high", "cache-evictions"}


def _alarms(synth, env: str) -> dict[str, dict]:
    """Alarms by the part of their name after `voting-app-<env>-`."""
    prefix = f"voting-app-{env}-"
    alarms = {}
    for alarm in synth.resources("aws_cloudwatch_metric_alarm").values():
        assert alarm["alarm_name"].startswith(prefix), alarm["alarm_name"]
        alarms[alarm["alarm_name"].removeprefix(prefix)] = alarm
    return alarms


def test_topic_is_encrypted_with_the_stack_key(any_synth):
    (topic,) = any_synth.resources("aws_sns_topic").values()
    assert topic["kms_master_key_id"] == "${aws_kms_key.encryption_key.arn}"
    assert topic["name"].endswith("-alarms")


def test_topic_policy_lets_only_this_accounts_alarms_publish(synth_dev):
    policy = synth_dev.resource("aws_sns_topic_policy", "monitoring_topic_policy")
    assert policy["arn"] == TOPIC
    (statement,) = json.loads(policy["policy"])["Statement"]
    assert statement == {
        "Sid": "CloudWatchAlarmsOfThisStack",
        "Effect": "Allow",
        "Principal": {"Service": "cloudwatch.amazonaws.com"},
        "Action": "sns:Publish",
        "Resource": TOPIC,
        "Condition": {
            "StringEquals": {"aws:SourceAccount": ACCOUNT},
            "ArnLike": {
                "aws:SourceArn": f"arn:{PARTITION}:cloudwatch:{REGION}:{ACCOUNT}:"
                "alarm:voting-app-dev-*"
            },
        },
    }


def test_key_lets_cloudwatch_encrypt_for_the_alarm_topic_only(synth_dev):
    key = synth_dev.resource("aws_kms_key", "encryption_key")
    statements = {s["Sid"]: s for s in json.loads(key["policy"])["Statement"]}
    grant = statements["CloudWatchAlarmsPublishToTheAlarmTopic"]
    assert grant["Principal"] == {"Service": "cloudwatch.amazonaws.com"}
    assert grant["Action"] == ["kms:Decrypt", "kms:GenerateDataKey*"]
    assert grant["Condition"] == {
        "StringEquals": {
            "aws:SourceAccount": ACCOUNT,
            "kms:EncryptionContext:aws:sns:topicArn": (
                f"arn:{PARTITION}:sns:{REGION}:{ACCOUNT}:voting-app-dev-alarms"
            ),
        }
    }


def test_email_subscriptions_come_from_the_setting(synth_s3, synth_prod):
    emails = {
        (s["topic_arn"], s["protocol"], s["endpoint"])
        for s in synth_s3.resources("aws_sns_topic_subscription").values()
    }
    assert emails == {(TOPIC, "email", "ops@example.com"), (TOPIC, "email", "oncall@example.com")}
    assert not synth_prod.resources("aws_sns_topic_subscription")


@pytest.mark.parametrize(
    ("variant", "env", "expected"),
    [
        ("synth_dev", "dev", WEB_ALARMS | FARGATE_REDIS_ALARMS),
        ("synth_prod_fargate", "prod", WEB_ALARMS | FARGATE_REDIS_ALARMS),
        # prod's cache fails over between two nodes: the replica's lag is watched too
        ("synth_prod", "prod", WEB_ALARMS | CACHE_ALARMS | {"cache-replication-lag"}),
    ],
)
def test_each_backend_has_its_alarms_each_saying_what_to_check(request, variant, env, expected):
    alarms = _alarms(request.getfixturevalue(variant), env)
    assert set(alarms) == expected
    for what, alarm in alarms.items():
        assert "Check first:" in alarm["alarm_description"], what
        # actions stay enabled (paging off means no action, not a muted alarm)
        assert alarm.get("actions_enabled", True) is True, what


def test_prod_pages_the_topic_and_dev_does_not(synth_prod, synth_dev):
    for what, alarm in _alarms(synth_prod, "prod").items():
        assert alarm["alarm_actions"] == [TOPIC], what
        assert alarm["ok_actions"] == [TOPIC], what
        assert alarm["evaluation_periods"] == alarm["datapoints_to_alarm"], what
    for what, alarm in _alarms(synth_dev, "dev").items():
        assert "alarm_actions" not in alarm and "ok_actions" not in alarm, what


def test_tasks_below_desired_compares_container_insights_counts(synth_prod):
    alarm = _alarms(synth_prod, "prod")["web-tasks-below-desired"]
    desired, running, difference = alarm["metric_query"]
    dimensions = {
        "ClusterName": "${aws_ecs_cluster.cluster.name}",
        # written out, not referenced: the service depends on its rollback alarms
        "ServiceName": "voting-app-prod-web",
    }
    for query, metric_name in ((desired, "DesiredTaskCount"), (running, "RunningTaskCount")):
        assert query["metric"]["namespace"] == "ECS/ContainerInsights"
        assert query["metric"]["metric_name"] == metric_name
        assert query["metric"]["dimensions"] == dimensions
    assert difference["expression"] == f"{desired['id']} - {running['id']}"
    assert difference["return_data"] is True
    assert alarm["comparison_operator"] == "GreaterThanOrEqualToThreshold"
    assert alarm["threshold"] == 1 and alarm["evaluation_periods"] == 5


@pytest.mark.parametrize(
    ("variant", "env", "percent"), [("synth_dev", "dev", 90), ("synth_prod_fargate", "prod", 80)]
)
def test_cpu_and_memory_thresholds_follow_the_profile(request, variant, env, percent):
    alarms = _alarms(request.getfixturevalue(variant), env)
    for role in ("web", "redis"):
        for what, metric_name in (("cpu", "CPUUtilization"), ("memory", "MemoryUtilization")):
            alarm = alarms[f"{role}-{what}-high"]
            assert alarm["namespace"] == "AWS/ECS"
            assert alarm["metric_name"] == metric_name
            assert alarm["statistic"] == "Average"
            assert alarm["dimensions"]["ServiceName"] == f"voting-app-{env}-{role}"
            assert alarm["threshold"] == percent
            assert alarm["comparison_operator"] == "GreaterThanOrEqualToThreshold"


def test_nlb_alarms_watch_the_target_groups(synth_dev):
    """Redis has one group; web's two are added up (tests/test_deployments.py)."""
    alarms = _alarms(synth_dev, "dev")
    for role in ("redis",):
        none = alarms[f"{role}-no-healthy-targets"]
        assert none["namespace"] == "AWS/NetworkELB"
        assert none["metric_name"] == "HealthyHostCount"
        assert none["statistic"] == "Minimum"
        assert none["comparison_operator"] == "LessThanThreshold" and none["threshold"] == 1
        assert none["treat_missing_data"] == "breaching"
        assert none["dimensions"] == {
            "LoadBalancer": f"${{aws_lb.{role}_lb.arn_suffix}}",
            "TargetGroup": f"${{aws_lb_target_group.{role}_targets.arn_suffix}}",
        }
    unhealthy = alarms["web-unhealthy-targets"]
    assert {q["metric"]["metric_name"] for q in unhealthy["metric_query"] if "metric" in q} == {
        "UnHealthyHostCount"
    }
    assert unhealthy["threshold"] == 1


def test_efs_alarm_watches_the_io_limit(synth_dev):
    alarm = _alarms(synth_dev, "dev")["redis-storage-io-limit"]
    assert alarm["namespace"] == "AWS/EFS"
    assert alarm["metric_name"] == "PercentIOLimit"
    assert alarm["dimensions"] == {
        "FileSystemId": "${aws_efs_file_system.redis_storage_file_system.id}"
    }
    assert alarm["threshold"] == 90


def test_cache_alarms_take_the_highest_node(synth_prod):
    alarms = _alarms(synth_prod, "prod")
    group = "${aws_elasticache_replication_group.cache_group.replication_group_id}"
    expected = {
        "cache-cpu-high": ("EngineCPUUtilization", 80),
        "cache-memory-high": ("DatabaseMemoryUsagePercentage", 80),
        "cache-evictions": ("Evictions", 1),
        "cache-replication-lag": ("ReplicationLag", 30),
    }
    for what, (metric_name, threshold) in expected.items():
        alarm = alarms[what]
        *nodes, highest = alarm["metric_query"]
        assert [n["metric"]["dimensions"] for n in nodes] == [
            {"CacheClusterId": f"{group}-001"},
            {"CacheClusterId": f"{group}-002"},
        ], what
        assert {n["metric"]["metric_name"] for n in nodes} == {metric_name}, what
        assert highest == {
            "id": "highest",
            "expression": "MAX([node1, node2])",
            "label": f"{metric_name}, highest node",
            "return_data": True,
        }, what
        assert alarm["threshold"] == threshold, what
    # one eviction already lost votes
    assert alarms["cache-evictions"]["evaluation_periods"] == 1


def test_app_log_filters_count_redis_errors_and_5xx_lines(synth_prod):
    filters = synth_prod.resources("aws_cloudwatch_log_metric_filter")
    patterns = {}
    for log_filter in filters.values():
        assert log_filter["log_group_name"] == "${aws_cloudwatch_log_group.web_logs.name}"
        transformation = log_filter["metric_transformation"]
        assert transformation["namespace"] == "voting-app-prod"
        assert transformation["value"] == "1"
        patterns[transformation["name"]] = log_filter["pattern"]
    assert patterns == {
        "RedisUnavailable": '"Redis unavailable"',
        "Http5xx": "[host, ident, user, time, request=*HTTP*, status=5*, ...]",
        "Http500": "[host, ident, user, time, request=*HTTP*, status=500, ...]",
        # What the app logs when Redis refuses a vote at maxmemory, and its readiness while full.
        "RedisFull": '"Redis full"',
    }
    alarms = _alarms(synth_prod, "prod")
    for what, metric_name, threshold in (
        ("web-redis-unavailable", "RedisUnavailable", 1),
        ("web-http-5xx", "Http5xx", 5),
        ("web-http-500", "Http500", 5),
        ("web-redis-full", "RedisFull", 1),
    ):
        assert_resource(
            synth_prod,
            "aws_cloudwatch_metric_alarm",
            {
                "alarm_name": f"voting-app-prod-{what}",
                "namespace": "voting-app-prod",
                "metric_name": metric_name,
                "statistic": "Sum",
                "period": 60,
                "threshold": threshold,
                "treat_missing_data": "notBreaching",
            },
        )
        assert alarms[what]["alarm_actions"] == [TOPIC]
