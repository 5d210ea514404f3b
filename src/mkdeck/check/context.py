"""What a check rule may look at (:class:`CheckContext`), what the user asked for
(:class:`CheckOptions`) and what a check found (:class:`CheckResult`)."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from mkdeck.model import Diagnostic, Note, NoteFile, ParseResult, Severity
from mkdeck.report.findings import FileSummary
from mkdeck.vault.read import read_file

LOG = logging.getLogger(__name__)

_LINE_RE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n|$)")


@dataclass(frozen=True, slots=True)
class CheckOptions:
    """What the user asked ``check`` for.

    Attributes:
        verify: also verify the cards' claims on the running kernel (``--verify``).
        run_code: with ``verify``, also run code blocks marked ``verify`` (``--run-code``).
        jobs: processes for rendering and verification (``None``: each stage decides).
        select: code prefixes to report (empty: all).
        ignore: code prefixes not to report.
        config: ``--config FILE`` given to the loader, or ``None``.
        deck: ``--deck NAME`` given to the loader, or ``None``.
    """

    verify: bool = False
    run_code: bool = False
    jobs: int | None = None
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    config: str | Path | None = None
    deck: str | None = None


Loader = Callable[..., ParseResult]


@dataclass
class CheckContext:
    """What a rule may look at. Built once per run by :func:`run_checks`.

    Attributes:
        result: the parse of the paths the user named: ``result.vault`` holds every note file
            of the vault, ``result.notes`` the notes of the selected files.
        options: the :class:`CheckOptions`.
        loader: ``mkdeck.app.load.load`` (or ``None``: then :meth:`vault_result` parses
            nothing more and returns ``result``).
    """

    result: ParseResult
    options: CheckOptions = field(default_factory=CheckOptions)
    loader: Loader | None = None
    cache: dict[str, object] = field(default_factory=dict)
    """Stage results shared between rules of one run (the rendered notes)."""
    _full: ParseResult | None = None
    _raw: dict[str, list[str]] = field(default_factory=dict)
    _notes_by_path: dict[str, list[Note]] | None = None

    @property
    def selected(self) -> list[NoteFile]:
        """The note files the user named, in vault order."""
        return [f for f in self.result.vault.files if f.selected]

    def notes_in(self, path: str) -> list[Note]:
        """The parsed notes of the selected file ``path``, in document order."""
        if self._notes_by_path is None:
            by_path: dict[str, list[Note]] = {}
            for note in self.result.notes:
                by_path.setdefault(note.location.path, []).append(note)
            self._notes_by_path = by_path
        return self._notes_by_path.get(path, [])

    def vault_result(self) -> ParseResult:
        """The parse of the *whole* vault (every file selected), for rules that compare notes
        across files (duplicate ids). Parsed on first use, only when the user named a part
        of the vault; the same config and deck options apply."""
        if self._full is None:
            if all(f.selected for f in self.result.vault.files) or self.loader is None:
                self._full = self.result
            else:
                self._full = self.loader(
                    [self.result.vault.root], config=self.options.config,
                    deck=self.options.deck,
                )
        return self._full

    def raw_lines(self, path: str) -> list[str]:
        """The lines of note file ``path`` as stored on disk, each with its line terminator
        (``"\\r\\n"``, ``"\\r"``, ``"\\n"`` or none for a last line without one), decoded as
        UTF-8 with undecodable bytes replaced and a BOM dropped. Line ``n`` of the file is
        element ``n - 1``, as in :class:`~mkdeck.model.NoteFile`. Empty when the file cannot
        be read any more."""
        cached = self._raw.get(path)
        if cached is None:
            try:
                # through the vault reader, as when the note was first read
                vault = self.result.vault
                data, _ = read_file(vault.root, path, vault.config.max_note_size)
            except OSError as exc:
                LOG.debug("cannot re-read %s: %s", path, exc)
                data = b""
            text = data.decode("utf-8", errors="replace").removeprefix("\ufeff")
            cached = [m.group(0) for m in _LINE_RE.finditer(text)]
            if cached and cached[-1] == "":
                cached.pop()
            self._raw[path] = cached
        return cached


@dataclass(frozen=True, slots=True)
class CheckResult:
    """What a check found.

    Attributes:
        diagnostics: the reported findings, sorted (:func:`mkdeck.report.sorted_diagnostics`),
            vault-relative paths.
        files: every selected note file with its note count.
        vault_root: absolute path of the vault root.
    """

    diagnostics: tuple[Diagnostic, ...]
    files: tuple[FileSummary, ...]
    vault_root: str

    def exit_status(self, strict: bool = False) -> int:
        """0 when clean, 1 when a finding is an error (with ``strict``, a warning too)."""
        failing = {Severity.ERROR, Severity.WARNING} if strict else {Severity.ERROR}
        return 1 if any(d.severity in failing for d in self.diagnostics) else 0
