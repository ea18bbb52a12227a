"""The network load balancer in front of a service: the NLB, its target group(s) and listeners."""

from __future__ import annotations

from dataclasses import dataclass

from infra.fargate_service.props import LoadBalancer
from toolchain.providers import (
    Construct,
    Lb,
    LbListener,
    LbListenerDefaultAction,
    LbTargetGroup,
    TerraformStack,
)


@dataclass(frozen=True)
class NetworkLoadBalancer:
    """What `network_load_balancer` made: the first target group and listener are production's."""

    lb: Lb
    target_groups: list[LbTargetGroup]
    listeners: list[LbListener]


def network_load_balancer(
    scope: Construct, name: str, spec: LoadBalancer, vpc_id: str, port: int, blue_green: bool
) -> NetworkLoadBalancer:
    """The NLB `name` of `spec` in `scope`, forwarding its listeners to the tasks' `port`.

    With `blue_green`, a second, identical target group waits for the new tasks, and the
    production listener forwards to both.
    """
    lb = Lb(
        scope,
        "lb",
        name=name,
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
    target_groups = [
        LbTargetGroup(
            scope,
            group_id,
            # Replaced before the old one goes (listeners point at it), so the name must be new:
            # AWS allows a 6-character prefix and Terraform adds a unique suffix.
            name_prefix=f"{scope.node.id[:5]}-",
            tags={"Name": name},
            port=port,
            protocol="TCP",
            target_type="ip",
            vpc_id=vpc_id,
            deregistration_delay=str(spec.deregistration_delay),
            preserve_client_ip="true" if spec.preserve_client_ip else None,
            health_check=health_check,
            lifecycle={"create_before_destroy": True},
        )
        for group_id in (("targets", "targets_alt") if blue_green else ("targets",))
    ]
    if blue_green:
        # Both groups on the production listener, weighted 100/0: ECS shifts traffic between them
        # on each release, so a later apply must not set the weights back. References: AWS
        # "Network Load Balancer resources for Amazon ECS blue/green deployments" (two groups,
        # the listener as production listener) and "Network Load Balancers now support Weighted
        # Target Groups" (networking blog); verified by neither offline.
        production_action = LbListenerDefaultAction(
            type="forward",
            forward={
                "target_group": [
                    {"arn": target_groups[0].arn, "weight": 100},
                    {"arn": target_groups[1].arn, "weight": 0},
                ]
            },
        )
    else:
        production_action = LbListenerDefaultAction(
            type="forward", target_group_arn=target_groups[0].arn
        )
    listeners: list[LbListener] = []
    for index, listener in enumerate(spec.listeners):
        tls = listener.certificate_arn is not None
        production = index == 0
        listeners.append(
            LbListener(
                scope,
                # The production listener keeps its address whatever its port and protocol
                # (HTTP -> HTTPS updates it in place): under blue/green ECS holds its ARN.
                # Others are named by port.
                "listener" if production else f"listener_{listener.port}",
                load_balancer_arn=lb.arn,
                port=listener.port,
                protocol="TLS" if tls else "TCP",
                certificate_arn=listener.certificate_arn,
                ssl_policy="ELBSecurityPolicy-TLS13-1-2-2021-06" if tls else None,
                default_action=[
                    production_action
                    if production
                    else LbListenerDefaultAction(
                        type="forward", target_group_arn=target_groups[0].arn
                    )
                ],
                lifecycle={"ignore_changes": ["default_action"]}
                if blue_green and production
                else None,
                # Created after the production listener's update: that one may be leaving the
                # port this one takes (HTTP-only -> HTTPS with HTTP kept).
                depends_on=None if production else [listeners[0]],
            )
        )
    _keep_listener_of_older_stacks(listeners[0], spec.listeners[0].port)
    return NetworkLoadBalancer(lb, target_groups, listeners)


def _keep_listener_of_older_stacks(production: LbListener, port: int) -> None:
    """Move the production listener from the id older stacks gave it to its stable one.

    Stacks deployed before the production listener had a stable id hold it under its port's id
    (`listener_80`, `listener_443` with TLS): a `moved` block keeps that listener instead of
    destroying it and creating one on the same port (Terraform orders neither before the other:
    the create can meet the port still taken), which drops traffic and, under blue/green, leaves
    ECS holding a deleted ARN that the service's ignore_changes keeps Terraform from correcting.
    Written as a stack override: cdktf's own move API adds a check that runs `terraform
    version` at synth, and synth needs no Terraform.
    """
    stack = TerraformStack.of(production)
    new_id = stack.get_logical_id(production)
    moves = getattr(stack, "_listener_moves", [])
    moves.append({"from": f"aws_lb_listener.{new_id}_{port}", "to": f"aws_lb_listener.{new_id}"})
    stack._listener_moves = moves
    stack.add_override("moved", moves)
