"""IAM roles: who may assume them, which policies they carry, and what uses them."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from .policies import PolicyUnreadable, Statement, read_policy
from .refs import is_literal
from .stack import Resource, Stack

# AWS managed policies that grant far more than an ECS service needs
_BROAD_POLICY = re.compile(r"(^AdministratorAccess$|^PowerUserAccess$|FullAccess$)")
_POLICY_LINKS = {
    "aws_iam_role_policy",
    "aws_iam_role_policy_attachment",
    "aws_iam_policy_attachment",
}


@dataclass(frozen=True)
class ManagedPolicy:
    """A managed policy attached to a role."""

    label: str
    broad: bool
    attachment: str


@dataclass(frozen=True)
class InlinePolicy:
    """An inline (or customer-managed) policy's statements, or why they could not be read."""

    source: str
    statements: tuple[Statement, ...] = ()
    unreadable: str = ""


@dataclass
class Role:
    """One IAM role and everything that decides what it can do."""

    resource: Resource
    trusted_by: list[str] = field(default_factory=list)
    trust_unreadable: str = ""
    managed: list[ManagedPolicy] = field(default_factory=list)
    inline: list[InlinePolicy] = field(default_factory=list)
    used_by: list[str] = field(default_factory=list)

    @property
    def broad_actions(self) -> list[str]:
        """Allowed actions that cover a whole service or everything (`*`, `s3:*`, NotAction)."""
        broad = []
        for policy in self.inline:
            for statement in policy.statements:
                if statement.effect != "Allow":
                    continue
                if statement.negated_actions:
                    broad.append("NotAction " + ", ".join(statement.actions))
                    continue
                broad += [a for a in statement.actions if a == "*" or a.endswith(":*")]
        return broad


def read_roles(stack: Stack) -> list[Role]:
    """Every aws_iam_role with its trust, policies and users."""
    return [_role(stack, resource) for resource in stack.of_type("aws_iam_role")]


def _role(stack: Stack, resource: Resource) -> Role:
    """Gather what one role may do and who may become it."""
    role = Role(resource)
    try:
        trust = read_policy(stack, resource.get("assume_role_policy"))
        role.trusted_by = sorted({p for s in trust if s.effect == "Allow" for p in s.principals})
    except PolicyUnreadable as error:
        role.trust_unreadable = str(error)
    for arn in resource.get("managed_policy_arns") or []:
        role.managed.append(_managed(stack, arn, f"{resource.address}.managed_policy_arns"))
    for block in resource.get("inline_policy") or []:
        if isinstance(block, dict) and block.get("policy"):
            role.inline.append(_inline(stack, block["policy"], f"{resource.address}.inline_policy"))
    for link in stack.of_type(*_POLICY_LINKS):
        if not _names_role(stack, link, resource):
            continue
        if link.type == "aws_iam_role_policy":
            role.inline.append(_inline(stack, link.get("policy"), link.address))
        else:
            role.managed.append(_managed(stack, link.get("policy_arn"), link.address))
            # a customer-managed policy from this stack is read like an inline one
            policy = stack.first_referenced(link.get("policy_arn"), "aws_iam_policy")
            if policy is not None:
                role.inline.append(_inline(stack, policy.get("policy"), policy.address))
    role.used_by = _users(stack, resource)
    return role


def _names_role(stack: Stack, link: Resource, role: Resource) -> bool:
    """True when an attachment or inline policy targets this role, by reference or by name."""
    target = link.get("role") if "role" in link.body else link.get("roles")
    if stack.first_referenced(target, "aws_iam_role") == role:
        return True
    names = target if isinstance(target, list) else [target]
    return is_literal(role.get("name")) and role.get("name") in names


def _managed(stack: Stack, arn: Any, attachment: str) -> ManagedPolicy:
    """Label a managed policy ARN; a customer policy from the stack shows its statements' source."""
    policy = stack.first_referenced(arn, "aws_iam_policy")
    if policy is not None:
        return ManagedPolicy(policy.address, False, attachment)
    name = str(arn).rsplit("/", 1)[-1]
    return ManagedPolicy(name, bool(_BROAD_POLICY.search(name)), attachment)


def _inline(stack: Stack, policy: Any, source: str) -> InlinePolicy:
    """Read one inline policy, keeping the reason when it cannot be read."""
    try:
        return InlinePolicy(source, tuple(read_policy(stack, policy)))
    except PolicyUnreadable as error:
        return InlinePolicy(source, unreadable=str(error))


def _users(stack: Stack, role: Resource) -> list[str]:
    """`address.argument` of every resource that hands this role to a service or task."""
    users = []
    for resource in stack.resources.values():
        if resource.type in _POLICY_LINKS or resource == role:
            continue
        for key, value in resource.body.items():
            if key != "//" and role in stack.referenced(value, "aws_iam_role"):
                users.append(f"{resource.address}.{key}")
    return users
