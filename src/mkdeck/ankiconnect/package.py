"""A package built by mkdeck, read back: what Anki receives from it, note by note.

``mkdeck push`` compares this (not the vault) with what it pushed before, so whatever the
build puts in a package (the sync state's tombstones and mod times included) is what push
sees. Reading uses the standard library (``zipfile``, ``sqlite3``) on the legacy
``collection.anki2`` that ``mkdeck.export.apkg`` writes.
"""

from __future__ import annotations

import hashlib
import html
import json
import logging
import os
import re
import sqlite3
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

LOG = logging.getLogger(__name__)

TAG_REMOVED = "mkdeck::removed"
TAG_MOVED = "mkdeck::moved"


class PushError(Exception):
    """A push cannot go on: an unreadable package or record, too many deletions without
    ``--yes``. ``str(exc)`` says why and what to do."""


@dataclass(frozen=True, slots=True)
class PackageNote:
    """A note as the package gives it to Anki.

    Attributes:
        guid: Anki guid.
        note_id: the note id in the package (Anki keeps it when free).
        model: Anki note type name (``"Basic (mkdeck)"``).
        field_names, fields: field names and HTML values, in note-type order.
        tags: tags, in package order.
        mod: modification time, seconds since the epoch.
        deck: the deck of its cards.
        digest: 16 hex digits of SHA-256 over note type, fields, tags and the bytes of every
            media file its fields reference (what an update changes in Anki; not the deck).
    """

    guid: str
    note_id: int
    model: str
    field_names: tuple[str, ...]
    fields: tuple[str, ...]
    tags: tuple[str, ...]
    mod: int
    deck: str
    digest: str

    @property
    def removed(self) -> bool:
        """A tombstone of the sync state: the note is gone from the vault."""
        return TAG_REMOVED in self.tags

    @property
    def label(self) -> str:
        """The first field as plain text, at most 60 characters (for listings)."""
        return plain_label(self.fields[0] if self.fields else "")


_TAG_RE = re.compile(r"<[^>]*>")
_MEDIA_RE = re.compile(r"""src\s*=\s*["']([^"']+)["']|\[sound:([^\]]+)\]""", re.IGNORECASE)


def plain_label(field_html: str, width: int = 60) -> str:
    """``field_html`` without tags, whitespace collapsed, cut to ``width`` characters."""
    text = " ".join(html.unescape(_TAG_RE.sub(" ", field_html)).split())
    return text if len(text) <= width else text[: width - 1] + "…"


def read_package(path: str | os.PathLike[str]) -> tuple[PackageNote, ...]:
    """The notes of an ``.apkg`` written by mkdeck (legacy ``collection.anki2``), in note id
    order.

    Raises:
        PushError: the file is not a readable package.
    """
    try:
        with zipfile.ZipFile(path) as zf:
            db = zf.read("collection.anki2")
            media_map = json.loads(zf.read("media").decode("utf-8") or "{}")
            media_digest = {name: hashlib.sha256(zf.read(index)).hexdigest()
                            for index, name in media_map.items()}
    except (OSError, KeyError, ValueError, zipfile.BadZipFile) as exc:
        raise PushError(f"cannot read the package {path}: {exc}") from None
    conn = sqlite3.connect(":memory:")
    try:
        conn.deserialize(db)
        models_json, decks_json = conn.execute("SELECT models, decks FROM col").fetchone()
        models = {int(k): v for k, v in json.loads(models_json).items()}
        decks = {int(k): v["name"] for k, v in json.loads(decks_json).items()}
        card_deck: dict[int, str] = {}
        for nid, did in conn.execute("SELECT nid, did FROM cards ORDER BY nid, ord"):
            card_deck.setdefault(nid, decks.get(did, "Default"))
        rows = conn.execute("SELECT id, guid, mid, mod, tags, flds FROM notes ORDER BY id")
        notes = []
        for nid, guid, mid, mod, tags, flds in rows:
            model = models.get(int(mid), {})
            names = tuple(f["name"] for f in sorted(model.get("flds", []),
                                                     key=lambda f: f["ord"]))
            values = tuple(flds.split("\x1f"))
            tag_list = tuple(tags.split())
            notes.append(PackageNote(
                guid=guid, note_id=int(nid), model=str(model.get("name", "")),
                field_names=names, fields=values, tags=tag_list, mod=int(mod),
                deck=card_deck.get(nid, "Default"),
                digest=_note_digest(str(model.get("name", "")), values, tag_list,
                                    media_digest)))
    except (sqlite3.Error, ValueError, KeyError, TypeError) as exc:
        raise PushError(f"cannot read the package {path}: {exc}") from None
    finally:
        conn.close()
    return tuple(notes)


def _note_digest(model: str, fields: Sequence[str], tags: Sequence[str],
                 media: Mapping[str, str]) -> str:
    used = sorted({html.unescape(a or b) for value in fields
                   for a, b in _MEDIA_RE.findall(value)} & set(media))
    data = json.dumps([model, list(fields), sorted(t for t in tags if t != TAG_MOVED),
                       [(name, media[name]) for name in used]], ensure_ascii=False)
    return hashlib.sha256(data.encode("utf-8")).hexdigest()[:16]




def without_notes(package: str | os.PathLike[str], guids: Iterable[str],
                  out: str | os.PathLike[str]) -> None:
    """Write to ``out`` a copy of ``package`` without the notes of ``guids`` and their cards
    (media and note types kept): what push sends when some notes are not this vault's to send.

    Raises:
        PushError: the package cannot be read.
        OSError: ``out`` cannot be written.
    """
    drop = sorted(set(guids))
    try:
        with zipfile.ZipFile(package) as zf:
            files = [(info, zf.read(info)) for info in zf.infolist()]
    except (OSError, KeyError, zipfile.BadZipFile) as exc:
        raise PushError(f"cannot read the package {package}: {exc}") from None
    conn = sqlite3.connect(":memory:")
    try:
        blobs = []
        for info, data in files:
            if info.filename == "collection.anki2":
                conn.deserialize(data)
                conn.execute("CREATE TEMP TABLE dropped (guid TEXT PRIMARY KEY)")
                conn.executemany("INSERT OR IGNORE INTO dropped VALUES (?)",
                                 [(g,) for g in drop])
                conn.execute("DELETE FROM cards WHERE nid IN (SELECT id FROM notes WHERE "
                             "guid IN (SELECT guid FROM dropped))")
                conn.execute("DELETE FROM notes WHERE guid IN (SELECT guid FROM dropped)")
                conn.execute("DROP TABLE dropped")
                conn.commit()
                data = conn.serialize()
            blobs.append((info, data))
    except sqlite3.Error as exc:
        raise PushError(f"cannot read the package {package}: {exc}") from None
    finally:
        conn.close()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for info, data in blobs:
            zf.writestr(info, data)
