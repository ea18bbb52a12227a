"""The props of a `FargateService`: frozen dataclasses, each optional field stating its default."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from toolchain.providers import TerraformResource


@dataclass(frozen=True)
class Listener:
    """A listener port of the NLB; TLS terminates at the NLB when `certificate_arn` is set."""

    port: int
    certificate_arn: str | None = None
    """Default None: plain TCP. With an ARN the listener speaks TLS 1.2/1.3 only."""


@dataclass(frozen=True)
class LoadBalancer:
    """What differs between the two NLBs; each field states its default."""

    subnet_ids: Sequence[str]
    security_group_id: str
    listeners: Sequence[Listener]
    internal: bool = True
    """Default True: only reachable inside the VPC. The public web NLB sets False."""
    health_check_path: str | None = None
    """Default None: a TCP connect check; a path makes it an HTTP check expecting 200."""
    deletion_protection: bool = False
    """Default False. True: AWS refuses to delete the NLB (prod sets it)."""
    deregistration_delay: int = 30
    """Seconds a draining target keeps its connections (Default 30: short requests only)."""
    preserve_client_ip: bool = False
    """Default False (AWS's default for IP targets over TCP): targets see the NLB's address.
    True: they see the client's, which a per-client limit needs. The NLB has security groups,
    so a target group rule that references the NLB's group still admits the traffic (AWS:
    "Update the security groups for your Network Load Balancer"); no client CIDR is opened."""


@dataclass(frozen=True)
class Autoscaling:
    """Target tracking on the service's average CPU."""

    min_count: int
    max_count: int
    cpu_target: int = 60
    """Default 60: the average CPU (%) the policy keeps, adding tasks above it and removing
    them below it."""


@dataclass(frozen=True)
class BlueGreen:
    """ECS's built-in blue/green deployment behind the service's NLB.

    Its pieces (a second target group, the role ECS moves the listener with, the listener
    forwarding to both groups) are there whether or not it is `active`, so turning it on or off
    changes only the service's strategy: nothing the service hides from Terraform (its
    `load_balancer`, which ECS owns) has to change.
    """

    bake_minutes: int
    """Minutes the old tasks stay after the switch, while `rollback_alarms` can undo it."""
    rollback_alarms: Sequence[str] = ()
    """Default none. Names of CloudWatch alarms that roll a deployment back when they fire."""
    active: bool = True
    """Default True: deploy blue/green. False: roll, ready to switch."""


@dataclass(frozen=True)
class EfsVolume:
    """An EFS access point mounted into the container over TLS, with IAM authorization."""

    file_system_id: str
    access_point_id: str
    container_path: str


@dataclass(frozen=True)
class ServiceBase:
    """What every service of a stack shares: cluster, network, execution role, logs, key."""

    region: str
    cluster_arn: str
    cluster_name: str
    vpc_id: str
    subnet_ids: Sequence[str]
    """The private subnets the tasks run in."""
    execution_role_arn: str
    log_retention_days: int
    kms_key_arn: str
    execute_command: bool = False
    """Default False. True allows ECS Exec into the tasks (see `DebugAccess`)."""
    execution_grants: Sequence[TerraformResource] = ()
    """Default none. The execution role's policies: attached by their own resources, so services
    wait for them explicitly (a task that starts first cannot pull its image or read its
    secrets)."""
    network_paths: Sequence[TerraformResource] = ()
    """Default none. The routes (NAT) and VPC endpoints the tasks reach AWS through: services
    wait for them on a first apply, or their tasks fail to pull and trip the circuit breaker."""


@dataclass(frozen=True)
class Container:
    """The one container of the task."""

    image: str
    port: int
    environment: Mapping[str, str] = field(default_factory=dict)
    secrets: Mapping[str, str] = field(default_factory=dict)
    """Environment variable name -> SSM parameter ARN, injected by ECS at start."""
    command: Sequence[str] | None = None
    """Default None: the image's command."""
    user: str | None = None
    """Default None: the image's user (the frontend image's is non-root)."""
    health_check: Sequence[str] | None = None
    """Default None: no container health check (the load balancer's still applies)."""
    scratch_paths: Sequence[str] = ("/tmp",)
    """Writable task-local folders; all else is read-only. Default: /tmp."""
    open_files: int = 65535
    """The container's open-file limit (soft and hard), stated rather than left to Fargate's
    default, which has changed over time. Default 65,535, Fargate's documented maximum."""
