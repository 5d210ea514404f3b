"""The sync state: what the last build gave Anki, kept in the vault as ``.mkdeck-state``.

A package cannot delete a note, cannot move a card, and Anki updates a note on re-import only
when the package's note is newer than its own (research ``anki-and-genanki.md`` §0.2, §6 #2).
So a build must know what it wrote last time: this module holds that memory as one small text
file in the vault root, meant to be committed to git with the notes (like a lockfile).

The file (format version 1) is UTF-8 JSON Lines: a header line ``{"mkdeck_state": 1}``, then
one note per line, sorted by guid, keys in a fixed order (:data:`_KEYS`), so a diff shows only
the notes that changed and two branches adding notes merge without conflict. Each line holds a
note's guid, the mod time written for it, a digest of what Anki received (:func:`note_digest`),
its note type, deck (and the deck Anki put its cards in), where it was written (path, line, ID
comment), its tags and rendered fields (so a removed note can be written once more with its
fields unchanged, as a tombstone).

Identity of a card without an ID comment is decided against the state by
:func:`mkdeck.export.matching.match_cards`, in the rule stated in its docstring. This module
does not import genanki and never prints.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import logging
import operator
import os
import re
import secrets
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

from mkdeck.codes import register
from mkdeck.model import Diagnostic, Severity, SourceLocation
from mkdeck.vault import read as vault_read
from mkdeck.vault.read import DEFAULT_MEDIA_LIMIT

LOG = logging.getLogger(__name__)

STATE_FILE = ".mkdeck-state"
"""The state file's name, in the vault root."""

FORMAT_VERSION = 1
REMOVED_TAG = "mkdeck::removed"
"""Tag of a tombstone: a note removed from the vault, written once more so it can be found."""
MOVED_TAG = "mkdeck::moved"
"""Tag of a note whose deck changed in the vault (Anki never moves cards on import)."""

_KEYS = ("guid", "mod", "digest", "type", "base", "model", "deck", "placed", "path", "line",
         "id", "removed", "tags", "fields")

STATE_UNREADABLE = register(
    "MKD330",
    Severity.WARNING,
    "sync state cannot be read",
    fix="Restore .mkdeck-state from git (`git checkout -- .mkdeck-state`), or delete it: the "
    "next build then uses the rules without a state (notes without ID comment are known by "
    "file and first field) and writes a new one.",
    bad='{"mkdeck_state": 1}\n{"guid": "abc", "mod": "yesterday"}',
    good='{"mkdeck_state": 1}\n{"guid": "abc", "mod": 1780000000, ...}',
)
STATE_CONFLICT = register(
    "MKD331",
    Severity.WARNING,
    "merge conflict in the sync state",
    fix="Keep the lines of both sides (each line is one note; when one guid is on both sides, "
    "keep the line with the larger mod) and delete the <<<<<<< ======= >>>>>>> lines, then "
    "build again.",
    bad="<<<<<<< HEAD\n{...one side...}\n=======\n{...other side...}\n>>>>>>> branch",
    good="{...one side...}\n{...other side...}",
)
NOTES_REMOVED = register(
    "MKD333",
    Severity.INFO,
    "notes removed from the vault",
    fix="In Anki, search tag:mkdeck::removed and delete those notes; then run "
    "`mkdeck forget PATH` so the next build stops writing them (`mkdeck push` does both).",
)
NOTES_MOVED = register(
    "MKD334",
    Severity.INFO,
    "notes changed deck",
    fix="Anki never moves cards on import: in Anki, search tag:mkdeck::moved, move the cards "
    "(Browse, Change Deck), then run `mkdeck forget --moved PATH` (`mkdeck push` does both).",
)
STATE_NOT_WRITTEN = register(
    "MKD335",
    Severity.WARNING,
    "sync state not written",
    fix="Make the vault folder writable (the state file is .mkdeck-state in its root), or "
    "build with --no-state.",
)
STATE_STALE = register(
    "MKD336",
    Severity.WARNING,
    "sync state is out of date",
    fix="Build the vault (`mkdeck PATH -o OUT.apkg`) and commit .mkdeck-state with the notes, "
    "so every clone builds the same package and keeps every note's identity.",
)


class StateError(ValueError):
    """A state file that cannot be used; ``line`` is where (1-based), ``conflict`` tells a
    merge conflict from other damage."""

    def __init__(self, message: str, line: int, conflict: bool = False) -> None:
        super().__init__(message)
        self.line = line
        self.conflict = conflict


class StateEntry(NamedTuple):
    """One note as the last build wrote it (a named tuple, not a frozen dataclass: a build
    reads one per note, and a tuple is built several times faster; immutable all the same).

    Attributes:
        guid: its Anki guid.
        mod: the modification time written for it (seconds since the epoch).
        digest: :func:`note_digest` of what Anki received.
        note_type: the vault's note type name (``"Basic"``).
        base: that type's stock base (``"Basic"``, ``"Cloze"``, …), to write a tombstone.
        model: the Anki note type name (``"Basic (mkdeck)"``).
        deck: the deck the vault gives the note.
        placed: the deck Anki put its cards in (its first build's deck; Anki never moves
            cards on import); differs from ``deck`` while the note is moved.
        path: vault-relative path of the file it was written in.
        line: 1-based line of its START (or STARTI).
        id: the number of its ``<!--ID: n-->`` comment, or ``None``.
        removed: ``True`` for a tombstone (gone from the vault, still in the package).
        tags: the tags written (with :data:`REMOVED_TAG` / :data:`MOVED_TAG` when they apply).
        fields: ``(field name, HTML)`` in note-type order.
    """

    guid: str
    mod: int
    digest: str
    note_type: str
    base: str
    model: str
    deck: str
    placed: str
    path: str
    line: int
    id: int | None = None
    removed: bool = False
    tags: tuple[str, ...] = ()
    fields: tuple[tuple[str, str], ...] = ()

    @property
    def moved(self) -> bool:
        """A live note whose deck differs from the deck Anki holds its cards in (Anki matches
        deck names ignoring case)."""
        return not self.removed and self.deck.casefold() != self.placed.casefold()

    @property
    def location(self) -> SourceLocation:
        """Where the note was last written."""
        return SourceLocation(self.path, self.line)

    def to_json(self) -> str:
        """The entry's line in the state file (no newline)."""
        data = {"guid": self.guid, "mod": self.mod, "digest": self.digest,
                "type": self.note_type, "base": self.base, "model": self.model,
                "deck": self.deck, "placed": self.placed, "path": self.path,
                "line": self.line, "id": self.id, "removed": self.removed,
                "tags": list(self.tags), "fields": dict(self.fields)}
        return json.dumps(data, ensure_ascii=False, separators=(", ", ": "))


_DECODER = json.JSONDecoder()
_GUID = operator.itemgetter(0)

# git's conflict markers (and diff3's base marker) at the start of a line
_CONFLICT_RE = re.compile(r"^(?:<{7}|={7}|>{7}|\|{7})(?: |$)", re.MULTILINE)

_SIGNATURES = frozenset({
    (str, int, str, str, str, str, str, str, str, int, id_type, bool, list, dict)
    for id_type in (int, type(None))})


_ONLY_STR = frozenset({str})


def _conflict_in(text: str) -> StateError | None:
    """The error for the first merge-conflict marker in ``text`` (its line), or ``None``."""
    marker = None
    if any(m in text for m in ("<<<<<<<", "=======", ">>>>>>>", "|||||||")):
        marker = _CONFLICT_RE.search(text)  # the regex only when a marker may be there
    if marker is None:
        return None
    return StateError("it holds a merge conflict", text.count("\n", 0, marker.start()) + 1,
                      conflict=True)


def _entry_from(data: Any, line: int) -> StateEntry:
    """A :class:`StateEntry` from one parsed JSON line; raises :class:`StateError`."""
    # the slow path says what is wrong
    if not isinstance(data, dict):
        raise StateError("the line is not a JSON object", line)
    missing = [k for k in _KEYS if k not in data]
    if missing:
        raise StateError(f"the line lacks {', '.join(missing)}", line)
    strings = ("guid", "digest", "type", "base", "model", "deck", "placed", "path")
    bad = [k for k in strings if not isinstance(data[k], str) or (k == "guid" and not data[k])]
    bad += [k for k in ("mod", "line") if type(data[k]) is not int]
    if data["id"] is not None and type(data["id"]) is not int:
        bad.append("id")
    if not isinstance(data["removed"], bool):
        bad.append("removed")
    tags, fields = data["tags"], data["fields"]
    if not (isinstance(tags, list) and all(isinstance(t, str) for t in tags)):
        bad.append("tags")
    if not (isinstance(fields, dict) and all(isinstance(v, str) for v in fields.values())):
        bad.append("fields")
    if bad:
        raise StateError(f"{', '.join(bad)} of the wrong type", line)
    return StateEntry(
        guid=data["guid"], mod=data["mod"], digest=data["digest"], note_type=data["type"],
        base=data["base"], model=data["model"], deck=data["deck"], placed=data["placed"],
        path=data["path"], line=data["line"], id=data["id"], removed=data["removed"],
        tags=tuple(tags), fields=tuple(fields.items()))


@dataclass(frozen=True, slots=True)
class SyncState:
    """Every note the last build wrote (tombstones included), sorted by guid.

    Attributes:
        entries: one :class:`StateEntry` per guid, sorted by guid.
        lines: guid -> ``(entry, its line as read from the state file, no newline)``, for
            the entries read from a file (:meth:`from_text`); writing the state reuses the
            line of an entry equal to the one read instead of encoding it again (issue 15:
            encoding every entry was 0.25 s of a one-edit rebuild at 10,000 notes). Not
            part of equality.
    """

    entries: tuple[StateEntry, ...] = ()
    lines: Mapping[str, tuple[StateEntry, str]] | None = field(default=None, compare=False,
                                                               repr=False)

    @classmethod
    def of(cls, entries: Iterable[StateEntry],
           lines: Mapping[str, tuple[StateEntry, str]] | None = None) -> SyncState:
        """A state of ``entries`` (sorted by guid here), with the read ``lines`` of the
        state it comes from (see :attr:`lines`). Raises ``ValueError`` when two entries
        share a guid."""
        ordered = sorted(entries, key=_GUID)
        for a, b in itertools.pairwise(ordered):
            if a.guid == b.guid:
                raise ValueError(f"two state entries have the guid {a.guid!r}")
        return cls(tuple(ordered), lines)

    def get(self, guid: str) -> StateEntry | None:
        """The entry of ``guid``, or ``None``."""
        for e in self.entries:  # small enough; callers needing many lookups use by_guid()
            if e.guid == guid:
                return e
        return None

    def by_guid(self) -> dict[str, StateEntry]:
        """``{guid: entry}``."""
        return {e.guid: e for e in self.entries}

    def removed(self) -> tuple[StateEntry, ...]:
        """The tombstones: notes removed from the vault that Anki may still hold."""
        return tuple(e for e in self.entries if e.removed)

    def moved(self) -> tuple[StateEntry, ...]:
        """Live notes whose deck changed since Anki placed their cards."""
        return tuple(e for e in self.entries if e.moved)

    def forget_removed(self, guids: Iterable[str] | None = None) -> SyncState:
        """This state without the tombstones of ``guids`` (all tombstones when ``None``):
        what ``mkdeck forget`` and ``mkdeck push`` (after deleting them in Anki) keep."""
        drop = None if guids is None else set(guids)
        return SyncState(tuple(e for e in self.entries
                               if not (e.removed and (drop is None or e.guid in drop))),
                         self.lines)

    def mark_placed(self, guids: Iterable[str] | None = None) -> SyncState:
        """This state with ``placed = deck`` for the moved notes of ``guids`` (all when
        ``None``): the user (or ``mkdeck push``) moved their cards in Anki. The next build
        then drops their ``mkdeck::moved`` tag."""
        keep = None if guids is None else set(guids)
        return SyncState(tuple(
            e._replace(placed=e.deck) if e.moved and (keep is None or e.guid in keep) else e
            for e in self.entries), self.lines)

    def to_text(self) -> str:
        """The state file's exact text."""
        return "".join(_text_lines(self))

    @classmethod
    def from_text(cls, text: str) -> SyncState:
        """Parse a state file's text.

        Raises:
            StateError: with the 1-based line of the first problem: merge-conflict markers,
                a missing or unknown header, a line that is not a valid entry, a guid twice.
        """
        # A conflict marker is never a valid line: the text is searched for one only when a
        # line fails (four searches of a 16 MB text were 0.02 s of every build).
        lines = text.split("\n")
        try:
            header = json.loads(lines[0])
        except ValueError:
            header = None
        if not isinstance(header, dict) or "mkdeck_state" not in header:
            raise _conflict_in(text) or StateError(
                'the first line is not the header {"mkdeck_state": 1}', 1)
        if header["mkdeck_state"] != FORMAT_VERSION:
            raise _conflict_in(text) or StateError(
                f"format {header['mkdeck_state']!r} is not {FORMAT_VERSION}, the one this "
                f"mkdeck reads (a newer mkdeck wrote it?)", 1)
        entries: list[StateEntry] = []
        read: dict[str, tuple[StateEntry, str]] = {}  # lines kept for the writer
        decode = _DECODER.raw_decode  # not .decode: its two whitespace regexes per line cost
        signatures, keys, new, only_str = _SIGNATURES, _KEYS, StateEntry._make, _ONLY_STR
        for number, line in enumerate(lines[1:], start=2):
            if not line:
                continue
            try:
                data, end = decode(line)
                if end != len(line) and line[end:].strip():
                    raise json.JSONDecodeError("extra data", line, end)
            except ValueError as exc:
                if not line.strip():
                    continue
                msg = getattr(exc, "msg", str(exc))
                raise _conflict_in(text) or StateError(
                    f"the line is not valid JSON ({msg})", number) from None
            # fast path (a file mkdeck wrote): keys in order, every value of its type
            if (type(data) is dict and tuple(data) == keys and data["guid"]
                    and tuple(map(type, data.values())) in signatures
                    and set(map(type, data["tags"])) <= only_str
                    and set(map(type, data["fields"].values())) <= only_str):
                values = list(data.values())
                values[12] = tuple(values[12])
                values[13] = tuple(values[13].items())
                entry = new(values)
                read[entry.guid] = (entry, line)
                entries.append(entry)
            else:
                try:
                    entries.append(_entry_from(data, number))
                except StateError as exc:
                    raise _conflict_in(text) or exc from None
        if any(a.guid >= b.guid for a, b in itertools.pairwise(entries)):  # not as written
            entries.sort(key=_GUID)
            for i in range(1, len(entries)):
                if entries[i].guid == entries[i - 1].guid:
                    guid = entries[i].guid
                    where = [n for n, ln in enumerate(lines, start=1) if ln.startswith(
                        '{"guid": ' + json.dumps(guid, ensure_ascii=False))]
                    raise _conflict_in(text) or StateError(
                        f"guid {guid!r} is also on line {where[0] if where else 0}",
                        where[-1] if where else 0)
        return cls(tuple(entries), read)


@dataclass(frozen=True, slots=True)
class StateRead:
    """What reading a vault's state gave.

    Attributes:
        path: the state file's absolute path.
        state: the state, or ``None`` (no file, or unusable: see ``diagnostics``).
        diagnostics: MKD330/MKD331 located at the file's line; empty when fine or absent.
        text: the file's text as read (``None`` when absent or unreadable).
    """

    path: str
    state: SyncState | None
    diagnostics: tuple[Diagnostic, ...] = ()
    text: str | None = None

    @property
    def usable(self) -> bool:
        """The file is absent or was read fine (a new state may be written over it)."""
        return not self.diagnostics


def state_path(root: str | os.PathLike[str]) -> Path:
    """``<root>/.mkdeck-state``."""
    return Path(root) / STATE_FILE


def read_state(root: str | os.PathLike[str]) -> StateRead:
    """Read the sync state of the vault at ``root``.

    Args:
        root: the vault root.
    Returns:
        A :class:`StateRead`. A missing file gives ``state=None`` and no diagnostic; a file
        that cannot be read or used gives ``state=None`` and one MKD330 (MKD331 for a merge
        conflict) at its line. Never raises.
    """
    path = state_path(root)
    try:  # through the vault reader: a FIFO or a link out of the vault is refused, not read
        data, _ = vault_read.read_file(root, STATE_FILE, DEFAULT_MEDIA_LIMIT,
                                       setting="(the sync state)")
    except FileNotFoundError:
        return StateRead(str(path), None)
    except OSError as exc:
        return StateRead(str(path), None, (STATE_UNREADABLE.at(
            SourceLocation(STATE_FILE, 0),
            f"{STATE_FILE} cannot be read ({exc.strerror or exc}); this build uses the rules "
            f"without a state and does not replace it: fix its permissions or delete it."),))
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        return StateRead(str(path), None, (STATE_UNREADABLE.at(
            SourceLocation(STATE_FILE, line),
            f"{STATE_FILE} is not UTF-8 text at line {line}; this build uses the rules "
            f"without a state and does not replace it: restore it from git or delete it."),))
    try:
        state = SyncState.from_text(text)
    except StateError as exc:
        code = STATE_CONFLICT if exc.conflict else STATE_UNREADABLE
        how = ("keep the lines of both sides and delete the conflict markers" if exc.conflict
               else "restore it from git (`git checkout -- .mkdeck-state`) or delete it")
        return StateRead(str(path), None, (code.at(
            SourceLocation(STATE_FILE, exc.line),
            f"{STATE_FILE} cannot be used: {exc}. This build uses the rules without a state "
            f"(cards without ID comment are known by file and first field) and does not "
            f"replace the file: {how}."),), text)
    return StateRead(str(path), state, (), text)


def _text_lines(state: SyncState) -> Iterator[str]:
    """The lines of ``state.to_text()``, each with its newline, one at a time."""
    yield json.dumps({"mkdeck_state": FORMAT_VERSION}) + "\n"
    read = state.lines
    if not read:
        for entry in state.entries:
            yield entry.to_json() + "\n"
        return
    for entry in state.entries:
        got = read.get(entry.guid)
        yield (got[1] if got is not None and (got[0] is entry or got[0] == entry)
               else entry.to_json()) + "\n"


def _holds(text: str, lines: Iterable[str]) -> bool:
    """Whether ``text`` is exactly the concatenation of ``lines``."""
    pos = 0
    for line in lines:
        if not text.startswith(line, pos):
            return False
        pos += len(line)
    return pos == len(text)


def write_state(root: str | os.PathLike[str], state: SyncState,
                old_text: str | None = None) -> bool:
    """Write ``state`` to ``<root>/.mkdeck-state`` atomically (a temp file in the vault root,
    then ``os.replace``); nothing is written when the file already holds that text.

    Args:
        root: the vault root.
        state: the state to write.
        old_text: the file's current text when already read (saves reading it again).
    Returns:
        ``True`` when the file was written, ``False`` when it was already up to date.
    Raises:
        OSError: the file cannot be written (the temp file is removed; the old file stays).
    """
    path = state_path(root)
    if old_text is None:
        try:
            old_text = path.read_text("utf-8")
        except (OSError, UnicodeDecodeError):
            old_text = None
    if old_text is not None and _holds(old_text, _text_lines(state)):
        return False
    tmp = path.with_name(f"{STATE_FILE}.{secrets.token_hex(4)}.tmp")
    try:
        with open(tmp, "xb") as fh:
            # line by line: the whole text, its list of lines and its bytes at once were the
            # peak of a 100,000-card build (+475 MB, issue 15)
            for line in _text_lines(state):
                fh.write(line.encode("utf-8"))
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            tmp.unlink()
        except OSError:
            pass
        raise
    return True


# --- digests ---------------------------------------------------------------------------------

def note_digest(model: str, deck: str, tags: Sequence[str], fields: Sequence[str],
                media: Sequence[tuple[str, str | None]] = ()) -> str:
    """16 hex digits of SHA-256 over what Anki receives for a note.

    Args:
        model: the Anki note type name.
        deck: the deck name as written.
        tags: the tags as written (order kept).
        fields: field HTML in note-type order (embedded notes are already in it).
        media: ``(name in the deck, SHA-256 of the file's bytes or None)`` per media file.
    Returns:
        The digest; equal digests mean Anki would receive the same note.
    """
    text = "\x1f".join((model, deck, " ".join(tags), *fields))
    if media:
        text += "".join(f"\x1e{name}\x1d{sha or '-'}" for name, sha in media)
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:16]


def next_mod(previous: int | None, changed: bool, build_time: int, fallback: int) -> int:
    """A note's modification time under the sync state's rule.

    Args:
        previous: its mod time in the state, or ``None`` for a note the state lacks.
        changed: its digest differs from the state's.
        build_time: now, or ``SOURCE_DATE_EPOCH`` when set and earlier (``time_cap``).
        fallback: the mod time without a state (its file's mtime, capped).
    Returns:
        ``previous`` when unchanged (Anki leaves the note, and edits made in Anki, alone);
        when changed, the build time but at least ``previous + 1`` (so the vault's edit wins
        over an older edit made in Anki: Anki updates only notes strictly newer, research
        §0.2); ``fallback`` for a note the state lacks.
    """
    if previous is None:
        return fallback
    if not changed:
        return previous
    return max(build_time, previous + 1)


def summary_diagnostics(removed: Sequence[StateEntry], moved: Sequence[StateEntry],
                        ) -> list[Diagnostic]:
    """The build's MKD333 (removed) and MKD334 (moved) lines, one each, naming up to three
    notes by where they were written. Empty lists give no diagnostic."""
    out = []

    def names(entries: Sequence[StateEntry]) -> str:
        shown = ", ".join(str(e.location) for e in entries[:3])
        return shown + (f" and {len(entries) - 3} more" if len(entries) > 3 else "")

    if removed:
        n = len(removed)
        out.append(NOTES_REMOVED.at(
            SourceLocation(STATE_FILE, 0),
            f"{n} note{'s were' if n != 1 else ' was'} removed from the vault: in Anki, search "
            f"tag:{REMOVED_TAG} and delete {'them' if n != 1 else 'it'} (last written at "
            f"{names(removed)}); then run "
            f"`mkdeck forget` so builds stop writing them."))
    if moved:
        n = len(moved)
        out.append(NOTES_MOVED.at(
            SourceLocation(STATE_FILE, 0),
            f"{n} note{'s' if n != 1 else ''} changed deck, and Anki does not move cards on "
            f"import: in Anki, search tag:{MOVED_TAG} and move them (Change Deck) to the "
            f"deck the vault gives ({names(moved)}); then run `mkdeck forget --moved`."))
    return out
