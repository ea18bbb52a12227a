"""Storage: the encrypted EFS file system that keeps the Fargate Redis task's append-only file."""

from __future__ import annotations

import json
from collections.abc import Sequence

from toolchain.providers import (
    Construct,
    EfsAccessPoint,
    EfsFileSystem,
    EfsFileSystemPolicy,
    EfsMountTarget,
)

# The uid/gid the official redis:*-alpine image runs redis-server as.
REDIS_UID = 999
REDIS_GID = 1000


class RedisStorage(Construct):
    """An encrypted EFS file system with one access point, mountable only over TLS.

    A replaced Redis task mounts the same `/redis` folder and replays its AOF, so votes survive
    task restarts. Mount targets sit in the private subnets, reachable only through
    `security_group_id` (NFS from the Redis tasks).
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        name: str,
        kms_key_arn: str,
        subnet_ids: Sequence[str],
        security_group_id: str,
        protect: bool = False,
    ) -> None:
        """Create the file system, its TLS-only policy, the access point and mount targets.

        `protect` (default False) makes Terraform refuse any plan that would destroy the file
        system, and with it the votes.
        """
        super().__init__(scope, id)
        self.file_system = EfsFileSystem(
            self,
            "file_system",
            creation_token=name,
            encrypted=True,
            kms_key_id=kms_key_arn,
            performance_mode="generalPurpose",
            throughput_mode="elastic",
            tags={"Name": name},
            lifecycle={"prevent_destroy": True} if protect else None,
        )
        EfsFileSystemPolicy(
            self,
            "tls_only",
            file_system_id=self.file_system.id,
            policy=json.dumps(
                {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Sid": "DenyUnencryptedTransport",
                            "Effect": "Deny",
                            "Principal": {"AWS": "*"},
                            "Action": "*",
                            "Resource": self.file_system.arn,
                            "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                        }
                    ],
                }
            ),
        )
        self.access_point = EfsAccessPoint(
            self,
            "access_point",
            file_system_id=self.file_system.id,
            posix_user={"uid": REDIS_UID, "gid": REDIS_GID},
            root_directory={
                "path": "/redis",
                "creation_info": {
                    "owner_uid": REDIS_UID,
                    "owner_gid": REDIS_GID,
                    "permissions": "0750",
                },
            },
            tags={"Name": name},
        )
        self.mount_targets = [
            EfsMountTarget(
                self,
                f"mount_{index}",
                file_system_id=self.file_system.id,
                subnet_id=subnet_id,
                security_groups=[security_group_id],
            )
            for index, subnet_id in enumerate(subnet_ids)
        ]
