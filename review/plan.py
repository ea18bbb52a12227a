"""Read `terraform show -json` plans and summarise what they create, change, replace, destroy."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .load import ReviewError, read_json

_SUPPORTED_FORMAT = re.compile(r"^1\.\d+$")
# Terraform's action lists, as documented for the JSON output format
_ACTIONS = {
    ("create",): "create",
    ("update",): "update",
    ("delete",): "destroy",
    ("delete", "create"): "replace",
    ("create", "delete"): "replace",
    ("no-op",): "no-op",
    ("read",): "read",
    ("forget",): "forget",
}
_REASONS = {
    "replace_because_tainted": "tainted",
    "replace_because_cannot_update": "a changed argument forces replacement",
    "replace_by_request": "replacement requested (-replace)",
    "delete_because_no_resource_config": "removed from the configuration",
    "delete_because_no_module": "its module was removed",
    "delete_because_wrong_repetition": "count/for_each changed",
    "delete_because_count_index": "count index out of range",
    "delete_because_each_key": "for_each key removed",
    "delete_because_no_move_target": "moved to an address that does not exist",
    "read_because_config_unknown": "configuration known only after apply",
    "read_because_dependency_pending": "depends on a pending change",
    "read_because_check_nested": "read by a check block",
}
_RECOMPUTED = {
    "id",
    "arn",
    "arn_suffix",
    "arn_without_revision",
    "revision",
    "tags_all",
    "dns_name",
    "zone_id",
    "version",
}
ORDER = ("replace", "destroy", "create", "update", "forget", "read", "no-op")


@dataclass(frozen=True)
class Change:
    """One planned resource change, with the argument names that explain it (never values)."""

    address: str
    type: str
    action: str
    attributes: tuple[str, ...]
    replace_paths: tuple[str, ...]
    reason: str
    managed: bool

    @property
    def why(self) -> str:
        """Which arguments force a replacement, or Terraform's reason for the action."""
        paths = ", ".join(f"`{p}`" for p in self.replace_paths)
        forced = f"{paths} forces replacement" if paths else ""
        # the generic "cannot update" reason only repeats what the replace paths say
        reason = (
            ""
            if paths and self.reason == _REASONS["replace_because_cannot_update"]
            else self.reason
        )
        return "; ".join(part for part in (forced, reason) if part)


@dataclass(frozen=True)
class Plan:
    """The resource changes of one plan."""

    source: Path
    format_version: str
    terraform_version: str
    changes: tuple[Change, ...]

    def of(self, action: str) -> list[Change]:
        """Managed-resource changes with the given action."""
        return [c for c in self.changes if c.action == action and c.managed]


def load_plan(path: Path) -> Plan:
    """Read and check a plan file."""
    return parse_plan(read_json(path), path)


def parse_plan(data: Any, source: Path) -> Plan:
    """Check a parsed plan's format and turn its resource_changes into Changes."""
    if not isinstance(data, dict) or "format_version" not in data:
        if isinstance(data, dict) and ("resource" in data or "terraform" in data):
            raise ReviewError(
                f"{source}: this is a synthesized stack, not a plan (terraform show -json)"
            )
        raise ReviewError(f"{source}: not a Terraform plan (no format_version)")
    version = str(data["format_version"])
    if not _SUPPORTED_FORMAT.match(version):
        raise ReviewError(
            f"{source}: plan format_version {version} is not supported (expected 1.x)"
        )
    raw_changes = data.get("resource_changes") or []
    if not isinstance(raw_changes, list):
        raise ReviewError(f"{source}: resource_changes is not a list")
    changes = tuple(_change(source, index, raw) for index, raw in enumerate(raw_changes))
    return Plan(source, version, str(data.get("terraform_version", "?")), changes)


def _change(source: Path, index: int, raw: Any) -> Change:
    """One resource_changes entry."""
    change = raw.get("change") if isinstance(raw, dict) else None
    actions = change.get("actions") if isinstance(change, dict) else None
    if not isinstance(actions, list) or "address" not in raw:
        raise ReviewError(f"{source}: resource_changes[{index}] has no address or change.actions")
    action = _ACTIONS.get(tuple(actions), "+".join(map(str, actions)))
    attributes: tuple[str, ...] = ()
    if action in ("update", "replace"):
        attributes = changed_attributes(change)
    return Change(
        address=str(raw["address"]),
        type=str(raw.get("type", "")),
        action=action,
        attributes=attributes,
        replace_paths=tuple(_path(p) for p in change.get("replace_paths") or []),
        reason=_REASONS.get(raw.get("action_reason", ""), raw.get("action_reason", "")),
        managed=raw.get("mode", "managed") == "managed",
    )


def changed_attributes(change: dict[str, Any]) -> tuple[str, ...]:
    """Top-level arguments that change; `(known after apply)` marks values not yet known."""
    before = change.get("before") if isinstance(change.get("before"), dict) else {}
    after = change.get("after") if isinstance(change.get("after"), dict) else {}
    unknown = change.get("after_unknown") if isinstance(change.get("after_unknown"), dict) else {}
    changed = []
    for key in sorted(set(before) | set(after)):
        if unknown.get(key) is True:
            # identifiers a provider always recomputes would bury the real change
            if before.get(key) is not None and key not in _RECOMPUTED:
                changed.append(f"{key} (known after apply)")
        elif before.get(key) != after.get(key):
            changed.append(key)
    return tuple(changed)


def _path(steps: Any) -> str:
    """`["network_configuration", 0, "subnets"]` → `network_configuration[0].subnets`."""
    if not isinstance(steps, list):
        return str(steps)
    text = ""
    for step in steps:
        text += f"[{step}]" if isinstance(step, int) else f".{step}" if text else str(step)
    return text


def summary_line(plan: Plan) -> str:
    """One line for a pull request: counts, then what is replaced or destroyed and why."""
    counts = {action: len(plan.of(action)) for action in ORDER}
    if not any(counts[a] for a in ("create", "update", "replace", "destroy", "forget")):
        return "Plan: no changes."
    parts = [
        f"{counts['create']} to add",
        f"{counts['update']} to change",
        f"{counts['replace']} to replace",
        f"{counts['destroy']} to destroy",
    ]
    if counts["forget"]:
        parts.append(f"{counts['forget']} to forget")
    details = []
    replaced = [_with_paths(c) for c in plan.of("replace")]
    if replaced:
        details.append("replaces " + ", ".join(replaced))
    destroyed = [c.address for c in plan.of("destroy")]
    if destroyed:
        details.append("destroys " + ", ".join(destroyed))
    tail = f" — {'; '.join(details)}" if details else ""
    return f"Plan: {', '.join(parts)}{tail}"


def _with_paths(change: Change) -> str:
    """`aws_ecs_task_definition.web (container_definitions)`."""
    why = change.replace_paths or ((change.reason,) if change.reason else ())
    return f"{change.address} ({', '.join(why)})" if why else change.address
