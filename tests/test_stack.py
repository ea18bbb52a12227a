"""Stack-wide: provider tags, Terraform version, backend, readable names and outputs."""

import re


def test_provider_default_tags(synth_dev):
    (aws,) = synth_dev.data["provider"]["aws"]
    assert aws["region"] == "us-west-2"
    assert aws["default_tags"] == [
        {"tags": {"environment": "dev", "managed-by": "cdktf", "project": "voting-app"}}
    ]


def test_terraform_version_allows_write_only_arguments(synth_dev):
    assert synth_dev.data["terraform"]["required_version"] == ">= 1.11.0"


def test_local_state_path_is_relative(synth_dev):
    assert synth_dev.data["terraform"]["backend"] == {
        "local": {"path": "../../../terraform.voting-app-dev.tfstate"}
    }


def test_logical_ids_are_readable_without_hashes(any_synth):
    for type_, resources in any_synth.data["resource"].items():
        for name in resources:
            assert re.fullmatch(r"[a-z][a-z0-9_]*", name), f"{type_}.{name}"
            assert not re.search(r"_[0-9A-F]{8}$", name), f"{type_}.{name} has a hash suffix"


def test_resource_names_follow_project_env_role(synth_prod):
    names = [
        props["name"]
        for type_ in ("aws_lb", "aws_ecs_service", "aws_iam_role")
        for props in synth_prod.resources(type_).values()
    ]
    # Replaced before destroyed, these take a generated name; their Name tag says what they are.
    names += [
        props["tags"]["Name"]
        for type_ in ("aws_lb_target_group", "aws_security_group")
        for props in synth_prod.resources(type_).values()
    ]
    assert names and all(name.startswith("voting-app-prod-") for name in names), names


def test_outputs(synth_dev):
    outputs = synth_dev.data["output"]
    assert outputs["app_url"]["value"] == "http://${aws_lb.web_lb.dns_name}"
    assert outputs["ecr_repository_url"]["value"] == (
        "${aws_ecr_repository.registry_repository.repository_url}"
    )
    assert outputs["image"]["value"].endswith(
        "@${docker_registry_image.registry_push.sha256_digest}"
    )
    assert outputs["cluster_name"]["value"] == "${aws_ecs_cluster.cluster.name}"
    assert outputs["redis_endpoint"]["value"] == "${aws_lb.redis_lb.dns_name}:6379"


def test_kms_key_rotates(synth_dev):
    key = synth_dev.resource("aws_kms_key", "encryption_key")
    assert key["enable_key_rotation"] is True


def test_the_key_serves_cloudwatch_logs_for_this_stacks_log_groups_only(any_synth):
    """Every encrypted log group of the stack is covered by the key policy, and no other."""
    import fnmatch
    import json

    key = any_synth.resource("aws_kms_key", "encryption_key")
    (logs,) = [
        s
        for s in json.loads(key["policy"])["Statement"]
        if s["Sid"] == "CloudWatchLogsForThisStack"
    ]
    patterns = logs["Condition"]["ArnLike"]["kms:EncryptionContext:aws:logs:arn"]
    prefix = patterns[0].split(":log-group:")[0]
    for name, group in any_synth.resources("aws_cloudwatch_log_group").items():
        arn = f"{prefix}:log-group:{group['name']}"
        assert any(fnmatch.fnmatchcase(arn, p) for p in patterns), (name, patterns)
    for other in ("/aws/lambda/something", "/ecs/someone-else-web", "/vpc/other/flow-logs"):
        arn = f"{prefix}:log-group:{other}"
        assert not any(fnmatch.fnmatchcase(arn, p) for p in patterns), (other, patterns)
