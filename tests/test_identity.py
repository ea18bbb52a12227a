"""IAM: execution role reads exactly one secret; task roles hold nothing broad."""

import json

from tests.helpers import assert_resource

BROAD = ("FullAccess", "AdministratorAccess", "PowerUserAccess")


def test_execution_role_has_managed_policy_and_reads_only_the_password(synth_dev):
    assert_resource(
        synth_dev,
        "aws_iam_role_policy_attachment",
        {
            "role": "${aws_iam_role.identity_execution.name}",
            "policy_arn": "arn:${data.aws_partition.encryption_partition.partition}:iam::aws:"
            "policy/service-role/AmazonECSTaskExecutionRolePolicy",
        },
    )
    policy = json.loads(
        synth_dev.resource("aws_iam_role_policy", "identity_execution_secret")["policy"]
    )
    resources = [statement["Resource"] for statement in policy["Statement"]]
    assert resources == [
        "${aws_ssm_parameter.secrets_parameter.arn}",
        "${aws_kms_key.encryption_key.arn}",
    ]
    assert policy["Statement"][0]["Action"] == "ssm:GetParameters"


def test_one_task_role_per_service_trusting_ecs_tasks(synth_dev):
    roles = synth_dev.resources("aws_iam_role")
    assert {"identity_web_task", "identity_redis_task"} <= set(roles)
    for name in ("identity_web_task", "identity_redis_task", "identity_execution"):
        trust = json.loads(roles[name]["assume_role_policy"])
        assert trust["Statement"] == [
            {
                "Effect": "Allow",
                "Principal": {"Service": "ecs-tasks.amazonaws.com"},
                "Action": "sts:AssumeRole",
            }
        ]


def test_no_broad_managed_policies_anywhere(any_synth):
    for name, attachment in any_synth.resources("aws_iam_role_policy_attachment").items():
        assert not any(word in attachment["policy_arn"] for word in BROAD), name
        assert attachment["role"] == "${aws_iam_role.identity_execution.name}", name


def test_no_wildcard_actions_in_inline_policies(any_synth):
    for name, inline in any_synth.resources("aws_iam_role_policy").items():
        for statement in json.loads(inline["policy"])["Statement"]:
            actions = statement["Action"]
            for action in [actions] if isinstance(actions, str) else actions:
                assert "*" not in action, (name, action)
            assert statement["Resource"] != "*", name


def test_web_task_role_has_nothing_attached(synth_dev):
    for type_ in ("aws_iam_role_policy", "aws_iam_role_policy_attachment"):
        for name, props in synth_dev.resources(type_).items():
            assert "identity_web_task" not in props["role"], (type_, name)
