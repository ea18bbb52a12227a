"""Secrets: the Redis password, from a sensitive variable into an SSM SecureString."""

from __future__ import annotations

from infra.providers import (
    Construct,
    SsmParameter,
    TerraformVariable,
    TerraformVariableValidationConfig,
)

# ElastiCache's AUTH token rules, the stricter of the two backends: 16-128 characters, letters,
# digits and only these: ! & # $ ^ < > -. Terraform checks them at plan time.
PASSWORD_RULE = 'can(regex("^[A-Za-z0-9!&#$^<>-]{16,128}$", var.redis_password))'
PASSWORD_RULE_TEXT = (
    "redis_password must be 16-128 characters, only letters, digits and ! & # $ ^ < > - "
    "(ElastiCache AUTH rules); `openssl rand -hex 24` makes one."
)


class RedisPassword(Construct):
    """The Redis password: supplied at plan/apply time, stored only in SSM.

    The value comes from the `redis_password` variable (`TF_VAR_redis_password`), is written to
    an SSM SecureString through the write-only `value_wo` argument, and reaches the containers as
    an ECS secret. So it is in neither cdk.tf.json nor the Terraform state. The variable is
    ephemeral (kept out of plan files too) unless a non-write-only argument must read it, which
    the ElastiCache `auth_token` does.
    """

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
        """Create the variable and the parameter `/<name>/redis-password`.

        `version` (default 1) is the write-only value's version: bump it to store a new password.
        `ephemeral` (default True) keeps the value out of plan files; the ElastiCache backend
        needs False.
        """
        super().__init__(scope, id)
        self.variable = TerraformVariable(
            self,
            "redis_password",
            type="string",
            sensitive=True,
            nullable=False,
            description="Redis password, 16-128 letters, digits, !&#$^<>- (TF_VAR_redis_password)",
            validation=[
                # In Terraform JSON only `${...}` is an expression; a bare string is a constant.
                TerraformVariableValidationConfig(
                    condition="${" + PASSWORD_RULE + "}", error_message=PASSWORD_RULE_TEXT
                )
            ],
        )
        # The variable's address must not depend on the construct tree: users set it by name.
        self.variable.override_logical_id("redis_password")
        if ephemeral:
            self.variable.add_override("ephemeral", True)
        self.parameter = SsmParameter(
            self,
            "parameter",
            name=f"/{name}/redis-password",
            description="Redis password, read by the ECS execution role into the containers",
            type="SecureString",
            key_id=kms_key_arn,
            value_wo=self.variable.string_value,
            value_wo_version=version,
        )
        self.parameter_arn: str = self.parameter.arn
