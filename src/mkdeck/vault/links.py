"""Obsidian link resolution over a vault, and offline expansion of note embeds.

:class:`VaultIndex` answers "which file does ``[[target]]`` written in ``from_path`` mean?",
"which lines are the section under heading *h*?" and "which lines are block ``^id``?" the way
Obsidian does. :func:`expand_embeds` splices ``![[note#heading]]`` embeds into a field's lines,
keeping for every line the file and line it was written at (the verifier reads claims through it).

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

import ftfy

from mkdeck.codes import register
from mkdeck.scan import WIKILINK_RE, code_spans, frontmatter_end, scan_lines
from mkdeck.model import Diagnostic, Field, Note, NoteFile, Severity, SourceLocation, Vault

LOG = logging.getLogger(__name__)

MAX_EMBED_DEPTH = 5
"""Nested note embeds deeper than this are cut (Obsidian stops at a similar depth)."""

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
EMBED_CYCLE = register(
    "MKD205", Severity.WARNING, "embed cycle",
    fix="A note embeds itself through other embeds; remove one embed of the cycle.",
    bad="a.md: ![[b]]  b.md: ![[a]]", good="a.md: [[b]]  b.md: ![[a]]",
)
EMBED_TOO_DEEP = register(
    "MKD206", Severity.WARNING, "embeds nested too deeply",
    fix=f"Embeds are expanded {MAX_EMBED_DEPTH} levels deep; link to the deeper note instead.",
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
_CONTAINER_RE = re.compile(r"^((?:[ \t]*>[ \t]?)*)([ \t]*(?:[-*+]|\d{1,9}[.)])[ \t]+)?")


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

    def is_note_embed(self, target: str, from_path: str) -> bool:
        """``True`` when ``![[target]]`` embeds a note (to expand) rather than a file: the
        target resolves to a note (``![[Node.js]]`` with ``Node.js.md``), or it resolves to
        nothing and has no file extension."""
        res = self.resolve(target, from_path)
        if res.path is not None:
            return res.path in self._notes
        return is_note_target(target) and not res.outside

    def lines(self, path: str) -> list[str]:
        """The note's lines (``text.split("\\n")``); ``[]`` for an unknown path."""
        cached = self._lines.get(path)
        if cached is None:
            f = self._notes.get(path)
            cached = f.text.split("\n") if f is not None else []
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


# --- diagnostics shared by the renderer ---------------------------------------------------


@functools.lru_cache(maxsize=4096)
def _repaired(text: str) -> str:
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


# --- embeds ---------------------------------------------------------------------------------

NOTE_EMBED_EXTENSIONS = ("", ".md")


def is_note_target(target: str) -> bool:
    """``True`` when an embed target names a note (no file extension, or ``.md``) rather
    than an attachment."""
    name = target.rsplit("/", 1)[-1]
    ext = posixpath.splitext(name)[1].casefold()
    return ext in NOTE_EMBED_EXTENSIONS or not re.fullmatch(r"\.[a-z0-9]{1,5}", ext)


Line = tuple[str, SourceLocation]


def expand_lines(lines: Sequence[Line], index: VaultIndex, *,
                 chain: tuple[tuple[str, str], ...] = (),
                 diagnostics: list[Diagnostic] | None = None) -> list[Line]:
    """Expand note embeds in ``lines`` (each paired with where it was written).

    An embed that is the whole line is replaced by the embedded lines; one inside text splits
    the line around them. Embeds in code or comments stay. An embed that cannot be expanded
    (missing note, heading or block, a cycle, depth over :data:`MAX_EMBED_DEPTH`) stays as
    written and adds a diagnostic to ``diagnostics`` (the renderer shows a placeholder).

    Args:
        lines: ``(text, location)`` pairs.
        index: the vault's :class:`VaultIndex`.
        chain: the ``(path, subpath key)`` embeds being expanded around these lines.
        diagnostics: list to append warnings to, or ``None`` to drop them.

    Returns:
        The expanded ``(text, location)`` pairs.
    """
    diags = diagnostics if diagnostics is not None else []
    texts = [t for t, _ in lines]
    spans = code_spans(texts)
    out: list[Line] = []
    gap_after: SourceLocation | None = None  # an embed just ended: separate what follows

    def emit(text: str, loc: SourceLocation) -> None:
        nonlocal gap_after
        if gap_after is not None and text.strip():
            out.append(("", gap_after))
        gap_after = None
        out.append((text, loc))

    for (text, loc), sp in zip(lines, spans, strict=True):
        links = [(m, lt) for m, lt in find_links(text, sp)
                 if lt.embed and index.is_note_embed(lt.target, loc.path)]
        if not links:
            emit(text, loc)
            continue
        # an embed inside a quote or list item stays inside it: its lines get the container's
        # continuation prefix ("> " or the list item's indentation)
        c = _CONTAINER_RE.match(text)
        quote, marker = (c.group(1) or "", c.group(2) or "") if c else ("", "")
        cont = quote + " " * len(marker)
        pos = 0
        for m, link in links:
            embedded = _embed(link, index, loc, chain, diags)
            if embedded is None:
                continue
            before = text[pos:m.start()]
            if pos == 0 and (quote or marker):
                emit(before.rstrip(), loc)  # the container's first line ("- see", ">")
            elif before.strip():
                emit(cont + before.strip() if pos else before.rstrip(), loc)
            elif gap_after is not None:
                gap_after = None
            if not cont and out and out[-1][0].strip():
                out.append(("", loc))  # an embed is a block of its own (Obsidian)
            if cont:
                out.extend(((cont + t) if t.strip() else cont.rstrip(), where)
                           for t, where in embedded)
            else:
                out.extend(embedded)
                gap_after = loc
            pos = m.end()
        rest = text[pos:]
        if pos == 0:
            emit(rest, loc)
        elif rest.strip():
            emit(cont + rest.strip() if cont else rest, loc)
    return out


def _embed(link: LinkTarget, index: VaultIndex, at: SourceLocation,
           chain: tuple[tuple[str, str], ...], diags: list[Diagnostic]) -> list[Line] | None:
    res = index.resolve(link.target, at.path)
    if res.path is None or not index.is_note(res.path):
        diags.extend(link_diagnostics(index, link, res, at, "embed"))
        return None
    if res.ambiguous:
        diags.append(link_diagnostics(index, link, res, at, "embed")[0])
    sub = link.subpath or ""
    key = (res.path, heading_key(sub) if not sub.startswith("^") else sub.casefold())
    if key in chain:
        cycle = " -> ".join(f"{p}#{s}" if s else p for p, s in (*chain, key))
        diags.append(EMBED_CYCLE.at(at, f"embed {link.raw} is a cycle ({cycle}); it is not "
                                        f"expanded: remove one embed of the cycle"))
        return None
    if len(chain) >= MAX_EMBED_DEPTH:
        diags.append(EMBED_TOO_DEEP.at(at, f"embed {link.raw} is nested more than "
                                           f"{MAX_EMBED_DEPTH} deep; it is not expanded: link "
                                           f"to the note instead"))
        return None
    if not sub:
        rng: tuple[int, int] | None = index.body_range(res.path)
    elif sub.startswith("^"):
        rng = index.block(res.path, sub[1:])
    else:
        rng = index.section(res.path, sub)
    if rng is None:
        kind = "block id" if sub.startswith("^") else "heading"
        diags.append(LINK_SUBPATH_MISSING.at(
            at, f"embed {link.raw}: {res.path!r} has no {kind} {sub!r}; it is shown as a "
                f"placeholder: fix the part after '#'"))
        return None
    src = index.lines(res.path)
    first, end = rng
    while end > first and not src[end - 2].strip():
        end -= 1
    part = [(src[i - 1], SourceLocation(res.path, i)) for i in range(first, end)]
    return expand_lines(part, index, chain=(*chain, key), diagnostics=diags)


def field_lines(field: Field) -> list[Line]:
    """The field's markdown lines, each with the file line it was written at."""
    if not field.markdown:
        return []
    path = field.location.path
    return [(text, SourceLocation(path, field.line_of(i)))
            for i, text in enumerate(field.markdown.split("\n"))]


def expand_embeds(field: Field, note: Note, index: VaultIndex) -> list[tuple[str, SourceLocation]]:
    """The field's markdown lines with ``![[note]]``, ``![[note#heading]]`` and
    ``![[note#^block]]`` embeds expanded (depth ≤ 5, cycles cut), each line paired with the
    file and line it was written at. Embeds that cannot be expanded stay as written.

    Args:
        field: a field of ``note``.
        note: the note (its path is where links resolve from).
        index: the vault's :class:`VaultIndex`.

    Returns:
        ``[(markdown line, SourceLocation)]``; ``[]`` for an empty field.
    """
    del note  # the field's own location names the file
    return expand_lines(field_lines(field), index)
