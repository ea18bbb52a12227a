"""Settings of one environment: a frozen, typed dataclass with defaults, checked when built.

Values come, later ones winning, from: the environment's profile defaults (`dev`, `staging`,
`prod`), the `voting.settings` object of `cdktf.json`'s context (every environment), its
`voting.environments.<env>` object, `VOTING_<SETTING>` environment variables (every environment)
and `VOTING_<ENV>__<SETTING>` environment variables (one environment). A bad value raises
`SettingsError` with one line naming the setting, the value and what is allowed.
"""

from __future__ import annotations

import ast
import dataclasses
import inspect
import ipaddress
import json
import math
import os
import re
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, Literal

ENV_PREFIX = "VOTING_"
CONTEXT_KEY = "voting"
# VOTING_* variables that are switches of main.py, the toolchain and the loader, not settings.
_NOT_SETTINGS = {"CDK", "ENVIRONMENTS", "LAZY_PROVIDERS", "LAZY_NODE_PROVIDERS"}
PROFILES = ("dev", "staging", "prod")
# The environments every project has; cdktf.json may define more, each on a profile.
ENVIRONMENTS = ("dev", "prod")

# The CPU (units) / memory (MiB) pairs Fargate offers for Linux tasks.
FARGATE_MEMORY: dict[int, tuple[int, ...]] = {
    256: (512, 1024, 2048),
    512: tuple(range(1024, 4096 + 1, 1024)),
    1024: tuple(range(2048, 8192 + 1, 1024)),
    2048: tuple(range(4096, 16384 + 1, 1024)),
    4096: tuple(range(8192, 30720 + 1, 1024)),
    8192: tuple(range(16384, 61440 + 1, 4096)),
    16384: tuple(range(32768, 122880 + 1, 8192)),
}
# The retention periods CloudWatch Logs accepts.
LOG_RETENTION_DAYS = (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827)

_REGION = re.compile(r"[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d")
_NAME = re.compile(r"[a-z][a-z0-9-]*[a-z0-9]")
_IMAGE = re.compile(r"[a-z0-9]+([._/-][a-z0-9]+)*:[A-Za-z0-9._-]+@sha256:[a-f0-9]{64}")
_DOMAIN = re.compile(r"(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[a-z]{2,63}")
# The most options a page offers (the app's limit too: frontend/app/config.py).
MAX_VOTE_OPTIONS = 6
# The most availability zones a stack may use; the subnet layout reserves a range for each.
MAX_AZ_COUNT = 4
_SUBNET_BITS = math.ceil(math.log2(2 * MAX_AZ_COUNT))
# Load balancer and target group names are capped at 32 characters; "-redis" is the longest role.
_MAX_PREFIX = 32 - len("-redis")


class SettingsError(ValueError):
    """A setting has a value the stack cannot be built with; the message is one line."""


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
        _check(self)

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
        subnets = [str(net) for net in network.subnets(prefixlen_diff=_SUBNET_BITS)]
        return (
            subnets[: self.az_count],
            subnets[MAX_AZ_COUNT : MAX_AZ_COUNT + self.az_count],
        )


PROFILE_DEFAULTS: dict[str, dict[str, Any]] = {
    "dev": {},
    "prod": {
        "reset_enabled": False,
        "nat_per_az": True,
        "vpc_endpoints": True,
        "web_deployment": "blue_green",
        "web_desired_count": 2,
        "web_min_count": 2,
        "web_max_count": 6,
        "log_retention_days": 365,
        "deletion_protection": True,
        "cache_failover": True,
        "backup_retention_days": 35,
        "retain_backups": True,
        "redis_backend": "elasticache",
        "cache_snapshot_retention_days": 7,
        "alarm_paging": True,
        "local_state": False,
        "alarms_unsubscribed": False,
        "alarm_minutes": 5,
        "alarm_cpu_percent": 80,
        "alarm_memory_percent": 80,
        "alarm_http_5xx_per_minute": 5,
        "alarm_redis_errors_per_minute": 1,
    },
}
# staging: prod's shape (sizes, protections, ElastiCache, alarms, what it must name) at less cost:
# one NAT gateway instead of one per AZ, no interface endpoints (`make review` prices both),
# and rolling deploys instead of blue/green (no second set of tasks during a bake).
PROFILE_DEFAULTS["staging"] = PROFILE_DEFAULTS["prod"] | {
    "nat_per_az": False,
    "vpc_endpoints": False,
    "web_deployment": "rolling",
}


def _describe(values: tuple[int, ...]) -> str:
    """'512, 1024 or 2048', or '1024 to 4096 in steps of 1024' for a longer run."""
    if len(values) <= 3:
        return ", ".join(map(str, values[:-1])) + f" or {values[-1]}"
    return f"{values[0]} to {values[-1]} in steps of {values[1] - values[0]}"


def _fail(name: str, value: object, allowed: str) -> SettingsError:
    return SettingsError(f"setting '{name}' = {value!r} is invalid: {allowed}")


def _check(s: Settings) -> None:
    """Reject values AWS would refuse or that would make an unsafe stack."""
    for name in ("project", "environment"):
        value = getattr(s, name)
        if not _NAME.fullmatch(value):
            raise _fail(
                name, value, "use lower-case letters, digits and '-', starting with a letter"
            )
    if len(s.name_prefix) > _MAX_PREFIX:
        raise _fail(
            "project", s.project, f"'<project>-<environment>' must be at most {_MAX_PREFIX} chars"
        )
    if not _REGION.fullmatch(s.region):
        raise _fail("region", s.region, "use an AWS region code such as 'us-west-2'")
    if s.state_region and not _REGION.fullmatch(s.state_region):
        raise _fail("state_region", s.state_region, "use an AWS region code such as 'us-west-2'")
    if not 1 <= s.az_count <= MAX_AZ_COUNT:
        raise _fail("az_count", s.az_count, f"use 1 to {MAX_AZ_COUNT} availability zones")
    _check_cidr(s)
    if len(set(s.availability_zones)) != len(s.availability_zones):
        raise _fail("availability_zones", list(s.availability_zones), "name each zone once")
    if s.availability_zones and (
        len(s.availability_zones) != s.az_count
        or not all(zone.startswith(s.region) for zone in s.availability_zones)
    ):
        raise _fail(
            "availability_zones",
            list(s.availability_zones),
            f"name az_count ({s.az_count}) zones of {s.region}",
        )
    for role in ("web", "redis"):
        cpu, memory = getattr(s, f"{role}_cpu"), getattr(s, f"{role}_memory")
        if cpu not in FARGATE_MEMORY:
            raise _fail(f"{role}_cpu", cpu, f"Fargate offers {sorted(FARGATE_MEMORY)}")
        if memory not in FARGATE_MEMORY[cpu]:
            offered = _describe(FARGATE_MEMORY[cpu])
            raise _fail(f"{role}_memory", memory, f"with {cpu} CPU units Fargate offers {offered}")
    for name in ("web_desired_count", "web_min_count", "redis_desired_count"):
        if getattr(s, name) < 0:
            raise _fail(name, getattr(s, name), "use 0 or more")
    if s.redis_desired_count > 1:
        raise _fail(
            "redis_desired_count", s.redis_desired_count, "use 0 or 1: tasks would share one AOF"
        )
    if not s.web_min_count <= s.web_desired_count <= s.web_max_count:
        raise _fail(
            "web_desired_count",
            s.web_desired_count,
            f"must lie within web_min_count..web_max_count ({s.web_min_count}..{s.web_max_count})",
        )
    if s.web_max_count < 1:
        raise _fail("web_max_count", s.web_max_count, "use 1 or more")
    if not 10 <= s.web_cpu_target <= 90:
        raise _fail("web_cpu_target", s.web_cpu_target, "use a percentage from 10 to 90")
    if s.web_deployment not in ("rolling", "blue_green"):
        raise _fail("web_deployment", s.web_deployment, "use 'rolling' or 'blue_green'")
    if not 0 <= s.web_bake_minutes <= 1440:
        raise _fail("web_bake_minutes", s.web_bake_minutes, "use 0 to 1440 minutes")
    if s.web_deployment == "blue_green" and s.web_bake_minutes < s.alarm_minutes:
        raise _fail(
            "web_bake_minutes",
            s.web_bake_minutes,
            f"blue_green must bake at least alarm_minutes ({s.alarm_minutes}) so an alarm can "
            "roll a bad release back",
        )
    if not 1024 <= s.web_container_port <= 65535:
        raise _fail(
            "web_container_port", s.web_container_port, "use an unprivileged port 1024-65535"
        )
    if s.log_retention_days not in LOG_RETENTION_DAYS:
        raise _fail("log_retention_days", s.log_retention_days, f"use one of {LOG_RETENTION_DAYS}")
    if not 1 <= s.ecr_keep_tagged <= 1000:
        raise _fail("ecr_keep_tagged", s.ecr_keep_tagged, "use 1 to 1000")
    if not 0 <= s.backup_retention_days <= 36500:
        raise _fail("backup_retention_days", s.backup_retention_days, "use 0 (off) to 36500")
    if not 0 <= s.cache_snapshot_retention_days <= 35:
        raise _fail(
            "cache_snapshot_retention_days",
            s.cache_snapshot_retention_days,
            "ElastiCache keeps 0 (off) to 35 days",
        )
    if s.teardown and s.deletion_protection:
        raise _fail(
            "teardown", s.teardown, "set deletion_protection false too: teardown removes the stack"
        )
    if s.cache_restore_snapshot and s.redis_backend != "elasticache":
        raise _fail(
            "cache_restore_snapshot", s.cache_restore_snapshot, "needs redis_backend elasticache"
        )
    if s.reset_token_version < 1:
        raise _fail("reset_token_version", s.reset_token_version, "use 1 or more")
    if s.redis_password_version < 1:
        raise _fail("redis_password_version", s.redis_password_version, "use 1 or more")
    if s.redis_backend not in ("fargate", "elasticache"):
        raise _fail("redis_backend", s.redis_backend, "use 'fargate' or 'elasticache'")
    if not _IMAGE.fullmatch(s.redis_image) or ":latest@" in s.redis_image:
        raise _fail(
            "redis_image",
            s.redis_image,
            "pin an ECR Public repository's release tag and digest, e.g. "
            "'docker/library/redis:7.4.2-alpine@sha256:<64 hex digits>'",
        )
    if s.redis_backend == "elasticache" and s.cache_failover and s.az_count < 2:
        raise _fail("az_count", s.az_count, "cache_failover (on in prod) needs 2+ AZs")
    _check_app(s)
    _check_public_cidrs(s)
    _check_tls(s)
    _check_alarms(s)
    # Last, so a mistake in any value above is named first.
    if not s.state_bucket and not s.local_state:
        raise _fail(
            "state_bucket",
            s.state_bucket,
            f"{s.environment} keeps its Terraform state in S3: name a bucket, or set local_state "
            "true to keep a local file",
        )
    if not s.alarm_emails and not s.alarms_unsubscribed:
        raise _fail(
            "alarm_emails",
            list(s.alarm_emails),
            f"{s.environment}'s alarms must reach someone: name an address, or set "
            "alarms_unsubscribed true",
        )


def _check_cidr(s: Settings) -> None:
    try:
        network = ipaddress.IPv4Network(s.vpc_cidr)
    except ValueError:
        raise _fail("vpc_cidr", s.vpc_cidr, "use an IPv4 network such as '10.0.0.0/16'") from None
    if network.prefixlen < 16 or network.prefixlen + _SUBNET_BITS > 28:
        raise _fail(
            "vpc_cidr",
            s.vpc_cidr,
            f"a VPC is /16 to /28 and must hold {2 * MAX_AZ_COUNT} subnets of /28 or larger "
            f"(public + private for up to {MAX_AZ_COUNT} AZs): use /16 to /{28 - _SUBNET_BITS}",
        )


def _check_public_cidrs(s: Settings) -> None:
    if not s.public_cidrs:
        raise _fail("public_cidrs", [], "name at least one range, e.g. '0.0.0.0/0'")
    for cidr in s.public_cidrs:
        try:
            ipaddress.IPv4Network(cidr)
        except ValueError:
            raise _fail(
                "public_cidrs", cidr, "use IPv4 networks such as '203.0.113.0/24'"
            ) from None
    if len(set(s.public_cidrs)) != len(s.public_cidrs):
        raise _fail("public_cidrs", list(s.public_cidrs), "name each range once")


def _check_app(s: Settings) -> None:
    if not s.app_title.strip():
        raise _fail("app_title", s.app_title, "must not be empty")
    if len(s.app_title) > 100:
        raise _fail("app_title", s.app_title, "use at most 100 characters")
    if not 2 <= len(s.vote_options) <= MAX_VOTE_OPTIONS:
        raise _fail("vote_options", list(s.vote_options), f"use 2 to {MAX_VOTE_OPTIONS} options")
    seen: set[str] = set()
    for option in s.vote_options:
        if not option.strip():
            raise _fail("vote_options", option, "an option must not be empty")
        if len(option) > 100:
            raise _fail("vote_options", option, "use at most 100 characters per option")
        if option.strip().casefold() == "reset":
            raise _fail("vote_options", option, "'reset' is the Reset button's value")
        if option.strip().casefold() in seen:
            raise _fail("vote_options", option, "name each option once")
        seen.add(option.strip().casefold())


def _check_tls(s: Settings) -> None:
    if s.domain_name and not _DOMAIN.fullmatch(s.domain_name):
        raise _fail(
            "domain_name", s.domain_name, "use a lower-case DNS name such as 'vote.example.com'"
        )
    if s.domain_name and not (s.hosted_zone_id or s.certificate_arn):
        raise _fail(
            "domain_name",
            s.domain_name,
            "TLS needs hosted_zone_id (to validate a new certificate) or certificate_arn",
        )
    if not s.domain_name and (s.hosted_zone_id or s.certificate_arn):
        name = "hosted_zone_id" if s.hosted_zone_id else "certificate_arn"
        raise _fail(name, getattr(s, name), "set domain_name too: TLS needs the name it serves")
    if s.certificate_arn and not s.certificate_arn.startswith("arn:"):
        raise _fail("certificate_arn", s.certificate_arn, "use an ACM certificate ARN")
    if s.web_deployment == "blue_green" and s.domain_name and s.http_listener:
        raise _fail(
            "web_deployment",
            s.web_deployment,
            "blue_green moves one listener: with TLS set http_listener false, or use 'rolling'",
        )
    if not s.http_listener and not s.domain_name:
        raise _fail(
            "http_listener", s.http_listener, "without TLS the HTTP listener is the only one"
        )


def _check_alarms(s: Settings) -> None:
    for email in s.alarm_emails:
        if not _EMAIL.fullmatch(email):
            raise _fail("alarm_emails", email, "use e-mail addresses such as 'ops@example.com'")
    if len(set(s.alarm_emails)) != len(s.alarm_emails):
        raise _fail("alarm_emails", list(s.alarm_emails), "name each address once")
    if not 1 <= s.alarm_minutes <= 60:
        raise _fail("alarm_minutes", s.alarm_minutes, "use 1 to 60 minutes")
    for name in ("alarm_cpu_percent", "alarm_memory_percent"):
        if not 10 <= getattr(s, name) <= 100:
            raise _fail(name, getattr(s, name), "use a percentage from 10 to 100")
    for name in (
        "alarm_http_5xx_per_minute",
        "alarm_redis_errors_per_minute",
        "alarm_replication_lag_seconds",
    ):
        if getattr(s, name) < 1:
            raise _fail(name, getattr(s, name), "use 1 or more")


# ---- building Settings from cdktf.json and the environment ----------------------------------


def _field_types() -> dict[str, Any]:
    """The overridable settings and their types (`environment` is the key it is defined under)."""
    hints = typing.get_type_hints(Settings)
    return {f.name: hints[f.name] for f in fields(Settings) if f.name != "environment"}


def _coerce(name: str, raw: object, kind: Any) -> object:
    """Turn a JSON or environment-variable value into the field's type, or fail naming it."""
    origin = typing.get_origin(kind)
    if kind is bool:
        if isinstance(raw, bool):
            return raw
        text = str(raw).strip().lower()
        if text in {"1", "true", "yes", "on"}:
            return True
        if text in {"0", "false", "no", "off"}:
            return False
        raise _fail(name, raw, "use true or false")
    if kind is int:
        if isinstance(raw, bool) or not isinstance(raw, int | str):
            raise _fail(name, raw, "use a whole number")
        try:
            return int(raw)
        except ValueError:
            raise _fail(name, raw, "use a whole number") from None
    if origin is tuple:
        if isinstance(raw, str):
            raw = [item.strip() for item in raw.split(",") if item.strip()]
        if not isinstance(raw, list) or not all(isinstance(item, str) for item in raw):
            raise _fail(name, raw, "use a list of strings (or a comma-separated string)")
        return tuple(raw)
    if origin is Literal:
        if raw not in typing.get_args(kind):
            raise _fail(name, raw, "use one of " + ", ".join(map(repr, typing.get_args(kind))))
        return raw
    if origin in (Mapping, dict) or kind is Mapping:
        if isinstance(raw, str):
            try:
                raw = json.loads(raw)
            except json.JSONDecodeError:
                raise _fail(name, raw, "use a JSON object of strings") from None
        if not isinstance(raw, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in raw.items()
        ):
            raise _fail(name, raw, "use a JSON object of strings")
        return types.MappingProxyType(dict(raw))
    if not isinstance(raw, str):
        raise _fail(name, raw, "use a string")
    return raw


def _overrides(source: str, values: object, kinds: Mapping[str, Any]) -> dict[str, object]:
    if not isinstance(values, dict):
        raise SettingsError(f"{source} must be a JSON object of settings")
    unknown = sorted(set(values) - set(kinds) - {"profile"})
    if unknown:
        raise SettingsError(
            f"unknown setting '{unknown[0]}' in {source}; known: {', '.join(sorted(kinds))}"
        )
    return {k: _coerce(k, v, kinds[k]) for k, v in values.items() if k != "profile"}


def _env_overrides(prefix: str, environ: Mapping[str, str], kinds: Mapping[str, Any]) -> dict:
    found = {}
    for key, value in environ.items():
        name = key[len(prefix) :]
        if not key.startswith(prefix) or "__" in name or name in _NOT_SETTINGS:
            continue
        if name.lower() not in kinds:
            raise SettingsError(f"unknown setting '{name.lower()}' in environment variable {key}")
        found[name.lower()] = _coerce(name.lower(), value, kinds[name.lower()])
    return found


def read_context(cdktf_json: Path) -> dict[str, Any]:
    """Return the `voting` object of cdktf.json's context (empty if there is none)."""
    try:
        config = json.loads(cdktf_json.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as error:
        raise SettingsError(f"cannot read settings from {cdktf_json.name}: {error}") from None
    context = config.get("context", {}).get(CONTEXT_KEY, {})
    if not isinstance(context, dict):
        raise SettingsError(f"context.{CONTEXT_KEY} in {cdktf_json.name} must be a JSON object")
    return context


def load_all(
    context: Mapping[str, Any], environ: Mapping[str, str] = os.environ
) -> dict[str, Settings]:
    """Build the settings of every environment: dev, prod and any defined in the context (an
    environment named like a profile, such as `staging`, is on that profile)."""
    kinds = _field_types()
    common = _overrides(f"context.{CONTEXT_KEY}.settings", context.get("settings", {}), kinds)
    defined = context.get("environments", {})
    if not isinstance(defined, dict):
        raise SettingsError(f"context.{CONTEXT_KEY}.environments must be a JSON object")
    result = {}
    for env in dict.fromkeys([*ENVIRONMENTS, *defined]):
        source = f"context.{CONTEXT_KEY}.environments.{env}"
        own = defined.get(env, {})
        profile = (
            own.get("profile", env if env in PROFILES else None) if isinstance(own, dict) else None
        )
        if profile not in PROFILES:
            raise _fail(f"{env}.profile", profile, f"a new environment needs a profile: {PROFILES}")
        values: dict[str, object] = {"environment": env, **PROFILE_DEFAULTS[profile]}
        values.update(common)
        values.update(_overrides(source, own, kinds))
        values.update(_env_overrides(ENV_PREFIX, environ, kinds))
        env_prefix = f"{ENV_PREFIX}{env.upper().replace('-', '_')}__"
        values.update(_env_overrides(env_prefix, environ, kinds))
        result[env] = Settings(**values)
    return result


def select(all_settings: Mapping[str, Settings], wanted: str) -> list[Settings]:
    """Pick the environments named in `wanted` (comma-separated; empty: all)."""
    names = [name.strip() for name in wanted.split(",") if name.strip()] or list(all_settings)
    for name in names:
        if name not in all_settings:
            raise SettingsError(
                f"unknown environment '{name}' in {ENV_PREFIX}ENVIRONMENTS; "
                f"known: {', '.join(all_settings)}"
            )
    return [all_settings[name] for name in names]


def markdown_table() -> str:
    """The settings table: name, each profile's default, and each field's docstring."""
    source = ast.parse(inspect.getsource(Settings))
    body = source.body[0].body
    docs = {
        node.target.id: body[i + 1].value.value
        for i, node in enumerate(body[:-1])
        if isinstance(node, ast.AnnAssign) and isinstance(body[i + 1], ast.Expr)
    }
    rows = [
        "| setting | " + " | ".join(PROFILES) + " | meaning |",
        "| --- | " + " | ".join("---" for _ in PROFILES) + " | --- |",
    ]
    for f in fields(Settings):
        if f.name == "environment":
            continue
        default = f.default if f.default is not dataclasses.MISSING else {}
        cells = [
            f"`{f.name}`",
            *(_cell(PROFILE_DEFAULTS[p].get(f.name, default)) for p in PROFILES),
            " ".join(docs[f.name].split()),
        ]
        rows.append("| " + " | ".join(cells) + " |")
    return "\n".join(rows)


def _cell(value: object) -> str:
    return f"`{json.dumps(list(value) if isinstance(value, tuple) else value)}`"


if __name__ == "__main__":
    print(markdown_table())
