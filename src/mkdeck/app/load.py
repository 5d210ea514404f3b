"""The front of every command: PATHs → vault → config → parsed notes.

``load`` is what ``build``, ``dump``, ``verify`` and ``check`` call first.
"""

from __future__ import annotations

import contextlib
import dataclasses
import gc
import logging
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

from mkdeck.codes import INTERNAL_ERROR, register
from mkdeck.config import load_config
from mkdeck.config.notetypes import NoteTypeIndex
from mkdeck.model import (
    Config,
    Diagnostic,
    Note,
    NoteFile,
    PackedNoteFile,
    ParseResult,
    Severity,
    SourceLocation,
    Vault,
)
from mkdeck.parse import parse_file
from mkdeck.parse.regex_notes import RegexRunner
from mkdeck.vault import VaultError, find_root, read_notes, resolve_paths

LOG = logging.getLogger(__name__)

NO_CARDS = register(
    "MKD313",
    Severity.WARNING,
    "no card found",
    fix="Check that PATH is the vault (or notes) holding the cards, and that the blocks use "
    "the configured markers (START/END unless mkdeck.yaml's syntax says otherwise).",
    bad="# fork\n\nfork() duplicates the calling process.",
    good="# fork\n\nSTART\nBasic\nWhat does fork() do?\nBack: duplicates the calling process\n"
    "END",
)

ParseFn = Callable[[NoteFile, Config, NoteTypeIndex, RegexRunner],
                   tuple[list[Note], list[Diagnostic]]]

__all__ = ["VaultError", "gc_paused", "has_errors", "load"]


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector. Parsing builds hundreds of thousands of small
    long-lived objects and no reference cycles; the collector's repeated scans of them made
    ``load`` superlinear (CPU 12.1x for 10x the cards; 10.6x with the collector paused,
    benchmarks/bench_parse.py). Reference counting still frees everything as usual.

    ``mkdeck build`` keeps it paused through rendering, planning and writing too (issue 15:
    4% less CPU at 3,000 cards, the same peak RSS: the build makes no garbage cycles worth
    collecting); forked render workers inherit the pause."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def load(paths: Sequence[str | Path], *, config: str | Path | None = None,
         deck: str | None = None, parse: ParseFn | None = None,
         pack_texts: bool = False) -> ParseResult:
    """Read and parse a vault.

    Args:
        paths: a vault folder, a folder inside a vault, or one or more note files (all in one
            vault). The vault root is the nearest folder at or above the first PATH holding
            ``.obsidian/``, else the PATH (a file's folder).
        config: ``--config FILE`` to read instead of ``<root>/mkdeck.yaml``.
        deck: ``--deck NAME``: the default deck, above every config.
        parse: parses one file instead of :func:`mkdeck.parse.parse_file` (same signature;
            the incremental build's cached parser, :mod:`mkdeck.app.incremental`).
        pack_texts: once every file is parsed, keep each file's text deflated
            (:class:`~mkdeck.model.PackedNoteFile`, a third of the memory or less): for
            ``build``, which reads few texts again (embeds, links to headings); ``check``
            and ``verify`` read every one again and keep them plain.

    Returns:
        :class:`~mkdeck.model.ParseResult`: ``vault.files`` holds every note of the vault (for
        links), ``notes`` only the notes of the selected files, in path then document order;
        ``diagnostics`` are every vault, config and parse finding, sorted by file and line.

    Raises:
        VaultError: a PATH (or ``config``) is missing or unreadable, or the PATHs are not in
            one vault. Bad content never raises.
    """
    if isinstance(paths, (str, Path)):  # a lone path, not a sequence of characters
        paths = [paths]
    with gc_paused():
        return _load(paths, config, deck, parse or parse_file, pack_texts)


def _load(paths: Sequence[str | Path], config: str | Path | None,
          deck: str | None, parse: ParseFn, pack_texts: bool = False) -> ParseResult:
    resolved = resolve_paths(paths)
    root = find_root(resolved)
    cfg, diagnostics = load_config(root, config, deck)
    found = read_notes(root, resolved, cfg.ignore, cfg.scan_directory, cfg.max_note_size)
    diagnostics.extend(found.diagnostics)
    vault = Vault(root=str(root), name=root.name, files=found.files,
                  attachments=found.attachments, config=cfg, skipped=found.skipped,
                  leftovers=found.leftovers)
    index = NoteTypeIndex(cfg.note_types)
    regexes = RegexRunner(cfg, index)  # compiled once; a timeout in one file is seen by all
    notes: list[Note] = []
    for note_file in vault.files:
        if not note_file.selected:
            continue
        try:
            file_notes, file_diagnostics = parse(note_file, cfg, index, regexes)
        except Exception as exc:  # a bug in mkdeck must not stop the other files
            LOG.exception("parsing %s failed", note_file.path)
            diagnostics.append(INTERNAL_ERROR.at(
                SourceLocation(note_file.path, 0),
                f"mkdeck failed to parse {note_file.path} ({type(exc).__name__}: {exc}); this "
                f"is a bug in mkdeck, please report it with the file."))
            continue
        notes.extend(file_notes)
        diagnostics.extend(file_diagnostics)
    diagnostics.extend(regexes.diagnostics)
    diagnostics.sort(key=Diagnostic.sort_key)
    if pack_texts:
        vault = dataclasses.replace(vault, files=tuple(
            PackedNoteFile(f.path, f.text, f.mtime, f.selected) for f in vault.files))
    return ParseResult(vault=vault, notes=tuple(notes), diagnostics=tuple(diagnostics))


def has_errors(diagnostics: Sequence[Diagnostic]) -> bool:
    """``True`` when any diagnostic has error severity (exit status 1)."""
    return any(d.severity is Severity.ERROR for d in diagnostics)


def no_cards_diagnostics(result: ParseResult) -> list[Diagnostic]:
    """``[MKD313]`` when the whole vault was read and holds no card, else ``[]``.

    One function for ``build`` and ``check`` (its ``parse`` rule), so both report the same
    finding, at the vault itself (path ``"."``, which both show as the vault's path). Not
    when only some notes were named (pre-commit passes prose notes too), nor when an error
    already names a card that was lost (an unknown note type, a START without END).

    Args:
        result: what :func:`load` returned.

    Returns:
        A list of zero or one diagnostic.
    """
    vault = result.vault
    if result.notes or not all(f.selected for f in vault.files):
        return []
    if any(d.severity is Severity.ERROR for d in result.diagnostics):
        return []
    count = len(vault.files)
    what = (f"{count} note file{'s' if count != 1 else ''} without a card" if count
            else "no markdown note at all")
    syntax = vault.config.syntax
    return [NO_CARDS.at(SourceLocation(".", 0), (
        f"no card found in the vault {vault.root} ({what}): cards are "
        f"{syntax.start}…{syntax.end} blocks or {syntax.start_inline}…{syntax.end_inline} "
        f"lines "
        f"(mkdeck.yaml's `syntax` sets other markers); a package built from it is empty."))]
