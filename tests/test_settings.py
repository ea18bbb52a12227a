"""Settings: defaults per environment, overrides, and one-line errors naming the setting."""

import dataclasses
import json
import os
import re
import subprocess
import sys

import pytest

from infra.settings import SettingsError, load_all, markdown_table, select
from toolchain.project import PROJECT_DIR

# What prod must say when it keeps local state and has no alarm subscriber yet.
PROD_OPT_OUTS = {"environments": {"prod": {"local_state": True, "alarms_unsubscribed": True}}}


def test_dev_and_prod_defaults():
    settings = load_all(PROD_OPT_OUTS, environ={})
    assert set(settings) == {"dev", "prod"}
    assert settings["dev"].web_desired_count == 1 and not settings["dev"].nat_per_az
    assert settings["prod"].web_desired_count == 2 and settings["prod"].nat_per_az
    assert settings["prod"].stack_name == "voting-app-prod"


def test_context_and_environment_overrides_in_order():
    context = {
        "settings": {"region": "eu-west-1", "web_cpu": 512, "web_memory": 1024},
        "environments": {
            "prod": {"web_memory": 2048, "state_bucket": "acme", "alarm_emails": ["a@b.example"]},
            "staging": {"profile": "prod", "local_state": True, "alarms_unsubscribed": True},
        },
    }
    environ = {"VOTING_APP_TITLE": "Lunch", "VOTING_STAGING__WEB_MAX_COUNT": "9"}
    settings = load_all(context, environ=environ)
    assert settings["dev"].region == "eu-west-1" and settings["dev"].web_memory == 1024
    assert settings["prod"].web_memory == 2048
    assert settings["staging"].nat_per_az is True and settings["staging"].web_max_count == 9
    assert {s.app_title for s in settings.values()} == {"Lunch"}


BAD = [
    ({"VOTING_REGION": "mars-1"}, "setting 'region' = 'mars-1' is invalid"),
    ({"VOTING_WEB_CPU": "256", "VOTING_WEB_MEMORY": "4096"}, "setting 'web_memory' = 4096"),
    ({"VOTING_WEB_CPU": "300"}, "setting 'web_cpu' = 300 is invalid: Fargate offers"),
    (
        {"VOTING_WEB_CPU": "1024", "VOTING_WEB_MEMORY": "1024"},
        "with 1024 CPU units Fargate offers 2048 to 8192 in steps of 1024",
    ),
    ({"VOTING_DEV__WEB_DESIRED_COUNT": "-1"}, "setting 'web_desired_count' = -1"),
    ({"VOTING_REDIS_DESIRED_COUNT": "2"}, "setting 'redis_desired_count' = 2"),
    ({"VOTING_VPC_CIDR": "10.0.0.0/27"}, "setting 'vpc_cidr' = '10.0.0.0/27' is invalid"),
    ({"VOTING_VPC_CIDR": "10.0.0.1/16"}, "setting 'vpc_cidr' = '10.0.0.1/16' is invalid"),
    ({"VOTING_VOTE_OPTIONS": "Tabs, "}, "setting 'vote_options' = ['Tabs'] is invalid: use 2 to 6"),
    ({"VOTING_VOTE_OPTIONS": "Tabs,tabs"}, "setting 'vote_options' = 'tabs' is invalid: name each"),
    ({"VOTING_VOTE_OPTIONS": "a,b,c,d,e,f,g"}, "is invalid: use 2 to 6 options"),
    ({"VOTING_VOTE_OPTIONS": "Yes,Reset"}, "setting 'vote_options' = 'Reset' is invalid: 'reset'"),
    ({"VOTING_LOG_RETENTION_DAYS": "10"}, "setting 'log_retention_days' = 10"),
    ({"VOTING_AZ_COUNT": "two"}, "setting 'az_count' = 'two' is invalid: use a whole number"),
    ({"VOTING_REDIS_IMAGE": "redis:latest"}, "setting 'redis_image' = 'redis:latest'"),
    (
        {"VOTING_REDIS_IMAGE": "docker/library/redis:7.4.2-alpine"},
        "setting 'redis_image' = 'docker/library/redis:7.4.2-alpine' is invalid: pin",
    ),
    ({"VOTING_WEB_CPUS": "1"}, "unknown setting 'web_cpus' in environment variable"),
    (
        {"VOTING_REDIS_BACKEND": "elasticache", "VOTING_PROD__AZ_COUNT": "1"},
        "setting 'az_count' = 1 is invalid: cache_failover",
    ),
    ({"VOTING_DOMAIN_NAME": "vote.example.com"}, "setting 'domain_name' = 'vote.example.com'"),
    ({"VOTING_HOSTED_ZONE_ID": "Z0"}, "setting 'hosted_zone_id' = 'Z0' is invalid: set domain"),
    ({"VOTING_HTTP_LISTENER": "false"}, "setting 'http_listener' = False"),
    ({"VOTING_REDIS_BACKEND": "memcached"}, "setting 'redis_backend' = 'memcached'"),
    ({"VOTING_ALARM_EMAILS": "ops@example.com,oncall"}, "setting 'alarm_emails' = 'oncall'"),
    ({"VOTING_ALARM_EMAILS": "a@example.com,a@example.com"}, "name each address once"),
    ({"VOTING_CACHE_RESTORE_SNAPSHOT": "x"}, "'cache_restore_snapshot' = 'x' is invalid: needs"),
    ({"VOTING_CACHE_SNAPSHOT_RETENTION_DAYS": "36"}, "ElastiCache keeps 0 (off) to 35 days"),
    ({"VOTING_ALARM_MINUTES": "0"}, "setting 'alarm_minutes' = 0 is invalid: use 1 to 60"),
    ({"VOTING_ALARM_CPU_PERCENT": "5"}, "setting 'alarm_cpu_percent' = 5 is invalid"),
    ({"VOTING_ALARM_HTTP_5XX_PER_MINUTE": "0"}, "setting 'alarm_http_5xx_per_minute' = 0"),
    (
        {"VOTING_AVAILABILITY_ZONES": "us-west-2a,us-west-2a"},
        "setting 'availability_zones' = ['us-west-2a', 'us-west-2a'] is invalid: "
        "name each zone once",
    ),
    ({"VOTING_RESET_TOKEN_VERSION": "0"}, "setting 'reset_token_version' = 0 is invalid"),
]


@pytest.mark.parametrize(("environ", "message"), BAD, ids=[next(iter(e)) for e, _ in BAD])
def test_bad_setting_names_setting_value_and_allowed(environ, message):
    with pytest.raises(SettingsError) as error:
        load_all({}, environ=environ)
    assert message in str(error.value)
    assert "\n" not in str(error.value)


@pytest.mark.parametrize(
    ("prod", "message"),
    [
        (
            {"alarms_unsubscribed": True},
            "setting 'state_bucket' = '' is invalid: prod keeps its Terraform state in S3",
        ),
        (
            {"local_state": True},
            "setting 'alarm_emails' = [] is invalid: prod's alarms must reach someone",
        ),
    ],
)
def test_prod_names_its_state_bucket_and_an_alarm_subscriber_or_opts_out(prod, message):
    with pytest.raises(SettingsError) as error:
        load_all({"environments": {"prod": prod}}, environ={})
    assert message in str(error.value)
    named = load_all(
        {
            "environments": {
                "prod": {"state_bucket": "acme-state", "alarm_emails": ["ops@example.com"]}
            }
        },
        environ={},
    )["prod"]
    assert not named.local_state and not named.alarms_unsubscribed
    # A new environment on the prod profile must say the same.
    with pytest.raises(SettingsError, match="'state_bucket'"):
        load_all({"environments": {"live": {"profile": "prod"}}}, environ={})


def test_unknown_setting_in_context():
    with pytest.raises(SettingsError, match="unknown setting 'colour'"):
        load_all({"environments": {"dev": {"colour": "red"}}}, environ={})


def test_unknown_environment_lists_known_ones():
    with pytest.raises(SettingsError, match="unknown environment 'qa'.*known: dev, prod"):
        select(load_all(PROD_OPT_OUTS, environ={}), "qa")


def test_main_reports_a_bad_setting_in_one_line_without_traceback():
    env = {**os.environ, "VOTING_WEB_MEMORY": "3", "VOTING_ENVIRONMENTS": "dev"}
    result = subprocess.run(
        [sys.executable, "main.py"], cwd=PROJECT_DIR, env=env, capture_output=True, text=True
    )
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "error: setting 'web_memory' = 3 is invalid: "
        "with 256 CPU units Fargate offers 512, 1024 or 2048"
    ]
    assert result.stdout == ""


def test_docs_settings_table_matches_the_code():
    readme = (PROJECT_DIR / "docs" / "settings.md").read_text(encoding="utf-8")
    start = readme.index("<!-- settings-table:start -->\n") + len("<!-- settings-table:start -->\n")
    end = readme.index("<!-- settings-table:end -->")
    assert readme[start:end].strip() == markdown_table(), "run: python -m infra.settings"


def test_staging_is_prod_shaped_but_cheap():
    """One NAT, no interface endpoints, rolling deploys; everything else as prod."""
    settings = load_all(
        {
            "environments": {
                **PROD_OPT_OUTS["environments"],
                "staging": PROD_OPT_OUTS["environments"]["prod"],
            }
        },
        environ={},
    )
    staging, prod = settings["staging"], settings["prod"]
    assert not staging.nat_per_az and not staging.vpc_endpoints
    assert staging.web_deployment == "rolling"
    cheaper = {"nat_per_az", "vpc_endpoints", "web_deployment", "environment"}
    for field in dataclasses.fields(prod):
        if field.name not in cheaper:
            assert getattr(staging, field.name) == getattr(prod, field.name), field.name
    # A profile of its own: an environment may name it, and the settings table shows it.
    assert (
        load_all(
            {
                "environments": {
                    "qa": {"profile": "staging", **PROD_OPT_OUTS["environments"]["prod"]}
                }
            }
            | {"settings": {}},
            environ={
                "VOTING_PROD__LOCAL_STATE": "true",
                "VOTING_PROD__ALARMS_UNSUBSCRIBED": "true",
            },
        )["qa"].vpc_endpoints
        is False
    )
    assert markdown_table().splitlines()[0] == "| setting | dev | staging | prod | meaning |"


def test_the_documented_example_context_loads():
    """docs/settings.md's cdktf.json example is something a user pastes: it must synthesize."""
    text = (PROJECT_DIR / "docs" / "settings.md").read_text(encoding="utf-8")
    (block,) = re.findall(r'```json\n"context": (\{.*?\n\})\n```', text, re.S)
    environments = load_all(json.loads(block)["voting"], environ={})
    assert {"dev", "prod", "staging"} <= set(environments)
