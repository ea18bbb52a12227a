"""Read the literal HCL that cdktf writes inside `${jsonencode(...)}` back into Python values."""

from __future__ import annotations

import json
import re
from typing import Any


class HclError(ValueError):
    """The expression uses HCL this reader does not evaluate (functions, operators, loops)."""


_NUMBER = re.compile(r"-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?")
_IDENTIFIER = re.compile(r"[A-Za-z_][\w-]*")
_TRAVERSAL = re.compile(r"[A-Za-z_][\w-]*(?:\.[A-Za-z_][\w-]*|\[\d+\])*")


def parse_jsonencode(text: str) -> Any:
    """Parse `${jsonencode(<literal>)}`; references become `${type.name.attr}` strings."""
    stripped = text.strip()
    prefix, suffix = "${jsonencode(", ")}"
    if not (stripped.startswith(prefix) and stripped.endswith(suffix)):
        raise HclError("not a single jsonencode(...) expression")
    return parse_literal(stripped[len(prefix) : -len(suffix)])


def parse_literal(text: str) -> Any:
    """Parse one HCL literal (objects, tuples, strings, numbers, booleans, references)."""
    reader = _Reader(text)
    value = reader.value()
    reader.skip_space()
    if reader.pos != len(text):
        raise HclError(f"unexpected {text[reader.pos : reader.pos + 20]!r}")
    return value


class _Reader:
    """A cursor over HCL text; each method consumes one construct."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0

    def skip_space(self) -> None:
        """Skip blanks, newlines and commas, which separate items the same way in HCL."""
        while self.pos < len(self.text) and self.text[self.pos] in " \t\r\n,":
            self.pos += 1

    def peek(self) -> str:
        """The next significant character, or an empty string at the end."""
        self.skip_space()
        return self.text[self.pos] if self.pos < len(self.text) else ""

    def value(self) -> Any:
        """Consume one value of any kind."""
        char = self.peek()
        if char == "{":
            return self.object()
        if char == "[":
            return self.tuple()
        if char == '"':
            return self.string()
        number = _NUMBER.match(self.text, self.pos)
        if number:
            self.pos = number.end()
            return json.loads(number.group())
        return self.keyword_or_reference()

    def object(self) -> dict[str, Any]:
        """Consume `{ key = value, ... }` (HCL also accepts `:`)."""
        self.pos += 1
        result: dict[str, Any] = {}
        while self.peek() != "}":
            if not self.peek():
                raise HclError("unterminated object")
            key = self.string() if self.peek() == '"' else self.identifier()
            if self.peek() not in ("=", ":"):
                raise HclError(f"expected '=' after key {key!r}")
            self.pos += 1
            result[key] = self.value()
        self.pos += 1
        return result

    def tuple(self) -> list[Any]:
        """Consume `[ value, ... ]`."""
        self.pos += 1
        result: list[Any] = []
        while self.peek() != "]":
            if not self.peek():
                raise HclError("unterminated list")
            result.append(self.value())
        self.pos += 1
        return result

    def string(self) -> str:
        """Consume a quoted string; template interpolations inside stay as written."""
        end = self.pos + 1
        while end < len(self.text) and self.text[end] != '"':
            end += 2 if self.text[end] == "\\" else 1
        if end >= len(self.text):
            raise HclError("unterminated string")
        raw = self.text[self.pos : end + 1]
        self.pos = end + 1
        try:
            return json.loads(raw)
        except json.JSONDecodeError as error:
            raise HclError(f"unreadable string {raw[:30]!r}") from error

    def identifier(self) -> str:
        """Consume a bare object key."""
        match = _IDENTIFIER.match(self.text, self.pos)
        if not match:
            raise HclError(f"unexpected {self.text[self.pos : self.pos + 20]!r}")
        self.pos = match.end()
        return match.group()

    def keyword_or_reference(self) -> Any:
        """Consume true/false/null or a reference such as `aws_lb.web.dns_name`."""
        match = _TRAVERSAL.match(self.text, self.pos)
        if not match:
            raise HclError(f"unexpected {self.text[self.pos : self.pos + 20]!r}")
        word = match.group()
        self.pos = match.end()
        if self.peek() == "(":
            raise HclError(f"function call {word}(...) is evaluated only by Terraform")
        keywords = {"true": True, "false": False, "null": None}
        if word in keywords:
            return keywords[word]
        if "." not in word:
            raise HclError(f"unexpected word {word!r}")
        return "${" + word + "}"
