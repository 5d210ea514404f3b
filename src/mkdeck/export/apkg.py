"""Writing an :class:`~mkdeck.export.plan.ExportPlan` as an ``.apkg`` (the only genanki use).

genanki builds the legacy ``collection.anki2`` SQLite database (schema 11, which Anki 26
imports as "Legacy1"); mkdeck does everything around it that genanki gets wrong
(``research/anki-and-genanki.md`` §0, §1.6, §8):

* the database is built in a temp file beside the package (streamed into the zip, then
  removed like the package's own temp file: no leaked temp file);
* note and card rows carry mkdeck's ids, mtimes, due positions and card ordinals;
* the zip is written by mkdeck: entries DEFLATE-compressed at level 1 (zlib's fastest:
  measured in ``benchmarks/bench_build.py``; media already compressed are stored), fixed
  entry dates and attributes, so the same plan gives the same bytes;
* the package is written to a temp file in the output folder and renamed over the target;
  on any failure or interrupt (SIGINT, SIGTERM) the temp file is removed and the target is
  untouched; the temp file of a build that was killed (SIGKILL) is removed by the next one.

:func:`write_apkg` plans and writes in one call (:class:`ExportResult` says what it wrote).
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import sqlite3
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import genanki

from mkdeck.export.notetypes import ModelSpec
from mkdeck.export.plan import ExportPlan, PlannedMedia, plan_export
from mkdeck.model import Diagnostic, RenderedNote, Vault
from mkdeck.vault import read as vault_read

LOG = logging.getLogger(__name__)

ZIP_DATE = (1980, 1, 1, 0, 0, 0)
# zlib level 1: the package is a transfer file read once by Anki's importer. A ZipInfo given
# to writestr() or open() ignores ZipFile(compresslevel=...) (Python 3.11): the level must be
# the entry's own (``_compresslevel``; 3.13 names it ``compress_level``).
COMPRESS_LEVEL = 1
# Formats that are compressed already: deflating them again only costs time.
_STORED_SUFFIXES = frozenset(
    ".png .jpg .jpeg .gif .webp .avif .mp3 .ogg .oga .m4a .opus .mp4 .webm .zip .gz".split()
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


def _note_rows(plan: ExportPlan) -> tuple[Iterator[tuple[object, ...]],
                                           Iterator[tuple[object, ...]]]:
    """Rows of the ``notes`` and ``cards`` tables (schema 11), each in id order, made one at
    a time as SQLite takes them (a list of every row held a second copy of every field).

    Raises:
        ValueError: a note whose field count is not its note type's (checked up front)."""
    deck_ids = dict(plan.decks)
    for p in plan.notes:
        if len(p.fields) != len(p.model.fields):
            raise ValueError(f"note {p.guid!r} has {len(p.fields)} fields, its note type "
                             f"{p.model.name!r} {len(p.model.fields)}")
    by_id = sorted(plan.notes, key=lambda p: p.note_id)

    def notes() -> Iterator[tuple[object, ...]]:
        for p in by_id:
            tags = " " + " ".join(p.tags) + " " if p.tags else ""
            # sfld and csum are left empty: Anki recomputes both on import (research §1.5)
            yield (p.note_id, p.guid, p.model.model_id, p.mod, -1, tags,
                   "\x1f".join(p.fields), "", 0, 0, "")

    # cards in id order (ids are unique: the table's primary key), found through a sorted
    # list of positions instead of a sorted list of every row (19 MB at 100,000 cards)
    owners = [p for p in plan.notes for _ in p.cards]
    planned = [card for p in plan.notes for card in p.cards]
    order = sorted(range(len(planned)), key=lambda k: planned[k].card_id)

    def cards() -> Iterator[tuple[object, ...]]:
        for k in order:
            p, card = owners[k], planned[k]
            yield (card.card_id, p.note_id, deck_ids[p.deck], card.ord, p.mod, -1, 0, 0,
                   p.due, 0, 0, 0, 0, 0, 0, 0, 0, "")

    return notes(), cards()


def _fill_collection(conn: sqlite3.Connection, plan: ExportPlan) -> None:
    """Write ``plan``'s collection into the empty database ``conn`` and commit.

    genanki writes the schema, the ``col`` row, the decks and the note types; the note and
    card rows are inserted in id order and the search indexes are dropped (Anki's importer
    does not need them), which keeps the pages full: the deflated package is about half
    the size (measured in ``benchmarks/bench_build.py``)."""
    models = {spec.name: _genanki_model(spec) for spec in plan.models}
    decks = [genanki.Deck(did, name) for name, did in plan.decks]
    for deck in decks:
        for model in models.values():
            deck.add_model(model)  # every deck lists every model: stable JSON
    cursor = conn.cursor()
    genanki.Package(decks).write_to_db(cursor, plan.model_mod, iter(()))
    if any(name == "Default" for name, _ in plan.decks):
        # genanki's collection template holds Anki's deck 1 "Default"; a second deck of
        # that name would be imported as "Default_". Ours replaces it, so Anki matches it
        # by name to the user's Default deck.
        (decks_json,) = cursor.execute("SELECT decks FROM col").fetchone()
        decks_obj = json.loads(decks_json)
        decks_obj.pop("1", None)
        cursor.execute("UPDATE col SET decks = ?", (json.dumps(decks_obj),))
    for (name,) in cursor.execute(
            "SELECT name FROM sqlite_master WHERE type = 'index'").fetchall():
        cursor.execute(f'DROP INDEX "{name}"')
    notes, cards = _note_rows(plan)
    cursor.executemany("INSERT INTO notes VALUES(?,?,?,?,?,?,?,?,?,?,?)", notes)
    cursor.executemany(
        "INSERT INTO cards VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", cards)
    conn.commit()


def collection_bytes(plan: ExportPlan) -> bytes:
    """The ``collection.anki2`` SQLite database of ``plan``, as bytes (built in memory; the
    package writer builds it in a temp file instead, see :func:`write_package`)."""
    conn = sqlite3.connect(":memory:")
    try:
        _fill_collection(conn, plan)
        return conn.serialize()
    finally:
        conn.close()


def write_collection(plan: ExportPlan, path: Path) -> None:
    """Write ``plan``'s collection as the SQLite file ``path`` (which must not exist), the
    same bytes as :func:`collection_bytes`: no journal left, the pages written once."""
    conn = sqlite3.connect(path)
    try:
        conn.execute("PRAGMA journal_mode = OFF")  # a temp file: nothing to roll back to
        conn.execute("PRAGMA synchronous = OFF")
        _fill_collection(conn, plan)
    finally:
        conn.close()
    # The header of a serialized in-memory database holds zeros where a file's holds its
    # change counter (offset 24), version-valid-for (92) and SQLite's version (96)
    # (sqlite.org/fileformat2.html §1.3): the same zeros here give the same bytes.
    with open(path, "r+b") as fh:
        fh.seek(24)
        fh.write(bytes(4))
        fh.seek(92)
        fh.write(bytes(8))


def _zipinfo(name: str, stored: bool = False) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
    info.compress_type = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
    info._compresslevel = None if stored else COMPRESS_LEVEL  # type: ignore[attr-defined]
    info.create_system = 3
    info.external_attr = 0o100644 << 16
    return info


def _write_media(zf: zipfile.ZipFile, info: zipfile.ZipInfo, media: PlannedMedia) -> None:
    """Copy one media file into the zip in chunks, read through :mod:`mkdeck.vault.read`
    (a regular file inside the vault, at most ``media.max_bytes``; never whole in memory).
    The entry's bytes are those ``writestr`` would write (it streams the same way).

    Raises:
        OSError: the file cannot be read, or is refused (:class:`~mkdeck.vault.read.Refused`).
    """
    root = media.vault_root or os.path.dirname(media.source)
    rel = os.path.relpath(media.source, root)
    chunks = vault_read.iter_chunks(root, rel, media.max_bytes)
    first = next(chunks, b"")
    info.file_size = len(first)  # as writestr sets it: no zip64 extra below 2 GiB
    with zf.open(info, "w", force_zip64=media.max_bytes > zipfile.ZIP64_LIMIT) as dest:
        dest.write(first)
        for part in chunks:
            dest.write(part)


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
    vault_read.remove_leftovers(folder, out.name)  # temp files of a killed earlier build
    tmp = folder / vault_read.temp_name(out.name)
    # the collection is built in a file beside the package, not in memory: at 100,000
    # cards the database and its serialized copy were the build's peak (issue 15)
    db_path = folder / vault_read.temp_name(out.name)
    try:  # created inside the try: a signal right after the open still removes it
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o666)
        write_collection(plan, db_path)
        with os.fdopen(fd, "wb") as raw:
            with zipfile.ZipFile(raw, "w") as zf:
                with open(db_path, "rb") as src, zf.open(_zipinfo("collection.anki2"),
                                                         "w") as dst:
                    shutil.copyfileobj(src, dst, 1 << 20)
                db_path.unlink()
                media_map = {str(i): m.name for i, m in enumerate(plan.media)}
                zf.writestr(_zipinfo("media"), json.dumps(media_map, ensure_ascii=False))
                for index, media in enumerate(plan.media):
                    stored = Path(media.name).suffix.lower() in _STORED_SUFFIXES
                    _write_media(zf, _zipinfo(str(index), stored), media)
            raw.flush()
            os.fsync(raw.fileno())
        size = tmp.stat().st_size
        os.replace(tmp, out)
    except BaseException:
        for path in (tmp, db_path):
            try:
                path.unlink()
            except FileNotFoundError:
                pass
        raise
    return size


@dataclass(frozen=True, slots=True)
class ExportResult:
    """What a written package holds.

    Attributes:
        path: the package written.
        notes, cards, decks, media: counts in the package.
        skipped: notes left out because of errors.
        size: file size in bytes.
        diagnostics: the export stage's diagnostics.
    """

    path: str
    notes: int
    cards: int
    decks: int
    media: int
    skipped: int
    size: int
    diagnostics: tuple[Diagnostic, ...] = ()

    @classmethod
    def from_plan(cls, plan: ExportPlan, path: str, size: int) -> ExportResult:
        """The result of writing ``plan`` to ``path`` (``size`` bytes)."""
        return cls(
            path=path,
            notes=len(plan.notes),
            cards=plan.card_count,
            decks=len(plan.decks),
            media=len(plan.media),
            skipped=plan.skipped,
            size=size,
            diagnostics=plan.diagnostics,
        )


def write_apkg(
    rendered: Sequence[RenderedNote],
    out_path: str | os.PathLike[str],
    *,
    vault: Vault,
    css: str | None = None,
    now: float | None = None,
    environ: dict[str, str] | None = None,
) -> ExportResult:
    """Validate ``rendered`` (vault order) and write them to ``out_path`` as an ``.apkg``.

    Args:
        rendered: ``mkdeck.render.render_notes(...)[0]``.
        out_path: the package to write (replaced atomically).
        vault: the parsed vault (file mtimes, media root).
        css: note-type CSS; default ``mkdeck.render.note_type_css()``.
        now, environ: clock and environment (``SOURCE_DATE_EPOCH``), for tests.
    Returns:
        An :class:`ExportResult`; invalid notes are skipped and reported in its diagnostics.
    Raises:
        OSError: when the package cannot be written (nothing is left behind).
    """
    if css is None:
        from mkdeck.render import note_type_css

        css = note_type_css()
    plan = plan_export(rendered, vault=vault, css=css, now=now, environ=environ)
    size = write_package(plan, out_path)
    return ExportResult.from_plan(plan, os.fspath(out_path), size)
