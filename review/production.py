"""Whether a stack is run as production, read from what it does rather than what it is called,
and the defaults a production team would refuse."""

from __future__ import annotations

import json
import re
from typing import Any

from .stack import Resource, Stack

_PRODUCTION_TAGS = ("prod", "production")
_REDIS_IMAGE = re.compile(r"(^|/)(redis|valkey)([:@]|$)")
_SECURE_PROTOCOLS = {"TLS", "HTTPS"}


def production_signals(stack: Stack) -> list[str]:
    """Why the stack counts as production; empty when nothing says so.

    A stack that protects its resources from deletion, or whose alarms notify someone, is treated
    the way its owners treat it, whatever its name: these settings are what a team turns on for
    the environment users depend on. The `environment = prod` tag and a `*-prod` name count too."""
    signals = [
        f"deletion protection on `{r.address}`"
        for r in stack.resources.values()
        if r.get("enable_deletion_protection") is True or r.get("deletion_protection") is True
    ]
    signals += [
        f"`lifecycle.prevent_destroy` on `{r.address}`"
        for r in stack.resources.values()
        if _lifecycle(r).get("prevent_destroy") is True
    ]
    paging = [
        r.address
        for r in stack.of_type("aws_cloudwatch_metric_alarm")
        if r.get("alarm_actions") and r.get("actions_enabled", True) is not False
    ]
    if paging:
        signals.append(f"{len(paging)} alarm(s) notify on breach (`{paging[0]}` …)")
    if stack.default_tags.get("environment") in _PRODUCTION_TAGS:
        signals.append(f"tagged environment = {stack.default_tags['environment']}")
    elif stack.name.endswith("-prod"):
        signals.append("named `*-prod`")
    return signals


def production_findings(stack: Stack) -> list[str]:
    """State, paging, TLS, Redis and backup defaults that do not belong in production."""
    return (
        _local_state(stack)
        + _silent_topics(stack)
        + _plain_http(stack)
        + _single_redis(stack)
        + _vaults_destroyed_with_stack(stack)
    )


def _lifecycle(resource: Resource) -> dict[str, Any]:
    value = resource.get("lifecycle")
    return value if isinstance(value, dict) else {}


def _local_state(stack: Stack) -> list[str]:
    backend = stack.backend
    if backend and "local" not in backend:
        return []
    where = (backend.get("local") or {}).get("path", "terraform.tfstate") if backend else None
    return [
        f"state is kept in a local file (`{where or 'terraform.tfstate'}`): one laptop holds "
        "production, with no lock; name a state bucket (state_bucket)"
    ]


def _silent_topics(stack: Stack) -> list[str]:
    """Topics that alarms notify but nobody subscribes to."""
    alarm_topics: dict[str, Resource] = {}
    for alarm in stack.of_type("aws_cloudwatch_metric_alarm"):
        actions = (alarm.get("alarm_actions") or []) + (alarm.get("ok_actions") or [])
        for topic in stack.referenced(actions, "aws_sns_topic"):
            alarm_topics[topic.address] = topic
    subscribed = {
        topic.address
        for subscription in stack.of_type("aws_sns_topic_subscription")
        for topic in stack.referenced(subscription.get("topic_arn"), "aws_sns_topic")
    }
    return [
        f"alarms notify `{address}`, which has no subscriber: nobody is paged "
        "(add one, e.g. alarm_emails)"
        for address in sorted(alarm_topics.keys() - subscribed)
    ]


def _plain_http(stack: Stack) -> list[str]:
    """Internet-facing load balancers with no TLS or HTTPS listener."""
    findings = []
    for lb in stack.of_type("aws_lb", "aws_alb"):
        if lb.get("internal") is True:
            continue
        protocols = {
            str(listener.get("protocol", "")).upper()
            for listener in stack.of_type("aws_lb_listener", "aws_alb_listener")
            if lb in stack.referenced(listener.get("load_balancer_arn"))
        }
        if protocols and not protocols & _SECURE_PROTOCOLS:
            shown = ", ".join(sorted(protocols))
            findings.append(
                f"`{lb.address}` serves plain {shown} only, no TLS listener: votes and "
                "tokens cross the internet unencrypted (set domain_name)"
            )
    return findings


def _single_redis(stack: Stack) -> list[str]:
    """Redis as a Fargate task (one writer, no failover), or a cache group without failover."""
    findings = []
    for service in stack.of_type("aws_ecs_service"):
        for task in stack.referenced(service.get("task_definition"), "aws_ecs_task_definition"):
            images = _images(task)
            if any(_REDIS_IMAGE.search(image) for image in images):
                findings.append(
                    f"`{service.address}` runs Redis as a Fargate task "
                    f"({service.get('desired_count', 1)} task, image {images[0]}): a task "
                    "restart is an outage and nothing fails over; production wants a "
                    "replicated ElastiCache group with automatic failover (redis_backend)"
                )
    for group in stack.of_type("aws_elasticache_replication_group"):
        if group.get("automatic_failover_enabled") is not True:
            findings.append(
                f"`{group.address}` has no automatic failover: losing its primary node is an "
                "outage (cache_failover)"
            )
    return findings


def _images(task: Resource) -> list[str]:
    """The container images of a task definition (`[]` when its JSON is not literal)."""
    try:
        containers = json.loads(task.get("container_definitions") or "[]")
    except (TypeError, json.JSONDecodeError):
        return []
    return [str(c.get("image", "")) for c in containers if isinstance(c, dict)]


def _vaults_destroyed_with_stack(stack: Stack) -> list[str]:
    """Backup vaults that `terraform destroy` takes down with the stack."""
    locked = {
        vault.address
        for lock in stack.of_type("aws_backup_vault_lock_configuration")
        for vault in stack.referenced(lock.get("backup_vault_name"), "aws_backup_vault")
    }
    findings = []
    for vault in stack.of_type("aws_backup_vault"):
        if vault.get("force_destroy") is True:
            findings.append(
                f"`{vault.address}` has force_destroy: destroying the stack deletes every "
                "recovery point with it"
            )
        elif _lifecycle(vault).get("prevent_destroy") is not True and vault.address not in locked:
            findings.append(
                f"`{vault.address}`: nothing keeps the vault out of `terraform destroy` (no "
                "lifecycle.prevent_destroy, no vault lock): recovery points should outlive "
                "the stack"
            )
    return findings
