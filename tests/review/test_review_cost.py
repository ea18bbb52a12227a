"""Sizing, monthly cost and domain in the review. The expected costs are worked out here by hand,
from the stack's JSON and the us-west-2 prices written out below, not by the code under test."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from review.prices import HOURS_PER_MONTH, PRICES_DATE, REGIONS, VALKEY_NODE_FACTOR
from tests.conftest import _synth, variant_settings
from tests.review.helpers import report_of, run_review, section

# us-west-2 list prices as the table states them; pinned so a table edit shows up here
VCPU_HOUR, GB_HOUR = 0.04048, 0.004445
NAT_HOUR, LB_HOUR, IPV4_HOUR, ENDPOINT_AZ_HOUR = 0.045, 0.0225, 0.005, 0.01
EFS_GB_MONTH, KMS_MONTH, ALARM_METRIC_MONTH, DASHBOARD_MONTH, METRIC_MONTH = 0.30, 1, 0.10, 3, 0.30
T4G_MICRO_HOUR = 0.016
H = 730


def test_price_table_is_what_the_tests_assume():
    west = REGIONS["us-west-2"]
    assert (west.fargate_vcpu_hour, west.fargate_gb_hour) == (VCPU_HOUR, GB_HOUR)
    assert (west.nat_gateway_hour, west.load_balancer_hour) == (NAT_HOUR, LB_HOUR)
    assert (west.public_ipv4_hour, west.endpoint_az_hour) == (IPV4_HOUR, ENDPOINT_AZ_HOUR)
    assert west.cache_node_hour["cache.t4g.micro"] == T4G_MICRO_HOUR
    assert HOURS_PER_MONTH == H
    assert {"us-west-2", "us-east-1", "eu-west-1", "eu-central-1"} <= REGIONS.keys()
    assert PRICES_DATE[:4].isdigit()


def _path(tmp_path: Path, data: dict) -> Path:
    path = tmp_path / "cdk.tf.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def _by_hand(data: dict) -> float:
    """The monthly cost of a synthesized stack, counted from its JSON."""
    r = data["resource"]
    tasks = r["aws_ecs_task_definition"]
    total = 0.0
    for service in r["aws_ecs_service"].values():
        task = tasks[service["task_definition"].split(".")[1]]
        vcpu, gb = int(task["cpu"]) / 1024, int(task["memory"]) / 1024
        total += service["desired_count"] * (vcpu * VCPU_HOUR + gb * GB_HOUR) * H
    total += (13 + 15 * len(r["aws_ecs_service"])) * METRIC_MONTH  # Container Insights
    total += len(r["aws_nat_gateway"]) * NAT_HOUR * H
    total += len(r["aws_lb"]) * LB_HOUR * H
    public_lb_nodes = sum(len(lb["subnets"]) for lb in r["aws_lb"].values() if not lb["internal"])
    total += (len(r["aws_eip"]) + public_lb_nodes) * IPV4_HOUR * H
    for endpoint in r.get("aws_vpc_endpoint", {}).values():
        if endpoint["vpc_endpoint_type"] == "Interface":
            total += len(endpoint["subnet_ids"]) * ENDPOINT_AZ_HOUR * H
    for group in r.get("aws_elasticache_replication_group", {}).values():
        valkey = 0.8 if group["engine"] == "valkey" else 1
        total += group["num_cache_clusters"] * T4G_MICRO_HOUR * valkey * H
    total += len(r.get("aws_efs_file_system", {})) * EFS_GB_MONTH
    total += len(r["aws_kms_key"]) * KMS_MONTH
    total += len(r["aws_cloudwatch_dashboard"]) * DASHBOARD_MONTH
    for alarm in r["aws_cloudwatch_metric_alarm"].values():
        metrics = [q for q in alarm.get("metric_query", []) if "metric" in q]
        total += max(len(metrics), 1) * ALARM_METRIC_MONTH
    return total


def _reported_total(report: str) -> float:
    line = next(x for x in section(report, "## Monthly cost").splitlines() if x.startswith("About"))
    return float(line.split("**$")[1].split(" ")[0].replace(",", ""))


@pytest.mark.parametrize("variant", ["synth_dev", "synth_prod", "synth_three_az"])
def test_monthly_cost_of_the_stacks_matches_the_table_arithmetic(synthesized, variant, tmp_path):
    data = synthesized(variant).data
    report = report_of(_path(tmp_path, data))
    assert _reported_total(report) == pytest.approx(_by_hand(data), abs=0.005)
    cost = section(report, "## Monthly cost")
    assert f"list prices of {PRICES_DATE}, excluding data transfer" in cost
    assert "https://aws.amazon.com/fargate/pricing/" in cost


def test_cost_of_a_small_hand_written_stack(tmp_path):
    """0.5 vCPU / 1 GB × 2 tasks, one NAT with its address, one public NLB in 2 AZs, one
    interface endpoint in 2 AZs, one 2-node Valkey cache, one key, one plain alarm."""
    from review.cost import estimate_cost
    from review.sizing import read_sizing
    from review.stack import load_stack

    data = {
        "provider": {"aws": [{"region": "us-west-2"}]},
        "resource": {
            "aws_ecs_task_definition": {"t": {"cpu": "512", "memory": "1024"}},
            "aws_ecs_service": {
                "s": {
                    "task_definition": "${aws_ecs_task_definition.t.arn}",
                    "desired_count": 2,
                    "launch_type": "FARGATE",
                }
            },
            "aws_nat_gateway": {"n": {"allocation_id": "${aws_eip.e.id}"}},
            "aws_eip": {"e": {"domain": "vpc"}},
            "aws_lb": {"l": {"internal": False, "subnets": ["a", "b"]}},
            "aws_vpc_endpoint": {
                "x": {
                    "service_name": "com.amazonaws.us-west-2.logs",
                    "vpc_endpoint_type": "Interface",
                    "subnet_ids": ["a", "b"],
                }
            },
            "aws_elasticache_replication_group": {
                "c": {"node_type": "cache.t4g.micro", "num_cache_clusters": 2, "engine": "valkey"}
            },
            "aws_kms_key": {"k": {}},
            "aws_cloudwatch_metric_alarm": {"a": {"metric_name": "CPUUtilization"}},
        },
    }
    stack = load_stack(_path(tmp_path, data))
    cost = estimate_cost(stack, read_sizing(stack))
    # Fargate 2 × (0.5 × 0.04048 + 1 × 0.004445) × 730 = 2 × 0.024685 × 730 = 36.0401
    # NAT 0.045 × 730 = 32.85; NLB 0.0225 × 730 = 16.425; IPv4 3 × 0.005 × 730 = 10.95
    # endpoint 2 AZ × 0.01 × 730 = 14.60; Valkey 2 × 0.016 × 0.8 × 730 = 18.688
    # KMS 1.00; alarm 0.10
    assert VALKEY_NODE_FACTOR == 0.8
    assert cost.total == pytest.approx(
        36.0401 + 32.85 + 16.425 + 10.95 + 14.60 + 18.688 + 1.00 + 0.10, abs=1e-6
    )
    assert cost.unpriced == []


def test_region_without_prices_says_so(synth_dev, tmp_path):
    data = json.loads(json.dumps(synth_dev.data))
    data["provider"]["aws"][0]["region"] = "ap-south-2"
    cost = section(report_of(_path(tmp_path, data)), "## Monthly cost")
    assert "⚠ not priced: everything: no prices for region `ap-south-2`" in cost


def test_eu_central_costs_more_than_us_west(synth_dev, tmp_path):
    data = json.loads(json.dumps(synth_dev.data))
    west = _reported_total(report_of(_path(tmp_path, data)))
    data["provider"]["aws"][0]["region"] = "eu-central-1"
    assert _reported_total(report_of(_path(tmp_path, data))) > west


def test_against_shows_the_cost_delta(synth_dev, tmp_path):
    settings = dataclasses.replace(
        variant_settings("synth_dev"), web_desired_count=3, web_max_count=4
    )
    new = json.loads(_synth(settings).text)
    (tmp_path / "old").mkdir()
    old_path = tmp_path / "old" / "cdk.tf.json"
    old_path.write_text(synth_dev.text, encoding="utf-8")
    new_path = tmp_path / "new.json"
    new_path.write_text(json.dumps(new), encoding="utf-8")
    result = run_review(new_path, "--against", old_path)
    assert result.returncode == 0, result.stderr
    web = next(
        s for s in synth_dev.data["resource"]["aws_ecs_service"].values() if "web" in s["name"]
    )
    added = (3 - web["desired_count"]) * (0.25 * VCPU_HOUR + 0.5 * GB_HOUR) * H
    old_total, new_total = _by_hand(synth_dev.data), _by_hand(new)
    assert new_total - old_total == pytest.approx(added)
    assert (
        f"Monthly cost: ${old_total:,.2f} → ${new_total:,.2f} (+${added:,.2f}; list prices of "
        in result.stdout
    )


def test_sizing_lists_tasks_zones_nat_and_endpoints(synth_three_az, tmp_path):
    sizing = section(report_of(_path(tmp_path, synth_three_az.data)), "## Sizing")
    r = synth_three_az.data["resource"]
    target = next(iter(r["aws_appautoscaling_target"].values()))
    web = next(a for a in r["aws_ecs_service"] if "web" in a)
    assert (
        f"| `aws_ecs_service.{web}` | 0.25 | 0.5 GB | {r['aws_ecs_service'][web]['desired_count']} "
        f"| {target['min_capacity']}–{target['max_capacity']} |" in sizing
    )
    assert "- Availability zones: 3 (us-west-2a, us-west-2b, us-west-2c)" in sizing
    assert f"- NAT gateways: {len(r['aws_nat_gateway'])}" in sizing
    assert "ecr.api (interface, 3 AZ)" in sizing and "s3 (gateway)" in sizing
    group = next(iter(r["aws_elasticache_replication_group"]))
    assert f"- Cache: `aws_elasticache_replication_group.{group}` 2 × cache.t4g.micro" in sizing


def test_domain_certificate_and_listener_encryption(synth_tls, synth_dev, tmp_path):
    domain = section(report_of(_path(tmp_path, synth_tls.data)), "## Domain and TLS")
    assert "- Domain: vote.example.com → `aws_lb." in domain
    assert ": vote.example.com, DNS-validated ACM" in domain
    assert "- App URL (output `app_url`): https://vote.example.com" in domain
    rows = [line for line in domain.splitlines() if line.startswith("| `aws_lb_listener.")]
    tls = [row for row in rows if "| TLS 443 |" in row]
    assert len(tls) == 1 and "HTTPS/TLS, ELBSecurityPolicy-" in tls[0]
    assert "`aws_acm_certificate." in tls[0]
    assert any("| TCP 80 | ⚠ plain |" in row for row in rows)
    assert any("(internal) | TCP 6379 | plain |" in row for row in rows)

    plain = section(report_of(_path(tmp_path, synth_dev.data)), "## Domain and TLS")
    assert "- Domain: none; users reach the load balancer by its AWS DNS name" in plain
    assert "HTTPS/TLS" not in plain
