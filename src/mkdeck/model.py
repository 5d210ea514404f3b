"""mkdeck's data model: what a vault of notes means, independent of how it is read or written.

Data flows one way: files -> parse -> this model -> (render -> export) | (verify -> report).
This module imports nothing from mkdeck. Every value is a frozen dataclass; every note, field,
claim and diagnostic carries a :class:`SourceLocation` that points at the real line in the file
(1-based, frontmatter included, path relative to the vault root with ``/`` separators).

Terms follow Anki (*note*, *card*, *note type*, *field*, *deck*, *guid*, *tag*, *media*) and
Obsidian (*vault*, *wikilink*, *embed*, *frontmatter*, *heading*, *block id*, *callout*).
"""

from __future__ import annotations

import enum
import re
import zlib
from dataclasses import dataclass, field
from typing import Literal


@dataclass(frozen=True, slots=True, order=True)
class SourceLocation:
    """Where something was written.

    Attributes:
        path: path of the note file relative to the vault root, POSIX separators
            (``"sub/li clone.md"``). For diagnostics about the vault or config as a whole it
            may be the config file's relative path, or ``"."`` for the vault itself.
        line: 1-based line number in the file as stored on disk (frontmatter counted; CRLF,
            CR and LF each end one line). ``0`` only for findings about a whole file.
        column: 1-based column (in characters) where known, else ``None``.
    """

    path: str
    line: int
    column: int | None = None

    def __str__(self) -> str:
        if self.column is not None:
            return f"{self.path}:{self.line}:{self.column}"
        return f"{self.path}:{self.line}"


_SURROGATE_RE = re.compile("[\ud800-\udfff]")


def escape_surrogates(text: str) -> str:
    """``text`` with each lone surrogate written as an escape: ``os.fsdecode``'s escapes of
    undecodable bytes (U+DC80..U+DCFF) as ``\\xNN`` (the byte), others as ``\\uNNNN``; the
    result can be encoded as UTF-8."""
    def one(m: re.Match[str]) -> str:
        cp = ord(m.group())
        return f"\\x{cp - 0xDC00:02x}" if 0xDC80 <= cp <= 0xDCFF else f"\\u{cp:04x}"

    return _SURROGATE_RE.sub(one, text)


class Severity(str, enum.Enum):
    """How bad a diagnostic is. ``error``: input that loses a note or makes a bad deck;
    ``warning``: input that is probably not what the author meant; ``info``: worth knowing."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One finding about the input, as data (never an exception).

    Attributes:
        code: stable code such as ``"MKD101"`` (see ``mkdeck.codes`` for the registry).
        severity: :class:`Severity`.
        location: where the problem is written.
        message: what is wrong and how to fix the input, one sentence or two.
    """

    code: str
    severity: Severity
    location: SourceLocation
    message: str

    def __post_init__(self) -> None:
        # A file name that is not UTF-8 reaches Python as lone surrogates (os.fsdecode's
        # escapes), which no JSON, XML or SARIF writer can encode: show them as \xNN.
        if _SURROGATE_RE.search(self.message):
            object.__setattr__(self, "message", escape_surrogates(self.message))
        if _SURROGATE_RE.search(self.location.path):
            object.__setattr__(self, "location", SourceLocation(
                escape_surrogates(self.location.path), self.location.line,
                self.location.column))

    def sort_key(self) -> tuple[str, int, int, str, str]:
        """Key that orders diagnostics by file, line, column, code, message."""
        loc = self.location
        return (loc.path, loc.line, loc.column or 0, self.code, self.message)

    def to_dict(self) -> dict[str, object]:
        """JSON shape shared by ``dump``, ``check --format json`` and ``verify``:
        ``{"path", "line", "column"?, "code", "severity", "message"}``."""
        out: dict[str, object] = {"path": self.location.path, "line": self.location.line}
        if self.location.column is not None:
            out["column"] = self.location.column
        out.update(code=self.code, severity=self.severity.value, message=self.message)
        return out


NoteTypeKind = Literal["standard", "cloze"]


@dataclass(frozen=True, slots=True)
class NoteType:
    """An Anki note type as mkdeck knows it.

    Attributes:
        name: canonical name used in the model and in ``dump`` (``"Basic"``, ``"Cloze"``,
            or a custom name from config such as ``"FIT-Card"``).
        fields: field names in Anki order; the first is the implicit field of a block.
        base: the stock Anki note type whose templates this one uses: one of ``"Basic"``,
            ``"Basic (and reversed card)"``, ``"Basic (optional reversed card)"``,
            ``"Basic (type in the answer)"``, ``"Cloze"``.
        aliases: other names that select this type in a block's note-type line (Anki's
            localized names, e.g. ``"问答题"``), matched case-insensitively.
        field_aliases: localized field name -> canonical field name (``"正面"`` -> ``"Front"``).
    """

    name: str
    fields: tuple[str, ...]
    base: str = "Basic"
    aliases: tuple[str, ...] = ()
    field_aliases: tuple[tuple[str, str], ...] = ()

    @property
    def kind(self) -> NoteTypeKind:
        """``"cloze"`` when the base is Anki's Cloze, else ``"standard"``."""
        return "cloze" if self.base == "Cloze" else "standard"


@dataclass(frozen=True, slots=True)
class Field:
    """One field of a note, as markdown.

    Attributes:
        name: canonical field name (one of the note type's ``fields``).
        markdown: the field's text, LF line endings, callout prefixes stripped, trimmed.
            ``FROZEN`` text, when any, is appended (after a newline).
        location: where the field's first line of text is (for an empty field: where the
            field starts, or the note's START line).
        lines: for each line of ``markdown`` (``markdown.split("\\n")``), its 1-based line
            in the file; lines that did not come from the file (FROZEN text appended from
            elsewhere) carry the line they were written at. ``len(lines)`` equals the number
            of lines of ``markdown``; empty tuple for an empty field.
        html_suffix: HTML appended after the field's rendered markdown, as the
            Obsidian_to_Anki plugin appends it after converting (``Add File Link``: the
            ``<br><a …>Obsidian</a>`` link; ``Add Context``: the ``path > Heading`` breadcrumb);
            ``""`` for none.
    """

    name: str
    markdown: str
    location: SourceLocation
    lines: tuple[int, ...] = ()
    html_suffix: str = ""

    def line_of(self, index: int) -> int:
        """1-based file line of the ``index``-th (0-based) line of ``markdown``.

        Falls back to ``location.line`` when the index is out of range."""
        if 0 <= index < len(self.lines):
            return self.lines[index]
        return self.location.line


NoteKind = Literal["block", "inline", "regex", "sr"]


@dataclass(frozen=True, slots=True)
class Note:
    """One Anki note written in the vault (a START…END block, a STARTI…ENDI span, a match of
    a regex note style, or an obsidian-spaced-repetition card).

    Attributes:
        location: the line of ``START`` (or ``STARTI``, or where a regex style's match starts,
            with its column).
        note_type: the resolved :class:`NoteType`.
        fields: one :class:`Field` per field of the note type, in note-type order (missing
            fields are present with empty markdown).
        deck: full deck name, ``::`` separating subdecks (``"Linux::Processes"``).
        tags: Anki tags in order of first appearance, no spaces, ``/`` written as ``::``.
        id: the number in ``<!--ID: n-->`` (the plugin's Anki note id), or ``None``.
        kind: ``"block"``, ``"inline"``, ``"regex"`` or ``"sr"`` (an obsidian-spaced-repetition
            card, read with ``Config.spaced_repetition``; it has no ID comment).
        end_line: the line of ``END`` (for inline notes, the same line as START; for regex
            notes, the line of the first character after the match; for spaced-repetition
            cards, their last line).
        id_line: the line holding the ID comment, or ``None``.
        end_column: for regex notes, the 1-based column of the first character after the
            match on ``end_line`` (where the plugin writes the ID); else ``None``.
    """

    location: SourceLocation
    note_type: NoteType
    fields: tuple[Field, ...]
    deck: str
    tags: tuple[str, ...] = ()
    id: int | None = None
    kind: NoteKind = "block"
    end_line: int = 0
    id_line: int | None = None
    end_column: int | None = None

    def field(self, name: str) -> Field | None:
        """The field called ``name`` (canonical name), or ``None``."""
        for f in self.fields:
            if f.name == name:
                return f
        return None

    @property
    def first_field(self) -> Field:
        """The note type's first field (Anki's sort field and identity field)."""
        return self.fields[0]


@dataclass(frozen=True, slots=True)
class NoteFile:
    """A markdown file of the vault, read once.

    Attributes:
        path: vault-relative POSIX path (``"sub/li clone.md"``).
        text: decoded text, UTF-8 BOM dropped, CRLF and CR turned into LF. Line ``n`` of the
            file is ``text.split("\\n")[n - 1]``.
        mtime: the file's modification time, whole seconds since the epoch.
        selected: ``True`` when the file is one the user asked for (cards come only from
            selected files; the others are read so links and embeds resolve).
    """

    path: str
    text: str
    mtime: int = 0
    selected: bool = True

    @property
    def stem(self) -> str:
        """File name without folders and without ``.md`` (Obsidian's note name)."""
        name = self.path.rsplit("/", 1)[-1]
        return name[:-3] if name.lower().endswith(".md") else name


class PackedNoteFile(NoteFile):
    """A :class:`NoteFile` that keeps its text deflated (zlib level 1: 3.4 times smaller for
    the benchmark vault's markdown) and inflates it at each read of :attr:`text`. ``mkdeck
    build`` keeps every note of the vault for links and embeds while it renders, plans and
    writes, and reads few of them again after parsing (issue 15: the texts were 58 MB of
    100,000 cards).

    Built like a :class:`NoteFile` (``PackedNoteFile(path, text, mtime, selected)``, also
    through :func:`dataclasses.replace`); equal to another packed file with the same path,
    text, mtime and selection; pickled as the plain :class:`NoteFile`. A reader that wants
    the text more than once keeps what ``text`` returned.
    """

    __slots__ = ("_deflated",)

    def __init__(self, path: str, text: str, mtime: int = 0, selected: bool = True) -> None:
        object.__setattr__(self, "path", path)
        object.__setattr__(self, "mtime", mtime)
        object.__setattr__(self, "selected", selected)
        # surrogatepass: a lone surrogate (an undecodable file name's escape) survives
        object.__setattr__(self, "_deflated",
                           zlib.compress(text.encode("utf-8", "surrogatepass"), 1))

    @property  # type: ignore[override]
    def text(self) -> str:
        """The decoded text, inflated anew at each read (see :class:`NoteFile`)."""
        return zlib.decompress(self._deflated).decode("utf-8", "surrogatepass")

    def __reduce__(self) -> tuple[type[NoteFile], tuple[str, str, int, bool]]:
        return NoteFile, (self.path, self.text, self.mtime, self.selected)


@dataclass(frozen=True, slots=True)
class FolderRule:
    """Deck and tags for every note under a vault folder (``folders:`` in ``mkdeck.yaml``,
    ``FOLDER_DECKS``/``FOLDER_TAGS`` in the plugin's ``data.json``)."""

    folder: str
    deck: str | None = None
    tags: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Syntax:
    """The markers of the card grammar (Obsidian_to_Anki's ``Syntax`` settings)."""

    start: str = "START"
    end: str = "END"
    start_inline: str = "STARTI"
    end_inline: str = "ENDI"
    target_deck: str = "TARGET DECK"
    file_tags: str = "FILE TAGS"
    delete: str = "DELETE"
    frozen: str = "FROZEN"


@dataclass(frozen=True, slots=True)
class RegexStyle:
    """A regex note style: the Obsidian_to_Anki plugin's ``CUSTOM_REGEXPS[note_type]``, or an
    entry of ``regex_styles:`` in ``mkdeck.yaml`` (a named style of the plugin's wiki, or a
    regex of the user's).

    Attributes:
        note_type: the note type its matches become (a name the note-type index resolves).
        pattern: the regex as the user wrote it, in JavaScript syntax (the plugin compiles it
            with ``new RegExp(pattern, "gm")``).
        setting: the setting that gives it, as the user would look for it
            (``CUSTOM_REGEXPS["Basic"]``, ``regex_styles[2]``).
        location: where that setting is written (``data.json`` or ``mkdeck.yaml`` and line).
        name: the wiki style's name (``"question-answer"``), or ``""`` for a user's regex.
    """

    note_type: str
    pattern: str
    setting: str
    location: SourceLocation
    name: str = ""


@dataclass(frozen=True, slots=True)
class PluginSettings:
    """The Obsidian_to_Anki plugin settings mkdeck reads beyond markers, decks and tags
    (``settings.Defaults`` and the per-note-type field maps of its ``data.json``).

    Attributes:
        add_context: ``Defaults."Add Context"``: append ``path > Heading > …`` to a field.
        context_fields: ``CONTEXT_FIELDS``: note type -> the field the context goes to; a
            type missing here gets no context (the plugin's own behaviour).
        add_file_link: ``Defaults."Add File Link"``: append a link back to the note file.
        file_link_fields: ``FILE_LINK_FIELDS``: note type -> field of the link (default: the
            type's first field).
        id_comments: ``Defaults."ID Comments"``: ``mkdeck ids`` writes ``<!--ID: n-->``
            (true) or a bare ``ID: n`` (false).
        default_tag: ``Defaults.Tag``, which the plugin adds to every note (mkdeck does not,
            unless ``tags:`` in ``mkdeck.yaml`` names it).
        default_deck: ``Defaults.Deck`` as written, ``None`` when data.json lacks it.
        location: the line of ``data.json`` that holds ``Defaults``.
    """

    add_context: bool = False
    context_fields: tuple[tuple[str, str], ...] = ()
    add_file_link: bool = False
    file_link_fields: tuple[tuple[str, str], ...] = ()
    id_comments: bool = True
    default_tag: str = ""
    default_deck: str | None = None
    location: SourceLocation | None = None


LinkStyle = Literal["text", "obsidian"]
HtmlMode = Literal["sanitize", "raw"]
LinkText = Literal["name", "alias"]
DeckFrom = Literal["config", "folders"]
NoteLink = Literal["none", "back"]


@dataclass(frozen=True, slots=True)
class Config:
    """Everything a vault's configuration says, merged (``--deck`` > ``mkdeck.yaml`` >
    the plugin's ``data.json`` > defaults).

    Attributes:
        deck: the default deck for notes without ``TARGET DECK`` or folder deck.
        note_types: custom note types (in addition to the built-in stock types).
        syntax: the markers.
        folders: folder rules, any order (the innermost folder's deck wins; tags add up).
        links: how wikilinks render: ``"text"`` (default) or ``"obsidian"`` URIs.
        curly_cloze: ``{a}`` / ``{2:a}`` become clozes in Cloze notes (plugin CurlyCloze).
        highlight_cloze: ``==a==`` becomes a cloze in Cloze notes.
        inline_tags: ``#tag`` in fields becomes a note tag.
        ignore: glob patterns (vault-relative) of files to skip.
        vault_name: the vault's name for ``obsidian://`` links (the root folder's name).
        source: vault-relative path of the config file read, or ``None``.
        regex_styles: regex note styles, in the order they run (earlier styles' matches win).
        scan_directory: vault-relative folder whose notes alone give cards (the plugin's
            ``Defaults."Scan Directory"``); ``""`` for the whole vault.
        tags: tags every note gets (``tags:`` in ``mkdeck.yaml``).
        plugin: the plugin's further settings, or ``None`` without a ``data.json``.
        html: the author's raw HTML: ``"sanitize"`` (default: scripts, event handlers,
            ``javascript:`` URLs, frames and forms removed, as Obsidian shows it) or ``"raw"``
            (kept as written).
        link_text: what a wikilink without ``|alias`` shows: ``"name"`` (the target as
            written, default) or ``"alias"`` (the target note's first frontmatter alias).
        link_prefix: prefixes removed from the start of a shown note name (``("li ",)``:
            ``[[li fork]]`` shows "fork").
        deck_from: ``"folders"``: a note without ``TARGET DECK``, frontmatter deck or folder
            rule goes to the deck its folder path names (``Parent/Child/x.md`` →
            ``Parent::Child``; a note at the vault root to ``deck``); ``"config"`` (default):
            to ``deck``.
        note_link: ``"back"``: each note's last field ends with an ``obsidian://open`` link to
            the note (its heading or block when there is one); ``"none"`` (default).
        spaced_repetition: also read obsidian-spaced-repetition's cards (``::``, ``:::``,
            ``?``, ``??``, ``==cloze==``) in the notes tagged ``#flashcards``.
        max_note_size: bytes read at most from one note (``max_note_size``); a larger note
            is a finding and is skipped.
        max_media_size: bytes read at most from one media file (``max_media_size``).
    """

    deck: str = "Default"
    note_types: tuple[NoteType, ...] = ()
    syntax: Syntax = field(default_factory=Syntax)
    folders: tuple[FolderRule, ...] = ()
    links: LinkStyle = "text"
    curly_cloze: bool = False
    highlight_cloze: bool = False
    inline_tags: bool = False
    ignore: tuple[str, ...] = ()
    vault_name: str = ""
    source: str | None = None
    regex_styles: tuple[RegexStyle, ...] = ()
    scan_directory: str = ""
    tags: tuple[str, ...] = ()
    plugin: PluginSettings | None = None
    html: HtmlMode = "sanitize"
    link_text: LinkText = "name"
    link_prefix: tuple[str, ...] = ()
    deck_from: DeckFrom = "config"
    note_link: NoteLink = "none"
    spaced_repetition: bool = False
    max_note_size: int = 10 * 1024 * 1024
    max_media_size: int = 100 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class Vault:
    """A vault as read from disk: its root, its notes, and every other file's path.

    Attributes:
        root: absolute path of the vault root (a ``str``, to keep the model free of I/O).
        name: the vault's name (the root folder's name).
        files: every markdown note, sorted by path.
        attachments: vault-relative paths of every non-markdown file (media candidates),
            sorted.
        config: the merged :class:`Config`.
        skipped: vault-relative paths of notes that exist but were not read (a finding says
            why: unreadable, a link out of the vault, not a regular file, too large); links to
            them resolve, so they are reported once, not at every link.
        leftovers: mkdeck's own temporary files left in the vault by a killed run.
    """

    root: str
    name: str
    files: tuple[NoteFile, ...]
    attachments: tuple[str, ...] = ()
    config: Config = field(default_factory=Config)
    skipped: tuple[str, ...] = ()
    leftovers: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ParseResult:
    """What parsing a vault gives: notes in vault order (sorted path, then document order)
    and every diagnostic of the reading and parsing stages."""

    vault: Vault
    notes: tuple[Note, ...]
    diagnostics: tuple[Diagnostic, ...] = ()


@dataclass(frozen=True, slots=True)
class MediaRef:
    """A media file a rendered note uses.

    Attributes:
        name: the file name inside the deck (``"pic.png"``, or ``"pic-1a2b3c4d.png"`` when
            two different files would share a name case-insensitively).
        path: vault-relative POSIX path of the source file.
        location: where the reference is written.
    """

    name: str
    path: str
    location: SourceLocation


@dataclass(frozen=True, slots=True)
class RenderedNote:
    """A note with its fields rendered to Anki HTML.

    Attributes:
        note: the parsed note.
        html: field name -> HTML, in note-type field order.
        media: media files the HTML references, each once, in order of first use.
        tags: inline ``#tags`` the rendered fields hold, embedded notes included (Anki form,
            ``/`` as ``::``), that ``note.tags`` lacks; empty unless ``config.inline_tags``.
            The note's full tag list is ``note.tags + tags``.
    """

    note: Note
    html: dict[str, str]
    media: tuple[MediaRef, ...] = ()
    tags: tuple[str, ...] = ()


Verdict = Literal["verified", "refuted", "inconclusive", "skipped"]


@dataclass(frozen=True, slots=True)
class Claim:
    """A checkable statement found in a card.

    Attributes:
        location: where the statement is written (through an embed: the embedded note's
            path and line).
        card_location: the START line of the card the statement belongs to.
        text: the statement as plain text (wikilinks reduced to their display text).
        subject: what the statement is about (``"fork"``), from the text or its heading.
        check: the catalogue check id that matched, or ``None`` when unchecked.
        polarity: ``True`` when the statement asserts the check's fact, ``False`` when it
            asserts its negation.
    """

    location: SourceLocation
    card_location: SourceLocation
    text: str
    subject: str | None = None
    check: str | None = None
    polarity: bool = True
