"""Assertions over a synthesized stack for your own `Testing.synth` tests.

cdktf's Python matcher `Testing.to_have_resource_with_properties` returns a bare bool and asks
whether *some* resource matches. Policies ask about *every* resource of a type, and a failing
test should name the offenders and what they hold instead:

    from infra.testing import assert_every, assert_none

    stack = json.loads(Testing.synth(VotingStack(Testing.app(), settings)))
    assert_every(stack, "aws_ecs_task_definition", {"requires_compatibilities": ["FARGATE"]})
    assert_none(stack, "aws_vpc_security_group_ingress_rule", {"cidr_ipv4": "0.0.0.0/0"})

Matching follows cdktf's: an expected object matches when each of its keys matches (other keys
are ignored); lists and plain values must be equal.
"""

from __future__ import annotations

import json
from typing import Any


def matches(actual: Any, expected: Any) -> bool:
    """Whether `actual` holds `expected` (objects by their expected keys, the rest exactly)."""
    if isinstance(expected, dict):
        return isinstance(actual, dict) and all(
            key in actual and matches(actual[key], value) for key, value in expected.items()
        )
    if isinstance(expected, list):
        return (
            isinstance(actual, list)
            and len(actual) == len(expected)
            and all(matches(a, e) for a, e in zip(actual, expected, strict=True))
        )
    return actual == expected


def resources(stack: dict | str, type_: str) -> dict[str, dict]:
    """The resources of one type in a synthesized stack (its JSON text or parsed), by name."""
    data = json.loads(stack) if isinstance(stack, str) else stack
    return data.get("resource", {}).get(type_, {})


def assert_every(stack: dict | str, type_: str, expected: dict) -> None:
    """Every `type_` resource holds `expected`; the stack must have at least one.

    Fails listing each resource that does not, with the keys where it differs."""
    found = resources(stack, type_)
    if not found:
        raise AssertionError(f"the stack has no {type_}: nothing to hold {_show(expected)}")
    offenders = {
        name: _differences(props, expected)
        for name, props in found.items()
        if not matches(props, expected)
    }
    if offenders:
        lines = [f"{len(offenders)} of {len(found)} {type_} do not hold {_show(expected)}:"]
        lines += [f"  {type_}.{name}: {diff}" for name, diff in sorted(offenders.items())]
        raise AssertionError("\n".join(lines))


def assert_none(stack: dict | str, type_: str, unwanted: dict) -> None:
    """No `type_` resource holds `unwanted`; fails naming each one that does."""
    offenders = sorted(
        name for name, props in resources(stack, type_).items() if matches(props, unwanted)
    )
    if offenders:
        lines = [f"{len(offenders)} {type_} hold {_show(unwanted)}:"]
        lines += [f"  {type_}.{name}" for name in offenders]
        raise AssertionError("\n".join(lines))


def _differences(actual: dict, expected: dict) -> str:
    """`key: actual (expected: value)` for each expected key the resource does not match."""
    parts = [
        f"{key}: {_show(actual.get(key, '<missing>'))} (expected {_show(value)})"
        for key, value in expected.items()
        if not matches(actual.get(key), value)
    ]
    return "; ".join(parts)


def _show(value: Any) -> str:
    return json.dumps(value, sort_keys=True)
