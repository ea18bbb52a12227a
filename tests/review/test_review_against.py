"""`python -m review --against OLD NEW`: what a change replaces and what that costs, flagged
loudly for networking and data stores."""

from __future__ import annotations

import dataclasses
import json
import re
import shutil
import subprocess
from pathlib import Path

from tests.conftest import _synth, variant_settings
from tests.review.helpers import REPO, run_review, section


def _write(path: Path, data: dict) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def _against(tmp_path: Path, old: dict, new: dict) -> str:
    result = run_review(
        "--against",
        _write(tmp_path / "old" / "cdk.tf.json", old),
        _write(tmp_path / "new.json", new),
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def _costs(report: str) -> str:
    return section(report, "### What this change costs")


def test_subnet_replacement_is_flagged_as_an_outage(synth_dev, tmp_path):
    settings = dataclasses.replace(variant_settings("synth_dev"), vpc_cidr="10.1.0.0/16")
    report = _against(tmp_path, synth_dev.data, json.loads(_synth(settings).text))
    costs = _costs(report)
    subnets = [a for a in synth_dev.data["resource"]["aws_subnet"]]
    for name in subnets:
        assert re.search(
            rf"- ⚠ \*\*OUTAGE\*\*: `aws_subnet\.{name}` replaced \([^\n]*cidr_block", costs
        ), costs
    assert "⚠ **OUTAGE**: `aws_vpc.network_vpc` replaced (cidr_block)" in costs


_LB = {"name": "web", "internal": False, "load_balancer_type": "network", "subnets": ["s"]}
_LISTENER = {"load_balancer_arn": "${aws_lb.web.arn}", "port": 80, "protocol": "TCP"}


def test_listener_replacement_is_flagged_and_a_port_change_is_not(tmp_path):
    old = {"resource": {"aws_lb": {"web": _LB}, "aws_lb_listener": {"http": _LISTENER}}}
    moved = {
        "resource": {
            "aws_lb": {"web": _LB, "other": {**_LB, "name": "other"}},
            "aws_lb_listener": {"http": {**_LISTENER, "load_balancer_arn": "${aws_lb.other.arn}"}},
        }
    }
    costs = _costs(_against(tmp_path / "a", old, moved))
    assert (
        "- ⚠ **OUTAGE**: `aws_lb_listener.http` replaced (load_balancer_arn): the port stops"
        in costs
    )
    port = {
        "resource": {"aws_lb": {"web": _LB}, "aws_lb_listener": {"http": {**_LISTENER, "port": 81}}}
    }
    report = _against(tmp_path / "b", old, port)
    assert "No data loss and no outage" in _costs(report)
    assert "| update in place | `aws_lb_listener.http` | port |" in report


def test_removed_listener_is_flagged(synth_tls, synth_tls_only, tmp_path):
    """TLS with HTTP kept -> TLS only: the plain-HTTP listener goes."""
    costs = _costs(_against(tmp_path, synth_tls.data, synth_tls_only.data))
    http = [
        a for a, body in synth_tls.data["resource"]["aws_lb_listener"].items() if body["port"] == 80
    ]
    assert http
    for name in http:
        assert f"⚠ **OUTAGE**: `aws_lb_listener.{name}` destroyed: clients of this port" in costs


def test_data_store_replacement_is_flagged_as_data_loss(tmp_path):
    efs = {"creation_token": "votes", "encrypted": True, "kms_key_id": "${aws_kms_key.k.arn}"}
    key = {"description": "k", "key_usage": "ENCRYPT_DECRYPT"}
    old = {"resource": {"aws_efs_file_system": {"data": efs}, "aws_kms_key": {"k": key}}}
    new = {
        "resource": {
            "aws_efs_file_system": {"data": efs},
            "aws_kms_key": {"k": {**key, "multi_region": True}},
        }
    }
    costs = _costs(_against(tmp_path, old, new))
    assert "- ⚠ **DATA LOSS**: `aws_kms_key.k` replaced (multi_region)" in costs
    assert (
        "- ⚠ **DATA LOSS**: `aws_efs_file_system.data` replaced "
        "(kms_key_id (aws_kms_key.k replaced)): the Redis data on EFS" in costs
    )


def test_backend_switch_flags_the_destroyed_file_system(synth_prod_fargate, synth_prod, tmp_path):
    costs = _costs(_against(tmp_path, synth_prod_fargate.data, synth_prod.data))
    for name in synth_prod_fargate.data["resource"]["aws_efs_file_system"]:
        assert f"⚠ **DATA LOSS**: `aws_efs_file_system.{name}` destroyed" in costs


def test_title_change_is_a_deploy_without_outage(synth_dev, tmp_path):
    settings = dataclasses.replace(variant_settings("synth_dev"), app_title="Cats")
    report = _against(tmp_path, synth_dev.data, json.loads(_synth(settings).text))
    assert "No data loss and no outage" in _costs(report)
    assert "1 to update, 1 to replace," in report
    assert "deploy: a new revision" in report


def test_against_needs_the_new_stack(tmp_path, synth_dev_path):
    result = run_review("--against", synth_dev_path)
    assert result.returncode == 2
    assert (
        result.stderr
        == "review: error: --against compares two stacks: give the new stack as well\n"
    )


def test_make_review_passes_stack_and_against():
    make = shutil.which("make")
    assert make, "make is part of the quick start"

    def dry_run(*variables: str) -> str:
        # -o synth: take the stacks as synthesized, so only the review command is printed
        return subprocess.run(
            [make, "-s", "-n", "-o", "synth", "review", *variables],
            cwd=REPO,
            capture_output=True,
            text=True,
            check=True,
            timeout=60,
        ).stdout

    assert dry_run().strip() == ".venv/bin/python -m review voting-app-dev"
    assert (
        dry_run("STACK=voting-app-prod", "AGAINST=/tmp/old.json").strip()
        == ".venv/bin/python -m review voting-app-prod --against /tmp/old.json"
    )
