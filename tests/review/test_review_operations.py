"""The review's operations section: alarms and who they notify, deployments, backups; a
production stack without them is flagged."""

from __future__ import annotations

import json
from pathlib import Path

from tests.review.helpers import report_of, section


def _write(tmp_path: Path, synth, drop: tuple[str, ...] = ()) -> Path:
    """The stack's JSON as cdk.tf.json, without the resource types in `drop`."""
    data = json.loads(synth.text)
    for type_ in drop:
        data["resource"].pop(type_, None)
    folder = (
        tmp_path
        / f"voting-app-{data['provider']['aws'][0]['default_tags'][0]['tags']['environment']}"
    )
    folder.mkdir(exist_ok=True)
    path = folder / "cdk.tf.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def test_prod_report_lists_alarms_with_their_topic_and_subscribers(synth_s3, tmp_path):
    report = report_of(_write(tmp_path, synth_s3))
    alarms = section(report, "### Alarms")
    row = next(line for line in alarms.splitlines() if "(voting-app-prod-web-http-5xx)" in line)
    assert "voting-app-prod Http5xx (Sum)" in row
    assert "≥ 5 for 5 of 5 × 60 s" in row
    assert (
        "`aws_sns_topic.monitoring_topic` (email ops@example.com, email oncall@example.com)" in row
    )
    tasks = next(line for line in alarms.splitlines() if "web-tasks-below-desired)" in line)
    assert "desired - running of ECS/ContainerInsights DesiredTaskCount" in tasks
    assert alarms.count("`aws_cloudwatch_metric_alarm.") == len(
        synth_s3.resources("aws_cloudwatch_metric_alarm")
    )
    # alarms, rollback and backups are in place (its TLS, Redis and vault are checked elsewhere)
    findings = section(report, "## Findings")
    for missing in ("production stack", "production service", "production data"):
        assert missing not in findings


def test_dev_alarms_notify_nobody_and_that_is_no_finding(synth_dev, tmp_path):
    report = report_of(_write(tmp_path, synth_dev))
    alarms = section(report, "### Alarms")
    assert alarms.count("nobody (state only)") == len(
        synth_dev.resources("aws_cloudwatch_metric_alarm")
    )
    assert "No findings" in section(report, "## Findings")


def test_deployments_show_strategy_and_rollback(synth_prod_fargate, tmp_path):
    deployments = section(report_of(_write(tmp_path, synth_prod_fargate)), "### Deployments")
    redis = next(line for line in deployments.splitlines() if "redis_service" in line)
    assert "| rolling | rollback | — |" in redis
    assert "min 0 % / max 100 %" in redis
    web = next(line for line in deployments.splitlines() if "web_service" in line)
    assert "| blue/green | rollback |" in web
    assert "`voting-app-prod-web-http-500`<br>`voting-app-prod-web-unhealthy-targets`" in web
    assert "bake 10 min" in web


def test_backups_of_both_backends(synth_prod_fargate, synth_prod, tmp_path):
    efs = section(report_of(_write(tmp_path, synth_prod_fargate)), "### Backups")
    assert (
        "- `aws_efs_file_system.redis_storage_file_system`: AWS Backup: daily, cron(0 3 * * ? *), "
        "kept 35 days in `aws_backup_vault.backup_vault` (KMS)" in efs
    )
    cache = section(report_of(_write(tmp_path, synth_prod)), "### Backups")
    assert "- `aws_elasticache_replication_group.cache_group`: daily snapshots kept 7 days" in cache


def test_prod_without_alarms_or_backups_is_flagged(synth_prod_fargate, tmp_path):
    stripped = _write(
        tmp_path,
        synth_prod_fargate,
        drop=("aws_cloudwatch_metric_alarm", "aws_backup_selection", "aws_backup_plan"),
    )
    report = report_of(stripped)
    findings = section(report, "## Findings")
    assert "production stack `voting-app-prod` has no CloudWatch alarm" in findings
    assert (
        "production data in `aws_efs_file_system.redis_storage_file_system` is not backed up"
        in findings
    )
    assert "⚠ No alarms." in section(report, "### Alarms")


def test_prod_alarms_that_notify_nobody_are_flagged(synth_prod, tmp_path):
    data = json.loads(synth_prod.text)
    for alarm in data["resource"]["aws_cloudwatch_metric_alarm"].values():
        alarm.pop("alarm_actions")
    data["resource"]["aws_ecs_service"]["web_service"]["deployment_circuit_breaker"] = {
        "enable": True,
        "rollback": False,
    }
    path = tmp_path / "cdk.tf.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    findings = section(report_of(path), "## Findings")
    # named by its environment tag, whatever its folder is called
    assert f"production stack `{tmp_path.name}`: no alarm notifies anyone" in findings
    assert (
        "production service `aws_ecs_service.web_service` does not roll back a failed deployment "
        "(circuit breaker: on, no rollback)" in findings
    )


def test_the_same_gaps_in_dev_are_not_findings(synth_dev, tmp_path):
    stripped = _write(
        tmp_path, synth_dev, drop=("aws_cloudwatch_metric_alarm", "aws_backup_selection")
    )
    report = report_of(stripped)
    assert "No findings" in section(report, "## Findings")
    assert "- `aws_efs_file_system.redis_storage_file_system`: not backed up" in section(
        report, "### Backups"
    )
