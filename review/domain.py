"""The app's domain, its certificates, and whether each listener encrypts."""

from __future__ import annotations

from dataclasses import dataclass, field

from .exposure import truthy
from .refs import is_literal
from .stack import Resource, Stack

SECURE = ("TLS", "HTTPS")


@dataclass(frozen=True)
class ListenerTls:
    """One listener: where it listens and whether traffic to it is encrypted."""

    address: str
    load_balancer: str
    public: bool
    port: str
    protocol: str
    certificate: str
    ssl_policy: str

    @property
    def secure(self) -> bool:
        return self.protocol in SECURE


@dataclass
class Domain:
    """DNS names pointing at the stack, certificates, listeners and the app URL."""

    names: list[tuple[str, str]] = field(default_factory=list)
    """(DNS name, what it points at)."""
    certificates: list[str] = field(default_factory=list)
    listeners: list[ListenerTls] = field(default_factory=list)
    app_url: str = ""


def read_domain(stack: Stack) -> Domain:
    """Read DNS records, certificates and listeners."""
    domain = Domain()
    for record in stack.of_type("aws_route53_record"):
        alias = record.get("alias")
        alias = alias[0] if isinstance(alias, list) and alias else alias
        target = stack.first_referenced(alias, "aws_lb", "aws_alb") if alias else None
        if target and is_literal(record.get("name")):
            domain.names.append((str(record.get("name")), target.address))
    for certificate in stack.of_type("aws_acm_certificate"):
        sans = certificate.get("subject_alternative_names") or []
        names = ", ".join([str(certificate.get("domain_name", "?")), *map(str, sans)])
        method = certificate.get("validation_method") or "imported"
        domain.certificates.append(f"`{certificate.address}`: {names}, {method}-validated ACM")
    for listener in stack.of_type("aws_lb_listener", "aws_alb_listener"):
        lb = stack.first_referenced(listener.get("load_balancer_arn"), "aws_lb", "aws_alb")
        domain.listeners.append(_listener(stack, listener, lb))
    app_url = stack.outputs.get("app_url")
    if isinstance(app_url, dict):
        domain.app_url = str(app_url.get("value", ""))
    return domain


def _listener(stack: Stack, listener: Resource, lb: Resource | None) -> ListenerTls:
    certificate = listener.get("certificate_arn")
    if certificate is None:
        shown = ""
    elif is_literal(certificate):
        shown = f"existing {certificate}"
    else:
        source = stack.first_referenced(
            certificate, "aws_acm_certificate", "aws_acm_certificate_validation"
        )
        if source is not None and source.type == "aws_acm_certificate_validation":
            source = stack.first_referenced(source.get("certificate_arn"), "aws_acm_certificate")
        shown = f"`{source.address}`" if source else str(certificate)
    return ListenerTls(
        address=listener.address,
        load_balancer=lb.address if lb else "?",
        public=bool(lb) and not truthy(lb.get("internal")),
        port=str(listener.get("port", "?")),
        protocol=str(listener.get("protocol", "?")).upper(),
        certificate=shown,
        ssl_policy=str(listener.get("ssl_policy") or ""),
    )
