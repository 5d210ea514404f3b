"""Rule ``file_tags``: a ``FILE TAGS`` line, whose tags every card of the file gets."""

from __future__ import annotations

import logging

from mkdeck.parse.state import BAD_FILE_TAG, ParseState
from mkdeck.parse.tags import split_tags

LOG = logging.getLogger(__name__)


def read_file_tags(state: ParseState, i: int, content: str, s: str) -> int:
    marker = state.syntax.file_tags
    consumed, value = state.directive_value(i, content, s, marker, "tags")
    if not consumed:
        return 0
    tags, bad = split_tags(value or "")
    state.file_tags.extend(tags)
    state.blocked_lines.append((i + 1, i + consumed))
    for b in bad:
        state.report(BAD_FILE_TAG, i + 1,
                    f"{b!r} in {marker} cannot be an Anki tag (no brackets, quotes or `|`): "
                    f"it is left out.")
    return consumed


def file_tags_rule(state: ParseState, i: int, raw: str, depth: int, content: str, s: str) -> int:
    """A ``FILE TAGS`` line; returns the lines consumed (0: none)."""
    if not s.startswith(state.syntax.file_tags):
        return 0
    return read_file_tags(state, i, content, s)
