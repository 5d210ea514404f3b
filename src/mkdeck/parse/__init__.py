"""Parsing: the Obsidian_to_Anki card grammar → :class:`~mkdeck.model.Note` objects.

``parse_file`` reads one decoded note file; ``parse_files`` the selected files of a vault.
:mod:`mkdeck.parse.grammar` drives the rules of :mod:`mkdeck.parse.rules` (one module each:
block, deck, file_tags, frozen, delete, inline, frontmatter) over a
:class:`~mkdeck.parse.state.ParseState`; :mod:`mkdeck.parse.finish` makes the notes. Tags are
:mod:`mkdeck.parse.tags`, cloze shorthand :mod:`mkdeck.parse.cloze`; the lexical scanner they
share with the other stages is :mod:`mkdeck.scan`.
"""

from __future__ import annotations

from mkdeck.parse.grammar import parse_file, parse_files

__all__ = ["parse_file", "parse_files"]
