"""Classify every resource of a change between two synthesized stacks, offline, as `terraform plan`
would: unchanged, updated in place, replaced, created or destroyed."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Literal

from .refs import Ref, is_literal, refs_in
from .replacement import REPLACEMENT_ARGUMENTS, ReplacementRule, rule_for

__all__ = ["REPLACEMENT_ARGUMENTS", "ResourceChange", "resource_changes"]

Action = Literal["unchanged", "update", "replace", "create", "destroy"]
UNKNOWN_TYPE = "(type not in the table)"

# Meta-arguments: they steer Terraform, they are not sent to the provider.
_META = {
    "depends_on",
    "lifecycle",
    "provider",
    "count",
    "for_each",
    "connection",
    "provisioner",
    "//",
}
_INDEX = re.compile(r"\[\d+\]")


@dataclass(frozen=True)
class ResourceChange:
    """What a change does to one resource."""

    address: str  # "aws_subnet.network_public_0"
    type: str
    action: Action
    forcing: tuple[str, ...]
    """Argument paths that force the replacement ("cidr_block", or
    "vpc_id (aws_vpc.network_vpc replaced)")."""
    changed: tuple[str, ...]
    """All argument paths that differ, or whose value becomes unknown."""


def resource_changes(old: dict[str, Any], new: dict[str, Any]) -> list[ResourceChange]:
    """Every resource of either stack with what applying `new` over `old` does to it."""
    before, after = _moved(_resources(old), new), _resources(new)
    tags_changed = _default_tags(old) != _default_tags(new)
    changed: dict[str, list[str]] = {}
    forcing: dict[str, list[str]] = {}
    for address in before.keys() & after.keys():
        type_name = address.split(".", 1)[0]
        # the new stack's pinned provider is the one that plans the change
        rule = rule_for(type_name, new)
        old_body, new_body = before[address], after[address]
        paths = _differences(old_body, new_body, _ignored(new_body))
        if tags_changed and (rule is None or rule.tagged):
            paths.append("tags_all (provider default_tags)")
        changed[address] = paths
        forcing[address] = _forcing(type_name, rule, paths, old_body, new_body)
    _propagate(before, after, changed, forcing, new)
    return sorted(
        [_result(a, changed[a], forcing[a]) for a in changed]
        + [ResourceChange(a, _type(a), "create", (), ()) for a in after.keys() - before.keys()]
        + [ResourceChange(a, _type(a), "destroy", (), ()) for a in before.keys() - after.keys()],
        key=lambda c: c.address,
    )


def _type(address: str) -> str:
    return address.split(".", 1)[0]


def _result(address: str, changed: list[str], forcing: list[str]) -> ResourceChange:
    action: Action = "replace" if forcing else "update" if changed else "unchanged"
    return ResourceChange(address, _type(address), action, tuple(forcing), tuple(changed))


def _resources(stack: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Managed resources by address; data sources and ephemeral resources are read, not changed."""
    found: dict[str, dict[str, Any]] = {}
    for type_name, by_name in (stack.get("resource") or {}).items():
        for name, body in (by_name or {}).items():
            found[f"{type_name}.{name}"] = body if isinstance(body, dict) else {}
    return found


def _moved(before: dict[str, dict[str, Any]], new: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The old resources under the addresses `moved` blocks of the new stack give them, so a
    renamed resource is compared with itself rather than destroyed and created."""
    moves = new.get("moved") or []
    renamed = dict(before)
    for move in moves if isinstance(moves, list) else []:
        source = str(move.get("from", "")).removeprefix("${").removesuffix("}")
        target = str(move.get("to", "")).removeprefix("${").removesuffix("}")
        if source in renamed and target not in renamed:
            renamed[target] = renamed.pop(source)
    return renamed


def _default_tags(stack: dict[str, Any]) -> Any:
    """The AWS provider blocks' default_tags, compared as a whole."""
    providers = (stack.get("provider") or {}).get("aws") or []
    blocks = providers if isinstance(providers, list) else [providers]
    return [b.get("default_tags") for b in blocks if isinstance(b, dict)]


def _ignored(body: dict[str, Any]) -> tuple[str, ...] | None:
    """The `lifecycle.ignore_changes` paths (None: nothing ignored; () : all ignored)."""
    lifecycle = body.get("lifecycle") or {}
    ignore = lifecycle.get("ignore_changes")
    if ignore is None:
        return None
    if ignore == "all" or ignore == ["all"]:
        return ()
    return tuple(_INDEX.sub("", str(p)).replace('"', "") for p in ignore)


def _leaves(value: Any, path: str = "") -> dict[str, Any]:
    """Flatten nested blocks to `a.b[0].c` → value; lists of plain values stay one leaf."""
    if isinstance(value, dict):
        items: dict[str, Any] = {}
        for key, item in value.items():
            if not path and key in _META:
                continue
            items.update(_leaves(item, f"{path}.{key}" if path else key))
        return items
    if isinstance(value, list) and any(isinstance(v, dict) for v in value):
        items = {}
        for index, item in enumerate(value):
            items.update(_leaves(item, f"{path}[{index}]"))
        return items
    return {path: value}


def _normal(path: str) -> str:
    """`volume[0].name` → `volume.name`, the form the table and ignore_changes use."""
    return _INDEX.sub("", path)


def _is_ignored(path: str, ignored: tuple[str, ...] | None) -> bool:
    if ignored is None:
        return False
    if ignored == ():
        return True
    plain = _normal(path)
    return any(plain == p or plain.startswith(p + ".") for p in ignored)


def _differences(
    old: dict[str, Any], new: dict[str, Any], ignored: tuple[str, ...] | None
) -> list[str]:
    """The argument paths whose text differs, minus those lifecycle ignores."""
    before, after = _leaves(old), _leaves(new)
    return sorted(
        path
        for path in before.keys() | after.keys()
        if before.get(path) != after.get(path) and not _is_ignored(path, ignored)
    )


def _forcing(
    type_name: str,
    rule: ReplacementRule | None,
    paths: list[str],
    old: dict[str, Any],
    new: dict[str, Any],
) -> list[str]:
    """The changed paths that force replacement of a resource of this type."""
    if not paths:
        return []
    if rule is None:
        return [UNKNOWN_TYPE]
    found = [p for p in paths if "(" not in p and rule.forces(_normal(p))]
    return found + [p for p in _conditional_forcing(type_name, old, new) if p not in found]


def _conditional_forcing(type_name: str, old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    """Replacements the provider decides from values, not from the argument alone."""
    # aws_lb: a network load balancer can gain subnets in place but not lose one
    # (https://registry.terraform.io/providers/hashicorp/aws/6.25.0/docs/resources/lb, `subnets`)
    if type_name == "aws_lb" and new.get("load_balancer_type") == "network":
        removed = set(old.get("subnets") or []) - set(new.get("subnets") or [])
        if removed:
            return ["subnets (a subnet removed from a network load balancer)"]
    return []


def _propagate(
    before: dict[str, dict[str, Any]],
    after: dict[str, dict[str, Any]],
    changed: dict[str, list[str]],
    forcing: dict[str, list[str]],
    new: dict[str, Any],
) -> None:
    """Carry replacements to the resources that read them, until nothing more changes.

    A replaced resource's computed attributes (id, arn, dns_name...) are unknown until apply, so
    every argument that reads one changes too: a forcing argument replaces the reader, another
    argument updates it in place. `lifecycle.replace_triggered_by` replaces on any change of what
    it names."""
    while True:
        replaced = {a for a in changed if forcing[a]}
        grew = False
        for address in changed:
            body = after[address]
            rule = rule_for(_type(address), new)
            ignored = _ignored(body)
            for path, value in _leaves(body).items():
                if _is_ignored(path, ignored):
                    continue
                for ref in refs_in(value):
                    if ref.address not in replaced or not _computed(ref, after):
                        continue
                    note = f"{path} ({ref.address} replaced)"
                    if note in changed[address]:
                        continue
                    changed[address].append(note)
                    if rule is None or rule.forces(_normal(path)) or _lb_subnet(address, path):
                        forcing[address].append(note)
                    grew = True
            for trigger in _triggers(body):
                target = trigger.split(".")
                target_address = ".".join(target[:2])
                if target_address not in changed or not _trigger_fires(
                    target[2:], changed[target_address], forcing[target_address]
                ):
                    continue
                note = f"lifecycle.replace_triggered_by ({trigger} changed)"
                if note not in forcing[address]:
                    changed[address].append(note)
                    forcing[address].append(note)
                    grew = True
        if not grew:
            return


def _computed(ref: Ref, after: dict[str, dict[str, Any]]) -> bool:
    """True when a replacement leaves the attribute unknown: it is not a literal argument."""
    if ref.attribute is None:
        return True
    value = after.get(ref.address, {}).get(ref.attribute)
    return value is None or (isinstance(value, str) and not is_literal(value))


def _lb_subnet(address: str, path: str) -> bool:
    """A network load balancer cannot tell an unknown subnet list from one losing a subnet."""
    return _type(address) == "aws_lb" and _normal(path) in ("subnets", "subnet_mapping.subnet_id")


def _triggers(body: dict[str, Any]) -> list[str]:
    """`lifecycle.replace_triggered_by` references, `${}` stripped (`aws_x.y` or `aws_x.y.attr`)."""
    items = (body.get("lifecycle") or {}).get("replace_triggered_by") or []
    return [str(i).removeprefix("${").removesuffix("}") for i in items]


def _trigger_fires(attribute: list[str], changed: list[str], forcing: list[str]) -> bool:
    """A whole-resource trigger fires on any change, an attribute trigger when that one does."""
    if not attribute:
        return bool(changed)
    name = attribute[0]
    return bool(forcing) or any(_normal(p).split(".")[0].split(" ")[0] == name for p in changed)
