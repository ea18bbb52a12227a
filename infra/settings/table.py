"""docs/settings.md's table, generated from the schema's field docstrings and the profiles."""

import ast
import dataclasses
import inspect
import json
from dataclasses import fields

from infra.settings.profiles import PROFILE_DEFAULTS, PROFILES
from infra.settings.schema import Settings


def markdown_table() -> str:
    """The settings table: name, each profile's default, and each field's docstring."""
    source = ast.parse(inspect.getsource(Settings))
    body = source.body[0].body
    docs = {
        node.target.id: body[i + 1].value.value
        for i, node in enumerate(body[:-1])
        if isinstance(node, ast.AnnAssign) and isinstance(body[i + 1], ast.Expr)
    }
    rows = [
        "| setting | " + " | ".join(PROFILES) + " | meaning |",
        "| --- | " + " | ".join("---" for _ in PROFILES) + " | --- |",
    ]
    for f in fields(Settings):
        if f.name == "environment":
            continue
        default = f.default if f.default is not dataclasses.MISSING else {}
        cells = [
            f"`{f.name}`",
            *(_cell(PROFILE_DEFAULTS[p].get(f.name, default)) for p in PROFILES),
            " ".join(docs[f.name].split()),
        ]
        rows.append("| " + " | ".join(cells) + " |")
    return "\n".join(rows)


def _cell(value: object) -> str:
    return f"`{json.dumps(list(value) if isinstance(value, tuple) else value)}`"
