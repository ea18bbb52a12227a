"""The web frontend: the Flask image as a Fargate service behind the internet-facing NLB."""

from __future__ import annotations

from collections.abc import Sequence

from infra.endpoint import RedisEndpoint
from infra.fargate_service import (
    Autoscaling,
    BlueGreen,
    Container,
    FargateService,
    Listener,
    LoadBalancer,
    ServiceBase,
)
from infra.identity import Identity
from infra.monitoring import WEB_ROLLBACK_ALARMS, alarm_name
from infra.network import Network
from infra.secrets import RedisPassword, ResetToken, VoteTokenKey
from infra.security import SecurityGroups
from infra.settings import Settings
from infra.template import literal
from toolchain.providers import Construct, TerraformResource


class WebFrontend(FargateService):
    """The voting page: public NLB (80, and 443 with a certificate), autoscaled tasks.

    The tasks run in private subnets and reach Redis at `redis`; the NLB's HTTP health check
    asks `/readyz/lb` (Redis reached with this task's password), and the container's own check
    runs the image's health script (`/healthz`, liveness only).
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        settings: Settings,
        network: Network,
        groups: SecurityGroups,
        password: RedisPassword,
        vote_token_key: VoteTokenKey,
        reset_token: ResetToken | None,
        identity: Identity,
        image_uri: str,
        redis: RedisEndpoint,
        redis_ready: Sequence[TerraformResource],
        certificate_arn: str | None,
        base: ServiceBase,
    ) -> None:
        """Create the service `<name_prefix>-web`; `certificate_arn` adds the TLS listener.

        `redis_ready` is what the tasks wait for before they start (the Redis backend's)."""
        s = settings
        # The first is the production listener: TLS where there is a certificate.
        listeners = [Listener(443, certificate_arn)] if certificate_arn else []
        if s.http_listener:
            listeners.append(Listener(80))
        super().__init__(
            scope,
            id,
            base=base,
            name=f"{s.name_prefix}-web",
            security_group_id=groups.web_tasks.id,
            task_role_arn=identity.task_roles["web"].arn,
            container=Container(
                image=image_uri,
                port=s.web_container_port,
                environment={
                    **redis.environment,
                    "TITLE": literal(s.app_title),
                    **{
                        f"VOTE{n}VALUE": literal(option)
                        for n, option in enumerate(s.vote_options, 1)
                    },
                    "RESET_ENABLED": "true" if reset_token else "false",
                    "PORT": str(s.web_container_port),
                    # ECS reads secrets only when a task starts: a new version starts new tasks.
                    "REDIS_ROTATION": str(s.redis_password_version),
                    # Against DNS rebinding, the app answers only to these Host names: the
                    # NLB's own name (under AWS's zone, which no attacker can point elsewhere)
                    # and the domain, when one is configured.
                    "ALLOWED_HOSTS": ",".join(
                        [f".elb.{s.region}.amazonaws.com", *filter(None, [s.domain_name])]
                    ),
                },
                secrets={
                    "REDIS_PWD": password.parameter_arn,
                    "VOTE_TOKEN_KEY": vote_token_key.parameter_arn,
                }
                | ({"RESET_TOKEN": reset_token.parameter_arn} if reset_token else {}),
                # The image's own HEALTHCHECK script; ECS ignores the Dockerfile's instruction.
                health_check=["CMD", "python", "/app/healthcheck.py"],
            ),
            cpu=s.web_cpu,
            memory=s.web_memory,
            desired_count=s.web_desired_count,
            load_balancer=LoadBalancer(
                subnet_ids=network.public_subnet_ids,
                security_group_id=groups.web_lb.id,
                listeners=listeners,
                internal=False,
                # Readiness as the NLB should see it: a release that cannot reach or log in to
                # Redis never turns healthy, and an outage of Redis itself does not make ECS
                # replace every web task (frontend/README.md, "Health checks").
                health_check_path="/readyz/lb",
                # The app limits votes per client address (429), so it must see the client's
                # address; proxy protocol would need a parser in front of gunicorn instead.
                preserve_client_ip=True,
                deletion_protection=s.deletion_protection,
            ),
            autoscaling=Autoscaling(
                min_count=s.web_min_count, max_count=s.web_max_count, cpu_target=s.web_cpu_target
            ),
            # Blue/green-ready in every mode, so switching strategy changes the strategy only.
            blue_green=BlueGreen(
                bake_minutes=s.web_bake_minutes,
                rollback_alarms=[alarm_name(s.name_prefix, what) for what in WEB_ROLLBACK_ALARMS],
                active=s.web_deployment == "blue_green",
            ),
            # After Redis: on a first apply and on a password rotation, web tasks start once
            # Redis (with the new password) is steady.
            depends_on=[*identity.task_grants["web"], *redis_ready],
        )
