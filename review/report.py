"""Run every analysis on a stack (and plan) and collect what a reviewer must look at."""

from __future__ import annotations

from dataclasses import dataclass

from .changes import ResourceChange, resource_changes
from .concerns import by_concern
from .containers import read_containers
from .cost import Cost, estimate_cost
from .domain import Domain, read_domain
from .exposure import Exposure, analyse_exposure
from .identity import Role, read_roles
from .impact import Impact, impacts
from .operations import Operations, analyse_operations, operations_findings
from .plan import Plan
from .secrets import Secrets, analyse_secrets
from .sizing import Sizing, read_sizing
from .stack import Resource, Stack
from .topology import Graph, build_graph


@dataclass
class StackReview:
    """The analyses of one synthesized stack and the findings drawn from them."""

    stack: Stack
    groups: dict[str, list[Resource]]
    exposure: Exposure
    roles: list[Role]
    secrets: Secrets
    operations: Operations
    graph: Graph
    findings: list[str]
    sizing: Sizing
    cost: Cost
    domain: Domain


@dataclass
class ChangeReview:
    """What applying a stack over an older version of it does, and what that costs."""

    old: str
    """How the older stack was named on the command line."""
    changes: list[ResourceChange]
    impacts: list[Impact]
    old_cost: Cost
    new_cost: Cost


def review_change(old: str, old_stack: Stack, new_stack: Stack) -> ChangeReview:
    """Classify every resource of the change, weigh each one, and price both stacks."""
    changes = resource_changes(old_stack.raw, new_stack.raw)
    return ChangeReview(
        old=old,
        changes=changes,
        impacts=impacts(changes),
        old_cost=estimate_cost(old_stack, read_sizing(old_stack)),
        new_cost=estimate_cost(new_stack, read_sizing(new_stack)),
    )


def review_stack(stack: Stack) -> StackReview:
    """Analyse a stack."""
    containers, unreadable = read_containers(stack)
    exposure = analyse_exposure(stack)
    roles = read_roles(stack)
    secrets = analyse_secrets(stack, containers, unreadable)
    operations = analyse_operations(stack)
    sizing = read_sizing(stack)
    return StackReview(
        stack=stack,
        groups=by_concern(stack),
        exposure=exposure,
        roles=roles,
        secrets=secrets,
        operations=operations,
        graph=build_graph(stack, exposure, containers, secrets),
        findings=_exposure_findings(exposure)
        + _identity_findings(roles)
        + _secret_findings(secrets)
        + operations_findings(stack, operations),
        sizing=sizing,
        cost=estimate_cost(stack, sizing),
        domain=read_domain(stack),
    )


def _exposure_findings(exposure: Exposure) -> list[str]:
    """Internet exposure beyond the public listeners."""
    findings = [
        f"`{o.rule.security_group}` admits {o.rule.traffic} from "
        f"{o.rule.source}: {o.note} (`{o.rule.address}`)"
        for o in exposure.open_rules
        if not o.expected
    ]
    findings += [
        f"`{t.service}` gives its tasks public IP addresses" for t in exposure.public_tasks
    ]
    findings += [
        f"`{lb.resource.address}`: {lb.scheme_note}"
        for lb in exposure.load_balancers
        if lb.scheme_note
    ]
    findings += [
        f"`{r.security_group}` sends all traffic to {r.source}: egress is not limited "
        f"(`{r.address}`)"
        for r in exposure.egress
        if r.world and r.protocol == "all"
    ]
    return findings


def _identity_findings(roles: list[Role]) -> list[str]:
    """Broad policies, open trust, and policies the review could not read."""
    findings = []
    for role in roles:
        address = role.resource.address
        findings += [
            f"`{address}` has the broad managed policy {m.label} attached (`{m.attachment}`)"
            for m in role.managed
            if m.broad
        ]
        if role.broad_actions:
            findings.append(f"`{address}` allows broad actions: {', '.join(role.broad_actions)}")
        anyone = [p for p in role.trusted_by if p.endswith(": *")]
        if anyone:
            findings.append(f"`{address}` can be assumed by anyone ({', '.join(anyone)})")
        if role.trust_unreadable:
            findings.append(f"`{address}` trust policy not checked: {role.trust_unreadable}")
        findings += [
            f"`{p.source}` not checked: {p.unreadable}" for p in role.inline if p.unreadable
        ]
    return findings


def _secret_findings(secrets: Secrets) -> list[str]:
    """Plain-text credentials, badly stored secrets, and containers the review could not read."""
    findings = [f"`{p.container}` environment `{p.name}`: {p.reason}" for p in secrets.plaintext]
    findings += [f"`{s.address}`: {s.problem}" for s in secrets.stores if s.problem]
    findings += list(secrets.problems)
    return findings


def plan_notes(plan: Plan, stack: Stack | None) -> list[str]:
    """Warn when a plan changes resources the reviewed stack does not define."""
    if stack is None:
        return []
    foreign = [
        c.address
        for c in plan.changes
        if c.managed
        and c.action in ("create", "update", "replace")
        and c.address not in stack.resources
    ]
    if not foreign:
        return []
    shown = ", ".join(f"`{a}`" for a in foreign[:5]) + (" …" if len(foreign) > 5 else "")
    return [
        f"the plan changes {len(foreign)} resource(s) this stack does not define ({shown}): "
        "is it the plan of another stack?"
    ]
