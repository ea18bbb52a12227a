"""The change matrix: what each change a user makes later does to every resource.

Each change is synthesized before and after, on both Redis backends (prod's ElastiCache and
prod on the Fargate task), and every resource is classified (unchanged / update / replace /
create / destroy) by `review.changes` from the AWS provider's replacement-forcing
arguments. Each change states what it replaces, creates and destroys; a replaced or destroyed
stateful or networking resource must also be listed, with its reason, in `INTENDED`.
docs/day-two.md shows the same matrix (checked below), so its recipes say what Terraform does.
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
from collections import Counter
from collections.abc import Callable

import pytest

from infra.settings import Settings
from review.changes import ResourceChange, resource_changes
from tests.conftest import _synth, variant_settings
from toolchain.project import PROJECT_DIR

# What holds data, or carries traffic that a replacement or removal would cut.
CRITICAL = {
    "aws_vpc",
    "aws_subnet",
    "aws_nat_gateway",
    "aws_eip",
    "aws_lb",
    "aws_lb_listener",
    "aws_efs_file_system",
    "aws_efs_mount_target",
    "aws_elasticache_replication_group",
    "aws_backup_vault",
    "aws_kms_key",
}
BACKENDS = {"elasticache": "synth_prod", "fargate": "synth_prod_fargate"}

# Each change a user makes, as settings that change ("frontend": the app's files change).
CHANGES: dict[str, dict] = {
    "new image": {"frontend": True},
    "task size": {"web_cpu": 512, "web_memory": 1024},
    "title and options": {"app_title": "Lunch", "vote_options": ("Pizza", "Soup", "Salad")},
    "az_count + 1": {"az_count": 3},
    "password rotation": {"redis_password_version": 2, "redis_password_rotating": True},
    "tls on": {
        "domain_name": "vote.example.com",
        "certificate_arn": "arn:aws:acm:us-west-2:123456789012:certificate/abc",
        "http_listener": False,
    },
    "deployment strategy": {"web_deployment": "rolling"},
    "redis backend": {"redis_backend": "the other one"},
    "alarm e-mail": {"alarm_emails": ("ops@example.com",)},
}

WEB_TASK = "aws_ecs_task_definition.web_task"
IMAGE = {
    "terraform_data.registry_build",
    "docker_image.registry_image",
    "docker_registry_image.registry_push",
    WEB_TASK,
}


def _az_2(backend: str) -> set[str]:
    """What the third AZ adds: its subnets, routes and NAT (prod has one per AZ)."""
    created = {
        "aws_subnet.network_public_2",
        "aws_subnet.network_private_2",
        "aws_route_table_association.network_public_2_association",
        "aws_route_table_association.network_private_2_association",
        "aws_route_table.network_private_2_routes",
        "aws_route.network_private_2_default_route",
        "aws_eip.network_nat_2_ip",
        "aws_nat_gateway.network_nat_2",
    }
    if backend == "fargate":
        created.add("aws_efs_mount_target.redis_storage_mount_2")
    return created


def expected(backend: str, change: str) -> dict[str, set[str]]:
    """What `change` replaces, creates and destroys on `backend` (everything else: unchanged
    or updated in place)."""
    fargate = backend == "fargate"
    return {
        "new image": {"replace": IMAGE},
        "task size": {"replace": {WEB_TASK}},
        "title and options": {"replace": {WEB_TASK}},
        "az_count + 1": {"create": _az_2(backend)},
        # ECS reads secrets at task start: both task definitions change, so both roll.
        "password rotation": {
            "replace": {WEB_TASK, "aws_ecs_task_definition.redis_task"} if fargate else {WEB_TASK},
            "create": {"aws_ssm_parameter.previous_password_parameter"} if fargate else set(),
        },
        # The listener ECS holds is updated in place (port, protocol, certificate); the app
        # learns the domain it answers to (ALLOWED_HOSTS): a deploy.
        "tls on": {
            "replace": {WEB_TASK},
            "create": {"aws_vpc_security_group_ingress_rule.security_web_lb_from_internet_443"},
            "destroy": {"aws_vpc_security_group_ingress_rule.security_web_lb_from_internet_80"},
        },
        # Blue/green-ready in both modes: only the service's strategy changes.
        "deployment strategy": {},
        "alarm e-mail": {"create": {"aws_sns_topic_subscription.monitoring_email_0"}},
    }.get(change, {})


# Critical resources a change replaces or destroys on purpose, and why.
INTENDED = {
    # A backend switch moves no votes: the old store goes (in prod, prevent_destroy on it
    # stops the plan until deletion_protection is off, see docs/day-two.md).
    ("elasticache", "redis backend"): {
        "aws_elasticache_replication_group.cache_group": "the old backend's votes",
    },
    ("fargate", "redis backend"): {
        "aws_efs_file_system.redis_storage_file_system": "the old backend's votes",
        "aws_efs_mount_target.redis_storage_mount_0": "the old backend's storage",
        "aws_efs_mount_target.redis_storage_mount_1": "the old backend's storage",
        "aws_lb.redis_lb": "the old backend's load balancer",
        "aws_lb_listener.redis_listener": "the old backend's load balancer",
        "aws_backup_vault.backup_vault": "EFS backups end with EFS (prevent_destroy: kept)",
        "aws_kms_key.backup_key": "EFS backups end with EFS (prevent_destroy: kept)",
    },
}


def _after(before: Settings, change: str) -> Settings:
    values = {k: v for k, v in CHANGES[change].items() if k != "frontend"}
    if "redis_backend" in values:
        other = {"fargate": "elasticache", "elasticache": "fargate"}
        values["redis_backend"] = other[before.redis_backend]
    return dataclasses.replace(before, **values)


def changes_of(backend: str, change: str, old: dict) -> list[ResourceChange]:
    """What `change` does to every resource of `old`, the stack of `backend` before it."""
    before = variant_settings(BACKENDS[backend])
    with pytest.MonkeyPatch.context() as patch:
        if CHANGES[change].get("frontend"):
            # Another frontend: its content hash, which names the image, changes.
            patch.setattr(
                "infra.registry.source_hash",
                lambda context: hashlib.sha256(b"another frontend").hexdigest(),
            )
        after = _synth(_after(before, change))
    return resource_changes(old, after.data)


@pytest.fixture(scope="module")
def matrix(request):
    """(backend, change) -> what the change does to every resource (each synthesized once)."""
    cache: dict[tuple[str, str], list[ResourceChange]] = {}

    def get(backend: str, change: str) -> list[ResourceChange]:
        if (backend, change) not in cache:
            old = request.getfixturevalue(BACKENDS[backend]).data
            cache[backend, change] = changes_of(backend, change, old)
        return cache[backend, change]

    return get


def _by_action(changes: list[ResourceChange]) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for change in changes:
        if change.action in ("replace", "create", "destroy"):
            found.setdefault(change.action, set()).add(change.address)
    return found


# A backend switch swaps dozens of resources: the two tests after this one check what matters.
@pytest.mark.parametrize("change", [change for change in CHANGES if change != "redis backend"])
@pytest.mark.parametrize("backend", BACKENDS)
def test_each_change_replaces_creates_and_destroys_what_it_says(matrix, backend, change):
    found = _by_action(matrix(backend, change))
    wanted = {action: names for action, names in expected(backend, change).items() if names}
    assert found == wanted


@pytest.mark.parametrize("change", CHANGES)
@pytest.mark.parametrize("backend", BACKENDS)
def test_no_change_replaces_or_removes_a_critical_resource_by_accident(matrix, backend, change):
    hit = {
        c.address
        for c in matrix(backend, change)
        if c.type in CRITICAL and c.action in ("replace", "destroy")
    }
    assert hit == set(INTENDED.get((backend, change), {}))


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_backend_switch_destroys_the_old_store_only_where_terraform_may(request, matrix, backend):
    """prod protects its votes: Terraform refuses a plan that destroys a store it protects."""
    stores = {
        c.address
        for c in matrix(backend, "redis backend")
        if c.action == "destroy"
        and c.type in ("aws_efs_file_system", "aws_elasticache_replication_group")
    }
    assert len(stores) == 1
    old = request.getfixturevalue(BACKENDS[backend]).data["resource"]
    for address in stores:
        type_, name = address.split(".")
        assert old[type_][name]["lifecycle"] == {"prevent_destroy": True}, address


def render(matrix: Callable[[str, str], list[ResourceChange]]) -> str:
    """The matrix as docs/day-two.md shows it."""
    lines = [
        "| change | backend | updated | replaced | created | destroyed |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for change in CHANGES:
        for backend in BACKENDS:
            counts = Counter(c.action for c in matrix(backend, change))
            cells = [str(counts[action]) for action in ("update", "replace", "create", "destroy")]
            lines.append(f"| {change} | {backend} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def test_day_two_shows_this_matrix(matrix):
    text = (PROJECT_DIR / "docs" / "day-two.md").read_text(encoding="utf-8")
    shown = re.search(r"<!-- change-matrix:start -->\n(.*?)<!-- change-matrix:end -->", text, re.S)
    assert shown, "docs/day-two.md lost its change matrix"
    assert shown[1].strip() == render(matrix), "run: python -m tests.test_change_matrix"


if __name__ == "__main__":
    # Rewrite docs/day-two.md's matrix from the stacks as they are now.
    from toolchain.node import use_project_node

    use_project_node()
    olds = {backend: _synth(variant_settings(v)).data for backend, v in BACKENDS.items()}
    table = render(lambda backend, change: changes_of(backend, change, olds[backend]))
    path = PROJECT_DIR / "docs" / "day-two.md"
    text = path.read_text(encoding="utf-8")
    start = text.index("<!-- change-matrix:start -->\n") + len("<!-- change-matrix:start -->\n")
    end = text.index("<!-- change-matrix:end -->")
    path.write_text(text[:start] + table + "\n" + text[end:], encoding="utf-8")
