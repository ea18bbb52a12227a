"""Settings of one environment: a frozen, typed dataclass with defaults, checked when built.

Values come, later ones winning, from: the environment's profile defaults (`dev`, `staging`,
`prod`), the `voting.settings` object of `cdktf.json`'s context (every environment), its
`voting.environments.<env>` object, `VOTING_<SETTING>` environment variables (every environment)
and `VOTING_<ENV>__<SETTING>` environment variables (one environment). A bad value raises
`SettingsError` with one line naming the setting, the value and what is allowed.

The rooms: `schema` (the fields, their defaults and meanings), `profiles` (dev, staging, prod),
`limits` (what AWS and the app allow), `validation` (the checks), `loading` (cdktf.json and the
environment) and `table` (the generated docs table).
"""

from infra.settings.limits import FARGATE_MEMORY, MAX_AZ_COUNT, MAX_VOTE_OPTIONS
from infra.settings.loading import CONTEXT_KEY, ENV_PREFIX, load_all, read_context, select
from infra.settings.profiles import ENVIRONMENTS, PROFILE_DEFAULTS, PROFILES
from infra.settings.schema import Settings
from infra.settings.table import markdown_table
from infra.settings.validation import SettingsError

__all__ = [
    "CONTEXT_KEY",
    "ENVIRONMENTS",
    "ENV_PREFIX",
    "FARGATE_MEMORY",
    "MAX_AZ_COUNT",
    "MAX_VOTE_OPTIONS",
    "PROFILES",
    "PROFILE_DEFAULTS",
    "Settings",
    "SettingsError",
    "load_all",
    "markdown_table",
    "read_context",
    "select",
]
