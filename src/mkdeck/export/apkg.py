"""Writing an :class:`~mkdeck.export.plan.ExportPlan` as an ``.apkg`` (the only genanki use).

genanki builds the legacy ``collection.anki2`` SQLite database (schema 11, which Anki 26
imports as "Legacy1"); mkdeck does everything around it that genanki gets wrong
(``research/anki-and-genanki.md`` §0, §1.6, §8):

* the database lives in memory and is serialized (no leaked temp file);
* note and card rows carry mkdeck's ids, mtimes, due positions and card ordinals;
* the zip is written by mkdeck: entries DEFLATE-compressed (media already compressed are
  stored), fixed entry dates and attributes, so the same plan gives the same bytes;
* the package is written to a temp file in the output folder and renamed over the target;
  on any failure the temp file is removed and the target is untouched.
"""

from __future__ import annotations

import json
import logging
import os
import secrets
import sqlite3
import zipfile
from pathlib import Path

import genanki

from mkdeck.export.notetypes import ModelSpec
from mkdeck.export.plan import ExportPlan, PlannedNote

LOG = logging.getLogger(__name__)

ZIP_DATE = (1980, 1, 1, 0, 0, 0)
# Formats that are compressed already: deflating them again only costs time.
_STORED_SUFFIXES = frozenset(
    ".png .jpg .jpeg .gif .webp .avif .mp3 .ogg .oga .m4a .opus .mp4 .webm .zip .gz".split()
)


class _PlannedGenankiNote(genanki.Note):
    """A genanki note that writes mkdeck's ids, mtime, due position and cards."""

    def __init__(self, planned: PlannedNote, model: genanki.Model) -> None:
        super().__init__(
            model=model,
            fields=list(planned.fields),
            tags=list(planned.tags),
            guid=planned.guid,
            due=planned.due,
        )
        self.planned = planned

    def write_to_db(self, cursor, timestamp, deck_id, id_gen):  # type: ignore[override]
        """Insert the note row and its card rows (genanki's signature; ``timestamp`` and
        ``id_gen`` are unused: ids and mtimes come from the plan)."""
        p = self.planned
        self._check_number_model_fields_matches_num_fields()
        cursor.execute(
            "INSERT INTO notes VALUES(?,?,?,?,?,?,?,?,?,?,?);",
            (p.note_id, p.guid, self.model.model_id, p.mod, -1, self._format_tags(),
             self._format_fields(), p.fields[0], 0, 0, ""),
        )
        for card in p.cards:
            cursor.execute(
                "INSERT INTO cards VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?);",
                (card.card_id, p.note_id, deck_id, card.ord, p.mod, -1, 0, 0, p.due,
                 0, 0, 0, 0, 0, 0, 0, 0, ""),
            )


def _genanki_model(spec: ModelSpec) -> genanki.Model:
    return genanki.Model(
        spec.model_id,
        spec.name,
        fields=[{"name": name} for name in spec.fields],
        templates=[{"name": n, "qfmt": q, "afmt": a} for n, q, a in spec.templates],
        css=spec.css,
        model_type=genanki.Model.CLOZE if spec.kind == "cloze" else genanki.Model.FRONT_BACK,
    )


def collection_bytes(plan: ExportPlan) -> bytes:
    """The ``collection.anki2`` SQLite database of ``plan``, as bytes (built in memory)."""
    models = {spec.name: _genanki_model(spec) for spec in plan.models}
    decks = {name: genanki.Deck(did, name) for name, did in plan.decks}
    for planned in plan.notes:
        decks[planned.deck].add_note(_PlannedGenankiNote(planned, models[planned.model.name]))
    for deck in decks.values():
        for model in models.values():
            deck.add_model(model)  # every deck lists every model: stable JSON
    conn = sqlite3.connect(":memory:")
    try:
        cursor = conn.cursor()
        package = genanki.Package(list(decks.values()))
        package.write_to_db(cursor, plan.model_mod, iter(()))
        if any(name == "Default" for name, _ in plan.decks):
            # genanki's collection template holds Anki's deck 1 "Default"; a second deck of
            # that name would be imported as "Default_". Ours replaces it, so Anki matches it
            # by name to the user's Default deck.
            (decks_json,) = cursor.execute("SELECT decks FROM col").fetchone()
            decks_obj = json.loads(decks_json)
            decks_obj.pop("1", None)
            cursor.execute("UPDATE col SET decks = ?", (json.dumps(decks_obj),))
        conn.commit()
        return conn.serialize()
    finally:
        conn.close()


def _zipinfo(name: str, stored: bool = False) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
    info.compress_type = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
    info.create_system = 3
    info.external_attr = 0o100644 << 16
    return info


def write_package(plan: ExportPlan, out_path: str | os.PathLike[str]) -> int:
    """Write ``plan`` to ``out_path`` atomically.

    Returns:
        The size of the written file in bytes.
    Raises:
        OSError: when the output folder is not writable or a media file cannot be read; the
            target is then untouched and no temp file remains.
    """
    out = Path(out_path)
    folder = out.parent if str(out.parent) else Path(".")
    db = collection_bytes(plan)
    tmp = folder / f".{out.name}.{secrets.token_hex(4)}.tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with os.fdopen(fd, "wb") as raw:
            with zipfile.ZipFile(raw, "w", compresslevel=6) as zf:
                zf.writestr(_zipinfo("collection.anki2"), db)
                media_map = {str(i): m.name for i, m in enumerate(plan.media)}
                zf.writestr(_zipinfo("media"), json.dumps(media_map, ensure_ascii=False))
                for index, media in enumerate(plan.media):
                    data = Path(media.source).read_bytes()
                    stored = Path(media.name).suffix.lower() in _STORED_SUFFIXES
                    zf.writestr(_zipinfo(str(index), stored), data)
            raw.flush()
            os.fsync(raw.fileno())
        size = tmp.stat().st_size
        os.replace(tmp, out)
    except BaseException:
        try:
            tmp.unlink()
        except FileNotFoundError:
            pass
        raise
    return size
