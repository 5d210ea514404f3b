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

An ID is written only where the parser reads it: the new text is parsed before it replaces
the file, and every card must come out with the same fields and its new ID. A card whose ID
would not be read (its code fence is never closed, a malformed ``<!--ID:`` comment above END
swallows the line) keeps its bytes and gets an :data:`ID_NOT_READ` finding, so a second run
changes nothing.

Every other byte of the file is kept: BOM, CRLF/CR/LF line endings (the new line uses the
ending of the line before it), a missing final newline. Files are read through
:mod:`mkdeck.vault.read` (regular files inside the vault only), rewritten atomically (temp
file in the same folder, fsynced, renamed, permissions kept; a symbolic link inside the vault
is written through, so the link stays), only when something was inserted, never when the note
is read-only (:data:`READ_ONLY`). A temp file is removed when the write fails or mkdeck is
interrupted (SIGINT, SIGTERM); one left by a killed run is removed by the next run. The time
is linear in the size of the file.
"""

from __future__ import annotations

import logging
import os
import re
import stat
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from mkdeck.app.load import load
from mkdeck.codes import register
from mkdeck.config.notetypes import NoteTypeIndex
from mkdeck.model import Config, Diagnostic, Note, NoteFile, Severity, SourceLocation, Syntax
from mkdeck.parse import parse_file
from mkdeck.vault import decode_note
from mkdeck.vault import read as vault_read

LOG = logging.getLogger(__name__)

ID_NOT_WRITTEN = register(
    "MKD320",
    Severity.ERROR,
    "ID comment could not be written",
    fix="Fix what the message names (a full disk, a read-only file system, the permissions of "
    "the note or its folder), then run `mkdeck ids` again.",
)
ID_PLACE_NOT_FOUND = register(
    "MKD321",
    Severity.WARNING,
    "no place found for the ID comment",
    fix="Check that the card's END (or ENDI) marker is where the parser saw it; the file may "
    "have changed while mkdeck ran. Run `mkdeck ids` again.",
)

ID_NOT_READ = register(
    "MKD322",
    Severity.WARNING,
    "card cannot be given an ID",
    fix="Fix the card so the parser reads an ID line before its END: close its code fence "
    "(```), or repair or delete a malformed `<!--ID:` comment in it; then run `mkdeck ids` "
    "again. Until then the card's identity comes from its file, type and first field.",
    bad="START\nBasic\nWhat does this print?\nBack:\n```sh\necho hi\nEND",
    good="START\nBasic\nWhat does this print?\nBack:\n```sh\necho hi\n```\nEND",
)
READ_ONLY = register(
    "MKD323",
    Severity.WARNING,
    "note is read-only",
    fix="Make the note writable (`chmod u+w`) and run `mkdeck ids` again if its cards should "
    "get IDs; mkdeck never rewrites a read-only note.",
)

_ID_IN_TEXT_RE = re.compile(r"(?:<!--)?ID: (\d+)")
_PREFIX_RE = re.compile(r"^(?:[ \t]*>[ \t]?)*")
_LINE_RE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)?")
_SURROGATE_RE = re.compile("[\udc80-\udcff]")


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
    """Insert the ID comments of ``targets`` into ``text`` (a whole file, decoded as is), in
    one pass over its lines (linear in the size of ``text``).

    Returns:
        ``(new text, targets that found no place)``; lines without a target are unchanged.
    """
    lines = split_lines(text)
    missed: list[IdTarget] = []
    start_i, end_i = syntax.start_inline, syntax.end_inline
    inline_re = re.compile(re.escape(start_i) + r"(.*?)" + re.escape(end_i))
    end_re = re.compile(re.escape(syntax.end) + r"(?!\w)")
    before: dict[int, str] = {}  # line index -> the ID line inserted above it
    inline_at: dict[int, list[tuple[int, str]]] = {}  # line index -> (position, text)
    matches_of: dict[int, list[re.Match[str]]] = {}
    for target in targets:
        i = target.line - 1
        if not 0 <= i < len(lines) and target.kind != "regex":
            missed.append(target)
            continue
        line = lines[i] if i < len(lines) else ""
        if target.kind == "regex":
            if not _after_match(lines, target, before, inline_at):
                missed.append(target)
            continue
        if target.kind == "block":
            prefix = _PREFIX_RE.match(line).group(0)  # type: ignore[union-attr]
            if i == 0 or i in before or not end_re.match(line[len(prefix):].lstrip(" \t")):
                missed.append(target)
                continue
            # END follows a line, which therefore has an ending
            before[i] = f"{prefix}{target.text}{_ending(lines[i - 1])}"
            continue
        at: int | None = None
        if target.column is not None:
            # where the parser saw STARTI (it counts columns in text without the BOM), then
            # the first ENDI after it, as the parser finds it
            k = target.column - 1 + (1 if i == 0 and line.startswith("\ufeff") else 0)
            if line.startswith(start_i, k):
                e = line.find(end_i, k + len(start_i))
                at = e if e >= 0 else None
        else:
            found = matches_of.get(i)
            if found is None:
                found = matches_of[i] = list(inline_re.finditer(line))
            if target.index < len(found):
                at = found[target.index].end() - len(end_i)
        if at is None:
            missed.append(target)
            continue
        pad = "" if at == 0 or line[at - 1] in " \t" else " "
        inline_at.setdefault(i, []).append((at, f"{pad}{target.text} "))
    if not before and not inline_at:
        return text, missed
    out: list[str] = []
    for i, line in enumerate(lines):
        if i in before:
            out.append(before[i])
        inserts = inline_at.get(i)
        if inserts:
            pos = 0
            for at, piece in sorted(inserts):
                out.append(line[pos:at])
                out.append(piece)
                pos = at
            out.append(line[pos:])
        else:
            out.append(line)
    if len(lines) in before:  # a regex note's match took the file's last newline
        out.append(before[len(lines)])
    return "".join(out), missed


def _after_match(lines: list[str], target: IdTarget, before: dict[int, str],
                 inline_at: dict[int, list[tuple[int, str]]]) -> bool:
    """Plan a regex note's ID where the plugin writes it (as a line inserted before a line, or
    text inserted in one); ``False`` when the place is gone."""
    i = target.line - 1
    c = (target.column or 1) - 1
    if c == 0 and i > 0:  # the match took the newline before line i: a line of its own
        if i > len(lines) or not _ending(lines[i - 1]) or i in before:
            return False
        before[i] = f"{target.text}{_ending(lines[i - 1])}"
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
    piece = f"{nl}{target.text}" if c == len(content) else f"{nl}{target.text}{nl}"
    inline_at.setdefault(i, []).append((c, piece))
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


# --- verifying by parsing -----------------------------------------------------------------

def _parse_text(text: str, rel: str, config: Config, index: NoteTypeIndex) -> list[Note]:
    """The notes the parser reads from ``text`` (decoded with ``surrogateescape``: each
    undecodable byte is one U+FFFD here, so columns match ``text``)."""
    clean = _SURROGATE_RE.sub("\ufffd", text)
    decoded, _ = decode_note(clean.encode("utf-8"), rel)
    notes, _ = parse_file(NoteFile(rel, decoded), config, index)
    return notes


def _content(note: Note) -> tuple[object, ...]:
    return (note.kind, note.note_type.name, note.deck, note.tags,
            tuple(f.markdown for f in note.fields))


def _not_read(before: Sequence[Note], after: Sequence[Note],
              targets: Sequence[IdTarget]) -> set[int] | None:
    """The values of ``targets`` whose note does not come out of ``after`` with that ID and
    its fields unchanged; ``None`` when the notes cannot be matched one to one (a change
    that is no single card's)."""
    if len(before) != len(after):
        return None
    by_location = {(t.location.line, t.location.column): t.value for t in targets}
    failed: set[int] = set()
    for old, new in zip(before, after):
        value = by_location.get((old.location.line, old.location.column))
        if value is None:
            if old.id is not None and (new.id != old.id or _content(new) != _content(old)):
                return None
            if old.id is None and (new.id is not None or _content(new) != _content(old)):
                return None
        elif new.id != value or _content(new) != _content(old):
            failed.add(value)
    return failed


@dataclass
class _FileIds:
    text: str
    added: int
    diagnostics: list[Diagnostic]


def give_ids(text: str, rel: str, config: Config, used: set[int], *,
             index: NoteTypeIndex | None = None, now_ms: int | None = None) -> _FileIds:
    """Insert an ID into every card of one note's ``text`` that lacks one, checked by parsing.

    Args:
        text: the file's bytes decoded as UTF-8 with ``surrogateescape`` (so encoding it back
            gives the same bytes).
        rel: the vault-relative path (for locations).
        config: the vault's config (markers, note types).
        used: every ID already in the vault; the new ones are added to it.
        index: the note-type lookup (built from ``config`` when ``None``).
        now_ms: the clock, for tests.

    Returns:
        The new text (``text`` itself when nothing was added), how many IDs were added, and
        :data:`ID_NOT_READ` / :data:`ID_PLACE_NOT_FOUND` findings for cards left without one.
        Linear in the size of ``text`` (the file is parsed at most four times).
    """
    index = index or NoteTypeIndex(config.note_types)
    notes = _parse_text(text, rel, config, index)
    plugin = config.plugin
    targets = plan_targets(notes, used, now_ms,
                           comment=plugin is None or plugin.id_comments).get(rel, [])
    diags: list[Diagnostic] = []
    new_text = text
    for _ in range(3):
        if not targets:
            return _FileIds(text, 0, diags)
        new_text, missed = insert_ids(text, targets, config.syntax)
        for target in missed:
            diags.append(ID_PLACE_NOT_FOUND.at(
                target.location,
                f"could not find the end marker of this card at line {target.line}; no ID "
                f"written. Run `mkdeck ids` again."))
        targets = [t for t in targets if t not in missed]
        if not targets:
            return _FileIds(text, 0, diags)
        failed = _not_read(notes, _parse_text(new_text, rel, config, index), targets)
        if failed is None:
            failed = {t.value for t in targets}
        if not failed:
            return _FileIds(new_text, len(targets), diags)
        for target in targets:
            if target.value in failed:
                diags.append(ID_NOT_READ.at(target.location, _why_not_read(target, config)))
        targets = [t for t in targets if t.value not in failed]
    return _FileIds(text, 0, diags + [ID_NOT_READ.at(t.location, _why_not_read(t, config))
                                      for t in targets])


def _why_not_read(target: IdTarget, config: Config) -> str:
    where = (f"before {config.syntax.end} at line {target.line}" if target.kind == "block"
             else f"before {config.syntax.end_inline}")
    return (f"the card at line {target.location.line} gets no ID: an ID line {where} would not "
            f"be read as its ID (a code fence left open in the card, or a malformed `<!--ID:` "
            f"comment, takes it as text); fix the card (see its other findings) and run "
            f"`mkdeck ids` again. The file is unchanged.")


# --- writing ----------------------------------------------------------------------------

def _write_atomic(path: Path, data: bytes, st: os.stat_result) -> None:
    """Replace ``path`` by ``data``: a temp file in the same folder (mode and, when allowed,
    owner kept), fsynced, renamed over it. The temp file never outlives a failure or an
    interrupt (SIGINT, SIGTERM: the CLI turns both into exceptions).

    Raises:
        OSError: the temp file cannot be written or renamed (the note is then untouched).
        FileChangedError: the note changed on disk since it was read.
    """
    tmp = path.with_name(vault_read.temp_name(path.name))
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC,
                     stat.S_IMODE(st.st_mode))
        with os.fdopen(fd, "wb") as fh:
            try:
                os.fchown(fh.fileno(), st.st_uid, st.st_gid)
            except OSError:
                pass  # not allowed for another user's file: it becomes ours, as with an editor
            os.fchmod(fh.fileno(), stat.S_IMODE(st.st_mode))
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        now = os.stat(path)
        if (now.st_ino, now.st_size, now.st_mtime_ns) != (st.st_ino, st.st_size, st.st_mtime_ns):
            raise FileChangedError(str(path))
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


class FileChangedError(OSError):
    """A note changed on disk between reading it and replacing it; it is left as it is."""


def write_ids(paths: Sequence[str | Path], *, config: str | Path | None = None,
              deck: str | None = None, now_ms: int | None = None) -> IdsResult:
    """Insert ID comments into every selected note of the vault at ``paths`` that lacks one.

    Returns:
        An :class:`IdsResult` (parse diagnostics are not repeated here).
    Raises:
        mkdeck.vault.VaultError: a PATH is missing or unreadable.
    """
    result = load(list(paths), config=config, deck=deck)
    vault = result.vault
    root = Path(vault.root)
    cfg = vault.config
    index = NoteTypeIndex(cfg.note_types)
    diags: list[Diagnostic] = []
    for rel in vault.leftovers:  # temp copies of notes left by a killed run: ours to remove
        folder, name = os.path.split(root / rel)
        if vault_read.is_leftover(folder, name):
            try:
                os.unlink(root / rel)
            except OSError:
                continue
            diags.append(vault_read.LEFTOVER_TEMP.at(
                SourceLocation(rel, 0), f"removed {rel}, a temporary copy left by an mkdeck "
                                        f"process that was killed while writing"))
    used = existing_ids(f.text for f in vault.files)
    used.update(n.id for n in result.notes if n.id is not None)
    lacking = sorted({n.location.path for n in result.notes if n.id is None})
    changed: list[str] = []
    added = 0
    written: set[str] = set()
    for rel in lacking:
        # A note that is a symbolic link inside the vault is written through the link
        # (Obsidian does the same), never replaced by a copy; a file reached by two paths gets
        # its IDs once.
        path = vault_read.path_of(root, rel)
        if str(path) in written:
            continue
        written.add(str(path))
        try:
            data, st = vault_read.read_file(root, rel, cfg.max_note_size)
        except OSError as exc:  # Refused too: it changed since the vault was read
            message = exc.message if isinstance(exc, vault_read.Refused) else (
                f"cannot read {rel} again: {exc.strerror or exc}")
            diags.append(ID_NOT_WRITTEN.at(SourceLocation(rel, 0), message))
            continue
        if not st.st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH):
            diags.append(READ_ONLY.at(
                SourceLocation(rel, 0),
                f"{rel} is read-only (mode {stat.S_IMODE(st.st_mode):04o}): mkdeck does not "
                f"rewrite it, so its cards get no ID; make it writable (chmod u+w) and run "
                f"`mkdeck ids` again if they should."))
            continue
        text = data.decode("utf-8", "surrogateescape")
        done = give_ids(text, rel, cfg, used, index=index, now_ms=now_ms)
        diags.extend(done.diagnostics)
        if not done.added:
            continue
        try:
            _write_atomic(path, done.text.encode("utf-8", "surrogateescape"), st)
        except FileChangedError:
            diags.append(ID_PLACE_NOT_FOUND.at(
                SourceLocation(rel, 0), f"{rel} changed while mkdeck ran; no ID written. Run "
                                        f"`mkdeck ids` again."))
            continue
        except OSError as exc:
            diags.append(ID_NOT_WRITTEN.at(
                SourceLocation(rel, 0),
                f"cannot write the ID comments into {rel}: {exc.strerror or exc}; "
                f"{vault_read.write_hint(exc)}, then run `mkdeck ids` again."))
            continue
        changed.append(rel)
        added += done.added
    return IdsResult(added, tuple(changed), tuple(sorted(diags, key=Diagnostic.sort_key)))
