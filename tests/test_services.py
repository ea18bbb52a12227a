"""ECS cluster, the Redis and web Fargate services and their network load balancers."""

import json
import re

from tests.helpers import assert_no_resource, assert_resource


def test_cluster_has_container_insights(synth_dev):
    assert_resource(
        synth_dev,
        "aws_ecs_cluster",
        {"name": "voting-app-dev", "setting": [{"name": "containerInsights", "value": "enabled"}]},
    )


def test_services_run_in_private_subnets_without_public_ip(any_synth):
    private = [
        f"${{aws_subnet.{name}.id}}"
        for name, subnet in any_synth.resources("aws_subnet").items()
        if subnet["tags"]["tier"] == "private"
    ]
    services = any_synth.resources("aws_ecs_service")
    assert services
    for name, service in services.items():
        network = service["network_configuration"]
        assert network["assign_public_ip"] is False, name
        assert network["subnets"] == private, name
        assert service["deployment_circuit_breaker"] == {"enable": True, "rollback": True}, name
        assert service["launch_type"] == "FARGATE", name


def test_redis_nlb_is_internal_and_web_nlb_public_cross_zone(synth_dev):
    assert_resource(
        synth_dev,
        "aws_lb",
        {"name": "voting-app-dev-redis", "internal": True, "load_balancer_type": "network"},
    )
    assert_resource(
        synth_dev,
        "aws_lb",
        {
            "name": "voting-app-dev-web",
            "internal": False,
            "load_balancer_type": "network",
            "enable_cross_zone_load_balancing": True,
            "subnets": ["${aws_subnet.network_public_0.id}", "${aws_subnet.network_public_1.id}"],
        },
    )
    public = [n for n, lb in synth_dev.resources("aws_lb").items() if lb["internal"] is False]
    assert public == ["web_lb"]


def test_redis_listener_and_tcp_target_group(synth_dev):
    assert_resource(
        synth_dev,
        "aws_lb_listener",
        {"load_balancer_arn": "${aws_lb.redis_lb.arn}", "port": 6379, "protocol": "TCP"},
    )
    assert_resource(
        synth_dev,
        "aws_lb_target_group",
        {"port": 6379, "protocol": "TCP", "target_type": "ip", "health_check": {"protocol": "TCP"}},
    )


def test_web_listener_80_and_http_health_check(synth_dev):
    assert_resource(
        synth_dev,
        "aws_lb_listener",
        {
            "load_balancer_arn": "${aws_lb.web_lb.arn}",
            "port": 80,
            "protocol": "TCP",
        },
    )
    assert_resource(
        synth_dev,
        "aws_lb_target_group",
        {
            "port": 8080,
            "target_type": "ip",
            # A release that cannot reach or log in to Redis never becomes healthy.
            "health_check": {"protocol": "HTTP", "path": "/readyz/lb", "matcher": "200"},
            # The app's per-client vote limit needs the client's address.
            "preserve_client_ip": "true",
        },
    )
    redis_targets = synth_dev.resource("aws_lb_target_group", "redis_targets")
    assert "preserve_client_ip" not in redis_targets


def test_web_service_behind_its_target_group(synth_dev):
    service = synth_dev.resource("aws_ecs_service", "web_service")
    ((balancer),) = service["load_balancer"]
    assert {k: v for k, v in balancer.items() if k != "advanced_configuration"} == {
        "container_name": "app",
        "container_port": 8080,
        "target_group_arn": "${aws_lb_target_group.web_targets.arn}",
    }
    assert service["health_check_grace_period_seconds"] == 60
    assert "aws_lb_listener.web_listener" in service["depends_on"]


def test_containers_are_read_only_and_log_to_retained_groups(any_synth):
    for task in any_synth.resources("aws_ecs_task_definition"):
        (container,) = any_synth.containers(task)
        assert container["readonlyRootFilesystem"] is True, task
        assert container["logConfiguration"]["logDriver"] == "awslogs", task
        assert "healthCheck" in container, task
    for name, group in any_synth.resources("aws_cloudwatch_log_group").items():
        assert group["retention_in_days"] >= 14, name
        assert group["kms_key_id"] == "${aws_kms_key.encryption_key.arn}", name


def test_web_container_contract(synth_dev):
    (web,) = synth_dev.containers("web_task")
    env = {item["name"]: item["value"] for item in web["environment"]}
    assert env == {
        "PORT": "8080",
        # The NLB's own name is under this zone; dev has no domain.
        "ALLOWED_HOSTS": ".elb.us-west-2.amazonaws.com",
        "REDIS": "${aws_lb.redis_lb.dns_name}",
        "REDIS_ROTATION": "1",
        "REDIS_PORT": "6379",
        "RESET_ENABLED": "true",
        "TITLE": "Voting App",
        "VOTE1VALUE": "Tabs",
        "VOTE2VALUE": "Spaces",
    }
    assert web["mountPoints"] == [
        {"sourceVolume": "scratch-tmp", "containerPath": "/tmp", "readOnly": False}
    ]
    assert "user" not in web, "the image's own non-root user runs the app"
    assert web["healthCheck"]["command"] == ["CMD", "python", "/app/healthcheck.py"]


def test_redis_container_pinned_password_from_secret_aof_on(synth_dev):
    (redis,) = synth_dev.containers("redis_task")
    # By digest, from this account's pull-through cache of ECR Public: no Docker Hub, no tag.
    cache = (
        "${data.aws_caller_identity.encryption_account.account_id}.dkr.ecr."
        "${data.aws_region.encryption_region.region}.amazonaws.com/"
        "${aws_ecr_pull_through_cache_rule.redis_image_cache.ecr_repository_prefix}"
    )
    assert re.fullmatch(
        re.escape(cache) + r"/docker/library/redis@sha256:[0-9a-f]{64}", redis["image"]
    ), redis["image"]
    assert redis["command"][:2] == ["sh", "-c"]
    # Which passwords the command accepts is tested with redis-server in test_rotation.py.
    assert '">$REDIS_PWD"' in redis["command"][2]
    assert "--appendonly yes" in redis["command"][2]
    # dev's task has 512 MiB: 60 % for data, the rest for the AOF rewrite's fork and buffers;
    # never evict (a token key evicted would count its vote again).
    assert redis["command"][2].endswith("--maxmemory 307mb --maxmemory-policy noeviction")
    assert redis["user"] == "999:1000"
    assert "redis-cli ping" in redis["healthCheck"]["command"][1]


def test_no_task_definition_uses_latest_or_untagged_images(any_synth):
    for task in any_synth.resources("aws_ecs_task_definition"):
        (container,) = any_synth.containers(task)
        image = container["image"]
        assert not image.endswith(":latest") and (":" in image or "@" in image), (task, image)


def test_no_public_ip_anywhere(any_synth):
    assert_no_resource(any_synth, "aws_subnet", {"map_public_ip_on_launch": True})
    assert_no_resource(
        any_synth, "aws_ecs_service", {"network_configuration": {"assign_public_ip": True}}
    )


def test_redis_image_is_pulled_through_ecr_from_ecr_public(any_synth):
    rules = any_synth.resources("aws_ecr_pull_through_cache_rule")
    if not any_synth.resources("aws_efs_file_system"):
        assert not rules, "only the Fargate backend runs a Redis image"
        return
    (rule,) = rules.values()
    assert rule["upstream_registry_url"] == "public.ecr.aws"
    assert "credential_arn" not in rule, "ECR Public needs no credentials"
    # ECR allows 2-30 characters for the prefix.
    assert 2 <= len(rule["ecr_repository_prefix"]) <= 30
    statements = json.loads(
        any_synth.resource("aws_iam_role_policy", "identity_execution_pull_and_log")["policy"]
    )["Statement"]
    cached = (
        "arn:${data.aws_partition.encryption_partition.partition}:ecr:"
        "${data.aws_region.encryption_region.region}:"
        "${data.aws_caller_identity.encryption_account.account_id}:repository/"
        "${aws_ecr_pull_through_cache_rule.redis_image_cache.ecr_repository_prefix}"
        "/docker/library/redis"
    )
    # The first pull creates the cached repository and imports the image into it.
    assert {
        "Effect": "Allow",
        "Action": ["ecr:BatchImportUpstreamImage", "ecr:CreateRepository"],
        "Resource": cached,
    } in statements
    pull = next(s for s in statements if "ecr:BatchGetImage" in s["Action"])
    assert cached in pull["Resource"]


def test_every_vote_option_reaches_the_app_in_order():
    from tests.conftest import _settings, _synth

    synth = _synth(_settings("dev", vote_options=("Pizza", "Salad", "Soup")))
    (web,) = synth.containers("web_task")
    env = {item["name"]: item["value"] for item in web["environment"]}
    assert [env.get(f"VOTE{n}VALUE") for n in (1, 2, 3, 4)] == ["Pizza", "Salad", "Soup", None]


def test_web_app_answers_to_the_nlb_name_and_the_domain(synth_tls):
    """Against DNS rebinding: the NLB's name (under AWS's zone) and the configured domain."""
    (web,) = synth_tls.containers("web_task")
    env = {item["name"]: item["value"] for item in web["environment"]}
    assert env["ALLOWED_HOSTS"] == ".elb.us-west-2.amazonaws.com,vote.example.com"


# What each container holds open at most: the web image's gunicorn serves 2 workers x 5,000
# connections (frontend/gunicorn.conf.py), Redis 10,000 clients by default plus 32 of its own.
OPEN_FILES_NEEDED = {"web_task": 2 * 5000 + 100, "redis_task": 10_000 + 32}


def test_every_container_may_open_the_files_its_connections_need(any_synth):
    """Fargate's default open-file limit has changed over the years (1,024 soft in older
    documentation, 65,535 now): the task definition states it rather than depend on it."""
    for task, needed in OPEN_FILES_NEEDED.items():
        if task not in any_synth.resources("aws_ecs_task_definition"):
            continue  # ElastiCache: no Redis task
        (container,) = any_synth.containers(task)
        (nofile,) = [u for u in container.get("ulimits", []) if u["name"] == "nofile"]
        assert nofile["softLimit"] == nofile["hardLimit"] >= needed, (task, nofile)
