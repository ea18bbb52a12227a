"""The settings' checks: values AWS would refuse, or that would make an unsafe stack, stop the
build with a one-line `SettingsError` naming the setting, the value and what is allowed."""

from __future__ import annotations

import ipaddress
import re
from typing import TYPE_CHECKING

from infra.settings.limits import (
    FARGATE_MEMORY,
    LOG_RETENTION_DAYS,
    MAX_AZ_COUNT,
    MAX_PREFIX,
    MAX_VOTE_OPTIONS,
    SUBNET_BITS,
)

if TYPE_CHECKING:
    from infra.settings.schema import Settings

_REGION = re.compile(r"[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d")
_NAME = re.compile(r"[a-z][a-z0-9-]*[a-z0-9]")
_IMAGE = re.compile(r"[a-z0-9]+([._/-][a-z0-9]+)*:[A-Za-z0-9._-]+@sha256:[a-f0-9]{64}")
_DOMAIN = re.compile(r"(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[a-z]{2,63}")


class SettingsError(ValueError):
    """A setting has a value the stack cannot be built with; the message is one line."""


def _describe(values: tuple[int, ...]) -> str:
    """'512, 1024 or 2048', or '1024 to 4096 in steps of 1024' for a longer run."""
    if len(values) <= 3:
        return ", ".join(map(str, values[:-1])) + f" or {values[-1]}"
    return f"{values[0]} to {values[-1]} in steps of {values[1] - values[0]}"


def fail(name: str, value: object, allowed: str) -> SettingsError:
    return SettingsError(f"setting '{name}' = {value!r} is invalid: {allowed}")


def check(s: Settings) -> None:
    """Reject values AWS would refuse or that would make an unsafe stack."""
    for name in ("project", "environment"):
        value = getattr(s, name)
        if not _NAME.fullmatch(value):
            raise fail(
                name, value, "use lower-case letters, digits and '-', starting with a letter"
            )
    if len(s.name_prefix) > MAX_PREFIX:
        raise fail(
            "project", s.project, f"'<project>-<environment>' must be at most {MAX_PREFIX} chars"
        )
    if not _REGION.fullmatch(s.region):
        raise fail("region", s.region, "use an AWS region code such as 'us-west-2'")
    if s.state_region and not _REGION.fullmatch(s.state_region):
        raise fail("state_region", s.state_region, "use an AWS region code such as 'us-west-2'")
    if not 1 <= s.az_count <= MAX_AZ_COUNT:
        raise fail("az_count", s.az_count, f"use 1 to {MAX_AZ_COUNT} availability zones")
    _check_cidr(s)
    if len(set(s.availability_zones)) != len(s.availability_zones):
        raise fail("availability_zones", list(s.availability_zones), "name each zone once")
    if s.availability_zones and (
        len(s.availability_zones) != s.az_count
        or not all(zone.startswith(s.region) for zone in s.availability_zones)
    ):
        raise fail(
            "availability_zones",
            list(s.availability_zones),
            f"name az_count ({s.az_count}) zones of {s.region}",
        )
    for role in ("web", "redis"):
        cpu, memory = getattr(s, f"{role}_cpu"), getattr(s, f"{role}_memory")
        if cpu not in FARGATE_MEMORY:
            raise fail(f"{role}_cpu", cpu, f"Fargate offers {sorted(FARGATE_MEMORY)}")
        if memory not in FARGATE_MEMORY[cpu]:
            offered = _describe(FARGATE_MEMORY[cpu])
            raise fail(f"{role}_memory", memory, f"with {cpu} CPU units Fargate offers {offered}")
    for name in ("web_desired_count", "web_min_count", "redis_desired_count"):
        if getattr(s, name) < 0:
            raise fail(name, getattr(s, name), "use 0 or more")
    if s.redis_desired_count > 1:
        raise fail(
            "redis_desired_count", s.redis_desired_count, "use 0 or 1: tasks would share one AOF"
        )
    if not s.web_min_count <= s.web_desired_count <= s.web_max_count:
        raise fail(
            "web_desired_count",
            s.web_desired_count,
            f"must lie within web_min_count..web_max_count ({s.web_min_count}..{s.web_max_count})",
        )
    if s.web_max_count < 1:
        raise fail("web_max_count", s.web_max_count, "use 1 or more")
    if not 10 <= s.web_cpu_target <= 90:
        raise fail("web_cpu_target", s.web_cpu_target, "use a percentage from 10 to 90")
    if s.web_deployment not in ("rolling", "blue_green"):
        raise fail("web_deployment", s.web_deployment, "use 'rolling' or 'blue_green'")
    if not 0 <= s.web_bake_minutes <= 1440:
        raise fail("web_bake_minutes", s.web_bake_minutes, "use 0 to 1440 minutes")
    if s.web_deployment == "blue_green" and s.web_bake_minutes < s.alarm_minutes:
        raise fail(
            "web_bake_minutes",
            s.web_bake_minutes,
            f"blue_green must bake at least alarm_minutes ({s.alarm_minutes}) so an alarm can "
            "roll a bad release back",
        )
    if not 1024 <= s.web_container_port <= 65535:
        raise fail(
            "web_container_port", s.web_container_port, "use an unprivileged port 1024-65535"
        )
    if s.log_retention_days not in LOG_RETENTION_DAYS:
        raise fail("log_retention_days", s.log_retention_days, f"use one of {LOG_RETENTION_DAYS}")
    if not 1 <= s.ecr_keep_tagged <= 1000:
        raise fail("ecr_keep_tagged", s.ecr_keep_tagged, "use 1 to 1000")
    if not 0 <= s.backup_retention_days <= 36500:
        raise fail("backup_retention_days", s.backup_retention_days, "use 0 (off) to 36500")
    if not 0 <= s.cache_snapshot_retention_days <= 35:
        raise fail(
            "cache_snapshot_retention_days",
            s.cache_snapshot_retention_days,
            "ElastiCache keeps 0 (off) to 35 days",
        )
    if s.teardown and s.deletion_protection:
        raise fail(
            "teardown", s.teardown, "set deletion_protection false too: teardown removes the stack"
        )
    if s.cache_restore_snapshot and s.redis_backend != "elasticache":
        raise fail(
            "cache_restore_snapshot", s.cache_restore_snapshot, "needs redis_backend elasticache"
        )
    if s.reset_token_version < 1:
        raise fail("reset_token_version", s.reset_token_version, "use 1 or more")
    if s.redis_password_version < 1:
        raise fail("redis_password_version", s.redis_password_version, "use 1 or more")
    if s.redis_backend not in ("fargate", "elasticache"):
        raise fail("redis_backend", s.redis_backend, "use 'fargate' or 'elasticache'")
    if not _IMAGE.fullmatch(s.redis_image) or ":latest@" in s.redis_image:
        raise fail(
            "redis_image",
            s.redis_image,
            "pin an ECR Public repository's release tag and digest, e.g. "
            "'docker/library/redis:7.4.2-alpine@sha256:<64 hex digits>'",
        )
    if s.redis_backend == "elasticache" and s.cache_failover and s.az_count < 2:
        raise fail("az_count", s.az_count, "cache_failover (on in prod) needs 2+ AZs")
    _check_app(s)
    _check_public_cidrs(s)
    _check_tls(s)
    _check_alarms(s)
    # Last, so a mistake in any value above is named first.
    if not s.state_bucket and not s.local_state:
        raise fail(
            "state_bucket",
            s.state_bucket,
            f"{s.environment} keeps its Terraform state in S3: name a bucket, or set local_state "
            "true to keep a local file",
        )
    if not s.alarm_emails and not s.alarms_unsubscribed:
        raise fail(
            "alarm_emails",
            list(s.alarm_emails),
            f"{s.environment}'s alarms must reach someone: name an address, or set "
            "alarms_unsubscribed true",
        )


def _check_cidr(s: Settings) -> None:
    try:
        network = ipaddress.IPv4Network(s.vpc_cidr)
    except ValueError:
        raise fail("vpc_cidr", s.vpc_cidr, "use an IPv4 network such as '10.0.0.0/16'") from None
    if network.prefixlen < 16 or network.prefixlen + SUBNET_BITS > 28:
        raise fail(
            "vpc_cidr",
            s.vpc_cidr,
            f"a VPC is /16 to /28 and must hold {2 * MAX_AZ_COUNT} subnets of /28 or larger "
            f"(public + private for up to {MAX_AZ_COUNT} AZs): use /16 to /{28 - SUBNET_BITS}",
        )


def _check_public_cidrs(s: Settings) -> None:
    if not s.public_cidrs:
        raise fail("public_cidrs", [], "name at least one range, e.g. '0.0.0.0/0'")
    for cidr in s.public_cidrs:
        try:
            ipaddress.IPv4Network(cidr)
        except ValueError:
            raise fail("public_cidrs", cidr, "use IPv4 networks such as '203.0.113.0/24'") from None
    if len(set(s.public_cidrs)) != len(s.public_cidrs):
        raise fail("public_cidrs", list(s.public_cidrs), "name each range once")


def _check_app(s: Settings) -> None:
    if not s.app_title.strip():
        raise fail("app_title", s.app_title, "must not be empty")
    if len(s.app_title) > 100:
        raise fail("app_title", s.app_title, "use at most 100 characters")
    if not 2 <= len(s.vote_options) <= MAX_VOTE_OPTIONS:
        raise fail("vote_options", list(s.vote_options), f"use 2 to {MAX_VOTE_OPTIONS} options")
    seen: set[str] = set()
    for option in s.vote_options:
        if not option.strip():
            raise fail("vote_options", option, "an option must not be empty")
        if len(option) > 100:
            raise fail("vote_options", option, "use at most 100 characters per option")
        if option.strip().casefold() == "reset":
            raise fail("vote_options", option, "'reset' is the Reset button's value")
        if option.strip().casefold() in seen:
            raise fail("vote_options", option, "name each option once")
        seen.add(option.strip().casefold())


def _check_tls(s: Settings) -> None:
    if s.domain_name and not _DOMAIN.fullmatch(s.domain_name):
        raise fail(
            "domain_name", s.domain_name, "use a lower-case DNS name such as 'vote.example.com'"
        )
    if s.domain_name and not (s.hosted_zone_id or s.certificate_arn):
        raise fail(
            "domain_name",
            s.domain_name,
            "TLS needs hosted_zone_id (to validate a new certificate) or certificate_arn",
        )
    if not s.domain_name and (s.hosted_zone_id or s.certificate_arn):
        name = "hosted_zone_id" if s.hosted_zone_id else "certificate_arn"
        raise fail(name, getattr(s, name), "set domain_name too: TLS needs the name it serves")
    if s.certificate_arn and not s.certificate_arn.startswith("arn:"):
        raise fail("certificate_arn", s.certificate_arn, "use an ACM certificate ARN")
    if s.web_deployment == "blue_green" and s.domain_name and s.http_listener:
        raise fail(
            "web_deployment",
            s.web_deployment,
            "blue_green moves one listener: with TLS set http_listener false, or use 'rolling'",
        )
    if not s.http_listener and not s.domain_name:
        raise fail(
            "http_listener", s.http_listener, "without TLS the HTTP listener is the only one"
        )


def _check_alarms(s: Settings) -> None:
    for email in s.alarm_emails:
        if not _EMAIL.fullmatch(email):
            raise fail("alarm_emails", email, "use e-mail addresses such as 'ops@example.com'")
    if len(set(s.alarm_emails)) != len(s.alarm_emails):
        raise fail("alarm_emails", list(s.alarm_emails), "name each address once")
    if not 1 <= s.alarm_minutes <= 60:
        raise fail("alarm_minutes", s.alarm_minutes, "use 1 to 60 minutes")
    for name in ("alarm_cpu_percent", "alarm_memory_percent"):
        if not 10 <= getattr(s, name) <= 100:
            raise fail(name, getattr(s, name), "use a percentage from 10 to 100")
    for name in (
        "alarm_http_5xx_per_minute",
        "alarm_redis_errors_per_minute",
        "alarm_replication_lag_seconds",
    ):
        if getattr(s, name) < 1:
            raise fail(name, getattr(s, name), "use 1 or more")
