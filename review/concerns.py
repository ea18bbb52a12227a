"""Sort resource types into the concerns a reviewer reads by."""

from __future__ import annotations

from .stack import Resource, Stack

CONCERNS = (
    "network",
    "security",
    "identity",
    "registry",
    "services",
    "logs",
    "storage",
    "cache",
    "dns",
    "alarms",
    "backups",
    "secrets",
    "other",
)

# Checked in order, so a specific prefix must come before a shorter one it starts with
# (aws_vpc_security_group_ before aws_vpc, aws_route53 before aws_route).
_PREFIXES: tuple[tuple[str, str], ...] = (
    ("aws_route53", "dns"),
    ("aws_vpc_security_group_", "security"),
    ("aws_security_group", "security"),
    ("aws_default_security_group", "security"),
    ("aws_network_acl", "security"),
    ("aws_default_network_acl", "security"),
    ("aws_kms_", "security"),
    ("aws_wafv2_", "security"),
    ("aws_cloudwatch_metric_alarm", "alarms"),
    ("aws_cloudwatch_composite_alarm", "alarms"),
    ("aws_sns_", "alarms"),
    ("aws_backup_", "backups"),
    ("aws_ssm_parameter", "secrets"),
    ("aws_secretsmanager_", "secrets"),
    ("aws_appautoscaling_", "services"),
    ("aws_flow_log", "logs"),
    ("aws_cloudwatch_", "logs"),
    ("aws_vpc", "network"),
    ("aws_subnet", "network"),
    ("aws_internet_gateway", "network"),
    ("aws_egress_only_internet_gateway", "network"),
    ("aws_nat_gateway", "network"),
    ("aws_eip", "network"),
    ("aws_route", "network"),
    ("aws_default_route_table", "network"),
    ("aws_main_route_table_association", "network"),
    ("aws_lb", "network"),
    ("aws_alb", "network"),
    ("aws_iam_", "identity"),
    ("aws_ecr_", "registry"),
    ("docker_", "registry"),
    ("aws_ecs_", "services"),
    ("aws_efs_", "storage"),
    ("aws_s3_", "storage"),
    ("aws_db_", "storage"),
    ("aws_rds_", "storage"),
    ("aws_elasticache_", "cache"),
    ("aws_memorydb_", "cache"),
    ("aws_acm_", "dns"),
    ("aws_service_discovery_", "dns"),
)


# Helpers that serve whatever reads them (a terraform_data trigger, a null_resource).
_HELPERS = ("terraform_data", "null_resource", "time_sleep")


def _concern_in(stack: Stack, resource: Resource) -> str:
    """A helper resource belongs to the concern of the first resource that reads it."""
    if resource.type not in _HELPERS:
        return concern_of(resource.type)
    for reader in stack.resources.values():
        if reader.type not in _HELPERS and resource in stack.referenced(reader.body):
            return concern_of(reader.type)
    return "other"


def concern_of(resource_type: str) -> str:
    """The concern a resource type belongs to; 'other' when none fits."""
    for prefix, concern in _PREFIXES:
        if resource_type.startswith(prefix):
            return concern
    return "other"


def by_concern(stack: Stack) -> dict[str, list[Resource]]:
    """The stack's resources grouped by concern, in the fixed concern order, empty ones left out."""
    groups: dict[str, list[Resource]] = {concern: [] for concern in CONCERNS}
    for resource in stack.resources.values():
        groups[_concern_in(stack, resource)].append(resource)
    return {concern: members for concern, members in groups.items() if members}
