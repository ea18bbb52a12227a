"""Encryption: the stack's customer-managed KMS key for logs, images, secrets and Redis data."""

from __future__ import annotations

import json

from infra.fargate_service import log_group_name
from infra.policies import Account
from toolchain.providers import (
    Construct,
    DataAwsCallerIdentity,
    DataAwsPartition,
    DataAwsRegion,
    KmsAlias,
    KmsKey,
)


class Encryption(Construct):
    """One rotating KMS key that CloudWatch Logs, ECR, SSM, EFS and ElastiCache encrypt with.

    The key policy lets the account's IAM policies grant its use (so the execution role can
    decrypt the Redis password), lets CloudWatch Logs use it for this stack's log groups only,
    and lets CloudWatch alarms of this account publish to the stack's encrypted alarm topic.
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        name: str,
        alarm_topic: str | None = None,
        deletion_window_days: int = 30,
    ):
        """Create the key and its alias `alias/<name>`; `deletion_window_days` defaults to 30.

        `alarm_topic` (default None: no such grant) names the SNS topic, encrypted with this
        key, that CloudWatch alarms publish to: SNS encrypts each message with a data key it
        asks for on the publisher's behalf, so CloudWatch needs the key for that topic.
        """
        super().__init__(scope, id)
        account = DataAwsCallerIdentity(self, "account")
        partition = DataAwsPartition(self, "partition")
        region = DataAwsRegion(self, "region")
        self.account = Account(
            id=account.account_id, partition=partition.partition, region=region.region
        )
        logs_arn = f"arn:{partition.partition}:logs:{region.region}:{account.account_id}"
        statements = [
            {
                "Sid": "AccountAdministersAndDelegatesThroughIam",
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:{partition.partition}:iam::{account.account_id}:root"},
                "Action": "kms:*",
                "Resource": "*",
            },
            {
                "Sid": "CloudWatchLogsForThisStack",
                "Effect": "Allow",
                "Principal": {"Service": f"logs.{region.region}.amazonaws.com"},
                "Action": [
                    "kms:Encrypt*",
                    "kms:Decrypt*",
                    "kms:ReEncrypt*",
                    "kms:GenerateDataKey*",
                    "kms:Describe*",
                ],
                "Resource": "*",
                "Condition": {
                    "ArnLike": {
                        # The stack's groups: its services' (`/ecs/<name>-...`) and the VPC's.
                        "kms:EncryptionContext:aws:logs:arn": [
                            f"{logs_arn}:log-group:{log_group_name(name + '-*')}",
                            f"{logs_arn}:log-group:/vpc/{name}/*",
                        ]
                    }
                },
            },
        ]
        if alarm_topic is not None:
            statements.append(
                {
                    "Sid": "CloudWatchAlarmsPublishToTheAlarmTopic",
                    "Effect": "Allow",
                    "Principal": {"Service": "cloudwatch.amazonaws.com"},
                    "Action": ["kms:Decrypt", "kms:GenerateDataKey*"],
                    "Resource": "*",
                    "Condition": {
                        "StringEquals": {
                            "aws:SourceAccount": account.account_id,
                            "kms:EncryptionContext:aws:sns:topicArn": self.account.arn(
                                "sns", alarm_topic
                            ),
                        }
                    },
                }
            )
        self.key = KmsKey(
            self,
            "key",
            description=f"{name}: logs, images, secrets, Redis data, alarms and backups",
            enable_key_rotation=True,
            deletion_window_in_days=deletion_window_days,
            policy=json.dumps({"Version": "2012-10-17", "Statement": statements}),
        )
        KmsAlias(self, "alias", name=f"alias/{name}", target_key_id=self.key.key_id)
        self.key_arn: str = self.key.arn
