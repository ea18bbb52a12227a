"""Where secrets are stored, which containers read them, and credentials left in plain text."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from .containers import Container, Unreadable
from .refs import is_literal, refs_in
from .stack import Resource, Stack

SECRET_NAME = re.compile(
    r"PASSWORD|PASSWD|PASSPHRASE|(^|_)PASS($|_)|PWD|SECRET|TOKEN|CREDENTIAL|API_?KEY"
    r"|ACCESS_KEY|PRIVATE_KEY|(^|_)KEY($|_)|(^|_)AUTH($|_)",
    re.IGNORECASE,
)
# attributes that hold a secret's value, so copying them into plain environment leaks it
_SECRET_VALUES = {
    ("aws_ssm_parameter", "value"),
    ("aws_secretsmanager_secret_version", "secret_string"),
    ("random_password", "result"),
}
_STORE_TYPES = ("aws_ssm_parameter", "aws_secretsmanager_secret")


@dataclass(frozen=True)
class Reader:
    """A container that receives a secret through ECS `secrets`, and the variable it sees."""

    container: str
    env_name: str


@dataclass
class SecretStore:
    """One place a secret lives, how its value gets there, and who reads it."""

    address: str
    kind: str
    value_source: str
    cloud_name: str = ""
    problem: str = ""
    readers: list[Reader] = field(default_factory=list)


@dataclass(frozen=True)
class Plaintext:
    """A credential visible in a container's plain environment."""

    container: str
    name: str
    reason: str


@dataclass
class Secrets:
    """The secret flow of the stack."""

    stores: list[SecretStore]
    sensitive_variables: dict[str, list[str]]
    plaintext: list[Plaintext]
    problems: list[str]


def analyse_secrets(
    stack: Stack, containers: list[Container], unreadable: list[Unreadable]
) -> Secrets:
    """Follow secrets from variables to stores to containers, and flag plain-text ones."""
    stores = {store.address: store for store in _stores(stack, containers)}
    problems = [f"{u.task_definition}: {u.reason}" for u in unreadable]
    for container in containers:
        for env_name, value_from in container.secrets:
            store = _store_for(stack, stores, value_from)
            if store is None:
                store = stores.setdefault(
                    value_from, SecretStore(value_from, "outside this stack", "not managed here")
                )
            store.readers.append(Reader(container.label, env_name))
    for name, variable in stack.variables.items():
        if SECRET_NAME.search(name) and not variable.get("sensitive"):
            problems.append(f"var.{name} looks like a secret but is not declared sensitive")
    return Secrets(
        stores=list(stores.values()),
        sensitive_variables=_sensitive_variables(stack),
        plaintext=[p for c in containers for p in _plaintext(stack, c)],
        problems=problems,
    )


def _stores(stack: Stack, containers: list[Container]) -> list[SecretStore]:
    """SecureString parameters, Secrets Manager secrets, and any parameter a container reads."""
    read = {
        target.address
        for container in containers
        for _, value_from in container.secrets
        for target in stack.referenced(value_from, *_STORE_TYPES)
    }
    stores = []
    for parameter in stack.of_type("aws_ssm_parameter"):
        secure = parameter.get("type") == "SecureString"
        looks_secret = bool(SECRET_NAME.search(f"{parameter.name} {parameter.get('name', '')}"))
        if secure or looks_secret or parameter.address in read:
            stores.append(_parameter_store(stack, parameter, secure))
    for secret in stack.of_type("aws_secretsmanager_secret"):
        versions = [
            v
            for v in stack.of_type("aws_secretsmanager_secret_version")
            if stack.first_referenced(v.get("secret_id")) == secret
        ]
        source, problem = (
            _value_source(stack, versions[0], "secret_string")
            if versions
            else (
                "value set outside Terraform",
                "",
            )
        )
        stores.append(
            SecretStore(
                secret.address,
                "Secrets Manager",
                source,
                cloud_name=secret.cloud_name,
                problem=problem,
            )
        )
    return stores


def _parameter_store(stack: Stack, parameter: Resource, secure: bool) -> SecretStore:
    """Describe an SSM parameter holding a secret."""
    source, problem = _value_source(stack, parameter, "value")
    if not secure and not problem:
        problem = "secret in a plain String parameter (not encrypted); use SecureString"
    kind = "SSM SecureString" if secure else f"SSM {parameter.get('type', 'String')}"
    return SecretStore(
        parameter.address, kind, source, cloud_name=parameter.cloud_name, problem=problem
    )


def _value_source(stack: Stack, resource: Resource, key: str) -> tuple[str, str]:
    """How a store gets its value (write-only, from a variable, literal) and any problem."""
    write_only, insecure = resource.get(f"{key}_wo"), resource.get(f"insecure_{key}")
    if write_only is not None:
        if is_literal(write_only):
            return f"write-only `{key}_wo`", f"literal `{key}_wo` written in the stack JSON"
        return f"write-only `{key}_wo` from {_origin(write_only)}: never in state", ""
    value = resource.get(key, insecure)
    if value is None:
        return "value set outside Terraform", ""
    if is_literal(value):
        return f"literal `{key}`", "secret written in plain text in the stack JSON and state"
    return f"`{key}` from {_origin(value)}: kept in Terraform state", ""


def _origin(value: Any) -> str:
    """Name what a value is computed from (`var.redis_password`, `random_password.x`)."""
    return ", ".join(sorted({ref.address for ref in refs_in(value)})) or "an expression"


def _store_for(stack: Stack, stores: dict[str, SecretStore], value_from: str) -> SecretStore | None:
    """The store a container secret's valueFrom points at, by reference or by literal ARN."""
    target = stack.first_referenced(value_from, *_STORE_TYPES, "aws_secretsmanager_secret_version")
    if target is not None and target.type == "aws_secretsmanager_secret_version":
        target = stack.first_referenced(target.get("secret_id"), "aws_secretsmanager_secret")
    if target is not None:
        return stores.get(target.address)
    if is_literal(value_from):
        for parameter in stack.of_type("aws_ssm_parameter"):
            name = str(parameter.get("name", "")).lstrip("/")
            if name and value_from.endswith(f":parameter/{name}"):
                return stores.get(parameter.address)
    return None


def _sensitive_variables(stack: Stack) -> dict[str, list[str]]:
    """Each sensitive variable and the `address.argument`s it flows into."""
    flows: dict[str, list[str]] = {
        name: [] for name, v in stack.variables.items() if v.get("sensitive")
    }
    for resource in stack.resources.values():
        for key, value in resource.body.items():
            for ref in refs_in(value):
                if ref.kind == "var" and ref.name in flows:
                    flows[ref.name].append(f"{resource.address}.{key}")
    return flows


def _plaintext(stack: Stack, container: Container) -> list[Plaintext]:
    """Environment entries that hold a credential instead of going through `secrets`."""
    found = []
    for name, value in container.environment:
        if value is None or value == "":
            continue
        leaked = [
            ref.address
            for ref in refs_in(value)
            if (ref.kind == "var" and stack.is_sensitive_variable(ref.name))
            or (ref.type, ref.attribute) in _SECRET_VALUES
        ]
        if leaked:
            reason = f"secret value of {', '.join(leaked)} copied into the plain environment"
            found.append(Plaintext(container.label, name, reason))
        elif SECRET_NAME.search(name) and (not isinstance(value, str) or is_literal(value)):
            found.append(Plaintext(container.label, name, "literal credential in environment"))
    return found
