"""What a long-running process (``mkdeck watch``) keeps of one build's planning for the
next build of the same vault (:class:`PlanMemo`); used by :mod:`mkdeck.export.plan` and
:mod:`mkdeck.export.sync`. No genanki, no printing.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Any

from mkdeck.export.notetypes import ModelSpec, model_spec
from mkdeck.model import NoteType

LOG = logging.getLogger(__name__)


class PlanMemo:
    """Planning results per note that a long-running process (``mkdeck watch``) keeps
    between builds of one vault, so that a rebuild plans again only the notes whose
    rendering changed (issue 16: one edit costs well under a second at 10,000 cards).

    Every table is keyed by ``id()`` of a rendered note and its value holds that very
    object, so an entry serves only the same object: a warm rebuild hands an unchanged note
    the same :class:`~mkdeck.model.RenderedNote`
    (:meth:`mkdeck.app.incremental.IncrementalCache.carry`), a changed one a new object,
    which misses. What depends on the rest of the deck (duplicates, ids, decks, media, due
    positions, mod times) is computed anew by every build and only compared with what the
    entry holds. A build reads the tables of the last build that finished
    (:meth:`start`, :meth:`finish`) and keeps only the entries it used.

    Attributes:
        keep: remember what :meth:`derived_ids` computes (``False``: a memo made for one
            build, where remembering only costs).
        specs: ``(note type, css)`` -> its :class:`ModelSpec` (the same object every build).
        notes: guid, validation, field values, card ordinals and tags of each rendered note.
        planned: the last :class:`~mkdeck.export.plan.PlannedNote` made of each rendered
            note.
        synced: what :mod:`mkdeck.export.sync` derived from each rendered note (its digest
            and the planned note with the state's guid, tags and mod time).
        ids: ``(guid, card ordinals)`` -> the note and card ids derived from them.
    """

    def __init__(self, keep: bool = True) -> None:
        self.keep = keep
        self.specs: dict[tuple[NoteType, str], ModelSpec] = {}
        self.notes: dict[int, tuple[Any, ...]] = {}
        self.planned: dict[int, Any] = {}  # id -> mkdeck.export.plan.PlannedNote
        self.synced: dict[int, tuple[Any, ...]] = {}
        self.ids: dict[tuple[str, tuple[int, ...]], tuple[int, tuple[int, ...]]] = {}
        self.next: dict[str, dict[Any, Any]] = {"notes": {}, "planned": {}, "synced": {},
                                                "ids": {}}

    def start(self) -> None:
        """Begin a build: what it uses goes into fresh tables (:attr:`next`)."""
        self.next = {"notes": {}, "planned": {}, "synced": {}, "ids": {}}

    def finish(self) -> None:
        """End a build that finished: the next build reads what this one used."""
        self.notes, self.planned, self.synced, self.ids = (
            self.next["notes"], self.next["planned"], self.next["synced"], self.next["ids"])

    def derived_ids(self, guids: Sequence[str], ords: Sequence[Sequence[int]],
                    note_id: Callable[[str], int], card_id: Callable[[str, int], int],
                    ) -> list[tuple[int, tuple[int, ...]]]:
        """``(note_id(guid), (card_id(guid, o) for o in ords))`` per note (the ids each note
        would take before collisions are resolved): pure functions of their arguments,
        remembered between builds."""
        if not self.keep:  # one build's memo: nothing to remember
            return [(note_id(guid), tuple(card_id(guid, o) for o in its))
                    for guid, its in zip(guids, ords, strict=True)]
        known, made = self.ids, self.next["ids"]
        out = []
        for guid, its in zip(guids, ords, strict=True):
            key = (guid, tuple(its))
            ids = known.get(key)
            if ids is None:
                ids = (note_id(guid), tuple(card_id(guid, o) for o in its))
            made[key] = ids
            out.append(ids)
        return out

    def spec(self, note_type: NoteType, css: str) -> ModelSpec:
        """``model_spec(note_type, css)``, the same object for the same arguments. Raises
        ``ValueError`` as :func:`~mkdeck.export.notetypes.model_spec` does."""
        key = (note_type, css)
        spec = self.specs.get(key)
        if spec is None:
            spec = self.specs[key] = model_spec(note_type, css)
        return spec
