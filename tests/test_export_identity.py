"""Note identity: guids from ID comments or stable keys, ids from guids, duplicates named."""

from __future__ import annotations

import dataclasses

from mkdeck.export.identity import (
    allocate_ids,
    card_id,
    duplicate_guid_diagnostics,
    identity_key,
    note_guid,
    note_id,
)
from mkdeck.model import Field, Note, NoteType, SourceLocation

BASIC = NoteType("Basic", ("Front", "Back"))
CLOZE = NoteType("Cloze", ("Text", "Back Extra"), base="Cloze")
ANKI_GUID_CHARS = set(
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&()*+,-./:;<=>?@[]^_`{|}~"
)


def note(path="a.md", line=1, front="front", back="back", id=None, note_type=BASIC, deck="D"):
    fields = (Field(note_type.fields[0], front, SourceLocation(path, line + 2)),
              Field(note_type.fields[1], back, SourceLocation(path, line + 3)))
    return Note(SourceLocation(path, line), note_type, fields, deck, (), id)


def test_guid_from_id_ignores_everything_else():
    a = note(id=1701613701250)
    b = note(path="other/place.md", line=99, front="new front", back="new back",
             id=1701613701250, deck="Elsewhere")
    assert note_guid(a) == note_guid(b)
    assert identity_key(a) == ("id", "1701613701250")
    assert note_guid(a) != note_guid(note(id=1701613701251))


def test_guid_without_id_is_path_type_and_first_field():
    base = note()
    assert note_guid(base) == note_guid(note(back="edited back", line=50, deck="X"))
    assert note_guid(base) == note_guid(note(front="  front\n"))
    assert note_guid(base) != note_guid(note(front="front 2"))
    assert note_guid(base) != note_guid(note(path="b.md"))
    assert note_guid(base) != note_guid(note(note_type=CLOZE))


def test_guid_is_pinned_and_in_anki_alphabet():
    # a guid must never change between mkdeck versions: Anki matches notes by it
    assert note_guid(note(id=1701613701250)) == "A1`15|M]Fp"
    assert note_guid(note()) == "Lsd17S$CY?"
    for n in (note(id=i) for i in range(200)):
        guid = note_guid(n)
        assert set(guid) <= ANKI_GUID_CHARS and 1 <= len(guid) <= 10


def test_guid_is_namespaced_not_genanki_default():
    import genanki

    n = note()
    assert note_guid(n) != genanki.guid_for("front", "back")
    assert note_guid(n) != genanki.guid_for(*identity_key(n))


def test_ids_derived_and_in_range():
    guid = note_guid(note())
    assert note_id(guid) == note_id(guid)
    assert 10**12 <= note_id(guid) < 15 * 10**11
    assert card_id(guid, 0) != card_id(guid, 1)
    assert allocate_ids([5, 5, 6, 5]) == [5, 6, 7, 8]


def test_duplicates_name_both_places():
    first = note(line=1)
    second = note(line=20, back="other back")
    by_id_a = note(path="x.md", line=3, id=7)
    by_id_b = note(path="y.md", line=8, id=7)
    diags = duplicate_guid_diagnostics([first, second, by_id_a, by_id_b, note(front="unique")])
    assert [(d.code, str(d.location)) for d in diags] == [("MKD301", "a.md:20"),
                                                         ("MKD301", "y.md:8")]
    assert "a.md:1" in diags[0].message and "first field" in diags[0].message
    assert "x.md:3" in diags[1].message and "ID comment 7" in diags[1].message
    # `mkdeck ids` only fills in missing IDs, so a copied ID needs deleting first (found by
    # trying the fix the message used to give, which changed nothing).
    assert diags[1].message.endswith(
        "To fix, delete the ID comment of the copy you did not import into Anki (line 8 here, "
        "or in x.md), then run `mkdeck ids` to give it a new one.")
    assert diags[0].message.endswith(
        "To fix, give it its own ID comment (`mkdeck ids`) or change its first field.")
    assert duplicate_guid_diagnostics([first, dataclasses.replace(first, id=1)]) == []


def test_guid_is_the_same_for_nfc_and_nfd_file_names():
    """macOS writes file names decomposed (NFD): a vault synced between a Mac and Linux must
    keep its notes' identity (noticed in review: guids depended on the path's Unicode form)."""
    import unicodedata

    nfc = note(path=unicodedata.normalize("NFC", "Café/Crème brûlée.md"))
    nfd = note(path=unicodedata.normalize("NFD", "Café/Crème brûlée.md"))
    assert nfc.location.path != nfd.location.path
    assert note_guid(nfc) == note_guid(nfd)
    assert note_guid(nfc) != note_guid(note(path="Cafe/Creme brulee.md"))
