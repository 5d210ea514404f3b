"""``mkdeck build`` end to end: real vaults through parse, render and export, imported into real
Anki; exit codes, output lines, the cache, and re-import scenarios driven by file mtimes."""

from __future__ import annotations

import io
import json
import os
import shutil
import zipfile
from pathlib import Path

from anki_oracle import AnkiOracle
from conftest import CORPUS, SEED

from mkdeck.cli import main
from mkdeck.render.parallel import _render_chunk as _REAL_RENDER_CHUNK

T0 = 1_780_000_000


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    status = main(list(argv), stdout=out, stderr=err)
    return status, out.getvalue(), err.getvalue()


def dump(*argv: str) -> dict:
    status, out, err = run("dump", *argv)
    assert status in (0, 1), err
    return json.loads(out)


def set_mtime(root: Path, mtime: int) -> None:
    for path in root.rglob("*"):
        if path.is_file():
            os.utime(path, (mtime, mtime))


BASIC_VAULT = {
    "a.md": "START\nBasic\nfront a\nBack: back a\nTags: t1\nEND\n",
    "b.md": "TARGET DECK: Top::Sub\n\nSTART\nBasic\nfront b\nBack: back b\nEND\n",
}


def test_summary_line_and_exit_zero(make_vault, tmp_path):
    vault = make_vault(BASIC_VAULT, mtime=T0)
    out = tmp_path / "deck.apkg"
    status, stdout, stderr = run(str(vault), "-o", str(out))
    assert status == 0, stderr
    assert stdout == ""
    assert stderr.splitlines()[-1] == (
        "deck.apkg: 2 notes, 2 cards, 2 decks, 0 media files (0 errors, 0 warnings)")
    with AnkiOracle() as anki:
        assert anki.import_apkg(out)["new"] == 2
        decks = anki.decks()
        assert decks["Top::Sub"] == 1
        notes = {n.fields["Front"]: n for n in anki.notes()}
        assert notes["front a"].tags == ("t1",)
        assert notes["front a"].mtime == T0


def test_explicit_build_command_and_deck_option(make_vault, tmp_path):
    vault = make_vault({"a.md": BASIC_VAULT["a.md"]}, mtime=T0)
    out = tmp_path / "x.apkg"
    status, _, stderr = run("build", str(vault), "-o", str(out), "--deck", "Chosen::One")
    assert status == 0, stderr
    with AnkiOracle() as anki:
        anki.import_apkg(out)
        assert anki.decks().get("Chosen::One") == 1


def test_missing_path_is_a_usage_error(tmp_path):
    status, _, stderr = run(str(tmp_path / "nope"), "-o", str(tmp_path / "o.apkg"))
    assert status == 2
    assert "nope" in stderr
    assert list(tmp_path.iterdir()) == []


def test_output_not_ending_in_apkg_is_a_usage_error(make_vault, tmp_path):
    """Found by trying mkdeck as a user: `mkdeck . -o out.txt` wrote a package named .txt."""
    vault = make_vault(BASIC_VAULT)
    status, _, stderr = run(str(vault), "-o", str(tmp_path / "out.txt"))
    assert status == 2
    assert stderr == (f"mkdeck build: {tmp_path / 'out.txt'} does not end in .apkg; Anki imports "
                      f"only .apkg packages (try {tmp_path / 'out.apkg'})\n")
    assert run(str(vault), "-o", str(tmp_path / "OUT.APKG"))[0] == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["OUT.APKG", "vault"]


def test_missing_output_option_is_a_usage_error(make_vault):
    vault = make_vault(BASIC_VAULT)
    assert run("build", str(vault))[0] == 2


def test_errors_exit_1_and_deck_keeps_valid_notes(make_vault, tmp_path):
    vault = make_vault({
        "a.md": BASIC_VAULT["a.md"],
        "c.md": "START\nCloze\nno deletion at all\nEND\n",
        "d.md": "START\nBasic\nsame\nEND\n\nSTART\nBasic\nsame\nEND\n",
    }, mtime=T0)
    out = tmp_path / "deck.apkg"
    status, _, stderr = run(str(vault), "-o", str(out))
    assert status == 1
    lines = stderr.splitlines()
    assert "c.md:1: MKD112 " in stderr  # the parser refuses it before the exporter would
    assert "d.md:6: MKD301 " in stderr and "d.md:1" in [ln for ln in lines if "MKD301" in ln][0]
    assert lines[-1].startswith("deck.apkg: 2 notes, 2 cards, 1 deck, 0 media files (2 errors")
    assert lines[-1].endswith("; 2 notes with errors skipped)")
    with AnkiOracle() as anki:
        assert anki.import_apkg(out)["new"] == 2


def test_strict_writes_nothing_on_a_warning(make_vault, tmp_path):
    vault = make_vault({"a.md": BASIC_VAULT["a.md"],
                        "w.md": "START\nBasic\nf ![[missing.png]]\nEND\n"}, mtime=T0)
    out = tmp_path / "deck.apkg"
    status, _, stderr = run(str(vault), "-o", str(out), "--strict")
    assert status == 1
    assert "not written" in stderr.splitlines()[-1]
    assert not out.exists()
    assert list(tmp_path.glob("*.tmp")) == [] and list(tmp_path.glob(".*")) == []
    # without --strict the warning does not fail the build
    status, _, stderr = run(str(vault), "-o", str(out))
    assert status == 0, stderr
    assert out.exists()


def test_quiet_prints_errors_only(make_vault, tmp_path):
    vault = make_vault({"a.md": BASIC_VAULT["a.md"],
                        "w.md": "START\nBasic\nf ![[missing.png]]\nEND\n",
                        "c.md": "START\nCloze\nno deletion\nEND\n"}, mtime=T0)
    status, _, stderr = run(str(vault), "-o", str(tmp_path / "d.apkg"), "-q")
    assert status == 1
    assert [ln.split(": ")[1].split()[0] for ln in stderr.splitlines()] == ["MKD112"]


def test_unwritable_output_exits_2_and_leaves_nothing(make_vault, tmp_path):
    vault = make_vault(BASIC_VAULT, mtime=T0)
    blocker = tmp_path / "file"
    blocker.write_text("x")
    status, _, stderr = run(str(vault), "-o", str(blocker / "deck.apkg"))
    assert status == 2
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    status, _, stderr = run(str(vault), "-o", str(out_dir))  # a folder, not a file
    assert status == 2 and "folder" in stderr
    assert list(out_dir.iterdir()) == []


def test_rebuild_edit_and_reimport_keeps_review_state(make_vault, tmp_path):
    vault = make_vault({"a.md": "START\nBasic\nfront a\nBack: v1\nEND\n",
                        "b.md": "START\nBasic\nfront b\nBack: b\nEND\n"}, mtime=T0)
    v1, v2, v3 = (tmp_path / f"v{i}.apkg" for i in (1, 2, 3))
    assert run(str(vault), "-o", str(v1))[0] == 0
    (vault / "a.md").write_text("START\nBasic\nfront a\nBack: v2\nEND\n")
    os.utime(vault / "a.md", (T0 + 60, T0 + 60))
    assert run(str(vault), "-o", str(v2))[0] == 0
    assert run(str(vault), "-o", str(v3))[0] == 0
    assert v2.read_bytes() == v3.read_bytes()
    with AnkiOracle() as anki:
        assert anki.import_apkg(v1)["new"] == 2
        (a,) = [n for n in anki.notes() if n.fields["Front"] == "front a"]
        assert anki.answer(f"nid:{a.note_id}", "good") == 1
        state = [(c.type, c.queue, c.reps)
                 for n in anki.notes() if n.guid == a.guid for c in n.cards]
        assert state[0][2] == 1
        log = anki.import_apkg(v2)
        assert (log["new"], log["updated"], log["duplicate"]) == (0, 1, 1)
        (a2,) = [n for n in anki.notes() if n.guid == a.guid]
        assert a2.fields["Back"] == "v2"
        assert [(c.type, c.queue, c.reps) for c in a2.cards] == state
        log = anki.import_apkg(v3)
        assert (log["new"], log["updated"]) == (0, 0)
        assert len(anki.notes()) == 2


def test_move_card_with_id_to_another_file(make_vault, tmp_path):
    card = "START\nBasic\nmoving front\nBack: b\n<!--ID: 1701613701250-->\nEND\n"
    vault = make_vault({"a.md": card, "b.md": "# empty\n"}, mtime=T0)
    v1, v2 = tmp_path / "v1.apkg", tmp_path / "v2.apkg"
    assert run(str(vault), "-o", str(v1))[0] == 0
    (vault / "a.md").write_text("# empty now\n")
    (vault / "sub").mkdir()
    (vault / "sub" / "c.md").write_text("intro\n\n" + card.replace("Back: b", "Back: b2"))
    set_mtime(vault, T0 + 100)
    assert run(str(vault), "-o", str(v2))[0] == 0
    with AnkiOracle() as anki:
        anki.import_apkg(v1)
        (before,) = anki.notes()
        log = anki.import_apkg(v2)
        assert (log["new"], log["updated"]) == (0, 1)
        (after,) = anki.notes()
        assert (after.note_id, after.guid, after.fields["Back"]) == (
            before.note_id, before.guid, "b2")


def test_no_change_rebuild_comes_from_the_cache(make_vault, tmp_path, monkeypatch):
    cache_home = tmp_path / "xdg"
    monkeypatch.setenv("XDG_CACHE_HOME", str(cache_home))
    vault = make_vault(BASIC_VAULT, mtime=T0)
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    out = out_dir / "deck.apkg"
    before = {p: p.read_bytes() for p in vault.rglob("*") if p.is_file()}
    status, _, err1 = run(str(vault), "-o", str(out))
    first = out.read_bytes()
    import mkdeck.app.load

    def boom(*_a, **_k):
        raise AssertionError("a no-change rebuild must not parse")

    monkeypatch.setattr(mkdeck.app.load, "load", boom)
    status2, _, err2 = run(str(vault), "-o", str(out))
    assert (status, status2) == (0, 0)
    assert out.read_bytes() == first
    assert err1 == err2
    # nothing but the package next to it; into the vault only the sync state, written by
    # the first build and left alone by the cached one
    assert sorted(p.name for p in out_dir.iterdir()) == ["deck.apkg"]
    after = {p: p.read_bytes() for p in vault.rglob("*") if p.is_file()}
    state = after.pop(vault / ".mkdeck-state")
    assert after == before
    assert state.startswith(b'{"mkdeck_state": 1}\n') and state.count(b"\n") == 3
    assert list((cache_home / "mkdeck" / "builds").glob("*.apkg"))
    # an edit misses the cache
    monkeypatch.undo()
    monkeypatch.setenv("XDG_CACHE_HOME", str(cache_home))
    (vault / "a.md").write_text("START\nBasic\nfront a\nBack: changed\nEND\n")
    os.utime(vault / "a.md", (T0 + 5, T0 + 5))
    assert run(str(vault), "-o", str(out))[0] == 0
    assert out.read_bytes() != first


def test_an_edit_with_its_mtime_put_back_misses_the_cache(make_vault, tmp_path, monkeypatch):
    """Found by trying mkdeck as a user: an edit of the same size whose mtime was restored
    (``touch -d``, ``cp -p``, ``rsync -t``) returned the stale cached package."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    vault = make_vault({"c.md": "START\nCloze\nthe {{c1::sucrs}} enzyme\nEND\n"}, mtime=T0)
    out = tmp_path / "c.apkg"
    assert run(str(vault), "-o", str(out))[0] == 0
    first = out.read_bytes()
    (vault / "c.md").write_text("START\nCloze\nthe {{c1::SUCRS}} enzyme\nEND\n")
    os.utime(vault / "c.md", (T0, T0))
    assert run(str(vault), "-o", str(out))[0] == 0
    assert out.read_bytes() != first
    with AnkiOracle() as anki:
        anki.import_apkg(out)
        (note,) = anki.notes()
        assert "{{c1::SUCRS}}" in note.fields["Text"]


def test_source_date_epoch_caps_mtimes(make_vault, tmp_path, monkeypatch):
    vault = make_vault(BASIC_VAULT, mtime=T0)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(T0 - 1000))
    out = tmp_path / "d.apkg"
    assert run(str(vault), "-o", str(out), "--no-cache")[0] == 0
    with AnkiOracle() as anki:
        anki.import_apkg(out)
        assert {n.mtime for n in anki.notes()} == {T0 - 1000}


def test_write_ids_then_edit_front_keeps_the_note(make_vault, tmp_path):
    vault = make_vault({"a.md": "START\r\nBasic\r\nfront\r\nBack: b\r\nEND"}, mtime=T0)
    v1, v2 = tmp_path / "v1.apkg", tmp_path / "v2.apkg"
    status, _, stderr = run(str(vault), "-o", str(v1), "--write-ids")
    assert status == 0, stderr
    text = (vault / "a.md").read_bytes()
    assert text.startswith(b"START\r\nBasic\r\nfront\r\nBack: b\r\n<!--ID: ")
    assert text.endswith(b"-->\r\nEND")
    ids = dump(str(vault))["notes"][0]["id"]
    assert isinstance(ids, int)
    os.utime(vault / "a.md", (T0, T0))  # --write-ids touched the file: back to the past
    assert run(str(vault), "-o", str(v1))[0] == 0
    (vault / "a.md").write_bytes(text.replace(b"front", b"front edited"))
    os.utime(vault / "a.md", (T0 + 9, T0 + 9))
    assert run(str(vault), "-o", str(v2), "--write-ids")[0] == 0
    assert (vault / "a.md").stat().st_mtime == T0 + 9  # it had an ID: not rewritten
    with AnkiOracle() as anki:
        anki.import_apkg(v1)
        log = anki.import_apkg(v2)
        assert (log["new"], log["updated"]) == (0, 1)


def test_ids_command_is_idempotent_and_byte_exact(make_vault):
    corpus06 = (CORPUS / "06_crlf-leetcode-codeblock.md").read_bytes()
    vault = make_vault({
        "crlf.md": corpus06,
        "plain.md": "\ufeffSTART\nBasic\nq\nBack: a\nEND",
        "callout.md": "> [!tip]\n> START\n> Basic\n> q2\n> Back: a2\n> END\n",
        "inline.md": "x STARTI [Basic] q3 Back: a3 ENDI y\n",
    })
    status, _, stderr = run("ids", str(vault))
    assert status == 0, stderr
    plain = (vault / "plain.md").read_bytes()
    assert plain.startswith(b"\xef\xbb\xbfSTART\nBasic\nq\nBack: a\n<!--ID: ")
    assert plain.endswith(b"-->\nEND")
    callout = (vault / "callout.md").read_text()
    assert callout.splitlines()[5].startswith("> <!--ID: ") and callout.endswith("> END\n")
    inline = (vault / "inline.md").read_text()
    assert inline.startswith("x STARTI [Basic] q3 Back: a3 <!--ID: ")
    assert inline.endswith("--> ENDI y\n")
    # corpus 06 already has its ID: untouched
    assert (vault / "crlf.md").read_bytes() == corpus06
    notes = dump(str(vault))["notes"]
    ids = [n["id"] for n in notes]
    assert all(isinstance(i, int) for i in ids) and len(set(ids)) == len(ids)
    snapshot = {p.name: p.read_bytes() for p in vault.iterdir()}
    status, _, stderr = run("ids", str(vault))
    assert status == 0 and stderr.splitlines()[-1] == "0 IDs added in 0 files"
    assert {p.name: p.read_bytes() for p in vault.iterdir()} == snapshot


def test_seed_builds_and_imports(tmp_path):
    vault = tmp_path / "vault"
    vault.mkdir()
    shutil.copy(SEED, vault / SEED.name)
    out = tmp_path / "seed.apkg"
    status, _, stderr = run(str(vault), "-o", str(out))
    assert status in (0, 1), stderr
    dumped = dump(str(vault))
    (expected,) = dumped["notes"]
    with AnkiOracle() as anki:
        assert anki.import_apkg(out)["new"] == 1
        (note,) = anki.notes()
        assert note.note_type == "Basic (mkdeck)"
        assert sorted(note.tags) == ["code", "linux"]
        # no config: the vault's default deck (mkdeck's default is the vault's name)
        assert [c.deck for c in note.cards] == [expected["deck"]]
        assert note.fields == expected["html"]
        # equal to the render tests' golden HTML of the seed (tests/test_render_corpus.py)
        golden = json.loads((Path(__file__).parent / "golden" / "render" / "seed_li clone.json")
                            .read_text(encoding="utf-8"))
        assert note.fields == golden["notes"][0]["html"]
        assert note.fields["Front"] == (
            "<p>li clone</p>\n<ul>\n<li>concept</li>\n<li>difference to li fork</li>\n"
            "<li>flags (4)</li>\n</ul>")
        assert "<li><code>CLONE_SIGHAND</code> Signal handlers are shared</li>" in (
            note.fields["Back"])
        assert note.guid == "A1`15|M]Fp"  # from its ID comment 1701613701250
        assert anki.check_database() == (set(), set())


def test_corpus_as_one_vault(tmp_path):
    vault = tmp_path / "vault"
    shutil.copytree(CORPUS, vault, ignore=shutil.ignore_patterns("*.md.orig"))
    for name in ("EXPECTED.md", "SOURCES.md"):
        (vault / name).unlink()
    (vault / "mkdeck.yaml").write_text(
        "note_types:\n  FIT-Card: {fields: [Front, Back], base: Basic}\n")
    set_mtime(vault, T0)
    out = tmp_path / "corpus.apkg"
    status, _, stderr = run(str(vault), "-o", str(out))
    assert status == 1, stderr
    dumped = dump(str(vault))
    # every note the parser accepted and the exporter did not refuse is in Anki
    refused = {(line.split(":")[0], int(line.split(":")[1]))
               for line in stderr.splitlines() if ": MKD3" in line}
    expected = [n for n in dumped["notes"]
                if (n["source"]["path"], n["source"]["line"]) not in refused]
    with AnkiOracle() as anki:
        log = anki.import_apkg(out)
        held = anki.notes()
        assert log["new"] == len(expected) == len(held)
        assert sorted(n.guid for n in held) == sorted(n["guid"] for n in expected)
        by_guid = {n.guid: n for n in held}
        for n in expected:
            assert by_guid[n["guid"]].fields == n["html"], n["source"]
        assert anki.check_database() == (set(), set())
    summary = stderr.splitlines()[-1]
    assert summary.startswith(f"corpus.apkg: {len(expected)} notes, ")


def test_example_vault_builds_cleanly(tmp_path):
    # on a copy: a build keeps the vault's .mkdeck-state up to date, and one in the repository
    # would hide a stale state from test_shipped_vault_state_is_up_to_date
    example = tmp_path / "vault"
    shutil.copytree(Path(__file__).resolve().parent.parent / "examples" / "vault", example)
    out = tmp_path / "example.apkg"
    status, _, stderr = run(str(example), "-o", str(out), "--no-cache")
    assert status == 0, stderr
    assert "(0 errors, 0 warnings)" in stderr.splitlines()[-1]
    with zipfile.ZipFile(out) as zf:
        media = json.loads(zf.read("media"))
    assert sorted(media.values()) == ["fork.svg"]
    with AnkiOracle() as anki:
        log = anki.import_apkg(out)
        assert log["new"] == 5
        assert anki.media_files() == ["fork.svg"]
        decks = anki.decks()
        assert (decks["Example::Syscalls"], decks["Example"]) == (6, 1)
        assert anki.check_database() == (set(), set())


def test_parallel_render_equals_one_process(make_vault):
    from mkdeck.app import load as pipeline
    from mkdeck.render.parallel import PARALLEL_MIN_NOTES, render_parallel
    from mkdeck.render import render_notes

    files = {}
    for i in range(PARALLEL_MIN_NOTES // 4 + 5):
        files[f"n{i:03}.md"] = "".join(
            f"START\nBasic\nq{i}-{j} `code` $x^{j}$ [[n{(i + 1) % 50:03}]]\nBack: **a**{j}\n"
            f"![[pic.png]]\nEND\n\n" for j in range(4))
    files["pic.png"] = b"\x89PNG one"
    files["sub/pic.png"] = b"\x89PNG two"  # same basename, other bytes: renamed by sha1
    files["late.md"] = "START\nBasic\nlate\nBack: ![[sub/pic.png]]\nEND\n"
    vault = make_vault(files, mtime=T0)
    result = pipeline.load([str(vault)])
    assert len(result.notes) >= PARALLEL_MIN_NOTES
    single = render_notes(result)
    assert render_parallel(result, jobs=2) == single
    assert render_parallel(result, jobs=3) == single
    names = {m.name for r in single[0] for m in r.media}
    assert len(names) == 2 and "pic.png" not in names


_TEST_PID = os.getpid()


def _dying_worker(bounds):
    """Dies in a forked worker (as if the OOM killer struck); renders in this process."""
    if os.getpid() != _TEST_PID:
        os._exit(3)
    return _REAL_RENDER_CHUNK(bounds)


def test_parallel_render_survives_a_dying_worker(make_vault, monkeypatch):
    from mkdeck.app import load as pipeline
    from mkdeck.render import parallel as build_module
    from mkdeck.render import render_notes

    files = {f"n{i:03}.md": "".join(f"START\nBasic\nq{i}-{j}\nBack: a\nEND\n\n"
                                    for j in range(5)) for i in range(90)}
    result = pipeline.load([str(make_vault(files))])
    monkeypatch.setattr(build_module, "_render_chunk", _dying_worker)
    monkeypatch.setattr(build_module, "PARALLEL_MIN_NOTES", 10)
    assert build_module.render_parallel(result, jobs=2) == render_notes(result)


def test_progress_bar_only_on_a_terminal(make_vault, tmp_path):
    vault = make_vault(BASIC_VAULT, mtime=T0)

    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    err = Tty()
    assert main([str(vault), "-o", str(tmp_path / "a.apkg"), "--no-cache"],
                stdout=io.StringIO(), stderr=err) == 0
    assert "\x1b[" in err.getvalue()  # rich drew (and cleared) its bar
    assert err.getvalue().rstrip().endswith("(0 errors, 0 warnings)")
    status, _, plain = run(str(vault), "-o", str(tmp_path / "b.apkg"), "--no-cache")
    assert status == 0 and "\x1b" not in plain


def test_changed_note_type_fields_warn(make_vault, tmp_path):
    vault = make_vault({
        "mkdeck.yaml": "note_types:\n  QA: {fields: [Q, A], base: Basic}\n",
        "a.md": "START\nQA\nquestion\nA: answer\nEND\n",
    }, mtime=T0)
    out = tmp_path / "qa.apkg"
    status, _, stderr = run(str(vault), "-o", str(out))
    assert status == 0 and "MKD308" not in stderr
    (vault / "mkdeck.yaml").write_text(
        "note_types:\n  QA: {fields: [Q, A, Source], base: Basic}\n")
    status, _, stderr = run(str(vault), "-o", str(out))
    assert status == 0
    (warning,) = [ln for ln in stderr.splitlines() if "MKD308" in ln]
    assert warning.startswith("mkdeck.yaml:0: MKD308 note type 'QA (mkdeck)' had fields "
                              "['Q', 'A']")
    # remembered: the next build of the same deck does not warn again
    assert "MKD308" not in run(str(vault), "-o", str(out), "--no-cache")[2]


def test_verify_a_refuted_claim_fails_the_build(make_vault, tmp_path):
    vault = make_vault({
        "fork.md": "START\nBasic\nfork\nBack:\n## fork\n"
                   "- fork() returns 0 in the child\n"
                   "- the child of fork() has the same PID as its parent\nEND\n",
    }, mtime=T0)
    out = tmp_path / "v.apkg"
    status, _, stderr = run(str(vault), "-o", str(out), "--verify")
    assert status == 1, stderr
    summary = stderr.splitlines()[-1]
    assert "claims: " in summary and "1 refuted" in summary and "1 verified" in summary
    assert any(ln.startswith("fork.md:7: MKD4") for ln in stderr.splitlines())
    # the same vault without the false line builds cleanly with --verify
    (vault / "fork.md").write_text("START\nBasic\nfork\nBack:\n## fork\n"
                                   "- fork() returns 0 in the child\nEND\n")
    status, _, stderr = run(str(vault), "-o", str(out), "--verify")
    assert status == 0, stderr
    assert "0 refuted" in stderr.splitlines()[-1]


def test_new_css_reaches_anki_without_any_note_change(make_vault, tmp_path, monkeypatch):
    """A mkdeck upgrade that changes the stylesheet: the same vault, the same mtimes, and
    Anki still replaces the note type's CSS (its mtime is bumped past the last build's)."""
    import mkdeck.render

    vault = make_vault(BASIC_VAULT, mtime=T0)
    v1, v2, v3 = (tmp_path / f"v{i}.apkg" for i in (1, 2, 3))
    out = tmp_path / "deck.apkg"
    assert run(str(vault), "-o", str(out))[0] == 0
    shutil.copy(out, v1)
    old_css = mkdeck.render.note_type_css()
    monkeypatch.setattr(mkdeck.render, "note_type_css", lambda: old_css + "\n.new { }\n")
    assert run(str(vault), "-o", str(out), "--no-cache")[0] == 0
    shutil.copy(out, v2)
    assert run(str(vault), "-o", str(out), "--no-cache")[0] == 0
    shutil.copy(out, v3)
    assert v2.read_bytes() == v3.read_bytes()  # unchanged CSS: no further bump
    with AnkiOracle() as anki:
        anki.import_apkg(v1)
        assert ".new" not in anki.note_types()["Basic (mkdeck)"]["css"]
        log = anki.import_apkg(v2)
        assert (log["new"], log["updated"]) == (0, 0)
        assert anki.note_types()["Basic (mkdeck)"]["css"].endswith(".new { }\n")


def test_build_writes_nothing_but_the_package_and_its_cache(make_vault, tmp_path, monkeypatch):
    """No temp file left in $TMPDIR, the working folder, the vault or the output folder;
    the cache only under $XDG_CACHE_HOME/mkdeck; in the vault only its sync state."""
    import tempfile

    files = {f"n{i:03}.md": "".join(f"START\nBasic\nq{i}-{j}\nBack: a\nEND\n\n"
                                    for j in range(5)) for i in range(90)}
    vault = make_vault(files, mtime=T0)
    tmpdir, cwd, outdir, xdg = (tmp_path / n for n in ("tmp", "cwd", "out", "xdg"))
    for folder in (tmpdir, cwd, outdir):
        folder.mkdir()
    monkeypatch.setenv("TMPDIR", str(tmpdir))
    monkeypatch.setattr(tempfile, "tempdir", None)
    monkeypatch.setenv("XDG_CACHE_HOME", str(xdg))
    monkeypatch.chdir(cwd)
    before = sorted(p.relative_to(vault) for p in vault.rglob("*"))
    assert run(str(vault), "-o", str(outdir / "deck.apkg"))[0] == 0  # 450 notes: 2 processes
    assert run(str(vault), "-o", str(outdir / "deck.apkg"))[0] == 0  # from the cache
    assert list(tmpdir.iterdir()) == [] and list(cwd.iterdir()) == []
    assert [p.name for p in outdir.iterdir()] == ["deck.apkg"]
    # the vault gains its sync state and nothing else (no temp file beside it)
    assert sorted(p.relative_to(vault) for p in vault.rglob("*")) == sorted(
        [*before, Path(".mkdeck-state")])
    assert {p.parent.relative_to(xdg) for p in xdg.rglob("*") if p.is_file()} <= {
        Path("mkdeck"), Path("mkdeck/builds"), Path("mkdeck/incremental")}


def test_empty_vault_warns_and_writes_an_empty_package(make_vault, tmp_path):
    vault = make_vault({"a.md": "# no cards here\n"}, mtime=T0)
    out = tmp_path / "e.apkg"
    status, _, stderr = run(str(vault), "-o", str(out))
    assert status == 0
    # at the vault's path, never `.:0:` (issue 14)
    assert stderr.splitlines()[0].startswith(f"{vault}:0: MKD313 no card found in ")
    # check reports the very same finding, at the same place
    check_status, check_out, _ = run("check", str(vault))
    assert check_status == 0
    assert check_out.splitlines()[0] == stderr.splitlines()[0]
    assert stderr.splitlines()[-1] == (
        "e.apkg: 0 notes, 0 cards, 0 decks, 0 media files (0 errors, 1 warning)")
    with AnkiOracle() as anki:
        assert anki.import_apkg(out)["new"] == 0
    assert run(str(vault), "-o", str(tmp_path / "s.apkg"), "--strict")[0] == 1


def test_ids_keeps_undecodable_bytes_and_permissions(make_vault):
    latin1 = b"START\nBasic\ncaf\xe9 (latin-1)\nBack: b\nEND\n"
    vault = make_vault({"latin.md": latin1,
                        "ro.md": "START\nBasic\nread only\nBack: b\nEND\n"})
    (vault / "ro.md").chmod(0o444)
    status, _, stderr = run("ids", str(vault))
    assert status == 0, stderr
    text = (vault / "latin.md").read_bytes()
    assert text.startswith(b"START\nBasic\ncaf\xe9 (latin-1)\nBack: b\n<!--ID: ")
    assert text.endswith(b"-->\nEND\n")
    assert ((vault / "ro.md").stat().st_mode & 0o777) == 0o444


def test_ids_reports_a_file_it_cannot_replace(make_vault, monkeypatch):
    import mkdeck.app.ids

    vault = make_vault({"a.md": "START\nBasic\nq\nBack: b\nEND\n",
                        "b.md": "START\nBasic\nq2\nBack: b\nEND\n"})

    real_replace = os.replace

    def replace(src, dst):
        if str(dst).endswith("a.md"):
            raise PermissionError(13, "Permission denied")
        return real_replace(src, dst)

    monkeypatch.setattr(mkdeck.app.ids.os, "replace", replace)
    status, _, stderr = run("ids", str(vault))
    assert status == 1
    assert "a.md:0: MKD320 cannot write the ID comments into a.md: Permission denied" in stderr
    assert (vault / "a.md").read_text() == "START\nBasic\nq\nBack: b\nEND\n"
    assert "<!--ID: " in (vault / "b.md").read_text()
    assert sorted(p.name for p in vault.iterdir()) == ["a.md", "b.md"]  # no temp left
