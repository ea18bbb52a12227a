"""A user's cdktf.json is theirs: the tests build on the profiles, and check the user's own
environments with the invariant tests too."""

from __future__ import annotations

import json

import pytest

import toolchain.project
from infra.settings import load_all
from tests import conftest
from tests.review.helpers import run_review


@pytest.fixture
def users_cdktf_json(tmp_path, monkeypatch):
    """A cdktf.json as a platform team might write it, in place of the project's."""
    path = tmp_path / "cdktf.json"
    path.write_text(
        json.dumps(
            {
                "context": {
                    "voting": {
                        "settings": {"app_title": "Lunch"},
                        "environments": {
                            "dev": {},
                            "prod": {"local_state": True, "alarms_unsubscribed": True},
                            "qa-eu": {"profile": "dev", "region": "eu-west-1"},
                        },
                    }
                }
            }
        ),
        encoding="utf-8",
    )
    monkeypatch.setattr(toolchain.project, "CDKTF_JSON", path)
    return path


def test_fixtures_ignore_the_projects_cdktf_json(users_cdktf_json):
    assert conftest._settings("dev").app_title == "Voting App"


def test_every_environment_of_cdktf_json_joins_the_invariant_tests(users_cdktf_json):
    extra = conftest._project_environments()
    # The title changes dev and prod too, so all three are new to the tests.
    assert sorted(extra) == ["env_dev", "env_prod", "env_qa_eu"]
    assert extra["env_qa_eu"]().region == "eu-west-1"
    assert extra["env_dev"]().app_title == "Lunch"


def test_an_environment_the_variants_already_build_is_not_built_twice(tmp_path, monkeypatch):
    path = tmp_path / "cdktf.json"
    path.write_text(json.dumps({"context": {"voting": conftest.TEST_CONTEXT}}), encoding="utf-8")
    monkeypatch.setattr(toolchain.project, "CDKTF_JSON", path)
    assert conftest._project_environments() == {}


def test_a_custom_environment_gets_its_own_review(tmp_path):
    """The README's last customisation: a staging environment, synthesized and reviewed the way
    `make synth && make review STACK=voting-app-staging` does it."""
    staging = {"staging": {"local_state": True, "alarms_unsubscribed": True}}
    context = {"environments": conftest.TEST_CONTEXT["environments"] | staging}
    settings = load_all(context, environ={})["staging"]
    stack = tmp_path / "cdktf.out" / "stacks" / settings.stack_name
    stack.mkdir(parents=True)
    (stack / "cdk.tf.json").write_text(conftest._synth(settings).text, encoding="utf-8")
    result = run_review(settings.stack_name, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    report = result.stdout
    assert report.startswith("# Review of stack `voting-app-staging`")
    # prod's rules apply, and the staging profile's shape and opt-outs are what it shows.
    assert "Held to production rules" in report
    assert "- NAT gateways: 1\n" in report and "- VPC endpoints: none" in report
    assert "state is kept in a local file" in report
    assert "which has no subscriber" in report
