"""Secrets: the Redis password, from a sensitive variable into an SSM SecureString."""

from __future__ import annotations

from infra.providers import (
    Construct,
    SsmParameter,
    TerraformVariable,
    TerraformVariableValidationConfig,
)

MIN_PASSWORD_LENGTH = 16


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
            description=f"Redis password, {MIN_PASSWORD_LENGTH}+ chars (TF_VAR_redis_password)",
            validation=[
                TerraformVariableValidationConfig(
                    condition=f"length(var.redis_password) >= {MIN_PASSWORD_LENGTH}",
                    error_message=f"redis_password needs {MIN_PASSWORD_LENGTH}+ characters.",
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
