"""The assertion helpers explain a mismatch with what the stack actually has."""

import json

import pytest

from tests.helpers import Synth, assert_no_resource, assert_resource

STACK = {
    "resource": {
        "aws_lb": {
            "web": {"internal": False, "name": "web", "subnets": ["a", "b"]},
            "redis": {"internal": True, "name": "redis", "subnets": ["a", "b"]},
        }
    }
}
SYNTH = Synth(text=json.dumps(STACK), data=STACK)


def test_match_passes_silently():
    assert_resource(SYNTH, "aws_lb", {"name": "redis", "internal": True})


def test_mismatch_names_the_closest_resource_and_its_values():
    with pytest.raises(AssertionError) as error:
        assert_resource(SYNTH, "aws_lb", {"name": "web", "internal": True})
    message = str(error.value)
    assert 'no aws_lb has {"internal": true, "name": "web"}' in message
    assert "closest is aws_lb.web" in message
    assert '{"internal": false}' in message


def test_lists_must_match_exactly():
    with pytest.raises(AssertionError, match=r'"subnets": \["a", "b"\]'):
        assert_resource(SYNTH, "aws_lb", {"name": "web", "subnets": ["a"]})


def test_missing_type_and_negative_assertion():
    with pytest.raises(AssertionError, match="the stack has no aws_vpc at all"):
        assert_resource(SYNTH, "aws_vpc", {"cidr_block": "10.0.0.0/16"})
    assert_no_resource(SYNTH, "aws_lb", {"internal": "maybe"})
    with pytest.raises(AssertionError, match=r"aws_lb\.redis"):
        assert_no_resource(SYNTH, "aws_lb", {"internal": True})
