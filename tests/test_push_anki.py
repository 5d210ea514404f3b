"""``mkdeck push`` against the real Anki desktop with the real AnkiConnect add-on.

One Anki serves the whole module (``anki_desktop``, session-scoped); each test has its own
vault and decks (``<test>::…``) and looks only at them.
"""

from __future__ import annotations

import io
import json
import os
import socket
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from anki_desktop import GROUP

from mkdeck.cli import main

pytestmark = GROUP


@pytest.fixture(autouse=True)
def _no_key(monkeypatch: pytest.MonkeyPatch) -> None:
    """The tests give the URL with --url and the key only where they mean to."""
    monkeypatch.delenv("ANKI_CONNECT_KEY", raising=False)
    monkeypatch.delenv("ANKI_CONNECT_URL", raising=False)


def push(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    old = {k: os.environ.get(k) for k in (env or {})}
    os.environ.update(env or {})
    try:
        status = main(["push", *args], stdout=out, stderr=err)
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    return status, out.getvalue(), err.getvalue()


def card(front: str, back: str) -> str:
    return f"START\nBasic\n{front}\nBack: {back}\nEND\n\n"


def snapshot(anki, deck: str) -> list[tuple[Any, ...]]:
    """Every note under ``deck``: (note id, model, fields, tags, card decks), sorted."""
    return sorted((n["noteId"], n["modelName"],
                   tuple(f["value"] for f in sorted(n["fields"].values(),
                                                    key=lambda f: f["order"])),
                   tuple(sorted(n["tags"])), tuple(sorted(n["decks"].values())))
                  for n in anki.notes(f'"deck:{deck}"'))


def tree(root: Path) -> dict[str, tuple[int, int]]:
    return {str(p.relative_to(root)): (p.stat().st_size, p.stat().st_mtime_ns)
            for p in sorted(root.rglob("*")) if p.is_file()}


def write(path: Path, text: str) -> None:
    """Write ``text`` with an mtime 2 s later than the file had (a note's mod time follows
    its file's mtime without a sync state; Anki updates only a newer note)."""
    old = path.stat().st_mtime if path.exists() else 0
    path.write_text(text, encoding="utf-8")
    st = path.stat()
    new = max(st.st_mtime, old + 2)
    os.utime(path, (new, new))


def test_push_edit_delete_move_keeps_reviews(anki_desktop, make_vault):
    anki = anki_desktop
    vault = make_vault({
        "a.md": "TARGET DECK: T1::Alpha\n\n" + card("fork returns", "the PID")
        + card("exec replaces", "the image") + card("wait reaps", "the child"),
        "b.md": "TARGET DECK: T1::Beta\n\n" + card("pipe has", "two ends"),
    }, mtime=1_700_000_000)
    status, out, err = push(str(vault), "--url", anki.url)
    assert status == 0, err
    assert out == (f"pushed to {anki.url} (profile test): 4 added, 0 updated, 0 unchanged, "
                   f"0 moved, 0 deleted\n")
    first = snapshot(anki, "T1")
    by_front = {n[2][0]: n for n in first}
    assert {f: n[4] for f, n in by_front.items()} == {
        "fork returns": ("T1::Alpha",), "exec replaces": ("T1::Alpha",),
        "wait reaps": ("T1::Alpha",), "pipe has": ("T1::Beta",)}
    assert all(n[1] == "Basic (mkdeck)" for n in first)

    # a review of the note that stays as it is, and of the one that moves
    infos = {n["fields"]["Front"]["value"]: n for n in anki.notes('"deck:T1"')}
    reviewed = [infos["wait reaps"]["cards"][0], infos["pipe has"]["cards"][0]]
    assert anki.call("answerCards", answers=[{"cardId": c, "ease": 3} for c in reviewed]) == \
        [True, True]
    before = {c: anki.call("getReviewsOfCards", cards=[c])[str(c)] for c in reviewed}
    assert all(len(r) == 1 for r in before.values())

    # a push after a push does nothing
    status, out, _ = push(str(vault), "--url", anki.url)
    assert status == 0
    assert out.startswith(f"nothing to push to {anki.url} (profile test): 0 added, 0 updated, "
                          f"4 unchanged, 0 moved, 0 deleted")

    # edit one card, delete one, change the other file's TARGET DECK
    write(vault / "a.md", "TARGET DECK: T1::Alpha\n\n" + card("fork returns", "the PID twice")
          + card("wait reaps", "the child"))
    write(vault / "b.md", "TARGET DECK: T1::Gamma\n\n" + card("pipe has", "two ends"))

    # --dry-run: the same counts and the notes concerned; nothing changes anywhere
    state_home, cache_home = Path(os.environ["XDG_STATE_HOME"]), Path(os.environ["XDG_CACHE_HOME"])
    before_files = (tree(vault), tree(state_home), tree(cache_home))
    status, out, err = push(str(vault), "--url", anki.url, "--dry-run")
    assert status == 0, err
    assert out.splitlines() == [
        "  update   T1::Alpha  fork returns",
        "  move     T1::Beta -> T1::Gamma  pipe has",
        "  delete   exec replaces",
        f"dry run, nothing changed: push to {anki.url} (profile test) would give 0 added, "
        f"1 updated, 2 unchanged, 1 moved, 1 deleted",
    ]
    assert snapshot(anki, "T1") == first
    assert (tree(vault), tree(state_home), tree(cache_home)) == before_files

    status, out, err = push(str(vault), "--url", anki.url)
    assert status == 0, err
    assert out == (f"pushed to {anki.url} (profile test): 0 added, 1 updated, 2 unchanged, "
                   f"1 moved, 1 deleted\n")
    after = {n[2][0]: n for n in snapshot(anki, "T1")}
    assert set(after) == {"fork returns", "wait reaps", "pipe has"}
    assert after["fork returns"][2] == ("fork returns", "the PID twice")
    assert after["pipe has"][4] == ("T1::Gamma",)
    assert after["wait reaps"][4] == ("T1::Alpha",)
    # same notes (ids), and the reviews are still there
    assert {f: n[0] for f, n in after.items()} == {f: by_front[f][0] for f in after}
    assert {c: anki.call("getReviewsOfCards", cards=[c])[str(c)] for c in reviewed} == before
    cards = anki.call("cardsInfo", cards=reviewed)
    assert all(c["reps"] == 1 and c["type"] != 0 for c in cards)

    status, out, _ = push(str(vault), "--url", anki.url)
    assert out.startswith("nothing to push")


def test_notes_made_by_hand_are_never_deleted(anki_desktop, make_vault):
    anki = anki_desktop
    vault = make_vault({"h.md": "TARGET DECK: T2\n\n" + card("q1", "a1") + card("q2", "a2")},
                       mtime=1_700_000_000)
    assert push(str(vault), "--url", anki.url)[0] == 0
    # by hand, in the same deck: one with Anki's Basic, one with mkdeck's own note type and
    # mkdeck's removed tag
    hand = [anki.call("addNote", note={"deckName": "T2", "modelName": model,
                                       "fields": {"Front": front, "Back": "x"}, "tags": tags})
            for model, front, tags in [("Basic", "by hand", []),
                                       ("Basic (mkdeck)", "by hand too", ["mkdeck::removed"])]]
    write(vault / "h.md", "TARGET DECK: T2\n\n")  # every card removed from the vault
    status, out, err = push(str(vault), "--url", anki.url)
    assert status == 0, err
    assert out.endswith("0 unchanged, 0 moved, 2 deleted\n")
    assert anki.notes('"deck:T2"') == []
    # (AnkiConnect's addNote put them in Default, whatever deckName says: found by id)
    left = anki.call("notesInfo", notes=hand)
    assert [(n["noteId"], n["fields"]["Front"]["value"]) for n in left] == [
        (hand[0], "by hand"), (hand[1], "by hand too")]


def squatter_package(package: Path, out: Path) -> None:
    """``package`` with its one note given another guid and other fields: another note at
    the very note id (and card id) mkdeck chose, with mkdeck's own note type."""
    import sqlite3
    import zipfile

    with zipfile.ZipFile(package) as zf:
        files = {name: zf.read(name) for name in zf.namelist()}
    conn = sqlite3.connect(":memory:")
    conn.deserialize(files["collection.anki2"])
    conn.execute("UPDATE notes SET guid = 'squatter00', flds = 'not from the vault' || "
                 "char(31) || 'x'")
    conn.commit()
    files["collection.anki2"] = conn.serialize()
    conn.close()
    with zipfile.ZipFile(out, "w") as zf:
        for name, data in files.items():
            zf.writestr(name, data)


def test_a_note_at_mkdecks_note_id_is_not_taken_for_its_note(anki_desktop, make_vault,
                                                              tmp_path):
    anki = anki_desktop
    vault = make_vault({"c.md": "TARGET DECK: T9\n\n" + card("collide", "c")},
                       mtime=1_700_000_000)
    assert main(["build", str(vault), "-o", str(tmp_path / "c.apkg")]) == 0
    squatter_package(tmp_path / "c.apkg", tmp_path / "squat.apkg")
    anki.call("importPackage", path=str(tmp_path / "squat.apkg"))
    (squatter,) = anki.notes('"deck:T9"')
    # the vault's note comes second: Anki gives it the package's id + 999
    status, out, err = push(str(vault), "--url", anki.url)
    assert status == 0, err
    assert "1 added" in out
    ours = [n for n in anki.notes('"deck:T9"') if n["noteId"] != squatter["noteId"]]
    assert [(n["noteId"] - squatter["noteId"], n["fields"]["Front"]["value"]) for n in ours] \
        == [(999, "collide")]
    write(vault / "c.md", "TARGET DECK: T9\n\n")
    status, out, err = push(str(vault), "--url", anki.url)
    assert status == 0, err
    assert out.endswith("1 deleted\n")
    assert [(n["noteId"], n["modelName"], n["fields"]["Front"]["value"])
            for n in anki.notes('"deck:T9"')] == [
        (squatter["noteId"], "Basic (mkdeck)", "not from the vault")]


def test_more_deletions_than_the_limit_need_yes(anki_desktop, make_vault):
    anki = anki_desktop
    vault = make_vault({"d.md": "TARGET DECK: T3\n\n" + "".join(
        card(f"q{i}", "a") for i in range(4))}, mtime=1_700_000_000)
    assert push(str(vault), "--url", anki.url)[0] == 0
    first = snapshot(anki, "T3")
    write(vault / "d.md", "TARGET DECK: T3\n\n" + card("q0", "a"))
    status, out, err = push(str(vault), "--url", anki.url, "--max-delete", "2")
    assert status == 2 and out == ""
    assert "3 notes were removed from the vault and would be deleted in Anki, more than 2" in err
    assert snapshot(anki, "T3") == first
    status, out, _ = push(str(vault), "--url", anki.url, "--max-delete", "2", "--yes")
    assert status == 0 and out.endswith("3 deleted\n")
    assert [n[2][0] for n in snapshot(anki, "T3")] == ["q0"]


def test_wrong_api_key(anki_desktop, make_vault):
    anki = anki_desktop
    vault = make_vault({"k.md": "TARGET DECK: T4\n\n" + card("k", "v")})
    meta = anki.base / "addons21" / "AnkiConnect" / "meta.json"
    saved = meta.read_bytes()
    data = json.loads(saved)
    data["config"]["apiKey"] = "right key"
    meta.write_text(json.dumps(data))  # AnkiConnect reads its config on every request
    try:
        status, _, err = push(str(vault), "--url", anki.url,
                              env={"ANKI_CONNECT_KEY": "wrong key"})
        assert status == 2
        assert (f"mkdeck push: AnkiConnect at {anki.url} rejected the API key in "
                f"$ANKI_CONNECT_KEY: set $ANKI_CONNECT_KEY to the apiKey") in err
        status, _, err = push(str(vault), "--url", anki.url)
        assert status == 2
        assert f"AnkiConnect at {anki.url} wants an API key: set $ANKI_CONNECT_KEY" in err
        status, out, err = push(str(vault), "--url", anki.url,
                                env={"ANKI_CONNECT_KEY": "right key"})
        assert status == 0, err
        assert "1 added" in out
    finally:
        meta.write_bytes(saved)


class CutProxy:
    """A TCP proxy to Anki's AnkiConnect that drops the connection, unanswered, of the
    first request for ``cut_action`` after ``cut`` is set to False, once the action has
    reached Anki: Anki did it, the client never hears back (Anki closed midway)."""

    def __init__(self, target_port: int, cut_action: str) -> None:
        self.target_port = target_port
        self.cut_action = cut_action.encode()
        self.cut = True  # armed by setting it to False
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                client, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._one, args=(client,), daemon=True).start()

    def _one(self, client: socket.socket) -> None:
        with client, socket.create_connection(("127.0.0.1", self.target_port)) as up:
            data = b""
            while b"\r\n\r\n" not in data:
                data += client.recv(65536)
            head, body = data.split(b"\r\n\r\n", 1)
            length = int([ln.split(b":")[1] for ln in head.split(b"\r\n")
                          if ln.lower().startswith(b"content-length")][0])
            while len(body) < length:
                body += client.recv(65536)
            up.sendall(head + b"\r\n\r\n" + body)
            reply = b""
            while True:
                chunk = up.recv(65536)
                if not chunk:
                    break
                reply += chunk
            if not self.cut and b'"' + self.cut_action + b'"' in body:
                self.cut = True
                return  # close without an answer
            client.sendall(reply)

    def close(self) -> None:
        self.sock.close()


def test_anki_gone_midway_then_next_push_completes(anki_desktop, make_vault):
    anki = anki_desktop
    vault = make_vault({"m.md": "TARGET DECK: T5\n\n" + card("stay", "s") + card("go", "g")},
                       mtime=1_700_000_000)
    proxy = CutProxy(anki.port, "importPackage")
    try:
        assert push(str(vault), "--url", proxy.url)[0] == 0
        state_home = Path(os.environ["XDG_STATE_HOME"])
        records = tree(state_home)
        write(vault / "m.md", "TARGET DECK: T5\n\n" + card("stay", "s2"))
        proxy.cut = False  # Anki disappears after importing, before the deletion
        status, out, err = push(str(vault), "--url", proxy.url)
        assert status == 2 and out == ""
        assert "broke during 'importPackage'" in err and "Anki was closed or crashed" in err
        assert "nothing recorded" in err
        assert tree(state_home) == records  # not advanced
        assert sorted(n[2][0] for n in snapshot(anki, "T5")) == ["go", "stay"]
        # the next push does what was missed: the deletion
        status, out, err = push(str(vault), "--url", proxy.url)
        assert status == 0, err
        assert out.endswith("1 deleted\n")
        assert [n[2] for n in snapshot(anki, "T5")] == [("stay", "s2")]
    finally:
        proxy.close()


def test_anki_stopped_then_started(anki_desktop, make_vault):
    anki = anki_desktop
    vault = make_vault({"s.md": "TARGET DECK: T6\n\n" + card("one", "1") + card("two", "2")},
                       mtime=1_700_000_000)
    assert push(str(vault), "--url", anki.url)[0] == 0
    write(vault / "s.md", "TARGET DECK: T6\n\n" + card("one", "1 edited"))
    state_home = Path(os.environ["XDG_STATE_HOME"])
    records = tree(state_home)
    anki.stop()
    try:
        status, out, err = push(str(vault), "--url", anki.url)
    finally:
        anki.start()
    assert status == 2 and out == ""
    assert f"cannot reach AnkiConnect at {anki.url}" in err and "2055492159" in err
    assert tree(state_home) == records
    status, out, err = push(str(vault), "--url", anki.url)
    assert status == 0, err
    assert out.endswith("1 updated, 0 unchanged, 0 moved, 1 deleted\n")
    assert [n[2] for n in snapshot(anki, "T6")] == [("one", "1 edited")]


def test_cli_reports_build_errors_and_postpones_deletions(anki_desktop, make_vault):
    anki = anki_desktop
    vault = make_vault({"e.md": "TARGET DECK: T7\n\n" + card("ok", "1") + card("later", "2")},
                       mtime=1_700_000_000)
    assert push(str(vault), "--url", anki.url)[0] == 0
    # the second card breaks (empty front): it is missing from the package, not removed
    write(vault / "e.md", "TARGET DECK: T7\n\n" + card("ok", "1")
          + "START\nBasic\n\nBack: 2\nEND\n")
    status, out, err = push(str(vault), "--url", anki.url)
    assert status == 1
    assert "e.md:9: MKD113" in err
    assert ("mkdeck push: 1 note removed from the vault is not deleted in Anki while the "
            "build has errors; fix them and push again") in err
    assert sorted(n[2][0] for n in snapshot(anki, "T7")) == ["later", "ok"]



def test_push_tells_the_sync_state(anki_desktop, make_vault):
    """With the vault's sync state (issue 12): a tombstone deleted by push leaves the state,
    a moved note is marked placed, so the next build writes neither tag."""
    state_mod = pytest.importorskip("mkdeck.export.state")
    anki = anki_desktop
    vault = make_vault({"t.md": "TARGET DECK: T8\n\n" + card("keep", "k") + card("drop", "d"),
                        "u.md": "TARGET DECK: T8\n\n" + card("move", "m")})
    assert push(str(vault), "--url", anki.url)[0] == 0
    write(vault / "t.md", "TARGET DECK: T8\n\n" + card("keep", "k"))
    write(vault / "u.md", "TARGET DECK: T8::Moved\n\n" + card("move", "m"))
    status, out, err = push(str(vault), "--url", anki.url)
    assert status == 0, err
    assert out.endswith("0 added, 0 updated, 2 unchanged, 1 moved, 1 deleted\n")
    state = state_mod.read_state(vault).state
    assert state.removed() == () and state.moved() == ()
    assert sorted((e.deck, e.placed) for e in state.entries) == [
        ("T8", "T8"), ("T8::Moved", "T8::Moved")]
    notes = snapshot(anki, "T8")
    assert sorted((n[2][0], n[3], n[4]) for n in notes) == [
        ("keep", (), ("T8",)), ("move", (), ("T8::Moved",))]
    status, out, _ = push(str(vault), "--url", anki.url)
    assert status == 0 and out.startswith("nothing to push")
    # a card built (so in the state) but never pushed, then removed: its tombstone is not in
    # this Anki; said once, then not looked for again
    write(vault / "t.md", "TARGET DECK: T8\n\n" + card("keep", "k") + card("never", "n"))
    assert main(["build", str(vault), "-o", str(vault.parent / "t8.apkg")],
                stdout=io.StringIO(), stderr=io.StringIO()) == 0
    write(vault / "t.md", "TARGET DECK: T8\n\n" + card("keep", "k"))
    status, out, err = push(str(vault), "--url", anki.url)
    assert status == 0, err
    assert "1 note removed from the vault was not in Anki (deleted there already)" in err
    status, out, err = push(str(vault), "--url", anki.url)
    assert status == 0 and out.startswith("nothing to push") and "was not in Anki" not in err


def test_two_vaults_never_take_each_others_notes(anki_desktop, make_vault):
    """Two vaults with a card of the same file and first field have the same guid (identity
    is vault-relative): the second vault's push must not move, overwrite or delete the note
    the first one pushed (found by review: it moved it, then deleted it with its reviews)."""
    anki = anki_desktop
    one = make_vault({"Daily.md": "TARGET DECK: T10::One\n\n" + card("daily question", "one")
                      + card("only one", "o")}, name="one", mtime=1_700_000_000)
    two = make_vault({"Daily.md": "TARGET DECK: T10::Two\n\n" + card("daily question", "two")
                      + card("only two", "t")}, name="two", mtime=1_700_000_100)
    assert push(str(one), "--url", anki.url)[0] == 0
    first = snapshot(anki, "T10")
    status, out, err = push(str(two), "--url", anki.url)
    assert status == 1, err
    assert out.endswith("1 added, 0 updated, 0 unchanged, 0 moved, 0 deleted\n")
    assert (f"mkdeck push: 1 note of this vault has the identity of a note pushed to this "
            f"Anki from {one}: 'daily question' (T10::Two); Anki holds one note per identity, "
            f"so it was not sent. Give the card an ID comment (`mkdeck ids`)") in err
    after = snapshot(anki, "T10")
    assert [n for n in after if n[2][0] != "only two"] == first  # the first vault's, intact
    assert not list(Path(os.environ["XDG_CACHE_HOME"]).rglob(".mkdeck-push-*"))  # (its copy)
    # the card leaves the second vault (its sync state holds a tombstone of it): the note of
    # the first vault is not deleted
    write(two / "Daily.md", "TARGET DECK: T10::Two\n\n" + card("only two", "t"))
    status, out, err = push(str(two), "--url", anki.url)
    assert status == 0, err
    assert out.startswith("nothing to push") and "identity" not in err
    notes = {n[2][0]: n for n in snapshot(anki, "T10")}
    assert notes["daily question"] == {n[2][0]: n for n in first}["daily question"]
    assert set(notes) == {"daily question", "only one", "only two"}
    status, out, _ = push(str(one), "--url", anki.url)
    assert status == 0 and out.startswith("nothing to push")


def test_a_tombstone_anki_does_not_have_is_never_created_there(anki_desktop, make_vault):
    """A note removed from the vault that this Anki does not have (deleted there by hand, or
    never pushed) must not be created in Anki by a later import of a package that still holds
    its tombstone (found by review: it came back tagged mkdeck::removed, for good)."""
    anki = anki_desktop
    vault = make_vault({"r.md": "TARGET DECK: T11\n\n" + card("kept", "k")
                        + card("hand deleted", "h")}, mtime=1_700_000_000)
    assert push(str(vault), "--url", anki.url)[0] == 0
    (gone,) = [n for n in anki.notes('"deck:T11"') if n["fields"]["Front"]["value"]
               == "hand deleted"]
    anki.call("deleteNotes", notes=[gone["noteId"]])  # by hand in Anki
    # ... then removed from the vault too: Anki does not have it
    write(vault / "r.md", "TARGET DECK: T11\n\n" + card("kept", "k"))
    status, out, err = push(str(vault), "--url", anki.url)
    assert status == 0, err
    assert "1 note removed from the vault was not in Anki (deleted there already)" in err
    # an edit: the package is imported again
    write(vault / "r.md", "TARGET DECK: T11\n\n" + card("kept", "k2"))
    status, out, err = push(str(vault), "--url", anki.url)
    assert status == 0, err
    assert out.endswith("0 added, 1 updated, 0 unchanged, 0 moved, 0 deleted\n")
    assert [n[2] for n in snapshot(anki, "T11")] == [("kept", "k2")]
    assert anki.call("findNotes", query='"deck:T11" tag:mkdeck::removed') == []
    state_mod = pytest.importorskip("mkdeck.export.state")
    assert state_mod.read_state(vault).state.removed() == ()


def test_a_save_during_the_build_deletes_nothing(anki_desktop, make_vault, monkeypatch):
    """An editor saving in place truncates the note, then writes it: a build reading between
    the two sees no card and makes a tombstone. Push then deleted the note in Anki, with its
    reviews (found by review, with a storm of saves under ``watch --push``). Here the build
    runs while the note is truncated, and the editor's write lands as the build ends."""
    import mkdeck.app.build as app_build

    anki = anki_desktop
    text = "TARGET DECK: T12\n\n" + card("saved often", "s") + card("other", "o")
    vault = make_vault({"n.md": text}, mtime=1_700_000_000)
    assert push(str(vault), "--url", anki.url)[0] == 0
    first = snapshot(anki, "T12")
    real_build = app_build.build

    def torn_build(*args: Any, **kwargs: Any) -> Any:
        (vault / "n.md").write_text("", encoding="utf-8")  # the editor's O_TRUNC
        try:
            return real_build(*args, **kwargs)
        finally:
            (vault / "n.md").write_text(text, encoding="utf-8")  # ... and its write

    monkeypatch.setattr(app_build, "build", torn_build)
    status, out, err = push(str(vault), "--url", anki.url)
    assert status == 0, err
    assert out.endswith("0 deleted\n")
    assert ("mkdeck push: 2 notes removed from the vault are not deleted in Anki: the vault "
            "changed while it was built (a save?); push again") in err
    assert snapshot(anki, "T12") == first
    monkeypatch.setattr(app_build, "build", real_build)
    status, out, err = push(str(vault), "--url", anki.url)
    assert status == 0, err
    assert out.endswith("0 moved, 0 deleted\n")
    assert snapshot(anki, "T12") == first


def test_an_update_anki_skips_is_said_and_tried_again(anki_desktop, make_vault):
    """A note type given one more field: Anki merges it into the note type it has, which
    rewrites every note of that type, so they are newer than the package's and the import
    leaves them as they were. Push said "updated" and recorded it: the vault's edit never
    reached Anki and no push tried again (found by review)."""
    anki = anki_desktop
    fit = "TARGET DECK: T13\n\nSTART\nFIT13\nq one\nBack: a one\n{extra}END\n\n"
    vault = make_vault({"mkdeck.yaml": "note_types:\n  FIT13: {fields: [Front, Back], "
                                       "base: Basic}\n",
                        "f.md": fit.format(extra="")}, mtime=1_700_000_000)
    assert push(str(vault), "--url", anki.url)[0] == 0
    write(vault / "mkdeck.yaml", "note_types:\n  FIT13: {fields: [Front, Back, Extra], "
                                 "base: Basic}\n")
    write(vault / "f.md", fit.format(extra="Extra: more\n"))
    status, out, err = push(str(vault), "--url", anki.url)
    assert [n[2] for n in snapshot(anki, "T13")] == [("q one", "a one", "")]  # Anki's doing
    assert status == 1, err
    assert out.endswith("0 added, 0 updated, 0 unchanged, 0 moved, 0 deleted\n")
    assert ("mkdeck push: 1 note was not updated by Anki: 'q one'") in err
    status, out, err = push(str(vault), "--url", anki.url)
    assert status == 1 and "1 note was not updated by Anki: 'q one'" in err


def test_a_replaced_media_file_is_an_update(anki_desktop, make_vault):
    """Anki keeps the old bytes of a media file and stores the new ones under a new name,
    rewriting the field: the update is taken (not reported as skipped)."""
    from test_push_plan import PNG

    anki = anki_desktop
    vault = make_vault({"i.md": "TARGET DECK: T14\n\n" + card("which colour", "![[dot14.png]]"),
                        "dot14.png": PNG}, mtime=1_700_000_000)
    assert push(str(vault), "--url", anki.url)[0] == 0
    (vault / "dot14.png").write_bytes(PNG.replace(b"\x54\xa2\x4f\x5d", b"\x00\x00\x00\x00"))
    status, out, err = push(str(vault), "--url", anki.url)
    assert status == 0, err
    assert out.endswith("0 added, 1 updated, 0 unchanged, 0 moved, 0 deleted\n")
    assert "not updated" not in err
    ((_, _, fields, _, _),) = snapshot(anki, "T14")
    assert fields[1].startswith('<img src="dot14-') and len(fields[1]) > 60
    status, out, _ = push(str(vault), "--url", anki.url)
    assert status == 0 and out.startswith("nothing to push")


def test_a_push_cut_after_recording_still_tells_the_state(anki_desktop, make_vault,
                                                          monkeypatch):
    """Ctrl-C (or a kill) after push recorded its work but before it told the vault's sync
    state: the state kept the moved note as moved, so every build tagged it mkdeck::moved and
    said so, and no push ever fixed it (found by review)."""
    import mkdeck.app.push as app_push

    state_mod = pytest.importorskip("mkdeck.export.state")
    anki = anki_desktop
    vault = make_vault({"v.md": "TARGET DECK: T15\n\n" + card("moving", "m")},
                       mtime=1_700_000_000)
    assert push(str(vault), "--url", anki.url)[0] == 0
    write(vault / "v.md", "TARGET DECK: T15::New\n\n" + card("moving", "m"))

    def cut(*args: Any, **kwargs: Any) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(app_push, "after_push", cut)
    status, out, err = push(str(vault), "--url", anki.url)
    assert status == 130 and "interrupted" in err
    assert [n[4] for n in snapshot(anki, "T15")] == [("T15::New",)]
    assert [e.deck for e in state_mod.read_state(vault).state.moved()] == ["T15::New"]
    monkeypatch.undo()
    status, out, err = push(str(vault), "--url", anki.url)
    assert status == 0, err
    assert out.startswith("nothing to push")
    assert state_mod.read_state(vault).state.moved() == ()
    status, out, err = push(str(vault), "--url", anki.url)
    assert "moved" not in err.replace("0 moved", "")


def test_nothing_is_pushed_while_the_config_cannot_be_read(anki_desktop, make_vault):
    """mkdeck.yaml with a YAML error is ignored whole: every card without its own TARGET DECK
    fell back to the default deck, and push moved them all there (found by review; with
    watch --push, a save in the middle of typing did it)."""
    anki = anki_desktop
    vault = make_vault({"mkdeck.yaml": "deck: T16\n", "y.md": card("configured", "c")},
                       mtime=1_700_000_000)
    assert push(str(vault), "--url", anki.url)[0] == 0
    first = snapshot(anki, "T16")
    assert [n[4] for n in first] == [("T16",)]
    write(vault / "mkdeck.yaml", "deck: [T16\n")
    status, out, err = push(str(vault), "--url", anki.url)
    assert status == 1 and out == ""
    assert "mkdeck.yaml:2: MKD020" in err
    assert ("mkdeck push: nothing pushed: mkdeck.yaml cannot be read (MKD020), and without it "
            "decks, note types and card syntax may all change; fix it and push again") in err
    assert snapshot(anki, "T16") == first
    write(vault / "mkdeck.yaml", "deck: T16\n")
    status, out, err = push(str(vault), "--url", anki.url)
    assert status == 0 and out.startswith("nothing to push"), err


def test_tags_given_in_anki_survive_an_update(anki_desktop, make_vault):
    """Anki's own tags on a note (``marked``: Ctrl+K; ``leech``: the scheduler's) were wiped by
    every update push, for an update replaces a note's tags with the package's (found by
    review). The vault's tags still follow the vault: one removed there goes in Anki too."""
    anki = anki_desktop
    tagged = "TARGET DECK: T17\n\nSTART\nBasic\ntagged q\nBack: {back}\nTags: {tags}\nEND\n"
    vault = make_vault({"g.md": tagged.format(back="one", tags="vault1 vault2")},
                       mtime=1_700_000_000)
    assert push(str(vault), "--url", anki.url)[0] == 0
    (note,) = anki.notes('"deck:T17"')
    anki.call("addTags", notes=[note["noteId"]], tags="marked leech")
    time.sleep(1.1)  # Anki's mod times are in seconds: the vault's edit comes later
    write(vault / "g.md", tagged.format(back="two", tags="vault1"))
    status, out, err = push(str(vault), "--url", anki.url)
    assert status == 0, err
    assert out.endswith("0 added, 1 updated, 0 unchanged, 0 moved, 0 deleted\n")
    assert snapshot(anki, "T17") == [(note["noteId"], "Basic (mkdeck)", ("tagged q", "two"),
                                      ("leech", "marked", "vault1"), ("T17",))]


def test_nothing_is_deleted_while_the_sync_state_cannot_be_used(anki_desktop, make_vault):
    """A git merge conflict in .mkdeck-state (MKD331): the build knows cards by file and first
    field only, so a card moved to another file got a new guid, and push deleted its note
    with its reviews (found by review)."""
    anki = anki_desktop
    vault = make_vault({"a.md": "TARGET DECK: T18\n\n" + card("cs fork", "pid")
                        + card("cs exec", "image"),
                        "b.md": "TARGET DECK: T18\n\n" + card("cs pipe", "ends")},
                       mtime=1_700_000_000)
    assert push(str(vault), "--url", anki.url)[0] == 0
    first = {n[2][0]: n[0] for n in snapshot(anki, "T18")}
    head, *rest = (vault / ".mkdeck-state").read_text(encoding="utf-8").splitlines(True)
    (vault / ".mkdeck-state").write_text(
        head + "<<<<<<< HEAD\n" + "".join(rest) + "=======\n" + "".join(rest)
        + ">>>>>>> other\n", encoding="utf-8")
    write(vault / "a.md", "TARGET DECK: T18\n\n" + card("cs fork", "pid"))
    write(vault / "b.md", "TARGET DECK: T18\n\n" + card("cs pipe", "ends")
          + card("cs exec", "image"))
    status, out, err = push(str(vault), "--url", anki.url)
    assert "MKD331" in err
    assert out.endswith("0 deleted\n"), err
    assert ("mkdeck push: 1 note removed from the vault is not deleted in Anki: .mkdeck-state "
            "cannot be used (MKD331), so cards are known by file and first field only; fix "
            "it and push again") in err
    assert {f: i for f, i in first.items()} == {
        n[2][0]: n[0] for n in snapshot(anki, "T18") if n[0] in first.values()}


def test_a_moved_note_deleted_in_anki_is_said_once(anki_desktop, make_vault):
    """A note deleted by hand in Anki whose deck then changes in the vault: every push said
    "pushed", looked for it again and moved nothing, and the sync state called it moved for
    good (found by review). It is said once; the push then settles."""
    state_mod = pytest.importorskip("mkdeck.export.state")
    anki = anki_desktop
    vault = make_vault({"w.md": "TARGET DECK: T19\n\n" + card("md q1", "a") + card("md q2", "b")},
                       mtime=1_700_000_000)
    assert push(str(vault), "--url", anki.url)[0] == 0
    (gone,) = [n["noteId"] for n in anki.notes('"deck:T19"')
               if n["fields"]["Front"]["value"] == "md q1"]
    anki.call("deleteNotes", notes=[gone])
    write(vault / "w.md", "TARGET DECK: T19::New\n\n" + card("md q1", "a") + card("md q2", "b"))
    status, out, err = push(str(vault), "--url", anki.url)
    assert status == 0, err
    assert out.endswith("0 added, 0 updated, 2 unchanged, 1 moved, 0 deleted\n")
    assert ("mkdeck push: 1 note was not in Anki to move (deleted there?): 'md q1'; its next "
            "edit in the vault sends it again") in err
    assert state_mod.read_state(vault).state.moved() == ()
    status, out, err = push(str(vault), "--url", anki.url)
    assert status == 0 and out.startswith("nothing to push") and "not in Anki" not in err
