"""An estimated monthly cost of a stack, per concern, from the dated price table."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from .prices import (
    CONTAINER_INSIGHTS_METRICS,
    EFS_GB_ASSUMED,
    HOURS_PER_MONTH,
    PRICES_DATE,
    REGIONS,
    VALKEY_NODE_FACTOR,
)
from .sizing import Sizing
from .stack import Stack

H = HOURS_PER_MONTH


@dataclass(frozen=True)
class CostLine:
    """One priced item: what, how many, and its monthly cost in US dollars."""

    concern: str
    item: str
    quantity: str
    monthly: float


@dataclass
class Cost:
    """The priced items of one stack and what the table could not price."""

    region: str
    lines: list[CostLine] = field(default_factory=list)
    unpriced: list[str] = field(default_factory=list)
    date: str = PRICES_DATE

    @property
    def total(self) -> float:
        return sum(line.monthly for line in self.lines)

    def by_concern(self) -> dict[str, float]:
        """Monthly cost per concern, largest first."""
        totals: dict[str, float] = defaultdict(float)
        for line in self.lines:
            totals[line.concern] += line.monthly
        return dict(sorted(totals.items(), key=lambda item: -item[1]))


def estimate_cost(stack: Stack, sizing: Sizing) -> Cost:
    """Price what the stack runs around the clock; what the table lacks is listed, not zero."""
    cost = Cost(region=stack.region or "?")
    prices = REGIONS.get(stack.region)
    if prices is None:
        cost.unpriced.append(
            f"everything: no prices for region `{stack.region or '?'}` "
            f"(the table has {', '.join(REGIONS)})"
        )
        return cost
    add = cost.lines.append
    for service in sizing.services:
        if not service.fargate or service.vcpu is None or service.memory_gb is None:
            cost.unpriced.append(f"`{service.address}`: not a Fargate service of literal size")
            continue
        hourly = (
            service.vcpu * prices.fargate_vcpu_hour + service.memory_gb * prices.fargate_gb_hour
        )
        add(
            CostLine(
                "services",
                f"`{service.address}` Fargate",
                f"{service.desired} × {service.vcpu:g} vCPU / {service.memory_gb:g} GB",
                service.desired * hourly * H,
            )
        )
    for cluster, services in sizing.clusters_with_insights:
        metrics = (
            CONTAINER_INSIGHTS_METRICS["cluster"] + services * CONTAINER_INSIGHTS_METRICS["service"]
        )
        add(
            CostLine(
                "services",
                f"`{cluster}` Container Insights",
                f"{metrics} metrics",
                metrics * prices.custom_metric_month,
            )
        )
    if sizing.nat_gateways:
        count = len(sizing.nat_gateways)
        add(CostLine("network", "NAT gateways", str(count), count * prices.nat_gateway_hour * H))
    for address, public, _zones in sizing.load_balancers:
        scheme = "internet-facing" if public else "internal"
        add(CostLine("network", f"`{address}` ({scheme})", "1", prices.load_balancer_hour * H))
    addresses = sum(count for _, count in sizing.public_ipv4)
    if addresses:
        holders = ", ".join(f"`{a}` {n}" for a, n in sizing.public_ipv4)
        add(
            CostLine(
                "network",
                "public IPv4 addresses",
                f"{addresses} ({holders})",
                addresses * prices.public_ipv4_hour * H,
            )
        )
    interface = [e for e in sizing.endpoints if e.kind == "Interface"]
    if interface:
        zones = sum(e.zones for e in interface)
        add(
            CostLine(
                "network",
                "interface VPC endpoints",
                f"{len(interface)} × AZs = {zones} ({', '.join(e.service for e in interface)})",
                zones * prices.endpoint_az_hour * H,
            )
        )
    for cache in sizing.caches:
        node = prices.cache_node_hour.get(cache.node_type)
        if node is None:
            cost.unpriced.append(f"`{cache.address}`: no price for node type {cache.node_type}")
            continue
        factor = VALKEY_NODE_FACTOR if cache.engine == "valkey" else 1.0
        add(
            CostLine(
                "cache",
                f"`{cache.address}` ({cache.engine})",
                f"{cache.nodes} × {cache.node_type}",
                cache.nodes * node * factor * H,
            )
        )
    for file_system in sizing.file_systems:
        add(
            CostLine(
                "storage",
                f"`{file_system}` EFS Standard",
                f"{EFS_GB_ASSUMED} GB assumed",
                EFS_GB_ASSUMED * prices.efs_standard_gb_month,
            )
        )
    metrics = sum(_alarm_metrics(a.body) for a in stack.of_type("aws_cloudwatch_metric_alarm"))
    if metrics:
        alarms = len(stack.of_type("aws_cloudwatch_metric_alarm"))
        add(
            CostLine(
                "alarms",
                "CloudWatch alarms",
                f"{alarms} alarms, {metrics} metrics",
                metrics * prices.alarm_metric_month,
            )
        )
    dashboards = len(stack.of_type("aws_cloudwatch_dashboard"))
    if dashboards:
        add(
            CostLine(
                "logs",
                "CloudWatch dashboards",
                str(dashboards),
                dashboards * prices.dashboard_month,
            )
        )
    keys = len(stack.of_type("aws_kms_key"))
    if keys:
        add(CostLine("security", "KMS keys", str(keys), keys * prices.kms_key_month))
    return cost


def _alarm_metrics(body: dict) -> int:
    """An alarm is billed per metric it reads: one, or each metric of its metric math."""
    queries = body.get("metric_query") or []
    return sum(1 for q in queries if isinstance(q, dict) and q.get("metric")) or 1
