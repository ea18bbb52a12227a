"""IAM policy documents shared by the constructs."""

from __future__ import annotations

import json


def assume_role_policy(service: str) -> str:
    """A trust policy letting one AWS service principal assume the role, and nothing else."""
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"Service": service},
                    "Action": "sts:AssumeRole",
                }
            ],
        }
    )


def policy(*statements: dict) -> str:
    """An IAM policy document (JSON) allowing the given statements."""
    return json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", **s} for s in statements]}
    )
