"""Assertion helpers over synthesized stacks that say what the stack has when they fail."""

from __future__ import annotations

import json
from dataclasses import dataclass

from infra.testing import assert_none, matches


@dataclass(frozen=True)
class Synth:
    """A synthesized stack: the JSON text cdktf produced and its parsed form."""

    text: str
    data: dict

    def resources(self, type_: str) -> dict[str, dict]:
        """The resources of one type by logical name (empty if none)."""
        return self.data.get("resource", {}).get(type_, {})

    def resource(self, type_: str, name: str) -> dict:
        """One resource; fails listing the names the stack has for that type."""
        found = self.resources(type_)
        assert name in found, f"no {type_}.{name}; the stack has {sorted(found) or 'none'}"
        return found[name]

    def data_sources(self, type_: str) -> dict[str, dict]:
        return self.data.get("data", {}).get(type_, {})

    def containers(self, task_name: str) -> list[dict]:
        """The container definitions of a task definition, parsed from their JSON string."""
        return json.loads(
            self.resource("aws_ecs_task_definition", task_name)["container_definitions"]
        )


def _closeness(actual: dict, expected: dict) -> int:
    return sum(
        1 for key, value in expected.items() if key in actual and matches(actual[key], value)
    )


def assert_resource(synth: Synth, type_: str, expected: dict) -> None:
    """Assert some `type_` resource has `expected`; else show the closest one the stack has.

    cdktf's `Testing.to_have_resource_with_properties` decides (it returns a bare bool in
    Python); this helper adds the explanation.
    """
    from toolchain.providers import Testing as CdkTesting

    if CdkTesting.to_have_resource_with_properties(synth.text, type_, expected):
        return
    candidates = synth.resources(type_)
    if not candidates:
        raise AssertionError(f"the stack has no {type_} at all")
    name, closest = max(candidates.items(), key=lambda item: _closeness(item[1], expected))
    differing = {
        key: closest.get(key, "<missing>")
        for key, value in expected.items()
        if not matches(closest.get(key), value)
    }
    raise AssertionError(
        f"no {type_} has {json.dumps(expected, sort_keys=True)}\n"
        f"closest is {type_}.{name}, which differs in: {json.dumps(differing, sort_keys=True)}"
    )


def assert_no_resource(synth: Synth, type_: str, expected: dict) -> None:
    """Assert no `type_` resource has `expected`; name the ones that do."""
    assert_none(synth.data, type_, expected)
