"""The settings' schema: one frozen dataclass whose fields are the settings, each with its
default and its meaning (docs/settings.md's table is generated from these docstrings)."""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from infra.settings.limits import MAX_AZ_COUNT, SUBNET_BITS
from infra.settings.validation import check


@dataclass(frozen=True)
class Settings:
    """What one environment's stack is built from; each field documents its default."""

    environment: str = "dev"
    """Environment name, part of every resource name. Default: the environment's key."""
    project: str = "voting-app"
    """Project name, first part of every resource name `<project>-<env>-<role>`."""
    region: str = "us-west-2"
    """AWS region of every resource."""

    vpc_cidr: str = "10.0.0.0/16"
    """VPC address range, split into 8 equal subnet ranges: public ones for AZ 0-3, then private
    ones for AZ 0-3, whatever `az_count` is (a /16 gives /19 subnets)."""
    az_count: int = 2
    """Availability zones used (1-4); the NLBs and services span all of them. Raising it adds
    subnets and leaves the existing ones in place."""
    availability_zones: tuple[str, ...] = ()
    """The zones by name. Default: the region's first `az_count` letters (`us-west-2a`, ...)."""
    nat_per_az: bool = False
    """One NAT gateway per AZ (survives an AZ outage) instead of one shared. Default: prod only."""

    vpc_endpoints: bool = False
    """VPC endpoints for ECR, S3, CloudWatch Logs and SSM: the tasks reach AWS only through
    them, not through NAT. Default: prod only."""

    web_cpu: int = 256
    """Fargate CPU units of a web task (256 = 0.25 vCPU)."""
    web_memory: int = 512
    """Fargate memory (MiB) of a web task; must be a pair Fargate offers with `web_cpu`."""
    web_desired_count: int = 1
    """Web tasks at deploy time. Default: 1 in dev, 2 in prod."""
    web_min_count: int = 1
    """Autoscaling floor for web tasks. Default: 1 in dev, 2 in prod."""
    web_max_count: int = 2
    """Autoscaling ceiling for web tasks. Default: 2 in dev, 6 in prod."""
    web_cpu_target: int = 35
    """Average CPU (%) the web service's target-tracking policy keeps. Default 35: in
    `bench/browsers.py` the page's p99 passed 200 ms between 25 % and 44 % of a core
    (docs/capacity.md); 60 holds fewer tasks at a p99 near half a second."""
    web_deployment: Literal["rolling", "blue_green"] = "rolling"
    """`rolling`: replace web tasks in place behind the circuit breaker; `blue_green`: ECS starts
    the new tasks in a second target group, moves the NLB to them, keeps the old ones for
    `web_bake_minutes` and rolls back on the web alarms. Default: rolling in dev, blue_green in
    prod."""
    web_bake_minutes: int = 10
    """Minutes blue/green keeps the old web tasks after the switch, the window in which an alarm
    rolls the release back; at least `alarm_minutes`."""
    web_container_port: int = 8080
    """Port gunicorn listens on inside the web container (unprivileged: the user is not root)."""

    redis_backend: Literal["fargate", "elasticache"] = "fargate"
    """`fargate`: one Redis task, its append-only file on EFS (votes survive a restart, up to
    the last second); `elasticache`: a managed replication group, in prod two nodes in two AZs
    with automatic failover, patched by AWS, snapshotted daily. Default: fargate in dev,
    elasticache in prod (about the same price, and no single task to lose)."""
    redis_cpu: int = 256
    """Fargate CPU units of the Redis task."""
    redis_memory: int = 512
    """Fargate memory (MiB) of the Redis task."""
    redis_desired_count: int = 1
    """Redis tasks (0 or 1: two tasks would write the same append-only file)."""
    redis_image: str = (
        "docker/library/redis:7.4.2-alpine"
        "@sha256:02419de7eddf55aa5bcf49efb74e88fa8d931b4d77c07eff8a6b2144472b6952"
    )
    """Redis image for the Fargate backend: an ECR Public (public.ecr.aws) repository, its tag
    and digest. Tasks pull it by digest through the account's ECR pull-through cache, never
    from Docker Hub; the tag only says which release the digest is."""
    cache_node_type: str = "cache.t4g.micro"
    """ElastiCache node type (elasticache backend)."""
    cache_engine_version: str = "8.0"
    """Valkey engine version (elasticache backend)."""
    cache_failover: bool = False
    """Two cache nodes in different AZs with automatic failover (elasticache). Default: prod."""

    backup_retention_days: int = 7
    """Days AWS Backup keeps each daily backup of the Redis EFS data (fargate backend; 0: no
    backup plan). Default: 7 in dev, 35 in prod."""
    retain_backups: bool = False
    """Recovery points outlive the stack: the backup vault gets a KMS key of its own, both kept
    from `destroy` (`prevent_destroy`), and ElastiCache takes a final snapshot when deleted.
    Default: prod only (dev's vault is deleted with the stack, recovery points included)."""
    teardown: bool = False
    """Step one of removing the stack (needs `deletion_protection` false): Terraform forgets
    the retained backup vault and its key instead of deleting them, so a `destroy` after this
    apply removes everything else. Default: false."""
    cache_snapshot_retention_days: int = 1
    """Days ElastiCache keeps its daily snapshots (elasticache backend; 0: none). Default: 1 in
    dev, 7 in prod."""
    cache_restore_snapshot: str = ""
    """Seed the cache from this ElastiCache snapshot: setting or changing it replaces the group
    (votes since the snapshot are lost). Default: empty, a new group starts empty."""
    ecs_exec: bool = False
    """Allow `aws ecs execute-command` into the tasks, sessions encrypted and logged (needs the
    Session Manager plugin). Default: off; turn it on to debug, then off again."""
    log_retention_days: int = 14
    """CloudWatch log retention for service and flow logs. Default: 14 in dev, 365 in prod."""
    ecr_keep_tagged: int = 10
    """Tagged images the ECR lifecycle policy keeps (untagged ones beyond 1 expire)."""
    deletion_protection: bool = False
    """Deletion protection on both NLBs, the votes (EFS or ElastiCache) and ECR's images. Default:
    prod only (off, `destroy` deletes everything, pushed images included)."""
    redis_password_version: int = 1
    """Bump to write a new `redis_password` into SSM (write-only values are not compared); every
    bump starts new Redis and web tasks, Redis first. See `redis_password_rotating`."""
    redis_password_rotating: bool = False
    """Step one of a password rotation: Redis accepts the new `redis_password` and the old one
    (the `redis_password_previous` variable on the Fargate backend; ElastiCache's ROTATE
    strategy) while web tasks move to the new one. Step two sets it back to false: the old
    password stops working (ElastiCache: SET). Default: false."""

    app_title: str = "Voting App"
    """Title shown on the page."""
    vote_options: tuple[str, ...] = ("Tabs", "Spaces")
    """The options voters choose from, in page order: 2 to 6, each at most 100 characters."""
    reset_enabled: bool = True
    """Whether an operator may reset the votes, with the `reset_token` variable's token.
    Default: dev only."""
    reset_token_version: int = 1
    """Bump to write a new `reset_token` into SSM (write-only values are not compared)."""

    domain_name: str = ""
    """Serve HTTPS on 443 under this name (empty: HTTP only on the NLB's DNS name)."""
    hosted_zone_id: str = ""
    """Route 53 zone of `domain_name`: DNS-validated certificate and alias record are created."""
    certificate_arn: str = ""
    """An existing ACM certificate for `domain_name`, instead of creating one."""
    http_listener: bool = True
    """Keep the plain-HTTP listener on 80 when TLS is on."""
    public_cidrs: tuple[str, ...] = ("0.0.0.0/0",)
    """IPv4 ranges that may reach the web listeners (a corporate network, say). Default: the
    internet."""

    alarm_emails: tuple[str, ...] = ()
    """E-mail addresses subscribed to the alarm topic (each confirms AWS's mail). Default: none."""
    alarms_unsubscribed: bool = True
    """Accept an alarm topic with no `alarm_emails`. Default: dev only; prod must name a
    subscriber or set this true."""
    alarm_paging: bool = False
    """Alarms notify the alarm topic. Default: prod only (dev alarms change state, send nothing)."""
    alarm_minutes: int = 10
    """Minutes a condition must last before its alarm fires. Default: 10 in dev, 5 in prod."""
    alarm_cpu_percent: int = 90
    """CPU (%) of a service or cache node that raises an alarm. Default: 90 / 80 (prod)."""
    alarm_memory_percent: int = 90
    """Memory (%) of a service or cache node that raises an alarm. Default: 90 / 80 (prod)."""
    alarm_http_5xx_per_minute: int = 10
    """5xx answers a minute in the web access log that raise an alarm. Default: 10 / 5 (prod)."""
    alarm_redis_errors_per_minute: int = 5
    """The app's "Redis unavailable" warnings a minute that raise an alarm. Default: 5 / 1 (prod)"""
    alarm_replication_lag_seconds: int = 30
    """Cache replica lag (seconds) that raises an alarm (elasticache with `cache_failover`)."""

    state_bucket: str = ""
    """S3 bucket for Terraform state (empty: local state file next to cdktf.json)."""
    local_state: bool = True
    """Accept state in a local file when `state_bucket` is empty. Default: dev only; prod must
    name `state_bucket` or set this true."""
    state_region: str = ""
    """Region of `state_bucket`. Default: `region`."""
    state_key_prefix: str = "voting-app"
    """Prefix of the state object key; the key is `<prefix>/<stack>.tfstate`."""

    tags: Mapping[str, str] = field(default_factory=dict)
    """Extra tags on every resource, beside project, environment and managed-by."""

    def __post_init__(self) -> None:
        check(self)

    @property
    def name_prefix(self) -> str:
        """`<project>-<env>`, the start of every resource name."""
        return f"{self.project}-{self.environment}"

    @property
    def stack_name(self) -> str:
        """The cdktf stack id, e.g. `voting-app-dev`."""
        return self.name_prefix

    @property
    def tls_enabled(self) -> bool:
        """Whether the web NLB serves HTTPS on 443."""
        return bool(self.domain_name)

    @property
    def zone_names(self) -> list[str]:
        """The availability zones, pinned by name so a new AZ never changes the plan."""
        return list(self.availability_zones) or [
            f"{self.region}{letter}" for letter in "abcd"[: self.az_count]
        ]

    @property
    def subnet_cidrs(self) -> tuple[list[str], list[str]]:
        """(public, private) subnet ranges, one of each per AZ.

        AZ `i` always gets range `i` (public) and `MAX_AZ_COUNT + i` (private) of `vpc_cidr`
        cut into `2 * MAX_AZ_COUNT` equal parts: a subnet's `cidr_block` forces its
        replacement, so adding an AZ must not move the ranges of the AZs already there.
        """
        network = ipaddress.ip_network(self.vpc_cidr)
        subnets = [str(net) for net in network.subnets(prefixlen_diff=SUBNET_BITS)]
        return (
            subnets[: self.az_count],
            subnets[MAX_AZ_COUNT : MAX_AZ_COUNT + self.az_count],
        )
