"""Readable Terraform addresses for any stack: `aws_subnet.network_public_0`, not a hash."""

from __future__ import annotations

from toolchain.providers import Construct, Node, TerraformElement, TerraformStack


class ReadableStack(TerraformStack):
    """A stack that names each resource after its construct path (`web/service` ->
    `web_service`) instead of cdktf's default, which appends a hash to every nested id and
    makes `terraform plan` hard to read. Use it as the base of any stack of these constructs.

    A logical id is part of the state address: renaming a construct replaces its resources
    (unless a `moved` block says otherwise, written as a stack override: cdktf's `move_from_id` runs
    `terraform version` at synth).
    """

    def __init__(self, scope: Construct, id: str) -> None:
        super().__init__(scope, id)
        self._logical_ids: dict[str, str] = {}

    def _allocate_logical_id(self, tf_element: Node | TerraformElement) -> str:
        """The construct path below the stack, `/` and `-` as `_`; paths are unique in the
        tree, and the check keeps the joined ids unique too."""
        node = getattr(tf_element, "node", tf_element)
        path = node.path.split("/", 1)[1]
        logical_id = path.replace("/", "_").replace("-", "_")
        owner = self._logical_ids.setdefault(logical_id, path)
        if owner != path:
            raise ValueError(f"'{path}' and '{owner}' would both be named {logical_id}")
        return logical_id
