"""``mkdeck ids``: give every card an ID comment, so its identity survives any edit.

For each note without an ID the Obsidian_to_Anki plugin's own form is written
(``research/obsidian-to-anki-syntax.md`` §8):

* block notes: a line ``<!--ID: n-->`` just before the ``END`` line (after any ``Tags:``
  line), carrying the END line's callout/blockquote prefix (``> ``) so the block stays in
  its callout;
* inline notes: ``<!--ID: n--> `` just before ``ENDI``;
* regex notes: a line ``<!--ID: n-->`` right after the match (the plugin inserts
  ``"\n<!--ID: n-->\n"`` at the match's end and then folds a blank line before an ID): on
  the next line when the match ends at a line's end, on a line of its own before the next
  line when the match took the line's newline, and splitting the line when it ends inside it.

With the plugin's ``ID Comments`` off, a bare ``ID: n`` is written instead of the comment.

``n`` is a millisecond timestamp like the plugin's (an Anki note id), unique in the vault: the
current time, stepped up past every ID already written anywhere in the vault.

Every other byte of the file is kept: BOM, CRLF/CR/LF line endings (the new line uses the
ending of the line before it), a missing final newline. Files are rewritten atomically (temp
file in the same folder, renamed, permissions kept; a symbolic link is written through, so the
link stays) and only when something was inserted, so running it twice changes nothing the
second time.
"""

from __future__ import annotations

import logging
import os
import re
import secrets
import stat
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from mkdeck.app.load import load
from mkdeck.codes import register
from mkdeck.model import Diagnostic, Note, Severity, SourceLocation, Syntax

LOG = logging.getLogger(__name__)

ID_NOT_WRITTEN = register(
    "MKD320",
    Severity.ERROR,
    "ID comment could not be written",
    fix="Make the note writable (check its permissions and the folder's), then run "
    "`mkdeck ids` again.",
)
ID_PLACE_NOT_FOUND = register(
    "MKD321",
    Severity.WARNING,
    "no place found for the ID comment",
    fix="Check that the card's END (or ENDI) marker is where the parser saw it; the file may "
    "have changed while mkdeck ran. Run `mkdeck ids` again.",
)

_ID_IN_TEXT_RE = re.compile(r"(?:<!--)?ID: (\d+)")
_PREFIX_RE = re.compile(r"^(?:[ \t]*>[ \t]?)*")
_LINE_RE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)?")


@dataclass(frozen=True, slots=True)
class IdTarget:
    """Where one new ID goes.

    Attributes:
        kind: ``"block"``, ``"inline"`` or ``"regex"``.
        line: 1-based line of ``END`` (block), of the inline note, or of the character after
            a regex note's match.
        column: 1-based character column of ``STARTI`` for inline notes, when known; of the
            character after the match for regex notes.
        index: for inline notes without a column: the 0-based index of the note among the
            inline notes of its line.
        value: the ID to write.
        location: the note's START, for diagnostics.
    """

    kind: str
    line: int
    value: int
    location: SourceLocation
    column: int | None = None
    index: int = 0
    comment: bool = True

    @property
    def text(self) -> str:
        """``<!--ID: n-->``, or ``ID: n`` with the plugin's ``ID Comments`` off."""
        return f"<!--ID: {self.value}-->" if self.comment else f"ID: {self.value}"


@dataclass(frozen=True, slots=True)
class IdsResult:
    """What ``mkdeck ids`` did: ``added`` IDs in ``files`` files, and its diagnostics."""

    added: int
    files: tuple[str, ...]
    diagnostics: tuple[Diagnostic, ...]


def split_lines(text: str) -> list[str]:
    """``text`` split into lines that keep their endings (CRLF, CR or LF each end one line,
    as the parser counts them); joining them gives ``text`` back."""
    lines = _LINE_RE.findall(text)
    if lines and lines[-1] == "":
        lines.pop()
    return lines


def _ending(line: str) -> str:
    if line.endswith("\r\n"):
        return "\r\n"
    if line.endswith(("\n", "\r")):
        return line[-1]
    return ""


def insert_ids(text: str, targets: Sequence[IdTarget], syntax: Syntax = Syntax()) -> tuple[
        str, list[IdTarget]]:
    """Insert the ID comments of ``targets`` into ``text`` (a whole file, decoded as is).

    Returns:
        ``(new text, targets that found no place)``; lines without a target are unchanged.
    """
    lines = split_lines(text)
    missed: list[IdTarget] = []
    inline_re = re.compile(re.escape(syntax.start_inline) + r"(.*?)" + re.escape(syntax.end_inline))
    end_re = re.compile(re.escape(syntax.end) + r"(?!\w)")
    # blocks: insert from the bottom so line numbers stay true
    blocks = sorted((t for t in targets if t.kind in ("block", "regex")),
                    key=lambda t: (-t.line, -(t.column or 0)))
    inlines = sorted((t for t in targets if t.kind == "inline"),
                     key=lambda t: (t.line, -(t.column or 0), -t.index))
    for target in inlines:
        i = target.line - 1
        if not 0 <= i < len(lines):
            missed.append(target)
            continue
        line = lines[i]
        matches = list(inline_re.finditer(line))
        match = None
        if target.column is not None:
            # the parser counts columns in text without the BOM
            bom = 1 if i == 0 and line.startswith("\ufeff") else 0
            match = next((m for m in matches if m.start() - bom == target.column - 1), None)
        elif target.index < len(matches):
            match = matches[target.index]
        if match is None:
            missed.append(target)
            continue
        at = match.end() - len(syntax.end_inline)
        before = line[:at]
        pad = "" if not before or before[-1] in " \t" else " "
        lines[i] = f"{before}{pad}{target.text} {line[at:]}"
    for target in blocks:
        i = target.line - 1
        if target.kind == "regex":
            if not _insert_after_match(lines, target):
                missed.append(target)
            continue
        if not 0 <= i < len(lines):
            missed.append(target)
            continue
        end_line = lines[i]
        prefix = _PREFIX_RE.match(end_line).group(0)  # type: ignore[union-attr]
        if i == 0 or not end_re.match(end_line[len(prefix):].lstrip(" \t")):
            missed.append(target)
            continue
        newline = _ending(lines[i - 1])  # END follows a line, which therefore has an ending
        lines.insert(i, f"{prefix}{target.text}{newline}")
    return "".join(lines), missed


def _insert_after_match(lines: list[str], target: IdTarget) -> bool:
    """Write a regex note's ID where the plugin writes it; ``False`` when the place is gone."""
    i = target.line - 1
    c = (target.column or 1) - 1
    if c == 0 and i > 0:  # the match took the newline before line i: a line of its own
        if i > len(lines) or not _ending(lines[i - 1]):
            return False
        lines.insert(i, f"{target.text}{_ending(lines[i - 1])}")
        return True
    if not 0 <= i < len(lines):
        return False
    line = lines[i]
    newline = _ending(line)
    content = line[:len(line) - len(newline)]
    if i == 0 and content.startswith("\ufeff"):
        c += 1  # the parser counts columns in text without the BOM
    if c > len(content):
        return False
    nl = newline or next((e for e in map(_ending, lines) if e), "\n")
    if c == len(content):
        lines[i] = f"{content}{nl}{target.text}{newline}"
    else:
        lines[i] = f"{content[:c]}{nl}{target.text}{nl}{content[c:]}{newline}"
    return True


def existing_ids(texts: Iterable[str]) -> set[int]:
    """Every number written as ``ID: n`` or ``<!--ID: n-->`` in ``texts``."""
    found: set[int] = set()
    for text in texts:
        found.update(int(m) for m in _ID_IN_TEXT_RE.findall(text))
    return found


def new_ids(count: int, used: set[int], now_ms: int | None = None) -> list[int]:
    """``count`` millisecond timestamps from now on, none in ``used`` (which is updated)."""
    value = int(time.time() * 1000) if now_ms is None else now_ms
    out = []
    for _ in range(count):
        while value in used:
            value += 1
        used.add(value)
        out.append(value)
        value += 1
    return out


def _read_text(path: Path) -> str:
    return path.read_bytes().decode("utf-8", "surrogateescape")


def _write_atomic(path: Path, text: str) -> None:
    data = text.encode("utf-8", "surrogateescape")
    st = path.stat()
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, stat.S_IMODE(st.st_mode))
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def plan_targets(notes: Sequence[Note], used: set[int], now_ms: int | None = None,
                 comment: bool = True) -> dict[str, list[IdTarget]]:
    """The ID targets per vault-relative path for every note of ``notes`` without an ID
    (``comment``: write ``<!--ID: n-->``, else the bare ``ID: n``)."""
    # obsidian-spaced-repetition cards have no place for an ID comment
    lacking = [n for n in notes if n.id is None and n.kind != "sr"]
    values = new_ids(len(lacking), used, now_ms)
    per_line: dict[tuple[str, int], int] = {}
    out: dict[str, list[IdTarget]] = {}
    for note, value in zip(lacking, values):
        path = note.location.path
        if note.kind == "inline":
            key = (path, note.location.line)
            index = per_line.get(key, 0)
            per_line[key] = index + 1
            target = IdTarget("inline", note.location.line, value, note.location,
                              column=note.location.column, index=index, comment=comment)
        elif note.kind == "regex":
            target = IdTarget("regex", note.end_line, value, note.location,
                              column=note.end_column, comment=comment)
        else:
            target = IdTarget("block", note.end_line, value, note.location, comment=comment)
        out.setdefault(path, []).append(target)
    return out


def write_ids(paths: Sequence[str | Path], *, config: str | Path | None = None,
              deck: str | None = None, now_ms: int | None = None) -> IdsResult:
    """Insert ID comments into every selected note of the vault at ``paths`` that lacks one.

    Returns:
        An :class:`IdsResult` (parse diagnostics are not repeated here).
    Raises:
        mkdeck.vault.VaultError: a PATH is missing or unreadable.
    """
    result = load(list(paths), config=config, deck=deck)
    root = Path(result.vault.root)
    used = existing_ids(f.text for f in result.vault.files)
    used.update(n.id for n in result.notes if n.id is not None)
    plugin = result.vault.config.plugin
    targets = plan_targets(result.notes, used, now_ms,
                           comment=plugin is None or plugin.id_comments)
    diags: list[Diagnostic] = []
    changed: list[str] = []
    added = 0
    written: set[str] = set()
    for rel, file_targets in sorted(targets.items()):
        # A note that is a symbolic link is written through the link (Obsidian does the same),
        # never replaced by a copy; a file reached by two paths gets its IDs once.
        path = Path(os.path.realpath(root / rel))
        if str(path) in written:
            continue
        written.add(str(path))
        try:
            text = _read_text(path)
            new_text, missed = insert_ids(text, file_targets, result.vault.config.syntax)
            for target in missed:
                diags.append(ID_PLACE_NOT_FOUND.at(
                    target.location,
                    f"could not find the end marker of this card at line {target.line}; no ID "
                    f"written. Run `mkdeck ids` again."))
            if new_text != text:
                _write_atomic(path, new_text)
                changed.append(rel)
                added += len(file_targets) - len(missed)
        except OSError as exc:
            diags.append(ID_NOT_WRITTEN.at(
                SourceLocation(rel, 0),
                f"cannot write the ID comments into {rel}: {exc.strerror or exc}; make it "
                f"writable and run `mkdeck ids` again."))
    return IdsResult(added, tuple(changed), tuple(sorted(diags, key=Diagnostic.sort_key)))
