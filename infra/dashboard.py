"""The console view: one CloudWatch dashboard per environment."""

from __future__ import annotations

import json

from infra.cache import ManagedRedis
from infra.fargate_service import FargateService
from infra.monitoring import LOG_METRICS, Monitoring
from infra.redis import FargateRedis, RedisBackend
from toolchain.providers import CloudwatchDashboard, Construct

# A dashboard is 24 columns wide; two graphs a row.
WIDTH = 12
HEIGHT = 6


class Dashboard(Construct):
    """`<name>`: the alarms' states on top, then for each service its task counts, CPU and
    memory, its NLB's healthy hosts and flows, Redis health (EFS or the cache nodes), and the
    app's own error counts from its logs."""

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        name: str,
        region: str,
        cluster_name: str,
        web: FargateService,
        redis: RedisBackend,
        monitoring: Monitoring,
    ) -> None:
        """Create the dashboard `name` in `region`, showing `monitoring`'s alarms and metrics."""
        super().__init__(scope, id)
        self._region = region
        self._widgets: list[dict] = []
        self._add(
            {
                "type": "alarm",
                "width": 2 * WIDTH,
                "height": 4,
                "properties": {
                    "title": "Alarms",
                    "alarms": [alarm.arn for alarm in monitoring.alarms.values()],
                    "sortBy": "stateUpdatedTimestamp",
                },
            }
        )
        services = [("web", web)] + ([("redis", redis)] if isinstance(redis, FargateRedis) else [])
        for role, service in services:
            self._service(role, service, cluster_name)
        for role, service in services:
            self._load_balancer(role, service)
        if isinstance(redis, FargateRedis):
            file_system = ["FileSystemId", redis.storage.file_system.id]
            self._graph(
                "Redis storage (EFS)",
                [
                    ["AWS/EFS", "PercentIOLimit", *file_system, {"stat": "Maximum"}],
                    ["AWS/EFS", "ClientConnections", *file_system, {"stat": "Sum"}],
                ],
            )
        elif isinstance(redis, ManagedRedis):
            self._cache(redis)
        self._graph(
            "App errors (from the web log)",
            [[monitoring.log_namespace, metric, {"stat": "Sum"}] for metric in LOG_METRICS],
        )
        self.dashboard = CloudwatchDashboard(
            self,
            "dashboard",
            dashboard_name=name,
            dashboard_body=json.dumps({"widgets": self._widgets}),
        )

    def _add(self, widget: dict) -> None:
        self._widgets.append(widget)

    def _graph(self, title: str, metrics: list[list]) -> None:
        self._add(
            {
                "type": "metric",
                "width": WIDTH,
                "height": HEIGHT,
                "properties": {
                    "title": title,
                    "region": self._region,
                    "view": "timeSeries",
                    "period": 60,
                    "metrics": metrics,
                },
            }
        )

    def _service(self, role: str, service: FargateService, cluster_name: str) -> None:
        dimensions = ["ClusterName", cluster_name, "ServiceName", service.name]
        self._graph(
            f"{role} tasks",
            [
                ["ECS/ContainerInsights", "DesiredTaskCount", *dimensions],
                ["ECS/ContainerInsights", "RunningTaskCount", *dimensions],
            ],
        )
        self._graph(
            f"{role} CPU and memory (%)",
            [
                ["AWS/ECS", "CPUUtilization", *dimensions],
                ["AWS/ECS", "MemoryUtilization", *dimensions],
            ],
        )

    def _load_balancer(self, role: str, service: FargateService) -> None:
        balancer = ["LoadBalancer", service.lb.arn_suffix]
        # Both groups of a blue/green service: the traffic moves between them.
        self._graph(
            f"{role} NLB targets",
            [
                ["AWS/NetworkELB", metric, *balancer, "TargetGroup", group.arn_suffix, stat]
                for group in service.target_groups
                for metric, stat in (
                    ("HealthyHostCount", {"stat": "Minimum"}),
                    ("UnHealthyHostCount", {"stat": "Maximum"}),
                )
            ],
        )
        self._graph(
            f"{role} NLB flows",
            [
                ["AWS/NetworkELB", "ActiveFlowCount", *balancer],
                ["AWS/NetworkELB", "NewFlowCount", *balancer, {"stat": "Sum"}],
            ],
        )

    def _cache(self, cache: ManagedRedis) -> None:
        nodes = cache.node_ids
        for title, metric, stat in (
            ("Cache engine CPU (%)", "EngineCPUUtilization", "Average"),
            ("Cache memory used (%)", "DatabaseMemoryUsagePercentage", "Maximum"),
            ("Cache connections", "CurrConnections", "Maximum"),
            ("Cache evictions", "Evictions", "Sum"),
        ):
            self._graph(
                title,
                [
                    ["AWS/ElastiCache", metric, "CacheClusterId", node, {"stat": stat}]
                    for node in nodes
                ],
            )
