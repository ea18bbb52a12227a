"""Find Terraform references such as `${aws_lb.web.arn}` inside synthesized values."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

_REFERENCE = re.compile(
    r"(?<![\w.\"])(?:(data|ephemeral)\.)?([a-z][a-z0-9_]*)\.([A-Za-z_][\w-]*)(?:\[[^\]]*\])?(?:\.(\w+))?"
)
_NOT_RESOURCES = {"var", "local", "module", "path", "terraform", "each", "count", "self"}


@dataclass(frozen=True)
class Ref:
    """One reference: a resource, data source, ephemeral resource or variable, and the
    attribute read from it."""

    kind: str  # "resource", "data", "ephemeral" or "var"
    type: str  # resource type; "var" for variables
    name: str
    attribute: str | None = None

    @property
    def address(self) -> str:
        """The Terraform address of the referenced object (`aws_lb.web`, `data.x.y`, `var.z`)."""
        if self.kind in ("data", "ephemeral"):
            return f"{self.kind}.{self.type}.{self.name}"
        return f"{self.type}.{self.name}"


def is_literal(value: Any) -> bool:
    """True when a string holds no interpolation, so its value is fixed in the JSON."""
    return isinstance(value, str) and "${" not in value


def refs_in(value: Any) -> Iterator[Ref]:
    """Yield every reference found in a value, walking lists and objects."""
    if isinstance(value, str):
        for expression in interpolations(value):
            yield from _refs_in_expression(expression)
    elif isinstance(value, dict):
        for item in value.values():
            yield from refs_in(item)
    elif isinstance(value, list):
        for item in value:
            yield from refs_in(item)


def interpolations(text: str) -> Iterator[str]:
    """Yield the expression inside each `${...}` of a string, braces and quotes balanced."""
    # one string may hold several interpolations (`${aws_lb.web.dns_name}:${var.port}`) or a
    # whole expression with nested braces (`${jsonencode({a = [{b = 1}]})}`), so count braces
    start = text.find("${")
    while start != -1:
        depth, index, quoted = 0, start + 1, False
        while index < len(text):
            char = text[index]
            if quoted:
                if char == "\\":
                    index += 1
                elif char == '"':
                    quoted = False
            elif char == '"':
                quoted = True
            elif char == "{":
                depth += 1
            elif char == "}":
                depth -= 1
                if depth == 0:
                    break
            index += 1
        yield text[start + 2 : index]
        start = text.find("${", index)


def _refs_in_expression(expression: str) -> Iterator[Ref]:
    """Yield the references in one interpolated expression, ignoring quoted strings."""
    unquoted = re.sub(r'"(?:[^"\\]|\\.)*"', '""', expression)
    for match in _REFERENCE.finditer(unquoted):
        mode, first, second, attribute = match.groups()
        if mode:
            yield Ref(mode, first, second, attribute)
        elif first == "var":
            yield Ref("var", "var", second)
        elif first not in _NOT_RESOURCES and "_" in first:
            yield Ref("resource", first, second, attribute)
