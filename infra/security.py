"""Security groups: who may talk to whom, SG to SG, with 0.0.0.0/0 only on the public listener."""

from __future__ import annotations

import re
from collections.abc import Sequence

from toolchain.providers import (
    Construct,
    SecurityGroup,
    VpcSecurityGroupEgressRule,
    VpcSecurityGroupIngressRule,
)

ANYWHERE = "0.0.0.0/0"
HTTPS = 443
NFS = 2049
REDIS = 6379


class SecurityGroups(Construct):
    """The groups of the web NLB, web tasks, Redis (NLB + tasks, or the cache) and its storage.

    internet (or `public_cidrs`) -> web NLB (listener ports) -> web tasks (container port) ->
    Redis (6379). Tasks reach out on 443 only (image pulls, SSM, logs through NAT). With VPC
    endpoints the tasks reach AWS only through them (the endpoints' group, and S3's prefix list
    for image layers): both images come from ECR. Every rule is its own resource so
    `terraform plan` shows each opening by name.
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        name: str,
        vpc_id: str,
        public_ports: list[int],
        web_port: int,
        redis_backend: str | None = "fargate",
        vpc_endpoints: bool = False,
        public_cidrs: Sequence[str] = (ANYWHERE,),
    ) -> None:
        """Create the groups.

        `public_ports` are the web NLB's listener ports, the only ones open to `public_cidrs`
        (default the internet, 0.0.0.0/0).
        `web_port` is the web container's port. `redis_backend` (default "fargate") decides
        whether Redis is an NLB in front of a task with an EFS volume, or an ElastiCache group;
        None creates no Redis group at all (an app without Redis).
        `vpc_endpoints` (default False) adds the endpoints' group, 443 from the task groups only.
        """
        super().__init__(scope, id)
        if redis_backend not in ("fargate", "elasticache", None):
            raise ValueError(
                f"redis_backend must be 'fargate', 'elasticache' or None, not {redis_backend!r}"
            )
        self._name, self._vpc_id = name, vpc_id

        self.web_lb = self._group("web_lb", "web load balancer: HTTP(S) from the internet")
        self.web_tasks = self._group("web_tasks", "web tasks: app port from the web NLB only")
        for port in public_ports:
            for cidr in public_cidrs:
                # The internet's rule keeps the id it always had: a new id replaces a rule.
                source = "internet" if cidr == ANYWHERE else re.sub(r"[./]", "_", cidr)
                self._ingress(f"web_lb_from_{source}_{port}", self.web_lb, port, cidr=cidr)
        self._allow(self.web_lb, self.web_tasks, web_port)
        self.endpoints: SecurityGroup | None = None
        if vpc_endpoints:
            self.endpoints = self._group("endpoints", "VPC endpoints: HTTPS from the tasks only")
            self._allow(self.web_tasks, self.endpoints, HTTPS)
        else:
            self._egress_anywhere("web_tasks_https", self.web_tasks, HTTPS)

        self.redis_lb: SecurityGroup | None = None
        self.redis_tasks: SecurityGroup | None = None
        self.redis_storage: SecurityGroup | None = None
        self.cache: SecurityGroup | None = None
        if redis_backend == "fargate":
            self.redis_lb = self._group("redis_lb", "Redis load balancer: 6379 from web tasks only")
            self.redis_tasks = self._group("redis_tasks", "Redis tasks: 6379 from the Redis NLB")
            self.redis_storage = self._group("redis_storage", "Redis EFS: NFS from Redis tasks")
            self._allow(self.web_tasks, self.redis_lb, REDIS)
            # The NLB forwards and health-checks from its own group, so that is the only source.
            self._allow(self.redis_lb, self.redis_tasks, REDIS)
            self._allow(self.redis_tasks, self.redis_storage, NFS)
            # The Redis image comes through ECR (its pull-through cache), as the web image does.
            if vpc_endpoints:
                self._allow(self.redis_tasks, self.endpoints, HTTPS)
            else:
                self._egress_anywhere("redis_tasks_https", self.redis_tasks, HTTPS)
        elif redis_backend == "elasticache":
            self.cache = self._group("cache", "ElastiCache: 6379 from web tasks only")
            self._allow(self.web_tasks, self.cache, REDIS)

    def allow_tasks_to_prefix_list(self, id: str, prefix_list_id: str, peer: str) -> None:
        """Let the tasks reach a gateway endpoint's service (e.g. S3) on 443, and only it."""
        for role, group in (("web", self.web_tasks), ("redis", self.redis_tasks)):
            if group is not None:
                self._rule(
                    VpcSecurityGroupEgressRule,
                    f"{role}_tasks_to_{id}",
                    group,
                    HTTPS,
                    f"to {peer}",
                    prefix_list_id=prefix_list_id,
                )

    def _group(self, id: str, description: str) -> SecurityGroup:
        name = f"{self._name}-{id.replace('_', '-')}"
        return SecurityGroup(
            self,
            id,
            # A changed description replaces the group, the new one first (tasks still use the
            # old one): a prefix lets Terraform pick a name that does not collide.
            name_prefix=f"{name}-",
            description=description,
            vpc_id=self._vpc_id,
            tags={"Name": name},
            lifecycle={"create_before_destroy": True},
        )

    def _ingress(self, id: str, group: SecurityGroup, port: int, *, cidr: str) -> None:
        self._rule(VpcSecurityGroupIngressRule, id, group, port, f"from {cidr}", cidr_ipv4=cidr)

    def _egress_anywhere(self, id: str, group: SecurityGroup, port: int) -> None:
        reason = "out to AWS APIs and registries (through NAT)"
        self._rule(VpcSecurityGroupEgressRule, id, group, port, reason, cidr_ipv4=ANYWHERE)

    def _allow(self, source: SecurityGroup, target: SecurityGroup, port: int) -> None:
        """Open `port` from `source` to `target`: egress on one side, ingress on the other."""
        source_id, target_id = source.node.id, target.node.id
        self._rule(
            VpcSecurityGroupEgressRule,
            f"{source_id}_to_{target_id}",
            source,
            port,
            f"to {target_id}",
            referenced_security_group_id=target.id,
        )
        self._rule(
            VpcSecurityGroupIngressRule,
            f"{target_id}_from_{source_id}",
            target,
            port,
            f"from {source_id}",
            referenced_security_group_id=source.id,
        )

    def _rule(
        self,
        kind: type[VpcSecurityGroupIngressRule] | type[VpcSecurityGroupEgressRule],
        id: str,
        group: SecurityGroup,
        port: int,
        peer: str,
        **where: str,
    ) -> None:
        """One TCP rule on one port of `group`; `where` names the other side (CIDR or group)."""
        kind(
            self,
            id,
            security_group_id=group.id,
            description=f"TCP {port} {peer}",
            ip_protocol="tcp",
            from_port=port,
            to_port=port,
            **where,
        )
