"""``mkdeck watch``: a real process watching a real vault (inotify through watchfiles), real
file edits, real Ctrl-C (SIGINT); with ``--push``, the real Anki desktop and AnkiConnect."""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from anki_desktop import GROUP
from watchfiles import Change

from mkdeck.app.watch import VaultFilter, describe_changes, vault_files

# How long to wait for a line that must come, and for a line that must not: bounds, not
# measurements (the debounce is 100 ms; a rebuild of these vaults takes well under a second).
COME = 60.0
QUIET = 1.5


def card(front: str, back: str) -> str:
    return f"START\nBasic\n{front}\nBack: {back}\nEND\n\n"


class Watch:
    """``mkdeck watch`` in a child process; its stdout lines arrive in a queue."""

    def __init__(self, *args: str) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "mkdeck", "watch", *args, "--debounce", "100"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1"})
        self.lines: queue.Queue[str] = queue.Queue()
        self.err: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()
        threading.Thread(target=lambda: self.err.extend(self.proc.stderr), daemon=True).start()

    def _read(self) -> None:
        for line in self.proc.stdout:  # type: ignore[union-attr]
            self.lines.put(line.rstrip("\n"))

    def next_line(self) -> str:
        try:
            return self.lines.get(timeout=COME)
        except queue.Empty:
            raise AssertionError(f"no rebuild line within {COME} s; stderr: {self.err}")

    def no_line(self) -> None:
        """No further rebuild happens (within QUIET seconds)."""
        try:
            extra = self.lines.get(timeout=QUIET)
        except queue.Empty:
            return
        raise AssertionError(f"an extra rebuild: {extra!r}")

    def interrupt(self) -> tuple[int, str]:
        self.proc.send_signal(signal.SIGINT)
        status = self.proc.wait(timeout=COME)
        time.sleep(0.1)
        return status, "".join(self.err)

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


def save(path: Path, text: str) -> None:
    """Save like an editor, with an mtime 2 s past the previous one (mod times follow it)."""
    old = path.stat().st_mtime if path.exists() else 1_700_000_000
    path.write_text(text, encoding="utf-8")
    os.utime(path, (old + 2, old + 2))


def test_describe_changes(tmp_path):
    (tmp_path / "a.md").write_text("x")
    (tmp_path / "new.md").write_text("x")
    known = {str(tmp_path / "a.md"), str(tmp_path / "gone.md")}
    changes = {(Change.added, str(tmp_path / "a.md")),  # renamed over: a change
               (Change.added, str(tmp_path / "new.md")),
               (Change.deleted, str(tmp_path / "gone.md")),
               (Change.added, str(tmp_path / ".a.md.swx")),  # came and went
               (Change.deleted, str(tmp_path / ".a.md.swx"))}
    assert describe_changes(changes, tmp_path, known) == \
        "a.md changed, gone.md deleted, new.md added"
    assert known == {str(tmp_path / "a.md"), str(tmp_path / "new.md")}
    assert describe_changes(changes, tmp_path, known, limit=1) == "a.md changed (+1 more)"


def test_filter_ignores_what_mkdeck_and_obsidian_write(tmp_path):
    keep = VaultFilter(tmp_path, tmp_path / "out.apkg")
    yes = ["a.md", "img/x.png", "mkdeck.yaml",
           ".obsidian/plugins/obsidian-to-anki-plugin/data.json"]
    no = ["out.apkg", ".mkdeck-state", ".x.apkg.1a2b.tmp", ".obsidian/workspace.json",
          ".git/index", "a.md~", ".a.md.swp"]
    assert [p for p in yes if keep(Change.modified, str(tmp_path / p))] == yes
    assert [p for p in no if keep(Change.modified, str(tmp_path / p))] == []
    (tmp_path / ".obsidian").mkdir()
    (tmp_path / ".obsidian" / "workspace.json").write_text("{}")
    (tmp_path / "a.md").write_text("x")
    assert vault_files(tmp_path, keep) == {str(tmp_path / "a.md")}


def test_watch_rebuilds_once_per_save_survives_errors_stops_on_ctrl_c(make_vault, tmp_path):
    vault = make_vault({"a.md": "TARGET DECK: W\n\n" + card("q1", "a1")}, mtime=1_700_000_000)
    out = tmp_path / "w.apkg"
    w = Watch(str(vault), "-o", str(out))
    try:
        first = w.next_line()
        assert first.endswith("first build: w.apkg: 1 note, 1 card, 1 deck, 0 media files "
                              "(0 errors, 0 warnings)"), first
        w.no_line()
        save(vault / "a.md", "TARGET DECK: W\n\n" + card("q1", "a1") + card("q2", "a2"))
        line = w.next_line()
        assert line.endswith("a.md changed: w.apkg: 2 notes, 2 cards, 1 deck, 0 media files "
                             "(0 errors, 0 warnings)"), line
        w.no_line()
        # an error in a note: reported, the watch goes on
        save(vault / "a.md", "TARGET DECK: W\n\n" + card("q1", "a1") + "START\nBasic\nEND\n")
        line = w.next_line()
        assert "a.md changed: w.apkg: 1 note, 1 card, 1 deck" in line and "1 error" in line
        w.no_line()
        save(vault / "b.md", card("q3", "a3"))
        line = w.next_line()
        assert "b.md added: w.apkg: 2 notes" in line and "1 error" in line, line
        (vault / "b.md").unlink()
        line = w.next_line()
        assert "b.md deleted: w.apkg: " in line, line  # (with a sync state: a tombstone)
        w.no_line()
        status, err = w.interrupt()
    finally:
        w.kill()
    assert status == 0
    assert err.count("a.md:9: MKD113") == 1  # each finding shown once, not per rebuild
    assert err.rstrip().endswith("mkdeck watch: stopped")
    assert "Traceback" not in err
    assert not list(vault.glob(".*.tmp")) and not list(tmp_path.glob(".*.tmp"))


@GROUP
def test_watch_push_pushes_each_rebuild_once(anki_desktop, make_vault, tmp_path):
    anki = anki_desktop
    vault = make_vault({"p.md": "TARGET DECK: W2\n\n" + card("wq1", "one")},
                       mtime=1_700_000_000)
    w = Watch(str(vault), "-o", str(tmp_path / "p.apkg"), "--push", "--url", anki.url)
    try:
        line = w.next_line()
        assert line.endswith(f"first build: p.apkg: 1 note, 1 card, 1 deck, 0 media files "
                             f"(0 errors, 0 warnings); pushed to {anki.url} (profile test): "
                             f"1 added, 0 updated, 0 unchanged, 0 moved, 0 deleted"), line
        w.no_line()
        save(vault / "p.md", "TARGET DECK: W2\n\n" + card("wq1", "two"))
        line = w.next_line()
        assert line.endswith("1 note, 1 card, 1 deck, 0 media files (0 errors, 0 warnings); "
                             f"pushed to {anki.url} (profile test): 0 added, 1 updated, "
                             f"0 unchanged, 0 moved, 0 deleted"), line
        w.no_line()
        notes = anki.notes('"deck:W2"')
        assert [n["fields"]["Back"]["value"] for n in notes] == ["two"]
        save(vault / "p.md", "TARGET DECK: W2::Moved\n\n" + card("wq1", "two"))
        line = w.next_line()
        assert line.endswith("0 added, 0 updated, 1 unchanged, 1 moved, 0 deleted"), line
        w.no_line()
        assert [sorted(n["decks"].values()) for n in anki.notes('"deck:W2"')] == [["W2::Moved"]]
        status, err = w.interrupt()
    finally:
        w.kill()
    assert status == 0 and "Traceback" not in err


def test_filter_ignores_what_the_build_never_reads(tmp_path):
    """Events outside the vault (through a symbolic link to a folder above it) or in a dot
    folder (Obsidian's .trash; the build skips dot names) call for no rebuild."""
    vault = tmp_path / "vault"
    (vault / "real").mkdir(parents=True)
    (vault / "up").symlink_to("..")
    (vault / "again").symlink_to("real")
    (vault / "real" / "a.md").write_text("x")
    keep = VaultFilter(vault, tmp_path / "out.apkg")
    assert keep(Change.modified, str(vault / "real" / "a.md"))
    assert not keep(Change.added, str(vault / "up" / "notes.txt"))
    # the vault's own files, named through a link (watchfiles names a folder by the last
    # link to it that it found): judged by their real folder
    assert keep(Change.modified, str(vault / "up" / "vault" / "real" / "a.md"))
    assert keep(Change.modified, str(vault / "again" / "a.md"))
    assert not keep(Change.modified, str(vault / "up" / "vault" / ".trash" / "a.md"))
    assert describe_changes({(Change.modified, str(vault / "up" / "vault" / "real" / "a.md"))},
                            vault, {str(vault / "real" / "a.md")}) == "real/a.md changed"
    assert not keep(Change.added, str(vault / ".trash" / "a.md"))
    assert keep(Change.modified, str(vault / ".obsidian" / "plugins" / "obsidian-to-anki-plugin"
                                     / "data.json"))


def test_watch_a_link_out_of_the_vault_gives_no_rebuild_loop(make_vault, tmp_path):
    """A symbolic link in the vault to a folder above it: the watch saw files outside the
    vault (its own log among them), and rebuilt forever (found by review)."""
    vault = make_vault({"a.md": "TARGET DECK: W3\n\n" + card("q1", "a1")}, mtime=1_700_000_000)
    (vault / "up").symlink_to("..")
    w = Watch(str(vault), "-o", str(tmp_path / "w.apkg"))
    try:
        assert "first build" in w.next_line()
        w.no_line()
        (tmp_path / "outside.txt").write_text("not a note")
        w.no_line()
        save(vault / "a.md", "TARGET DECK: W3\n\n" + card("q1", "a2"))
        assert w.next_line().endswith("a.md changed: w.apkg: 1 note, 1 card, 1 deck, 0 media "
                                      "files (0 errors, 0 warnings)")
        w.no_line()
        status, err = w.interrupt()
    finally:
        w.kill()
    assert status == 0 and "Traceback" not in err


@GROUP
def test_watch_push_never_deletes_a_note_that_is_away_for_a_moment(anki_desktop, make_vault,
                                                                   tmp_path):
    """``git stash`` (or a branch switch, or a sync client replacing a file) takes a note file
    away for a moment: watch --push deleted its notes in Anki, reviews included, and the file's
    return made new notes (found by review). Watch leaves deletions to ``mkdeck push``."""
    import io

    from mkdeck.cli import main

    anki = anki_desktop
    text = "TARGET DECK: W5\n\n" + card("wq5", "five")
    vault = make_vault({"s.md": text, "t.md": "TARGET DECK: W5\n\n" + card("wq6", "six")},
                       mtime=1_700_000_000)
    w = Watch(str(vault), "-o", str(tmp_path / "s.apkg"), "--push", "--url", anki.url)
    try:
        assert w.next_line().endswith("2 added, 0 updated, 0 unchanged, 0 moved, 0 deleted")
        w.no_line()
        (first,) = [n for n in anki.notes('"deck:W5"') if n["fields"]["Front"]["value"] == "wq5"]
        (vault / "s.md").unlink()  # git stash
        line = w.next_line()
        assert line.endswith("0 added, 0 updated, 1 unchanged, 0 moved, 0 deleted"), line
        w.no_line()
        assert first["noteId"] in [n["noteId"] for n in anki.notes('"deck:W5"')]
        save(vault / "s.md", text)  # git stash pop
        line = w.next_line()
        assert line.endswith("0 added, 0 updated, 2 unchanged, 0 moved, 0 deleted"), line
        w.no_line()
        (vault / "s.md").unlink()  # for good, this time
        assert w.next_line().endswith("0 deleted")
        status, err = w.interrupt()
    finally:
        w.kill()
    assert status == 0 and "Traceback" not in err
    assert ("mkdeck watch: 1 note removed from the vault is not deleted in Anki by watch (a "
            "file may be away for a moment: git checkout, a sync); `mkdeck push` deletes it") \
        in err
    out, errs = io.StringIO(), io.StringIO()
    assert main(["push", str(vault), "--url", anki.url], stdout=out, stderr=errs) == 0
    assert out.getvalue().endswith("1 deleted\n")
    assert [n["fields"]["Front"]["value"] for n in anki.notes('"deck:W5"')] == ["wq6"]


def test_watch_stops_when_the_vault_folder_goes(make_vault, tmp_path):
    """Obsidian renames a vault by renaming its folder: the watch said "build failed" once,
    then watched nothing, forever (found by review). It now says so and stops."""
    vault = make_vault({"a.md": "TARGET DECK: W7\n\n" + card("q1", "a1")}, mtime=1_700_000_000)
    w = Watch(str(vault), "-o", str(tmp_path / "w.apkg"))
    try:
        assert "first build" in w.next_line()
        w.no_line()  # (the watching has started)
        vault.rename(tmp_path / "renamed")
        line = w.next_line()
        assert line.endswith(f"{vault} is gone (moved, renamed or deleted): start mkdeck watch "
                             f"again on its new place"), line
        status = w.proc.wait(timeout=COME)
    finally:
        w.kill()
    assert status == 2 and "Traceback" not in "".join(w.err)
