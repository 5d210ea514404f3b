"""Real Anki as a test oracle: import packages into a fresh temporary collection, the way the
desktop's import dialog does, and read back what Anki holds.

Uses Anki's own backend (PyPI ``anki``, a test-only dependency; mkdeck never imports it)::

    with AnkiOracle() as anki:
        log = anki.import_apkg(path)          # {"new": 3, "updated": 0, ...}
        snap = anki.snapshot()                # decks, note types, notes with cards, media
        anki.answer("deck:Linux", "good")     # v3 scheduler
        added = anki.check_database()         # cards Check Database added

Import options are the profile's defaults, read live from
``get_import_anki_package_presets()`` (merge off, update notes/note types "if newer", no
scheduling), unless overridden.
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from anki.collection import Collection, ImportAnkiPackageRequest

_LOG_KINDS = (
    "new",
    "updated",
    "duplicate",
    "conflicting",
    "first_field_match",
    "missing_notetype",
    "missing_deck",
    "empty_first_field",
)


@dataclass(frozen=True)
class OracleCard:
    """One card as Anki holds it."""

    card_id: int
    ord: int
    deck: str
    type: int
    queue: int
    due: int
    reps: int
    ivl: int


@dataclass(frozen=True)
class OracleNote:
    """One note as Anki holds it."""

    note_id: int
    guid: str
    note_type: str
    fields: dict[str, str]
    tags: tuple[str, ...]
    mtime: int
    cards: tuple[OracleCard, ...]


class AnkiOracle:
    """A fresh Anki collection in a temp folder (deleted on :meth:`close`)."""

    def __init__(self) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="mkdeck-anki-"))
        self.col = Collection(str(self.dir / "collection.anki2"))
        self.stock_note_types = sorted(m["name"] for m in self.col.models.all())

    def __enter__(self) -> AnkiOracle:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the collection and delete its folder."""
        try:
            self.col.close()
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)

    def import_apkg(self, path: str | Path, **options: Any) -> dict[str, int]:
        """Import ``path`` with the default options (overridden by ``options``, e.g.
        ``update_notes=...``); return Anki's log as counts per kind (``new``, ``updated``,
        ``duplicate``, ``conflicting``, ...)."""
        opts = self.col._backend.get_import_anki_package_presets()
        for key, value in options.items():
            setattr(opts, key, value)
        result = self.col.import_anki_package(
            ImportAnkiPackageRequest(package_path=str(path), options=opts)
        )
        self.col.models._clear_cache()  # pylib caches note types; the importer bypasses it
        log = result.log
        return {kind: len(getattr(log, kind)) for kind in _LOG_KINDS}

    def notes(self) -> list[OracleNote]:
        """Every note, sorted by note id."""
        out = []
        decks = {d["id"]: d["name"] for d in self.col.decks.all()}
        for nid in sorted(self.col.find_notes("")):
            note = self.col.get_note(nid)
            model = note.note_type()
            assert model is not None
            cards = []
            for card in sorted(note.cards(), key=lambda c: c.ord):
                cards.append(
                    OracleCard(card.id, card.ord, decks[card.did], card.type, card.queue,
                               card.due, card.reps, card.ivl)
                )
            out.append(
                OracleNote(
                    note_id=note.id,
                    guid=note.guid,
                    note_type=model["name"],
                    fields=dict(zip(self.col.models.field_names(model), note.fields)),
                    tags=tuple(note.tags),
                    mtime=note.mod,
                    cards=tuple(cards),
                )
            )
        return out

    def note_types(self) -> dict[str, dict[str, Any]]:
        """Note types by name: ``{"id", "kind", "fields", "templates": [(name, qfmt, afmt)],
        "css", "use_count"}``."""
        out = {}
        for model in self.col.models.all():
            out[model["name"]] = {
                "id": model["id"],
                "kind": "cloze" if model["type"] == 1 else "standard",
                "fields": [f["name"] for f in model["flds"]],
                "templates": [(t["name"], t["qfmt"], t["afmt"]) for t in model["tmpls"]],
                "css": model["css"],
                "use_count": self.col.models.use_count(model),
            }
        return out

    def decks(self) -> dict[str, int]:
        """Deck name -> number of cards in it (not counting subdecks)."""
        out = {}
        for deck in self.col.decks.all():
            out[deck["name"]] = self.col.db.scalar(
                "select count() from cards where did = ?", deck["id"]
            )
        return out

    def media_files(self) -> list[str]:
        """File names in the collection's media folder, sorted."""
        folder = Path(self.col.media.dir())
        return sorted(p.name for p in folder.iterdir() if p.is_file())

    def media_file(self, name: str) -> bytes:
        """The bytes of one file in the media folder."""
        return (Path(self.col.media.dir()) / name).read_bytes()

    def card_set(self) -> set[tuple[str, int]]:
        """Every card as ``(note guid, ord)``."""
        rows = self.col.db.all("select n.guid, c.ord from cards c join notes n on c.nid = n.id")
        return {(guid, ord_) for guid, ord_ in rows}

    def check_database(self) -> tuple[set[tuple[str, int]], set[tuple[str, int]]]:
        """Run Anki's Check Database; return the cards it ``(added, removed)``."""
        before = self.card_set()
        self.col.fix_integrity()
        self.col.models._clear_cache()
        after = self.card_set()
        return after - before, before - after

    def answer(self, search: str, rating: str = "good") -> int:
        """Answer every card matching ``search`` with ``rating`` (again/hard/good/easy) through
        the v3 scheduler; return how many were answered."""
        ratings = {"again": 1, "hard": 2, "good": 3, "easy": 4}
        count = 0
        for cid in self.col.find_cards(search):
            card = self.col.get_card(cid)
            card.start_timer()
            states = self.col._backend.get_scheduling_states(card.id)
            answer = self.col.sched.build_answer(
                card=card, states=states, rating=ratings[rating]
            )
            self.col.sched.answer_card(answer)
            count += 1
        return count
