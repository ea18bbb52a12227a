"""Rendering: ARNs built from partition/region/account data sources read as ARNs, every resource
type of the stacks sits in a named concern, and the diagram fits one screen."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from review.concerns import concern_of
from review.markdown import pretty
from tests.conftest import VARIANTS
from tests.review.helpers import report_of, section


def _path(tmp_path: Path, data: dict) -> Path:
    path = tmp_path / "cdk.tf.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def test_arn_from_data_sources_reads_as_an_arn():
    text = (
        "arn:${data.aws_partition.p.partition}:logs:${data.aws_region.r.region}:"
        "${data.aws_caller_identity.a.account_id}:log-group:/ecs/web:*"
    )
    assert pretty(text) == "arn:{partition}:logs:{region}:{account_id}:log-group:/ecs/web:*"
    assert pretty("${aws_lb.web.arn}") == "aws_lb.web"


def test_identity_table_shows_no_data_source_addresses(synth_prod, tmp_path):
    identity = section(report_of(_path(tmp_path, synth_prod.data)), "## Identity")
    assert "data.aws_partition" not in identity
    assert "arn:{partition}:logs:{region}:{account_id}:log-group:" in identity


@pytest.mark.parametrize("variant", VARIANTS)
def test_no_resource_of_the_stacks_is_other(synthesized, variant, tmp_path):
    from review.concerns import by_concern
    from review.stack import load_stack

    groups = by_concern(load_stack(_path(tmp_path, synthesized(variant).data)))
    assert [r.address for r in groups.get("other", [])] == []
    # the image build trigger sits with the image it rebuilds
    assert any(r.type == "terraform_data" for r in groups["registry"])


def test_sns_backup_and_autoscaling_concerns():
    assert concern_of("aws_sns_topic") == "alarms"
    assert concern_of("aws_cloudwatch_metric_alarm") == "alarms"
    assert concern_of("aws_backup_vault") == "backups"
    assert concern_of("aws_appautoscaling_policy") == "services"
    assert concern_of("aws_ssm_parameter") == "secrets"


def _svg_size(svg: str) -> tuple[float, float]:
    match = re.search(r'<svg width="([\d.]+)pt" height="([\d.]+)pt"', svg)
    assert match, svg[:300]
    return float(match.group(1)), float(match.group(2))


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz dot not installed")
@pytest.mark.parametrize("variant", ["synth_prod", "synth_tls", "synth_three_az"])
def test_diagram_fits_one_screen(synthesized, variant, tmp_path):
    from review.diagram import to_dot
    from review.report import review_stack
    from review.stack import load_stack

    review = review_stack(load_stack(_path(tmp_path, synthesized(variant).data)))
    dot = to_dot(review.graph, "t")
    svg = subprocess.run(
        ["dot", "-Tsvg"], input=dot, text=True, capture_output=True, check=True, timeout=60
    ).stdout
    width, height = _svg_size(svg)
    # a laptop screen is about 16:10; a strip wider than 3:1 needs scrolling or shrinks unreadably
    assert width / height < 3, (width, height)
    assert width < 1400, (width, height)


def _restricted(data: dict, cidr: str) -> dict:
    """The stack with every world-open ingress rule narrowed to one range."""
    data = json.loads(json.dumps(data))
    for rule in data["resource"]["aws_vpc_security_group_ingress_rule"].values():
        if rule.get("cidr_ipv4") == "0.0.0.0/0":
            rule["cidr_ipv4"] = cidr
    return data


def test_diagram_shows_the_public_listeners_allowed_sources(synth_prod, tmp_path):
    from review.diagram import to_mermaid
    from review.report import review_stack
    from review.stack import load_stack

    open_graph = review_stack(load_stack(_path(tmp_path, synth_prod.data))).graph
    assert open_graph.nodes["internet"].label == "Internet"
    assert any(e.source == "internet" and e.label == "tcp 80" for e in open_graph.edges)

    narrow = _restricted(synth_prod.data, "203.0.113.0/24")
    graph = review_stack(load_stack(_path(tmp_path, narrow))).graph
    assert "internet" not in graph.nodes
    sources = [n for n in graph.nodes.values() if n.kind == "internet"]
    assert [n.label for n in sources] == ["Allowed sources\n203.0.113.0/24"]
    web_lbs = [e.target for e in graph.edges if e.source == sources[0].id]
    assert web_lbs and all(a.startswith("aws_lb.") for a in web_lbs)
    assert "Allowed sources<br/>203.0.113.0/24" in to_mermaid(graph)
