"""`python -m infra.settings` prints the settings table of docs/settings.md."""

from infra.settings.table import markdown_table

print(markdown_table())
