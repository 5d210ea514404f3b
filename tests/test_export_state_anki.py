"""The sync state (``.mkdeck-state``) against real Anki: each test builds a vault of its own,
imports, edits the vault (or Anki), rebuilds and re-imports with the desktop's default options
("update notes: if newer"), and checks what Anki holds."""

from __future__ import annotations

import io
import os
import re
import shutil
from pathlib import Path

from anki_oracle import AnkiOracle

from mkdeck.cli import main

T0 = 1_780_000_000


def run(*argv: str) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    status = main(list(argv), stdout=out, stderr=err)
    return status, err.getvalue()


def build(vault: Path, out: Path, *extra: str) -> str:
    status, err = run(str(vault), "-o", str(out), *extra)
    assert status == 0, err
    return err


def edit(path: Path, old: str, new: str, mtime: int | None = None) -> None:
    text = path.read_text("utf-8")
    assert old in text, (old, text)
    path.write_text(text.replace(old, new), "utf-8")
    if mtime is not None:
        os.utime(path, (mtime, mtime))


def by_front(anki: AnkiOracle, name: str = "Front") -> dict:
    return {re.sub(r"<[^>]+>", "", n.fields[name]).split("\n")[0]: n for n in anki.notes()}


def review(anki: AnkiOracle, note) -> list[tuple[int, int, int]]:
    assert anki.answer(f"nid:{note.note_id}", "good") == len(note.cards)
    held = next(n for n in anki.notes() if n.guid == note.guid)
    state = [(c.type, c.queue, c.reps) for c in held.cards]
    assert all(reps == 1 for _, _, reps in state)
    return state


def test_edited_embedded_heading_reaches_anki_and_keeps_the_review(make_vault, tmp_path):
    vault = make_vault({
        "card.md": "START\nBasic\nWhat does fork return?\nBack: ![[li fork#Returns]]\nEND\n",
        "li fork.md": "# li fork\n\n## Returns\nthe child's PID\n\n## Other\nx\n",
    }, mtime=T0)
    v1, v2 = tmp_path / "v1.apkg", tmp_path / "v2.apkg"
    build(vault, v1)
    # only the embedded note changes; the card's own file keeps its mtime
    edit(vault / "li fork.md", "the child's PID", "the child's PID in the parent, 0 in the "
         "child", mtime=T0)
    build(vault, v2)
    with AnkiOracle() as anki:
        assert anki.import_apkg(v1)["new"] == 1
        (note,) = anki.notes()
        state = review(anki, note)
        log = anki.import_apkg(v2)
        assert (log["new"], log["updated"]) == (0, 1)
        (after,) = anki.notes()
        assert after.guid == note.guid
        assert "0 in the child" in after.fields["Back"]
        assert [(c.type, c.queue, c.reps) for c in after.cards] == state


def test_replaced_image_reaches_anki(make_vault, tmp_path):
    vault = make_vault({"a.md": "START\nBasic\nthe diagram\nBack: ![[pic.png]]\nEND\n",
                        "pic.png": b"\x89PNG first version"}, mtime=T0)
    v1, v2 = tmp_path / "v1.apkg", tmp_path / "v2.apkg"
    build(vault, v1)
    (vault / "pic.png").write_bytes(b"\x89PNG second version, other bytes")
    os.utime(vault / "pic.png", (T0, T0))
    os.utime(vault / "a.md", (T0, T0))
    build(vault, v2)
    with AnkiOracle() as anki:
        anki.import_apkg(v1)
        log = anki.import_apkg(v2)
        assert (log["new"], log["updated"]) == (0, 1)
        (note,) = anki.notes()
        (name,) = re.findall(r'src="([^"]+)"', note.fields["Back"])
        # Anki stores a same-named file with other bytes under a new name and rewrites the
        # field to it: what the card shows is the new picture
        assert anki.media_file(name) == b"\x89PNG second version, other bytes"


def test_edited_front_without_id_is_still_one_note(make_vault, tmp_path):
    vault = make_vault({"a.md": "START\nBasic\nWhat does fork() return?\nBack: the PID\nEND\n\n"
                               "START\nBasic\nWho adopts orphans?\nBack: init\nEND\n"},
                       mtime=T0)
    v1, v2 = tmp_path / "v1.apkg", tmp_path / "v2.apkg"
    build(vault, v1)
    edit(vault / "a.md", "What does fork() return?", "What does fork() return in the parent?",
         mtime=T0 + 5)
    err = build(vault, v2)
    assert "MKD332" not in err and "MKD333" not in err
    with AnkiOracle() as anki:
        anki.import_apkg(v1)
        fork = by_front(anki)["What does fork() return?"]
        state = review(anki, fork)
        log = anki.import_apkg(v2)
        assert (log["new"], log["updated"], log["duplicate"]) == (0, 1, 1)
        notes = anki.notes()
        assert len(notes) == 2
        after = next(n for n in notes if n.guid == fork.guid)
        assert after.fields["Front"] == "What does fork() return in the parent?"
        assert [(c.type, c.queue, c.reps) for c in after.cards] == state


def test_renamed_file_and_card_moved_to_another_file_keep_their_notes(make_vault, tmp_path):
    vault = make_vault({
        "a.md": "START\nBasic\nfront one\nBack: 1\nEND\n\nSTART\nBasic\nfront two\nBack: 2\nEND\n",
        "b.md": "START\nBasic\nfront three\nBack: 3\nEND\n",
    }, mtime=T0)
    v1, v2 = tmp_path / "v1.apkg", tmp_path / "v2.apkg"
    build(vault, v1)
    (vault / "sub").mkdir()
    os.rename(vault / "b.md", vault / "sub" / "renamed.md")
    (vault / "a.md").write_text("START\nBasic\nfront one\nBack: 1\nEND\n")
    (vault / "c.md").write_text("intro\n\nSTART\nBasic\nfront two\nBack: 2\nEND\n")
    err = build(vault, v2)
    assert "MKD333" not in err, err
    with AnkiOracle() as anki:
        anki.import_apkg(v1)
        before = {n.guid: n.note_id for n in anki.notes()}
        log = anki.import_apkg(v2)
        assert log["new"] == 0
        assert {n.guid: n.note_id for n in anki.notes()} == before
        assert not any("mkdeck::removed" in n.tags for n in anki.notes())


def test_deleted_card_is_tagged_removed_and_the_others_are_not(make_vault, tmp_path):
    vault = make_vault({
        "a.md": "START\nBasic\nkeep me\nBack: 1\nEND\n\nSTART\nBasic\ndelete me\nBack: 2\nEND\n",
        "b.md": "START\nCloze\ngone {{c1::too}}\nEND\n",
    }, mtime=T0)
    v1, v2 = tmp_path / "v1.apkg", tmp_path / "v2.apkg"
    build(vault, v1)
    (vault / "a.md").write_text("START\nBasic\nkeep me\nBack: 1\nEND\n")
    (vault / "b.md").unlink()
    err = build(vault, v2)
    assert (".mkdeck-state:0: MKD333 2 notes were removed from the vault: in Anki, search "
            "tag:mkdeck::removed and delete them") in err
    with AnkiOracle() as anki:
        anki.import_apkg(v1)
        fields_before = {n.guid: n.fields for n in anki.notes()}
        log = anki.import_apkg(v2)
        assert (log["new"], log["updated"], log["duplicate"]) == (0, 2, 1)
        tagged = {n.guid: n for n in anki.notes() if "mkdeck::removed" in n.tags}
        assert sorted(re.sub("<[^>]+>", "", next(iter(n.fields.values())))
                      for n in tagged.values()) == ["delete me", "gone {{c1::too}}"]
        for guid, note in tagged.items():
            assert note.fields == fields_before[guid]  # its fields kept
        (kept,) = [n for n in anki.notes() if n.guid not in tagged]
        assert kept.fields["Front"] == "keep me" and "mkdeck::removed" not in kept.tags
        assert len(anki.col.find_notes("tag:mkdeck::removed")) == 2
    # the tombstones stay until forgotten
    v3 = tmp_path / "v3.apkg"
    assert "MKD333 2 notes" in build(vault, v3, "--no-cache")
    assert run("forget", str(vault)) == (0, "2 removed notes forgotten\n")
    err = build(vault, v3)
    assert "MKD333" not in err
    assert err.splitlines()[-1].startswith("v3.apkg: 1 note, 1 card")


def test_changed_deck_is_tagged_moved(make_vault, tmp_path):
    vault = make_vault({"a.md": "TARGET DECK: Old\n\nSTART\nBasic\nq\nBack: a\nEND\n",
                        "b.md": "TARGET DECK: Old\n\nSTART\nBasic\nq2\nBack: a\nEND\n"},
                       mtime=T0)
    v1, v2, v3 = (tmp_path / f"v{i}.apkg" for i in (1, 2, 3))
    build(vault, v1)
    edit(vault / "a.md", "TARGET DECK: Old", "TARGET DECK: New")
    err = build(vault, v2)
    assert ".mkdeck-state:0: MKD334 1 note changed deck" in err
    with AnkiOracle() as anki:
        anki.import_apkg(v1)
        log = anki.import_apkg(v2)
        assert (log["new"], log["updated"]) == (0, 1)
        notes = by_front(anki)
        assert notes["q"].tags == ("mkdeck::moved",)
        assert [c.deck for c in notes["q"].cards] == ["Old"]  # Anki never moves cards
        assert notes["q2"].tags == ()
        # the user moves the card, says so; the next build drops the tag
        anki.col.set_deck([c.card_id for c in notes["q"].cards],
                          anki.col.decks.id("New"))
        assert run("forget", "--moved", str(vault)) == (
            0, "1 moved note recorded in the new deck\n")
        assert "MKD334" not in build(vault, v3)
        assert anki.import_apkg(v3)["updated"] == 1
        notes = by_front(anki)
        assert notes["q"].tags == () and [c.deck for c in notes["q"].cards] == ["New"]


def test_edit_made_in_anki_survives_an_edit_of_another_card_of_the_file(make_vault, tmp_path):
    vault = make_vault({"a.md": "START\nBasic\nfirst\nBack: 1\nEND\n\n"
                                "START\nBasic\nsecond\nBack: 2\nEND\n"}, mtime=T0)
    v1, v2 = tmp_path / "v1.apkg", tmp_path / "v2.apkg"
    build(vault, v1)
    edit(vault / "a.md", "Back: 1", "Back: one", mtime=T0 + 60)
    build(vault, v2)
    with AnkiOracle() as anki:
        anki.import_apkg(v1)
        second = anki.col.get_note(by_front(anki)["second"].note_id)
        second["Back"] = "2, with a typo fixed in Anki"
        anki.col.update_note(second)
        log = anki.import_apkg(v2)
        assert (log["updated"], log["duplicate"]) == (1, 1)
        notes = by_front(anki)
        assert notes["first"].fields["Back"] == "one"
        assert notes["second"].fields["Back"] == "2, with a typo fixed in Anki"


def test_two_clones_with_the_state_build_the_same_bytes(make_vault, tmp_path, monkeypatch):
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    vault = make_vault({"a.md": "TARGET DECK: D\n\nSTART\nBasic\nq ![[pic.png]]\nBack: a\nEND\n",
                        "b.md": "START\nCloze\n{{c1::x}} and {{c2::y}}\nEND\n",
                        "pic.png": b"\x89PNG"}, mtime=T0)
    build(vault, tmp_path / "first.apkg")  # writes .mkdeck-state, as a commit would hold it
    clone = tmp_path / "elsewhere" / "vault"  # same folder name: it is the default deck
    shutil.copytree(vault, clone)
    for path in clone.rglob("*"):  # a fresh clone: every mtime is the checkout time
        os.utime(path, (T0 + 123_456, T0 + 123_456))
    one, two = tmp_path / "one.apkg", tmp_path / "two.apkg"
    build(vault, one, "--no-cache")
    build(clone, two, "--no-cache")
    assert one.read_bytes() == two.read_bytes()
    assert (vault / ".mkdeck-state").read_bytes() == (clone / ".mkdeck-state").read_bytes()
    # without the state, the mtimes decide (today's rule) and the packages differ
    build(vault, one, "--no-cache", "--no-state")
    build(clone, two, "--no-cache", "--no-state")
    assert one.read_bytes() != two.read_bytes()
