"""A Fargate service behind a network load balancer: used for both Redis and the web frontend.

Its rooms: `props` (what a service is made of, every default stated), `service` (the
`FargateService` construct), `task` (the container's definition and volumes), `load_balancer`
(the NLB, target groups and listeners) and `blue_green` (ECS's blue/green behind the NLB).
"""

from infra.fargate_service.blue_green import NLB_BLUE_GREEN_DELAY_MINUTES
from infra.fargate_service.props import (
    Autoscaling,
    BlueGreen,
    Container,
    EfsVolume,
    Listener,
    LoadBalancer,
    ServiceBase,
)
from infra.fargate_service.service import FargateService
from infra.fargate_service.task import log_group_name

__all__ = [
    "NLB_BLUE_GREEN_DELAY_MINUTES",
    "Autoscaling",
    "BlueGreen",
    "Container",
    "EfsVolume",
    "FargateService",
    "Listener",
    "LoadBalancer",
    "ServiceBase",
    "log_group_name",
]
