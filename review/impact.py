"""What a classified change costs the people using the app: an outage, lost data, or a deploy."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from .changes import ResourceChange

Severity = Literal["data loss", "outage", "deploy", "change"]

# Replacing or destroying these deletes what they hold.
_DATA = {
    "aws_efs_file_system": "the Redis data on EFS (votes) is deleted; only a restore from a "
    "recovery point brings it back",
    "aws_elasticache_replication_group": "the cache's data (votes) is deleted; only a restore from "
    "a snapshot brings it back",
    "aws_backup_vault": "its recovery points go with it (or the destroy fails while it holds any)",
    "aws_kms_key": "everything encrypted with it (secrets, logs, EFS, backups) becomes unreadable "
    "once the key's deletion window ends",
    "aws_ecr_repository": "its images are deleted; older task definitions can no longer start",
    "aws_cloudwatch_log_group": "its log history is deleted",
}
# Replacing these cuts connections until the new one is in place.
_NETWORK = {
    "aws_vpc": "everything in the VPC is rebuilt: full outage",
    "aws_subnet": "tasks, NAT, load balancer and endpoint interfaces in it go: connection loss, "
    "and the delete fails while interfaces remain",
    "aws_nat_gateway": "private tasks lose outbound access (image pulls, logs, secrets) until the "
    "new gateway is up",
    "aws_eip": "the public address changes",
    "aws_internet_gateway": "the public subnets lose the internet: outage",
    "aws_lb": "the load balancer's DNS name changes and connections drop: outage until clients "
    "resolve the new name",
    "aws_lb_listener": "the port stops listening between delete and create: connection loss",
    "aws_lb_target_group": "targets re-register behind a new group: requests fail meanwhile",
    "aws_route_table": "routes vanish between delete and create: connection loss",
    "aws_route": "the route vanishes between delete and create: connection loss",
    "aws_route_table_association": "the subnet falls back to the main route table meanwhile",
    "aws_vpc_endpoint": "tasks that reach AWS only through it lose pulls, logs and secrets",
    "aws_security_group": "rules vanish between delete and create (and the delete waits for its "
    "interfaces): connection loss",
    "aws_ecs_cluster": "every service in it is rebuilt: outage",
    "aws_ecs_service": "the service's tasks stop before the new service starts: outage",
    "aws_route53_record": "the name does not resolve between delete and create",
    "aws_efs_mount_target": "Redis loses its volume in that AZ until the new target is up",
}
# Removing these takes the service away from their clients.
_REMOVED = {
    "aws_lb": "clients of this load balancer lose the service",
    "aws_lb_listener": "clients of this port lose the service",
}
_DEPLOYS = {
    "aws_ecs_task_definition": "a new revision: its service deploys it (rolling or blue/green "
    "as the service says), no downtime",
}


@dataclass(frozen=True)
class Impact:
    """One changed resource and what the change costs."""

    change: ResourceChange
    severity: Severity
    note: str

    @property
    def loud(self) -> bool:
        """True for a replacement or removal that loses data or connections."""
        return self.severity in ("data loss", "outage")


def impact_of(change: ResourceChange) -> Impact:
    """What a change to one resource costs, by its action and type."""
    kind = change.type
    if change.action in ("replace", "destroy") and kind in _DATA:
        return Impact(change, "data loss", _DATA[kind])
    if change.action == "replace" and kind in _NETWORK:
        return Impact(change, "outage", _NETWORK[kind])
    if change.action == "destroy" and kind in _REMOVED:
        return Impact(change, "outage", _REMOVED[kind])
    if change.action == "replace" and kind in _DEPLOYS:
        return Impact(change, "deploy", _DEPLOYS[kind])
    if change.action == "update" and kind == "aws_ecs_service":
        rolls = any(p.startswith("task_definition") for p in change.changed)
        note = "deploys the new task definition, no downtime" if rolls else "updated in place"
        return Impact(change, "deploy" if rolls else "change", note)
    notes = {
        "replace": "deleted and created again",
        "destroy": "removed",
        "create": "new",
        "update": "updated in place",
    }
    return Impact(change, "change", notes.get(change.action, change.action))


def impacts(changes: list[ResourceChange]) -> list[Impact]:
    """The impact of every resource the change touches, loudest first, then by address."""
    rank = {"data loss": 0, "outage": 1, "deploy": 2, "change": 3}
    moved = [impact_of(c) for c in changes if c.action != "unchanged"]
    return sorted(moved, key=lambda i: (rank[i.severity], i.change.address))
