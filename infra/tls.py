"""TLS: a DNS-validated ACM certificate and the alias record for the web NLB's domain."""

from __future__ import annotations

from toolchain.providers import AcmCertificate, AcmCertificateValidation, Construct, Route53Record


class Certificate(Construct):
    """An ACM certificate for `domain_name`, validated through a record in `hosted_zone_id`."""

    def __init__(self, scope: Construct, id: str, *, domain_name: str, hosted_zone_id: str):
        """Request the certificate and create its validation record."""
        super().__init__(scope, id)
        certificate = AcmCertificate(
            self,
            "certificate",
            domain_name=domain_name,
            validation_method="DNS",
            lifecycle={"create_before_destroy": True},
        )
        option = certificate.domain_validation_options.get(0)
        record = Route53Record(
            self,
            "validation",
            zone_id=hosted_zone_id,
            name=option.resource_record_name,
            type=option.resource_record_type,
            records=[option.resource_record_value],
            ttl=60,
            allow_overwrite=True,
        )
        validation = AcmCertificateValidation(
            self,
            "validated",
            certificate_arn=certificate.arn,
            validation_record_fqdns=[record.fqdn],
        )
        # Listeners use the validated ARN so they wait until the certificate is issued.
        self.arn: str = validation.certificate_arn


def alias_record(
    scope: Construct, id: str, *, hosted_zone_id: str, domain_name: str, lb_dns: str, lb_zone: str
) -> Route53Record:
    """Point `domain_name` at the load balancer."""
    return Route53Record(
        scope,
        id,
        zone_id=hosted_zone_id,
        name=domain_name,
        type="A",
        alias={"name": lb_dns, "zone_id": lb_zone, "evaluate_target_health": True},
    )
