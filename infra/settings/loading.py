"""Building every environment's settings from its profile, cdktf.json's context and the
environment variables, each value coerced to its field's type or refused naming the setting."""

from __future__ import annotations

import json
import os
import types
import typing
from collections.abc import Mapping
from dataclasses import fields
from pathlib import Path
from typing import Any, Literal

from infra.settings.profiles import ENVIRONMENTS, PROFILE_DEFAULTS, PROFILES
from infra.settings.schema import Settings
from infra.settings.validation import SettingsError, fail

ENV_PREFIX = "VOTING_"
CONTEXT_KEY = "voting"
# VOTING_* variables that are switches of main.py, the toolchain and the loader, not settings.
_NOT_SETTINGS = {"CDK", "ENVIRONMENTS", "LAZY_PROVIDERS", "LAZY_NODE_PROVIDERS"}


def _field_types() -> dict[str, Any]:
    """The overridable settings and their types (`environment` is the key it is defined under)."""
    hints = typing.get_type_hints(Settings)
    return {f.name: hints[f.name] for f in fields(Settings) if f.name != "environment"}


def _coerce(name: str, raw: object, kind: Any) -> object:
    """Turn a JSON or environment-variable value into the field's type, or fail naming it."""
    origin = typing.get_origin(kind)
    if kind is bool:
        if isinstance(raw, bool):
            return raw
        text = str(raw).strip().lower()
        if text in {"1", "true", "yes", "on"}:
            return True
        if text in {"0", "false", "no", "off"}:
            return False
        raise fail(name, raw, "use true or false")
    if kind is int:
        if isinstance(raw, bool) or not isinstance(raw, int | str):
            raise fail(name, raw, "use a whole number")
        try:
            return int(raw)
        except ValueError:
            raise fail(name, raw, "use a whole number") from None
    if origin is tuple:
        if isinstance(raw, str):
            raw = [item.strip() for item in raw.split(",") if item.strip()]
        if not isinstance(raw, list) or not all(isinstance(item, str) for item in raw):
            raise fail(name, raw, "use a list of strings (or a comma-separated string)")
        return tuple(raw)
    if origin is Literal:
        if raw not in typing.get_args(kind):
            raise fail(name, raw, "use one of " + ", ".join(map(repr, typing.get_args(kind))))
        return raw
    if origin in (Mapping, dict) or kind is Mapping:
        if isinstance(raw, str):
            try:
                raw = json.loads(raw)
            except json.JSONDecodeError:
                raise fail(name, raw, "use a JSON object of strings") from None
        if not isinstance(raw, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in raw.items()
        ):
            raise fail(name, raw, "use a JSON object of strings")
        return types.MappingProxyType(dict(raw))
    if not isinstance(raw, str):
        raise fail(name, raw, "use a string")
    return raw


def _overrides(source: str, values: object, kinds: Mapping[str, Any]) -> dict[str, object]:
    if not isinstance(values, dict):
        raise SettingsError(f"{source} must be a JSON object of settings")
    unknown = sorted(set(values) - set(kinds) - {"profile"})
    if unknown:
        raise SettingsError(
            f"unknown setting '{unknown[0]}' in {source}; known: {', '.join(sorted(kinds))}"
        )
    return {k: _coerce(k, v, kinds[k]) for k, v in values.items() if k != "profile"}


def _env_overrides(prefix: str, environ: Mapping[str, str], kinds: Mapping[str, Any]) -> dict:
    found = {}
    for key, value in environ.items():
        name = key[len(prefix) :]
        if not key.startswith(prefix) or "__" in name or name in _NOT_SETTINGS:
            continue
        if name.lower() not in kinds:
            raise SettingsError(f"unknown setting '{name.lower()}' in environment variable {key}")
        found[name.lower()] = _coerce(name.lower(), value, kinds[name.lower()])
    return found


def read_context(cdktf_json: Path) -> dict[str, Any]:
    """Return the `voting` object of cdktf.json's context (empty if there is none)."""
    try:
        config = json.loads(cdktf_json.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as error:
        raise SettingsError(f"cannot read settings from {cdktf_json.name}: {error}") from None
    context = config.get("context", {}).get(CONTEXT_KEY, {})
    if not isinstance(context, dict):
        raise SettingsError(f"context.{CONTEXT_KEY} in {cdktf_json.name} must be a JSON object")
    return context


def load_all(
    context: Mapping[str, Any], environ: Mapping[str, str] = os.environ
) -> dict[str, Settings]:
    """Build the settings of every environment: dev, prod and any defined in the context (an
    environment named like a profile, such as `staging`, is on that profile)."""
    kinds = _field_types()
    common = _overrides(f"context.{CONTEXT_KEY}.settings", context.get("settings", {}), kinds)
    defined = context.get("environments", {})
    if not isinstance(defined, dict):
        raise SettingsError(f"context.{CONTEXT_KEY}.environments must be a JSON object")
    result = {}
    for env in dict.fromkeys([*ENVIRONMENTS, *defined]):
        source = f"context.{CONTEXT_KEY}.environments.{env}"
        own = defined.get(env, {})
        profile = (
            own.get("profile", env if env in PROFILES else None) if isinstance(own, dict) else None
        )
        if profile not in PROFILES:
            raise fail(f"{env}.profile", profile, f"a new environment needs a profile: {PROFILES}")
        values: dict[str, object] = {"environment": env, **PROFILE_DEFAULTS[profile]}
        values.update(common)
        values.update(_overrides(source, own, kinds))
        values.update(_env_overrides(ENV_PREFIX, environ, kinds))
        env_prefix = f"{ENV_PREFIX}{env.upper().replace('-', '_')}__"
        values.update(_env_overrides(env_prefix, environ, kinds))
        result[env] = Settings(**values)
    return result


def select(all_settings: Mapping[str, Settings], wanted: str) -> list[Settings]:
    """Pick the environments named in `wanted` (comma-separated; empty: all)."""
    names = [name.strip() for name in wanted.split(",") if name.strip()] or list(all_settings)
    for name in names:
        if name not in all_settings:
            raise SettingsError(
                f"unknown environment '{name}' in {ENV_PREFIX}ENVIRONMENTS; "
                f"known: {', '.join(all_settings)}"
            )
    return [all_settings[name] for name in names]
