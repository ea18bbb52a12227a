"""ECR repository and the frontend image built and pushed by the docker provider."""

import json
import shutil

from infra.project import FRONTEND_DIR
from infra.registry import source_hash
from tests.helpers import assert_resource


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


def test_docker_provider_logs_in_with_an_ecr_token(synth_dev):
    (docker,) = synth_dev.data["provider"]["docker"]
    (auth,) = docker["registry_auth"]
    token = "data.aws_ecr_authorization_token.registry_token"
    assert auth["username"] == f"${{{token}.user_name}}"
    assert auth["password"] == f"${{{token}.password}}"
    assert auth["address"] == f'${{replace({token}.proxy_endpoint, "https://", "")}}'


def test_image_built_from_frontend_for_amd64_tagged_with_its_content_hash(synth_dev):
    image = synth_dev.resource("docker_image", "registry_image")
    tag = source_hash(FRONTEND_DIR)[:16]
    assert image["name"] == f"${{aws_ecr_repository.registry_repository.repository_url}}:{tag}"
    assert image["build"] == {"context": "../../../frontend", "platform": "linux/amd64"}
    push = synth_dev.resource("docker_registry_image", "registry_push")
    assert push["name"] == "${docker_image.registry_image.name}"


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
