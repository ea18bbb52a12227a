"""On-demand list prices, in US dollars, for what the stacks run, by region.

List prices, excluding data transfer and every usage-based charge (NAT and endpoint per-GB
processing, load balancer capacity units, log ingestion and storage, backup storage, KMS
requests): what the stack costs standing still, around the clock, for a 730-hour month.
"""

from __future__ import annotations

from dataclasses import dataclass

PRICES_DATE = "2026-12-03"
"""When the table was compiled from the pages below. It was written down from the published
price pages, not fetched from the AWS Price List API on that day (the build machine has no access
to AWS), so check the pages before quoting a figure."""

HOURS_PER_MONTH = 730

SOURCES = {
    "fargate": "https://aws.amazon.com/fargate/pricing/",
    "nat": "https://aws.amazon.com/vpc/pricing/",
    "public_ipv4": "https://aws.amazon.com/vpc/pricing/ (Public IPv4 Address tab)",
    "endpoint": "https://aws.amazon.com/privatelink/pricing/",
    "load_balancer": "https://aws.amazon.com/elasticloadbalancing/pricing/",
    "cache": "https://aws.amazon.com/elasticache/pricing/",
    "efs": "https://aws.amazon.com/efs/pricing/",
    "cloudwatch": "https://aws.amazon.com/cloudwatch/pricing/",
    "kms": "https://aws.amazon.com/kms/pricing/",
}


@dataclass(frozen=True)
class RegionPrices:
    """One region's prices; hourly unless the name says month."""

    fargate_vcpu_hour: float  # Linux/x86
    fargate_gb_hour: float
    nat_gateway_hour: float
    load_balancer_hour: float  # NLB (and ALB) hour, capacity units excluded
    endpoint_az_hour: float  # interface endpoint, per AZ it sits in
    efs_standard_gb_month: float
    cache_node_hour: dict[str, float]  # Redis OSS on-demand nodes
    public_ipv4_hour: float = 0.005
    kms_key_month: float = 1.0
    alarm_metric_month: float = 0.10  # standard resolution, per metric in the alarm
    dashboard_month: float = 3.0  # beyond the account's first three
    custom_metric_month: float = 0.30  # first 10,000 metrics; Container Insights is billed so


# Valkey nodes are listed 20 % below Redis OSS nodes of the same type (ElastiCache pricing page).
VALKEY_NODE_FACTOR = 0.8

# Container Insights (standard) on ECS publishes per cluster and per service these many metrics
# (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/Container-Insights-metrics-ECS.html:
# cluster CPU/memory reserved and utilized, network rx/tx, storage read/write, ephemeral storage
# reserved/utilized, task, service and container-instance counts; per service the same usage
# metrics plus desired, running and pending task, deployment and task-set counts).
CONTAINER_INSIGHTS_METRICS = {"cluster": 13, "service": 15}

# EFS bills the GB stored; the JSON cannot know it. The votes of this app are a few kilobytes, so
# the estimate counts one GB per file system and says so.
EFS_GB_ASSUMED = 1

REGIONS: dict[str, RegionPrices] = {
    "us-east-1": RegionPrices(
        fargate_vcpu_hour=0.04048,
        fargate_gb_hour=0.004445,
        nat_gateway_hour=0.045,
        load_balancer_hour=0.0225,
        endpoint_az_hour=0.01,
        efs_standard_gb_month=0.30,
        cache_node_hour={
            "cache.t4g.micro": 0.016,
            "cache.t4g.small": 0.032,
            "cache.t4g.medium": 0.065,
        },
    ),
    "us-west-2": RegionPrices(
        fargate_vcpu_hour=0.04048,
        fargate_gb_hour=0.004445,
        nat_gateway_hour=0.045,
        load_balancer_hour=0.0225,
        endpoint_az_hour=0.01,
        efs_standard_gb_month=0.30,
        cache_node_hour={
            "cache.t4g.micro": 0.016,
            "cache.t4g.small": 0.032,
            "cache.t4g.medium": 0.065,
        },
    ),
    "eu-west-1": RegionPrices(
        fargate_vcpu_hour=0.04048,
        fargate_gb_hour=0.004445,
        nat_gateway_hour=0.048,
        load_balancer_hour=0.0252,
        endpoint_az_hour=0.011,
        efs_standard_gb_month=0.33,
        cache_node_hour={
            "cache.t4g.micro": 0.0176,
            "cache.t4g.small": 0.0352,
            "cache.t4g.medium": 0.0704,
        },
    ),
    "eu-central-1": RegionPrices(
        fargate_vcpu_hour=0.04656,
        fargate_gb_hour=0.00511,
        nat_gateway_hour=0.052,
        load_balancer_hour=0.027,
        endpoint_az_hour=0.012,
        efs_standard_gb_month=0.36,
        cache_node_hour={
            "cache.t4g.micro": 0.0184,
            "cache.t4g.small": 0.0368,
            "cache.t4g.medium": 0.0736,
        },
    ),
}
