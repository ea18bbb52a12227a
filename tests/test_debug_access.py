"""ECS Exec: off by default; when on, sessions are encrypted and logged, and the task roles get
the SSM agent's channels and nothing broader."""

import json

import pytest

KEY = "${aws_kms_key.encryption_key.arn}"
SSM_MESSAGES = [
    "ssmmessages:CreateControlChannel",
    "ssmmessages:CreateDataChannel",
    "ssmmessages:OpenControlChannel",
    "ssmmessages:OpenDataChannel",
]
AGENT_PATHS = ["/managed-agents", "/var/lib/amazon/ssm", "/var/log/amazon/ssm"]


@pytest.mark.parametrize("variant", ["synth_dev", "synth_prod_fargate", "synth_prod"])
def test_off_by_default(request, variant):
    synth = request.getfixturevalue(variant)
    for name, service in synth.resources("aws_ecs_service").items():
        assert "enable_execute_command" not in service, name
    (cluster,) = synth.resources("aws_ecs_cluster").values()
    assert "configuration" not in cluster
    assert not any(
        "ssmmessages" in p["policy"] for p in synth.resources("aws_iam_role_policy").values()
    )


@pytest.mark.parametrize(
    ("variant", "services"),
    [("synth_one_az", ["web", "redis"]), ("synth_three_az", ["web"])],
)
def test_on_sessions_are_encrypted_and_logged(request, variant, services):
    synth = request.getfixturevalue(variant)
    (cluster,) = synth.resources("aws_ecs_cluster").values()
    assert cluster["configuration"] == {
        "execute_command_configuration": {
            "kms_key_id": KEY,
            "logging": "OVERRIDE",
            "log_configuration": {
                "cloud_watch_log_group_name": "${aws_cloudwatch_log_group.exec_logs.name}",
                "cloud_watch_encryption_enabled": True,
            },
        }
    }
    group = synth.resource("aws_cloudwatch_log_group", "exec_logs")
    assert group["kms_key_id"] == KEY and group["retention_in_days"] >= 14
    assert sorted(synth.resources("aws_ecs_service")) == sorted(f"{s}_service" for s in services)
    for service in services:
        body = synth.resource("aws_ecs_service", f"{service}_service")
        assert body["enable_execute_command"] is True
        # the service waits for its task role's grant: a session needs it from the first task
        assert f"aws_iam_role_policy.identity_{service}_task_exec" in body["depends_on"]


@pytest.mark.parametrize("service", ["web", "redis"])
def test_on_task_role_gets_the_agent_channels_and_its_session_log_only(synth_one_az, service):
    grant = synth_one_az.resource("aws_iam_role_policy", f"identity_{service}_task_exec")
    assert grant["role"] == f"${{aws_iam_role.identity_{service}_task.id}}"
    channels, describe, write, decrypt = json.loads(grant["policy"])["Statement"]
    assert channels == {"Effect": "Allow", "Action": SSM_MESSAGES, "Resource": "*"}
    assert describe["Action"] == "logs:DescribeLogGroups"
    assert describe["Resource"].endswith(":log-group:*")
    assert write["Action"] == [
        "logs:CreateLogStream",
        "logs:DescribeLogStreams",
        "logs:PutLogEvents",
    ]
    assert write["Resource"].endswith(":log-group:/ecs/voting-app-dev-exec:*")
    assert decrypt == {"Effect": "Allow", "Action": "kms:Decrypt", "Resource": KEY}


def test_on_root_stays_read_only_and_the_agent_gets_writable_folders(synth_one_az):
    for task in ("web_task", "redis_task"):
        (container,) = synth_one_az.containers(task)
        assert container["readonlyRootFilesystem"] is True
        paths = [m["containerPath"] for m in container["mountPoints"]]
        assert set(AGENT_PATHS) <= set(paths), task
        volumes = {
            v["name"] for v in synth_one_az.resource("aws_ecs_task_definition", task)["volume"]
        }
        assert {m["sourceVolume"] for m in container["mountPoints"]} <= volumes
