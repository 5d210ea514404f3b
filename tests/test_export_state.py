"""The sync state file and its rules without Anki: format, matching, mod times, a state that
is damaged or cannot be written, ``--no-state``, ``mkdeck check`` on a stale state, the
shipped vaults' states, and a property test over random edit sequences."""

from __future__ import annotations

import io
import json
import os
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mkdeck.app.build import build as build_vault
from mkdeck.cli import main
from mkdeck.export.identity import note_guid
from mkdeck.export.matching import Candidate, match_cards
from mkdeck.export.state import STATE_FILE, StateEntry, SyncState, next_mod, read_state
from mkdeck.model import Field, Note, NoteType, SourceLocation

ROOT = Path(__file__).resolve().parent.parent
T0 = 1_780_000_000
BASIC = NoteType("Basic", ("Front", "Back"))


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    status = main(list(argv), stdout=out, stderr=err)
    return status, out.getvalue(), err.getvalue()


def entry(guid: str, path: str = "a.md", line: int = 1, front: str = "f", back: str = "b",
          **kw) -> StateEntry:
    values = {"guid": guid, "mod": T0, "digest": "0" * 16, "note_type": "Basic",
              "base": "Basic", "model": "Basic (mkdeck)", "deck": "D", "placed": "D",
              "path": path, "line": line, "fields": (("Front", front), ("Back", back))}
    values.update(kw)
    return StateEntry(**values)


def card(guid: str, path: str = "a.md", line: int = 1, front: str = "f", back: str = "b",
         has_id: bool = False) -> Candidate:
    return Candidate(guid, has_id, "Basic", path, line, {"Front": front, "Back": back})


# --- format ----------------------------------------------------------------------------------

def test_state_text_is_sorted_one_note_a_line_and_round_trips():
    state = SyncState.of([entry("zz", front="z\ttab\nnewline"), entry("aa", id=17)])
    text = state.to_text()
    lines = text.split("\n")
    assert lines[0] == '{"mkdeck_state": 1}' and lines[-1] == "" and len(lines) == 4
    assert [json.loads(x)["guid"] for x in lines[1:3]] == ["aa", "zz"]
    assert list(json.loads(lines[1])) == ["guid", "mod", "digest", "type", "base", "model",
                                          "deck", "placed", "path", "line", "id", "removed",
                                          "tags", "fields"]
    assert SyncState.from_text(text) == state


@pytest.mark.parametrize("text, line, code, words", [
    ('{"mkdeck_state": 1}\n<<<<<<< HEAD\n{}\n=======\n{}\n>>>>>>> other\n', 2, "MKD331",
     "merge conflict"),
    ('{"mkdeck_state": 1}\n{"guid": "a", "mod": "yesterday"}\n', 2, "MKD330", "lacks"),
    ('{"mkdeck_state": 1}\n{"guid": "a", \n', 2, "MKD330", "not valid JSON"),
    ('{"mkdeck_state": 9}\n', 1, "MKD330", "format 9"),
    ("hello\n", 1, "MKD330", "header"),
])
def test_a_damaged_state_is_located_and_the_build_falls_back(make_vault, tmp_path, text, line,
                                                             code, words):
    vault = make_vault({"a.md": "START\nBasic\nq\nBack: a\nEND\n", STATE_FILE: text}, mtime=T0)
    status, _, err = run(str(vault), "-o", str(tmp_path / "d.apkg"))
    assert status == 0, err
    (diag,) = [ln for ln in err.splitlines() if ln.startswith(STATE_FILE)]
    assert diag.startswith(f"{STATE_FILE}:{line}: {code} ") and words in diag
    assert "uses the rules without a state" in diag and "does not replace the file" in diag
    assert (vault / STATE_FILE).read_text() == text  # left for the user to repair
    # the package is today's: guid from file, type and first field, mod from the mtime
    out = json.loads(run("dump", str(vault))[1])
    assert out["notes"][0]["guid"]


def test_duplicate_guid_in_the_state_is_a_located_error():
    good = entry("g").to_json()
    read_text = '{"mkdeck_state": 1}\n' + good + "\n" + good + "\n"
    with pytest.raises(ValueError, match="also on line 2") as exc:
        SyncState.from_text(read_text)
    assert exc.value.line == 3


# --- rules -----------------------------------------------------------------------------------

def test_mod_time_follows_content():
    assert next_mod(None, True, T0 + 50, T0 - 7) == T0 - 7  # new note: today's rule
    assert next_mod(T0, False, T0 + 50, T0 - 7) == T0  # unchanged: kept
    assert next_mod(T0, True, T0 + 50, T0 - 7) == T0 + 50  # changed: build time
    assert next_mod(T0 + 90, True, T0 + 50, T0 - 7) == T0 + 91  # and newer than before


def test_matching_rule():
    state = SyncState.of([
        entry("id1", id=5, front="with id"),
        entry("k1", front="What does fork() return?", back="the PID of the child"),
        entry("k2", line=9, front="unrelated text entirely", back="zzz"),
        entry("k3", path="b.md", front="identical in another file", back="same"),
    ])
    cards = [
        card("id1", front="with id, edited beyond recognition", has_id=True),
        card("new1", front="What does fork() return in the parent?",
             back="the PID of the child"),
        card("new2", path="moved.md", front="identical in another file", back="same"),
        card("new3", line=9, front="a rewritten question", back="zzy"),
    ]
    m = match_cards(state, cards)
    assert m.guids == ("id1", "k1", "k3", "new3")
    assert [e.guid if e else None for e in m.entries] == ["id1", "k1", "k3", None]
    (warning,) = m.diagnostics
    assert warning.code == "MKD332" and str(warning.location) == "a.md:9"
    assert "a.md:9" in warning.message and "similarity" in warning.message


def test_two_cards_never_take_one_guid_and_ids_always_win():
    state = SyncState.of([entry("k1", front="same text")])
    m = match_cards(state, [card("x1", front="same text"), card("x2", front="same text"),
                            card("k1", front="other", has_id=True)])
    assert m.guids[2] == "k1"  # the ID's own guid, whatever the state says
    assert len(set(m.guids)) == 3
    assert m.entries[:2] == (None, None)


# --- the build around the state --------------------------------------------------------------

def test_no_state_neither_reads_nor_writes(make_vault, tmp_path):
    vault = make_vault({"a.md": "START\nBasic\nq\nBack: a\nEND\n",
                        STATE_FILE: "garbage\n"}, mtime=T0)
    status, _, err = run(str(vault), "-o", str(tmp_path / "d.apkg"), "--no-state")
    assert status == 0 and "MKD33" not in err
    assert (vault / STATE_FILE).read_text() == "garbage\n"
    (vault / STATE_FILE).unlink()
    run(str(vault), "-o", str(tmp_path / "d.apkg"), "--no-state")
    assert not (vault / STATE_FILE).exists()


def test_unwritable_vault_still_builds_with_a_warning(make_vault, tmp_path, monkeypatch):
    import mkdeck.export.state as state_module

    vault = make_vault({"a.md": "START\nBasic\nq\nBack: a\nEND\n"}, mtime=T0)
    real_replace = os.replace

    def replace(src, dst):
        if str(dst).endswith(STATE_FILE):
            raise PermissionError(13, "Permission denied")
        return real_replace(src, dst)

    monkeypatch.setattr(state_module.os, "replace", replace)
    out = tmp_path / "d.apkg"
    status, _, err = run(str(vault), "-o", str(out))
    assert status == 0 and out.is_file()
    assert f"{STATE_FILE}:0: MKD335 cannot write {STATE_FILE} in {vault} (Permission " in err
    assert sorted(p.name for p in vault.iterdir()) == ["a.md"]  # no temp file left


def test_check_reports_a_stale_state(make_vault, tmp_path):
    vault = make_vault({"a.md": "START\nBasic\nq\nBack: a\nEND\n"}, mtime=T0)
    assert run("check", str(vault))[0] == 0  # no state yet: nothing to say
    assert run(str(vault), "-o", str(tmp_path / "d.apkg"))[0] == 0
    status, _, err = run("check", str(vault))
    assert status == 0 and "MKD336" not in err
    (vault / "a.md").write_text("START\nBasic\nq\nBack: edited\nEND\n")
    status, out, _ = run("check", str(vault), "--strict")
    assert status == 1
    assert f"{vault.name}/{STATE_FILE}:0: MKD336 {STATE_FILE} is out of date: 1 note changed " \
           f"since the last build (a.md:1)" in out


def test_a_card_with_an_error_is_not_reported_removed(make_vault, tmp_path):
    vault = make_vault({"a.md": "START\nBasic\nq\nBack: a\nEND\n"}, mtime=T0)
    assert run(str(vault), "-o", str(tmp_path / "d.apkg"))[0] == 0
    before = (vault / STATE_FILE).read_text()
    (vault / "a.md").write_text("START\nBasic\n\nBack: the front was deleted by mistake\nEND\n")
    status, _, err = run(str(vault), "-o", str(tmp_path / "d.apkg"))
    assert status == 1 and "MKD333" not in err
    assert (vault / STATE_FILE).read_text() == before


def test_partial_build_keeps_the_notes_of_other_files(make_vault, tmp_path):
    vault = make_vault({"a.md": "START\nBasic\nqa\nBack: a\nEND\n",
                        "b.md": "START\nBasic\nqb\nBack: b\nEND\n",
                        ".obsidian/app.json": "{}"}, mtime=T0)
    assert run(str(vault), "-o", str(tmp_path / "d.apkg"))[0] == 0
    before = (vault / STATE_FILE).read_text()
    status, _, err = run(str(vault / "a.md"), "-o", str(tmp_path / "a.apkg"))
    assert status == 0 and "MKD333" not in err
    assert (vault / STATE_FILE).read_text() == before


@pytest.mark.parametrize("vault", ["cards", "examples/vault"])
def test_shipped_vault_state_is_up_to_date(tmp_path, vault):
    """The committed state is what a build writes: building a copy changes nothing."""
    copy = tmp_path / Path(vault).name
    shutil.copytree(ROOT / vault, copy)
    shipped = (ROOT / vault / STATE_FILE).read_bytes()
    status, _, err = run(str(copy), "-o", str(tmp_path / "x.apkg"), "--no-cache")
    assert status == 0, err
    assert (copy / STATE_FILE).read_bytes() == shipped, (
        f"{vault}/{STATE_FILE} is stale: rebuild {vault} and commit it")


# --- property: random edit sequences ---------------------------------------------------------

WORDS = ["fork", "exec", "clone", "pipe", "signal", "thread", "page", "mmap", "wait", "exit"]
_card_text = st.lists(st.sampled_from(WORDS), min_size=2, max_size=5).map(" ".join)
_step = st.one_of(
    st.tuples(st.just("add"), st.integers(0, 2), _card_text, st.booleans()),
    st.tuples(st.just("edit_front"), st.integers(0, 99), _card_text),
    st.tuples(st.just("edit_back"), st.integers(0, 99), _card_text),
    st.tuples(st.just("move"), st.integers(0, 99), st.integers(0, 2)),
    st.tuples(st.just("rename"), st.integers(0, 2)),
    st.tuples(st.just("delete"), st.integers(0, 99)),
)


def _write(vault: Path, files: dict[str, list[list]]) -> None:
    for p in vault.glob("*.md"):
        p.unlink()
    for name, cards in files.items():
        body = "".join(f"START\nBasic\n{front}\nBack: {back}\n"
                       + (f"<!--ID: {cid}-->\n" if cid else "") + "END\n\n"
                       for front, back, cid in cards)
        (vault / name).write_text(body)


@settings(max_examples=int(os.environ.get("MKDECK_PROPERTY_EXAMPLES", "20")), deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(steps=st.lists(_step, min_size=1, max_size=5))
def test_random_edits_keep_identities(tmp_path_factory, steps):
    """Never two cards one guid; a card with an ID keeps its ID's guid; every note of a
    state is in the next one (live or as a tombstone)."""
    vault = tmp_path_factory.mktemp("prop")
    out = vault.parent / f"{vault.name}.apkg"
    names = ["a.md", "b.md", "c.md"]
    files: dict[str, list[list]] = {"a.md": [["fork returns", "pid", None],
                                             ["clone shares", "vm", 1701613701250]]}
    next_id = 1701613701300
    _write(vault, files)
    build_vault([vault], out, use_cache=False, environ={})
    known = set(read_state(vault).state.by_guid())
    for step in steps:
        flat = [(n, i) for n in sorted(files) for i in range(len(files[n]))]
        kind = step[0]
        if kind == "add":
            cid = None
            if step[3]:
                cid, next_id = next_id, next_id + 1
            files.setdefault(names[step[1]], []).append([step[2], "back", cid])
        elif kind == "rename" and names[step[1]] in files:
            old, new = names[step[1]], f"r{len(known)}-{names[step[1]]}"
            if new not in files:
                files[new] = files.pop(old)
                names[step[1]] = new
        elif flat and kind in ("edit_front", "edit_back", "move", "delete"):
            name, i = flat[step[1] % len(flat)]
            if kind == "edit_front":
                files[name][i][0] = step[2]
            elif kind == "edit_back":
                files[name][i][1] = step[2]
            elif kind == "move":
                files.setdefault(names[step[2]], []).append(files[name].pop(i))
            else:
                files[name].pop(i)
        files = {n: c for n, c in files.items() if c}
        _write(vault, files)
        outcome = build_vault([vault], out, use_cache=False, environ={})
        state = read_state(vault).state
        assert state is not None and outcome.sync is not None
        guids = list(state.by_guid())
        assert len(guids) == len(set(guids))
        live = [e for e in state.entries if not e.removed]
        written = [n for n in outcome.sync.state.entries]
        assert written == list(state.entries)
        # the cards the build kept (duplicates of one another are refused: MKD301)
        dup_lines = {(d.location.path, d.location.line) for d in outcome.diagnostics
                     if d.code == "MKD301"}
        expected = sum(len(c) for c in files.values()) - len(dup_lines)
        assert len(live) == expected
        for e in live:
            if e.id is not None:
                note = Note(SourceLocation(e.path, e.line), BASIC,
                            (Field("Front", "", SourceLocation(e.path, e.line)),), "D", (),
                            e.id)
                assert e.guid == note_guid(note)
        assert known <= set(guids), "a note left the state without a tombstone"
        known |= set(guids)


def test_strict_build_that_fails_writes_no_state(make_vault, tmp_path):
    vault = make_vault({"a.md": "START\nBasic\nq ![[missing.png]]\nBack: a\nEND\n"}, mtime=T0)
    status, _, err = run(str(vault), "-o", str(tmp_path / "d.apkg"), "--strict")
    assert status == 1 and "not written" in err
    assert not (vault / STATE_FILE).exists()


def test_forget_without_a_state_has_nothing_to_do(make_vault):
    vault = make_vault({"a.md": "START\nBasic\nq\nBack: a\nEND\n"})
    status, _, err = run("forget", str(vault))
    assert status == 0
    assert err == f"mkdeck forget: {vault} has no {STATE_FILE} yet (a build writes it); " \
                  f"nothing to forget\n"
    assert sorted(p.name for p in vault.iterdir()) == ["a.md"]


def test_dump_prints_the_guid_the_build_keeps(make_vault, tmp_path):
    vault = make_vault({"a.md": "START\nBasic\nWhat does fork() return?\nBack: the PID\nEND\n"},
                       mtime=T0)
    before = json.loads(run("dump", str(vault))[1])["notes"][0]["guid"]
    assert run(str(vault), "-o", str(tmp_path / "d.apkg"))[0] == 0
    (vault / "a.md").write_text("START\nBasic\nWhat does fork() return, twice?\nBack: the PID\n"
                                "END\n")
    after = json.loads(run("dump", str(vault))[1])["notes"][0]["guid"]
    assert after == before
    assert json.loads(run("dump", str(vault))[1])["notes"][0]["guid"] == before
    state = read_state(vault).state
    assert state is not None and [e.guid for e in state.entries] == [before]
    # without the state it is the guid of file, type and first field
    (vault / STATE_FILE).unlink()
    assert json.loads(run("dump", str(vault))[1])["notes"][0]["guid"] != before


def test_preview_shows_what_the_build_writes(make_vault, tmp_path):
    from mkdeck.app.preview import build_preview

    vault = make_vault({"a.md": "START\nBasic\nkept\nBack: 1\nEND\n\nSTART\nBasic\ngone\n"
                                "Back: 2\nEND\n"}, mtime=T0)
    assert run(str(vault), "-o", str(tmp_path / "d.apkg"))[0] == 0
    (vault / "a.md").write_text("START\nBasic\nkept\nBack: 1\nEND\n")
    before = (vault / STATE_FILE).read_bytes()
    outcome = build_preview([vault], tmp_path / "preview", use_mathjax=False)
    assert outcome.notes == 2  # the kept note and the tombstone, as in the package
    assert [d.code for d in outcome.diagnostics] == ["MKD333"]
    assert (vault / STATE_FILE).read_bytes() == before  # a preview writes nothing there


def test_too_many_pairs_are_compared_only_within_a_file(monkeypatch):
    """After a mass rename with edits, scoring every pair would be quadratic: above
    _MAX_PAIRS pairs of one note type only same-file pairs are scored."""
    from mkdeck.export import matching

    state = SyncState.of([entry("k1", path="old.md", front="What does fork() return?"),
                          entry("k2", path="a.md", line=5, front="Who reaps zombies?")])
    cards = [card("n1", path="new.md", front="What does fork() return now?"),
             card("n2", path="a.md", line=5, front="Who reaps zombie children?")]
    assert match_cards(state, cards).guids == ("k1", "k2")
    monkeypatch.setattr(matching, "_MAX_PAIRS", 1)
    assert match_cards(state, cards).guids == ("n1", "k2")
