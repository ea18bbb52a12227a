"""Secrets: the Redis password, from a sensitive variable into an SSM SecureString."""

from __future__ import annotations

from toolchain.providers import (
    Construct,
    SsmParameter,
    TerraformVariable,
    TerraformVariableValidationConfig,
)


def password_rule(variable: str) -> str:
    """ElastiCache's AUTH token rules, the stricter of the two backends: 16-128 characters,
    letters, digits and only these: ! & # $ ^ < > -. Terraform checks them at plan time."""
    return f'can(regex("^[A-Za-z0-9!&#$^<>-]{{16,128}}$", var.{variable}))'


def password_rule_text(variable: str) -> str:
    return (
        f"{variable} must be 16-128 characters, only letters, digits and ! & # $ ^ < > - "
        "(ElastiCache AUTH rules); `openssl rand -hex 24` makes one."
    )


# The app's rule for the operator token: 32+ printable ASCII characters, no space.
RESET_TOKEN_RULE = 'can(regex("^[!-~]{32,}$", var.reset_token))'
RESET_TOKEN_RULE_TEXT = (
    "reset_token must be 32 or more printable ASCII characters without spaces; "
    "`openssl rand -hex 24` makes one."
)


class WriteOnlySecret(Construct):
    """A secret supplied at plan/apply time and stored only in SSM.

    The value comes from the variable `variable` (`TF_VAR_<variable>`), checked by Terraform
    against `rule`, is written to an SSM SecureString through the write-only `value_wo`
    argument, and reaches containers as an ECS secret. So it is in neither cdk.tf.json nor the
    Terraform state. The variable is ephemeral (kept out of plan files too) unless a
    non-write-only argument must read it.
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        variable: str,
        description: str,
        rule: str,
        rule_text: str,
        parameter_name: str,
        kms_key_arn: str,
        version: int = 1,
        ephemeral: bool = True,
    ) -> None:
        """Create the variable and the parameter `parameter_name`.

        `version` (default 1) is the write-only value's version: bump it to store a new value.
        `ephemeral` (default True) keeps the value out of plan files.
        """
        super().__init__(scope, id)
        self.variable = TerraformVariable(
            self,
            variable,
            type="string",
            sensitive=True,
            nullable=False,
            description=f"{description} (TF_VAR_{variable})",
            validation=[
                # In Terraform JSON only `${...}` is an expression; a bare string is a constant.
                TerraformVariableValidationConfig(
                    condition="${" + rule + "}", error_message=rule_text
                )
            ],
        )
        # The variable's address must not depend on the construct tree: users set it by name.
        self.variable.override_logical_id(variable)
        if ephemeral:
            self.variable.add_override("ephemeral", True)
        self.parameter = SsmParameter(
            self,
            "parameter",
            name=parameter_name,
            description=f"{description}, read by the ECS execution role into the containers",
            type="SecureString",
            key_id=kms_key_arn,
            value_wo=self.variable.string_value,
            value_wo_version=version,
        )
        self.parameter_arn: str = self.parameter.arn


class RedisPassword(WriteOnlySecret):
    """The Redis password (`redis_password`), for both Redis and the web app."""

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        name: str,
        kms_key_arn: str,
        version: int = 1,
        ephemeral: bool = True,
    ) -> None:
        """Store it as `/<name>/redis-password`; the ElastiCache backend needs `ephemeral` False
        (its `auth_token` is an ordinary argument that reads the value)."""
        super().__init__(
            scope,
            id,
            variable="redis_password",
            description="Redis password, 16-128 letters, digits, !&#$^<>-",
            rule=password_rule("redis_password"),
            rule_text=password_rule_text("redis_password"),
            parameter_name=f"/{name}/redis-password",
            kms_key_arn=kms_key_arn,
            version=version,
            ephemeral=ephemeral,
        )


class PreviousRedisPassword(WriteOnlySecret):
    """The password a rotation replaces (`redis_password_previous`), which the Fargate Redis
    keeps accepting until the rotation's second step; the web app never reads it."""

    def __init__(
        self, scope: Construct, id: str, *, name: str, kms_key_arn: str, version: int
    ) -> None:
        """Store it as `/<name>/redis-password-previous`, written at the rotation's `version`."""
        super().__init__(
            scope,
            id,
            variable="redis_password_previous",
            description="The Redis password being rotated out, still accepted by Redis",
            rule=password_rule("redis_password_previous"),
            rule_text=password_rule_text("redis_password_previous"),
            parameter_name=f"/{name}/redis-password-previous",
            kms_key_arn=kms_key_arn,
            version=version,
        )


class ResetToken(WriteOnlySecret):
    """The operator's credential for resetting the votes (`reset_token`), for the web app."""

    def __init__(
        self, scope: Construct, id: str, *, name: str, kms_key_arn: str, version: int = 1
    ) -> None:
        """Store it as `/<name>/reset-token`; bump `version` (default 1) to store a new one."""
        super().__init__(
            scope,
            id,
            variable="reset_token",
            description="Operator token for resetting the votes, 32+ printable ASCII",
            rule=RESET_TOKEN_RULE,
            rule_text=RESET_TOKEN_RULE_TEXT,
            parameter_name=f"/{name}/reset-token",
            kms_key_arn=kms_key_arn,
            version=version,
        )
