"""Registry and image: the ECR repository, and the frontend image built and pushed into it."""

from __future__ import annotations

import fnmatch
import hashlib
import json
import os
from pathlib import Path

from infra.policies import Account
from toolchain.providers import (
    Construct,
    DockerImage,
    DockerProvider,
    DockerProviderRegistryAuth,
    DockerRegistryImage,
    EcrLifecyclePolicy,
    EcrPullThroughCacheRule,
    EcrRepository,
    EcrRepositoryEncryptionConfiguration,
    Fn,
    TerraformResource,
    TerraformStack,
)

PLATFORM = "linux/amd64"


def source_hash(context: Path) -> str:
    """A content hash of the build context: relative paths and bytes of what docker would send.

    `.dockerignore` rules apply as docker applies them (in order, the last match wins, `!`
    re-includes); the Dockerfile always counts. So the tag changes exactly when the image's
    input does, on every machine alike.
    """
    rules = [(False, "**/__pycache__"), (False, "**/*.pyc")]
    ignore_file = context / ".dockerignore"
    if ignore_file.is_file():
        for line in ignore_file.read_text(encoding="utf-8").splitlines():
            line = line.strip()
            if line and not line.startswith("#"):
                rules.append((line.startswith("!"), line.removeprefix("!").strip("/")))

    digest = hashlib.sha256()
    for path in sorted(p for p in context.rglob("*") if p.is_file()):
        relative = path.relative_to(context).as_posix()
        if relative != "Dockerfile" and _ignored(relative, rules):
            continue
        digest.update(relative.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def _ignored(relative: str, rules: list[tuple[bool, str]]) -> bool:
    """Whether .dockerignore `rules` leave `relative` out of the build context."""
    parts = relative.split("/")
    prefixes = ["/".join(parts[: i + 1]) for i in range(len(parts))]
    ignored = False
    for include, pattern in rules:
        if pattern.startswith("**/"):
            hit = any(fnmatch.fnmatchcase(part, pattern[3:]) for part in parts)
        else:
            hit = any(fnmatch.fnmatchcase(prefix, pattern) for prefix in prefixes)
        if hit:
            ignored = not include
    return ignored


class Registry(Construct):
    """An ECR repository with a lifecycle policy, and the frontend image built into it.

    The repository keeps immutable, scanned, KMS-encrypted images. The docker provider logs in
    with a short-lived ECR token (ephemeral: never in the state), builds `context` for
    linux/amd64 and pushes it; `image_uri` pins the pushed digest for the task definition.

    The tag is `<content hash>-<build id>`. The content hash makes an unchanged frontend
    neither rebuilt nor pushed. The build id is a `terraform_data` resource's id, which is new
    each time the content hash changes: redeploying an older frontend builds it again under a
    new tag, because its old tag still exists and ECR refuses any push to an immutable tag,
    even of the same digest.
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        name: str,
        kms_key_arn: str,
        context: Path,
        stack_dir: Path,
        keep_tagged: int = 10,
        force_delete: bool = False,
    ) -> None:
        """Create the repository, lifecycle policy, docker provider, image and push.

        `context` is the build context folder; `stack_dir` is where cdktf writes this stack, so
        the build path in the JSON is relative and the same on every machine. `keep_tagged`
        (default 10) tagged images are kept; untagged ones beyond 1 expire. `force_delete`
        (default False: a repository holding images stops `destroy`) deletes the images with it.
        """
        super().__init__(scope, id)
        self.repository = EcrRepository(
            self,
            "repository",
            name=name,
            image_tag_mutability="IMMUTABLE",
            force_delete=force_delete,
            image_scanning_configuration={"scan_on_push": True},
            encryption_configuration=[
                EcrRepositoryEncryptionConfiguration(encryption_type="KMS", kms_key=kms_key_arn)
            ],
        )
        EcrLifecyclePolicy(
            self,
            "lifecycle",
            repository=self.repository.name,
            policy=json.dumps(
                {
                    "rules": [
                        {
                            "rulePriority": 1,
                            "description": "Expire untagged images beyond the newest one",
                            "selection": {
                                "tagStatus": "untagged",
                                "countType": "imageCountMoreThan",
                                "countNumber": 1,
                            },
                            "action": {"type": "expire"},
                        },
                        {
                            "rulePriority": 2,
                            "description": f"Keep the last {keep_tagged} tagged images",
                            "selection": {
                                "tagStatus": "tagged",
                                "tagPatternList": ["*"],
                                "countType": "imageCountMoreThan",
                                "countNumber": keep_tagged,
                            },
                            "action": {"type": "expire"},
                        },
                    ]
                }
            ),
        )

        # The registry login is an ephemeral resource: Terraform fetches a fresh token whenever it
        # plans or applies and never saves it in the state. It needs no argument, so the
        # docker provider's configuration is known at plan time even on a stack's first deploy.
        token = "ephemeral.aws_ecr_authorization_token.registry_token"
        TerraformStack.of(self).add_override(token, {})
        DockerProvider(
            self,
            "docker",
            # A plan (a reviewer's, CI's) needs no Docker daemon; the build on apply does.
            disable_docker_daemon_check=True,
            registry_auth=[
                DockerProviderRegistryAuth(
                    # The registry host only: the token's endpoint carries a scheme.
                    address=f'${{replace({token}.proxy_endpoint, "https://", "")}}',
                    username=f"${{{token}.user_name}}",
                    password=f"${{{token}.password}}",
                )
            ],
        )
        content = source_hash(context)[:16]
        # Built into Terraform (1.4+). Not cdktf's DataResource: it runs `terraform version` at
        # synth to check for that, and synth must need no Terraform.
        build = TerraformResource(self, "build", terraform_resource_type="terraform_data")
        build.add_override("triggers_replace", {"source_hash": content})
        self.tag = f"{content}-{Fn.substr(build.get_string_attribute('id'), 0, 8)}"
        image = DockerImage(
            self,
            "image",
            name=f"{self.repository.repository_url}:{self.tag}",
            build_attribute={
                "context": Path(os.path.relpath(context, stack_dir)).as_posix(),
                "platform": PLATFORM,
            },
            platform=PLATFORM,
            keep_locally=True,
            triggers={"source_hash": content},
        )
        self.pushed = DockerRegistryImage(
            self,
            "push",
            name=image.name,
            # Older images stay for a rollback; the lifecycle policy expires them.
            keep_remotely=True,
            triggers={"source_hash": content},
        )
        self.image_uri: str = f"{self.repository.repository_url}@{self.pushed.sha256_digest}"


class PullThroughCache(Construct):
    """ECR's pull-through cache of ECR Public: tasks pull public images from this account's
    registry (through the VPC endpoints where there are some), never from Docker Hub.

    ECR creates the cached repository `<prefix>/<upstream repository>` on the first pull; it is
    not Terraform's, so it stays in the account when the stack is destroyed.
    """

    UPSTREAM = "public.ecr.aws"

    def __init__(self, scope: Construct, id: str, *, name: str, account: Account) -> None:
        """Create the rule for the prefix `<name>-pub` (ECR allows 30 characters)."""
        super().__init__(scope, id)
        prefix = f"{name}-pub"
        if len(prefix) > 30:
            raise ValueError(f"'{prefix}' is longer than ECR's 30 characters for a prefix")
        self.rule = EcrPullThroughCacheRule(
            self,
            "cache",
            ecr_repository_prefix=prefix,
            upstream_registry_url=self.UPSTREAM,
        )
        self._account = account

    def repository_arn(self, image: str) -> str:
        """The cached repository of `image` (`<repository>:<tag>@<digest>`)."""
        repository = image.split(":", 1)[0]
        return self._account.arn(
            "ecr", f"repository/{self.rule.ecr_repository_prefix}/{repository}"
        )

    def image_uri(self, image: str) -> str:
        """`image` as tasks pull it: from the cache, by digest alone."""
        repository, digest = image.split(":", 1)[0], image.split("@", 1)[1]
        registry = f"{self._account.id}.dkr.ecr.{self._account.region}.amazonaws.com"
        return f"{registry}/{self.rule.ecr_repository_prefix}/{repository}@{digest}"
