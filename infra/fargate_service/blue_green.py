"""ECS's built-in blue/green deployment behind an NLB: the role that moves the listener, and the
service's arguments while blue/green is active."""

from __future__ import annotations

from collections.abc import Sequence

from infra.fargate_service.props import BlueGreen
from infra.policies import assume_role_policy, policy
from toolchain.providers import (
    Construct,
    EcsServiceLoadBalancerAdvancedConfiguration,
    IamRole,
    IamRolePolicy,
    LbListener,
    LbTargetGroup,
)

# ECS adds 10 minutes to three stages of a blue/green deployment behind an NLB (pre scale-up, test
# and production traffic shift), for the NLB's data plane to follow the new weights.
NLB_BLUE_GREEN_DELAY_MINUTES = 3 * 10
# Starting, health-checking and draining tasks, beside the bake and the NLB delays.
DEPLOY_MARGIN_MINUTES = 20


def listener_mover(
    scope: Construct, name: str, target_groups: Sequence[LbTargetGroup], listener: LbListener
) -> tuple[EcsServiceLoadBalancerAdvancedConfiguration, IamRolePolicy]:
    """The role ECS moves `listener` between the two `target_groups` with, the load balancer's
    advanced configuration naming them, and the role's grant (the service waits for it)."""
    # AWS documents no source condition for the ECS infrastructure role's trust.
    role = IamRole(
        scope,
        "deploy_role",
        name=f"{name}-deploy",
        description=f"ECS: move {name}'s NLB listener between its two target groups",
        assume_role_policy=assume_role_policy("ecs.amazonaws.com"),
    )
    grant = IamRolePolicy(
        scope,
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
                "Resource": [group.arn for group in target_groups],
            },
            {"Action": "elasticloadbalancing:ModifyListener", "Resource": listener.arn},
        ),
    )
    advanced = EcsServiceLoadBalancerAdvancedConfiguration(
        alternate_target_group_arn=target_groups[1].arn,
        production_listener_rule=listener.arn,
        role_arn=role.arn,
    )
    return advanced, grant


def active_deployment(spec: BlueGreen) -> dict:
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
