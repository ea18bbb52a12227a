"""How big the stack is: task sizes and counts, zones, NAT gateways, endpoints, cache nodes,
load balancers and public addresses, read from the JSON."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from .exposure import truthy
from .refs import is_literal
from .stack import Resource, Stack

_AWS_SERVICE = re.compile(r"^com\.amazonaws\.[a-z0-9-]+\.")


@dataclass(frozen=True)
class ServiceSize:
    """One ECS service: its task size and how many tasks run."""

    address: str
    cpu_units: int | None  # 1024 = 1 vCPU
    memory_mib: int | None
    desired: int
    minimum: int | None  # autoscaling bounds, None without a scaling target
    maximum: int | None
    fargate: bool

    @property
    def vcpu(self) -> float | None:
        return None if self.cpu_units is None else self.cpu_units / 1024

    @property
    def memory_gb(self) -> float | None:
        return None if self.memory_mib is None else self.memory_mib / 1024


@dataclass(frozen=True)
class Endpoint:
    """A VPC endpoint: interface endpoints are billed per AZ, gateway ones are free."""

    address: str
    service: str
    kind: str
    zones: int


@dataclass(frozen=True)
class CacheSize:
    """A cache replication group: node type, node count and engine."""

    address: str
    node_type: str
    nodes: int
    engine: str


@dataclass
class Sizing:
    """Everything in the stack that is sized or counted."""

    services: list[ServiceSize] = field(default_factory=list)
    zones: list[str] = field(default_factory=list)
    nat_gateways: list[str] = field(default_factory=list)
    endpoints: list[Endpoint] = field(default_factory=list)
    caches: list[CacheSize] = field(default_factory=list)
    load_balancers: list[tuple[str, bool, int]] = field(default_factory=list)
    """(address, internet-facing, zones it has a node in)."""
    public_ipv4: list[tuple[str, int]] = field(default_factory=list)
    """(what holds public IPv4 addresses, how many)."""
    file_systems: list[str] = field(default_factory=list)
    clusters_with_insights: list[tuple[str, int]] = field(default_factory=list)
    """(cluster address, services in it) for clusters with Container Insights on."""


def read_sizing(stack: Stack) -> Sizing:
    """Read sizes and counts from the stack."""
    sizing = Sizing()
    sizing.services = [_service(stack, s) for s in stack.of_type("aws_ecs_service")]
    sizing.zones = sorted(
        {str(s.get("availability_zone")) for s in stack.of_type("aws_subnet")} - {"None"}
    )
    sizing.nat_gateways = [n.address for n in stack.of_type("aws_nat_gateway")]
    sizing.endpoints = [
        Endpoint(
            e.address,
            _AWS_SERVICE.sub("", str(e.get("service_name", "?"))),
            str(e.get("vpc_endpoint_type", "Gateway")),
            len(e.get("subnet_ids") or []),
        )
        for e in stack.of_type("aws_vpc_endpoint")
    ]
    sizing.caches = [_cache(g) for g in stack.of_type("aws_elasticache_replication_group")]
    for lb in stack.of_type("aws_lb", "aws_alb"):
        public = not truthy(lb.get("internal"))
        zones = len(lb.get("subnets") or lb.get("subnet_mapping") or [])
        sizing.load_balancers.append((lb.address, public, zones))
        if public:
            sizing.public_ipv4.append((lb.address, zones))
    sizing.public_ipv4 += [(e.address, 1) for e in stack.of_type("aws_eip")]
    sizing.public_ipv4 += [
        (s.address, s.desired)
        for s, resource in zip(sizing.services, stack.of_type("aws_ecs_service"), strict=True)
        if any(
            truthy(c.get("assign_public_ip"))
            for c in _blocks(resource.get("network_configuration"))
        )
    ]
    sizing.file_systems = [f.address for f in stack.of_type("aws_efs_file_system")]
    for cluster in stack.of_type("aws_ecs_cluster"):
        if any(
            s.get("name") == "containerInsights" and s.get("value") in ("enabled", "enhanced")
            for s in _blocks(cluster.get("setting"))
        ):
            services = [
                s
                for s in stack.of_type("aws_ecs_service")
                if cluster in stack.referenced(s.get("cluster"))
            ]
            sizing.clusters_with_insights.append((cluster.address, len(services)))
    return sizing


def _service(stack: Stack, service: Resource) -> ServiceSize:
    task = stack.first_referenced(service.get("task_definition"), "aws_ecs_task_definition")
    scaling = [
        t
        for t in stack.of_type("aws_appautoscaling_target")
        if service in stack.referenced(t.get("resource_id"))
    ]
    fargate = service.get("launch_type") == "FARGATE" or any(
        "FARGATE" in str(s.get("capacity_provider"))
        for s in _blocks(service.get("capacity_provider_strategy"))
    )
    return ServiceSize(
        address=service.address,
        cpu_units=_number(task.get("cpu")) if task else None,
        memory_mib=_number(task.get("memory")) if task else None,
        desired=_number(service.get("desired_count")) or 0,
        minimum=_number(scaling[0].get("min_capacity")) if scaling else None,
        maximum=_number(scaling[0].get("max_capacity")) if scaling else None,
        fargate=fargate,
    )


def _cache(group: Resource) -> CacheSize:
    shards = _number(group.get("num_node_groups"))
    replicas = _number(group.get("replicas_per_node_group"))
    if shards:
        nodes = shards * ((replicas or 0) + 1)
    else:
        nodes = _number(group.get("num_cache_clusters")) or 1
    return CacheSize(
        group.address, str(group.get("node_type", "?")), nodes, str(group.get("engine", "redis"))
    )


def _number(value: Any) -> int | None:
    """A literal integer (JSON number or numeric string), else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if is_literal(value) and str(value).strip().isdigit():
        return int(str(value).strip())
    return None


def _blocks(value: Any) -> list[dict[str, Any]]:
    items = value if isinstance(value, list) else [value] if value else []
    return [i for i in items if isinstance(i, dict)]
