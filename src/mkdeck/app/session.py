"""A warm build session: what ``mkdeck watch`` keeps in memory between rebuilds of one vault.

A cold ``mkdeck build`` starts a process, imports mkdeck and its libraries, reads the
incremental caches from disk (:mod:`mkdeck.app.incremental`), decodes the vault's sync state
and plans every note again. A process that builds the same vault again and again keeps all
of that instead, in a :class:`BuildSession` handed to :func:`mkdeck.app.build.build`:

* the code stamp (the code this process runs does not change under it);
* the parse and render caches as the very objects the last build made
  (:meth:`~mkdeck.app.incremental.IncrementalCache.carry`): an unchanged file gives the same
  notes, an unchanged note the same rendering, without unpickling;
* per-note planning and sync results (:class:`~mkdeck.export.memo.PlanMemo`), for the very
  same rendered notes;
* the sync state as the last build read or wrote it, used while the file's ``stat``
  (device, inode, size, mtime and ctime in ns: as the build cache's fingerprint, no tool can
  set ctime back) is the one seen then; otherwise the file is read again.

Every entry is keyed as the on-disk caches are (file texts, note contents, config, code), so a
warm rebuild writes the bytes a cold build writes (``tests/test_incremental.py`` proves it over
random edit sequences).
"""

from __future__ import annotations

import logging
import os
import stat
import time
from collections.abc import Callable, Mapping
from pathlib import Path

from mkdeck.app.incremental import IncrementalCache
from mkdeck.export.memo import PlanMemo
from mkdeck.export.state import STATE_FILE, StateEntry, StateRead, SyncState
from mkdeck.export.sync import SyncReport

LOG = logging.getLogger(__name__)

SAVE_EVERY = 30.0
"""Seconds between two writes of the incremental cache file by one session."""


def _signature(root: str | Path) -> tuple[int, ...] | None:
    """``(st_dev, st_ino, st_size, st_mtime_ns, st_ctime_ns)`` of the state file, ``None``
    when it is missing or not a regular file (then it is always read anew)."""
    try:
        st = os.stat(os.path.join(root, STATE_FILE), follow_symlinks=False)
    except OSError:
        return None
    if not stat.S_ISREG(st.st_mode):
        return None
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)


class BuildSession:
    """Memory of the previous build of one vault in this process (see the module's doc).

    Use: make one per watched vault, pass it as ``build(..., session=session)`` to every
    build (it is only read and updated by :func:`mkdeck.app.build.build`), and
    :meth:`close` it at the end. Not thread-safe.

    Attributes:
        builds: how many builds used it.
        memo: per-note planning results (:class:`~mkdeck.export.memo.PlanMemo`).
    """

    def __init__(self) -> None:
        self.builds = 0
        self.memo = PlanMemo()
        self._stamp: str | None = None
        self._cache: IncrementalCache | None = None
        self._root: str | None = None
        self._state: tuple[tuple[int, ...], StateRead] | None = None
        self._saved: float | None = None
        self._unsaved: IncrementalCache | None = None

    def code_stamp(self, compute: Callable[[], str]) -> str:
        """``compute()`` (:func:`mkdeck.app.build.code_stamp`) the first time, then the same
        string: the code this process runs does not change under it."""
        if self._stamp is None:
            self._stamp = compute()
        return self._stamp

    def open_cache(self, root: str | Path, stamp: str,
                   environ: Mapping[str, str]) -> IncrementalCache:
        """The incremental cache for a build of ``root`` by the code ``stamp``: the last
        build's, carried over in memory, or (first build, another root) the one on disk."""
        self.builds += 1
        if self._cache is not None and self._root == str(root):
            return self._cache.carry()
        self.close()  # another vault: the last one's work goes to disk first
        self._state = None
        return IncrementalCache.open(root, stamp, environ)

    def built(self, root: str | Path, cache: IncrementalCache) -> None:
        """Keep ``cache`` (parsed and rendered by the build of ``root`` under way) for the
        next build; write it to disk (for the next process) when the last write is
        :data:`SAVE_EVERY` seconds old: rewriting the whole file (21 MB at 10,000 notes)
        after every save of a note was a tenth of a warm rebuild's time."""
        self._cache, self._root = cache, str(root)
        now = time.monotonic()
        if self._saved is None or now - self._saved >= SAVE_EVERY:
            cache.save(force=self._unsaved is not None)
            self._saved = now
            self._unsaved = None
        else:
            self._unsaved = cache

    def close(self) -> None:
        """Write what the last build parsed and rendered to disk, if not yet written (the
        end of a watch). Never raises (:meth:`IncrementalCache.save`)."""
        if self._unsaved is not None:
            self._unsaved.save(force=True)
            self._unsaved = None

    def state_read(self, root: str | Path) -> StateRead | None:
        """The sync state as the last build of ``root`` read or wrote it, while the file is
        unchanged since; ``None``: read it from the file."""
        kept = self._state
        if kept is None or self._root != str(root) or kept[0] != _signature(root):
            self._state = None
            return None
        return kept[1]

    def state_written(self, root: str | Path, report: SyncReport | None) -> None:
        """Remember the state the build left in ``root`` (``report``: what it kept, with
        ``written``; ``None``: nothing is known of the file, read it next time)."""
        signature = _signature(root) if report is not None else None
        if report is None or signature is None:
            self._state = None
            return
        state = report.state
        old = state.lines or {}
        if report.written or len(old) != len(state.entries):
            # the lines the file holds now, for the next write (changed notes are encoded)
            lines: dict[str, tuple[StateEntry, str]] = {}
            for e in state.entries:
                got = old.get(e.guid)
                keep = got is not None and (got[0] is e or got[0] == e)
                lines[e.guid] = got if got is not None and keep else (e, e.to_json())
            state = SyncState(state.entries, lines)
        self._state = (signature, StateRead(report.path, state))
