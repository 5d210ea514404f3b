"""``python -m mkdeck`` runs the command line."""

from mkdeck.cli import entry_point

entry_point()
