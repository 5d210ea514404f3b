"""The real Anki desktop app with the real AnkiConnect add-on, headless, for the push and
watch tests.

``shared/anki-connect/`` (``../shared`` next to the repository or next to one of its parent
folders; for a git worktree, next to the main worktree) holds the add-on's source (GPL-3, used
by the tests only, never copied into mkdeck) and ``run-anki``, which makes a throwaway profile,
installs the add-on and starts Anki with Qt's offscreen platform. Anki itself runs under this
interpreter: the ``test`` extra installs ``aqt`` (Anki desktop, the same version as ``anki``).
``MKDECK_ANKI_CONNECT_DIR`` overrides the folder. Tests using :func:`anki_desktop` skip, saying
so, only when the folder is absent.

One Anki per pytest worker: the fixture is session-scoped, and the tests that use it carry
``pytest.mark.xdist_group("anki-desktop")`` so ``--dist loadgroup`` keeps them on one worker.
Each test uses its own decks and vault, so they share the collection without meeting.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import tempfile
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[1]
GROUP = pytest.mark.xdist_group("anki-desktop")


def _main_worktree(repo: Path) -> Path:
    """The main worktree of the repository at ``repo`` (``repo`` itself unless it is a
    linked worktree, whose ``.git`` file names ``…/.git/worktrees/NAME``)."""
    dot_git = repo / ".git"
    if dot_git.is_file():
        text = dot_git.read_text(encoding="utf-8", errors="replace").strip()
        if text.startswith("gitdir:"):
            gitdir = (repo / text.split(":", 1)[1].strip()).resolve()
            common = gitdir / "commondir"
            if common.is_file():
                return (gitdir / common.read_text().strip()).resolve().parent
    return repo


def anki_connect_dir() -> Path:
    """``$MKDECK_ANKI_CONNECT_DIR``, else the nearest ``shared/anki-connect`` beside the
    repository or one of its parent folders (``../shared/anki-connect`` first; the main
    worktree's when the repository is a linked worktree; a clone made one folder deeper, as CI
    may, still finds it). Returns the first candidate when none exists (the fixture skips)."""
    env = os.environ.get("MKDECK_ANKI_CONNECT_DIR")
    if env:
        return Path(env)
    candidates = [folder / "shared" / "anki-connect"
                  for start in (REPO, _main_worktree(REPO)) for folder in start.parents]
    return next((c for c in candidates if (c / "run-anki").is_file()), candidates[0])


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class AnkiDesktop:
    """A running Anki: its AnkiConnect ``url``, base folder, and the runner to stop it."""

    url: str
    base: Path
    runner: Path
    port: int

    def call(self, action: str, **params: Any) -> Any:
        """One AnkiConnect action; its result (an error fails the test)."""
        body = json.dumps({"action": action, "version": 6, "params": params}).encode()
        req = urllib.request.Request(self.url, data=body, method="POST")
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        with opener.open(req, timeout=60) as resp:
            reply = json.loads(resp.read())
        assert reply["error"] is None, (action, reply)
        return reply["result"]

    def start(self) -> None:
        """Start Anki (again) on the same base folder and port."""
        r = subprocess.run(
            [sys.executable, str(self.runner), "start", str(self.base), "--python",
             os.path.abspath(sys.executable), "--port", str(self.port), "--display",
             "offscreen", "--timeout", "120"],
            capture_output=True, text=True, timeout=180)
        if r.returncode != 0:
            raise RuntimeError(f"run-anki start failed:\n{r.stdout}\n{r.stderr}")

    def stop(self) -> None:
        """Stop Anki (SIGTERM: it closes the collection cleanly)."""
        subprocess.run([sys.executable, str(self.runner), "stop", str(self.base)],
                       capture_output=True, text=True, timeout=60)

    def notes(self, query: str) -> list[dict[str, Any]]:
        """``notesInfo`` of the notes ``query`` finds, with each card's deck added as
        ``decks`` (card id -> deck name)."""
        ids = self.call("findNotes", query=query)
        infos = self.call("notesInfo", notes=ids)
        cards = [c for info in infos for c in info["cards"]]
        deck_of = {}
        if cards:
            for deck, cids in self.call("getDecks", cards=cards).items():
                for c in cids:
                    deck_of[c] = deck
        for info in infos:
            info["decks"] = {c: deck_of[c] for c in info["cards"]}
        return infos


@pytest.fixture(scope="session")
def anki_desktop(tmp_path_factory: pytest.TempPathFactory):
    """A real Anki with AnkiConnect, started once per session (per xdist worker) on a free
    port, stopped at the end. Skips only when ``../shared/anki-connect`` is absent."""
    folder = anki_connect_dir()
    runner = folder / "run-anki"
    if not runner.is_file():
        pytest.skip(f"{folder} is absent (AnkiConnect add-on and run-anki): the tests against "
                    f"a real Anki desktop need it; set MKDECK_ANKI_CONNECT_DIR")
    port = free_port()
    # a base folder never used before (also with a fixed --basetemp): Anki's single-instance
    # key is derived from it, and an Anki left running by a killed test run must not answer
    base = Path(tempfile.mkdtemp(prefix="anki-base-", dir=tmp_path_factory.getbasetemp()))
    anki = AnkiDesktop(f"http://127.0.0.1:{port}", base, runner, port)
    anki.start()
    try:
        yield anki
    finally:
        anki.stop()
