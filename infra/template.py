"""User text inside Terraform JSON, where every string is a template."""

from __future__ import annotations


def literal(text: str) -> str:
    """`text` escaped so Terraform reads it as typed: `${` and `%{` would start a template."""
    return text.replace("${", "$${").replace("%{", "%%{")
