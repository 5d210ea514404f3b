"""The card grammar: one note file's text → :class:`~mkdeck.model.Note` objects and diagnostics.

The grammar is Obsidian_to_Anki's (plugin v3.6, ``src/note.ts``, ``src/file.ts``; research
§2–§6) with the decisions ``tests/data/corpus/EXPECTED.md`` pins down:

1. ``START``, ``END``, ``TARGET DECK``, ``FILE TAGS`` and the note-type line are matched at line
   start after trimming trailing whitespace (which gets a compatibility warning: the plugin
   would ignore the block). ``END`` closes when followed by nothing or a non-word character
   (``END> %%`` closes, ``ENDgame`` does not). ``STARTI … ENDI`` may stand anywhere in a line.
2. Blocks count at line start, inside callouts/blockquotes (``> `` stripped), inside ``%%``
   comments, and inside fences whose info string is ``anki``; not inside other fences.
3. A ``START`` not closed before the next ``START`` or the end of the file is an error; that
   card is skipped, the next one parses. ``END`` without ``START`` is a warning.
4. Note type: the first non-blank line (see :class:`~mkdeck.config.notetypes.NoteTypeIndex`).
5. ``Name:`` at line start switches field, case-insensitively, never inside a fence; a ``Word:``
   that is no field of any known type is text; a field of another type gets a warning and its
   text goes to this type's last field.
6. Tags (``Tags:`` anywhere in the block, FILE TAGS, frontmatter, folders), IDs
   (``<!--ID: n-->`` anywhere, bare ``ID: n`` as the last line), TARGET DECK (nearest above;
   the first one for cards above it; inside a block: that card only), FROZEN, DELETE.

The driver here (:func:`run`) tries the rules of :data:`LINE_RULES` (modules of
:mod:`mkdeck.parse.rules`, each declaring the codes it raises) on every line outside code
fences, then :func:`~mkdeck.parse.rules.spaced_repetition.read_spaced_repetition` on the
lines no rule claimed; :mod:`mkdeck.parse.finish` turns the pending notes into notes.

Parsing is one pass over the lines with O(1) work per line (plus one lazily built look-ahead
table when a fence inside a card is left open), so it is linear in the file's size.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import replace

from mkdeck.codes import register
from mkdeck.config.notetypes import NoteTypeIndex
from mkdeck.model import (
    Config,
    Diagnostic,
    Note,
    NoteFile,
    Severity,
)
from mkdeck.parse.finish import finish_notes
from mkdeck.parse.regex_notes import RegexRunner
from mkdeck.parse.rules.block import block_rule
from mkdeck.parse.rules.deck import deck_rule
from mkdeck.parse.rules.delete import delete_rule
from mkdeck.parse.rules.file_tags import file_tags_rule
from mkdeck.parse.rules.frontmatter import read_frontmatter
from mkdeck.parse.rules.frozen import frozen_rule
from mkdeck.parse.rules.inline import inline_rule
from mkdeck.parse.rules.regex import regex_rule
from mkdeck.parse.rules.markers import marker_hint, note_start_like
from mkdeck.parse.rules.spaced_repetition import read_spaced_repetition
from mkdeck.parse.state import ParseState, is_end, strip_quote
from mkdeck.scan import (
    Fence,
    fence_closes,
    fence_open,
)

LOG = logging.getLogger(__name__)


ORPHAN_END = register(
    "MKD102", Severity.WARNING, "END without START",
    fix="Remove the stray END line, or add the START (and note type) of the card it closes.",
    bad="front\nBack: back\nEND", good="START\nBasic\nfront\nBack: back\nEND",
)


HIDDEN_IN_FENCE = register(
    "MKD117", Severity.WARNING, "cards hidden by an unclosed code fence",
    fix="Close the code fence (a line of ``` after the code); everything after an unclosed fence "
        "is code, so the cards there are not read.",
)


def run(state: ParseState) -> None:
    """Read every line of ``state``'s file: frontmatter first, then each line outside a code
    fence is offered to :data:`LINE_RULES` in order until one consumes it."""
    i = read_frontmatter(state)
    state.body_start = i
    lines = state.lines
    n = len(lines)
    syntax = state.syntax
    fence: Fence | None = None
    hidden_starts: list[int] = []
    while i < n:
        raw = lines[i]
        depth, content = strip_quote(raw)
        s = content.rstrip()
        if fence is not None:
            if fence_closes(content, fence):
                fence = None
                hidden_starts.clear()  # a closed fence hides its STARTs on purpose
                i += 1
                continue
            if not fence.anki:
                if s == syntax.start:
                    hidden_starts.append(i + 1)
                i += 1
                continue
        else:
            opened = fence_open(content)
            if opened is not None:
                fence = replace(opened, line=i + 1)
                i += 1
                continue
        if not s:
            state.prose.append(i)
            i += 1
            continue
        for rule in LINE_RULES:
            consumed = rule(state, i, raw, depth, content, s)
            if consumed:
                i += consumed
                break
        else:
            if syntax.start_inline not in content and not is_end(s, syntax.end):
                state.prose.append(i)  # a line of the note's text
            i += 1
    if fence is not None and not fence.anki and hidden_starts:
        shown = ", ".join(str(x) for x in hidden_starts[:5])
        more = "…" if len(hidden_starts) > 5 else ""
        state.report(HIDDEN_IN_FENCE, fence.line,
                    f"the code fence opened at line {fence.line} is never closed, so the "
                    f"{syntax.start} at line(s) {shown}{more} are read as code: close the "
                    f"fence with a ``` line.")
    read_spaced_repetition(state)


def orphan_end_rule(state: ParseState, i: int, raw: str, depth: int, content: str,
                    s: str) -> int:
    """An ``END`` outside any card is reported; consumes nothing."""
    syntax = state.syntax
    if is_end(s, syntax.end):
        state.report(ORPHAN_END, i + 1,
                     f"{syntax.end} at line {i + 1} closes no card (no {syntax.start} "
                     f"above it): remove it or add the card's {syntax.start} line"
                     f"{marker_hint(state, s)}.")
    else:
        note_start_like(state, s)
    return 0


LineRule = Callable[[ParseState, int, str, int, str, str], int]
"""``rule(state, i, raw, depth, content, s) -> lines consumed``: ``i`` is the 0-based line,
``raw`` its text, ``depth`` its callout depth, ``content`` the text inside the callout, ``s``
``content`` right-trimmed. 0 means the rule does not apply (the next one is tried)."""

# The rules tried on a line outside code fences, in order (markdown-it's ordered rule list).
LINE_RULES: tuple[LineRule, ...] = (
    block_rule,
    deck_rule,
    file_tags_rule,
    frozen_rule,
    delete_rule,
    orphan_end_rule,
    inline_rule,
)


def parse_file(note_file: NoteFile, config: Config,
               index: NoteTypeIndex | None = None,
               regexes: RegexRunner | None = None) -> tuple[list[Note], list[Diagnostic]]:
    """Parse one note file: the line rules, then the regex note styles (after the blocks and
    inline notes, as the plugin reads them), then the finishing of the notes.

    Args:
        note_file: the decoded file (its ``path`` is used in every location).
        config: the vault's merged config (markers, note types, folders, cloze switches).
        index: note-type lookup; built from ``config.note_types`` when ``None``.
        regexes: the run's compiled regex styles (:class:`RegexRunner`, made once per vault;
            its own findings are the caller's to report); when ``None``, made here from
            ``config`` and its findings are returned with the file's.

    Returns:
        ``(notes, diagnostics)``: notes in document order, diagnostics in the order found.
        Never raises on any input text.
    """
    if index is None:
        index = NoteTypeIndex(config.note_types)
    own = regexes is None
    if regexes is None:
        regexes = RegexRunner(config, index)
    state = ParseState(note_file, config, index)
    run(state)
    regex_rule(state, regexes)
    notes = finish_notes(state)
    if own:
        state.diagnostics.extend(regexes.diagnostics)
    return notes, state.diagnostics


def parse_files(files: Sequence[NoteFile], config: Config) -> tuple[list[Note], list[Diagnostic]]:
    """Parse the selected files of a vault in order (see :func:`parse_file`)."""
    index = NoteTypeIndex(config.note_types)
    regexes = RegexRunner(config, index)
    notes: list[Note] = []
    diagnostics: list[Diagnostic] = []
    for f in files:
        if not f.selected:
            continue
        n, d = parse_file(f, config, index, regexes)
        notes.extend(n)
        diagnostics.extend(d)
    diagnostics.extend(regexes.diagnostics)
    return notes, diagnostics
