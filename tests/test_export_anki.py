"""The exporter against real Anki: packages built from model objects, imported into a fresh
collection with the desktop's default options, and checked on what Anki holds."""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

import pytest
from anki_oracle import AnkiOracle

from mkdeck.export.apkg import write_apkg
from mkdeck.export.plan import plan_export
from mkdeck.model import (
    Field,
    MediaRef,
    Note,
    NoteFile,
    NoteType,
    RenderedNote,
    SourceLocation,
    Vault,
)

BASIC = NoteType("Basic", ("Front", "Back"))
REVERSED = NoteType("Basic (and reversed card)", ("Front", "Back"),
                    base="Basic (and reversed card)")
OPTIONAL = NoteType("Basic (optional reversed card)", ("Front", "Back", "Add Reverse"),
                    base="Basic (optional reversed card)")
TYPE_IN = NoteType("Basic (type in the answer)", ("Front", "Back"),
                   base="Basic (type in the answer)")
CLOZE = NoteType("Cloze", ("Text", "Back Extra"), base="Cloze")
MCQ = NoteType("MCQ", ("Question", "Answer", "Source"), base="Basic")
CSS = ".card { font-family: sans-serif; }\n"
T0 = 1_780_000_000


def rnote(path: str, line: int, note_type: NoteType, values: dict[str, str], *,
          deck: str = "Default", tags: tuple[str, ...] = (), id: int | None = None,
          media: tuple[MediaRef, ...] = ()) -> RenderedNote:
    """A rendered note whose markdown is its HTML (enough for identity)."""
    fields = tuple(
        Field(name, values.get(name, ""), SourceLocation(path, line + 1 + i), (line + 1 + i,))
        for i, name in enumerate(note_type.fields)
    )
    note = Note(SourceLocation(path, line), note_type, fields, deck, tags, id,
                end_line=line + 5)
    return RenderedNote(note, {name: values.get(name, "") for name in note_type.fields}, media)


def vault_for(root: Path, notes: list[RenderedNote], mtime: int = T0,
              mtimes: dict[str, int] | None = None) -> Vault:
    paths = sorted({r.note.location.path for r in notes})
    files = tuple(NoteFile(p, "", (mtimes or {}).get(p, mtime)) for p in paths)
    return Vault(str(root), root.name, files)


def build(tmp_path: Path, notes: list[RenderedNote], name: str = "out.apkg", **kw):
    out = tmp_path / name
    vault = kw.pop("vault", None) or vault_for(tmp_path, notes, **kw)
    result = write_apkg(notes, out, vault=vault, css=CSS, now=T0 + 10_000_000, environ={})
    return out, result


@pytest.fixture
def anki():
    with AnkiOracle() as oracle:
        yield oracle


def sample_notes(root: Path) -> list[RenderedNote]:
    (root / "img").mkdir(exist_ok=True)
    (root / "img" / "pic.png").write_bytes(b"\x89PNG\r\n\x1a\nfake")
    pic = MediaRef("pic.png", "img/pic.png", SourceLocation("b.md", 3))
    return [
        rnote("a.md", 1, BASIC, {"Front": "What is <code>fork</code>?", "Back": "A syscall"},
              deck="Linux::Syscalls", tags=("linux", "code"), id=1701613701250),
        rnote("a.md", 10, CLOZE, {"Text": "{{c1::read}} and {{c2::write}}", "Back Extra": ""},
              deck="Linux", tags=("linux",)),
        rnote("b.md", 1, REVERSED, {"Front": "<img src=\"pic.png\">", "Back": "a picture"},
              media=(pic,)),
        rnote("b.md", 8, MCQ, {"Question": "Q?", "Answer": "A", "Source": "man 2 fork"},
              deck="Linux"),
    ]


def test_first_import(tmp_path, anki):
    notes = sample_notes(tmp_path)
    out, result = build(tmp_path, notes)
    assert (result.notes, result.cards, result.decks, result.media, result.skipped) == (
        4, 6, 3, 1, 0)
    assert anki.import_apkg(out)["new"] == 4
    held = {n.guid: n for n in anki.notes()}
    assert len(held) == 4
    by_first = {next(iter(n.fields.values())): n for n in held.values()}
    fork = by_first["What is <code>fork</code>?"]
    assert fork.note_type == "Basic (mkdeck)"
    assert fork.fields == {"Front": "What is <code>fork</code>?", "Back": "A syscall"}
    assert sorted(fork.tags) == ["code", "linux"]
    assert [c.deck for c in fork.cards] == ["Linux::Syscalls"]
    assert fork.mtime == T0
    # the package leaves sfld/csum empty: Anki computes them from the first field
    sfld, csum = anki.col.db.first("select sfld, csum from notes where id = ?", fork.note_id)
    assert (sfld, csum != 0) == ("What is fork?", True)
    cloze = by_first["{{c1::read}} and {{c2::write}}"]
    assert [c.ord for c in cloze.cards] == [0, 1]
    assert cloze.note_type == "Cloze (mkdeck)"
    rev = by_first['<img src="pic.png">']
    assert [(c.ord, c.deck) for c in rev.cards] == [(0, "Default"), (1, "Default")]
    mcq = by_first["Q?"]
    assert mcq.note_type == "MCQ (mkdeck)"
    assert mcq.fields == {"Question": "Q?", "Answer": "A", "Source": "man 2 fork"}
    # new cards are due in vault order
    assert [c.due for n in (fork, cloze, rev, mcq) for c in n.cards] == [1, 2, 2, 3, 3, 4]
    assert anki.decks() == {"Default": 2, "Linux": 3, "Linux::Syscalls": 1}
    assert anki.media_files() == ["pic.png"]
    assert anki.media_file("pic.png") == b"\x89PNG\r\n\x1a\nfake"
    types = anki.note_types()
    assert types["Basic (mkdeck)"]["templates"] == [
        ("Card 1", "{{Front}}", "{{FrontSide}}\n\n<hr id=answer>\n\n{{Back}}")]
    assert types["Basic (and reversed card) (mkdeck)"]["templates"][1] == (
        "Card 2", "{{Back}}", "{{FrontSide}}\n\n<hr id=answer>\n\n{{Front}}")
    assert types["Cloze (mkdeck)"]["kind"] == "cloze"
    assert types["Cloze (mkdeck)"]["templates"] == [
        ("Cloze", "{{cloze:Text}}", "{{cloze:Text}}<br>\n{{Back Extra}}")]
    assert ".cloze" in types["Cloze (mkdeck)"]["css"]
    assert types["Basic (mkdeck)"]["css"] == CSS
    assert types["MCQ (mkdeck)"]["templates"][0][1] == "{{Question}}"
    assert "{{#Source}}" in types["MCQ (mkdeck)"]["templates"][0][2]
    # no stock type was touched or renamed
    assert not [name for name in types if name.endswith("+")]
    assert anki.check_database() == (set(), set())


def test_check_database_adds_no_cards(tmp_path, anki):
    """Card generation matches Anki's own for the inputs genanki gets wrong."""
    cases = [
        (CLOZE, {"Text": "{{c1::outer {{c2::inner}} }}"}),
        (CLOZE, {"Text": "{{c1,2::shared}} {{c3::x}}"}),
        (CLOZE, {"Text": "{{c2::only two}}", "Back Extra": "{{c4::extra}}"}),
        (CLOZE, {"Text": "{{c1::a {{c2::unclosed}}", "Back Extra": "{{c1::b}}"}),
        (CLOZE, {"Text": "{{c1::}} {{c0::zero}} {{c1,99999::big}}"}),
        (OPTIONAL, {"Front": "f1", "Back": "b", "Add Reverse": "y"}),
        (OPTIONAL, {"Front": "f2", "Back": "b", "Add Reverse": "<br>&nbsp;"}),
        (REVERSED, {"Front": "f3", "Back": ""}),
        (REVERSED, {"Front": "f4", "Back": "<img src=\"x.png\">"}),
        (TYPE_IN, {"Front": "f5", "Back": "b"}),
        (MCQ, {"Question": "q", "Answer": "", "Source": "s"}),
    ]
    notes = [rnote("c.md", 10 * i + 1, t, v) for i, (t, v) in enumerate(cases)]
    out, result = build(tmp_path, notes)
    assert result.skipped == 0, result.diagnostics
    assert anki.import_apkg(out)["new"] == len(cases)
    assert anki.check_database() == (set(), set())
    cards = {n.fields[next(iter(n.fields))]: [c.ord for c in n.cards] for n in anki.notes()}
    assert cards["{{c1::outer {{c2::inner}} }}"] == [0, 1]
    assert cards["{{c1,2::shared}} {{c3::x}}"] == [0, 1, 2]
    assert cards["{{c2::only two}}"] == [1, 3]
    assert cards["{{c1::a {{c2::unclosed}}"] == [0]


def _answered_state(anki: AnkiOracle, guid: str) -> tuple[int, int]:
    note = next(n for n in anki.notes() if n.guid == guid)
    return note.cards[0].type, note.cards[0].reps


def test_edit_one_card_updates_it_and_keeps_review_state(tmp_path, anki):
    notes = sample_notes(tmp_path)
    out1, _ = build(tmp_path, notes, "v1.apkg")
    assert anki.import_apkg(out1)["new"] == 4
    fork = next(n for n in anki.notes() if n.fields.get("Back") == "A syscall")
    fork_guid = fork.guid
    assert anki.answer(f"nid:{fork.note_id}", "good") == 1
    state = _answered_state(anki, fork_guid)
    assert state[1] == 1 and state[0] != 0  # learning, one review

    edited = list(notes)
    edited[0] = rnote("a.md", 1, BASIC, {"Front": "What is <code>fork</code>?",
                                          "Back": "A syscall that copies the process"},
                      deck="Linux::Syscalls", tags=("linux", "code"), id=1701613701250)
    out2, _ = build(tmp_path, edited, "v2.apkg", mtimes={"a.md": T0 + 60, "b.md": T0})
    log = anki.import_apkg(out2)
    # every note of the edited file is newer; only the edited one changed in content
    assert log["new"] == 0
    assert log["updated"] == 2 and log["duplicate"] == 2
    fork = next(n for n in anki.notes() if n.guid == fork_guid)
    assert fork.fields["Back"] == "A syscall that copies the process"
    assert _answered_state(anki, fork_guid) == state
    assert len(anki.notes()) == 4


def test_only_edited_file_bumps(tmp_path, anki):
    """An edit in a one-note file: updated=1, new=0."""
    notes = [rnote("x.md", 1, BASIC, {"Front": "f1", "Back": "b1"}),
             rnote("y.md", 1, BASIC, {"Front": "f2", "Back": "b2"})]
    out1, _ = build(tmp_path, notes, "v1.apkg")
    assert anki.import_apkg(out1)["new"] == 2
    notes[0] = rnote("x.md", 1, BASIC, {"Front": "f1", "Back": "b1 edited"})
    out2, _ = build(tmp_path, notes, "v2.apkg", mtimes={"x.md": T0 + 5, "y.md": T0})
    log = anki.import_apkg(out2)
    assert (log["new"], log["updated"], log["duplicate"]) == (0, 1, 1)


def test_rebuild_without_changes_adds_nothing(tmp_path, anki):
    notes = sample_notes(tmp_path)
    out1, _ = build(tmp_path, notes, "v1.apkg")
    out2, _ = build(tmp_path, notes, "v2.apkg")
    assert out1.read_bytes() == out2.read_bytes()
    anki.import_apkg(out1)
    log = anki.import_apkg(out2)
    assert (log["new"], log["updated"], log["duplicate"]) == (0, 0, 4)
    assert len(anki.notes()) == 4


def test_move_card_with_id_to_another_file_is_the_same_note(tmp_path, anki):
    a = rnote("a.md", 1, BASIC, {"Front": "f", "Back": "b"}, id=1701613701250)
    out1, _ = build(tmp_path, [a], "v1.apkg")
    anki.import_apkg(out1)
    (before,) = anki.notes()
    moved = rnote("sub/other.md", 40, BASIC, {"Front": "f", "Back": "b"}, id=1701613701250,
                  deck="Elsewhere")
    out2, _ = build(tmp_path, [moved], "v2.apkg", mtime=T0 + 100)
    log = anki.import_apkg(out2)
    assert (log["new"], log["updated"]) == (0, 1)
    (after,) = anki.notes()
    assert (after.guid, after.note_id) == (before.guid, before.note_id)


def test_edit_front_without_id_is_a_new_note_but_with_id_is_not(tmp_path, anki):
    no_id = rnote("a.md", 1, BASIC, {"Front": "front", "Back": "b"})
    with_id = rnote("a.md", 9, BASIC, {"Front": "front 2", "Back": "b"}, id=1701613701999)
    out1, _ = build(tmp_path, [no_id, with_id], "v1.apkg")
    anki.import_apkg(out1)
    no_id2 = rnote("a.md", 1, BASIC, {"Front": "front  \n edited", "Back": "b"})
    with_id2 = rnote("a.md", 9, BASIC, {"Front": "front 2 edited", "Back": "b"},
                     id=1701613701999)
    out2, _ = build(tmp_path, [no_id2, with_id2], "v2.apkg", mtime=T0 + 1)
    log = anki.import_apkg(out2)
    assert (log["new"], log["updated"]) == (1, 1)


def test_whitespace_only_edit_of_front_keeps_identity(tmp_path, anki):
    out1, _ = build(tmp_path, [rnote("a.md", 1, BASIC, {"Front": "a  b\nc", "Back": "x"})],
                    "v1.apkg")
    out2, _ = build(tmp_path, [rnote("a.md", 1, BASIC, {"Front": "a b c", "Back": "y"})],
                    "v2.apkg", mtime=T0 + 1)
    anki.import_apkg(out1)
    assert anki.import_apkg(out2)["updated"] == 1


def test_note_type_ids_never_change_so_reimport_makes_no_plus_types(tmp_path, anki):
    notes = sample_notes(tmp_path)
    out1, _ = build(tmp_path, notes, "v1.apkg")
    anki.import_apkg(out1)
    out2 = tmp_path / "v2.apkg"
    write_apkg(notes, out2, vault=vault_for(tmp_path, notes, mtime=T0 + 9), css=CSS + "b{}",
               now=T0 + 10_000_000, environ={})
    log = anki.import_apkg(out2)
    assert log["conflicting"] == 0 and log["updated"] == 4
    types = anki.note_types()
    assert not [name for name in types if name.endswith("+")]
    assert types["Basic (mkdeck)"]["css"] == CSS + "b{}"  # the new CSS reached Anki


def test_invalid_notes_are_skipped_and_valid_ones_imported(tmp_path, anki):
    notes = [
        rnote("a.md", 1, BASIC, {"Front": "ok", "Back": "fine"}),
        rnote("a.md", 9, BASIC, {"Front": "bad\x1fsep", "Back": "x"}),
        rnote("a.md", 20, CLOZE, {"Text": "no deletion here"}),
        rnote("a.md", 30, BASIC, {"Front": " <br> ", "Back": "empty front"}),
        rnote("a.md", 40, BASIC, {"Front": "ok", "Back": "duplicate of line 1"}),
        rnote("b.md", 1, BASIC, {"Front": "x", "Back": "same id"}, id=5),
        rnote("c.md", 1, BASIC, {"Front": "y", "Back": "same id"}, id=5),
    ]
    out, result = build(tmp_path, notes)
    codes = sorted((d.code, str(d.location)) for d in result.diagnostics)
    assert codes == [("MKD301", "a.md:40"), ("MKD301", "c.md:1"), ("MKD302", "a.md:10"),
                     ("MKD303", "a.md:20"), ("MKD304", "a.md:30")]
    dup = next(d for d in result.diagnostics if str(d.location) == "c.md:1")
    assert "b.md:1" in dup.message
    assert (result.notes, result.skipped) == (2, 5)
    assert anki.import_apkg(out)["new"] == 2
    assert sorted(n.fields["Back"] for n in anki.notes()) == ["fine", "same id"]


def test_tags_without_spaces_and_deck_names_cleaned(tmp_path, anki):
    notes = [rnote("a.md", 1, BASIC, {"Front": "f", "Back": "b"}, deck=" A :: ::B ",
                   tags=("has space", "ok", "ok"))]
    out, result = build(tmp_path, notes)
    assert sorted(d.code for d in result.diagnostics) == ["MKD309", "MKD310"]
    anki.import_apkg(out)
    (note,) = anki.notes()
    assert note.tags == ("has_space", "ok")
    assert note.cards[0].deck == "A::B"


def test_media_packed_once_only_referenced_and_missing_reported(tmp_path, anki):
    (tmp_path / "a.png").write_bytes(b"A")
    (tmp_path / "unused.png").write_bytes(b"U")
    ref = MediaRef("a.png", "a.png", SourceLocation("n.md", 2))
    gone = MediaRef("gone.mp3", "gone.mp3", SourceLocation("n.md", 12))
    notes = [rnote("n.md", 1, BASIC, {"Front": '<img src="a.png">', "Back": "1"}, media=(ref,)),
             rnote("n.md", 11, BASIC, {"Front": '<img src="a.png"> [sound:gone.mp3]',
                                       "Back": "2"}, media=(ref, gone))]
    out, result = build(tmp_path, notes)
    assert [(d.code, str(d.location)) for d in result.diagnostics] == [("MKD306", "n.md:12")]
    with zipfile.ZipFile(out) as zf:
        assert sorted(zf.namelist()) == ["0", "collection.anki2", "media"]
        assert zf.read("media") == b'{"0": "a.png"}'
    anki.import_apkg(out)
    assert anki.media_files() == ["a.png"]


def test_media_name_clash_is_an_error(tmp_path):
    (tmp_path / "x").mkdir()
    (tmp_path / "a.png").write_bytes(b"1")
    (tmp_path / "x" / "a.png").write_bytes(b"2")
    (tmp_path / "A.PNG").write_bytes(b"3")
    notes = [
        rnote("n.md", 1, BASIC, {"Front": "1", "Back": ""},
              media=(MediaRef("a.png", "a.png", SourceLocation("n.md", 2)),)),
        rnote("n.md", 9, BASIC, {"Front": "2", "Back": ""},
              media=(MediaRef("a.png", "x/a.png", SourceLocation("n.md", 10)),
                     MediaRef("A.PNG", "A.PNG", SourceLocation("n.md", 11)))),
    ]
    plan = plan_export(notes, vault=vault_for(tmp_path, notes), css=CSS, environ={})
    assert [(d.code, d.location.line) for d in plan.diagnostics] == [
        ("MKD307", 10), ("MKD307", 11)]
    assert [m.name for m in plan.media] == ["a.png"]


def test_mtime_is_capped_by_now_and_source_date_epoch(tmp_path):
    notes = [rnote("a.md", 1, BASIC, {"Front": "f", "Back": "b"})]
    vault = vault_for(tmp_path, notes, mtime=T0 + 500)
    plan = plan_export(notes, vault=vault, css=CSS, now=T0 + 100, environ={})
    assert plan.notes[0].mod == T0 + 100
    plan = plan_export(notes, vault=vault, css=CSS, now=T0 + 1000,
                       environ={"SOURCE_DATE_EPOCH": str(T0 + 7)})
    assert plan.notes[0].mod == T0 + 7
    assert plan.model_mod == T0 + 7
    plan = plan_export(notes, vault=vault, css=CSS, now=T0 + 1000, environ={})
    assert plan.notes[0].mod == T0 + 500


def test_reproducible_bytes_and_deflated_fixed_dates(tmp_path):
    notes = sample_notes(tmp_path)
    out1, _ = build(tmp_path, notes, "one.apkg")
    out2, _ = build(tmp_path, list(notes), "two.apkg")
    assert out1.read_bytes() == out2.read_bytes()
    with zipfile.ZipFile(out1) as zf:
        infos = {i.filename: i for i in zf.infolist()}
    assert infos["collection.anki2"].compress_type == zipfile.ZIP_DEFLATED
    assert infos["media"].compress_type == zipfile.ZIP_DEFLATED
    assert {i.date_time for i in infos.values()} == {(1980, 1, 1, 0, 0, 0)}
    # a different mtime changes the bytes
    out3, _ = build(tmp_path, notes, "three.apkg", mtime=T0 + 1)
    assert out3.read_bytes() != out1.read_bytes()


def test_failed_write_leaves_no_partial_file_and_no_temp(tmp_path):
    notes = sample_notes(tmp_path)
    out = tmp_path / "out" / "deck.apkg"
    out.parent.mkdir()
    out.write_bytes(b"old deck")
    vault = vault_for(tmp_path, notes)
    plan = plan_export(notes, vault=vault, css=CSS, environ={})
    (tmp_path / "img" / "pic.png").unlink()  # vanishes between planning and writing
    from mkdeck.export.apkg import write_package

    with pytest.raises(FileNotFoundError):
        write_package(plan, out)
    assert sorted(os.listdir(out.parent)) == ["deck.apkg"]
    assert out.read_bytes() == b"old deck"


def test_no_temp_files_anywhere(tmp_path, monkeypatch):
    tmpdir = tmp_path / "tmp"
    tmpdir.mkdir()
    monkeypatch.setenv("TMPDIR", str(tmpdir))
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(tmpdir))
    notes = sample_notes(tmp_path)
    out, _ = build(tmp_path, notes)
    assert os.listdir(tmpdir) == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["img", "out.apkg", "tmp"]


def test_identical_files_under_one_name_are_not_a_clash(tmp_path):
    """The renderer names two copies of the same file once; that is no clash."""
    (tmp_path / "x").mkdir()
    (tmp_path / "a.png").write_bytes(b"same")
    (tmp_path / "x" / "a.png").write_bytes(b"same")
    notes = [
        rnote("n.md", 1, BASIC, {"Front": "1", "Back": ""},
              media=(MediaRef("a.png", "a.png", SourceLocation("n.md", 2)),)),
        rnote("n.md", 9, BASIC, {"Front": "2", "Back": ""},
              media=(MediaRef("a.png", "x/a.png", SourceLocation("n.md", 10)),)),
    ]
    plan = plan_export(notes, vault=vault_for(tmp_path, notes), css=CSS, environ={})
    assert plan.diagnostics == ()
    assert [m.name for m in plan.media] == ["a.png"]


def test_deck_names_differing_in_case_become_one_deck(tmp_path, anki):
    notes = [rnote("a.md", 1, BASIC, {"Front": "1", "Back": ""}, deck="Linux::Sub"),
             rnote("a.md", 9, BASIC, {"Front": "2", "Back": ""}, deck="linux::sub"),
             rnote("a.md", 19, BASIC, {"Front": "3", "Back": ""}, deck="LINUX")]
    out, result = build(tmp_path, notes)
    assert [(d.code, d.location.line) for d in result.diagnostics] == [
        ("MKD312", 9), ("MKD312", 19)]
    anki.import_apkg(out)
    assert {k: v for k, v in anki.decks().items() if v} == {"Linux::Sub": 2, "Linux": 1}


def test_deck_names_are_normalized_as_anki_stores_them(tmp_path, anki):
    """A deck written in NFC in one note and NFD in another (macOS file names, pasted text)
    is one deck for Anki: the package held two, and Anki renamed one ``Café_``. Control
    characters, which Anki strips, made the same split."""
    notes = [rnote("a.md", 1, BASIC, {"Front": "1", "Back": ""}, deck="Caf\u00e9::Sub"),
             rnote("b.md", 1, BASIC, {"Front": "2", "Back": ""}, deck="Cafe\u0301::Sub"),
             rnote("c.md", 1, BASIC, {"Front": "3", "Back": ""}, deck="Caf\u00e9::S\tub")]
    out, result = build(tmp_path, notes)
    assert result.diagnostics == ()
    anki.import_apkg(out)
    assert {k: v for k, v in anki.decks().items() if v} == {"Caf\u00e9::Sub": 3}
