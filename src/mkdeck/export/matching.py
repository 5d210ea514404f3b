"""Which note of the last build a card of this build is: the sync state's matching rule.

:func:`match_cards` gives every card its guid: an ID comment always wins; a card whose file,
note type and first field are unchanged keeps its guid; any other card is compared, as text,
with the state notes nobody claimed, and takes the guid of the most similar one above a
threshold (a doubtful match gets a new guid and a warning naming both). The rule is stated in
one sentence in :func:`match_cards`' docstring and in the README. No genanki, no printing.
"""

from __future__ import annotations

import difflib
import html
import logging
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

from mkdeck.codes import register
from mkdeck.export.identity import guid_for
from mkdeck.export.state import REMOVED_TAG, StateEntry, SyncState
from mkdeck.model import Diagnostic, Severity, SourceLocation

LOG = logging.getLogger(__name__)

ACCEPT = 0.6
"""A card without ID takes a state note's guid when their score reaches this."""
DOUBT = 0.35
"""Below :data:`ACCEPT` and at least this: a new guid, and a warning naming both."""
SAME_FILE_BONUS = 0.1
"""Added to the text similarity when the card is in the file the state note was in."""
_MAX_TEXT = 2000  # characters of a note's text compared (longer texts: their start)
_MAX_PAIRS = 400_000  # above this many pairs of one note type, only same-file pairs are scored

MATCH_DOUBTFUL = register(
    "MKD332",
    Severity.WARNING,
    "card matched to the last build with low confidence",
    fix="If it is the same card as the one named, put its edit back, build, and make the edit "
    "in smaller steps, or give the card an ID comment (`mkdeck ids`) first; otherwise nothing "
    "to do: it is a new note in Anki, and the old one is tagged mkdeck::removed.",
)


_TAG_RE = re.compile(r"<[^>]*>")
_WS_RE = re.compile(r"\s+")


def plain_text(fields: Iterable[str]) -> str:
    """Fields' HTML as comparable text: tags dropped, entities decoded, whitespace runs made
    one space, fields joined by `` | ``, cut to 2,000 characters."""
    parts = [_WS_RE.sub(" ", html.unescape(_TAG_RE.sub(" ", f))).strip() for f in fields]
    return " | ".join(parts)[:_MAX_TEXT]


class Candidate(NamedTuple):
    """A card of this build, as matching sees it (a named tuple: one per card, built fast).

    Attributes:
        guid: its guid without a state (:func:`mkdeck.export.identity.note_guid`).
        has_id: it has an ID comment.
        note_type: the vault's note type name.
        path, line: where it is written.
        html: field name -> HTML, in note-type order (read only when text is compared).
    """

    guid: str
    has_id: bool
    note_type: str
    path: str
    line: int
    html: Mapping[str, str] = {}  # never mutated


@dataclass(frozen=True, slots=True)
class Matching:
    """The result of :func:`match_cards`.

    Attributes:
        guids: the guid each candidate gets, in candidate order.
        entries: the state entry each candidate was matched to (``None``: a new note).
        diagnostics: MKD332 warnings for doubtful matches (a new guid was given).
    """

    guids: tuple[str, ...]
    entries: tuple[StateEntry | None, ...]
    diagnostics: tuple[Diagnostic, ...] = field(default=())


def _similarity(a: str, b: str) -> float:
    if a == b:
        return 1.0
    sm = difflib.SequenceMatcher(None, a, b, autojunk=False)
    if sm.real_quick_ratio() < DOUBT or sm.quick_ratio() < DOUBT:
        return 0.0
    return sm.ratio()


def match_cards(state: SyncState | None, cards: Sequence[Candidate]) -> Matching:
    """Give each card of this build its guid, keeping the guids of the state's notes.

    The rule: **a card with an ID comment is the note of its ID; any other card keeps the
    guid it had when its file, note type and first field are unchanged, else takes the guid
    of the not yet matched state note of the same note type whose fields read most alike
    (text similarity, plus 0.1 in the same file, at least 0.6; ties go to the same file,
    then the nearest line), and else gets a new guid, with a warning naming the closest
    state note when it scored at least 0.35.**

    Pairs are taken best score first, so two cards never get one guid, and a state note is
    matched at most once. Cards are handled in the order given (vault order), which makes the
    result deterministic.

    Args:
        state: the last build's state, or ``None`` (every card keeps ``card.guid``).
        cards: this build's cards (duplicates already removed: each ``guid`` once).
    Returns:
        A :class:`Matching`.
    """
    n = len(cards)
    if state is None or not state.entries:
        return Matching(tuple(c.guid for c in cards), (None,) * n)
    by_guid = state.by_guid()
    guids: list[str | None] = [None] * n
    matched: list[StateEntry | None] = [None] * n
    claimed: set[str] = set()
    # 1. ID comments always win; 2. an unchanged key (same file, type and first field)
    for i, c in enumerate(cards):
        if c.has_id:
            guids[i] = c.guid
            matched[i] = by_guid.get(c.guid)
            claimed.add(c.guid)
    for i, c in enumerate(cards):
        if guids[i] is None and c.guid in by_guid and c.guid not in claimed:
            guids[i] = c.guid
            matched[i] = by_guid[c.guid]
            claimed.add(c.guid)
    # 3. similarity, per note type, best pairs first
    open_cards = [i for i in range(n) if guids[i] is None]
    diags: list[Diagnostic] = []
    if open_cards:
        pool = [e for e in state.entries if e.guid not in claimed]
        by_type: dict[str, list[StateEntry]] = {}
        for e in pool:
            by_type.setdefault(e.note_type, []).append(e)
        texts: dict[str, str] = {}
        pairs: list[tuple[float, int, int, str, float]] = []
        for i in open_cards:
            c = cards[i]
            group = by_type.get(c.note_type, [])
            if not group:
                continue
            limit_same_file = len(group) * len(open_cards) > _MAX_PAIRS
            text = plain_text(c.html.values())
            for e in group:
                same = e.path == c.path
                if limit_same_file and not same:
                    continue
                other = texts.get(e.guid)
                if other is None:
                    other = texts[e.guid] = plain_text(v for _, v in e.fields)
                sim = _similarity(text, other)
                score = sim + (SAME_FILE_BONUS if same else 0.0)
                if score < DOUBT:
                    continue
                distance = abs(e.line - c.line) if same else 1 << 30
                pairs.append((-score, distance, i, e.guid, sim))
        pairs.sort()
        for neg, _dist, i, guid, _sim in pairs:
            if -neg < ACCEPT or guids[i] is not None or guid in claimed:
                continue
            guids[i] = guid
            matched[i] = by_guid[guid]
            claimed.add(guid)
        # the closest state note left over, for the warning of a card that gets a new guid
        best: dict[int, tuple[float, str, float]] = {}
        for neg, _dist, i, guid, sim in pairs:
            if guids[i] is None and guid not in claimed:
                best.setdefault(i, (-neg, guid, sim))
        for i in open_cards:
            if guids[i] is not None:
                continue
            c = cards[i]
            guid = c.guid
            if guid in claimed or guid in by_guid:  # never a guid the state gave another note
                k = 2
                while guid in claimed or guid in by_guid:
                    guid = _rehash(c.guid, k)
                    k += 1
            guids[i] = guid
            claimed.add(guid)
            near = best.get(i)
            if near is not None and near[0] < ACCEPT:
                old = by_guid[near[1]]
                diags.append(MATCH_DOUBTFUL.at(
                    SourceLocation(c.path, c.line),
                    f"this card resembles the note last built from {old.path}:{old.line} "
                    f"(similarity {near[2]:.2f}, below {ACCEPT}), so it is a new note in Anki "
                    f"and that one is tagged {REMOVED_TAG}. If they are the same card, put "
                    f"the edit back, build, and edit in smaller steps, or add an ID comment "
                    f"first (`mkdeck ids`)."))
    return Matching(tuple(g for g in guids if g is not None), tuple(matched), tuple(diags))


def _rehash(guid: str, k: int) -> str:
    """A deterministic replacement for ``guid`` when the state already gave it to another
    note (same alphabet and length class as Anki's guids)."""
    return guid_for("again", guid, str(k))

