"""The synthesized stack as a lookup of resources, data sources and variables."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .load import ReviewError, load_stack_json
from .refs import Ref, refs_in


@dataclass(frozen=True)
class Resource:
    """One resource or data source block of the stack."""

    type: str
    name: str
    body: dict[str, Any]
    data: bool = False

    @property
    def address(self) -> str:
        """The Terraform address, as `terraform plan` prints it."""
        prefix = "data." if self.data else ""
        return f"{prefix}{self.type}.{self.name}"

    def get(self, key: str, default: Any = None) -> Any:
        """An argument of the block."""
        return self.body.get(key, default)

    @property
    def cloud_name(self) -> str:
        """The literal `name` (or task `family`) the resource gets in AWS, if it differs."""
        cloud_name = self.body.get("name") or self.body.get("family")
        if isinstance(cloud_name, str) and "${" not in cloud_name and cloud_name != self.name:
            return cloud_name
        return ""


@dataclass
class Stack:
    """All blocks of one synthesized stack, indexed by address."""

    name: str
    source: Path
    resources: dict[str, Resource] = field(default_factory=dict)
    data: dict[str, Resource] = field(default_factory=dict)
    variables: dict[str, dict[str, Any]] = field(default_factory=dict)
    outputs: dict[str, Any] = field(default_factory=dict)
    default_tags: dict[str, Any] = field(default_factory=dict)
    """The AWS provider's default tags (`environment`, ...), empty if it sets none."""
    raw: dict[str, Any] = field(default_factory=dict, repr=False)
    """The parsed cdk.tf.json itself."""
    region: str = ""
    """The first AWS provider block's literal `region`, empty if it sets none."""
    backend: dict[str, Any] = field(default_factory=dict)
    """`terraform.backend` (`{"s3": {...}}`), empty when the stack names none (local state)."""

    def of_type(self, *types: str) -> list[Resource]:
        """Resources of the given types, in address order."""
        return [r for r in self.resources.values() if r.type in types]

    def lookup(self, ref: Ref) -> Resource | None:
        """The block a reference points at, if the stack defines it."""
        if ref.kind == "data":
            return self.data.get(ref.address)
        return self.resources.get(ref.address)

    def referenced(self, value: Any, *types: str) -> Iterator[Resource]:
        """The resources of the given types (any if none) that a value refers to."""
        seen: set[str] = set()
        for ref in refs_in(value):
            target = self.lookup(ref)
            if target and (not types or target.type in types) and target.address not in seen:
                seen.add(target.address)
                yield target

    def first_referenced(self, value: Any, *types: str) -> Resource | None:
        """The first resource of the given types that a value refers to."""
        return next(self.referenced(value, *types), None)

    def is_sensitive_variable(self, name: str) -> bool:
        """True when a variable is declared `sensitive`."""
        return bool(self.variables.get(name, {}).get("sensitive"))


def load_stack(path: Path) -> Stack:
    """Read a cdk.tf.json into a Stack."""
    data = load_stack_json(path)
    metadata = data.get("//", {}).get("metadata", {}) if isinstance(data.get("//"), dict) else {}
    name = metadata.get("stackName") or path.parent.name
    stack = Stack(name=name, source=path, raw=data)
    stack.resources = _blocks(data.get("resource", {}), path, data_sources=False)
    stack.data = _blocks(data.get("data", {}), path, data_sources=True)
    stack.variables = {k: v for k, v in data.get("variable", {}).items() if isinstance(v, dict)}
    stack.outputs = data.get("output", {})
    stack.default_tags = _default_tags(data.get("provider"))
    stack.region = _region(data.get("provider"))
    terraform = data.get("terraform")
    backend = terraform.get("backend") if isinstance(terraform, dict) else None
    stack.backend = backend if isinstance(backend, dict) else {}
    return stack


def _region(providers: Any) -> str:
    """The first AWS provider block's region, when it is a literal."""
    aws = providers.get("aws") if isinstance(providers, dict) else None
    first = aws[0] if isinstance(aws, list) and aws else aws
    region = first.get("region") if isinstance(first, dict) else None
    return region if isinstance(region, str) and "${" not in region else ""


def _default_tags(providers: Any) -> dict[str, Any]:
    """The first AWS provider block's `default_tags.tags`, read leniently."""
    aws = providers.get("aws") if isinstance(providers, dict) else None
    first = aws[0] if isinstance(aws, list) and aws else aws
    tags = first.get("default_tags") if isinstance(first, dict) else None
    tags = tags[0] if isinstance(tags, list) and tags else tags
    found = tags.get("tags") if isinstance(tags, dict) else None
    return found if isinstance(found, dict) else {}


def _blocks(section: Any, path: Path, *, data_sources: bool) -> dict[str, Resource]:
    """Index a `resource` or `data` section by address, sorted for a stable report."""
    if not isinstance(section, dict):
        raise ReviewError(f"{path}: 'resource'/'data' must map types to blocks")
    blocks: dict[str, Resource] = {}
    for type_name in sorted(section):
        by_name = section[type_name]
        if not isinstance(by_name, dict):
            raise ReviewError(f"{path}: {type_name} must map names to blocks")
        for name in sorted(by_name):
            body = by_name[name] if isinstance(by_name[name], dict) else {}
            block = Resource(type_name, name, body, data=data_sources)
            blocks[block.address] = block
    return blocks
