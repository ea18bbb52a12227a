"""IAM: execution role reads exactly one secret; task roles hold nothing broad."""

import json

BROAD = ("FullAccess", "AdministratorAccess", "PowerUserAccess")
ACCOUNT = "${data.aws_caller_identity.encryption_account.account_id}"
PARTITION = "${data.aws_partition.encryption_partition.partition}"
REGION = "${data.aws_region.encryption_region.region}"


def _statements(synth, name: str) -> list[dict]:
    return json.loads(synth.resource("aws_iam_role_policy", name)["policy"])["Statement"]


def test_execution_role_reads_only_the_stacks_secrets(any_synth):
    read, decrypt = _statements(any_synth, "identity_execution_secret")
    assert read["Action"] == "ssm:GetParameters"
    assert sorted(read["Resource"]) == sorted(
        f"${{aws_ssm_parameter.{name}.arn}}" for name in any_synth.resources("aws_ssm_parameter")
    )
    assert decrypt["Resource"] == "${aws_kms_key.encryption_key.arn}"


def test_execution_role_pulls_from_this_repository_and_writes_these_log_groups(any_synth):
    """No AWS managed policy: its ECR pull and log writes would reach every repository and
    log group of the account."""
    assert not any_synth.resources("aws_iam_role_policy_attachment")
    pull, *imports, token, logs = _statements(any_synth, "identity_execution_pull_and_log")
    built = "${aws_ecr_repository.registry_repository.arn}"
    # The Fargate Redis image comes through the pull-through cache (tests/test_services.py).
    cached = [statement["Resource"] for statement in imports]
    assert len(cached) == len(any_synth.resources("aws_ecr_pull_through_cache_rule"))
    assert pull["Resource"] == ([built, *cached] if cached else built)
    assert sorted(pull["Action"]) == [
        "ecr:BatchCheckLayerAvailability",
        "ecr:BatchGetImage",
        "ecr:GetDownloadUrlForLayer",
    ]
    # GetAuthorizationToken has no resource-level permissions: "*" is the only form AWS takes.
    assert token == {"Effect": "Allow", "Action": "ecr:GetAuthorizationToken", "Resource": "*"}
    assert logs["Action"] == ["logs:CreateLogStream", "logs:PutLogEvents"]
    groups = {
        f"arn:{PARTITION}:logs:{REGION}:{ACCOUNT}:log-group:{group['name']}:*"
        for name, group in any_synth.resources("aws_cloudwatch_log_group").items()
        if name not in ("network_flow_logs", "exec_logs")
    }
    assert set(logs["Resource"]) == groups


def test_task_roles_trust_ecs_tasks_of_this_account_only(synth_dev):
    roles = synth_dev.resources("aws_iam_role")
    assert {"identity_web_task", "identity_redis_task"} <= set(roles)
    for name in ("identity_web_task", "identity_redis_task"):
        (statement,) = json.loads(roles[name]["assume_role_policy"])["Statement"]
        assert statement["Principal"] == {"Service": "ecs-tasks.amazonaws.com"}
        assert statement["Condition"] == {
            "StringEquals": {"aws:SourceAccount": ACCOUNT},
            "ArnLike": {"aws:SourceArn": f"arn:{PARTITION}:ecs:{REGION}:{ACCOUNT}:*"},
        }


def test_flow_log_role_trusts_this_accounts_flow_logs_only(synth_dev):
    role = synth_dev.resource("aws_iam_role", "network_flow_logs_role")
    (statement,) = json.loads(role["assume_role_policy"])["Statement"]
    assert statement["Condition"] == {
        "StringEquals": {"aws:SourceAccount": ACCOUNT},
        "ArnLike": {"aws:SourceArn": f"arn:{PARTITION}:ec2:{REGION}:{ACCOUNT}:vpc-flow-log/*"},
    }


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
            if statement["Resource"] == "*":
                # The actions AWS offers no resource-level permission for: the registry token,
                # (ECS Exec on) the SSM agent's session channels, and (blue/green) the load
                # balancer reads ECS makes before it moves the listener.
                assert actions == "ecr:GetAuthorizationToken" or all(
                    action.startswith(("ssmmessages:", "elasticloadbalancing:Describe"))
                    for action in actions
                ), name


def test_web_task_role_has_nothing_attached(synth_dev):
    for type_ in ("aws_iam_role_policy", "aws_iam_role_policy_attachment"):
        for name, props in synth_dev.resources(type_).items():
            assert "identity_web_task" not in props["role"], (type_, name)
