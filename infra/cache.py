"""Cache: the managed Redis option, an ElastiCache (Valkey) replication group with TLS and auth."""

from __future__ import annotations

from collections.abc import Sequence

from infra.endpoint import RedisEndpoint
from infra.template import literal
from toolchain.providers import (
    Construct,
    ElasticacheParameterGroup,
    ElasticacheReplicationGroup,
    ElasticacheSubnetGroup,
    TerraformResource,
)

#: Both backends never evict: an evicted token key would let its vote count again (ElastiCache's
#: default groups evict, volatile-lru), an evicted count hash would lose votes. When full,
#: writes are refused; the app answers votes with 503 and says "Redis full" (readiness reason
#: `full`, the web-redis-full alarm). ElastiCache's default reserved-memory-percent (25 %) stays
#: as the headroom for snapshots and replication buffers.
MAXMEMORY_POLICY = "noeviction"


class ManagedRedis(Construct):
    """A Valkey replication group in the private subnets, encrypted at rest and in transit.

    Clients must use TLS and the auth token (the same Redis password secret the Fargate backend
    uses). With `failover` there are two nodes in different AZs and AWS promotes the replica
    when the primary fails.
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        name: str,
        subnet_ids: Sequence[str],
        security_group_id: str,
        kms_key_arn: str,
        auth_token: str,
        rotating: bool = False,
        node_type: str,
        engine_version: str,
        failover: bool = False,
        snapshot_retention_days: int = 1,
        restore_snapshot: str = "",
        protect: bool = False,
        final_snapshot: bool = False,
    ) -> None:
        """Create the subnet group and replication group `name`.

        `rotating` (default False) changes the auth token with ElastiCache's ROTATE strategy,
        which keeps the old token valid beside the new one; otherwise a change SETs the new
        token alone, and turning `rotating` off again SETs it (ends the rotation).
        `failover` (default False: one node) adds a replica in another AZ with automatic
        failover. `snapshot_retention_days` (default 1) keeps daily snapshots;
        `restore_snapshot` (default empty) seeds a new group from a snapshot. `protect`
        (default False) makes Terraform refuse any plan that would destroy the group.
        `final_snapshot` (default False) has ElastiCache snapshot the group as `<name>-final`
        when it is deleted; the snapshot stays in the account.
        """
        super().__init__(scope, id)
        if failover and len(subnet_ids) < 2:
            raise ValueError("failover needs subnets in at least 2 AZs")
        self.node_count = 2 if failover else 1
        subnets = ElasticacheSubnetGroup(
            self, "subnets", name=name, subnet_ids=list(subnet_ids), description=name
        )
        # One group per engine major version (the family), named for it.
        family = f"valkey{engine_version.split('.', 1)[0]}"
        parameters = ElasticacheParameterGroup(
            self,
            "parameters",
            # A new engine family replaces the group, the new one first (the cache uses the
            # old one): the family in the name keeps the two apart. The description is the
            # provider's default, so nothing else replaces it.
            name=f"{name}-{family}",
            family=family,
            parameter=[{"name": "maxmemory-policy", "value": MAXMEMORY_POLICY}],
            lifecycle={"create_before_destroy": True},
        )
        self.group = ElasticacheReplicationGroup(
            self,
            "group",
            replication_group_id=name,
            description=f"{name}: vote counts",
            engine="valkey",
            engine_version=engine_version,
            node_type=node_type,
            port=6379,
            parameter_group_name=parameters.name,
            num_cache_clusters=self.node_count,
            automatic_failover_enabled=failover,
            multi_az_enabled=failover,
            subnet_group_name=subnets.name,
            security_group_ids=[security_group_id],
            at_rest_encryption_enabled="true",
            kms_key_id=kms_key_arn,
            transit_encryption_enabled=True,
            auth_token=auth_token,
            auth_token_update_strategy="ROTATE" if rotating else "SET",
            snapshot_retention_limit=snapshot_retention_days,
            snapshot_name=literal(restore_snapshot) or None,
            auto_minor_version_upgrade="true",
            apply_immediately=False,
            final_snapshot_identifier=f"{name}-final" if final_snapshot else None,
            lifecycle={"prevent_destroy": True} if protect else None,
        )
        # Clients must speak TLS: transit encryption is on.
        self.endpoint = RedisEndpoint(host=self.group.primary_endpoint_address, tls=True)
        # ElastiCache names a group's nodes `<group id>-001`, `-002`, ...: their metrics' ids.
        self.node_ids: list[str] = [
            f"{self.group.replication_group_id}-{index:03d}"
            for index in range(1, 1 + self.node_count)
        ]
        self.ready: list[TerraformResource] = [self.group]
        # Its daily snapshots are its backups: nothing for AWS Backup.
        self.file_system_arns: list[str] = []
