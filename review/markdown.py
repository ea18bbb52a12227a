"""Render a review as Markdown."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

from .cost import Cost
from .diagram import to_mermaid
from .exposure import Exposure, LoadBalancer, Rule
from .identity import Role
from .impact import Impact
from .plan import ORDER, Plan, summary_line
from .prices import HOURS_PER_MONTH, SOURCES
from .report import ChangeReview, StackReview
from .sizing import Sizing
from .stack import Resource, Stack
from .topology import services_behind

_REFERENCE = re.compile(r"\$\{((?:data\.)?[a-z][\w]*\.[\w-]+)(?:\[[^\]]*\])?(?:\.\w+)?\}")
_ACTION_TITLES = {
    "replace": "replace",
    "destroy": "destroy",
    "create": "create",
    "update": "update in place",
    "forget": "forget (leave in AWS)",
    "read": "read (data source)",
}


# Data sources that only fill in the account's partition, region and id, as in ARNs built with
# `arn:${data.aws_partition.p.partition}:logs:...`: shown as the placeholder AWS documents use.
_ACCOUNT_PARTS = re.compile(
    r"\$\{data\.(aws_partition|aws_region|aws_caller_identity)\.[\w-]+\.\w+\}"
)
_PLACEHOLDERS = {
    "aws_partition": "{partition}",
    "aws_region": "{region}",
    "aws_caller_identity": "{account_id}",
}


def pretty(text: object) -> str:
    """Shorten `${aws_lb.web.arn}` to `aws_lb.web` so cells read as addresses, and ARNs built
    from the partition, region and account data sources to `arn:{partition}:logs:{region}:...`."""
    readable = _ACCOUNT_PARTS.sub(lambda m: _PLACEHOLDERS[m.group(1)], str(text))
    return _REFERENCE.sub(r"\1", readable)


def named(resource: Resource) -> str:
    """`aws_lb.web` (voting-app-dev-web): the address, then the AWS name when it differs."""
    return f"`{resource.address}`" + (f" ({resource.cloud_name})" if resource.cloud_name else "")


def plural(count: int, noun: str) -> str:
    """`1 variable`, `2 variables`."""
    return f"{count} {noun}{'' if count == 1 else 's'}"


def cell(items: Iterable[str] | str, empty: str = "—") -> str:
    """A table cell: items joined by line breaks, pipes escaped."""
    values = [items] if isinstance(items, str) else list(items)
    text = "<br>".join(v for v in values if v) or empty
    return text.replace("|", "\\|").replace("\n", " ")


def table(header: list[str], rows: list[list[str]]) -> list[str]:
    """Markdown table lines."""
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    return lines + ["| " + " | ".join(row) + " |" for row in rows]


def render(
    review: StackReview | None,
    plan: Plan | None,
    notes: list[str],
    change: ChangeReview | None = None,
) -> str:
    """The whole report: what a change against an older stack costs, findings, then plan changes,
    resources, exposure, identity, secrets."""
    lines: list[str] = []
    if review is not None:
        lines += _heading(review.stack)
    else:
        lines += ["# Plan review", ""]
    if change is not None:
        lines += _against(change)
    if plan is not None:
        lines += ["```text", summary_line(plan), "```", ""]
    if review is not None:
        lines += _findings(review.findings + notes)
    elif notes:
        lines += _findings(notes)
    if plan is not None:
        lines += _changes(plan)
    if review is not None:
        lines += _sizing(review.sizing)
        lines += _cost(review.cost)
        lines += _domain(review)
        lines += _concerns(review.groups)
        lines += _exposure(review)
        lines += _identity(review.roles)
        lines += _secrets(review)
        lines += _operations(review)
        lines += _diagram(review)
    return "\n".join(lines).rstrip() + "\n"


def _heading(stack: Stack) -> list[str]:
    """Title and the size of the stack."""
    sensitive = sum(1 for v in stack.variables.values() if v.get("sensitive"))
    return [
        f"# Review of stack `{stack.name}`",
        "",
        f"`{stack.source}`: {plural(len(stack.resources), 'resource')}, "
        f"{plural(len(stack.data), 'data source')}, {plural(len(stack.variables), 'variable')} "
        f"({sensitive} sensitive), {plural(len(stack.outputs), 'output')}.",
        "",
    ]


_ACTION_WORDS = {"replace": "replaced", "destroy": "destroyed", "update": "updated"}


def _against(change: ChangeReview) -> list[str]:
    """What applying this stack over the older one replaces, and what that costs."""
    counts = Counter(c.action for c in change.changes)
    summary = ", ".join(
        f"{counts[a]} to {a}" for a in ("create", "update", "replace", "destroy") if counts[a]
    )
    lines = [
        f"## Change against `{change.old}`",
        "",
        f"{summary or 'No change'}, {counts['unchanged']} unchanged. Worked out offline from "
        "the two synthesized stacks and the provider's replacement-forcing arguments "
        "(`review/replacement.py`); `terraform plan` has the last word.",
        "",
        "### What this change costs",
        "",
        _cost_delta(change.old_cost, change.new_cost),
        "",
    ]
    loud = [i for i in change.impacts if i.loud]
    if loud:
        lines += [_loud_line(i) for i in loud]
    else:
        lines.append("No data loss and no outage: nothing stateful or networking is replaced.")
    lines.append("")
    rows = [
        [
            _ACTION_TITLES.get(i.change.action, i.change.action),
            f"`{i.change.address}`",
            cell(i.change.forcing or i.change.changed),
            ("⚠ " if i.loud else "") + f"{i.severity}: {i.note}",
        ]
        for i in change.impacts
    ]
    if rows:
        lines += ["### Every change", ""]
        header = ["Action", "Resource", "Forced by (replace) / differs (update)", "Impact"]
        lines += table(header, rows) + [""]
    return lines


def _cost_delta(old: Cost, new: Cost) -> str:
    """`Monthly cost: $113.27 → $217.38 (+$104.11, list prices ...)`."""
    if old.unpriced or new.unpriced:
        missing = "; ".join(old.unpriced + new.unpriced)
        partial = f" (not priced: {missing})"
    else:
        partial = ""
    delta = new.total - old.total
    return (
        f"Monthly cost: {_usd(old.total)} → {_usd(new.total)} "
        f"({'+' if delta >= 0 else '−'}{_usd(abs(delta))}; list prices of {new.date}, "
        f"excluding data transfer){partial}."
    )


def _usd(amount: float) -> str:
    return f"${amount:,.2f}"


def _sizing(sizing: Sizing) -> list[str]:
    """Task sizes and counts per service, then zones, NAT, endpoints, caches, load balancers."""
    lines = ["## Sizing", ""]
    if sizing.services:
        rows = [
            [
                f"`{s.address}`",
                f"{s.vcpu:g}" if s.vcpu is not None else "?",
                f"{s.memory_gb:g} GB" if s.memory_gb is not None else "?",
                str(s.desired),
                "—" if s.minimum is None else f"{s.minimum}–{s.maximum}",
            ]
            for s in sizing.services
        ]
        header = ["Service", "vCPU", "Memory", "Desired tasks", "Autoscaling min–max"]
        lines += table(header, rows) + [""]
    interface = [e for e in sizing.endpoints if e.kind == "Interface"]
    gateway = [e for e in sizing.endpoints if e.kind != "Interface"]
    lines += [
        f"- Availability zones: {len(sizing.zones)} ({', '.join(sizing.zones) or '—'})",
        f"- NAT gateways: {len(sizing.nat_gateways)}",
        "- VPC endpoints: "
        + (
            ", ".join(f"{e.service} ({e.kind.lower()}, {e.zones} AZ)" for e in interface)
            + (", " if interface and gateway else "")
            + ", ".join(f"{e.service} (gateway)" for e in gateway)
            or "none (AWS APIs through NAT)"
        ),
        "- Load balancers: "
        + (
            ", ".join(
                f"`{a}` ({'internet-facing' if p else 'internal'}, {z} AZ)"
                for a, p, z in sizing.load_balancers
            )
            or "none"
        ),
    ]
    lines += [
        f"- Cache: `{c.address}` {c.nodes} × {c.node_type} ({c.engine})" for c in sizing.caches
    ]
    return lines + [""]


def _cost(cost: Cost) -> list[str]:
    """The monthly estimate per concern and per item, with its date and sources."""
    lines = [
        "## Monthly cost",
        "",
        f"About **{_usd(cost.total)} per month** in `{cost.region}`: on-demand list prices of "
        f"{cost.date}, excluding data transfer and usage-based charges (NAT and endpoint "
        f"processing per GB, load balancer capacity units, log ingestion, backup storage), "
        f"{HOURS_PER_MONTH} hours a month, desired task counts.",
        "",
    ]
    lines += [f"- ⚠ not priced: {u}" for u in cost.unpriced]
    if cost.unpriced:
        lines.append("")
    if cost.lines:
        lines += table(
            ["Concern", "Monthly"],
            [[concern, _usd(amount)] for concern, amount in cost.by_concern().items()],
        )
        lines += [""]
        rows = [[c.concern, c.item, cell(c.quantity), _usd(c.monthly)] for c in cost.lines]
        lines += table(["Concern", "Item", "Quantity", "Monthly"], rows) + [""]
    lines += ["Prices from: " + ", ".join(sorted(set(SOURCES.values()))) + ".", ""]
    return lines


def _domain(review: StackReview) -> list[str]:
    """Domain names, certificates, and HTTPS or plain text per listener."""
    domain = review.domain
    lines = ["## Domain and TLS", ""]
    if domain.names:
        lines += [f"- Domain: {name} → `{target}`" for name, target in domain.names]
    else:
        lines.append("- Domain: none; users reach the load balancer by its AWS DNS name")
    lines += [f"- Certificate: {c}" for c in domain.certificates]
    if domain.app_url:
        lines.append(f"- App URL (output `app_url`): {pretty(domain.app_url)}")
    lines.append("")
    rows = [
        [
            f"`{listener.address}`",
            f"`{listener.load_balancer}`" + ("" if listener.public else " (internal)"),
            f"{listener.protocol} {listener.port}",
            ("HTTPS/TLS" if listener.secure else ("⚠ " if listener.public else "") + "plain")
            + (f", {listener.ssl_policy}" if listener.ssl_policy else ""),
            listener.certificate or "—",
        ]
        for listener in domain.listeners
    ]
    if rows:
        header = ["Listener", "Load balancer", "Listens on", "Encryption", "Certificate"]
        lines += table(header, rows) + [""]
    return lines


def _loud_line(impact: Impact) -> str:
    """`⚠ OUTAGE: aws_subnet.a replaced (cidr_block): ...`."""
    change = impact.change
    why = f" ({', '.join(change.forcing)})" if change.forcing else ""
    action = _ACTION_WORDS.get(change.action, change.action)
    return f"- ⚠ **{impact.severity.upper()}**: `{change.address}` {action}{why}: {impact.note}"


def _findings(findings: list[str]) -> list[str]:
    """What needs a reviewer's attention, or a sentence saying nothing does."""
    lines = ["## Findings", ""]
    if not findings:
        return lines + [
            "No findings: only the public listeners are open to the internet, no task has a "
            "public IP, no broad IAM policy, no plain-text credential.",
            "",
        ]
    return lines + [f"- ⚠ {finding}" for finding in findings] + [""]


def _changes(plan: Plan) -> list[str]:
    """The planned changes, most consequential first; unchanged resources only counted."""
    lines = [
        "## Changes",
        "",
        f"From `{plan.source}` (format {plan.format_version}, Terraform {plan.terraform_version}).",
        "",
    ]
    rows = [
        [
            _ACTION_TITLES.get(action, action),
            f"`{change.address}`",
            cell(change.attributes),
            cell(change.why),
        ]
        for action in (*ORDER, *sorted({c.action for c in plan.changes} - set(ORDER)))
        if action != "no-op"
        for change in plan.changes
        if change.action == action
    ]
    if rows:
        lines += table(["Action", "Resource", "Changed attributes", "Why"], rows) + [""]
    unchanged = sum(1 for c in plan.changes if c.action == "no-op")
    if unchanged:
        lines += [f"{unchanged} resources unchanged.", ""]
    return lines


def _concerns(groups: dict[str, list[Resource]]) -> list[str]:
    """Resource counts by concern, with the types in each."""
    rows = []
    for concern, members in groups.items():
        types = Counter(r.type for r in members)
        listed = ", ".join(f"{t} ×{n}" if n > 1 else t for t, n in sorted(types.items()))
        rows.append([concern, str(len(members)), cell(listed)])
    return ["## Resources by concern", ""] + table(["Concern", "Count", "Types"], rows) + [""]


def _lb_row(review: StackReview, lb: LoadBalancer) -> list[str]:
    """One load balancer: listeners and the services behind each."""
    listeners, targets = [], []
    for listener in lb.listeners:
        listeners.append(listener.endpoint)
        behind = services_behind(review.stack, listener.target_groups)
        targets.append(
            ", ".join(f"`{s.address}` ({port})" for s, port in behind)
            or ", ".join(f"`{t}`" for t in listener.target_groups)
            or "no target group"
        )
    return [named(lb.resource), lb.kind, cell(listeners, "no listener"), cell(targets)]


def _exposure(review: StackReview) -> list[str]:
    """Load balancers, rules open to the world, all ingress, outbound, public tasks."""
    return (
        ["## Internet exposure", ""]
        + _load_balancers(review)
        + _open_rules(review.exposure)
        + _rule_table(
            "### Who may connect to what (all ingress rules)", "From", review.exposure.ingress
        )
        + _rule_table(
            "### Outbound to the internet", "To", [r for r in review.exposure.egress if r.world]
        )
        + _public_tasks(review.exposure)
    )


def _load_balancers(review: StackReview) -> list[str]:
    """Public load balancers in a table, internal ones in a list."""
    lines = ["### Public load balancers", ""]
    public = review.exposure.public_load_balancers
    if public:
        header = ["Load balancer", "Type", "Listeners", "Forwards to"]
        lines += table(header, [_lb_row(review, lb) for lb in public]) + [""]
    else:
        lines += ["None: every load balancer is internal.", ""]
    internal = [lb for lb in review.exposure.load_balancers if not lb.public]
    if internal:
        lines += ["### Internal load balancers (not reachable from the internet)", ""]
        for lb in internal:
            endpoints = ", ".join(listener.endpoint for listener in lb.listeners)
            lines.append(f"- {named(lb.resource)}: {endpoints or 'no listener'}")
        lines.append("")
    return lines


def _open_rules(exposure: Exposure) -> list[str]:
    """Ingress rules open to 0.0.0.0/0 or ::/0, with what the group protects and a verdict."""
    lines = ["### Security-group rules open to the internet", ""]
    if not exposure.open_rules:
        return lines + ["None.", ""]
    users = exposure.security_group_users
    rows = [
        [
            f"`{o.rule.security_group}`",
            cell(f"`{u}`" for u in users.get(o.rule.security_group, [])),
            o.rule.protocol,
            o.rule.ports,
            o.rule.source,
            ("expected: " if o.expected else "⚠ ") + o.note,
        ]
        for o in exposure.open_rules
    ]
    header = ["Security group", "Attached to", "Protocol", "Ports", "Source", "Verdict"]
    return lines + table(header, rows) + [""]


def _rule_table(heading: str, peer: str, rules: list[Rule]) -> list[str]:
    """A table of security-group rules; `peer` names the source or destination column."""
    rows = [
        [f"`{r.security_group}`", r.protocol, r.ports, pretty(r.source), f"`{r.address}`"]
        for r in rules
    ]
    header = ["Security group", "Protocol", "Ports", peer, "Rule"]
    return [heading, ""] + (table(header, rows) if rows else ["None."]) + [""]


def _public_tasks(exposure: Exposure) -> list[str]:
    """Services whose tasks get public IPs."""
    lines = ["### Tasks with public IPs", ""]
    if exposure.public_tasks:
        lines += [f"- ⚠ `{t.service}` (assign_public_ip = true)" for t in exposure.public_tasks]
    else:
        lines.append("None: no ECS service assigns public IPs.")
    return lines + [""]


def _identity(roles: list[Role]) -> list[str]:
    """Every role: trust, managed and inline policies, and who uses it."""
    lines = ["## Identity", ""]
    if not roles:
        return lines + ["No IAM roles.", ""]
    rows = []
    for role in roles:
        managed = [("⚠ " if m.broad else "") + m.label for m in role.managed]
        inline = [
            f"{s.effect} {'NOT ' if s.negated_actions else ''}{', '.join(s.actions)}"
            f" on {', '.join(pretty(r) for r in s.resources) or '—'}"
            for policy in role.inline
            for s in policy.statements
        ] + [f"unreadable: {p.unreadable}" for p in role.inline if p.unreadable]
        rows.append(
            [
                named(role.resource),
                cell(role.trusted_by or [role.trust_unreadable], "nobody"),
                cell(managed),
                cell(inline),
                cell(f"`{pretty(u)}`" for u in role.used_by),
            ]
        )
    header = ["Role", "Trusted by", "Managed policies", "Inline policy statements", "Used by"]
    return lines + table(header, rows) + [""]


def _secrets(review: StackReview) -> list[str]:
    """Secret stores and readers, sensitive variables, and plain-text credentials."""
    secrets = review.secrets
    lines = ["## Secrets", ""]
    if secrets.stores:
        rows = [
            [
                f"`{store.address}`" + (f" ({store.cloud_name})" if store.cloud_name else ""),
                store.kind,
                pretty(store.value_source) + (f" ⚠ {store.problem}" if store.problem else ""),
                cell(f"`{r.container}` as `{r.env_name}`" for r in store.readers),
            ]
            for store in secrets.stores
        ]
        lines += table(["Store", "Kind", "Value", "Read by (ECS secrets)"], rows) + [""]
    else:
        lines += ["No secret stores.", ""]
    for name, flows in secrets.sensitive_variables.items():
        targets = ", ".join(f"`{f}`" for f in flows) or "not used"
        lines.append(f"- Sensitive variable `var.{name}` → {targets}")
    if secrets.sensitive_variables:
        lines.append("")
    if secrets.plaintext:
        lines += ["Plain-text credentials in container environments:", ""]
        lines += [f"- ⚠ `{p.container}` `{p.name}`: {p.reason}" for p in secrets.plaintext]
    else:
        lines.append("No plain-text credential in any container environment.")
    return lines + [""]


def _operations(review: StackReview) -> list[str]:
    """Alarms and who they notify, each service's deployment strategy, and backups."""
    ops = review.operations
    lines = ["## Operations", ""]
    if ops.production:
        lines += [
            "Held to production rules because of: " + "; ".join(ops.production_signals) + ".",
            "",
        ]
    lines += ["### Alarms", ""]
    if ops.alarms:
        rows = [
            [
                f"`{a.address}` ({a.name})",
                cell(a.watches),
                cell(a.fires_when),
                cell(a.notifies, "nobody (state only)"),
            ]
            for a in ops.alarms
        ]
        lines += table(["Alarm", "Watches", "Fires when", "Notifies"], rows)
    else:
        lines.append(("⚠ " if ops.production else "") + "No alarms.")
    lines += ["", "### Deployments", ""]
    if ops.deployments:
        rows = [
            [
                f"`{d.service}`",
                d.strategy,
                d.circuit_breaker,
                cell(f"`{n}`" for n in d.rollback_alarms),
                d.detail,
            ]
            for d in ops.deployments
        ]
        header = ["Service", "Strategy", "Circuit breaker", "Rolled back by alarms", "Detail"]
        lines += table(header, rows)
    else:
        lines.append("No ECS services.")
    lines += ["", "### Backups", ""]
    lines += [f"- {b.protects}: {b.how}" for b in ops.backups]
    lines += [f"- {'⚠ ' if ops.production else ''}`{u}`: not backed up" for u in ops.unprotected]
    if not ops.backups and not ops.unprotected:
        lines.append("No data stores.")
    return lines + [""]


def _diagram(review: StackReview) -> list[str]:
    """The Mermaid diagram and its legend."""
    return [
        "## Diagram",
        "",
        "Red outline: reachable from the internet. Dashed: secrets injected by ECS, or traffic "
        "that reaches tasks without a load balancer.",
        "",
        "```mermaid",
        to_mermaid(review.graph),
        "```",
        "",
    ]
