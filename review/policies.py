"""Read IAM policy documents, whether JSON strings, jsonencode literals or policy-document data."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from .hcl import HclError, parse_jsonencode
from .stack import Resource, Stack

_DOCUMENT_TYPE = "aws_iam_policy_document"


@dataclass(frozen=True)
class Statement:
    """One policy statement, flattened to lists of strings."""

    effect: str
    actions: tuple[str, ...]
    resources: tuple[str, ...]
    principals: tuple[str, ...]
    negated_actions: bool = False


class PolicyUnreadable(ValueError):
    """A policy written in a way the review cannot read without Terraform."""


def read_policy(stack: Stack, value: Any) -> list[Statement]:
    """The statements of a policy argument, however it is written."""
    if isinstance(value, dict):
        return _json_statements(value)
    if not isinstance(value, str):
        raise PolicyUnreadable("no policy document")
    stripped = value.strip()
    document = _document_data(stack, stripped)
    if document is not None:
        return document_statements(stack, document)
    if stripped.startswith("${jsonencode("):
        try:
            return _json_statements(parse_jsonencode(stripped))
        except HclError as error:
            raise PolicyUnreadable(f"policy is a Terraform expression ({error})") from error
    if stripped.startswith("${"):
        raise PolicyUnreadable(f"policy comes from {stripped}, evaluated only by Terraform")
    try:
        return _json_statements(json.loads(stripped))
    except json.JSONDecodeError as error:
        raise PolicyUnreadable(f"policy is not valid JSON ({error.msg})") from error


def _document_data(stack: Stack, text: str) -> Resource | None:
    """The aws_iam_policy_document data source a `${data.….json}` string points at."""
    prefix = f"${{data.{_DOCUMENT_TYPE}."
    if text.startswith(prefix) and text.endswith(".json}"):
        name = text[len(prefix) : -len(".json}")]
        return stack.data.get(f"data.{_DOCUMENT_TYPE}.{name}")
    return None


def document_statements(stack: Stack, document: Resource) -> list[Statement]:
    """Statements of a policy-document data source, including the documents it merges."""
    statements: list[Statement] = []
    for key in ("source_policy_documents", "override_policy_documents"):
        for source in _as_list(document.get(key)):
            statements += read_policy(stack, source)
    for block in _as_list(document.get("statement")):
        if not isinstance(block, dict):
            continue
        principals = [
            f"{p.get('type', '?')}: {identifier}"
            for p in _as_list(block.get("principals"))
            if isinstance(p, dict)
            for identifier in _as_list(p.get("identifiers"))
        ]
        negated = not block.get("actions") and bool(block.get("not_actions"))
        statements.append(
            Statement(
                effect=str(block.get("effect", "Allow")),
                actions=_strings(block.get("not_actions") if negated else block.get("actions")),
                resources=_strings(block.get("resources")),
                principals=tuple(principals),
                negated_actions=negated,
            )
        )
    return statements


def _json_statements(document: Any) -> list[Statement]:
    """Statements of an IAM JSON policy (`Statement` may be one object or a list)."""
    if not isinstance(document, dict):
        raise PolicyUnreadable("policy is not a JSON object")
    statements = []
    for block in _as_list(document.get("Statement")):
        if not isinstance(block, dict):
            continue
        negated = "Action" not in block and "NotAction" in block
        statements.append(
            Statement(
                effect=str(block.get("Effect", "Allow")),
                actions=_strings(block.get("NotAction") if negated else block.get("Action")),
                resources=_strings(block.get("Resource")),
                principals=_json_principals(block.get("Principal")),
                negated_actions=negated,
            )
        )
    return statements


def _json_principals(principal: Any) -> tuple[str, ...]:
    """`"*"` or `{"Service": "ecs-tasks.amazonaws.com"}` → `("Service: ecs-tasks…",)`."""
    if principal is None:
        return ()
    if not isinstance(principal, dict):
        return (f"Anyone: {principal}",) if principal == "*" else (str(principal),)
    return tuple(
        f"{kind}: {identifier}"
        for kind, identifiers in principal.items()
        for identifier in _as_list(identifiers)
    )


def _strings(value: Any) -> tuple[str, ...]:
    """A string or a list of strings as a tuple."""
    return tuple(str(item) for item in _as_list(value))


def _as_list(value: Any) -> list[Any]:
    """IAM allows one value or a list wherever a list is expected."""
    if value is None:
        return []
    return value if isinstance(value, list) else [value]
