"""The stack review: exposure, identity and secrets of a realistic and an insecure stack."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from review.report import review_stack
from review.stack import load_stack
from tests.review.helpers import report_of, section


@pytest.fixture
def voting_report(voting_stack: Path) -> str:
    """The report of the realistic stack."""
    return report_of(voting_stack)


@pytest.fixture
def insecure_report(insecure_stack: Path) -> str:
    """The report of the insecure stack."""
    return report_of(insecure_stack)


def write_stack(tmp_path: Path, resources: dict, **top: object) -> Path:
    """A minimal synthesized stack with the given resources."""
    path = tmp_path / "cdk.tf.json"
    path.write_text(json.dumps({"terraform": {}, "resource": resources, **top}), encoding="utf-8")
    return path


def test_public_nlb_and_its_listener_port_are_named(voting_report: str) -> None:
    public = section(voting_report, "### Public load balancers")
    assert "`aws_lb.web_lb_nlb` (voting-app-dev-web)" in public
    assert "| network | TCP 80 | `aws_ecs_service.web_service` (web:8000) |" in public
    assert "redis" not in public


def test_internal_nlb_is_listed_as_internal(voting_report: str) -> None:
    internal = section(
        voting_report, "### Internal load balancers (not reachable from the internet)"
    )
    assert internal.strip() == "- `aws_lb.redis_lb_nlb` (voting-app-dev-redis): TCP 6379"


def test_only_the_listener_rule_is_open_and_it_is_expected(voting_report: str) -> None:
    open_rules = section(voting_report, "### Security-group rules open to the internet")
    rows = [line for line in open_rules.splitlines() if line.startswith("| `")]
    assert rows == [
        "| `aws_security_group.web_lb` | `aws_lb.web_lb_nlb` | tcp | 80 | 0.0.0.0/0 "
        "| expected: public listener |"
    ]


def test_realistic_stack_has_no_findings(voting_report: str) -> None:
    assert section(voting_report, "## Findings").strip().startswith("No findings")


def test_no_plaintext_secret_in_realistic_stack(voting_report: str) -> None:
    secrets = section(voting_report, "## Secrets")
    assert "No plain-text credential in any container environment." in secrets
    assert "⚠" not in secrets


def test_every_iam_role_is_listed_with_its_trust(voting_stack: Path, voting_report: str) -> None:
    identity = section(voting_report, "## Identity")
    roles = json.loads(voting_stack.read_text())["resource"]["aws_iam_role"]
    assert len(roles) == 4
    for name in roles:
        assert f"`aws_iam_role.{name}`" in identity
    # the execution role's trust comes from a data.aws_iam_policy_document reference
    execution = next(line for line in identity.splitlines() if "aws_iam_role.execution`" in line)
    assert "Service: ecs-tasks.amazonaws.com" in execution
    assert "AmazonECSTaskExecutionRolePolicy" in execution
    assert "ssm:GetParameters on aws_ssm_parameter.redis_password_param" in execution


def test_secret_flows_from_variable_to_both_containers(voting_report: str) -> None:
    secrets = section(voting_report, "## Secrets")
    assert "write-only `value_wo` from var.redis_password: never in state" in secrets
    assert "`aws_ecs_task_definition.web_task_def/web` as `REDIS_PWD`" in secrets
    assert "`aws_ecs_task_definition.redis_task_def/redis` as `REDIS_PWD`" in secrets
    assert "`var.redis_password` → `aws_ssm_parameter.redis_password_param.value_wo`" in secrets


def test_resources_are_grouped_by_concern_with_counts(voting_report: str) -> None:
    concerns = section(voting_report, "## Resources by concern")
    assert "| identity | 7 | aws_iam_role ×4, aws_iam_role_policy ×2," in concerns
    assert "| services | 7 | aws_appautoscaling_policy, aws_appautoscaling_target," in concerns
    assert "| secrets | 1 | aws_ssm_parameter |" in concerns
    assert "| other |" not in concerns
    assert "| logs | 4 | aws_cloudwatch_log_group ×3, aws_flow_log |" in concerns


def test_diagram_follows_traffic_from_internet_to_redis(voting_stack: Path) -> None:
    graph = review_stack(load_stack(voting_stack)).graph
    edges = {(e.source, e.target) for e in graph.edges}
    chain = [
        "internet",
        "aws_lb.web_lb_nlb",
        "aws_lb_listener.web_listener",
        "aws_ecs_service.web_service",
        "aws_lb.redis_lb_nlb",
        "aws_lb_listener.redis_listener",
        "aws_ecs_service.redis_service",
    ]
    assert set(zip(chain, chain[1:], strict=False)) <= edges
    assert ("internet", "aws_lb.redis_lb_nlb") not in edges
    assert not graph.nodes["aws_lb.redis_lb_nlb"].public


def test_mermaid_diagram_is_in_the_report(voting_report: str) -> None:
    diagram = section(voting_report, "## Diagram")
    assert "```mermaid\nflowchart TB" in diagram
    assert '(("Internet"))' in diagram
    assert '-->|"env REDIS"|' in diagram


@pytest.mark.parametrize(
    "expected",
    [
        "`aws_security_group.wide_open` admits all traffic from 0.0.0.0/0",
        "`aws_security_group.wide_open` admits all traffic from ::/0",
        "`aws_security_group.wide_open` admits tcp port 22 from 0.0.0.0/0",
        "`aws_ecs_task_definition.web/web` environment `REDIS_PWD`: literal credential",
        "`aws_iam_role.task` has the broad managed policy AmazonECS_FullAccess attached",
        "`aws_iam_role.task` allows broad actions: s3:*",
        "`aws_ecs_service.web` gives its tasks public IP addresses",
        "`aws_lb.app`: internal not set: AWS defaults to internet-facing",
        "`aws_ssm_parameter.db_password`: secret in a plain String parameter",
        "var.db_password looks like a secret but is not declared sensitive",
        "`aws_security_group.wide_open` sends all traffic to 0.0.0.0/0",
        "aws_ecs_task_definition.worker: container_definitions is a Terraform expression",
    ],
)
def test_insecure_stack_is_flagged(insecure_report: str, expected: str) -> None:
    findings = [
        line
        for line in section(insecure_report, "## Findings").splitlines()
        if line.startswith("- ⚠")
    ]
    assert any(expected in line for line in findings), "\n".join(findings)


def test_insecure_public_tasks_are_drawn_from_the_internet(insecure_stack: Path) -> None:
    graph = review_stack(load_stack(insecure_stack)).graph
    public_ip = [e for e in graph.edges if e.label == "public IP"]
    assert [(e.source, e.target, e.dashed) for e in public_ip] == [
        ("internet", "aws_ecs_service.web", True)
    ]
    assert graph.nodes["aws_ecs_service.web"].public


def test_jsonencode_container_definitions_are_read(tmp_path: Path) -> None:
    definitions = (
        '${jsonencode([{"name" = "app", "image" = "nginx", '
        '"environment" = [{"name" = "API_TOKEN", "value" = "abc123"}, '
        '{"name" = "PORT", "value" = 8080}], '
        '"secrets" = [{"name" = "DB_PASSWORD", "valueFrom" = aws_secretsmanager_secret.db.arn}]}])}'
    )
    path = write_stack(
        tmp_path,
        {
            "aws_secretsmanager_secret": {"db": {"name": "db"}},
            "aws_ecs_task_definition": {"app": {"container_definitions": definitions}},
        },
    )
    secrets = review_stack(load_stack(path)).secrets
    assert [(p.container, p.name) for p in secrets.plaintext] == [
        ("aws_ecs_task_definition.app/app", "API_TOKEN")
    ]
    store = next(s for s in secrets.stores if s.address == "aws_secretsmanager_secret.db")
    assert [(r.container, r.env_name) for r in store.readers] == [
        ("aws_ecs_task_definition.app/app", "DB_PASSWORD")
    ]
    assert store.value_source == "value set outside Terraform"


def test_broken_container_definitions_are_reported(tmp_path: Path) -> None:
    path = write_stack(
        tmp_path, {"aws_ecs_task_definition": {"app": {"container_definitions": '[{"name": '}}}
    )
    report = report_of(path)
    assert "aws_ecs_task_definition.app: container_definitions is not valid JSON" in report


def test_sensitive_variable_copied_into_environment_is_flagged(tmp_path: Path) -> None:
    definitions = json.dumps(
        [{"name": "app", "environment": [{"name": "REDIS_URL", "value": "redis://:${var.pw}@x"}]}]
    )
    path = write_stack(
        tmp_path,
        {"aws_ecs_task_definition": {"app": {"container_definitions": definitions}}},
        variable={"pw": {"type": "string", "sensitive": True}},
    )
    plaintext = review_stack(load_stack(path)).secrets.plaintext
    assert [(p.name, p.reason) for p in plaintext] == [
        ("REDIS_URL", "secret value of var.pw copied into the plain environment")
    ]


def test_non_secret_environment_is_not_flagged(voting_stack: Path) -> None:
    secrets = review_stack(load_stack(voting_stack)).secrets
    assert secrets.plaintext == []
    assert secrets.problems == []


def test_separate_ipv6_rule_off_listener_port_is_flagged(tmp_path: Path) -> None:
    path = write_stack(
        tmp_path,
        {
            "aws_security_group": {"lb": {"name": "lb"}},
            "aws_lb": {
                "web": {"internal": False, "security_groups": ["${aws_security_group.lb.id}"]}
            },
            "aws_lb_listener": {"http": {"load_balancer_arn": "${aws_lb.web.arn}", "port": 80}},
            "aws_vpc_security_group_ingress_rule": {
                "http": {
                    "security_group_id": "${aws_security_group.lb.id}",
                    "cidr_ipv6": "::/0",
                    "ip_protocol": "tcp",
                    "from_port": 80,
                    "to_port": 80,
                },
                "admin": {
                    "security_group_id": "${aws_security_group.lb.id}",
                    "cidr_ipv4": "0.0.0.0/0",
                    "ip_protocol": "tcp",
                    "from_port": 8000,
                    "to_port": 8100,
                },
            },
        },
    )
    judged = {
        o.rule.address: (o.expected, o.note)
        for o in review_stack(load_stack(path)).exposure.open_rules
    }
    assert judged == {
        "aws_vpc_security_group_ingress_rule.admin": (False, "no listener on this port"),
        "aws_vpc_security_group_ingress_rule.http": (True, "public listener"),
    }


def test_role_attached_by_name_and_anyone_trust_are_found(tmp_path: Path) -> None:
    trust = json.dumps(
        {"Statement": {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}}
    )
    path = write_stack(
        tmp_path,
        {
            "aws_iam_role": {"ops": {"name": "ops", "assume_role_policy": trust}},
            "aws_iam_role_policy_attachment": {
                "admin": {
                    "role": "ops",
                    "policy_arn": "arn:aws:iam::aws:policy/AdministratorAccess",
                }
            },
        },
    )
    findings = review_stack(load_stack(path)).findings
    assert "`aws_iam_role.ops` can be assumed by anyone (AWS: *)" in findings
    assert any("broad managed policy AdministratorAccess" in f for f in findings)
