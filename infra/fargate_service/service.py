"""`FargateService`: a task definition, its service, and optionally an NLB and autoscaling."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import replace

from infra.fargate_service.blue_green import active_deployment, listener_mover
from infra.fargate_service.load_balancer import network_load_balancer
from infra.fargate_service.props import (
    Autoscaling,
    BlueGreen,
    Container,
    EfsVolume,
    LoadBalancer,
    ServiceBase,
)
from infra.fargate_service.task import (
    EXEC_AGENT_PATHS,
    container_definition,
    log_group_name,
    volumes,
)
from toolchain.providers import (
    AppautoscalingPolicy,
    AppautoscalingTarget,
    CloudwatchLogGroup,
    Construct,
    EcsService,
    EcsServiceLoadBalancer,
    EcsTaskDefinition,
    Lb,
    LbListener,
    LbTargetGroup,
    TerraformResource,
)


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
                [container_definition(container, logs.name, base.region, efs_volume)]
            ),
            volume=volumes(container, efs_volume),
            # A new revision leaves the old one registered: AWS runs no INACTIVE revision, so
            # this is what lets a service be pointed back at it by hand.
            skip_destroy=True,
        )

        self.target_group: LbTargetGroup | None = None
        self.target_groups: list[LbTargetGroup] = []
        self.lb: Lb | None = None
        listeners: list[LbListener] = []
        if load_balancer is not None:
            nlb = network_load_balancer(
                self, name, load_balancer, base.vpc_id, container.port, blue_green is not None
            )
            self.lb, self.target_groups, listeners = nlb.lb, nlb.target_groups, nlb.listeners
            self.target_group = self.target_groups[0]
        advanced, deploy_grant = None, []
        # Written out in every mode: without `strategy` the provider keeps what AWS has.
        deployment: dict = {"deployment_configuration": {"strategy": "ROLLING"}}
        if blue_green is not None:
            advanced, grant = listener_mover(self, name, self.target_groups, listeners[0])
            deploy_grant = [grant]
            if blue_green.active:
                deployment = active_deployment(blue_green)

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

    def _autoscaling(self, spec: Autoscaling, cluster_name: str) -> None:
        """Target tracking that keeps the service's average CPU at `spec.cpu_target`."""
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
