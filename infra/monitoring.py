"""Monitoring: the alarm topic, and alarms that say what broke and where to look first."""

from __future__ import annotations

import json
from collections.abc import Sequence

from infra.cache import ManagedRedis
from infra.fargate_service import FargateService
from infra.policies import Account
from infra.redis import FargateRedis, RedisBackend
from infra.settings import Settings
from infra.template import literal
from toolchain.providers import (
    CloudwatchLogMetricFilter,
    CloudwatchMetricAlarm,
    CloudwatchMetricAlarmMetricQuery,
    Construct,
    SnsTopic,
    SnsTopicPolicy,
    SnsTopicSubscription,
)

# One data point a minute: the finest period the AWS/ECS, NLB and log metrics have by default.
PERIOD = 60
# The app's warning when a Redis call fails (frontend/app/views.py); its wording is the filter.
REDIS_UNAVAILABLE_PATTERN = '"Redis unavailable"'
# The app's error when Redis refuses a vote at maxmemory, and its readiness log while Redis is
# that full (frontend/app/hotpaths.py, store.py): votes answer 503 until memory is freed.
REDIS_FULL_PATTERN = '"Redis full"'
# gunicorn's access log line, `host ident user [time] "request" status size ...`: the sixth
# field is the status. The request must look like HTTP, so the app's other lines never match.
HTTP_5XX_PATTERN = "[host, ident, user, time, request=*HTTP*, status=5*, ...]"
# Only 500 is the app failing by itself; its 503 means Redis is away, which a new release of
# the app neither causes nor cures.
HTTP_500_PATTERN = "[host, ident, user, time, request=*HTTP*, status=500, ...]"
# The metrics the filters count, in the namespace `<project>-<env>`.
REDIS_UNAVAILABLE_METRIC = "RedisUnavailable"
HTTP_5XX_METRIC = "Http5xx"
HTTP_500_METRIC = "Http500"
REDIS_FULL_METRIC = "RedisFull"
LOG_METRICS = (REDIS_UNAVAILABLE_METRIC, HTTP_5XX_METRIC, HTTP_500_METRIC, REDIS_FULL_METRIC)
# The log-counting alarms: their metric and pattern.
LOG_ALARMS = {
    "web-redis-unavailable": (REDIS_UNAVAILABLE_METRIC, REDIS_UNAVAILABLE_PATTERN),
    "web-http-5xx": (HTTP_5XX_METRIC, HTTP_5XX_PATTERN),
    "web-http-500": (HTTP_500_METRIC, HTTP_500_PATTERN),
    "web-redis-full": (REDIS_FULL_METRIC, REDIS_FULL_PATTERN),
}
# General Purpose EFS allows a fixed rate of file operations; near it, every Redis write waits.
EFS_IO_LIMIT_PERCENT = 90


# The web alarms that roll a blue/green release back: the release's own failures (500s, tasks
# the NLB finds unhealthy, which includes a task that cannot log in to Redis). Not 503s or
# "Redis unavailable": a blip of Redis during the bake would roll a good release back.
WEB_ROLLBACK_ALARMS = ("web-http-500", "web-unhealthy-targets")


def rollback_patterns() -> list[str]:
    """The log patterns the web rollback alarms count."""
    return [LOG_ALARMS[what][1] for what in WEB_ROLLBACK_ALARMS if what in LOG_ALARMS]


def alarm_name(name: str, what: str) -> str:
    """The alarm `<project>-<env>-<what>` of stack `name`."""
    return f"{name}-{what}"


def alarm_topic_name(name: str) -> str:
    """The SNS topic every alarm of stack `name` notifies."""
    return f"{name}-alarms"


class Monitoring(Construct):
    """An encrypted SNS topic and the alarms of one environment.

    Alarms are named `<project>-<env>-<what>`; each description says what to check first. With
    `alarm_paging` they notify the topic when they fire and when they recover; without it they
    still change state (console, dashboard) and send nothing. Watched: both services' running
    tasks, CPU and memory; the web NLB's targets; Redis (the Fargate task's NLB and EFS, or the
    ElastiCache nodes); and the app's own log lines for Redis errors and 5xx responses. A web
    service that rolls back on some of them (blue/green) is created after them.
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        settings: Settings,
        account: Account,
        kms_key_arn: str,
        cluster_name: str,
        web: FargateService,
        redis: RedisBackend,
    ) -> None:
        """Create the topic, its policy, e-mail subscriptions and every alarm.

        The key `kms_key_arn` must let CloudWatch use it for this topic (see `Encryption`).
        """
        super().__init__(scope, id)
        s = self._settings = settings
        self._name = s.name_prefix
        self._cluster_name = cluster_name
        self.log_namespace = self._name
        self.alarms: dict[str, CloudwatchMetricAlarm] = {}
        """Every alarm, by its name."""
        topic_name = alarm_topic_name(self._name)
        self.topic = SnsTopic(
            self,
            "topic",
            name=topic_name,
            display_name=f"{self._name} alarms",
            kms_master_key_id=kms_key_arn,
        )
        SnsTopicPolicy(
            self,
            "topic_policy",
            arn=self.topic.arn,
            policy=json.dumps(
                {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Sid": "CloudWatchAlarmsOfThisStack",
                            "Effect": "Allow",
                            "Principal": {"Service": "cloudwatch.amazonaws.com"},
                            "Action": "sns:Publish",
                            "Resource": self.topic.arn,
                            "Condition": {
                                "StringEquals": {"aws:SourceAccount": account.id},
                                "ArnLike": {
                                    "aws:SourceArn": account.arn(
                                        "cloudwatch", f"alarm:{self._name}-*"
                                    )
                                },
                            },
                        }
                    ],
                }
            ),
        )
        for index, email in enumerate(s.alarm_emails):
            SnsTopicSubscription(
                self,
                f"email_{index}",
                topic_arn=self.topic.arn,
                protocol="email",
                endpoint=literal(email),
            )

        self._service(web, "web")
        self._targets(web, "web", unhealthy_too=True)
        self._app_logs(web)
        self._wait_for_rollback_alarms(web)
        if isinstance(redis, FargateRedis):
            self._service(redis, "redis")
            self._targets(redis, "redis", unhealthy_too=False)
            self._storage(redis)
        elif isinstance(redis, ManagedRedis):
            self._cache(redis)
        else:
            raise ValueError(f"redis must be FargateRedis or ManagedRedis, not {type(redis)}")

    def _alarm(
        self,
        what: str,
        description: str,
        *,
        threshold: float,
        comparison: str = "GreaterThanOrEqualToThreshold",
        metric: dict | None = None,
        queries: Sequence[CloudwatchMetricAlarmMetricQuery] = (),
        minutes: int | None = None,
        missing: str = "notBreaching",
    ) -> CloudwatchMetricAlarm:
        """One alarm `<name>-<what>` on `metric` (namespace, metric_name, statistic, dimensions)
        or on metric-math `queries`, firing after `minutes` (default: `alarm_minutes`) breaching
        minutes in a row."""
        minutes = minutes or self._settings.alarm_minutes
        actions = [self.topic.arn] if self._settings.alarm_paging else None
        name = alarm_name(self._name, what)
        alarm = CloudwatchMetricAlarm(
            self,
            what.replace("-", "_"),
            alarm_name=name,
            alarm_description=description,
            comparison_operator=comparison,
            threshold=threshold,
            evaluation_periods=minutes,
            datapoints_to_alarm=minutes,
            treat_missing_data=missing,
            alarm_actions=actions,
            ok_actions=actions,
            metric_query=list(queries) or None,
            **({"period": PERIOD, **metric} if metric else {}),
        )
        self.alarms[name] = alarm
        return alarm

    def _service(self, service: FargateService, role: str) -> None:
        """Running tasks below desired; CPU and memory high."""
        s = self._settings
        # The service's name as written, not a reference: a service that rolls back on these
        # alarms depends on them, so they must not depend on it.
        dimensions = {"ClusterName": self._cluster_name, "ServiceName": service.name}

        def count(id: str, metric_name: str) -> CloudwatchMetricAlarmMetricQuery:
            return CloudwatchMetricAlarmMetricQuery(
                id=id,
                metric={
                    "namespace": "ECS/ContainerInsights",
                    "metric_name": metric_name,
                    "dimensions": dimensions,
                    "stat": "Average",
                    "period": PERIOD,
                },
            )

        self._alarm(
            f"{role}-tasks-below-desired",
            f"Fewer {role} tasks run than the service wants. Check first: the ECS service's "
            "Deployments and Events (failed health checks, circuit breaker rollback), then the "
            "'Stopped reason' of its stopped tasks (image pull, secret or mount errors).",
            threshold=1,
            queries=[
                count("desired", "DesiredTaskCount"),
                count("running", "RunningTaskCount"),
                CloudwatchMetricAlarmMetricQuery(
                    id="missing",
                    expression="desired - running",
                    label="tasks below desired",
                    return_data=True,
                ),
            ],
            # No data means Container Insights stopped reporting: not evidence of a fault.
            missing="missing",
        )
        for what, metric_name, threshold in (
            ("cpu", "CPUUtilization", s.alarm_cpu_percent),
            ("memory", "MemoryUtilization", s.alarm_memory_percent),
        ):
            self._alarm(
                f"{role}-{what}-high",
                f"{role} tasks average {metric_name} at or above {threshold} %. Check first: "
                f"the service's {what} graph against its traffic; then whether autoscaling is "
                f"at its maximum, and the task size ({role}_cpu, {role}_memory).",
                threshold=threshold,
                metric={
                    "namespace": "AWS/ECS",
                    "metric_name": metric_name,
                    "statistic": "Average",
                    "dimensions": dimensions,
                },
            )

    def _wait_for_rollback_alarms(self, service: FargateService) -> None:
        """A service that rolls back on alarms is created after them (ECS looks them up)."""
        rollback = [
            f"{alarm.terraform_resource_type}.{alarm.friendly_unique_id}"
            for alarm in (self.alarms[name] for name in service.rollback_alarms)
        ]
        if rollback:
            service.service.depends_on = [*(service.service.depends_on or []), *rollback]

    def _targets(self, service: FargateService, role: str, *, unhealthy_too: bool) -> None:
        """No healthy target behind the service's NLB (and, if asked, any unhealthy one).

        With blue/green the traffic moves between two target groups, so each alarm adds them up.
        """
        groups = [
            {"LoadBalancer": service.lb.arn_suffix, "TargetGroup": group.arn_suffix}
            for group in service.target_groups
        ]
        healthy, unhealthy = (
            self._target_metric(groups, metric_name, statistic)
            for metric_name, statistic in (
                ("HealthyHostCount", "Minimum"),
                ("UnHealthyHostCount", "Maximum"),
            )
        )
        self._alarm(
            f"{role}-no-healthy-targets",
            f"The {role} NLB has no healthy target: {role} is down for its clients. Check "
            "first: the target group's health check results, then the service's running tasks "
            "and their logs.",
            threshold=1,
            comparison="LessThanThreshold",
            # The NLB reports its targets every minute; silence means none are registered.
            missing="breaching",
            **healthy,
        )
        if unhealthy_too:
            self._alarm(
                f"{role}-unhealthy-targets",
                f"Some {role} targets fail the NLB health check. Check first: the target "
                "group's health reasons, then the 'Not ready' reason in the failing tasks' logs "
                "(the check is HTTP /readyz/lb: Redis reached once, with this task's password).",
                threshold=1,
                **unhealthy,
            )

    @staticmethod
    def _target_metric(groups: list[dict], metric_name: str, statistic: str) -> dict:
        """`metric` of one target group, or `queries` adding up several (missing counts 0)."""
        if len(groups) == 1:
            return {
                "metric": {
                    "namespace": "AWS/NetworkELB",
                    "metric_name": metric_name,
                    "statistic": statistic,
                    "dimensions": groups[0],
                }
            }
        queries = [
            CloudwatchMetricAlarmMetricQuery(
                id=f"group{index}",
                metric={
                    "namespace": "AWS/NetworkELB",
                    "metric_name": metric_name,
                    "dimensions": dimensions,
                    "stat": statistic,
                    "period": PERIOD,
                },
            )
            for index, dimensions in enumerate(groups, 1)
        ]
        total = " + ".join(f"FILL({query.id}, 0)" for query in queries)
        queries.append(
            CloudwatchMetricAlarmMetricQuery(
                id="total",
                expression=total,
                label=f"{metric_name}, all target groups",
                return_data=True,
            )
        )
        return {"queries": queries}

    def _storage(self, redis: FargateRedis) -> None:
        """The Redis EFS near its I/O limit.

        With elastic throughput (what `RedisStorage` uses) EFS has no burst credits to run out
        of; the limit left is General Purpose mode's rate of file operations.
        """
        self._alarm(
            "redis-storage-io-limit",
            f"The Redis EFS file system is at {EFS_IO_LIMIT_PERCENT} % or more of its I/O "
            "limit: Redis writes wait. Check first: the file system's PercentIOLimit and "
            "MeteredIOBytes graphs, then the Redis task's write rate (append-only file).",
            threshold=EFS_IO_LIMIT_PERCENT,
            metric={
                "namespace": "AWS/EFS",
                "metric_name": "PercentIOLimit",
                "statistic": "Maximum",
                "dimensions": {"FileSystemId": redis.storage.file_system.id},
            },
        )

    def _cache(self, cache: ManagedRedis) -> None:
        """ElastiCache: engine CPU, memory, evictions and, with failover, replica lag.

        Each metric is the highest of the nodes (`<group>-001`, `-002`): a failover swaps
        which node is primary, so no alarm names one role's node.
        """
        s = self._settings
        nodes = cache.node_ids

        def highest(metric_name: str, stat: str) -> list[CloudwatchMetricAlarmMetricQuery]:
            queries = [
                CloudwatchMetricAlarmMetricQuery(
                    id=f"node{index}",
                    metric={
                        "namespace": "AWS/ElastiCache",
                        "metric_name": metric_name,
                        "dimensions": {"CacheClusterId": node},
                        "stat": stat,
                        "period": PERIOD,
                    },
                )
                for index, node in enumerate(nodes, 1)
            ]
            ids = ", ".join(query.id for query in queries)
            queries.append(
                CloudwatchMetricAlarmMetricQuery(
                    id="highest",
                    expression=f"MAX([{ids}])",
                    label=f"{metric_name}, highest node",
                    return_data=True,
                )
            )
            return queries

        self._alarm(
            "cache-cpu-high",
            f"A cache node's engine CPU is at or above {s.alarm_cpu_percent} %. Check first: "
            "the nodes' EngineCPUUtilization and command rates, then the node type "
            "(cache_node_type).",
            threshold=s.alarm_cpu_percent,
            queries=highest("EngineCPUUtilization", "Average"),
        )
        self._alarm(
            "cache-memory-high",
            f"A cache node uses {s.alarm_memory_percent} % or more of its memory; evictions "
            "(lost votes) come next. Check first: DatabaseMemoryUsagePercentage and key count, "
            "then the node type (cache_node_type).",
            threshold=s.alarm_memory_percent,
            queries=highest("DatabaseMemoryUsagePercentage", "Maximum"),
        )
        self._alarm(
            "cache-evictions",
            "The cache evicted keys: vote counts were deleted to free memory. Check first: "
            "the nodes' memory use and key count; restore from a snapshot if counts are lost.",
            threshold=1,
            queries=highest("Evictions", "Sum"),
            # Any eviction loses votes: one minute is enough.
            minutes=1,
        )
        if cache.node_count > 1:
            self._alarm(
                "cache-replication-lag",
                f"A cache replica lags {s.alarm_replication_lag_seconds} s or more behind the "
                "primary: a failover now would lose the newest votes. Check first: the "
                "primary's write rate and network, then the replica's events.",
                threshold=s.alarm_replication_lag_seconds,
                queries=highest("ReplicationLag", "Maximum"),
            )

    def _app_logs(self, web: FargateService) -> None:
        """The app's own signals, counted from its log group: Redis errors and 5xx answers.

        The NLB works at layer 4 and never sees an HTTP status, so only the logs know.
        """
        s = self._settings
        namespace = self.log_namespace
        descriptions = {
            "web-redis-unavailable": (
                s.alarm_redis_errors_per_minute,
                "The web app logs 'Redis unavailable' (its requests fail with 503). Check "
                "first: the Redis alarms and service (or cache) state, then the web log's error "
                "text (authentication, TLS or connection refused).",
            ),
            "web-http-5xx": (
                s.alarm_http_5xx_per_minute,
                "The web access log shows 5xx answers. Check first: the web log group for the "
                "failing requests and tracebacks; a 503 with 'Redis unavailable' points to Redis.",
            ),
            "web-http-500": (
                s.alarm_http_5xx_per_minute,
                "The web app answers 500: it fails by itself, whatever Redis does (rolls a "
                "blue/green release back). Check first: the tracebacks in the web log group.",
            ),
            "web-redis-full": (
                # Any refused vote is one too many, and readiness logs it while Redis is full.
                1,
                "The web app logs 'Redis full': Redis reached maxmemory and refuses votes (503); "
                "it never evicts, so no count or token is lost. Check first: Redis memory "
                "(used_memory, key count: vote tokens live 15 minutes), then give it more "
                "memory (redis_memory, or cache_node_type).",
            ),
        }
        for what, (metric_name, pattern) in LOG_ALARMS.items():
            threshold, description = descriptions[what]
            CloudwatchLogMetricFilter(
                self,
                f"{what.replace('-', '_')}_filter",
                name=f"{self._name}-{what}",
                log_group_name=web.log_group.name,
                pattern=pattern,
                metric_transformation={
                    "namespace": namespace,
                    "name": metric_name,
                    "value": "1",
                    "unit": "Count",
                },
            )
            self._alarm(
                what,
                f"{description} Threshold: {threshold} a minute.",
                threshold=threshold,
                metric={
                    "namespace": namespace,
                    "metric_name": metric_name,
                    "statistic": "Sum",
                },
            )
