"""Environments and options: prod defaults, S3 state, EFS, ElastiCache, autoscaling and TLS."""

from tests.conftest import variant_settings
from tests.helpers import assert_resource


def test_prod_is_sized_for_production(synth_prod, synth_dev):
    web = synth_prod.resource("aws_ecs_service", "web_service")
    assert web["desired_count"] == 2
    assert synth_prod.resource("aws_lb", "web_lb")["enable_deletion_protection"] is True
    assert synth_dev.resource("aws_lb", "web_lb")["enable_deletion_protection"] is False
    retention = {
        g["retention_in_days"] for g in synth_prod.resources("aws_cloudwatch_log_group").values()
    }
    assert retention == {365}
    assert synth_dev.resource("aws_ecs_service", "web_service")["desired_count"] == 1


def test_s3_backend_encrypted_with_native_lock_and_key_per_stack(synth_s3):
    assert synth_s3.data["terraform"]["backend"] == {
        "s3": {
            "bucket": "acme-terraform-state",
            "key": "voting-app/voting-app-prod.tfstate",
            "region": "eu-west-1",
            "encrypt": True,
            "use_lockfile": True,
        }
    }


def test_efs_encrypted_tls_only_and_mounted_at_data(synth_dev):
    assert_resource(
        synth_dev,
        "aws_efs_file_system",
        {"encrypted": True, "kms_key_id": "${aws_kms_key.encryption_key.arn}"},
    )
    mounts = synth_dev.resources("aws_efs_mount_target")
    assert sorted(m["subnet_id"] for m in mounts.values()) == [
        "${aws_subnet.network_private_0.id}",
        "${aws_subnet.network_private_1.id}",
    ]
    assert all(
        m["security_groups"] == ["${aws_security_group.security_redis_storage.id}"]
        for m in mounts.values()
    )
    assert_resource(
        synth_dev,
        "aws_efs_access_point",
        {"posix_user": {"uid": 999, "gid": 1000}, "root_directory": {"path": "/redis"}},
    )
    policy = synth_dev.resource("aws_efs_file_system_policy", "redis_storage_tls_only")["policy"]
    assert '"aws:SecureTransport": "false"' in policy
    (volume,) = synth_dev.resource("aws_ecs_task_definition", "redis_task")["volume"]
    assert volume["efs_volume_configuration"]["transit_encryption"] == "ENABLED"
    assert volume["efs_volume_configuration"]["authorization_config"]["iam"] == "ENABLED"
    (redis,) = synth_dev.containers("redis_task")
    assert redis["mountPoints"] == [
        {"sourceVolume": "data", "containerPath": "/data", "readOnly": False}
    ]


def test_redis_service_never_runs_two_writers(synth_dev):
    redis = synth_dev.resource("aws_ecs_service", "redis_service")
    assert redis["desired_count"] == 1
    assert redis["deployment_minimum_healthy_percent"] == 0
    assert redis["deployment_maximum_percent"] == 100


def test_elasticache_replaces_the_redis_task_and_nlb(synth_prod):
    assert list(synth_prod.resources("aws_ecs_service")) == ["web_service"]
    assert list(synth_prod.resources("aws_lb")) == ["web_lb"]
    assert not synth_prod.resources("aws_efs_file_system")
    group = synth_prod.resource("aws_elasticache_replication_group", "cache_group")
    assert group["engine"] == "valkey"
    assert group["transit_encryption_enabled"] is True
    assert group["at_rest_encryption_enabled"] == "true"
    assert group["auth_token"] == "${var.redis_password}"
    assert group["num_cache_clusters"] == 2
    assert group["automatic_failover_enabled"] is True and group["multi_az_enabled"] is True
    assert group["security_group_ids"] == ["${aws_security_group.security_cache.id}"]
    # ElastiCache's default group evicts (volatile-lru): an evicted token counts its vote again.
    parameters = synth_prod.resource("aws_elasticache_parameter_group", "cache_parameters")
    assert (
        group["parameter_group_name"] == "${aws_elasticache_parameter_group.cache_parameters.name}"
    )
    assert parameters["family"] == "valkey8"
    assert parameters["parameter"] == [{"name": "maxmemory-policy", "value": "noeviction"}]
    # auth_token is not write-only, so the variable cannot be ephemeral here.
    assert "ephemeral" not in synth_prod.data["variable"]["redis_password"]


def test_elasticache_web_app_connects_with_tls(synth_prod):
    (web,) = synth_prod.containers("web_task")
    env = {item["name"]: item["value"] for item in web["environment"]}
    assert (
        env["REDIS"] == "${aws_elasticache_replication_group.cache_group.primary_endpoint_address}"
    )
    assert env["REDIS_TLS"] == "true"


def test_web_autoscaling_on_cpu(synth_prod):
    assert_resource(
        synth_prod,
        "aws_appautoscaling_target",
        {
            "service_namespace": "ecs",
            "scalable_dimension": "ecs:service:DesiredCount",
            "min_capacity": 2,
            "max_capacity": 6,
        },
    )
    assert_resource(
        synth_prod,
        "aws_appautoscaling_policy",
        {
            "policy_type": "TargetTrackingScaling",
            "target_tracking_scaling_policy_configuration": {
                "target_value": variant_settings("synth_prod").web_cpu_target,
                "predefined_metric_specification": {
                    "predefined_metric_type": "ECSServiceAverageCPUUtilization"
                },
            },
        },
    )
    web = synth_prod.resource("aws_ecs_service", "web_service")
    assert "desired_count" in web["lifecycle"]["ignore_changes"]


def test_tls_listener_with_validated_certificate(synth_tls):
    assert_resource(
        synth_tls,
        "aws_lb_listener",
        {
            "port": 443,
            "protocol": "TLS",
            "certificate_arn": "${aws_acm_certificate_validation.tls_validated.certificate_arn}",
            "ssl_policy": "ELBSecurityPolicy-TLS13-1-2-2021-06",
        },
    )
    assert_resource(
        synth_tls,
        "aws_acm_certificate",
        {"domain_name": "vote.example.com", "validation_method": "DNS"},
    )
    assert_resource(
        synth_tls,
        "aws_route53_record",
        {"name": "vote.example.com", "type": "A", "zone_id": "Z0123456789ABCDEFGHIJ"},
    )
    validation = synth_tls.resource("aws_route53_record", "tls_validation")
    options = "tolist(aws_acm_certificate.tls_certificate.domain_validation_options)"
    assert validation["name"] == f"${{{options}.0.resource_record_name}}"
    assert synth_tls.data["output"]["app_url"]["value"] == "https://vote.example.com"
    assert len(synth_tls.resources("aws_lb_listener")) == 3  # redis 6379, web 80 and 443


def test_tls_only_with_existing_certificate(synth_tls_only):
    web_listeners = [
        listener
        for listener in synth_tls_only.resources("aws_lb_listener").values()
        if listener["load_balancer_arn"] == "${aws_lb.web_lb.arn}"
    ]
    assert [(item["port"], item["certificate_arn"]) for item in web_listeners] == [
        (443, "arn:aws:acm:us-west-2:123456789012:certificate/abc")
    ]
    assert not synth_tls_only.resources("aws_acm_certificate")
