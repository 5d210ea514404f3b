"""The one place that opens a file of the vault: what is a note or media file, and how it is read.

Every command reads notes and media only through this module, so its rules hold everywhere:

* a file is read only when its real path (symbolic links resolved) is inside the vault root:
  a link to another file of the vault is followed, a link that leaves the vault is refused;
* only regular files are read: a FIFO, socket or device (``/dev/zero``) is refused. The file is
  checked with ``stat`` before it is opened, opened with ``O_NONBLOCK`` (opening a FIFO would
  otherwise block until a writer comes) and ``O_NOFOLLOW`` on the resolved path, and checked
  again with ``fstat`` on the open descriptor (open(2), fstat(2));
* at most a size limit is read (``max_note_size`` / ``max_media_size`` in mkdeck.yaml, default
  :data:`DEFAULT_NOTE_LIMIT` / :data:`DEFAULT_MEDIA_LIMIT`); media are read in chunks of
  :data:`CHUNK` bytes, never whole;
* the vault is walked without recursion (a folder tree 10,000 deep is walked like a flat one),
  without following folder links, skipping dot-folders; a name that is not valid UTF-8 is
  refused (with its bytes shown as ``\\xNN``, see :func:`display`).

A refused file raises :class:`Refused`, which carries the code and a message that says how to
fix it; the caller turns it into a located finding and skips the file.
"""

from __future__ import annotations

import errno
import hashlib
import logging
import os
import re
import stat
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from mkdeck.codes import Code, register
from mkdeck.model import Diagnostic, Severity, SourceLocation, escape_surrogates

LOG = logging.getLogger(__name__)

DEFAULT_NOTE_LIMIT = 10 * 1024 * 1024
"""Bytes read at most from one note (``max_note_size`` in mkdeck.yaml): 10 MiB, 100x the
largest real note seen in the corpus."""
DEFAULT_MEDIA_LIMIT = 100 * 1024 * 1024
"""Bytes read at most from one media file (``max_media_size`` in mkdeck.yaml): 100 MiB."""
CHUNK = 1024 * 1024
"""Bytes per read when media are hashed or copied."""

NOT_REGULAR = register(
    "MKD014", Severity.WARNING, "not a regular file",
    fix="Replace the FIFO, socket or device by a regular file, or add it to `ignore:` in "
        "mkdeck.yaml; mkdeck never opens such files.",
)
OUTSIDE_VAULT = register(
    "MKD015", Severity.ERROR, "symbolic link to a file outside the vault",
    fix="Copy the file into the vault (or link to a file inside it); mkdeck never reads a "
        "file outside the vault.",
)
TOO_LARGE = register(
    "MKD016", Severity.ERROR, "file larger than the size limit",
    fix="Split the note (or shrink the media file), or raise `max_note_size` / "
        "`max_media_size` (bytes) in mkdeck.yaml.",
)
NAME_NOT_UTF8 = register(
    "MKD017", Severity.ERROR, "file name is not valid UTF-8",
    fix="Rename the file or folder to a UTF-8 name (Obsidian and Anki need one); the bytes "
        "that are not UTF-8 are shown as \\xNN.",
)
LEFTOVER_TEMP = register(
    "MKD018", Severity.INFO, "temporary file left by an interrupted mkdeck",
    fix="Run `mkdeck ids` again (it removes the leftovers of its own runs) or delete the file; "
        "it is a copy of a note that was being written when mkdeck was killed.",
)


class Refused(OSError):
    """A file mkdeck will not read: ``code`` (a registered :class:`~mkdeck.codes.Code`) and a
    ``message`` naming the file and the fix. An :class:`OSError`, so code that handles a file
    it cannot read handles this one too."""

    def __init__(self, code: Code, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message

    def at(self, location: SourceLocation) -> Diagnostic:
        """This refusal as a finding at ``location``."""
        return self.code.at(location, self.message)


_SURROGATE_RE = re.compile("[\ud800-\udfff]")


def display(text: str) -> str:
    """``text`` with every lone surrogate shown as an escape: ``os.fsdecode``'s escapes of
    undecodable bytes (U+DC80..U+DCFF) as the byte, ``\\xNN``; any other lone surrogate as
    ``\\uNNNN``. The result encodes as UTF-8, so it is valid in text, JSON, XML and SARIF."""
    return escape_surrogates(text)


def has_surrogate(text: str) -> bool:
    """``True`` when ``text`` holds a lone surrogate (it cannot be written as UTF-8)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def lone_surrogate(value: object) -> str | None:
    """The first lone surrogate (as ``"\\ud800"``) in YAML or JSON data (strings, lists, mappings
    and their keys), walked without recursion and once per node (anchors can make a list hold
    itself); ``None`` when there is none. YAML's ``"\\ud800"`` escape makes one."""
    stack = [value]
    seen: set[int] = set()
    while stack:
        item = stack.pop()
        if isinstance(item, (dict, list, tuple)):
            if id(item) in seen:
                continue
            seen.add(id(item))
        if isinstance(item, str):
            m = _SURROGATE_RE.search(item)
            if m:
                return f"\\u{ord(m.group()):04x}"
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, (list, tuple)):
            stack.extend(item)
    return None


def is_inside(root: str | os.PathLike[str], path: str | os.PathLike[str]) -> bool:
    """``True`` when the real path of ``path`` (every symbolic link resolved) is the real vault
    ``root`` or inside it."""
    real_root = os.path.realpath(root)
    real = os.path.realpath(path)
    return real == real_root or real.startswith(real_root.rstrip(os.sep) + os.sep)


@dataclass(frozen=True, slots=True)
class Opened:
    """A regular file of the vault, opened for reading: ``fd`` (the caller closes it) and its
    ``fstat`` result."""

    fd: int
    st: os.stat_result


def open_regular(root: str | os.PathLike[str], rel: str, limit: int, *,
                 setting: str = "max_note_size") -> Opened:
    """Open the vault file ``rel`` for reading, by the rules in the module docstring.

    Args:
        root: the vault root.
        rel: the vault-relative POSIX path.
        limit: the most bytes the file may hold.
        setting: the mkdeck.yaml key that sets ``limit`` (named in the message).

    Returns:
        An :class:`Opened` descriptor of a regular file inside the vault.

    Raises:
        Refused: the file leaves the vault, is not a regular file or is larger than ``limit``.
        OSError: the file cannot be opened (missing, permissions, a link loop).
    """
    path = os.path.join(root, rel)
    real = os.path.realpath(path)
    if not is_inside(root, real):
        target = os.readlink(path) if os.path.islink(path) else real
        raise Refused(OUTSIDE_VAULT, (
            f"{display(rel)} is a symbolic link to {display(str(target))!r}, outside the vault: "
            f"it is never read; copy the file into the vault or remove the link"))
    st = os.stat(real)
    if not stat.S_ISREG(st.st_mode):
        raise Refused(NOT_REGULAR, _not_regular(rel, st))
    fd = os.open(real, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC
                 | os.O_NOFOLLOW)
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):  # swapped between stat and open
            raise Refused(NOT_REGULAR, _not_regular(rel, st))
        if st.st_size > limit:
            raise Refused(TOO_LARGE, _too_large(rel, st.st_size, limit, setting))
        os.set_blocking(fd, True)
    except BaseException:
        os.close(fd)
        raise
    return Opened(fd, st)


def _not_regular(rel: str, st: os.stat_result) -> str:
    mode = st.st_mode
    kind = ("a FIFO (named pipe)" if stat.S_ISFIFO(mode) else "a socket" if stat.S_ISSOCK(mode)
            else "a device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode)
            else "a folder" if stat.S_ISDIR(mode) else "not a regular file")
    return (f"{display(rel)} is {kind}, not a regular file: it is never opened; replace it by "
            f"a file or add it to `ignore:` in mkdeck.yaml")


def _too_large(rel: str, size: int, limit: int, setting: str) -> str:
    fix = (f"make it smaller or raise `{setting}` in mkdeck.yaml" if setting.isidentifier()
           else "make it smaller")
    return (f"{display(rel)} holds {size} bytes, more than the limit of {limit} bytes: it is "
            f"not read; {fix}")


def read_file(root: str | os.PathLike[str], rel: str, limit: int = DEFAULT_NOTE_LIMIT, *,
              setting: str = "max_note_size") -> tuple[bytes, os.stat_result]:
    """The bytes of the vault file ``rel`` (at most ``limit``) and its ``fstat`` result.

    Raises:
        Refused: see :func:`open_regular`; also when the file grew past ``limit`` while read.
        OSError: the file cannot be read.
    """
    opened = open_regular(root, rel, limit, setting=setting)
    try:
        parts = []
        left = limit + 1
        while left > 0:
            part = os.read(opened.fd, min(CHUNK, left))
            if not part:
                break
            parts.append(part)
            left -= len(part)
    finally:
        os.close(opened.fd)
    data = b"".join(parts)
    if len(data) > limit:
        raise Refused(TOO_LARGE, _too_large(rel, len(data), limit, setting))
    return data, opened.st


def iter_chunks(root: str | os.PathLike[str], rel: str,
                limit: int = DEFAULT_MEDIA_LIMIT) -> Iterator[bytes]:
    """The bytes of the media file ``rel`` in chunks of at most :data:`CHUNK` bytes.

    Raises:
        Refused: see :func:`open_regular` (raised at the first ``next``).
        OSError: the file cannot be read.
    """
    opened = open_regular(root, rel, limit, setting="max_media_size")
    try:
        total = 0
        while True:
            part = os.read(opened.fd, CHUNK)
            if not part:
                return
            total += len(part)
            if total > limit:
                raise Refused(TOO_LARGE, _too_large(rel, total, limit, "max_media_size"))
            yield part
    finally:
        os.close(opened.fd)


def sha1_of(root: str | os.PathLike[str], rel: str, limit: int = DEFAULT_MEDIA_LIMIT) -> str:
    """The SHA-1 hex digest of the media file ``rel``, read in chunks (see :func:`iter_chunks`)."""
    h = hashlib.sha1()
    for part in iter_chunks(root, rel, limit):
        h.update(part)
    return h.hexdigest()


# --- walking the vault ----------------------------------------------------------------------

TEMP_RE = re.compile(r"^\.(?P<name>.+)\.mkdeck-(?P<pid>\d+)\.[0-9a-f]{8}\.tmp$")
"""Names of mkdeck's temporary files: ``.<name>.mkdeck-<pid>.<8 hex>.tmp`` beside ``<name>``."""
_OLD_TEMP_RE = re.compile(r"^\.(?P<name>.+)\.[0-9a-f]{8}\.tmp$")
"""Temporary files of mkdeck before the pid was in the name."""
OLD_TEMP_AGE = 600.0
"""Seconds after which an old-style temporary file beside its note counts as left behind."""


def temp_name(name: str) -> str:
    """A fresh temporary-file name for writing ``name`` (in the same folder)."""
    return f".{name}.mkdeck-{os.getpid()}.{os.urandom(4).hex()}.tmp"


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # EPERM: it exists
        return True
    return True


def is_leftover(folder: str | os.PathLike[str], name: str, *, now: float | None = None) -> bool:
    """``True`` when ``name`` in ``folder`` is a temporary file of an mkdeck process that is
    gone (its pid in the name is not running), or an old-style one (no pid) older than
    :data:`OLD_TEMP_AGE` seconds whose note still exists."""
    m = TEMP_RE.match(name)
    if m:
        return int(m.group("pid")) != os.getpid() and not _pid_alive(int(m.group("pid")))
    m = _OLD_TEMP_RE.match(name)
    if m and os.path.exists(os.path.join(folder, m.group("name"))):
        import time

        try:
            age = (time.time() if now is None else now) - os.lstat(
                os.path.join(folder, name)).st_mtime
        except OSError:
            return False
        return age > OLD_TEMP_AGE
    return False


def remove_leftovers(folder: str | os.PathLike[str], target: str) -> list[str]:
    """Remove the left-behind temporary files of ``target`` in ``folder`` (see
    :func:`is_leftover`); return their names. Errors are logged, never raised."""
    removed = []
    try:
        names = os.listdir(folder)
    except OSError:
        return removed
    for name in names:
        if not name.startswith(f".{target}.") or not name.endswith(".tmp"):
            continue
        if is_leftover(folder, name):
            try:
                os.unlink(os.path.join(folder, name))
                removed.append(name)
            except OSError as exc:
                LOG.debug("cannot remove %s: %s", name, exc)
    return removed


@dataclass
class Walk:
    """What :func:`walk` found (vault-relative POSIX paths, sorted).

    Attributes:
        notes: ``.md`` files (any case), not yet checked for being regular or inside.
        others: every other file.
        leftovers: mkdeck's own temporary files left by a killed run (see :func:`is_leftover`).
        diagnostics: names that are not UTF-8 (one finding per file or folder).
    """

    notes: list[str] = field(default_factory=list)
    others: list[str] = field(default_factory=list)
    leftovers: list[str] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)


def walk(root: str | os.PathLike[str]) -> Walk:
    """Every file under ``root``, without recursion (an explicit stack), never following a
    folder link, skipping dot-folders and dot-files (Obsidian's rule) except mkdeck's own
    leftover temporary files. Unreadable folders are skipped (logged)."""
    out = Walk()
    stack = [""]
    while stack:
        prefix = stack.pop()
        folder = os.path.join(root, prefix) if prefix else os.fspath(root)
        try:
            with os.scandir(folder) as it:
                entries = list(it)
        except OSError as exc:
            LOG.debug("cannot list %s: %s", folder, exc)
            continue
        for entry in entries:
            name = entry.name
            rel = prefix + name
            try:
                is_dir = entry.is_dir(follow_symlinks=False)
            except OSError:
                is_dir = False
            if name.startswith("."):
                if not is_dir and name.endswith(".tmp") and is_leftover(folder, name):
                    out.leftovers.append(rel)
                continue
            if has_surrogate(name):
                what = "folder" if is_dir else "file"
                skipped = " and every file in it are" if is_dir else " is"
                out.diagnostics.append(NAME_NOT_UTF8.at(
                    SourceLocation(display(rel), 0),
                    f"the {what} name {display(rel)!r} is not valid UTF-8: it{skipped} not "
                    f"read; rename it to a UTF-8 name"))
                continue
            if is_dir:
                stack.append(rel + "/")
            elif name.lower().endswith(".md"):
                out.notes.append(rel)
            else:
                out.others.append(rel)
    out.notes.sort()
    out.others.sort()
    out.leftovers.sort()
    out.diagnostics.sort(key=Diagnostic.sort_key)
    return out


def unreadable_message(root: str | os.PathLike[str], rel: str, exc: OSError) -> str:
    """The message of a note that cannot be opened: names a dangling or looping link."""
    path = os.path.join(root, rel)
    if exc.errno == errno.ELOOP:
        how = (f"it is a symbolic link to {display(os.readlink(path))!r}, which leads back to "
               f"itself: fix or remove the link")
    elif os.path.islink(path) and not os.path.exists(path):
        how = (f"it is a symbolic link to {display(os.readlink(path))!r}, which does not "
               f"exist: fix or remove the link")
    else:
        how = "fix its permissions"
    return (f"{display(rel)} cannot be read ({exc.strerror or exc}): {how}, or add it to "
            f"`ignore:` in mkdeck.yaml.")


def write_hint(exc: OSError) -> str:
    """How to fix a failed write, by its errno: a full disk, a read-only file system, or
    permissions."""
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return "the disk is full (or the quota is reached): free some space"
    if exc.errno == errno.EROFS:
        return "the file system is mounted read-only: remount it writable"
    if exc.errno in (errno.EACCES, errno.EPERM):
        return "make the note and its folder writable (check their permissions)"
    return "check the disk and the folder"


def path_of(root: str | os.PathLike[str], rel: str) -> Path:
    """The absolute path of the vault file ``rel`` (symbolic links inside the vault resolved,
    so a write goes through the link)."""
    return Path(os.path.realpath(os.path.join(root, rel)))
