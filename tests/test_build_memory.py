"""The memory savings of issue 15: each one shares or frees a structure, never changes what
the notes hold or the package's bytes. (How much each saves is measured in
``benchmarks/bench_memory.py``, never asserted here.)"""

from __future__ import annotations

import dataclasses
import os
import pickle
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from mkdeck.app.load import load
from mkdeck.export.apkg import collection_bytes, write_package
from mkdeck.export.plan import plan_export
from mkdeck.model import NoteFile, PackedNoteFile
from mkdeck.parse.state import shared_line, shared_numbers
from mkdeck.render import finish_notes, note_type_css, render_notes, stage_notes

PAD = "\n" * 299  # the cards start at line 300: above 256, where Python shares no int


def _card(front: str, back: str, tags: str = "", card_id: int | None = None) -> str:
    tail = f"Tags: {tags}\n" if tags else ""
    tail += f"<!--ID: {card_id}-->\n" if card_id is not None else ""
    return f"START\nBasic\n{front}\nBack: {back}\nmore of {back}\n{tail}END\n"


VAULT = {
    ".obsidian/app.json": "{}",
    "a.md": "TARGET DECK: Linux::Syscalls\n" + PAD + _card("fork?", "copies", "sys", 1111)
    + "\n" + _card("exec?", "replaces", "sys kernel"),
    "b.md": "TARGET DECK: Linux::Syscalls\n" + PAD + _card("wait?", "reaps ![pic](pic.png)",
                                                            "sys", 2222),
    "pic.png": "not really a picture",
}


def test_field_lines_share_their_ints_across_files(make_vault) -> None:
    result = load([make_vault(VAULT)])
    a1, a2, b1 = result.notes
    # exact values first: sharing changes no number
    assert a1.location.line == 301 and b1.location.line == 301
    assert [f.lines for f in a1.fields] == [(303,), (304, 305)]
    assert [f.lines for f in a2.fields] == [(312,), (313, 314)]
    assert [f.lines for f in b1.fields] == [(303,), (304, 305)]
    assert (a1.end_line, a1.id_line, b1.id_line) == (308, 307, 307)
    # the same line of two files is one int object
    assert a1.fields[1].lines[0] is b1.fields[1].lines[0]
    assert a1.location.line is b1.location.line
    assert a1.id_line is b1.id_line and a1.end_line is b1.end_line
    assert a1.fields[0].location.line is a1.fields[0].lines[0]


@pytest.mark.parametrize("numbers", [
    (1,), (300, 301, 302), (5000, 5001),  # past the first table: it grows
    (3, 5, 9),  # not a run (a comment or ID line skipped)
    (65535, 65536, 65537),  # across the table's limit
    (70000, 70001), (9, 8),
])
def test_shared_numbers_are_equal_to_the_numbers(numbers: tuple[int, ...]) -> None:
    shared = shared_numbers(numbers)
    assert type(shared) is tuple and shared == numbers
    assert all(shared_line(n) == n for n in numbers)
    if max(numbers) < 1 << 16:
        assert all(x is shared_line(n) for x, n in zip(shared, numbers))


def test_rendered_html_is_the_staged_dict_unless_media_fill_slots(make_vault) -> None:
    result = load([make_vault(VAULT)])
    staged = stage_notes(result)
    rendered, _ = finish_notes(result, staged)
    assert rendered[0].html is staged[0].html  # nothing to fill in: not copied
    assert rendered[0].html == {"Front": "fork?", "Back": "copies<br>\nmore of copies"}
    # the media slot is filled in a new dict; the staged one keeps its slot
    assert rendered[2].html is not staged[2].html
    assert rendered[2].html["Back"] == (
        'reaps <img src="pic.png" alt="pic"><br>\nmore of reaps <img src="pic.png" alt="pic">')
    assert staged[2].html["Back"] == (
        'reaps <img src="\x000\x00" alt="pic"><br>\nmore of reaps <img src="\x001\x00" '
        'alt="pic">')
    assert [r.html for r in rendered] == [r.html for r in render_notes(result)[0]]


def _unshare(value: object) -> object:
    """A copy of ``value`` in which no str, int, tuple, dict or dataclass is shared with it
    (nor within it, for strings of more than one character and ints above 256)."""
    if isinstance(value, str):
        return value.encode("utf-8", "surrogatepass").decode("utf-8", "surrogatepass")
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int):
        return int(str(value))
    if isinstance(value, tuple):
        return tuple(_unshare(v) for v in value)
    if isinstance(value, list):
        return [_unshare(v) for v in value]
    if isinstance(value, dict):
        return {_unshare(k): _unshare(v) for k, v in value.items()}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return type(value)(**{f.name: _unshare(getattr(value, f.name))
                              for f in dataclasses.fields(value) if f.init})
    return value


def test_shared_structures_give_the_bytes_of_unshared_ones(make_vault, tmp_path: Path) -> None:
    """The package of a plan whose notes share ints, strings, tuples and dicts is the package
    of a copy of it where nothing is shared."""
    result = load([make_vault(VAULT)])
    rendered, _ = render_notes(result)
    plan = plan_export(rendered, vault=result.vault, css=note_type_css(), now=1_800_000_000)
    unshared = _unshare(plan)
    assert unshared == plan
    assert unshared.notes[0].deck is not unshared.notes[2].deck
    assert unshared.notes[0].tags is not unshared.notes[0].rendered.note.tags
    assert collection_bytes(plan) == collection_bytes(unshared)
    write_package(plan, tmp_path / "shared.apkg")
    write_package(unshared, tmp_path / "unshared.apkg")
    assert (tmp_path / "shared.apkg").read_bytes() == (tmp_path / "unshared.apkg").read_bytes()


LINKED = {
    ".obsidian/app.json": "{}",
    "mkdeck.yaml": "link_text: alias\nnote_link: back\n",
    "fork.md": "---\naliases: [the fork call]\n---\n# fork\n\nfork() copies the process.\n\n"
               "## flags\n\n- CLONE_VM shares memory ^vm\n",
    "cards.md": "# cards\n\n" + _card("what does [[fork]] do?", "![[fork#flags]]")
                + "\n" + _card("see [[fork#^vm]]", "[[fork#flags|the flags]] and [[nowhere]]"),
    "sub/other.md": "START\nBasic\n[[fork]] again\nBack: ![[fork]]\nEND\n",
}


def test_packed_note_file_is_a_note_file_with_the_same_text() -> None:
    text = "---\naliases: [a]\n---\nline \udc80 two\n" * 50
    packed = PackedNoteFile("a.md", text, 1700000000, False)
    assert isinstance(packed, NoteFile)
    assert (packed.path, packed.text, packed.mtime, packed.selected, packed.stem) == (
        "a.md", text, 1700000000, False, "a")
    assert packed.text is not packed.text  # inflated at each read
    assert packed == PackedNoteFile("a.md", text, 1700000000, False)
    assert packed != PackedNoteFile("a.md", text + "x", 1700000000, False)
    assert dataclasses.replace(packed, selected=True) == PackedNoteFile("a.md", text,
                                                                        1700000000, True)
    assert pickle.loads(pickle.dumps(packed)) == NoteFile("a.md", text, 1700000000, False)
    with pytest.raises(dataclasses.FrozenInstanceError):
        packed.path = "b.md"  # type: ignore[misc]


def test_packed_texts_render_and_write_what_plain_texts_do(make_vault, tmp_path: Path) -> None:
    """Embeds, links to headings and block ids, aliases and back links read other notes'
    texts after parsing: from packed files they read the same text."""
    vault = make_vault(LINKED)
    plain = load([vault])
    packed = load([vault], pack_texts=True)
    assert all(type(f) is NoteFile for f in plain.vault.files)
    assert all(type(f) is PackedNoteFile for f in packed.vault.files)
    assert [f.text for f in packed.vault.files] == [f.text for f in plain.vault.files]
    assert packed.notes == plain.notes and packed.diagnostics == plain.diagnostics
    out = {}
    for name, result in (("plain", plain), ("packed", packed)):
        rendered, diags = render_notes(result)
        out[name] = ([r.html for r in rendered], diags)
        plan = plan_export(rendered, vault=result.vault, css=note_type_css(), now=1_800_000_000)
        write_package(plan, tmp_path / f"{name}.apkg")
    assert out["packed"] == out["plain"]
    html = out["plain"][0]
    assert "the fork call" in html[0]["Front"]  # the alias, read from fork.md's text
    assert "CLONE_VM shares memory" in html[0]["Back"]  # the embedded heading
    assert (tmp_path / "packed.apkg").read_bytes() == (tmp_path / "plain.apkg").read_bytes()


def test_a_build_whose_links_resolve_never_imports_ftfy(make_vault, tmp_path: Path) -> None:
    """ftfy (10 MB with wcwidth's tables) is imported only to repair a link that resolves to
    nothing; a fresh process shows what a build imports."""
    vault = make_vault(LINKED | {"sub/other.md": "START\nBasic\n[[fork]] again\nBack: b\nEND\n",
                                 "cards.md": _card("what does [[fork]] do?", "![[fork#flags]]")})
    code = ("import sys; from mkdeck.cli import main; "
            f"status = main(['build', {str(vault)!r}, '-o', {str(tmp_path / 'x.apkg')!r}, "
            "'--no-cache', '--no-state', '-q']); "
            "print(status, 'ftfy' in sys.modules, 'wcwidth' in sys.modules)")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, env={**os.environ, "XDG_CACHE_HOME": str(tmp_path)})
    assert run.stdout.split() == ["0", "False", "False"], run.stderr
    assert (tmp_path / "x.apkg").stat().st_size > 0


def test_collection_rows_come_in_id_order(make_vault, tmp_path: Path) -> None:
    """The writer makes note and card rows one at a time, in id order: the rows read back
    are every planned card, sorted by id, each with its note, deck, ordinal and position."""
    cloze = "START\nCloze\n{{c1::fork}} and {{c2::exec}} and {{c3::wait}}\nEND\n"
    reversed_ = "START\nBasic (and reversed card)\nfront\nBack: back\nEND\n"
    vault = make_vault({**VAULT, "c.md": "TARGET DECK: Other\n" + cloze + reversed_})
    result = load([vault])
    rendered, _ = render_notes(result)
    plan = plan_export(rendered, vault=result.vault, css=note_type_css(), now=1_800_000_000)
    decks = dict(plan.decks)
    expected = sorted((c.card_id, p.note_id, decks[p.deck], c.ord, p.due)
                      for p in plan.notes for c in p.cards)
    assert len(expected) == 3 + 3 + 2
    db = tmp_path / "collection.anki2"
    db.write_bytes(collection_bytes(plan))
    conn = sqlite3.connect(db)
    try:
        cards = conn.execute("SELECT id, nid, did, ord, due FROM cards ORDER BY rowid").fetchall()
        notes = conn.execute("SELECT id, guid FROM notes ORDER BY rowid").fetchall()
    finally:
        conn.close()
    assert cards == expected
    assert notes == sorted((p.note_id, p.guid) for p in plan.notes)
