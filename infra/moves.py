"""Renames that keep state: `moved` blocks, so a new logical id is not a new resource."""

from __future__ import annotations

from weakref import WeakKeyDictionary

from infra.providers import TerraformResource, TerraformStack

_MOVES: WeakKeyDictionary[TerraformStack, list[dict[str, str]]] = WeakKeyDictionary()


def renamed(resource: TerraformResource, old_id: str) -> None:
    """Tell Terraform that `resource` was called `old_id` in earlier versions of the stack.

    A logical id is part of the state address: without this Terraform would destroy the old
    resource and create the new one. With no resource at the old address in the state the
    block does nothing.
    """
    stack = TerraformStack.of(resource)
    kind = resource.terraform_resource_type
    moves = _MOVES.setdefault(stack, [])
    moves.append({"from": f"{kind}.{old_id}", "to": f"{kind}.{resource.friendly_unique_id}"})
    stack.add_override("moved", list(moves))
