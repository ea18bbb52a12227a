"""Which arguments of each resource type force Terraform to replace the resource.

Each row lists the arguments the provider's schema marks `ForceNew` (SDKv2) or `RequiresReplace`
(plugin framework), as the provider documentation page in the row describes them ("Changing this
forces a new resource to be created"). Paths are dotted and without list indices: `volume` covers
every argument inside the `volume` blocks. The rows cite the hashicorp/aws 6.25.0 and
kreuzwerker/docker 3.6.2 pages: the versions the stacks pin in the default (cdktf) flavour.

The cdktn flavour pins newer providers (aws 6.69.1, docker 4.6.0). A later release that makes an
argument forcing, or stops it forcing, is a `LaterChange` row in `LATER_CHANGES`, applied by
`rule_for` when the stack's pinned provider is at or above that release (and, for one that makes
an argument forcing, when no exact version is pinned). Its rows come from
the provider CHANGELOG entries read in docs/toolchain.md ("AWS provider 6.25 → 6.69").
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Any

_AWS = "https://registry.terraform.io/providers/hashicorp/aws/6.25.0/docs/resources/"
_DOCKER = "https://registry.terraform.io/providers/kreuzwerker/docker/3.6.2/docs/resources/"


@dataclass(frozen=True)
class ReplacementRule:
    """The replacement-forcing arguments of one resource type and where that is documented."""

    forcing: tuple[str, ...]
    """Argument paths whose change replaces the resource."""
    source: str
    """The documentation page (and, where it says more, the provider source file)."""
    all_but: bool = False
    """True when every argument forces replacement except those in `forcing` (the type has no
    update call for them, like aws_ecs_task_definition)."""
    tagged: bool = True
    """Whether the type takes `tags`, so the provider's `default_tags` reach it as `tags_all`."""

    def forces(self, path: str) -> bool:
        """True when a change at this argument path (dotted, no indices) forces replacement."""
        hit = any(path == p or path.startswith(p + ".") for p in self.forcing)
        return not hit if self.all_but else hit


def _aws(page: str, *forcing: str, all_but: bool = False, tagged: bool = True) -> ReplacementRule:
    return ReplacementRule(tuple(forcing), _AWS + page, all_but=all_but, tagged=tagged)


_TAGS = ("tags", "tags_all")

REPLACEMENT_ARGUMENTS: dict[str, ReplacementRule] = {
    "aws_acm_certificate": _aws(
        "acm_certificate",
        "domain_name",
        "subject_alternative_names",
        "validation_method",
        "key_algorithm",
        "certificate_authority_arn",
        "validation_option",
    ),
    # no update call: a new certificate or record list means a new validation
    "aws_acm_certificate_validation": _aws(
        "acm_certificate_validation", "certificate_arn", "validation_record_fqdns", tagged=False
    ),
    "aws_appautoscaling_policy": _aws(
        "appautoscaling_policy",
        "name",
        "resource_id",
        "scalable_dimension",
        "service_namespace",
        tagged=False,
    ),
    "aws_appautoscaling_target": _aws(
        "appautoscaling_target", "resource_id", "scalable_dimension", "service_namespace"
    ),
    "aws_backup_plan": _aws("backup_plan", "name"),
    # a selection cannot be updated in AWS Backup: every argument replaces it
    "aws_backup_selection": _aws("backup_selection", all_but=True, tagged=False),
    "aws_backup_vault": _aws("backup_vault", "name", "kms_key_arn"),
    "aws_cloudwatch_dashboard": _aws("cloudwatch_dashboard", "dashboard_name", tagged=False),
    "aws_cloudwatch_log_group": _aws(
        "cloudwatch_log_group", "name", "name_prefix", "log_group_class"
    ),
    "aws_cloudwatch_log_metric_filter": _aws(
        "cloudwatch_log_metric_filter", "name", "log_group_name", tagged=False
    ),
    "aws_cloudwatch_metric_alarm": _aws("cloudwatch_metric_alarm", "alarm_name"),
    "aws_default_security_group": _aws("default_security_group", "vpc_id"),
    "aws_ecr_lifecycle_policy": _aws("ecr_lifecycle_policy", "repository", tagged=False),
    # credential_arn and custom_role_arn are updated in place (UpdatePullThroughCacheRule)
    "aws_ecr_pull_through_cache_rule": _aws(
        "ecr_pull_through_cache_rule",
        "ecr_repository_prefix",
        "upstream_registry_url",
        "upstream_repository_prefix",
        tagged=False,
    ),
    "aws_ecr_repository": _aws("ecr_repository", "name", "encryption_configuration"),
    "aws_ecs_cluster": _aws("ecs_cluster", "name"),
    "aws_ecs_service": _aws(
        "ecs_service",
        "name",
        "cluster",
        "launch_type",
        "iam_role",
        "scheduling_strategy",
        "deployment_controller",
    ),
    # task definitions are immutable revisions: anything but tags registers a new one
    "aws_ecs_task_definition": _aws(
        "ecs_task_definition", *_TAGS, "skip_destroy", "track_latest", all_but=True
    ),
    "aws_efs_access_point": _aws(
        "efs_access_point", "file_system_id", "posix_user", "root_directory"
    ),
    "aws_efs_file_system": _aws(
        "efs_file_system",
        "creation_token",
        "performance_mode",
        "encrypted",
        "kms_key_id",
        "availability_zone_name",
    ),
    "aws_efs_file_system_policy": _aws("efs_file_system_policy", "file_system_id", tagged=False),
    "aws_efs_mount_target": _aws(
        "efs_mount_target",
        "file_system_id",
        "subnet_id",
        "ip_address",
        "ipv6_address",
        "ip_address_type",
        tagged=False,
    ),
    "aws_eip": _aws(
        "eip",
        "domain",
        "address",
        "customer_owned_ipv4_pool",
        "network_border_group",
        "public_ipv4_pool",
        "ipam_pool_id",
    ),
    # parameter values are modified in place (ModifyCacheParameterGroup)
    "aws_elasticache_parameter_group": _aws(
        "elasticache_parameter_group", "name", "family", "description"
    ),
    "aws_elasticache_replication_group": _aws(
        "elasticache_replication_group",
        "replication_group_id",
        "subnet_group_name",
        "port",
        "at_rest_encryption_enabled",
        "kms_key_id",
        "preferred_cache_cluster_azs",
        "snapshot_arns",
        "snapshot_name",
        "data_tiering_enabled",
        "network_type",
        "global_replication_group_id",
        "security_group_names",
    ),
    "aws_elasticache_subnet_group": _aws("elasticache_subnet_group", "name"),
    # only tags can change in place; every flow-log argument makes a new flow log
    "aws_flow_log": _aws("flow_log", *_TAGS, all_but=True),
    "aws_iam_role": _aws("iam_role", "name", "name_prefix", "path"),
    "aws_iam_role_policy": _aws("iam_role_policy", "name", "name_prefix", "role", tagged=False),
    "aws_internet_gateway": _aws("internet_gateway"),
    "aws_kms_alias": _aws("kms_alias", "name", "name_prefix", tagged=False),
    "aws_kms_key": _aws(
        "kms_key",
        "customer_master_key_spec",
        "key_usage",
        "multi_region",
        "custom_key_store_id",
        "xks_key_id",
    ),
    # plus, for network load balancers, removing a subnet (see changes._conditional_forcing)
    "aws_lb": _aws(
        "lb", "name", "name_prefix", "internal", "load_balancer_type", "customer_owned_ipv4_pool"
    ),
    "aws_lb_listener": _aws("lb_listener", "load_balancer_arn"),
    "aws_lb_target_group": _aws(
        "lb_target_group",
        "name",
        "name_prefix",
        "port",
        "protocol",
        "protocol_version",
        "target_type",
        "vpc_id",
        "ip_address_type",
    ),
    "aws_nat_gateway": _aws(
        "nat_gateway", "allocation_id", "subnet_id", "connectivity_type", "private_ip"
    ),
    "aws_route": _aws(
        "route",
        "route_table_id",
        "destination_cidr_block",
        "destination_ipv6_cidr_block",
        "destination_prefix_list_id",
        tagged=False,
    ),
    "aws_route53_record": _aws("route53_record", "zone_id", "name", tagged=False),
    "aws_route_table": _aws("route_table", "vpc_id"),
    "aws_route_table_association": _aws(
        "route_table_association", "subnet_id", "gateway_id", tagged=False
    ),
    "aws_security_group": _aws("security_group", "name", "name_prefix", "vpc_id", "description"),
    "aws_sns_topic": _aws("sns_topic", "name", "name_prefix", "fifo_topic"),
    "aws_sns_topic_policy": _aws("sns_topic_policy", "arn", tagged=False),
    "aws_sns_topic_subscription": _aws(
        "sns_topic_subscription",
        "topic_arn",
        "protocol",
        "endpoint",
        "endpoint_auto_confirms",
        "confirmation_timeout_in_minutes",
        tagged=False,
    ),
    "aws_ssm_parameter": _aws("ssm_parameter", "name", "data_type"),
    "aws_subnet": _aws(
        "subnet",
        "cidr_block",
        "availability_zone",
        "availability_zone_id",
        "vpc_id",
        "outpost_arn",
        "ipv6_native",
    ),
    "aws_vpc": _aws("vpc", "cidr_block", "ipv4_ipam_pool_id", "ipv4_netmask_length"),
    "aws_vpc_endpoint": _aws(
        "vpc_endpoint", "vpc_id", "service_name", "vpc_endpoint_type", "service_region"
    ),
    "aws_vpc_security_group_egress_rule": _aws(
        "vpc_security_group_egress_rule", "security_group_id"
    ),
    "aws_vpc_security_group_ingress_rule": _aws(
        "vpc_security_group_ingress_rule", "security_group_id"
    ),
    "docker_image": ReplacementRule(
        ("name", "build", "triggers", "platform", "pull_triggers"),
        _DOCKER + "image",
        tagged=False,
    ),
    "docker_registry_image": ReplacementRule(
        ("name", "triggers", "insecure_skip_verify"),
        _DOCKER + "registry_image",
        tagged=False,
    ),
    "terraform_data": ReplacementRule(
        ("triggers_replace",),
        "https://developer.hashicorp.com/terraform/language/resources/terraform-data",
        tagged=False,
    ),
}


_AWS_ISSUE = "https://github.com/hashicorp/terraform-provider-aws/issues/"


@dataclass(frozen=True)
class LaterChange:
    """An argument whose replacement behaviour changed in a provider release after the pages the
    table cites."""

    type_name: str
    path: str
    since: str
    """The first provider release with the new behaviour ("6.28.0")."""
    source: str
    """The link the provider's CHANGELOG entry gives."""
    forces: bool = True
    """True when the release made the argument force replacement, False when it stopped."""

    @property
    def provider(self) -> str:
        """The provider's local name, the prefix of the type (`aws` for aws_vpc_endpoint)."""
        return self.type_name.split("_", 1)[0]


LATER_CHANGES: tuple[LaterChange, ...] = (
    # 6.28.0, BUG FIXES: "resource/aws_vpc_endpoint: `private_dns_enabled` argument is now marked
    # as `ForceNew`": turning private DNS on or off makes a new endpoint
    LaterChange("aws_vpc_endpoint", "private_dns_enabled", "6.28.0", _AWS_ISSUE + "45679"),
)

_EXACT = re.compile(r"^\s*=?\s*v?(\d+)\.(\d+)\.(\d+)\s*$")


def pinned_version(stack: dict[str, Any], provider: str) -> tuple[int, int, int] | None:
    """The exact version `terraform.required_providers.<provider>.version` pins ("6.69.1" or
    "= 6.69.1"), or None when there is none or it is a range, which `terraform init` resolves to
    a release this offline review cannot know."""
    providers = (stack.get("terraform") or {}).get("required_providers") or {}
    entry = providers.get(provider)
    version = entry.get("version") if isinstance(entry, dict) else None
    match = _EXACT.match(version) if isinstance(version, str) else None
    return (int(match[1]), int(match[2]), int(match[3])) if match else None


def _version(text: str) -> tuple[int, int, int]:
    major, minor, patch = (int(part) for part in text.split("."))
    return major, minor, patch


def rule_for(type_name: str, stack: dict[str, Any]) -> ReplacementRule | None:
    """The type's row, with the `LATER_CHANGES` the stack's pinned provider has.

    With no exact pin only the changes that make an argument forcing apply: an open range lets
    `terraform init` take the newest release, and reporting a replacement that does not happen is
    the safer mistake than missing one that does."""
    rule = REPLACEMENT_ARGUMENTS.get(type_name)
    if rule is None:
        return None
    for change in LATER_CHANGES:
        if change.type_name != type_name:
            continue
        pinned = pinned_version(stack, change.provider)
        if change.forces if pinned is None else pinned >= _version(change.since):
            rule = _with(rule, change.path, change.forces)
    return rule


def _with(rule: ReplacementRule, path: str, forces: bool) -> ReplacementRule:
    """The rule with `path` forcing replacement (or not). With `all_but`, `forcing` lists the
    exceptions, so the path leaves that list to force and joins it to stop forcing."""
    if rule.forces(path) == forces:
        return rule
    listed = forces != rule.all_but
    paths = (*rule.forcing, path) if listed else tuple(p for p in rule.forcing if p != path)
    return replace(rule, forcing=paths)
