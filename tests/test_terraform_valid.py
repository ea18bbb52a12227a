"""`terraform validate` through cdktf: runs only where terraform can download the providers."""

import shutil
import socket

import pytest

REGISTRY = ("registry.terraform.io", 443)


def _registry_unreachable() -> str | None:
    if shutil.which("terraform") is None:
        return "terraform is not installed"
    try:
        socket.create_connection(REGISTRY, timeout=5).close()
    except OSError as error:
        return f"the provider registry {REGISTRY[0]} is unreachable ({error})"
    return None


def test_stack_is_valid_terraform(dev_settings):
    reason = _registry_unreachable()
    if reason:
        pytest.skip(f"cannot run terraform init/validate offline: {reason}")
    from infra.providers import Testing as CdkTesting
    from infra.stack import VotingStack

    stack = VotingStack(CdkTesting.app(), dev_settings)
    assert CdkTesting.to_be_valid_terraform(CdkTesting.full_synth(stack))
