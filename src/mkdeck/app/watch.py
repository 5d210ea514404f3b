"""The flow of ``mkdeck watch``: build, then rebuild after every batch of saves.

The watching itself is the ``watchfiles`` library (Rust ``notify``: inotify on Linux),
which groups the events of one save (an editor's temp file + rename) into one batch: a batch
ends after ``step`` ms without a new event, or after ``debounce`` ms in all. This module
decides which events matter (:class:`VaultFilter`), names a batch in a few words
(:func:`describe_changes`) and yields one :class:`Rebuild` per build (:func:`rebuilds`);
``mkdeck.cli.watch`` pushes (``--push``) and prints. Each rebuild is ``mkdeck build`` with
one :class:`mkdeck.app.session.BuildSession` kept for the whole watch: what the previous
rebuild parsed, rendered and planned stays in memory, so a save costs only what it changed
(issue 16), and the package is the bytes a cold build writes.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from watchfiles import Change, DefaultFilter, watch

LOG = logging.getLogger(__name__)

# What mkdeck itself writes into a vault (the sync state of issue 12, atomic-write temp
# files) or next to it, and what Obsidian rewrites all the time without a user edit.
STATE_FILE = ".mkdeck-state"
_OBSIDIAN_DIR = ".obsidian"
_PLUGIN_SETTINGS = ("plugins", "obsidian-to-anki-plugin", "data.json")


class VaultFilter(DefaultFilter):
    """watchfiles' default filter (VCS folders, editor swap and backup files), and also
    what the build never reads (``mkdeck.vault.read``'s walk): the output package, any
    ``.apkg`` and ``.tmp`` file, dot names (mkdeck's sync state, Obsidian's ``.trash/`` and
    ``.obsidian/``, except the Obsidian_to_Anki plugin's settings) and anything outside the
    vault. A path is judged by its real folder (:func:`real_path`): watchfiles follows
    symbolic links to folders, even to one above the vault (the watch then saw its own log
    and rebuilt forever), and names a file by the last link it found to its folder.

    Args:
        root: the vault root.
        output: the package being written (ignored wherever it is).
    """

    def __init__(self, root: str | os.PathLike[str], output: str | os.PathLike[str]) -> None:
        super().__init__()
        self.root = Path(root).resolve()
        self.output = Path(output).resolve()

    def __call__(self, change: Change, path: str) -> bool:
        """Whether the event ``(change, path)`` calls for a rebuild."""
        if not super().__call__(change, path):
            return False
        p = Path(real_path(path))
        if p == self.output or p.suffix in (".apkg", ".tmp") or p.name == STATE_FILE:
            return False
        try:
            rel = p.relative_to(self.root).parts
        except ValueError:
            return False
        if rel and rel[0] == _OBSIDIAN_DIR:
            return tuple(rel[1:]) == _PLUGIN_SETTINGS
        return not any(part.startswith(".") for part in rel)


def real_path(path: str) -> str:
    """``path`` with its folder's symbolic links resolved (the file itself may be gone)."""
    folder, name = os.path.split(path)
    return os.path.join(os.path.realpath(folder), name)


def describe_changes(changes: Iterable[tuple[Change, str]], root: str | os.PathLike[str],
                     known: set[str], limit: int = 3) -> str:
    """A batch of events in a few words, e.g. ``"a.md changed, b.md added (+2 more)"``:
    vault-relative paths, sorted, at most ``limit``.

    A file is "added" when it was not in ``known`` (the vault's files before the batch),
    "deleted" when it is gone, else "changed" (an editor that saves by renaming a temp file
    over the note gives an "added" event for a file that was there); a file that came and
    went within the batch (an editor's temp file) is not named. ``known`` is updated.
    """
    base = Path(root).resolve()
    seen: dict[str, set[Change]] = {}
    for change, path in changes:
        seen.setdefault(real_path(path), set()).add(change)
    words = []
    for path, kinds in seen.items():
        try:
            rel = Path(path).relative_to(base).as_posix()
        except ValueError:
            rel = path
        exists = os.path.exists(path)
        if exists:
            verb = "changed" if path in known else "added"
            known.add(path)
        elif path in known:
            verb = "deleted"
            known.discard(path)
        else:
            continue
        words.append(f"{rel} {verb}")
    words.sort()
    if not words:
        return "nothing changed"
    more = f" (+{len(words) - limit} more)" if len(words) > limit else ""
    return ", ".join(words[:limit]) + more


def vault_files(root: str | os.PathLike[str], keep: VaultFilter) -> set[str]:
    """The paths of the files under ``root`` that ``keep`` lets through (as events on them
    would be named)."""
    out = set()
    for folder, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if keep(Change.modified, os.path.join(folder, d))]
        for name in files:
            path = os.path.join(folder, name)
            if keep(Change.modified, path):
                out.add(path)
    return out


@dataclass(frozen=True, slots=True)
class Rebuild:
    """One build of the watch: ``when`` (``time.time()``), ``what`` changed (a few words),
    the build's ``outcome`` (``None`` when it failed), or the ``error`` that stopped it;
    ``last``: the vault folder is gone, the watch ends here."""

    when: float
    what: str
    outcome: Any = None
    error: str | None = None
    last: bool = False


def rebuilds(root: Path, out: Path, build: Callable[[], Any], *, step_ms: int = 300,
             stop: threading.Event | None = None) -> Iterator[Rebuild]:
    """Build once, then once after every batch of relevant saves under ``root``, forever
    (until ``stop`` is set, the caller stops iterating, or the vault folder is gone: a last
    :class:`Rebuild` with ``last=True`` says so; Ctrl-C raises ``KeyboardInterrupt`` here).

    Args:
        root: the vault root (absolute).
        out: the package the builds write (its own writes are ignored).
        build: runs one build and returns its ``BuildOutcome``; ``VaultError`` and
            ``OSError`` it raises become :attr:`Rebuild.error`, as does any other exception
            (logged): a broken note or a bug never ends the watch.
        step_ms: a batch ends after this long without a new event (the debounce).
    """
    from mkdeck.vault import VaultError

    keep = VaultFilter(root, out)
    known = vault_files(root, keep)

    def once(what: str) -> Rebuild:
        when = time.time()
        try:
            return Rebuild(when, what, build())
        except (VaultError, OSError) as exc:
            return Rebuild(when, what, error=f"build failed: {exc}")
        except Exception as exc:  # noqa: BLE001 - reported, and the watch goes on
            LOG.exception("build failed")
            return Rebuild(when, what, error=f"build failed ({type(exc).__name__}: {exc}); "
                                             f"please report it")

    gone = Rebuild(0.0, "the vault folder", error=(
        f"{root} is gone (moved, renamed or deleted): start mkdeck watch again on its new "
        f"place"), last=True)
    yield once("first build")
    try:
        for changes in watch(root, watch_filter=keep, step=step_ms,
                             debounce=max(1600, step_ms), stop_event=stop,
                             raise_interrupt=True):
            if not os.path.isdir(root):  # inotify goes on watching the folder where it went
                yield dataclasses.replace(gone, when=time.time())
                return
            yield once(describe_changes(changes, root, known))
    except FileNotFoundError:  # gone before the watching started
        yield dataclasses.replace(gone, when=time.time())
