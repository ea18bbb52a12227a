"""The public assertions users write their own stack tests with (infra.testing)."""

from __future__ import annotations

import pytest

from infra.testing import assert_every, assert_none

STACK = {
    "resource": {
        "aws_s3_bucket": {
            "logs": {"bucket": "logs", "tags": {"team": "ops", "env": "dev"}},
            "data": {"bucket": "data", "tags": {"team": "web"}},
            "tmp": {"bucket": "tmp"},
        }
    }
}


def test_every_passes_when_each_resource_holds_the_subset():
    stack = {
        "resource": {"aws_s3_bucket": {"a": {"acl": "private", "x": 1}, "b": {"acl": "private"}}}
    }
    assert_every(stack, "aws_s3_bucket", {"acl": "private"})


def test_every_names_each_offender_and_what_it_holds_instead():
    with pytest.raises(AssertionError) as error:
        assert_every(STACK, "aws_s3_bucket", {"tags": {"team": "ops"}})
    assert str(error.value).splitlines() == [
        '2 of 3 aws_s3_bucket do not hold {"tags": {"team": "ops"}}:',
        '  aws_s3_bucket.data: tags: {"team": "web"} (expected {"team": "ops"})',
        '  aws_s3_bucket.tmp: tags: "<missing>" (expected {"team": "ops"})',
    ]


def test_every_refuses_a_stack_without_the_type():
    with pytest.raises(AssertionError, match="the stack has no aws_vpc"):
        assert_every(STACK, "aws_vpc", {"cidr_block": "10.0.0.0/16"})


def test_none_names_the_resources_that_hold_what_is_unwanted():
    assert_none(STACK, "aws_s3_bucket", {"tags": {"team": "sales"}})
    with pytest.raises(AssertionError) as error:
        assert_none(STACK, "aws_s3_bucket", {"tags": {"team": "web"}})
    assert str(error.value).splitlines() == [
        '1 aws_s3_bucket hold {"tags": {"team": "web"}}:',
        "  aws_s3_bucket.data",
    ]


def test_on_a_real_stack(synth_dev):
    assert_every(
        synth_dev.text, "aws_ecs_task_definition", {"requires_compatibilities": ["FARGATE"]}
    )
    assert_none(synth_dev.data, "aws_vpc_security_group_egress_rule", {"ip_protocol": "-1"})
