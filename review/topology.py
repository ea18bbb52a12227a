"""Derive the traffic graph (internet → load balancers → services → backends) from the stack."""

from __future__ import annotations

from dataclasses import dataclass, field

from .containers import Container
from .exposure import WORLD, Exposure, LoadBalancer
from .secrets import Secrets
from .stack import Resource, Stack

# what a container may be pointed at through its environment, besides a load balancer
_BACKEND_TYPES = (
    "aws_lb",
    "aws_alb",
    "aws_elasticache_replication_group",
    "aws_elasticache_cluster",
    "aws_elasticache_serverless_cache",
    "aws_memorydb_cluster",
    "aws_db_instance",
    "aws_rds_cluster",
    "aws_service_discovery_service",
)


@dataclass(frozen=True)
class Node:
    """A box in the diagram."""

    id: str
    label: str
    kind: str  # internet, lb, listener, service, backend, secret
    public: bool = False


@dataclass(frozen=True)
class Edge:
    """An arrow in the diagram; dashed arrows carry secrets or bypass a load balancer."""

    source: str
    target: str
    label: str = ""
    dashed: bool = False


@dataclass
class Graph:
    """Nodes in insertion order and the edges between them."""

    nodes: dict[str, Node] = field(default_factory=dict)
    edges: list[Edge] = field(default_factory=list)

    def add(self, node: Node) -> str:
        """Add a node once; return its id."""
        self.nodes.setdefault(node.id, node)
        return node.id

    def link(self, edge: Edge) -> None:
        """Add an edge once."""
        if edge not in self.edges:
            self.edges.append(edge)


_INTERNET = Node("internet", "Internet", "internet", public=True)


def build_graph(
    stack: Stack, exposure: Exposure, containers: list[Container], secrets: Secrets
) -> Graph:
    """Connect internet, load balancers, listeners, services, backends and secret stores."""
    graph = Graph()
    public_services = {task.service for task in exposure.public_tasks}
    _link_load_balancers(stack, graph, exposure, public_services)
    for service_address in sorted(public_services):
        graph.add(_INTERNET)
        service_id = graph.add(_service_node(stack.resources[service_address], public_services))
        graph.link(Edge(_INTERNET.id, service_id, "public IP", dashed=True))
    for service in stack.of_type("aws_ecs_service"):
        service_id = graph.add(_service_node(service, public_services))
        service_containers = _containers_of(stack, service, containers)
        _link_backends(stack, graph, service, service_id, service_containers)
    _link_secrets(stack, graph, secrets)
    return graph


def _link_load_balancers(
    stack: Stack, graph: Graph, exposure: Exposure, public_services: set[str]
) -> None:
    """Internet → public load balancers → listeners → the services in their target groups."""
    # public load balancers first, so the diagram reads from the internet inwards
    for lb in sorted(exposure.load_balancers, key=lambda lb: not lb.public):
        if lb.public:
            sources, ports = _allowed_sources(exposure, lb)
            graph.add(sources)
        lb_id = graph.add(_lb_node(lb))
        if lb.public:
            graph.link(Edge(sources.id, lb_id, ports))
        for listener in lb.listeners:
            label = f"listener {listener.endpoint}"
            listener_id = graph.add(Node(listener.address, label, "listener", lb.public))
            graph.link(Edge(lb_id, listener_id))
            for service, port in services_behind(stack, listener.target_groups):
                service_id = graph.add(_service_node(service, public_services))
                graph.link(Edge(listener_id, service_id, port))


def _allowed_sources(exposure: Exposure, lb: LoadBalancer) -> tuple[Node, str]:
    """Who may reach a public load balancer, from its security groups' ingress rules, and on
    which ports: the internet when a rule is open to the world, else the listed sources."""
    if not lb.security_groups:
        return _INTERNET, "any port (no security group)"
    rules = [r for r in exposure.ingress if r.security_group in lb.security_groups]
    ports = ", ".join(dict.fromkeys(f"{r.protocol} {r.ports}" for r in rules))
    if any(r.source in WORLD for r in rules):
        return _INTERNET, ports
    sources = list(dict.fromkeys(r.source for r in rules))
    if not sources:
        return Node("sources:none", "nobody\n(no ingress rule)", "internet"), ""
    label = "Allowed sources\n" + "\n".join(sources)
    return Node("sources:" + ",".join(sources), label, "internet", public=True), ports


def _lb_node(lb: LoadBalancer) -> Node:
    """A load balancer box saying whether it faces the internet."""
    scheme = "internet-facing" if lb.public else "internal"
    return Node(lb.resource.address, f"{lb.resource.address}\n{scheme} {lb.kind}", "lb", lb.public)


def _service_node(service: Resource, public_services: set[str]) -> Node:
    """An ECS service box, outlined as public when its tasks have public IPs."""
    public = service.address in public_services
    label = f"{service.address}\nECS service" + ("\npublic IPs" if public else "")
    return Node(service.address, label, "service", public)


def services_behind(stack: Stack, target_groups: tuple[str, ...]) -> list[tuple[Resource, str]]:
    """Services registered in the given target groups, with the container port they receive."""
    found = []
    for service in stack.of_type("aws_ecs_service"):
        for block in _blocks(service.get("load_balancer")):
            group = stack.first_referenced(block.get("target_group_arn"))
            if group is not None and group.address in target_groups:
                port = f"{block.get('container_name', '?')}:{block.get('container_port', '?')}"
                found.append((service, port))
    return found


def _containers_of(stack: Stack, service: Resource, containers: list[Container]) -> list[Container]:
    """The containers of a service's task definition."""
    task_definition = stack.first_referenced(service.get("task_definition"))
    if task_definition is None:
        return []
    return [c for c in containers if c.task_definition == task_definition.address]


def _link_backends(
    stack: Stack, graph: Graph, service: Resource, service_id: str, containers: list[Container]
) -> None:
    """Draw an arrow from a service to each backend its containers' environment points at."""
    for container in containers:
        for env_name, value in container.environment:
            for backend in stack.referenced(value, *_BACKEND_TYPES):
                backend_id = graph.add(_backend_node(backend))
                graph.link(Edge(service_id, backend_id, f"env {env_name}"))
    task_definition = stack.first_referenced(service.get("task_definition"))
    if task_definition is not None:
        for volume in stack.referenced(task_definition.get("volume"), "aws_efs_file_system"):
            graph.link(Edge(service_id, graph.add(_backend_node(volume)), "mounts"))


def _backend_node(backend: Resource) -> Node:
    """A box for a backend a service talks to (load balancers already have theirs)."""
    return Node(backend.address, backend.address, "backend")


def _link_secrets(stack: Stack, graph: Graph, secrets: Secrets) -> None:
    """Draw a dashed arrow from each secret store to the services whose containers read it."""
    services_by_task = {}
    for service in stack.of_type("aws_ecs_service"):
        task_definition = stack.first_referenced(service.get("task_definition"))
        if task_definition is not None:
            services_by_task[task_definition.address] = service.address
    for store in secrets.stores:
        for reader in store.readers:
            service = services_by_task.get(reader.container.split("/", 1)[0])
            if service is None:
                continue
            store_id = graph.add(Node(store.address, store.address, "secret"))
            graph.link(Edge(store_id, service, f"secret {reader.env_name}", True))


def _blocks(value: object) -> list[dict]:
    """A nested block written as one object or as a list of objects."""
    items = value if isinstance(value, list) else [value]
    return [item for item in items if isinstance(item, dict)]
