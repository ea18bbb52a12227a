"""What the internet can reach: public load balancers, open security-group rules, public tasks."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .refs import is_literal
from .stack import Resource, Stack

WORLD = ("0.0.0.0/0", "::/0")
_LB_TYPES = ("aws_lb", "aws_alb")
_SG_TYPES = ("aws_security_group",)


@dataclass(frozen=True)
class Listener:
    """A load-balancer listener and the target groups it forwards to."""

    address: str
    port: str
    protocol: str
    target_groups: tuple[str, ...]

    @property
    def endpoint(self) -> str:
        """`TCP 80`, as a reviewer says it."""
        return f"{self.protocol} {self.port}"


@dataclass(frozen=True)
class LoadBalancer:
    """A load balancer, whether it faces the internet, and its listeners."""

    resource: Resource
    kind: str
    public: bool
    scheme_note: str
    security_groups: tuple[str, ...]
    listeners: list[Listener] = field(default_factory=list)


@dataclass(frozen=True)
class Rule:
    """One security-group rule for one source or destination."""

    address: str
    security_group: str
    protocol: str
    ports: str
    source: str
    world: bool

    @property
    def traffic(self) -> str:
        """`tcp port 80`, `tcp ports 1024-2048`, `all traffic`."""
        if self.protocol == "all":
            return "all traffic"
        if self.ports == "all":
            return f"all {self.protocol} ports"
        return f"{self.protocol} port{'s' if '-' in self.ports else ''} {self.ports}"


@dataclass(frozen=True)
class OpenRule:
    """An ingress rule open to the internet, and whether a public listener explains it."""

    rule: Rule
    expected: bool
    note: str


@dataclass(frozen=True)
class PublicTask:
    """An ECS service whose tasks get public IP addresses."""

    service: str
    security_groups: tuple[str, ...]


@dataclass
class Exposure:
    """Everything in the stack that decides what the internet can reach."""

    load_balancers: list[LoadBalancer]
    ingress: list[Rule]
    egress: list[Rule]
    open_rules: list[OpenRule]
    public_tasks: list[PublicTask]
    security_group_users: dict[str, list[str]]

    @property
    def public_load_balancers(self) -> list[LoadBalancer]:
        """The internet-facing load balancers."""
        return [lb for lb in self.load_balancers if lb.public]


def analyse_exposure(stack: Stack) -> Exposure:
    """Collect load balancers, ingress rules and public tasks, and judge the open rules."""
    load_balancers = read_load_balancers(stack)
    ingress = read_rules(stack, "ingress")
    public_tasks = read_public_tasks(stack)
    return Exposure(
        load_balancers=load_balancers,
        ingress=ingress,
        egress=read_rules(stack, "egress"),
        open_rules=_judge_open_rules(ingress, load_balancers, public_tasks),
        public_tasks=public_tasks,
        security_group_users=security_group_users(stack),
    )


def truthy(value: Any) -> bool:
    """Terraform booleans may arrive as JSON booleans or as "true"/"false" strings."""
    return value is True or (isinstance(value, str) and value.lower() == "true")


def read_load_balancers(stack: Stack) -> list[LoadBalancer]:
    """Every load balancer with its listeners (including those fed by listener rules)."""
    balancers = []
    for lb in stack.of_type(*_LB_TYPES):
        internal = lb.get("internal")
        # AWS creates an internet-facing load balancer when `internal` is not set
        public = not truthy(internal)
        if internal is None:
            note = "internal not set: AWS defaults to internet-facing"
        elif not is_literal(internal) and not isinstance(internal, bool):
            note = "internal is computed at apply time; check the plan"
        else:
            note = ""
        security_groups = tuple(s.address for s in stack.referenced(lb.get("security_groups")))
        balancers.append(
            LoadBalancer(
                resource=lb,
                kind=str(lb.get("load_balancer_type", "application")),
                public=public,
                scheme_note=note,
                security_groups=security_groups,
                listeners=_listeners_of(stack, lb),
            )
        )
    return balancers


def _listeners_of(stack: Stack, lb: Resource) -> list[Listener]:
    """The listeners attached to one load balancer."""
    listeners = []
    for listener in stack.of_type("aws_lb_listener", "aws_alb_listener"):
        if stack.first_referenced(listener.get("load_balancer_arn"), *_LB_TYPES) != lb:
            continue
        actions: list[Any] = [listener.get("default_action")]
        actions += [
            rule.get("action")
            for rule in stack.of_type("aws_lb_listener_rule", "aws_alb_listener_rule")
            if stack.first_referenced(rule.get("listener_arn")) == listener
        ]
        target_groups = tuple(
            t.address
            for t in stack.referenced(actions, "aws_lb_target_group", "aws_alb_target_group")
        )
        listeners.append(
            Listener(
                address=listener.address,
                port=str(listener.get("port", "?")),
                protocol=str(listener.get("protocol", "default protocol")),
                target_groups=target_groups,
            )
        )
    return listeners


def read_rules(stack: Stack, direction: str) -> list[Rule]:
    """Every ingress (or egress) rule, in whichever of the three ways Terraform allows."""
    rules: list[Rule] = []
    for group in stack.of_type(*_SG_TYPES):
        for index, block in enumerate(_as_list(group.get(direction))):
            address = f"{group.address} {direction}[{index}]"
            rules += _cidr_rules(address, group.address, block, "protocol")
    for rule in stack.of_type("aws_security_group_rule"):
        if rule.get("type") == direction:
            rules += _cidr_rules(rule.address, _group_of(stack, rule), rule.body, "protocol")
    for rule in stack.of_type(f"aws_vpc_security_group_{direction}_rule"):
        rules += _cidr_rules(rule.address, _group_of(stack, rule), rule.body, "ip_protocol")
    return rules


def _cidr_rules(address: str, group: str, block: dict[str, Any], protocol_key: str) -> list[Rule]:
    """One Rule per peer (CIDR, prefix list or security group) of a rule block."""
    protocol = _protocol(block.get(protocol_key))
    ports = _ports(protocol, block.get("from_port"), block.get("to_port"))
    sources: list[str] = []
    for key in ("cidr_ipv4", "cidr_ipv6"):
        if block.get(key):
            sources.append(str(block[key]))
    for key in ("cidr_blocks", "ipv6_cidr_blocks", "prefix_list_ids"):
        sources += [str(value) for value in _as_list(block.get(key))]
    for key in ("referenced_security_group_id", "source_security_group_id", "prefix_list_id"):
        if block.get(key):
            sources.append(_short(block[key]))
    sources += [_short(value) for value in _as_list(block.get("security_groups"))]
    if truthy(block.get("self")):
        sources.append("itself")
    return [
        Rule(address, group, protocol, ports, source, source in WORLD)
        for source in sources or ["(no source)"]
    ]


def _group_of(stack: Stack, rule: Resource) -> str:
    """The security group a separate rule resource belongs to."""
    target = stack.first_referenced(rule.get("security_group_id"), *_SG_TYPES)
    return target.address if target else str(rule.get("security_group_id"))


def _short(value: Any) -> str:
    """`${aws_security_group.web.id}` → `aws_security_group.web`; literals stay as they are."""
    text = str(value)
    if text.startswith("${") and text.endswith("}") and text.count(".") >= 2:
        return text[2:-1].rsplit(".", 1)[0]
    return text


def _protocol(value: Any) -> str:
    """`-1` and `all` mean every protocol."""
    text = str(value).lower() if value is not None else "all"
    return "all" if text in ("-1", "all") else text


def _ports(protocol: str, from_port: Any, to_port: Any) -> str:
    """A readable port range: `80`, `1024-2048` or `all`."""
    if protocol == "all" or (from_port in (None, 0, "0") and to_port in (None, 0, 65535, "65535")):
        return "all"
    if protocol in ("icmp", "icmpv6", "1", "58"):
        return "icmp"
    if str(from_port) == str(to_port) or to_port is None:
        return str(from_port)
    return f"{from_port}-{to_port}"


def _as_list(value: Any) -> list[Any]:
    """Blocks and lists may be written as one object or as a list of them."""
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def read_public_tasks(stack: Stack) -> list[PublicTask]:
    """ECS services whose network configuration assigns public IPs."""
    tasks = []
    for service in stack.of_type("aws_ecs_service"):
        for config in _as_list(service.get("network_configuration")):
            if isinstance(config, dict) and truthy(config.get("assign_public_ip")):
                groups = tuple(s.address for s in stack.referenced(config.get("security_groups")))
                tasks.append(PublicTask(service.address, groups))
    return tasks


def security_group_users(stack: Stack) -> dict[str, list[str]]:
    """For each security group, the resources (not rules) that attach it."""
    users: dict[str, list[str]] = {g.address: [] for g in stack.of_type(*_SG_TYPES)}
    rule_types = {
        "aws_security_group_rule",
        *(f"aws_vpc_security_group_{d}_rule" for d in ("ingress", "egress")),
    }
    for resource in stack.resources.values():
        if resource.type in rule_types or resource.type in _SG_TYPES:
            continue
        for group in stack.referenced(resource.body, *_SG_TYPES):
            users[group.address].append(resource.address)
    return users


def _judge_open_rules(
    rules: list[Rule], balancers: list[LoadBalancer], tasks: list[PublicTask]
) -> list[OpenRule]:
    """An open rule is expected only on a public load balancer's SG, on a listener port."""
    listener_ports = {
        group: {listener.port for listener in lb.listeners}
        for lb in balancers
        if lb.public
        for group in lb.security_groups
    }
    public_task_groups = {group for task in tasks for group in task.security_groups}
    judged = []
    for rule in rules:
        if not rule.world:
            continue
        ports = listener_ports.get(rule.security_group)
        if rule.security_group in public_task_groups:
            judged.append(OpenRule(rule, False, "tasks with public IPs are reachable directly"))
        elif ports is None:
            judged.append(OpenRule(rule, False, "not a public load balancer's security group"))
        elif rule.ports in ports:
            judged.append(OpenRule(rule, True, "public listener"))
        else:
            judged.append(OpenRule(rule, False, "no listener on this port"))
    return judged
