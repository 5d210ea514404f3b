"""Rule ``inline``: ``STARTI [Type] front Back: back ENDI`` notes written on one line."""

from __future__ import annotations

import logging
import re

from mkdeck.codes import register
from mkdeck.config.notetypes import NoteTypeIndex
from mkdeck.model import (
    NoteType,
    Severity,
)
from mkdeck.parse.state import BAD_TAGS_LINE, UNKNOWN_NOTE_TYPE, ParseState, Pending
from mkdeck.parse.tags import split_tags
from mkdeck.scan import (
    INLINE_ID_RE,
)

LOG = logging.getLogger(__name__)


def _inside_word(content: str, k: int, length: int) -> bool:
    """Whether the marker at ``content[k:k + length]`` is part of a longer word (a letter,
    digit or ``_`` touches the marker's own letter at either end): ``RESTARTING``,
    ``STARTING`` or ``13_STARTI-x`` is prose, not ``STARTI``. The plugin's ``STARTI(.*?)ENDI``
    matches inside words and then fails on the missing ``[Type]``; mkdeck reads such text as
    text, with no finding (a new-user trial found ``RESTARTING … PENDING`` made MKD116)."""
    def word(c: str) -> bool:
        return c.isalnum() or c == "_"

    before = content[k - 1] if k > 0 else ""
    after = content[k + length] if k + length < len(content) else ""
    # as a regex's \b would: only a marker's own word characters can be glued to a word
    return ((word(content[k]) and bool(before) and word(before))
            or (word(content[k + length - 1]) and bool(after) and word(after)))


def read_inline(state: ParseState, i: int, raw: str, content: str) -> None:
    syntax = state.syntax
    si, ei = syntax.start_inline, syntax.end_inline
    lineno = i + 1
    offset = len(raw) - len(content)
    pos = 0
    ticks = 0  # backticks before `pos`: an odd count means inside a code span
    while True:
        k = content.find(si, pos)
        if k < 0:
            return
        ticks += content.count("`", pos, k)
        if ticks % 2 == 1 or _inside_word(content, k, len(si)):
            pos = k + len(si)
            continue
        e = content.find(ei, k + len(si))
        if e < 0:
            state.report(UNCLOSED_INLINE, lineno,
                        f"{si} at line {lineno} has no {ei} after it on the same line: end "
                        f"the inline note with {ei} (inline notes cannot span lines).",
                        column=offset + k + 1)
            return
        state.blocked_inline.append((lineno, offset + k, offset + e + len(ei)))
        inline_note(state, lineno, offset + k + 1, content[k + len(si):e],
                          offset + k + len(si) + 1)
        ticks += content.count("`", k, e + len(ei))
        pos = e + len(ei)


def inline_note(state: ParseState, lineno: int, column: int, body: str, body_column: int) -> None:
    m = _INLINE_TYPE_RE.match(body)
    if not m:
        state.report(INLINE_WITHOUT_TYPE, lineno,
                    f"inline note at line {lineno} has no [Type] right after "
                    f"{state.syntax.start_inline}: write e.g. `{state.syntax.start_inline} "
                    f"[Basic] question Back: answer {state.syntax.end_inline}`; it is skipped.",
                    column=column)
        return
    written = m.group(1).strip()
    note_type = state.index.resolve(written)
    if note_type is None:
        state.report(UNKNOWN_NOTE_TYPE, lineno,
                    f"unknown note type {written!r} in the inline note at line {lineno}: use "
                    f"one of {', '.join(state.index.names())}; it is skipped.", column=column)
        return
    text = body[m.end():]
    note_id = None
    idm = INLINE_ID_RE.search(text)
    if idm:
        note_id = int(idm.group(1))
        text = text[:idm.start()] + text[idm.end():]
    tags: list[str] = []
    tm = _INLINE_TAGS_RE.search(text)
    if tm:
        found, bad = split_tags(tm.group(1))
        if bad:
            state.report(BAD_TAGS_LINE, lineno,
                        f"Tags: in the inline note at line {lineno} holds "
                        f"{', '.join(repr(b) for b in bad[:3])}, which cannot be tags: they "
                        f"are left out.", column=column)
        tags = found
        text = text[:tm.start()]
    fields: dict[str, list[tuple[int, str]]] = {f: [] for f in note_type.fields}
    pattern = _inline_field_re(state.index, note_type)
    current = note_type.fields[0]
    pos = 0
    for fm in pattern.finditer(text):
        canon = state.index.field_name(note_type, fm.group(1))
        if canon is None:
            continue
        fields[current].append((lineno, text[pos:fm.start()]))
        current = canon
        pos = fm.end()
    fields[current].append((lineno, text[pos:]))
    for name, parts in fields.items():
        joined = " ".join(t.strip() for _, t in parts if t.strip())
        fields[name] = [(lineno, joined)] if joined else []
    state.pending.append(Pending(
        location=state.loc(lineno, column), note_type=note_type, fields=fields,
        field_starts={}, tags=tags, id=note_id, kind="inline", end_line=lineno,
        id_line=lineno if note_id is not None else None, deck=None,
        deck_state=len(state.decks) - 1))


INLINE_WITHOUT_TYPE = register(
    "MKD116", Severity.ERROR, "inline note without [Type]",
    fix="Write the note type in brackets right after STARTI: `STARTI [Basic] question Back: "
        "answer ENDI`.",
)


UNCLOSED_INLINE = register(
    "MKD120", Severity.WARNING, "STARTI without ENDI on the line",
    fix="End the inline note with ENDI on the same line (inline notes cannot span lines), or "
        "write it as a START/END block.",
)


_INLINE_TYPE_RE = re.compile(r"\s*\[([^\[\]\n]*)\]")


_INLINE_TAGS_RE = re.compile(r"(?:^|(?<=\s))Tags:(.*)$", re.DOTALL)


_INLINE_FIELD_CACHE: dict[tuple[str, tuple[str, ...], tuple[tuple[str, str], ...]], re.Pattern[str]] = {}


def _inline_field_re(index: NoteTypeIndex, note_type: NoteType) -> re.Pattern[str]:
    """Regex of ``Field:`` words that switch field in an inline note (a whole word, preceded by
    whitespace or the start; research §3), longest names first."""
    key = (note_type.name, note_type.fields, note_type.field_aliases)
    pattern = _INLINE_FIELD_CACHE.get(key)
    if pattern is None:
        names = set(note_type.fields) | {a for a, _ in note_type.field_aliases}
        alternatives = "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
        pattern = re.compile(rf"(?:^|(?<=\s))({alternatives}):(?=\s|$)", re.IGNORECASE)
        _INLINE_FIELD_CACHE[key] = pattern
    return pattern


def inline_rule(state: ParseState, i: int, raw: str, depth: int, content: str, s: str) -> int:
    """``STARTI … ENDI`` notes on the line; consumes nothing (the line may hold text too)."""
    if state.syntax.start_inline in content:
        read_inline(state, i, raw, content)
    return 0
