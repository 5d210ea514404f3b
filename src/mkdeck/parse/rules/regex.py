"""Rule ``regex``: the notes of the regex note styles (:mod:`mkdeck.parse.regex_notes`), found
in a pass over the whole file after the line rules (the plugin reads block and inline notes
first, then the styles), never where a card, a directive, a FROZEN block or the frontmatter is
(the line rules record those in :class:`~mkdeck.parse.state.ParseState`)."""

from __future__ import annotations

import bisect
import logging
from collections.abc import Callable

from mkdeck.model import Diagnostic
from mkdeck.parse.cloze import convert_shorthand
from mkdeck.parse.regex_notes import RegexMatch, RegexRunner
from mkdeck.parse.state import BAD_TAGS_LINE, ParseState, Pending
from mkdeck.parse.tags import split_tags
from mkdeck.scan import has_cloze

LOG = logging.getLogger(__name__)


def regex_rule(state: ParseState, runner: RegexRunner) -> None:
    """Add the matches of ``runner``'s styles in ``state``'s file to its pending notes, which
    are then kept in document order."""
    if not runner.styles:
        return
    starts = [0]
    for line in state.lines[:-1]:
        starts.append(starts[-1] + len(line) + 1)

    def line_of(offset: int) -> int:
        return bisect.bisect_right(starts, offset)

    blocked = [(starts[a - 1], starts[b - 1] + len(state.lines[b - 1]))
               for a, b in state.blocked_lines]
    blocked.extend((starts[ln - 1] + c0, starts[ln - 1] + c1)
                   for ln, c0, c1 in state.blocked_inline)
    matches, diags = runner.scan(state.path, "\n".join(state.lines), blocked,
                                 lambda m: _accept(state, m), line_of)
    state.diagnostics.extend(diags)
    for m in matches:
        state.pending.append(_pending(state, m, starts, line_of))
    state.pending.sort(key=lambda q: (q.location.line, q.location.column or 0))


def _accept(state: ParseState, m: RegexMatch) -> bool:
    """The plugin's ``CLOZE_ERROR``: a Cloze match without a deletion is no note."""
    if m.note_type.kind != "cloze":
        return True
    config = state.config
    texts = [value.strip() for value, _ in m.groups]
    if config.curly_cloze or config.highlight_cloze:
        texts = convert_shorthand(texts, curly=config.curly_cloze,
                                  highlight=config.highlight_cloze)
    frozen = state.frozen.get(m.note_type.name) or {}
    texts.extend(t for parts in frozen.values() for _, t in parts)
    return any(has_cloze(t) for t in texts)


def _pending(state: ParseState, m: RegexMatch, starts: list[int],
             line_of: Callable[[int], int]) -> Pending:
    note_type = m.note_type
    fields: dict[str, list[tuple[int, str]]] = {f: [] for f in note_type.fields}
    field_starts: dict[str, int] = {}
    for name, (value, offset) in zip(note_type.fields, m.groups):
        body = value.strip()
        first = line_of(offset + len(value) - len(value.lstrip()))
        field_starts[name] = first
        if body:
            fields[name] = [(first + k, t) for k, t in enumerate(body.split("\n"))]
    line = line_of(m.start)
    warnings: list[Diagnostic] = []
    tags: list[str] = []
    if m.tags is not None:
        tags, bad = split_tags(m.tags)
        if bad:
            warnings.append(BAD_TAGS_LINE.at(
                state.loc(line),
                f"Tags: of the regex note at line {line} holds "
                f"{', '.join(repr(b) for b in bad[:3])}, which cannot be tags: they are "
                f"left out."))
    end_line = line_of(m.end)
    last_line = line_of(max(m.start, m.end - 1))
    return Pending(
        location=state.loc(line, m.start - starts[line - 1] + 1), note_type=note_type,
        fields=fields, field_starts=field_starts, tags=tags, id=m.note_id, kind="regex",
        end_line=end_line, id_line=last_line if m.note_id is not None else None,
        deck=None, deck_state=bisect.bisect_right(state.deck_lines, line) - 1,
        warnings=warnings, end_column=m.end - starts[end_line - 1] + 1)
