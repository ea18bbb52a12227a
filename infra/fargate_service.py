"""A Fargate service behind a network load balancer: used for both Redis and the web frontend."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

from infra.policies import assume_role_policy, policy
from toolchain.providers import (
    AppautoscalingPolicy,
    AppautoscalingTarget,
    CloudwatchLogGroup,
    Construct,
    EcsService,
    EcsServiceLoadBalancer,
    EcsServiceLoadBalancerAdvancedConfiguration,
    EcsTaskDefinition,
    EcsTaskDefinitionVolume,
    IamRole,
    IamRolePolicy,
    Lb,
    LbListener,
    LbListenerDefaultAction,
    LbTargetGroup,
    TerraformResource,
    TerraformStack,
)

# The SSM agent that ECS Exec bind-mounts into a container writes its state and logs here; with a
# read-only root filesystem these must be writable volumes or the agent stops at start.
EXEC_AGENT_PATHS = ("/managed-agents", "/var/lib/amazon/ssm", "/var/log/amazon/ssm")


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


# ECS adds 10 minutes to three stages of a blue/green deployment behind an NLB (pre scale-up, test
# and production traffic shift), for the NLB's data plane to follow the new weights.
NLB_BLUE_GREEN_DELAY_MINUTES = 3 * 10
# Starting, health-checking and draining tasks, beside the bake and the NLB delays.
DEPLOY_MARGIN_MINUTES = 20


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


class FargateService(Construct):
    """A task definition, its service in private subnets, and optionally an NLB in front.

    Secure by default: no public IP, read-only root filesystem with scratch volumes, logs kept
    and encrypted, deployments that roll back on failure.
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        base: ServiceBase,
        name: str,
        security_group_id: str,
        task_role_arn: str,
        container: Container,
        cpu: int,
        memory: int,
        desired_count: int,
        load_balancer: LoadBalancer | None = None,
        efs_volume: EfsVolume | None = None,
        single_writer: bool = False,
        autoscaling: Autoscaling | None = None,
        blue_green: BlueGreen | None = None,
        depends_on: Sequence[TerraformResource] = (),
    ) -> None:
        """Create the service `name`.

        `load_balancer` (default None: no NLB, the tasks take no inbound traffic through one)
        puts an NLB in front. `efs_volume` (default None) mounts an EFS access point.
        `single_writer` (default False) stops a deployment from ever running two tasks at
        once (min 0 %, max 100 %), for a task that owns files on `efs_volume`. `autoscaling`
        (default None: fixed `desired_count`) lets AWS scale between its bounds. `blue_green`
        (default None: rolling) deploys through a second target group on the NLB, whose one
        listener ECS moves between the two. `depends_on`
        (default none) lists what a task needs at start that Terraform cannot see, such as the
        mount targets of `efs_volume` and the task role's policies.
        """
        super().__init__(scope, id)
        if single_writer and desired_count > 1:
            raise ValueError("single_writer allows desired_count 0 or 1")
        if autoscaling and not (autoscaling.min_count <= desired_count <= autoscaling.max_count):
            raise ValueError("desired_count must lie within the autoscaling bounds")
        if blue_green and load_balancer is None:
            raise ValueError("blue_green needs a load_balancer")
        if blue_green and blue_green.active and len(load_balancer.listeners) != 1:
            raise ValueError("an active blue_green needs a load_balancer with exactly one listener")
        if blue_green and single_writer:
            raise ValueError("blue_green runs old and new tasks together: not for single_writer")
        self.name = name
        self.rollback_alarms: tuple[str, ...] = tuple(
            blue_green.rollback_alarms if blue_green and blue_green.active else ()
        )
        if base.execute_command:
            # The root stays read-only; the exec agent gets the folders it writes.
            container = replace(
                container, scratch_paths=(*container.scratch_paths, *EXEC_AGENT_PATHS)
            )
        self.log_group = logs = CloudwatchLogGroup(
            self,
            "logs",
            name=log_group_name(name),
            retention_in_days=base.log_retention_days,
            kms_key_id=base.kms_key_arn,
        )
        self.task_definition = EcsTaskDefinition(
            self,
            "task",
            family=name,
            requires_compatibilities=["FARGATE"],
            network_mode="awsvpc",
            cpu=str(cpu),
            memory=str(memory),
            execution_role_arn=base.execution_role_arn,
            task_role_arn=task_role_arn,
            runtime_platform={"operating_system_family": "LINUX", "cpu_architecture": "X86_64"},
            container_definitions=json.dumps(
                [self._container_definition(container, logs.name, base.region, efs_volume)]
            ),
            volume=self._volumes(container, efs_volume),
            # A new revision leaves the old one registered: AWS runs no INACTIVE revision, so
            # this is what lets a service be pointed back at it by hand.
            skip_destroy=True,
        )

        self.target_group: LbTargetGroup | None = None
        self.target_groups: list[LbTargetGroup] = []
        self.lb: Lb | None = None
        listeners: list[LbListener] = []
        if load_balancer is not None:
            listeners = self._load_balancer(
                load_balancer, base.vpc_id, container.port, blue_green is not None
            )
        advanced, deploy_grant = None, []
        # Written out in every mode: without `strategy` the provider keeps what AWS has.
        deployment: dict = {"deployment_configuration": {"strategy": "ROLLING"}}
        if blue_green is not None:
            advanced, grant = self._blue_green_pieces(listeners[0])
            deploy_grant = [grant]
            if blue_green.active:
                deployment = self._blue_green(blue_green)

        self.service = EcsService(
            self,
            "service",
            name=name,
            cluster=base.cluster_arn,
            task_definition=self.task_definition.arn,
            desired_count=desired_count,
            launch_type="FARGATE",
            platform_version="LATEST",
            network_configuration={
                "subnets": list(base.subnet_ids),
                "security_groups": [security_group_id],
                "assign_public_ip": False,
            },
            load_balancer=[
                EcsServiceLoadBalancer(
                    target_group_arn=self.target_group.arn,
                    container_name="app",
                    container_port=container.port,
                    advanced_configuration=advanced,
                )
            ]
            if self.target_group
            else None,
            health_check_grace_period_seconds=60 if self.target_group else None,
            deployment_circuit_breaker={"enable": True, "rollback": True},
            deployment_minimum_healthy_percent=0 if single_writer else 100,
            deployment_maximum_percent=100 if single_writer else 200,
            propagate_tags="SERVICE",
            enable_execute_command=True if base.execute_command else None,
            enable_ecs_managed_tags=True,
            # Autoscaling owns the count once deployed; a later apply must not reset it. With
            # blue/green (ready or active), ECS owns which target group is live and swaps it on
            # every release: sending the first group back would stop them alternating
            # (provider issue 45678). The cost: changing the groups afterwards (the container
            # port) takes a replacement of the service and the listener, see
            # docs/day-two-deployments.md.
            lifecycle={
                "ignore_changes": (["desired_count"] if autoscaling else [])
                + (["load_balancer"] if blue_green else [])
            }
            if autoscaling or blue_green
            else None,
            # `apply` returns once the tasks are running and healthy, and fails if they never are.
            wait_for_steady_state=True,
            # Needed before the first task starts, yet not referenced: a listener forwarding to
            # the target group, the execution role's policies, and what the caller names.
            depends_on=[
                *listeners,
                *base.execution_grants,
                *base.network_paths,
                *deploy_grant,
                *depends_on,
            ]
            or None,
            **deployment,
        )
        if autoscaling is not None:
            self._autoscaling(autoscaling, base.cluster_name)

    @staticmethod
    def _container_definition(
        container: Container, log_group: str, region: str, efs_volume: EfsVolume | None
    ) -> dict:
        mounts = [
            {"sourceVolume": _volume_name(path), "containerPath": path, "readOnly": False}
            for path in container.scratch_paths
        ]
        if efs_volume is not None:
            mounts.append(
                {
                    "sourceVolume": "data",
                    "containerPath": efs_volume.container_path,
                    "readOnly": False,
                }
            )
        definition: dict = {
            "name": "app",
            "image": container.image,
            "essential": True,
            "readonlyRootFilesystem": True,
            "portMappings": [{"containerPort": container.port, "protocol": "tcp"}],
            "environment": [
                {"name": key, "value": value}
                for key, value in sorted(container.environment.items())
            ],
            "secrets": [
                {"name": key, "valueFrom": arn} for key, arn in sorted(container.secrets.items())
            ],
            "mountPoints": mounts,
            "linuxParameters": {"initProcessEnabled": True},
            "ulimits": [
                {
                    "name": "nofile",
                    "softLimit": container.open_files,
                    "hardLimit": container.open_files,
                }
            ],
            "logConfiguration": {
                "logDriver": "awslogs",
                "options": {
                    "awslogs-group": log_group,
                    "awslogs-region": region,
                    "awslogs-stream-prefix": "app",
                },
            },
        }
        if container.command is not None:
            definition["command"] = list(container.command)
        if container.user is not None:
            definition["user"] = container.user
        if container.health_check is not None:
            definition["healthCheck"] = {
                "command": list(container.health_check),
                "interval": 15,
                "timeout": 5,
                "retries": 3,
                "startPeriod": 20,
            }
        return definition

    @staticmethod
    def _volumes(
        container: Container, efs_volume: EfsVolume | None
    ) -> list[EcsTaskDefinitionVolume]:
        volumes = [EcsTaskDefinitionVolume(name=_volume_name(p)) for p in container.scratch_paths]
        if efs_volume is not None:
            volumes.append(
                EcsTaskDefinitionVolume(
                    name="data",
                    efs_volume_configuration={
                        "file_system_id": efs_volume.file_system_id,
                        "transit_encryption": "ENABLED",
                        "authorization_config": {
                            "access_point_id": efs_volume.access_point_id,
                            "iam": "ENABLED",
                        },
                    },
                )
            )
        return volumes

    def _load_balancer(
        self, spec: LoadBalancer, vpc_id: str, port: int, blue_green: bool
    ) -> list[LbListener]:
        self.lb = Lb(
            self,
            "lb",
            name=self.name,
            internal=spec.internal,
            load_balancer_type="network",
            subnets=list(spec.subnet_ids),
            security_groups=[spec.security_group_id],
            enable_cross_zone_load_balancing=True,
            enable_deletion_protection=spec.deletion_protection,
        )
        if spec.health_check_path:
            health_check = {
                "protocol": "HTTP",
                "path": spec.health_check_path,
                "matcher": "200",
                "port": "traffic-port",
                "interval": 10,
                "healthy_threshold": 2,
                "unhealthy_threshold": 2,
            }
        else:
            health_check = {"protocol": "TCP", "port": "traffic-port", "interval": 10}
        # Blue/green needs a second, identical group for the new tasks.
        for id in ("targets", "targets_alt") if blue_green else ("targets",):
            self.target_groups.append(
                LbTargetGroup(
                    self,
                    id,
                    # Replaced before the old one goes (listeners point at it), so the name must
                    # be new: AWS allows a 6-character prefix and Terraform adds a unique suffix.
                    name_prefix=f"{self.node.id[:5]}-",
                    tags={"Name": self.name},
                    port=port,
                    protocol="TCP",
                    target_type="ip",
                    vpc_id=vpc_id,
                    deregistration_delay=str(spec.deregistration_delay),
                    preserve_client_ip="true" if spec.preserve_client_ip else None,
                    health_check=health_check,
                    lifecycle={"create_before_destroy": True},
                )
            )
        self.target_group = self.target_groups[0]
        if blue_green:
            # Both groups on the production listener, weighted 100/0: ECS shifts traffic between
            # them on each release, so a later apply must not set the weights back. References:
            # AWS "Network Load Balancer resources for Amazon ECS blue/green deployments" (two
            # groups, the listener as production listener) and "Network Load Balancers now
            # support Weighted Target Groups" (networking blog); verified by neither offline.
            production_action = LbListenerDefaultAction(
                type="forward",
                forward={
                    "target_group": [
                        {"arn": self.target_groups[0].arn, "weight": 100},
                        {"arn": self.target_groups[1].arn, "weight": 0},
                    ]
                },
            )
        else:
            production_action = LbListenerDefaultAction(
                type="forward", target_group_arn=self.target_group.arn
            )
        listeners: list[LbListener] = []
        for index, listener in enumerate(spec.listeners):
            tls = listener.certificate_arn is not None
            production = index == 0
            listeners.append(
                LbListener(
                    self,
                    # The production listener keeps its address whatever its port and
                    # protocol (HTTP -> HTTPS updates it in place): under blue/green ECS holds
                    # its ARN. Others are named by port.
                    "listener" if production else f"listener_{listener.port}",
                    load_balancer_arn=self.lb.arn,
                    port=listener.port,
                    protocol="TLS" if tls else "TCP",
                    certificate_arn=listener.certificate_arn,
                    ssl_policy="ELBSecurityPolicy-TLS13-1-2-2021-06" if tls else None,
                    default_action=[
                        production_action
                        if production
                        else LbListenerDefaultAction(
                            type="forward", target_group_arn=self.target_group.arn
                        )
                    ],
                    lifecycle={"ignore_changes": ["default_action"]}
                    if blue_green and production
                    else None,
                    # Created after the production listener's update: that one may be leaving
                    # the port this one takes (HTTP-only -> HTTPS with HTTP kept).
                    depends_on=None if production else [listeners[0]],
                )
            )
        # Stacks deployed before the production listener had a stable id hold it under its
        # port's id (`listener_80`, `listener_443` with TLS): a `moved` block keeps that
        # listener instead of destroying it and creating one on the same port (Terraform orders
        # neither before the other: the create can meet the port still taken), which drops
        # traffic and, under blue/green, leaves ECS holding a deleted ARN that the service's
        # ignore_changes keeps Terraform from correcting.
        # Written as a stack override: cdktf's own move API adds a check that runs
        # `terraform version` at synth, and synth needs no Terraform.
        stack = TerraformStack.of(self)
        new_id = stack.get_logical_id(listeners[0])
        moves = getattr(stack, "_listener_moves", [])
        moves.append(
            {
                "from": f"aws_lb_listener.{new_id}_{spec.listeners[0].port}",
                "to": f"aws_lb_listener.{new_id}",
            }
        )
        stack._listener_moves = moves
        stack.add_override("moved", moves)
        return listeners

    def _blue_green_pieces(
        self, listener: LbListener
    ) -> tuple[EcsServiceLoadBalancerAdvancedConfiguration, IamRolePolicy]:
        """The role ECS moves `listener` between the two groups with, the load balancer's
        advanced configuration naming them, and the role's grant (the service waits for it)."""
        # AWS documents no source condition for the ECS infrastructure role's trust.
        role = IamRole(
            self,
            "deploy_role",
            name=f"{self.name}-deploy",
            description=f"ECS: move {self.name}'s NLB listener between its two target groups",
            assume_role_policy=assume_role_policy("ecs.amazonaws.com"),
        )
        grant = IamRolePolicy(
            self,
            "deploy_role_policy",
            name="move-listener-between-target-groups",
            role=role.id,
            policy=policy(
                # AWS offers no resource-level permission for these reads: "*" is their only form.
                {
                    "Action": [
                        "elasticloadbalancing:DescribeListeners",
                        "elasticloadbalancing:DescribeRules",
                        "elasticloadbalancing:DescribeTargetGroups",
                        "elasticloadbalancing:DescribeTargetHealth",
                    ],
                    "Resource": "*",
                },
                {
                    "Action": [
                        "elasticloadbalancing:RegisterTargets",
                        "elasticloadbalancing:DeregisterTargets",
                    ],
                    "Resource": [group.arn for group in self.target_groups],
                },
                {"Action": "elasticloadbalancing:ModifyListener", "Resource": listener.arn},
            ),
        )
        advanced = EcsServiceLoadBalancerAdvancedConfiguration(
            alternate_target_group_arn=self.target_groups[1].arn,
            production_listener_rule=listener.arn,
            role_arn=role.arn,
        )
        return advanced, grant

    @staticmethod
    def _blue_green(spec: BlueGreen) -> dict:
        """The service's arguments for an active blue/green deployment."""
        minutes = spec.bake_minutes + NLB_BLUE_GREEN_DELAY_MINUTES + DEPLOY_MARGIN_MINUTES
        return {
            "deployment_configuration": {
                "strategy": "BLUE_GREEN",
                "bake_time_in_minutes": str(spec.bake_minutes),
            },
            "alarms": {
                "alarm_names": list(spec.rollback_alarms),
                "enable": True,
                "rollback": True,
            }
            if spec.rollback_alarms
            else None,
            # `apply` waits through the bake and the NLB's delays before the service is steady.
            "timeouts": {"create": f"{minutes}m", "update": f"{minutes}m"},
        }

    def _autoscaling(self, spec: Autoscaling, cluster_name: str) -> None:
        target = AppautoscalingTarget(
            self,
            "scaling",
            service_namespace="ecs",
            resource_id=f"service/{cluster_name}/{self.service.name}",
            scalable_dimension="ecs:service:DesiredCount",
            min_capacity=spec.min_count,
            max_capacity=spec.max_count,
        )
        AppautoscalingPolicy(
            self,
            "scaling_cpu",
            name=f"{self.name}-cpu",
            policy_type="TargetTrackingScaling",
            service_namespace=target.service_namespace,
            resource_id=target.resource_id,
            scalable_dimension=target.scalable_dimension,
            target_tracking_scaling_policy_configuration={
                "target_value": spec.cpu_target,
                "predefined_metric_specification": {
                    "predefined_metric_type": "ECSServiceAverageCPUUtilization"
                },
                "scale_in_cooldown": 120,
                "scale_out_cooldown": 60,
            },
        )


def log_group_name(service_name: str) -> str:
    """The CloudWatch log group of a service's containers."""
    return f"/ecs/{service_name}"


def _volume_name(path: str) -> str:
    return "scratch" + path.replace("/", "-")
