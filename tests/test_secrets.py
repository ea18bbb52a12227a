"""The Redis password: sensitive variable -> SSM SecureString (write-only) -> ECS secrets."""

import json

PASSWORD_SECRET = {"name": "REDIS_PWD", "valueFrom": "${aws_ssm_parameter.secrets_parameter.arn}"}
CREDENTIAL_WORDS = ("PWD", "PASSWORD", "SECRET", "TOKEN")


def test_password_is_a_sensitive_ephemeral_variable(synth_dev):
    variable = synth_dev.data["variable"]["redis_password"]
    assert variable["sensitive"] is True
    assert variable["ephemeral"] is True
    assert variable["type"] == "string"
    assert "default" not in variable
    # What the rule accepts is Terraform's to say: tests/test_terraform.py runs it.
    (validation,) = variable["validation"]
    assert validation["condition"].startswith("${") and validation["condition"].endswith("}")


def test_parameter_is_a_kms_secure_string_written_write_only(synth_dev):
    parameter = synth_dev.resource("aws_ssm_parameter", "secrets_parameter")
    assert parameter["type"] == "SecureString"
    assert parameter["value_wo"] == "${var.redis_password}"
    assert parameter["value_wo_version"] == 1
    assert parameter["key_id"] == "${aws_kms_key.encryption_key.arn}"
    assert "value" not in parameter and "insecure_value" not in parameter


RESET_SECRET = {
    "name": "RESET_TOKEN",
    "valueFrom": "${aws_ssm_parameter.reset_token_parameter.arn}",
}


def test_both_containers_get_the_password_as_a_secret(synth_dev):
    (redis,) = synth_dev.containers("redis_task")
    assert redis["secrets"] == [PASSWORD_SECRET]
    (web,) = synth_dev.containers("web_task")
    assert PASSWORD_SECRET in web["secrets"]


def test_reset_needs_the_operator_token_from_its_own_write_only_secret(synth_dev):
    """dev offers reset: the token comes like the password, as a secret of the web container."""
    variable = synth_dev.data["variable"]["reset_token"]
    assert variable["sensitive"] is True and variable["ephemeral"] is True
    assert "default" not in variable
    parameter = synth_dev.resource("aws_ssm_parameter", "reset_token_parameter")
    assert parameter["name"] == "/voting-app-dev/reset-token"
    assert parameter["type"] == "SecureString"
    assert parameter["value_wo"] == "${var.reset_token}"
    (web,) = synth_dev.containers("web_task")
    assert web["secrets"] == [PASSWORD_SECRET, RESET_SECRET]
    assert {"name": "RESET_ENABLED", "value": "true"} in web["environment"]


def test_prod_offers_no_reset_and_holds_no_token(synth_prod):
    assert "reset_token" not in synth_prod.data["variable"]
    assert "reset_token_parameter" not in synth_prod.resources("aws_ssm_parameter")
    (web,) = synth_prod.containers("web_task")
    assert web["secrets"] == [PASSWORD_SECRET]
    assert {"name": "RESET_ENABLED", "value": "false"} in web["environment"]


def test_no_credential_in_any_container_environment(any_synth):
    for task in any_synth.resources("aws_ecs_task_definition"):
        for container in any_synth.containers(task):
            names = [variable["name"] for variable in container.get("environment", [])]
            assert not [n for n in names if any(w in n.upper() for w in CREDENTIAL_WORDS)], task


def test_password_value_appears_nowhere_in_the_json(synth_dev):
    # The only way the value enters the stack is the variable; no literal may stand in for it.
    data = json.loads(synth_dev.text)
    references = synth_dev.text.count("${var.redis_password}")
    assert references == 1, "only the SSM parameter's write-only argument reads the password"
    assert "default" not in data["variable"]["redis_password"]
