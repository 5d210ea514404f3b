"""Reading a vault from disk: its root, its markdown notes (decoded once) and its attachments.

The vault root is the nearest folder at or above PATH that holds ``.obsidian/`` (Obsidian's
own marker of a vault), else PATH itself (for a file PATH: its folder). Every ``.md`` under the
root is read, in sorted order, so links and embeds resolve across the whole vault; the files
under PATH (or the files named) are marked ``selected``: cards come only from those.
Dot-folders (``.obsidian/``, ``.trash/``, ``.git/``) and the config's ``ignore`` globs are
skipped, as Obsidian skips dot-folders.

Decoding: UTF-8, a BOM dropped, CRLF and CR turned into LF (so line ``n`` of the text is line
``n`` on disk); undecodable bytes become U+FFFD and a diagnostic, never an exception.

The package's other modules: :mod:`~mkdeck.vault.links` (the link index and Obsidian's
resolution of ``[[links]]``) and :mod:`~mkdeck.vault.embeds` (offline embed expansion).
"""

from __future__ import annotations

import logging
import os
import re
import stat
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from mkdeck.vault import read as vault_read
from mkdeck.codes import register
from mkdeck.model import Diagnostic, NoteFile, Severity, SourceLocation
from mkdeck.vault.read import DEFAULT_NOTE_LIMIT

LOG = logging.getLogger(__name__)

OBSIDIAN_DIR = ".obsidian"

NOT_UTF8 = register(
    "MKD010", Severity.WARNING, "note is not valid UTF-8",
    fix="Re-save the note as UTF-8 (Obsidian always writes UTF-8); the undecodable bytes "
        "were read as U+FFFD.",
)
UNREADABLE_NOTE = register(
    "MKD011", Severity.ERROR, "note cannot be read",
    fix="Make the file readable (check its permissions) or add it to `ignore:` in mkdeck.yaml.",
)
IGNORED_BY_CONFIG = register(
    "MKD013", Severity.INFO, "note named on the command line is ignored by config",
    fix="Remove the note from `ignore:` in mkdeck.yaml (or the plugin's ignored file globs) "
        "if its cards should be read.",
)
NOT_MARKDOWN = register(
    "MKD012", Severity.WARNING, "file named on the command line is not a markdown note",
    fix="Pass `.md` notes or a folder; other files are attachments, not notes.",
)


class VaultError(OSError):
    """A PATH given to mkdeck is missing, unreadable or not inside one vault (the CLI exits 2).

    Bad *content* never raises: it becomes a :class:`~mkdeck.model.Diagnostic`."""


@dataclass(frozen=True, slots=True)
class VaultFiles:
    """What :func:`read_notes` found.

    Attributes:
        files: every markdown note, sorted by vault-relative path.
        attachments: vault-relative paths of every other file, sorted.
        diagnostics: decoding and reading problems.
        skipped: notes that exist but were not read (each has a finding).
        leftovers: mkdeck's own temporary files left by a killed run.
    """

    files: tuple[NoteFile, ...]
    attachments: tuple[str, ...]
    diagnostics: tuple[Diagnostic, ...]
    skipped: tuple[str, ...] = ()
    leftovers: tuple[str, ...] = ()


def find_root(paths: Sequence[Path]) -> Path:
    """The vault root for ``paths`` (absolute, existing).

    The nearest folder at or above the first path holding ``.obsidian/`` (Obsidian's vault
    marker); else the nearest one holding ``mkdeck.yaml``, looking no higher than the top of
    the git repository the path is in (vault repositories often do not commit ``.obsidian/``,
    and pre-commit passes note files, whose config must still be found); else the common folder
    of the paths (a folder PATH itself, a file PATH's folder).

    Raises:
        VaultError: when a path lies outside the root found for the first one.
    """
    folders = [p if p.is_dir() else p.parent for p in paths]
    upward = (folders[0], *folders[0].parents)
    root: Path | None = next((c for c in upward if (c / OBSIDIAN_DIR).is_dir()), None)
    if root is None:
        for candidate in upward:
            if (candidate / "mkdeck.yaml").is_file():
                root = candidate
                break
            if (candidate / ".git").exists():
                break
    if root is None:
        root = Path(os.path.commonpath([str(f) for f in folders]))
    for p in paths:
        if p != root and root not in p.parents:
            raise VaultError(f"{p} is not inside the vault {root} (the folder with .obsidian/)")
    return root


def resolve_paths(paths: Sequence[str | Path]) -> list[Path]:
    """Absolute, symlink-resolved paths; each must exist and be readable.

    Raises:
        VaultError: when ``paths`` is empty or a path is missing or unreadable.
    """
    if not paths:
        raise VaultError("no PATH given")
    out = []
    for raw in paths:
        p = Path(raw).expanduser()
        try:
            st = p.stat()
        except FileNotFoundError:
            raise VaultError(f"{raw}: no such file or folder") from None
        except OSError as exc:
            raise VaultError(f"{raw}: {exc.strerror or exc}") from None
        if stat.S_ISDIR(st.st_mode):
            if not os.access(p, os.R_OK | os.X_OK):
                raise VaultError(f"{raw}: folder is not readable")
        elif not os.access(p, os.R_OK):
            raise VaultError(f"{raw}: file is not readable")
        if stat.S_ISDIR(st.st_mode):
            out.append(p.resolve())
        else:
            # a note named on the command line that is a symbolic link stays a file of the
            # folder it is in: the vault reader decides whether its target may be read
            out.append(p.absolute().parent.resolve() / p.name)
    return out


def _glob_body(pattern: str) -> str:
    """The regex text of a vault-relative glob: ``**`` spans folders, ``*``/``?`` stay in one
    name, ``[...]`` is a character class (``[!...]`` negated; a ``]`` right after ``[`` or
    ``[!`` belongs to the class, so ``[]`` is the literal text, as in :mod:`fnmatch`); a
    pattern without ``/`` also matches a bare file name. The text may still be an invalid
    regex (``[z-a]``)."""
    out = []
    i = 0
    n = len(pattern)
    while i < n:
        c = pattern[i]
        if pattern.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif pattern.startswith("**", i):
            out.append(".*")
            i += 2
        elif c == "*":
            out.append("[^/]*")
            i += 1
        elif c == "?":
            out.append("[^/]")
            i += 1
        elif c == "[":
            k = i + 1
            if k < n and pattern[k] == "!":
                k += 1
            if k < n and pattern[k] == "]":
                k += 1
            j = pattern.find("]", k)
            if j == -1:
                out.append(re.escape(c))
                i += 1
            else:
                body = pattern[i + 1:j]
                negate = body.startswith("!")
                if negate:
                    body = body[1:]
                body = body.replace("\\", "\\\\").replace("[", "\\[").replace("^", "\\^")
                body = body.replace("]", "\\]", 1) if body.startswith("]") else body
                out.append(f"[{'^' if negate else ''}{body}]")
                i = j + 1
        else:
            out.append(re.escape(c))
            i += 1
    body = "".join(out)
    if "/" not in pattern.strip("/"):
        body = "(?:.*/)?" + body.lstrip("/")
    return body.lstrip("/") + "(?:/.*)?"


@lru_cache(maxsize=256)
def _glob_regex(pattern: str) -> re.Pattern[str]:
    """The compiled :func:`_glob_body`; a pattern that is no valid regex (reported when the
    config was read, see :func:`glob_problem`) matches only its own literal text."""
    try:
        return re.compile(_glob_body(pattern))
    except re.error:
        return re.compile(re.escape(pattern.strip("/")) + "(?:/.*)?")


def glob_problem(pattern: str) -> str | None:
    """Why ``pattern`` is not a usable ignore glob, or ``None`` when it is: empty, holding a NUL
    or a lone surrogate, an empty class ``[]`` (read as the literal text ``[]``), or a class
    that is no valid range (``[z-a]``)."""
    if not pattern.strip():
        return "an empty pattern ignores nothing"
    if "\x00" in pattern:
        return "a pattern cannot hold a NUL character"
    try:
        pattern.encode("utf-8")
    except UnicodeEncodeError:
        return "it holds a lone surrogate, which is not valid Unicode"
    if re.search(r"\[!?\](?![^\[]*\])", pattern):
        return ("`[]` is an empty character class: it is read as the literal text `[]`; "
                "write `[[]` for a literal `[`, or `[ab]` for a class")
    try:
        re.compile(_glob_body(pattern))
    except re.error as exc:
        return f"it is not a valid glob ({exc.msg}); it matches only its own literal text"
    return None


def is_ignored(rel_path: str, patterns: Iterable[str]) -> bool:
    """``True`` when the vault-relative POSIX path matches one of the glob ``patterns``
    (a pattern naming a folder ignores everything under it)."""
    return any(_glob_regex(p).fullmatch(rel_path) for p in patterns if p)


def decode_note(data: bytes, rel_path: str) -> tuple[str, list[Diagnostic]]:
    """Decode a note's bytes: UTF-8, BOM dropped, CRLF/CR → LF.

    Returns:
        ``(text, diagnostics)``; undecodable bytes become U+FFFD with one :data:`NOT_UTF8`
        diagnostic at the line of the first bad byte.
    """
    diagnostics: list[Diagnostic] = []
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        text = data.decode("utf-8", errors="replace")
        head = _normalize_newlines(data[: exc.start].decode("utf-8", errors="replace"))
        line = head.count("\n") + 1
        bad = len([c for c in text if c == "\ufffd"]) - head.count("\ufffd")
        diagnostics.append(NOT_UTF8.at(
            SourceLocation(rel_path, line),
            f"{rel_path} is not valid UTF-8 (byte 0x{data[exc.start]:02x} at line {line}; "
            f"{bad} undecodable character(s) read as U+FFFD): re-save the note as UTF-8.",
        ))
    return _normalize_newlines(text), diagnostics


def _normalize_newlines(text: str) -> str:
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text


def read_notes(root: Path, selection: Sequence[Path], ignore: Sequence[str] = (),
               scan_directory: str = "", max_note_size: int = DEFAULT_NOTE_LIMIT) -> VaultFiles:
    """Read every note of the vault at ``root``, through :mod:`mkdeck.vault.read` (regular
    files inside the vault, at most ``max_note_size`` bytes, opened without blocking).

    Args:
        root: the vault root (absolute).
        selection: the PATHs given (absolute, inside ``root``): folders select every note under
            them, files select themselves.
        ignore: vault-relative glob patterns of files to skip entirely.
        scan_directory: vault-relative folder (the plugin's ``Defaults."Scan Directory"``):
            a folder PATH selects only the notes under it; a file named on the command line is
            selected anyway, as the plugin syncs a file it is asked to sync. ``""``: no limit.
        max_note_size: the most bytes read from one note (``max_note_size`` in mkdeck.yaml).

    Returns:
        :class:`VaultFiles`. A note that cannot or must not be read is left out with one
        finding (:data:`UNREADABLE_NOTE`, or a refusal of :mod:`mkdeck.vault.read`) and listed
        in ``skipped``.

    Raises:
        VaultError: when a file named in ``selection`` cannot be opened.
    """
    found = vault_read.walk(root)
    notes, others = found.notes, found.others
    selected_dirs: list[str] = []
    selected_files: set[str] = set()
    diagnostics: list[Diagnostic] = list(found.diagnostics)
    for rel in found.leftovers:
        diagnostics.append(vault_read.LEFTOVER_TEMP.at(
            SourceLocation(rel, 0),
            f"{rel} is a temporary copy left by an mkdeck process that was killed while "
            f"writing; `mkdeck ids` removes it (or delete it)."))
    for p in selection:
        rel = "." if p == root else p.relative_to(root).as_posix()
        if p.is_dir():
            selected_dirs.append("" if rel == "." else rel + "/")
        elif rel.lower().endswith(".md"):
            selected_files.add(rel)
            if rel not in notes and not any(part.startswith(".") for part in rel.split("/")):
                notes.append(rel)
        else:
            diagnostics.append(NOT_MARKDOWN.at(
                SourceLocation(rel, 0),
                f"{rel} is not a markdown note (.md), so no cards are read from it.",
            ))
    # Files named explicitly inside dot-folders are read too (the user asked for them).
    for rel in selected_files:
        if rel not in notes:
            notes.append(rel)
    notes.sort()

    files: list[NoteFile] = []
    skipped: list[str] = []
    for rel in notes:
        if ignore and is_ignored(rel, ignore):
            if rel in selected_files:
                diagnostics.append(IGNORED_BY_CONFIG.at(
                    SourceLocation(rel, 0),
                    f"{rel} matches an ignore pattern of the config, so its cards are not read."))
            continue
        selected = rel in selected_files or (
            any(rel.startswith(d) for d in selected_dirs)
            and (not scan_directory or rel.startswith(scan_directory.rstrip("/") + "/")))
        try:
            data, st = vault_read.read_file(root, rel, max_note_size)
        except vault_read.Refused as refused:
            diagnostics.append(refused.at(SourceLocation(rel, 0)))
            skipped.append(rel)
            continue
        except OSError as exc:
            if rel in selected_files:
                raise VaultError(f"{root / rel}: {exc.strerror or exc}") from None
            diagnostics.append(UNREADABLE_NOTE.at(
                SourceLocation(rel, 0), vault_read.unreadable_message(root, rel, exc)))
            skipped.append(rel)
            continue
        text, diags = decode_note(data, rel)
        diagnostics.extend(diags)
        files.append(NoteFile(path=rel, text=text, mtime=int(st.st_mtime), selected=selected))
    attachments = tuple(a for a in others if not (ignore and is_ignored(a, ignore)))
    return VaultFiles(tuple(files), attachments, tuple(diagnostics), tuple(skipped),
                      tuple(found.leftovers))
