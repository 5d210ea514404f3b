"""The AnkiConnect client's errors, and ``mkdeck push``'s exit 2 on each, without a real Anki.

The real add-on cannot be made old, busy or silent on demand, so these use a fake HTTP server
on 127.0.0.1 that answers with replies recorded from the real AnkiConnect
(``../shared/anki-connect/plugin``: ``"unsupported action"`` is what it answers an action it
does not know, as it did for ``getActiveProfile``; ``"collection is not available"`` is what
it answers while Anki has no collection open, e.g. with the profile window up). A refused
connection is a real one (a port nothing listens on); the wrong API key is tested against the
real add-on in test_push_anki.py.
"""

from __future__ import annotations

import io
import json
import os
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from anki_desktop import free_port

from mkdeck.ankiconnect import (
    AnkiActionUnsupported,
    AnkiBusy,
    AnkiConnect,
    AnkiKeyRejected,
    AnkiTimeout,
    AnkiUnreachable,
    resolve_url,
)
from mkdeck.cli import main

VAULT = {"a.md": "TARGET DECK: Fake\n\nSTART\nBasic\nfront\nBack: back\nEND\n"}


class FakeAnkiConnect:
    """An HTTP server answering each action with a recorded reply (``replies[action]``: a
    dict sent as JSON, raw ``bytes``, or ``("sleep", seconds)``); records every request."""

    def __init__(self, replies: dict[str, Any]) -> None:
        self.replies = replies
        self.requests: list[dict[str, Any]] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's name
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                fake.requests.append(body)
                reply = fake.replies.get(body["action"],
                                         {"result": None, "error": "unsupported action"})
                if isinstance(reply, tuple) and reply[0] == "sleep":
                    time.sleep(reply[1])
                    reply = {"result": None, "error": None}
                data = reply if isinstance(reply, bytes) else json.dumps(reply).encode()
                self.send_response(200)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                try:
                    self.wfile.write(data)
                except OSError:
                    pass

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> FakeAnkiConnect:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


OK_VERSION = {"result": 6, "error": None}
PROFILE = {"result": "User 1", "error": None}


def push(args: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    status = main(["push", *args], stdout=out, stderr=err)
    return status, out.getvalue(), err.getvalue()


def state_files(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*"))


def test_nothing_listening_says_how_to_install(make_vault, tmp_path):
    vault = make_vault(VAULT)
    url = f"http://127.0.0.1:{free_port()}"
    with pytest.raises(AnkiUnreachable) as exc:
        AnkiConnect(url).invoke("version")
    assert "2055492159" in str(exc.value) and "start Anki" in str(exc.value)
    status, out, err = push([str(vault), "--url", url])
    assert status == 2 and out == ""
    assert f"mkdeck push: cannot reach AnkiConnect at {url} (connection refused)" in err
    assert "code 2055492159" in err


def test_something_else_on_the_port(make_vault):
    vault = make_vault(VAULT)
    with FakeAnkiConnect({"version": b"<html>not anki</html>"}) as fake:
        status, _, err = push([str(vault), "--url", fake.url])
    assert status == 2
    assert "is not JSON" in err and "another program" in err


def test_too_old_for_import(make_vault):
    vault = make_vault(VAULT)
    replies = {"version": OK_VERSION, "getMediaDirPath":
               {"result": "/home/u/.local/share/Anki2/User 1/collection.media", "error": None},
               "importPackage": {"result": None, "error": "unsupported action"}}
    with FakeAnkiConnect(replies) as fake:
        status, out, err = push([str(vault), "--url", fake.url])
    assert status == 2 and out == ""
    assert ("mkdeck push: the AnkiConnect at " + fake.url + " is too old for the action "
            "'importPackage'") in err
    assert "nothing recorded; the next push will do it again" in err
    # getActiveProfile unknown to this AnkiConnect: the profile came from the media folder
    assert [r["action"] for r in fake.requests] == [
        "version", "getActiveProfile", "getMediaDirPath", "importPackage"]


def test_api_version_too_old(make_vault):
    vault = make_vault(VAULT)
    with FakeAnkiConnect({"version": {"result": 5, "error": None}}) as fake:
        status, _, err = push([str(vault), "--url", fake.url])
    assert status == 2 and "speaks API version 5, mkdeck needs 6" in err


def test_busy_with_a_dialog(make_vault):
    vault = make_vault(VAULT)
    replies = {"version": OK_VERSION, "getActiveProfile": PROFILE,
               "importPackage": {"result": None, "error": "collection is not available"}}
    with FakeAnkiConnect(replies) as fake:
        status, _, err = push([str(vault), "--url", fake.url])
    assert status == 2
    assert "Anki is busy and cannot run 'importPackage' (collection is not available)" in err
    assert "close any open dialog" in err


def test_timeout(make_vault):
    vault = make_vault(VAULT)
    replies = {"version": OK_VERSION, "getActiveProfile": PROFILE,
               "importPackage": ("sleep", 3)}
    with FakeAnkiConnect(replies) as fake:
        t0 = time.monotonic()
        status, _, err = push([str(vault), "--url", fake.url, "--timeout", "0.5"])
        elapsed = time.monotonic() - t0
        with pytest.raises(AnkiTimeout):
            AnkiConnect(fake.url, timeout=0.2).invoke("importPackage")
    assert status == 2
    assert "Anki did not answer 'importPackage' within 0.5 s" in err
    assert elapsed < 30  # not a timing assert: it only proves the wait was cut short


def test_nothing_recorded_after_a_failure(make_vault, tmp_path, monkeypatch):
    vault = make_vault(VAULT)
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    replies = {"version": OK_VERSION, "getActiveProfile": PROFILE,
               "importPackage": {"result": None, "error": "collection is not available"}}
    with FakeAnkiConnect(replies) as fake:
        status, _, _ = push([str(vault), "--url", fake.url])
    assert status == 2
    assert not (tmp_path / "state").exists()


def test_key_is_sent_and_rejection_explained(monkeypatch):
    replies = {"version": {"result": None, "error": "valid api key must be provided"}}
    with FakeAnkiConnect(replies) as fake:
        with pytest.raises(AnkiKeyRejected) as exc:
            AnkiConnect(fake.url, key="k1").invoke("version")
    assert fake.requests == [{"action": "version", "version": 6, "key": "k1"}]
    assert str(exc.value).startswith(f"AnkiConnect at {fake.url} rejected the API key in "
                                     f"$ANKI_CONNECT_KEY: set $ANKI_CONNECT_KEY to the apiKey")


def test_unsupported_and_busy_classes():
    replies = {"version": OK_VERSION,
               "deckNames": {"result": None, "error": "collection is not available"}}
    with FakeAnkiConnect(replies) as fake:
        client = AnkiConnect(fake.url)
        assert client.invoke("version") == 6
        with pytest.raises(AnkiActionUnsupported):
            client.invoke("getActiveProfile")
        with pytest.raises(AnkiBusy):
            client.invoke("deckNames")


def test_url_from_option_then_environment_then_default():
    assert resolve_url(None, {}) == "http://127.0.0.1:8765"
    assert resolve_url(None, {"ANKI_CONNECT_URL": "localhost:9000/"}) == "http://localhost:9000"
    assert resolve_url("http://10.0.0.2:8765", {"ANKI_CONNECT_URL": "x:1"}) == \
        "http://10.0.0.2:8765"
    with pytest.raises(ValueError):
        resolve_url("ftp://host", {})


def test_bad_url_is_usage_error(make_vault):
    status, _, err = push([str(make_vault(VAULT)), "--url", "ftp://nowhere"])
    assert status == 2 and "is not an http:// URL" in err


def test_push_help_is_argparse_usage():
    out = io.StringIO()
    import contextlib

    with contextlib.redirect_stdout(out):
        status = main(["push", "--help"])
    assert status == 0
    assert out.getvalue().startswith("usage: mkdeck push [-h] [--dry-run] [--url URL]")


def test_a_reply_of_the_wrong_shape_is_an_error_not_a_crash(make_vault, tmp_path):
    """An AnkiConnect that answers notesInfo with something else: exit 2, nothing recorded."""
    vault = make_vault(VAULT)
    replies = {"version": OK_VERSION, "getActiveProfile": PROFILE,
               "importPackage": {"result": True, "error": None},
               "notesInfo": {"result": {"not": "a list"}, "error": None}}
    with FakeAnkiConnect(replies) as fake:
        status, out, err = push([str(vault), "--url", fake.url])
    assert status == 2 and out == ""
    assert "AnkiConnect answered 'notesInfo' with \"{'not': 'a list'}\", not what its API" in err
    assert "nothing recorded" in err


def test_never_deletes_a_note_whose_type_is_not_mkdecks(make_vault):
    """A record naming a note of a note type that is not mkdeck's (a damaged or hand-edited
    record): the note is found where the record says, but never deleted."""
    from mkdeck.ankiconnect.record import PushRecord, RecordEntry, record_path, save_record

    vault = make_vault({"a.md": "TARGET DECK: Fake\n\n"})  # every card removed
    replies = {"version": OK_VERSION, "getActiveProfile": PROFILE,
               "notesInfo": {"result": [{"noteId": 42, "modelName": "Basic", "tags": [],
                                         "fields": {}, "cards": [43]}], "error": None}}
    with FakeAnkiConnect(replies) as fake:
        save_record(record_path(fake.url, "User 1", str(vault)), PushRecord(
            fake.url, "User 1", str(vault), {"g": RecordEntry(42, "Basic", "Fake", "0" * 16,
                                                              "by hand")}))
        status, out, err = push([str(vault), "--url", fake.url])
    assert status == 0, err
    assert out.endswith("0 moved, 0 deleted\n")
    assert [r["action"] for r in fake.requests][-1] == "notesInfo"  # found, not deleted
    assert "deleteNotes" not in [r["action"] for r in fake.requests]


NOTE = {"modelName": "Basic (mkdeck)", "tags": [], "cards": [5],
        "fields": {"Front": {"value": "front", "order": 0}, "Back": {"value": "back", "order": 1}}}


def _info(**changes: Any) -> dict[str, Any]:
    return {"result": [{**NOTE, **changes}], "error": None}


@pytest.mark.parametrize("replies, said", [
    ({"notesInfo": _info(fields="oops")}, "AnkiConnect answered 'notesInfo' with"),
    ({"notesInfo": _info(fields={"Front": None})}, "AnkiConnect answered 'notesInfo' with"),
    ({"notesInfo": _info(cards=["x"])}, "AnkiConnect answered 'notesInfo' with"),
    ({"notesInfo": _info(), "getDecks": {"result": {"Fake": ["q"]}, "error": None}},
     "AnkiConnect answered 'getDecks' with"),
    ({"notesInfo": _info(), "getDecks": {"result": {"Other": [5]}, "error": None},
      "changeDeck": {"result": None, "error": "deck was deleted"}},
     "AnkiConnect could not run 'changeDeck': deck was deleted"),
    ({"importPackage": {"result": False, "error": None}},
     "Anki did not import the package (no collection open)"),
])
def test_odd_replies_midway_are_an_exit_2_not_a_crash(make_vault, replies, said):
    """Replies of the wrong shape after the import (a traceback before the review), or an
    error midway: a message, exit 2, nothing recorded."""
    vault = make_vault(VAULT)
    base = {"version": OK_VERSION, "getActiveProfile": PROFILE,
            "importPackage": {"result": True, "error": None}}
    state = Path(os.environ["XDG_STATE_HOME"])
    before = state_files(state)
    with FakeAnkiConnect({**base, **replies}) as fake:
        status, out, err = push([str(vault), "--url", fake.url])
    assert status == 2 and out == ""
    assert f"mkdeck push: {said}" in err
    assert err.rstrip().endswith("mkdeck push: nothing recorded; the next push will do it again")
    assert state_files(state) == before
