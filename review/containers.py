"""Read the container definitions of every ECS task definition in the stack."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from .hcl import HclError, parse_jsonencode
from .stack import Resource, Stack


@dataclass(frozen=True)
class Container:
    """One container of a task definition, with what the review needs from it."""

    task_definition: str
    name: str
    environment: list[tuple[str, Any]] = field(default_factory=list)
    secrets: list[tuple[str, str]] = field(default_factory=list)

    @property
    def label(self) -> str:
        """Task definition address and container name, e.g. `aws_ecs_task_definition.web/web`."""
        return f"{self.task_definition}/{self.name}"


@dataclass(frozen=True)
class Unreadable:
    """A task definition whose container definitions the review could not read, and why."""

    task_definition: str
    reason: str


def read_containers(stack: Stack) -> tuple[list[Container], list[Unreadable]]:
    """All containers of the task definitions, and the definitions that could not be read."""
    containers: list[Container] = []
    unreadable: list[Unreadable] = []
    for task_definition in stack.of_type("aws_ecs_task_definition"):
        try:
            definitions = parse_container_definitions(task_definition.get("container_definitions"))
        except ValueError as error:
            unreadable.append(Unreadable(task_definition.address, str(error)))
            continue
        containers.extend(_container(task_definition, d) for d in definitions)
    return containers, unreadable


def parse_container_definitions(value: Any) -> list[dict[str, Any]]:
    """The list of container definitions, from a JSON string or a `${jsonencode(...)}` literal."""
    if isinstance(value, list):
        parsed: Any = value
    elif not isinstance(value, str):
        raise ValueError("container_definitions is missing")
    elif value.lstrip().startswith("${"):
        try:
            parsed = parse_jsonencode(value)
        except HclError as error:
            raise ValueError(
                f"container_definitions is a Terraform expression the review cannot evaluate "
                f"({error}); check it in the plan instead"
            ) from error
    else:
        try:
            parsed = json.loads(value)
        except json.JSONDecodeError as error:
            raise ValueError(f"container_definitions is not valid JSON ({error.msg})") from error
    if not isinstance(parsed, list) or not all(isinstance(d, dict) for d in parsed):
        raise ValueError("container_definitions is not a list of container objects")
    return parsed


def _container(task_definition: Resource, definition: dict[str, Any]) -> Container:
    """Pick the name, environment and secrets out of one container definition."""
    environment = [
        (str(item.get("name", "?")), item.get("value"))
        for item in definition.get("environment") or []
        if isinstance(item, dict)
    ]
    secrets = [
        (str(item.get("name", "?")), str(item.get("valueFrom", "")))
        for item in definition.get("secrets") or []
        if isinstance(item, dict)
    ]
    return Container(
        task_definition=task_definition.address,
        name=str(definition.get("name", "?")),
        environment=environment,
        secrets=secrets,
    )
