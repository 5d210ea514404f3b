"""obsidian-spaced-repetition's card syntax, read with ``spaced_repetition: true``.

The obsidian-spaced-repetition plugin (st3v3nmw/obsidian-spaced-repetition, its docs
"Flashcards") reads cards in the notes tagged ``#flashcards`` (or ``#flashcards/…``):

==================  =========================================  ==========================
written             card                                       mkdeck note type
==================  =========================================  ==========================
``Q::A``            one line, question and answer              Basic
``Q:::A``           one line, both directions                  Basic (and reversed card)
``Q`` / ``?`` /     question lines, a line ``?``, answer       Basic
``A``               lines (each part ends at a blank line)
``Q`` / ``??`` /    the same with ``??``                       Basic (and reversed card)
``A``
a paragraph with    one card per deletion                      Cloze
``==x==`` or
``{{x}}``
==================  =========================================  ==========================

Its scheduling comments (``<!--SR:!2024-01-01,3,250-->``) are dropped. Code, frontmatter,
Obsidian_to_Anki blocks, inline notes and marker lines are never read as such cards (the
caller passes only the note's prose lines). Such notes get no ID comment: their identity is
the file, the note type and the first field (:mod:`mkdeck.identity`), so a card keeps its
review history while its question is unchanged.

The rule (:func:`read_spaced_repetition`) runs once the driver has read the file: with the
setting on and the note tagged, each card becomes a pending note (kind ``"sr"``); otherwise,
in a note that has cards, the first such card is MKD151 naming the setting.

Public API: :func:`read_spaced_repetition`, :func:`is_flashcards_note`, :func:`read_cards`,
:func:`looks_like_sr`, :class:`SrCard`, :data:`SR_CARD_NOT_READ`.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass

from mkdeck.codes import register
from mkdeck.model import Severity
from mkdeck.parse.state import ParseState, Pending

LOG = logging.getLogger(__name__)

SR_CARD_NOT_READ = register(
    "MKD151", Severity.WARNING, "obsidian-spaced-repetition card not read",
    fix="Set `spaced_repetition: true` in mkdeck.yaml (mkdeck then reads `Q::A`, `Q:::A`, "
        "`?`/`??` cards and ==cloze== paragraphs of the notes tagged #flashcards), or write "
        "the card as a START…END block.",
    bad="#flashcards\n\nSTART\nBasic\nq\nBack: a\nEND\n\nCapital of Peru::Lima",
    good="#flashcards\n\nSTART\nBasic\nq\nBack: a\nEND\n\nSTART\nBasic\n"
         "Capital of Peru\nBack: Lima\nEND",
)
_NOTE_TYPES = {"basic": "Basic", "reversed": "Basic (and reversed card)", "cloze": "Cloze"}

#: the tag obsidian-spaced-repetition reads cards under (its default "Flashcard tags")
FLASHCARDS_TAG = "flashcards"

_TAG_RE = re.compile(r"(?:^|\s)#flashcards(?:/[^\s#]*)?(?=\s|$)", re.IGNORECASE)
_SR_COMMENT_RE = re.compile(r"\s*<!--SR:[^>]*-->")
_MASK_RE = re.compile(r"`+[^`]*`+|\$\$.*?\$\$|\$[^$\n]+\$|\\\(.*?\\\)|\{\{.*?\}\}|\[\[.*?\]\]"
                      r"|<[^>]*>|https?://\S+")
_HIGHLIGHT_RE = re.compile(r"==(?=\S)(.+?)(?<=\S)==")
_CURLY_RE = re.compile(r"\{\{(?!c\d+::)([^{}\n]+?)\}\}")
_DIRECTIVE_RE = re.compile(r"^\s*(?:TARGET DECK|FILE TAGS|Tags:|<!--\s*ID:)")


@dataclass(frozen=True, slots=True)
class SrCard:
    """One obsidian-spaced-repetition card.

    Attributes:
        kind: ``"basic"``, ``"reversed"`` or ``"cloze"``.
        line: 1-based line where the card starts.
        end_line: 1-based line where it ends.
        question: ``(line, text)`` pairs of the question (for a cloze: the whole paragraph,
            its ``==x==`` and ``{{x}}`` already Anki clozes).
        answer: ``(line, text)`` pairs of the answer (empty for a cloze).
    """

    kind: str
    line: int
    end_line: int
    question: tuple[tuple[int, str], ...]
    answer: tuple[tuple[int, str], ...] = ()


def is_flashcards_note(text: str, frontmatter_tags: Sequence[str]) -> bool:
    """``True`` when the note carries the ``#flashcards`` tag (in its frontmatter ``tags`` or
    as an inline tag; ``#flashcards/deck`` counts), as obsidian-spaced-repetition requires."""
    for tag in frontmatter_tags:
        name = tag.lstrip("#").casefold()
        if name == FLASHCARDS_TAG or name.startswith((FLASHCARDS_TAG + "::",
                                                      FLASHCARDS_TAG + "/")):
            return True
    return bool(_TAG_RE.search(text))


def _separator(text: str) -> int:
    """Index of the ``::`` of a one-line card outside code, links, clozes and tags, else -1."""
    masked = _MASK_RE.sub(lambda m: "\x00" * len(m.group(0)), text)
    return masked.find("::")


def _clean(text: str) -> str:
    return _SR_COMMENT_RE.sub("", text).rstrip()


def _cloze_text(text: str) -> str | None:
    """The paragraph with ``==x==`` and ``{{x}}`` as Anki clozes (numbered in order), or
    ``None`` when it has neither."""
    count = 0

    def number(m: re.Match[str]) -> str:
        nonlocal count
        count += 1
        return f"{{{{c{count}::{m.group(1)}}}}}"

    masked = _MASK_RE.sub(lambda m: "\x00" * len(m.group(0)), text)
    spans = [m.span() for m in _HIGHLIGHT_RE.finditer(masked)]
    out, pos = [], 0
    for a, b in spans:
        out.append(text[pos:a])
        out.append(number(_HIGHLIGHT_RE.match(text, a)))  # type: ignore[arg-type]
        pos = b
    out.append(text[pos:])
    converted = _CURLY_RE.sub(number, "".join(out))
    return converted if count else None


def _paragraphs(lines: Sequence[str], prose: Sequence[int]) -> list[list[int]]:
    """Runs of consecutive non-blank prose line indexes."""
    runs: list[list[int]] = []
    last = -2
    for i in prose:
        if not lines[i].strip() or _DIRECTIVE_RE.match(lines[i]) \
                or not _SR_COMMENT_RE.sub("", lines[i]).strip():
            last = -2
            continue
        if i == last + 1 and runs:
            runs[-1].append(i)
        else:
            runs.append([i])
        last = i
    return runs


def read_cards(lines: Sequence[str], prose: Sequence[int]) -> list[SrCard]:
    """The obsidian-spaced-repetition cards written in a note.

    Args:
        lines: the note's lines (LF-split text).
        prose: indexes (0-based, ascending) of the lines that are prose: not frontmatter,
            code, an Obsidian_to_Anki block, an inline note or a marker line.

    Returns:
        The cards in document order. Never raises.
    """
    cards: list[SrCard] = []
    for run in _paragraphs(lines, prose):
        seps = [k for k, i in enumerate(run) if lines[i].strip() in ("?", "??")]
        if seps:
            k = seps[0]
            question = tuple((i + 1, _clean(lines[i])) for i in run[:k])
            answer = tuple((i + 1, _clean(lines[i])) for i in run[k + 1:])
            if question and answer:
                kind = "reversed" if lines[run[k]].strip() == "??" else "basic"
                cards.append(SrCard(kind, run[0] + 1, run[-1] + 1, question, answer))
            continue
        singles = []
        for i in run:
            text = _clean(lines[i])
            cut = _separator(text)
            if cut < 0:
                continue
            reverse = text.startswith(":::", cut)
            q, a = text[:cut].strip(), text[cut + (3 if reverse else 2):].strip()
            if q and a:
                singles.append(SrCard("reversed" if reverse else "basic", i + 1, i + 1,
                                      ((i + 1, q),), ((i + 1, a),)))
        if singles:
            cards.extend(singles)
            continue
        text = "\n".join(_clean(lines[i]) for i in run)
        cloze = _cloze_text(text)
        if cloze is not None:
            cards.append(SrCard("cloze", run[0] + 1, run[-1] + 1,
                                tuple(zip((i + 1 for i in run), cloze.split("\n"),
                                          strict=True))))
    return cards


def looks_like_sr(lines: Sequence[str], prose: Sequence[int], tagged: bool) -> int | None:
    """The first line (1-based) that is an obsidian-spaced-repetition card, for the finding
    that the setting is off: any card of :func:`read_cards` in a note tagged ``#flashcards``;
    in another note only a multi-line card (a line ``?`` or ``??`` between text), whose
    separator prose never holds (``std::vector`` or a deck path is no card)."""
    cards = read_cards(lines, prose)
    if tagged:
        return cards[0].line if cards else None
    for card in cards:
        if card.line != card.end_line and card.answer:
            return card.line
    return None


def read_spaced_repetition(state: ParseState) -> None:
    """Read the note's obsidian-spaced-repetition cards when ``spaced_repetition`` is on and
    the note is tagged #flashcards; else, in a note that has cards, report the first such card
    with the setting that reads it (nothing the author wrote is lost silently)."""
    on = state.config.spaced_repetition
    if not state.prose or not (on or state.pending):
        return
    text = "\n".join(state.lines[state.body_start:])
    tagged = is_flashcards_note(text, state.frontmatter_tags)
    if on and tagged:
        for card in read_cards(state.lines, state.prose):
            _pending(state, card)
        return
    if not state.pending:
        return
    line = looks_like_sr(state.lines, state.prose, tagged)
    if line is None:
        return
    if on:
        fix = (f"tag the note #{FLASHCARDS_TAG} (obsidian-spaced-repetition reads only such "
               f"notes, and so does mkdeck's `spaced_repetition: true`)")
    else:
        fix = ("set `spaced_repetition: true` in mkdeck.yaml to make it an Anki note "
               "(obsidian-spaced-repetition's syntax), or write it as a START…END block")
    state.report(SR_CARD_NOT_READ, line,
                 f"line {line} is an obsidian-spaced-repetition card, which mkdeck does not "
                 f"read here: {fix}; until then it is not exported.")


def _pending(state: ParseState, card: SrCard) -> None:
    note_type = state.index.resolve(_NOTE_TYPES[card.kind])
    if note_type is None:  # the stock types always resolve
        return
    fields: dict[str, list[tuple[int, str]]] = {f: [] for f in note_type.fields}
    fields[note_type.fields[0]] = list(card.question)
    if card.answer and len(note_type.fields) > 1:
        fields[note_type.fields[1]] = list(card.answer)
    deck_state = sum(1 for line in state.deck_lines if line < card.line) - 1
    state.blocked_lines.append((card.line, card.end_line))  # regex styles skip its lines
    state.pending.append(Pending(
        location=state.loc(card.line), note_type=note_type, fields=fields,
        field_starts={}, tags=[], id=None, kind="sr", end_line=card.end_line,
        id_line=None, deck=None, deck_state=deck_state))
