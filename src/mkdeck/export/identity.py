"""Note identity: which Anki note a card of the vault is, across builds.

Anki matches an imported note to the one it already holds by *guid* alone, across the whole
collection (``rslib/src/import_export/package/apkg/import/notes.rs``). So a guid must never
change while the card is "the same card", and must never be shared by two cards:

* a note with an ID comment (``<!--ID: 1701613701250-->``, written by the Obsidian_to_Anki
  plugin or by ``mkdeck ids``) is identified by that number alone, so editing any field or
  moving the block to another file keeps the note;
* a note without one is identified by its vault-relative path, its note type and its first
  field's text (whitespace-normalized), so editing the back keeps the note, while editing the
  front makes a new one (``mkdeck ids`` fixes that for good).

Both keys are namespaced (``"mkdeck"``) so they never collide with guids other tools made
(genanki issue #61). Note and card ids are derived from the guid (never from the clock), so
builds are reproducible. This module does not import genanki.
"""

from __future__ import annotations

import hashlib
import logging
import re
import unicodedata
from collections.abc import Iterable, Sequence

from mkdeck.codes import register
from mkdeck.model import Diagnostic, Note, Severity

LOG = logging.getLogger(__name__)

NAMESPACE = "mkdeck"

# Anki's base91 guid alphabet (pylib ``anki.utils.base91``, also genanki's ``BASE91_TABLE``).
_BASE91 = (
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
    "!#$%&()*+,-./:;<=>?@[]^_`{|}~"
)

# Ids are placed in the range of millisecond timestamps between 2001-09-09 and 2017-07-14, so
# Anki's browser shows a plausible "Created" date and they stay below 2**53 (JSON-safe).
_ID_BASE = 1_000_000_000_000
_ID_SPAN = 500_000_000_000

DUPLICATE_GUID = register(
    "MKD301",
    Severity.ERROR,
    "two notes have the same identity",
    fix="Give each card its own ID comment (run `mkdeck ids PATH`), or make the first fields "
    "differ. Two cards sharing a copied ID comment: delete the copy's ID comment, then run "
    "`mkdeck ids PATH`.",
    bad="START\nBasic\nSame front\nEND\nSTART\nBasic\nSame front\nEND",
    good="START\nBasic\nSame front\n<!--ID: 1701613701250-->\nEND\n"
    "START\nBasic\nSame front\n<!--ID: 1701613701251-->\nEND",
)


def _hash64(*parts: str) -> int:
    """First 8 bytes of SHA-256 over the parts joined by ``\\x00``, as an unsigned int."""
    digest = hashlib.sha256("\x00".join(parts).encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big")


def _base91(value: int) -> str:
    """``value`` in Anki's base91 guid notation (``anki.utils.base91``)."""
    if value == 0:
        return _BASE91[0]
    out = []
    while value:
        value, rem = divmod(value, 91)
        out.append(_BASE91[rem])
    return "".join(reversed(out))


_WS_RE = re.compile(r"\s+")


def normalize_key_text(text: str) -> str:
    """The text of a first field as it enters a guid: NFC, whitespace runs collapsed to one
    space, trimmed; so re-wrapping or re-indenting a front keeps the note's identity."""
    return _WS_RE.sub(" ", unicodedata.normalize("NFC", text)).strip()


def identity_key(note: Note) -> tuple[str, ...]:
    """What identifies ``note``: ``("id", "<n>")`` when it has an ID comment, else
    ``("key", path, note type name, normalized first field)``. The path is taken in NFC: macOS
    stores file names decomposed (NFD), Linux as typed, so the same vault synced between them
    keeps its notes' identity."""
    if note.id is not None:
        return ("id", str(note.id))
    first = note.fields[0].markdown if note.fields else ""
    path = unicodedata.normalize("NFC", note.location.path)
    return ("key", path, note.note_type.name, normalize_key_text(first))


def note_guid(note: Note) -> str:
    """The Anki guid of ``note``: base91 of 64 bits of SHA-256 over ``("mkdeck", *key)``
    (see :func:`identity_key`); at most 10 characters of Anki's guid alphabet.

    Rule source: Anki matches notes on import by guid only (importer ``notes.rs``)."""
    return _base91(_hash64(NAMESPACE, *identity_key(note)))


def guid_for(*parts: str) -> str:
    """A guid (base91 of 64 bits of SHA-256, mkdeck's namespace) for any key ``parts``; used
    where a guid must be derived from something else than a note (a replacement guid)."""
    return _base91(_hash64(NAMESPACE, *parts))


def derived_id(*parts: str) -> int:
    """A stable positive id in the millisecond-timestamp range ``[1e12, 1.5e12)`` derived
    from ``parts`` (for note ids: the guid; for card ids: guid and card ordinal)."""
    return _ID_BASE + _hash64(NAMESPACE, "id", *parts) % _ID_SPAN


def note_id(guid: str) -> int:
    """The Anki note id for the note with ``guid`` (before collision resolution)."""
    return derived_id("note", guid)


def card_id(guid: str, ord_: int) -> int:
    """The Anki card id of card ``ord_`` (0-based template or cloze ordinal) of the note with
    ``guid`` (before collision resolution)."""
    return derived_id("card", guid, str(ord_))


def allocate_ids(wanted: Sequence[int]) -> list[int]:
    """Make ``wanted`` ids unique, keeping order: a repeated id is bumped by 1 until free
    (what Anki itself does on a clash, in steps of 999). Deterministic for the same input.

    Returns a list of the same length as ``wanted``."""
    used: set[int] = set()
    out: list[int] = []
    for want in wanted:
        value = want
        while value in used:
            value += 1
        used.add(value)
        out.append(value)
    return out


def _describe(note: Note) -> str:
    if note.id is not None:
        return f"the ID comment {note.id}"
    return "the same note type and first field"


def duplicate_guid_diagnostics(notes: Iterable[Note],
                               guids: Sequence[str] | None = None) -> list[Diagnostic]:
    """One MKD301 error for every note whose guid an earlier note (vault order) already has.

    The diagnostic is placed at the later note and names the earlier one's path and line;
    the exporter keeps the first note and skips the later ones. ``guids``, when given, are
    the notes' guids (saves computing them again). Returns them in input order."""
    first_seen: dict[str, Note] = {}
    out: list[Diagnostic] = []
    notes = list(notes)
    if guids is None:
        guids = [note_guid(n) for n in notes]
    for note, guid in zip(notes, guids):
        earlier = first_seen.get(guid)
        if earlier is None:
            first_seen[guid] = note
            continue
        if note.id is not None:
            # `mkdeck ids` only fills in missing IDs: a copied ID must be deleted first.
            how = (f"delete the ID comment of the copy you did not import into Anki (line "
                   f"{note.id_line or note.location.line} here, or in {earlier.location.path}), "
                   f"then run `mkdeck ids` to give it a new one")
        else:
            how = "give it its own ID comment (`mkdeck ids`) or change its first field"
        out.append(
            DUPLICATE_GUID.at(
                note.location,
                f"this note has {_describe(note)} as the note at {earlier.location}, so Anki "
                f"would see one note: it is skipped. To fix, {how}.",
            )
        )
    return out


def duplicate_guids(notes: Iterable[Note]) -> set[int]:
    """Indexes (in ``notes`` order) of notes whose guid an earlier note already has."""
    seen: set[str] = set()
    dups: set[int] = set()
    for index, note in enumerate(notes):
        guid = note_guid(note)
        if guid in seen:
            dups.add(index)
        seen.add(guid)
    return dups
