"""``mkdeck ids``: the ID comment goes exactly where the plugin puts it; every other byte stays."""

from __future__ import annotations

import pytest

from mkdeck.app.ids import IdTarget, existing_ids, insert_ids, new_ids, split_lines
from mkdeck.model import SourceLocation, Syntax

LOC = SourceLocation("a.md", 1)


def block(line: int, value: int = 1700000000000) -> IdTarget:
    return IdTarget("block", line, value, LOC)


def inline(line: int, value: int = 1700000000000, column: int | None = None,
           index: int = 0) -> IdTarget:
    return IdTarget("inline", line, value, LOC, column=column, index=index)


@pytest.mark.parametrize(
    ("before", "targets", "after"),
    [
        # LF, final newline
        ("START\nBasic\nf\nBack: b\nTags: x\nEND\n", [block(6)],
         "START\nBasic\nf\nBack: b\nTags: x\n<!--ID: 1700000000000-->\nEND\n"),
        # CRLF kept, no final newline kept
        ("START\r\nBasic\r\nf\r\nEND", [block(4)],
         "START\r\nBasic\r\nf\r\n<!--ID: 1700000000000-->\r\nEND"),
        # old Mac CR
        ("START\rBasic\rf\rEND\r", [block(4)], "START\rBasic\rf\r<!--ID: 1700000000000-->\rEND\r"),
        # BOM kept
        ("\ufeffSTART\nBasic\nf\nEND\n", [block(4)],
         "\ufeffSTART\nBasic\nf\n<!--ID: 1700000000000-->\nEND\n"),
        # callout prefix carried onto the inserted line
        ("> [!note]\n> START\n> Basic\n> f\n> END\n", [block(5)],
         "> [!note]\n> START\n> Basic\n> f\n> <!--ID: 1700000000000-->\n> END\n"),
        # nested quote without spaces
        (">>START\n>>Basic\n>>f\n>>END\n", [block(4)],
         ">>START\n>>Basic\n>>f\n>><!--ID: 1700000000000-->\n>>END\n"),
        # END followed by a non-word character (corpus 25: END> %%)
        ("%%\nSTART\nCloze\n{{c1::a}}\nEND> %%\n", [block(5)],
         "%%\nSTART\nCloze\n{{c1::a}}\n<!--ID: 1700000000000-->\nEND> %%\n"),
        # mixed endings: the new line takes the ending of the line before END
        ("START\nBasic\r\nf\r\nEND\n", [block(4)],
         "START\nBasic\r\nf\r\n<!--ID: 1700000000000-->\r\nEND\n"),
        # two blocks, both get their IDs
        ("START\nBasic\na\nEND\n\nSTART\nBasic\nb\nEND\n", [block(4, 1), block(9, 2)],
         "START\nBasic\na\n<!--ID: 1-->\nEND\n\nSTART\nBasic\nb\n<!--ID: 2-->\nEND\n"),
        # inline: before ENDI, plugin style
        ("- STARTI [Basic] What? Back: 4 Tags: math ENDI\n", [inline(1)],
         "- STARTI [Basic] What? Back: 4 Tags: math <!--ID: 1700000000000--> ENDI\n"),
        # inline with no space before ENDI
        ("STARTI [Basic] q Back: aENDI", [inline(1)],
         "STARTI [Basic] q Back: a <!--ID: 1700000000000--> ENDI"),
        # two inline notes on one line, by index
        ("STARTI [Basic] a Back: b ENDI and STARTI [Basic] c Back: d ENDI\r\n",
         [inline(1, 1, index=0), inline(1, 2, index=1)],
         "STARTI [Basic] a Back: b <!--ID: 1--> ENDI and "
         "STARTI [Basic] c Back: d <!--ID: 2--> ENDI\r\n"),
        # a BOM is not counted in the parser's columns
        ("\ufeffSTARTI [Basic] q Back: a ENDI\n", [inline(1, 5, column=1)],
         "\ufeffSTARTI [Basic] q Back: a <!--ID: 5--> ENDI\n"),
        # the second inline note only, by column
        ("x STARTI [Basic] a Back: b ENDI STARTI [Basic] c Back: d ENDI",
         [inline(1, 2, column=33)],
         "x STARTI [Basic] a Back: b ENDI STARTI [Basic] c Back: d <!--ID: 2--> ENDI"),
    ],
)
def test_insert_ids_bytes(before, targets, after):
    text, missed = insert_ids(before, targets)
    assert missed == []
    assert text == after
    # idempotent: with no targets, nothing changes
    assert insert_ids(text, [])[0] == text


def test_custom_markers():
    syntax = Syntax(start="START_CARD", end="END_CARD")
    text, missed = insert_ids("START_CARD\nBasic\nf\nEND_CARD\n", [block(4)], syntax)
    assert (text, missed) == ("START_CARD\nBasic\nf\n<!--ID: 1700000000000-->\nEND_CARD\n", [])


def test_wrong_line_is_reported_not_guessed():
    source = "START\nBasic\nf\nEND\n"
    target = block(3)
    text, missed = insert_ids(source, [target])
    assert text == source
    assert missed == [target]
    assert insert_ids(source, [block(99)])[1] == [block(99)]
    assert insert_ids("ENDgame\n", [block(1)])[1] == [block(1)]


def test_split_lines_counts_like_the_parser():
    assert split_lines("a\r\nb\rc\nd") == ["a\r\n", "b\r", "c\n", "d"]
    assert split_lines("a\n") == ["a\n"]
    assert split_lines("") == []


def test_new_ids_are_unique_and_skip_used():
    used = {1000, 1001, 1003}
    assert new_ids(3, used, now_ms=1000) == [1002, 1004, 1005]
    assert {1002, 1004, 1005} <= used


def test_existing_ids_finds_both_forms():
    assert existing_ids(["<!--ID: 12-->", "ID: 34", "no id"]) == {12, 34}


def test_ids_on_the_whole_corpus_insert_only_id_comments(tmp_path):
    """Every corpus file after `mkdeck ids`: removing the inserted comments gives back the
    original bytes; every note now has a unique ID; a second run changes nothing."""
    import io
    import re
    import shutil

    from conftest import CORPUS

    from mkdeck.app import load as pipeline
    from mkdeck.cli import main

    vault = tmp_path / "vault"
    shutil.copytree(CORPUS, vault)
    (vault / "mkdeck.yaml").write_text(
        "note_types:\n  FIT-Card: {fields: [Front, Back], base: Basic}\n")
    before = {p.name: p.read_bytes() for p in vault.glob("*.md")}
    notes_before = pipeline.load([str(vault)]).notes
    lacking = sum(n.id is None for n in notes_before)
    assert lacking > 5
    err = io.StringIO()
    assert main(["ids", str(vault)], stdout=io.StringIO(), stderr=err) == 0, err.getvalue()
    assert err.getvalue().splitlines()[-1].startswith(f"{lacking} IDs added in ")
    inserted = re.compile(rb"(?:(?<=[\r\n])[ \t>]*<!--ID: 1\d{12}-->(?:\r\n|\r|\n)"
                          rb"|<!--ID: 1\d{12}--> (?=ENDI))")
    after = {p.name: p.read_bytes() for p in vault.glob("*.md")}
    for name, data in after.items():
        new_ids = [m for m in inserted.finditer(data) if m.group(0) not in before[name]]
        stripped = data
        for m in reversed(new_ids):
            stripped = stripped[:m.start()] + stripped[m.end():]
        assert stripped == before[name], name
    notes_after = pipeline.load([str(vault)]).notes
    assert [(n.location.path, n.note_type.name) for n in notes_after] == [
        (n.location.path, n.note_type.name) for n in notes_before]
    ids = [n.id for n in notes_after]
    assert None not in ids and len(set(ids)) == len(ids)
    for old, new in zip(notes_before, notes_after):
        assert [f.markdown for f in old.fields] == [f.markdown for f in new.fields]
        if old.id is not None:
            assert new.id == old.id
    assert main(["ids", str(vault)], stdout=io.StringIO(), stderr=io.StringIO()) == 0
    assert {p.name: p.read_bytes() for p in vault.glob("*.md")} == after


def test_ids_writes_through_a_symlinked_note_and_keeps_the_link(tmp_path):
    """A note that is a symbolic link (to a note in the vault or a shared one elsewhere):
    `mkdeck ids` replaced the link by a copy holding one ID, and gave the real file another
    ID, so the two diverged for good. The ID goes into the real file, once; the link stays."""
    import io
    import os

    from mkdeck.cli import main

    (tmp_path / "real").mkdir()
    real = tmp_path / "real" / "b.md"
    real.write_bytes(b"START\r\nBasic\r\nq\r\nEND\r\n")
    real.chmod(0o640)
    (tmp_path / "a.md").symlink_to("real/b.md")
    assert main(["ids", str(tmp_path)], stdout=io.StringIO(), stderr=io.StringIO()) == 0
    assert os.readlink(tmp_path / "a.md") == "real/b.md"
    data = real.read_bytes()
    assert data.count(b"<!--ID: ") == 1 and data.endswith(b"-->\r\nEND\r\n")
    assert real.stat().st_mode & 0o777 == 0o640
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["a.md", "b.md", "real"]
    assert main(["ids", str(tmp_path)], stdout=io.StringIO(), stderr=io.StringIO()) == 0
    assert real.read_bytes() == data
