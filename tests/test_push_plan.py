"""Push without Anki: reading a built package, the per-Anki record, the plan."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest

from mkdeck.cli import main
from mkdeck.export.identity import note_id
from mkdeck.ankiconnect.package import PushError, read_package
from mkdeck.ankiconnect.push import plan_push
from mkdeck.ankiconnect.record import (
    PushRecord,
    RecordEntry,
    foreign_notes,
    load_record,
    record_path,
    save_record,
)

PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082")


def build(vault: Path, out: Path) -> None:
    assert main(["build", str(vault), "-o", str(out), "--no-cache"],
                stdout=io.StringIO(), stderr=io.StringIO()) == 0


def test_read_package_gives_what_anki_receives(make_vault, tmp_path):
    vault = make_vault({
        "a.md": "TARGET DECK: P::One\nFILE TAGS: t1\n\nSTART\nBasic\nq *one*\nBack: ![[x.png]]"
                "\nEND\n",
        "x.png": PNG,
    }, mtime=1_700_000_000)
    build(vault, tmp_path / "p.apkg")
    (note,) = read_package(tmp_path / "p.apkg")
    assert (note.model, note.field_names, note.deck, note.tags, note.mod) == (
        "Basic (mkdeck)", ("Front", "Back"), "P::One", ("t1",), 1_700_000_000)
    assert note.fields[0] == "q <em>one</em>" and 'src="x.png"' in note.fields[1]
    assert note.note_id == note_id(note.guid) and not note.removed
    assert note.label == "q one"
    # the digest covers the bytes of the media the fields use
    (vault / "x.png").write_bytes(PNG + b"\0")
    os.utime(vault / "x.png", (1_700_000_000, 1_700_000_000))
    build(vault, tmp_path / "p2.apkg")
    (again,) = read_package(tmp_path / "p2.apkg")
    assert again.fields == note.fields and again.digest != note.digest


def test_unreadable_package(tmp_path):
    (tmp_path / "bad.apkg").write_bytes(b"PK not a zip")
    with pytest.raises(PushError, match="cannot read the package"):
        read_package(tmp_path / "bad.apkg")


def test_record_round_trip_and_damage(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "st"))
    path = record_path("http://127.0.0.1:8765", "User 1", "/v")
    assert path.parent == tmp_path / "st" / "mkdeck" / "push"
    assert len({path, record_path("http://127.0.0.1:8765", "User 2", "/v"),
                record_path("http://127.0.0.1:8766", "User 1", "/v"),
                record_path("http://127.0.0.1:8765", "User 1", "/w")}) == 4
    assert load_record(path, "u", "p", "/v") == PushRecord("u", "p", "/v", {})
    record = PushRecord("u", "p", "/v", {"b": RecordEntry(2, "Basic (mkdeck)", "D", "ff", "x"),
                                        "a": RecordEntry(None, "Cloze (mkdeck)", "E", "00")},
                        frozenset({"z", "y"}))
    save_record(path, record)
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[1].startswith('"a": ') and lines[2].startswith('"b": ')  # one note a line
    assert lines[3] == '}, "gone": ["y", "z"]}'
    assert load_record(path, "u", "p", "/v") == record
    assert [p.name for p in path.parent.iterdir()] == [path.name]  # no temp file left
    path.write_text(lines[0] + "\n<<<<<<< HEAD\n", encoding="utf-8")
    with pytest.raises(PushError, match="delete it to push as if for the first time"):
        load_record(path, "u", "p", "/v")


def test_plan(make_vault, tmp_path):
    vault = make_vault({"a.md": "TARGET DECK: A\n\n" + "".join(
        f"START\nBasic\nq{i}\nBack: {i}\nEND\n\n" for i in (1, 2, 3))})
    build(vault, tmp_path / "p.apkg")
    notes = {n.label: n for n in read_package(tmp_path / "p.apkg")}
    rec = PushRecord("u", "p", str(vault), {
        notes["q1"].guid: RecordEntry(1, "Basic (mkdeck)", "A", notes["q1"].digest, "q1"),
        notes["q2"].guid: RecordEntry(2, "Basic (mkdeck)", "Old", "0" * 16, "q2"),
        "gone": RecordEntry(3, "Basic (mkdeck)", "A", "1" * 16, "q0"),
    })
    plan = plan_push(list(notes.values()), rec, removed=[("tomb", "Cloze (mkdeck)", 7)])
    assert [n.label for n in plan.added] == ["q3"]
    assert [n.label for n in plan.updated] == ["q2"]
    assert [n.label for n in plan.unchanged] == ["q1"]
    assert [(n.label, old) for n, old in plan.moved] == [("q2", "Old")]
    assert [(d.guid, d.model, d.nid, d.planned) for d in plan.deletions] == [
        ("tomb", "Cloze (mkdeck)", None, 7), ("gone", "Basic (mkdeck)", 3, None)]
    held = plan_push(list(notes.values()), rec, allow_delete=False)
    assert held.deletions == () and [d.guid for d in held.postponed] == ["gone"]
    # a removed note this Anki was found not to have is not looked for again
    seen = PushRecord("u", "p", str(vault), rec.notes, frozenset({"tomb"}))
    again = plan_push(list(notes.values()), seen, removed=[("tomb", "Cloze (mkdeck)", 7)])
    assert [d.guid for d in again.deletions] == ["gone"] and again.absent == ("tomb",)
    # the same record for the same package: nothing to do
    same = PushRecord("u", "p", str(vault), {
        n.guid: RecordEntry(i, n.model, n.deck, n.digest) for i, n in enumerate(notes.values())})
    assert plan_push(list(notes.values()), same).is_empty


def test_push_refuses_part_of_a_vault(make_vault):
    vault = make_vault({"mkdeck.yaml": "deck: X\n", "sub/a.md": "START\nBasic\nq\nBack: a\nEND\n"})
    err = io.StringIO()
    status = main(["push", str(vault / "sub"), "--url", "http://127.0.0.1:9"],
                  stdout=io.StringIO(), stderr=err)
    assert status == 2
    assert err.getvalue() == (f"mkdeck push: give the whole vault, {vault}: pushing part of it "
                              f"would delete in Anki the notes of the rest\n")


def test_foreign_notes_are_other_existing_vaults_of_the_same_anki(tmp_path):
    env = {"XDG_STATE_HOME": str(tmp_path / "state")}
    here, other, moved = tmp_path / "here", tmp_path / "other", tmp_path / "moved-away"
    here.mkdir()
    other.mkdir()
    entry = RecordEntry(1, "Basic (mkdeck)", "D", "0" * 16)
    url = "http://127.0.0.1:8765"
    for vault, profile, guid in [(here, "User 1", "mine"), (other, "User 1", "theirs"),
                                 (moved, "User 1", "stale"), (other, "User 2", "elsewhere")]:
        save_record(record_path(url, profile, str(vault), env),
                    PushRecord(url, profile, str(vault), {guid: entry}))
    (tmp_path / "state" / "mkdeck" / "push" / "junk.json").write_text("{not json")
    # the other vault's notes only: not this vault's, not those of a vault that is gone
    # (moved or renamed), not another profile's
    assert foreign_notes(url, "User 1", str(here), env) == {"theirs": str(other)}
    assert foreign_notes(url, "User 1", str(other), env) == {"mine": str(here)}
