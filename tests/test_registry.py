"""ECR repository and the frontend image built and pushed by the docker provider."""

import json
import re
import shutil
import tempfile
from pathlib import Path

from infra.registry import Registry, source_hash
from tests.helpers import assert_resource
from toolchain import terraform
from toolchain.project import FRONTEND_DIR


def test_repository_is_immutable_scanned_and_kms_encrypted(synth_dev):
    assert_resource(
        synth_dev,
        "aws_ecr_repository",
        {
            "name": "voting-app-dev-web",
            "image_tag_mutability": "IMMUTABLE",
            "image_scanning_configuration": {"scan_on_push": True},
            "encryption_configuration": [
                {"encryption_type": "KMS", "kms_key": "${aws_kms_key.encryption_key.arn}"}
            ],
        },
    )


def test_lifecycle_expires_untagged_beyond_one_and_keeps_last_tagged(synth_dev):
    policy = json.loads(
        synth_dev.resource("aws_ecr_lifecycle_policy", "registry_lifecycle")["policy"]
    )
    untagged, tagged = policy["rules"]
    assert untagged["selection"]["tagStatus"] == "untagged"
    assert untagged["selection"]["countNumber"] == 1
    assert tagged["selection"]["tagStatus"] == "tagged"
    assert tagged["selection"]["countNumber"] == 10


def test_docker_provider_logs_in_with_an_ephemeral_ecr_token(synth_dev):
    assert synth_dev.data["ephemeral"]["aws_ecr_authorization_token"] == {"registry_token": {}}
    assert "aws_ecr_authorization_token" not in synth_dev.data.get("data", {})
    (docker,) = synth_dev.data["provider"]["docker"]
    (auth,) = docker["registry_auth"]
    token = "ephemeral.aws_ecr_authorization_token.registry_token"
    assert auth["username"] == f"${{{token}.user_name}}"
    assert auth["password"] == f"${{{token}.password}}"
    assert auth["address"] == f'${{replace({token}.proxy_endpoint, "https://", "")}}'
    # A plan without Docker: the provider does not ping a daemon when it is configured.
    assert docker["disable_docker_daemon_check"] is True


def test_image_built_from_frontend_for_amd64_tagged_with_its_content_hash(synth_dev):
    image = synth_dev.resource("docker_image", "registry_image")
    build = synth_dev.resource("terraform_data", "registry_build")
    content = build["triggers_replace"]["source_hash"]
    assert re.fullmatch(r"[0-9a-f]{16}", content)
    assert image["name"] == (
        f"${{aws_ecr_repository.registry_repository.repository_url}}:{content}"
        "-${substr(terraform_data.registry_build.id, 0, 8)}"
    )
    assert image["triggers"] == {"source_hash": content}
    assert image["build"] == {"context": "../../../frontend", "platform": "linux/amd64"}
    push = synth_dev.resource("docker_registry_image", "registry_push")
    assert push["name"] == "${docker_image.registry_image.name}"
    assert push["triggers"] == {"source_hash": content}


def test_the_tag_follows_the_build_context(tmp_path):
    """Same files, same hash; one changed byte, another (how the content hash is made is
    tested below)."""
    (tmp_path / "Dockerfile").write_text("FROM scratch\n")
    first = _registry(tmp_path)
    (tmp_path / "Dockerfile").write_text("FROM scratch\nLABEL x=1\n")
    second = _registry(tmp_path)
    ((_, build_1),) = first["resource"]["terraform_data"].items()
    ((_, build_2),) = second["resource"]["terraform_data"].items()
    assert build_1["triggers_replace"] != build_2["triggers_replace"]
    assert _registry(tmp_path)["resource"]["terraform_data"] == second["resource"]["terraform_data"]


def test_web_task_runs_the_pushed_digest(synth_dev):
    (container,) = synth_dev.containers("web_task")
    assert container["image"] == (
        "${aws_ecr_repository.registry_repository.repository_url}"
        "@${docker_registry_image.registry_push.sha256_digest}"
    )


def test_source_hash_follows_content_and_ignores_caches(tmp_path):
    context = tmp_path / "frontend"
    shutil.copytree(FRONTEND_DIR, context, ignore=shutil.ignore_patterns("__pycache__"))
    before = source_hash(context)
    (context / "app" / "__pycache__").mkdir(exist_ok=True)
    (context / "app" / "__pycache__" / "x.cpython-311.pyc").write_bytes(b"cache")
    assert source_hash(context) == before
    (context / "Dockerfile").write_text((context / "Dockerfile").read_text() + "\n")
    assert source_hash(context) != before


def test_source_hash_applies_dockerignore_rules(tmp_path):
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "main.py").write_text("print('hi')\n")
    (tmp_path / "notes.md").write_text("draft\n")
    (tmp_path / "Dockerfile").write_text("FROM scratch\n")
    (tmp_path / ".dockerignore").write_text("*\n!app/\n")
    before = source_hash(tmp_path)
    (tmp_path / "notes.md").write_text("ignored by docker, so by the tag too\n")
    assert source_hash(tmp_path) == before
    (tmp_path / "app" / "main.py").write_text("print('changed')\n")
    assert source_hash(tmp_path) != before


# ---- redeploying an older frontend, with real Terraform --------------------------------------


def _registry(context: Path) -> dict:
    """The Registry construct alone, synthesized for the build context `context`."""
    from toolchain.providers import TerraformStack
    from toolchain.providers import Testing as CdkTesting

    # Given no folder, cdktf's test app makes one in the system's temp folder and leaves it there.
    with tempfile.TemporaryDirectory(prefix="registry-synth-") as outdir:
        stack = TerraformStack(CdkTesting.app(outdir=outdir), "registry")
        Registry(stack, "registry", name="r", kms_key_arn="k", context=context, stack_dir=context)
        return json.loads(CdkTesting.synth(stack))


def _deploy_tag(context: Path, workdir: Path) -> str:
    """Apply the parts of the registry that decide the tag (all built into Terraform) and
    return the tag the image would be pushed under; the state in `workdir` carries over."""
    data = _registry(context)
    ((build_name, build),) = data["resource"]["terraform_data"].items()
    ((repository_name, _),) = data["resource"]["aws_ecr_repository"].items()
    ((_, image),) = data["resource"]["docker_image"].items()
    repository_url = f"${{aws_ecr_repository.{repository_name}.repository_url}}:"
    assert image["name"].startswith(repository_url)
    config = {
        "resource": {"terraform_data": {build_name: build}},
        "output": {"tag": {"value": image["name"].removeprefix(repository_url)}},
    }
    (workdir / "main.tf.json").write_text(json.dumps(config), encoding="utf-8")
    for command in (["init"], ["apply", "-auto-approve"]):
        result = terraform.run([*command, "-input=false", "-no-color"], chdir=workdir, offline=True)
        assert result.returncode == 0, result.stdout + result.stderr
    output = terraform.run(["output", "-raw", "tag"], chdir=workdir, offline=True)
    return output.stdout


def test_redeploying_an_older_frontend_pushes_under_a_new_tag(tmp_path):
    """Deploy A, B, A again, B's tag unchanged on a repeat: ECR refuses a push to any tag that
    exists (immutable, even for the same digest), so every push must use a tag not yet there."""
    version_a, version_b = tmp_path / "a", tmp_path / "b"
    for folder, text in ((version_a, "A"), (version_b, "B")):
        folder.mkdir()
        (folder / "Dockerfile").write_text(f"FROM scratch\nLABEL version={text}\n")
    workdir = tmp_path / "stack"
    workdir.mkdir()
    pushed: list[str] = []
    for context in (version_a, version_b, version_b, version_a):
        tag = _deploy_tag(context, workdir)
        assert tag.startswith(source_hash(context)[:16] + "-"), tag
        if pushed and tag == pushed[-1]:
            continue  # unchanged frontend: same image, nothing pushed
        assert tag not in pushed, f"{tag} would be pushed over an existing tag {pushed}"
        pushed.append(tag)
    assert len(pushed) == 3
