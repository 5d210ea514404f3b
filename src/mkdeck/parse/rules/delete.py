"""Rule ``delete``: a ``DELETE`` line with an ID; a package cannot delete a note, so it is
reported."""

from __future__ import annotations

import logging

from mkdeck.codes import register
from mkdeck.model import (
    Severity,
)
from mkdeck.parse.state import ParseState, strip_quote
from mkdeck.scan import (
    ID_BARE_RE,
    ID_COMMENT_RE,
)

LOG = logging.getLogger(__name__)


def read_delete(state: ParseState, i: int, s: str) -> int:
    """``DELETE`` + ID line, or ``DELETE<!--ID: n-->`` (plugin EMPTY_REGEXP)."""
    rest = s[len(state.syntax.delete):]
    note_id: int | None = None
    consumed = 0
    if rest == "":
        consumed = 1
        if i + 1 < len(state.lines):
            _, nxt = strip_quote(state.lines[i + 1])
            m = ID_COMMENT_RE.fullmatch(nxt) or ID_BARE_RE.fullmatch(nxt)
            if m:
                note_id = int(m.group(1))
                consumed = 2
    else:
        m = ID_COMMENT_RE.fullmatch(rest) or ID_BARE_RE.fullmatch(rest)
        if not m:
            return 0
        note_id = int(m.group(1))
        consumed = 1
    if note_id is None:
        state.report(DELETE_NOT_SUPPORTED, i + 1,
                    f"{state.syntax.delete} at line {i + 1} has no <!--ID: n--> line after "
                    f"it, and an .apkg cannot delete notes anyway: remove the line.")
    else:
        state.report(DELETE_NOT_SUPPORTED, i + 1,
                    f"{state.syntax.delete} of note {note_id}: an .apkg import cannot delete "
                    f"notes; delete it in Anki (Browse, search nid:{note_id}), then remove "
                    f"these lines.")
    return consumed


DELETE_NOT_SUPPORTED = register(
    "MKD114", Severity.WARNING, "DELETE cannot delete from an .apkg",
    fix="Delete the note in Anki (Browse, search `nid:<id>`), then remove the DELETE lines: an "
        ".apkg import can add and update notes, never delete them.",
    bad="DELETE\n<!--ID: 1690000000000-->",
)


def delete_rule(state: ParseState, i: int, raw: str, depth: int, content: str, s: str) -> int:
    """A ``DELETE`` line; returns the lines consumed (0: none)."""
    if not s.startswith(state.syntax.delete):
        return 0
    return read_delete(state, i, s)
