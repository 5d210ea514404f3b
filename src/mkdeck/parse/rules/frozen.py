"""Rule ``frozen``: a ``FROZEN - NoteType:`` block, whose fields are appended to every note of
that type in the file (the plugin's frozen fields)."""

from __future__ import annotations

import logging

from mkdeck.codes import register
from mkdeck.model import (
    Severity,
)
from mkdeck.parse.state import PREFIX_RE, ParseState, strip_quote

LOG = logging.getLogger(__name__)


def read_frozen(state: ParseState, i: int, s: str) -> int:
    """``FROZEN - Type:`` and the lines up to the first blank line (plugin FROZEN_REGEXP)."""
    type_name = s[len(state.syntax.frozen) + 3:-1].strip()
    j = i + 1
    body: list[tuple[int, str]] = []
    while j < len(state.lines):
        _, content = strip_quote(state.lines[j])
        if not content.strip():
            break
        body.append((j + 1, content))
        j += 1
    note_type = state.index.resolve(type_name)
    if note_type is None:
        state.report(FROZEN_UNKNOWN_TYPE, i + 1,
                    f"FROZEN block for unknown note type {type_name!r}: name one of "
                    f"{', '.join(state.index.names())}; the block is ignored.")
        return j
    fields: dict[str, list[tuple[int, str]]] = {f: [] for f in note_type.fields}
    current = note_type.fields[0]
    for lineno, content in body:
        m = PREFIX_RE.match(content)
        if m:
            canon = state.index.field_name(note_type, m.group(1))
            if canon is not None:
                current = canon
                rest = content[m.end():]
                fields[current].append((lineno, rest.removeprefix(" ")))
                continue
        fields[current].append((lineno, content))
    state.frozen[note_type.name] = fields
    state.blocked_lines.append((i + 1, j))
    return j


FROZEN_UNKNOWN_TYPE = register(
    "MKD115", Severity.WARNING, "FROZEN block for an unknown note type",
    fix="Name a known note type after `FROZEN - ` (e.g. `FROZEN - Basic:`); the block is ignored.",
)


def frozen_rule(state: ParseState, i: int, raw: str, depth: int, content: str, s: str) -> int:
    """A ``FROZEN - Type:`` block; returns the lines consumed (0: none)."""
    if not (s.startswith(state.syntax.frozen + " - ") and s.endswith(":")):
        return 0
    return read_frozen(state, i, s) - i
