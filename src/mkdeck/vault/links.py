"""Obsidian link resolution over a vault (embed expansion is :mod:`mkdeck.vault.embeds`).

:class:`VaultIndex` answers "which file does ``[[target]]`` written in ``from_path`` mean?",
"which lines are the section under heading *h*?" and "which lines are block ``^id``?" the way
Obsidian does; :func:`link_diagnostics` turns a failed resolution into findings.

Rules implemented (Obsidian's behaviour, as documented in its help pages "Internal links",
"Link to a heading", "Link to a block", "Embed files"):

* a link target resolves as an exact vault path, then relative to the linking note, then as a
  note (or file) name anywhere in the vault, all case-insensitively; several name matches pick
  the one in the linking note's folder, else the shortest path, and say the name is ambiguous;
* a heading link matches after replacing ``[ ] | # ^ :`` by spaces and collapsing whitespace,
  case-insensitively; a section runs to the next heading of the same or a higher level;
* ``^id`` names the paragraph, list item or block it ends (or the block above a line that holds
  only ``^id``);
* nothing inside a code span, a fenced code block or a ``%% comment %%`` is a link.
"""

from __future__ import annotations

import functools
import logging
import posixpath
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import unquote

from mkdeck.codes import register
from mkdeck.model import Diagnostic, NoteFile, Severity, SourceLocation, Vault
from mkdeck.scan import WIKILINK_RE, code_spans, frontmatter_end, scan_lines

LOG = logging.getLogger(__name__)

# --- diagnostic codes (MKD201-MKD219: links and embeds) -------------------------------------

LINK_UNRESOLVED = register(
    "MKD201", Severity.WARNING, "link target not found",
    fix="Create the note, or fix the link's spelling (the target is the note's file name "
        "without .md, or its path in the vault).",
    bad="see [[li forkk]]", good="see [[li fork]]",
)
LINK_AMBIGUOUS = register(
    "MKD202", Severity.WARNING, "ambiguous link",
    fix="Several notes have this name; write the path (`[[folder/name]]`) to pick one.",
    bad="[[index]]", good="[[linux/index]]",
)
LINK_SUBPATH_MISSING = register(
    "MKD203", Severity.WARNING, "heading or block not found",
    fix="The note exists but has no such heading or ^block id; fix the part after `#`.",
    bad="[[li fork#forking]]", good="[[li fork#fork]]",
)
EMBED_UNRESOLVED = register(
    "MKD204", Severity.WARNING, "embedded note not found",
    fix="Create the note or fix the embed's target; the card shows a placeholder meanwhile.",
    bad="![[li forkk#fork]]", good="![[li fork#fork]]",
)
PATH_OUTSIDE_VAULT = register(
    "MKD207", Severity.WARNING, "path leaves the vault",
    fix="mkdeck never reads files outside the vault; move the file into the vault and link "
        "it by a path inside it.",
    bad="![](../../etc/passwd.png)", good="![](attachments/diagram.png)",
)
MEDIA_MISSING = register(
    "MKD210", Severity.WARNING, "media file not found",
    fix="Put the file in the vault (any folder: it is found by name) or fix the path; the card "
        "refers to it by name meanwhile.",
    bad="![[Pasted image 2024.png]] with no such file", good="![[Pasted image 2024.png]]",
)


# --- links ------------------------------------------------------------------------------------


_HEADING_RE = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$")
_BLOCK_ID_RE = re.compile(r"(?:^|\s)\^([A-Za-z0-9-]+)\s*$")
_HEADING_PUNCT_RE = re.compile(r"[\[\]|#^:]")
_SPACE_RE = re.compile(r"\s+")


@dataclass(frozen=True, slots=True)
class LinkTarget:
    """A parsed ``[[target#subpath|alias]]``.

    Attributes:
        raw: the whole link as written (``"![[li fork#fork|f]]"``).
        target: the note or file part, stripped (``""`` for ``[[#heading]]``).
        subpath: what follows the first ``#`` (a heading path, or ``"^blockid"``), or ``None``.
        alias: the display text after ``|`` (``\\|`` counts, as in tables), or ``None``.
        embed: ``True`` for ``![[…]]``.
    """

    raw: str
    target: str
    subpath: str | None
    alias: str | None
    embed: bool

    @property
    def display(self) -> str:
        """What Obsidian shows: the alias, else ``target > heading`` (``heading`` alone for
        ``[[#heading]]``), else the target."""
        if self.alias is not None and self.alias.strip():
            return self.alias.strip()
        if self.subpath:
            parts = [p.strip() for p in self.subpath.split("#") if p.strip()]
            if self.target:
                return " > ".join([self.target, *parts])
            return " > ".join(parts)
        return self.target


def parse_link(inner: str, embed: bool = False) -> LinkTarget:
    """Parse the text between ``[[`` and ``]]``.

    Args:
        inner: e.g. ``"li fork#fork|the fork"``; ``\\|`` is read as ``|`` (Obsidian tables).
        embed: whether the link was written ``![[…]]``.

    Returns:
        A :class:`LinkTarget`; never raises.
    """
    text = inner.replace("\\|", "|")
    alias: str | None = None
    if "|" in text:
        text, alias = text.split("|", 1)
    subpath: str | None = None
    if "#" in text:
        text, subpath = text.split("#", 1)
        subpath = subpath.strip()
    raw = ("!" if embed else "") + "[[" + inner + "]]"
    return LinkTarget(raw, text.strip(), subpath, alias, embed)


def fold(text: str) -> str:
    """``text`` for comparing names as Obsidian does: case folded and NFC-normalized, so a
    link typed ``[[café]]`` (NFC, as keyboards write it) finds ``café.md`` stored in NFD (as
    macOS writes file names), and the other way round."""
    return unicodedata.normalize("NFC", unicodedata.normalize("NFC", text).casefold())


def heading_key(text: str) -> str:
    """Obsidian's heading-match key: ``[ ] | # ^ :`` become spaces, whitespace collapses,
    case folded. ``heading_key("[[li fork|fork]]") == heading_key("li fork fork")``."""
    return fold(_SPACE_RE.sub(" ", _HEADING_PUNCT_RE.sub(" ", text)).strip())


@dataclass(frozen=True, slots=True)
class Heading:
    """A heading of a note: ``level`` 1-6, ``text`` as written, ``line`` 1-based, ``key`` the
    :func:`heading_key` of the text."""

    level: int
    text: str
    line: int
    key: str


@dataclass(frozen=True, slots=True)
class Resolution:
    """The outcome of resolving a link target.

    Attributes:
        path: vault-relative path of the file found, or ``None``.
        candidates: every file that matched by name, when more than one did (ambiguous).
        outside: ``True`` when the target is a path that leaves the vault (never read).
    """

    path: str | None
    candidates: tuple[str, ...] = ()
    outside: bool = False

    @property
    def ambiguous(self) -> bool:
        """Several files matched the name; ``path`` is the one picked."""
        return len(self.candidates) > 1


def _split_dir(path: str) -> str:
    return path.rsplit("/", 1)[0] if "/" in path else ""


def _inside(pos: int, spans: Sequence[tuple[int, int]]) -> bool:
    return any(a <= pos < b for a, b in spans)


def find_links(line: str, spans: Sequence[tuple[int, int]]
               ) -> list[tuple[re.Match[str], LinkTarget]]:
    """Wikilinks and embeds of one line that are not inside ``spans`` (see :func:`code_spans`)."""
    found = []
    for m in WIKILINK_RE.finditer(line):
        if not _inside(m.start(), spans):
            found.append((m, parse_link(m.group(2), bool(m.group(1)))))
    return found


class VaultIndex:
    """Obsidian link resolution over one vault: notes by path and name, their headings and
    block ids, and attachments.

    Args:
        vault: the :class:`~mkdeck.model.Vault` (every note, selected or not, and every
            attachment path). Nothing is read from disk.
    """

    def __init__(self, vault: Vault) -> None:
        self.vault = vault
        self._notes: dict[str, NoteFile] = {f.path: f for f in vault.files}
        self._all: dict[str, str] = {}  # folded path -> path (notes and attachments)
        self._by_name: dict[str, list[str]] = {}  # folded name -> paths
        self._attachments = set(vault.attachments)
        for f in vault.files:
            self._add(f.path, f.stem)
        for path in vault.attachments:
            self._add(path, None)
        # notes that exist but were not read (each has its own finding): a link to one
        # resolves, so it is reported once, not at every link; an embed shows a placeholder
        self._skipped = set(vault.skipped)
        for path in vault.skipped:
            self._add(path, path.rsplit("/", 1)[-1][:-3])
        self._texts: dict[str, str] = {}
        self._lines: dict[str, list[str]] = {}
        self._headings: dict[str, tuple[Heading, ...]] = {}
        self._blocks: dict[str, dict[str, int]] = {}

    def _add(self, path: str, stem: str | None) -> None:
        self._all.setdefault(fold(path), path)
        base = path.rsplit("/", 1)[-1]
        self._by_name.setdefault(fold(base), []).append(path)
        if stem is not None:  # a note is also found by its name without .md
            self._by_name.setdefault(fold(stem), []).append(path)

    # -- files --------------------------------------------------------------------------------

    def note(self, path: str) -> NoteFile | None:
        """The note at vault-relative ``path``, or ``None``."""
        return self._notes.get(path)

    def is_note(self, path: str) -> bool:
        """``True`` when ``path`` is a markdown note of the vault."""
        return path in self._notes

    def is_skipped(self, path: str) -> bool:
        """``True`` when ``path`` is a note of the vault that was not read (see
        :attr:`~mkdeck.model.Vault.skipped`)."""
        return path in self._skipped

    def is_note_embed(self, target: str, from_path: str) -> bool:
        """``True`` when ``![[target]]`` embeds a note (to expand) rather than a file: the
        target resolves to a note (``![[Node.js]]`` with ``Node.js.md``, or a note that was
        not read), or it resolves to nothing and has no file extension."""
        res = self.resolve(target, from_path)
        if res.path is not None:
            return res.path in self._notes or res.path in self._skipped
        return is_note_target(target) and not res.outside

    def text(self, path: str) -> str:
        """The note's text; ``""`` for an unknown path. Read from its
        :class:`~mkdeck.model.NoteFile` once per index (a
        :class:`~mkdeck.model.PackedNoteFile` inflates its text at each read)."""
        cached = self._texts.get(path)
        if cached is None:
            f = self._notes.get(path)
            cached = self._texts[path] = f.text if f is not None else ""
        return cached

    def lines(self, path: str) -> list[str]:
        """The note's lines (``text.split("\\n")``); ``[]`` for an unknown path."""
        cached = self._lines.get(path)
        if cached is None:
            cached = self.text(path).split("\n") if path in self._notes else []
            self._lines[path] = cached
        return cached

    def resolve(self, target: str, from_path: str) -> Resolution:
        """Find the file a link target means (Obsidian ``getFirstLinkpathDest``).

        Args:
            target: the link target as written, ``%20`` and friends decoded here; without
                ``#subpath`` or ``|alias``. ``""`` means the linking note itself.
            from_path: vault-relative path of the note the link is written in.

        Returns:
            A :class:`Resolution`. A path starting with ``/`` is from the vault root, one
            starting with ``./``/``../`` from the note's folder; other targets are tried
            relative to the note's folder, then from the vault root, then as a name anywhere (a
            path suffix when the target holds ``/``), each also with ``.md`` appended; paths
            first with exact case, then case-insensitively; names case-insensitively.
        """
        target = unquote(target.strip()).replace("\\", "/")
        if not target:
            return Resolution(from_path)
        folder = _split_dir(from_path)
        if target.startswith("/"):
            candidates_paths = [posixpath.normpath(target.lstrip("/"))]
        elif target.startswith(("./", "../")):
            candidates_paths = [posixpath.normpath(posixpath.join(folder, target))]
        else:  # the note's own folder first (markdown's relative paths), then the root
            candidates_paths = [posixpath.normpath(target)]
            if folder:
                candidates_paths.insert(0, posixpath.normpath(posixpath.join(folder, target)))
        explicit = target.startswith(("/", "./", "../"))
        outside = any(c == ".." or c.startswith(("../", "/")) for c in candidates_paths)
        inside = [c for c in candidates_paths if not (c == ".." or c.startswith(("../", "/")))]
        for cand in inside:  # exact path, exact case
            for c in (cand, cand + ".md"):
                if c in self._notes or c in self._attachments:
                    return Resolution(c)
        if outside and explicit and not inside:
            return Resolution(None, outside=True)
        name = target.rstrip("/").rsplit("/", 1)[-1]
        by_name = list(dict.fromkeys(self._by_name.get(fold(name), [])))
        if "/" in target.strip("/") and not explicit:
            suffix = "/" + fold(target.strip("/"))
            by_name = [p for p in by_name
                       if ("/" + fold(p)).endswith(suffix)
                       or ("/" + fold(p)).endswith(suffix + ".md")]
        elif explicit:
            by_name = []
        for cand in inside:  # the path again, any case
            for c in (cand, cand + ".md"):
                hit = self._all.get(fold(c))
                if hit is not None:
                    return Resolution(hit)
        if by_name:  # the name anywhere, any case
            return self._pick(by_name, folder)
        return Resolution(None, outside=outside)

    @staticmethod
    def _pick(matches: list[str], folder: str) -> Resolution:
        """One of several name matches: the only one, else the one in the linking note's
        folder, else the shortest path (ambiguous)."""
        if len(matches) == 1:
            return Resolution(matches[0])
        same = [p for p in matches if _split_dir(p) == folder]
        if len(same) == 1:  # the linking note's folder wins, as in Obsidian
            return Resolution(same[0])
        pick = min(matches, key=lambda p: (len(p), p))
        return Resolution(pick, tuple(sorted(matches)))

    # -- headings and blocks --------------------------------------------------------------------

    def headings(self, path: str) -> tuple[Heading, ...]:
        """ATX headings of the note outside frontmatter, code and comments, in order (a
        ``%% comment %%`` in a heading is not part of its text)."""
        cached = self._headings.get(path)
        if cached is not None:
            return cached
        lines = self.lines(path)
        start = frontmatter_end(lines)
        scans = scan_lines(lines[start:])
        found = []
        for i in range(start, len(lines)):
            spans = scans[i - start]
            line = lines[i]
            if spans and spans[0][:2] == (0, len(line)) and line:
                continue  # fenced code or a comment line
            comments = [(a, b) for a, b, kind in spans if kind == "comment"]
            for a, b in reversed(comments):  # "## Flashcards %% fold %%" is "Flashcards"
                line = line[:a] + line[b:]
            m = _HEADING_RE.match(line)
            if m:
                text = (m.group(2) or "").strip()
                found.append(Heading(len(m.group(1)), text, i + 1, heading_key(text)))
        result = tuple(found)
        self._headings[path] = result
        return result

    def section(self, path: str, subpath: str) -> tuple[int, int] | None:
        """Lines of the section under a heading: ``(first, end)`` 1-based, ``end`` exclusive,
        the heading line included, or ``None`` when no heading matches.

        ``subpath`` is the part after ``#``: one heading, or ``a#b`` for heading ``b`` under
        ``a`` (Obsidian nested heading links). The section runs to the next heading of the
        same or a higher level, or the end of the note.
        """
        heads = self.headings(path)
        wanted = heading_key(subpath)
        idx = next((i for i, h in enumerate(heads) if h.key == wanted), None)
        if idx is None and "#" in subpath:
            idx = -1
            for part in (p for p in subpath.split("#") if p.strip()):
                key = heading_key(part)
                idx = next((i for i in range(idx + 1, len(heads)) if heads[i].key == key), None)
                if idx is None:
                    break
        if idx is None or idx < 0:
            return None
        head = heads[idx]
        end = len(self.lines(path)) + 1
        for h in heads[idx + 1:]:
            if h.level <= head.level:
                end = h.line
                break
        return head.line, end

    def block(self, path: str, block_id: str) -> tuple[int, int] | None:
        """Lines ``(first, end)`` (1-based, end exclusive) of the block that ends with
        ``^block_id``, or ``None``. A list item is its own line; a paragraph runs up from the
        id to the previous blank line; a line holding only ``^id`` names the block above it."""
        ids = self._blocks.get(path)
        lines = self.lines(path)
        if ids is None:
            ids = {}
            spans = code_spans(lines)
            for i, line in enumerate(lines):
                m = _BLOCK_ID_RE.search(line)
                if m and not _inside(m.start(1), spans[i]):
                    ids.setdefault(m.group(1).casefold(), i)
            self._blocks[path] = ids
        found = ids.get(block_id.lstrip("^").casefold())
        if found is None:
            return None
        i = found
        line = lines[i]
        if line.strip().startswith("^"):  # standalone id: the block above
            end = i
            while end > 0 and not lines[end - 1].strip():
                end -= 1
            if end == 0:
                return None
            i, line = end - 1, lines[end - 1]
        if re.match(r"^\s*(?:[-*+]|\d+[.)])\s", line):
            return i + 1, i + 2
        first = i
        while first > 0 and lines[first - 1].strip() and not _HEADING_RE.match(lines[first - 1]):
            first -= 1
        return first + 1, i + 2

    def body_range(self, path: str) -> tuple[int, int]:
        """Lines ``(first, end)`` of a whole note without its frontmatter (1-based, end
        exclusive)."""
        lines = self.lines(path)
        return frontmatter_end(lines) + 1, len(lines) + 1


NOTE_EMBED_EXTENSIONS = ("", ".md")


def is_note_target(target: str) -> bool:
    """``True`` when an embed target names a note (no file extension, or ``.md``) rather
    than an attachment."""
    name = target.rsplit("/", 1)[-1]
    ext = posixpath.splitext(name)[1].casefold()
    return ext in NOTE_EMBED_EXTENSIONS or not re.fullmatch(r"\.[a-z0-9]{1,5}", ext)


# --- diagnostics shared by the renderer ---------------------------------------------------


@functools.lru_cache(maxsize=4096)
def _repaired(text: str) -> str:
    import ftfy  # here: only an unresolved link needs it (45 ms of every build's imports)

    return ftfy.fix_text(text)


def unresolved_message(index: VaultIndex, link: LinkTarget, from_path: str,
                       what: str = "link") -> str:
    """The message for a link or embed whose target is not found, naming the ftfy-repaired
    target (and whether that resolves) when the target looks like mojibake."""
    msg = f"{what} target {link.target!r} is not a note or file of the vault"
    fixed = _repaired(link.target)
    if fixed != link.target:
        res = index.resolve(fixed, from_path)
        if res.path is not None:
            msg += (f"; the text looks garbled (mojibake): ftfy repairs it to {fixed!r}, which "
                    f"resolves to {res.path!r}: write [[{fixed}]]")
        else:
            msg += (f"; the text looks garbled (mojibake): ftfy repairs it to {fixed!r}, which "
                    f"does not resolve either: fix the encoding and the name")
    else:
        msg += "; create the note or fix the spelling"
    return msg


def link_diagnostics(index: VaultIndex, link: LinkTarget, res: Resolution,
                     at: SourceLocation, what: str = "link") -> list[Diagnostic]:
    """Diagnostics for one resolved (or not) link: unresolved, ambiguous, outside the vault,
    or a missing heading/block. ``what`` names it in messages (``"link"``, ``"embed"``)."""
    out: list[Diagnostic] = []
    if res.outside:
        out.append(PATH_OUTSIDE_VAULT.at(
            at, f"{what} target {link.target!r} leaves the vault; it is never read: move the "
                f"file into the vault"))
        return out
    if res.path is None:
        code = EMBED_UNRESOLVED if what == "embed" else LINK_UNRESOLVED
        out.append(code.at(at, unresolved_message(index, link, at.path, what)))
        return out
    if res.ambiguous:
        out.append(LINK_AMBIGUOUS.at(
            at, f"{what} target {link.target!r} matches {len(res.candidates)} files "
                f"({', '.join(res.candidates)}); using {res.path!r}: write its path to choose"))
    if link.subpath and index.is_note(res.path):
        if link.subpath.startswith("^"):
            found = index.block(res.path, link.subpath[1:]) is not None
            kind = "block id"
        else:
            found = index.section(res.path, link.subpath) is not None
            kind = "heading"
        if not found:
            out.append(LINK_SUBPATH_MISSING.at(
                at, f"{what} {link.raw}: {res.path!r} has no {kind} "
                    f"{link.subpath!r}; fix the part after '#'"))
    return out
