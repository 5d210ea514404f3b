"""Parsing: the Obsidian_to_Anki card grammar → :class:`~mkdeck.model.Note` objects.

``parse_file`` reads one decoded note file; ``parse_files`` the selected files of a vault.
The grammar lives in :mod:`mkdeck.parse.grammar`, tags in :mod:`mkdeck.parse.tags`, cloze
shorthand in :mod:`mkdeck.parse.cloze`.
"""

from __future__ import annotations

from mkdeck.parse.grammar import parse_file, parse_files

__all__ = ["parse_file", "parse_files"]
