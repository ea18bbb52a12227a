"""Operations: what watches the stack and whom it tells, how services deploy, what is backed up."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .production import production_findings, production_signals
from .stack import Resource, Stack

_COMPARISONS = {
    "GreaterThanOrEqualToThreshold": "≥",
    "GreaterThanThreshold": ">",
    "LessThanThreshold": "<",
    "LessThanOrEqualToThreshold": "≤",
}


@dataclass(frozen=True)
class Alarm:
    """A CloudWatch alarm: its metric, when it fires and whom it tells."""

    address: str
    name: str
    watches: str
    fires_when: str
    notifies: tuple[str, ...]


@dataclass(frozen=True)
class Deployment:
    """How an ECS service rolls out a release and what rolls it back."""

    service: str
    strategy: str
    circuit_breaker: str
    rollback_alarms: tuple[str, ...]
    detail: str


@dataclass(frozen=True)
class Backup:
    """What is backed up, and how."""

    protects: str
    how: str


@dataclass
class Operations:
    """The stack's alarms, deployments and backups, and the data stores nothing backs up."""

    production: bool
    production_signals: list[str] = field(default_factory=list)
    """Why the stack is held to production rules."""
    alarms: list[Alarm] = field(default_factory=list)
    deployments: list[Deployment] = field(default_factory=list)
    backups: list[Backup] = field(default_factory=list)
    unprotected: list[str] = field(default_factory=list)


def analyse_operations(stack: Stack) -> Operations:
    """Read alarms, deployments and backups from the stack."""
    signals = production_signals(stack)
    return Operations(
        production=bool(signals),
        production_signals=signals,
        alarms=[_alarm(stack, r) for r in stack.of_type("aws_cloudwatch_metric_alarm")],
        deployments=[_deployment(r) for r in stack.of_type("aws_ecs_service")],
        backups=_backups(stack),
        unprotected=_unprotected(stack),
    )


def operations_findings(stack: Stack, ops: Operations) -> list[str]:
    """What a production stack lacks: alarms, someone they notify, rollback, backups."""
    if not ops.production:
        return []
    findings = [
        f"production service `{d.service}` does not roll back a failed deployment (circuit "
        f"breaker: {d.circuit_breaker})"
        for d in ops.deployments
        if d.circuit_breaker != "rollback"
    ]
    if not ops.alarms:
        findings.append(f"production stack `{stack.name}` has no CloudWatch alarm")
    elif not any(a.notifies for a in ops.alarms):
        findings.append(f"production stack `{stack.name}`: no alarm notifies anyone")
    findings += [f"production data in `{u}` is not backed up" for u in ops.unprotected]
    return findings + production_findings(stack)


def _alarm(stack: Stack, resource: Resource) -> Alarm:
    body = resource.body
    return Alarm(
        address=resource.address,
        name=str(body.get("alarm_name", resource.name)),
        watches=_watches(body),
        fires_when=_fires_when(body),
        notifies=tuple(_notified(stack, body.get("alarm_actions") or [])),
    )


def _watches(body: dict[str, Any]) -> str:
    """`AWS/ECS CPUUtilization (Average)`, or the returned expression over its metrics."""
    if body.get("metric_name"):
        return f"{body.get('namespace')} {body['metric_name']} ({body.get('statistic', '?')})"
    queries = body.get("metric_query") or []
    metrics = [
        f"{q['metric'].get('namespace')} {q['metric'].get('metric_name')}"
        for q in queries
        if isinstance(q.get("metric"), dict)
    ]
    returned = [q["expression"] for q in queries if q.get("return_data") and q.get("expression")]
    unique = ", ".join(dict.fromkeys(metrics))
    return f"{returned[0]} of {unique}" if returned else unique or "?"


def _fires_when(body: dict[str, Any]) -> str:
    """`≥ 80 for 5 of 5 × 60 s`."""
    comparison = _COMPARISONS.get(body.get("comparison_operator", ""), "?")
    period = body.get("period") or next(
        (q["metric"].get("period") for q in body.get("metric_query") or [] if q.get("metric")),
        "?",
    )
    evaluated = body.get("evaluation_periods", "?")
    breaching = body.get("datapoints_to_alarm", evaluated)
    return f"{comparison} {body.get('threshold', '?')} for {breaching} of {evaluated} × {period} s"


def _notified(stack: Stack, actions: list[Any]) -> list[str]:
    """Each action's topic with its subscriptions (`email ops@example.com`)."""
    notified = []
    for topic in stack.referenced(actions, "aws_sns_topic"):
        subscribers = [
            f"{s.get('protocol')} {s.get('endpoint')}"
            for s in stack.of_type("aws_sns_topic_subscription")
            if topic in stack.referenced(s.get("topic_arn"), "aws_sns_topic")
        ]
        notified.append(
            f"`{topic.address}`" + (f" ({', '.join(subscribers)})" if subscribers else "")
        )
    return notified


def _deployment(resource: Resource) -> Deployment:
    body = resource.body
    configuration = _block(body.get("deployment_configuration"))
    controller = _block(body.get("deployment_controller")).get("type", "ECS")
    strategy = (
        controller.lower()
        if controller != "ECS"
        else str(configuration.get("strategy", "ROLLING")).lower().replace("_", "/")
    )
    breaker = _block(body.get("deployment_circuit_breaker"))
    circuit = (
        ("rollback" if breaker.get("rollback") else "on, no rollback")
        if breaker.get("enable")
        else "off"
    )
    alarms = _block(body.get("alarms"))
    rollback_alarms = (
        tuple(str(n) for n in alarms.get("alarm_names") or [])
        if alarms.get("enable") and alarms.get("rollback")
        else ()
    )
    detail = (
        f"min {body.get('deployment_minimum_healthy_percent', 100)} % / "
        f"max {body.get('deployment_maximum_percent', 200)} %"
    )
    if configuration.get("bake_time_in_minutes") is not None:
        detail += f", bake {configuration['bake_time_in_minutes']} min"
    return Deployment(resource.address, strategy, circuit, rollback_alarms, detail)


def _block(value: Any) -> dict[str, Any]:
    """A nested block, written as an object or as a one-item list."""
    if isinstance(value, list):
        value = value[0] if value else {}
    return value if isinstance(value, dict) else {}


def _backups(stack: Stack) -> list[Backup]:
    backups = []
    for selection in stack.of_type("aws_backup_selection"):
        plans = list(stack.referenced(selection.get("plan_id"), "aws_backup_plan"))
        rules = [_rule_text(stack, rule) for plan in plans for rule in plan.get("rule") or []]
        for protected in stack.referenced(selection.get("resources")):
            backups.append(
                Backup(f"`{protected.address}`", "AWS Backup: " + ("; ".join(rules) or "?"))
            )
    for policy in stack.of_type("aws_efs_backup_policy"):
        if _block(policy.get("backup_policy")).get("status") == "ENABLED":
            for protected in stack.referenced(policy.get("file_system_id")):
                backups.append(Backup(f"`{protected.address}`", "EFS automatic backups"))
    for group in stack.of_type("aws_elasticache_replication_group"):
        days = group.get("snapshot_retention_limit") or 0
        if days:
            backups.append(Backup(f"`{group.address}`", f"daily snapshots kept {days} days"))
    return backups


def _rule_text(stack: Stack, rule: dict[str, Any]) -> str:
    """`daily, cron(0 3 * * ? *), kept 35 days in aws_backup_vault.x (KMS)`."""
    days = _block(rule.get("lifecycle")).get("delete_after", "forever")
    vaults = list(stack.referenced(rule.get("target_vault_name"), "aws_backup_vault"))
    vault = (
        f"`{vaults[0].address}`" + (" (KMS)" if vaults[0].get("kms_key_arn") else "")
        if vaults
        else str(rule.get("target_vault_name"))
    )
    return f"{rule.get('rule_name')}, {rule.get('schedule')}, kept {days} days in {vault}"


def _unprotected(stack: Stack) -> list[str]:
    """EFS file systems no backup covers, and caches that keep no snapshot."""
    covered = {
        r.address
        for selection in stack.of_type("aws_backup_selection")
        for r in stack.referenced(selection.get("resources"))
    } | {
        r.address
        for policy in stack.of_type("aws_efs_backup_policy")
        if _block(policy.get("backup_policy")).get("status") == "ENABLED"
        for r in stack.referenced(policy.get("file_system_id"))
    }
    missing = [r.address for r in stack.of_type("aws_efs_file_system") if r.address not in covered]
    missing += [
        r.address
        for r in stack.of_type("aws_elasticache_replication_group")
        if not r.get("snapshot_retention_limit")
    ]
    return missing
