"""Readable review of a synthesized stack and of a Terraform plan: `python -m infra.review`."""
