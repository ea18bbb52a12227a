"""Fixtures for the review tests: the stored stacks and plan."""

from __future__ import annotations

from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def voting_stack() -> Path:
    """A dev stack shaped like the real one, synthesized with cdktf and stored."""
    return FIXTURES / "voting_stack.json"


@pytest.fixture
def insecure_stack() -> Path:
    """A stack with every mistake the review must flag."""
    return FIXTURES / "insecure_stack.json"


@pytest.fixture
def plan_json() -> Path:
    """A hand-checked `terraform show -json` plan of the voting stack."""
    return FIXTURES / "plan.json"
