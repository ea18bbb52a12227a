"""IAM policy documents shared by the constructs."""

from __future__ import annotations

import json
from dataclasses import dataclass


@dataclass(frozen=True)
class Account:
    """The account, partition and region a stack deploys into (values Terraform looks up)."""

    id: str
    partition: str
    region: str

    def arn(self, service: str, resource: str) -> str:
        """`arn:<partition>:<service>:<region>:<account>:<resource>`."""
        return f"arn:{self.partition}:{service}:{self.region}:{self.id}:{resource}"


def assume_role_policy(service: str, *, source_arn: str | None = None, account: str = "") -> str:
    """A trust policy letting one AWS service principal assume the role, and nothing else.

    With `source_arn` (and the `account` it belongs to), the service may assume the role only
    on behalf of matching resources of that account: the guard against the confused deputy.
    """
    statement: dict = {
        "Effect": "Allow",
        "Principal": {"Service": service},
        "Action": "sts:AssumeRole",
    }
    if source_arn is not None:
        statement["Condition"] = {
            "StringEquals": {"aws:SourceAccount": account},
            "ArnLike": {"aws:SourceArn": source_arn},
        }
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})


def policy(*statements: dict) -> str:
    """An IAM policy document (JSON) allowing the given statements."""
    return json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", **s} for s in statements]}
    )
