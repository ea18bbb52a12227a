"""The change view: actions, replacement causes and the pull-request summary line of a plan."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from review.load import ReviewError
from review.plan import load_plan, parse_plan, summary_line
from review.report import plan_notes
from review.stack import load_stack
from tests.review.helpers import report_of, section


def test_summary_line_counts_and_names_replacements_and_destroys(plan_json: Path) -> None:
    assert summary_line(load_plan(plan_json)) == (
        "Plan: 2 to add, 3 to change, 2 to replace, 1 to destroy — replaces "
        "aws_ecs_task_definition.web_task_def (container_definitions), "
        "aws_lb_target_group.web_tg (port); destroys aws_security_group_rule.legacy_web_http"
    )


def test_each_action_is_read_from_the_actions_list(plan_json: Path) -> None:
    actions = {c.address: c.action for c in load_plan(plan_json).changes}
    assert actions == {
        "aws_appautoscaling_policy.web_cpu": "create",
        "aws_appautoscaling_target.web_scaling": "create",
        "aws_ecs_service.web_service": "update",
        "aws_ecs_task_definition.web_task_def": "replace",
        "aws_lb.web_lb_nlb": "no-op",
        "aws_lb_listener.web_listener": "update",
        "aws_lb_target_group.web_tg": "replace",
        "aws_security_group_rule.legacy_web_http": "destroy",
        "aws_vpc.vpc": "no-op",
        "aws_vpc_security_group_ingress_rule.web_tasks_from_lb": "update",
        "data.aws_iam_policy_document.read_redis_password": "read",
    }


def test_changes_table_shows_replace_causes_and_destroy_reason(plan_json: Path) -> None:
    changes = section(report_of(None, plan_json), "## Changes")
    rows = [line for line in changes.splitlines() if line.startswith("| ") and "`" in line]
    assert rows[:3] == [
        "| replace | `aws_ecs_task_definition.web_task_def` | container_definitions "
        "| `container_definitions` forces replacement |",
        "| replace | `aws_lb_target_group.web_tg` | port | `port` forces replacement |",
        "| destroy | `aws_security_group_rule.legacy_web_http` | — "
        "| removed from the configuration |",
    ]
    assert (
        "| update in place | `aws_ecs_service.web_service` | load_balancer<br>"
        "task_definition (known after apply) | — |" in rows
    )
    # unchanged resources are counted, not listed
    assert "aws_vpc.vpc" not in changes
    assert "2 resources unchanged." in changes


def test_summary_line_is_in_a_copyable_block(plan_json: Path) -> None:
    report = report_of(None, plan_json)
    assert report.startswith("# Plan review\n\n```text\nPlan: 2 to add, 3 to change,")


def test_plan_of_this_stack_gives_no_note(voting_stack: Path, plan_json: Path) -> None:
    assert plan_notes(load_plan(plan_json), load_stack(voting_stack)) == []


def test_plan_of_another_stack_is_noted(insecure_stack: Path, plan_json: Path) -> None:
    notes = plan_notes(load_plan(plan_json), load_stack(insecure_stack))
    assert len(notes) == 1
    assert notes[0].startswith("the plan changes 7 resource(s) this stack does not define")


def plan_with(*changes: dict, version: str = "1.2") -> dict:
    """A minimal plan document holding the given resource changes."""
    return {"format_version": version, "resource_changes": list(changes)}


def entry(address: str, actions: list[str], **change: object) -> dict:
    """One resource_changes entry."""
    return {"address": address, "mode": "managed", "change": {"actions": actions, **change}}


def test_create_before_destroy_counts_as_replace() -> None:
    plan = parse_plan(plan_with(entry("aws_lb_target_group.x", ["create", "delete"])), Path("p"))
    assert summary_line(plan) == (
        "Plan: 0 to add, 0 to change, 1 to replace, 0 to destroy — replaces aws_lb_target_group.x"
    )


def test_tainted_replacement_gives_the_reason_in_the_summary() -> None:
    raw = entry("aws_ecs_service.x", ["delete", "create"])
    raw["action_reason"] = "replace_because_tainted"
    plan = parse_plan(plan_with(raw), Path("p"))
    assert summary_line(plan).endswith("replaces aws_ecs_service.x (tainted)")


def test_no_changes() -> None:
    plan = parse_plan(plan_with(entry("aws_vpc.x", ["no-op"])), Path("p"))
    assert summary_line(plan) == "Plan: no changes."


def test_nested_replace_paths_are_readable() -> None:
    raw = entry("aws_ecs_service.x", ["delete", "create"])
    raw["change"]["replace_paths"] = [["network_configuration", 0, "subnets"]]
    change = parse_plan(plan_with(raw), Path("p")).changes[0]
    assert change.replace_paths == ("network_configuration[0].subnets",)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (plan_with(version="2.0"), "plan format_version 2.0 is not supported (expected 1.x)"),
        ({"resource": {}}, "this is a synthesized stack, not a plan"),
        ([], "not a Terraform plan (no format_version)"),
        (plan_with({"address": "x"}), "resource_changes[0] has no address or change.actions"),
    ],
)
def test_bad_plans_are_rejected(data: object, message: str, tmp_path: Path) -> None:
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(ReviewError, match=re.escape(message)):
        load_plan(path)
