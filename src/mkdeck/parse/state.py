"""The state of parsing one note file (:class:`ParseState`), a note before it is finished
(:class:`Pending`), and the line helpers every grammar rule shares (callout prefixes, the END
marker, folder decks and tags). The codes declared here are raised by several rules."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from mkdeck.codes import Code, register
from mkdeck.config.notetypes import NoteTypeIndex
from mkdeck.model import (
    Config,
    Diagnostic,
    FolderRule,
    NoteFile,
    NoteType,
    Severity,
    SourceLocation,
)

LOG = logging.getLogger(__name__)


# Every field's line numbers point into one table of int objects: an int above 256 is an
# object of 28 bytes, and each field held its own (14 MB at 100,000 cards, issue 15).
_NUMBERS_LIMIT = 1 << 16
_numbers: tuple[int, ...] = tuple(range(4096))


def shared_numbers(numbers: tuple[int, ...]) -> tuple[int, ...]:
    """``numbers`` (a field's 1-based file lines) as a tuple equal to it whose items are
    shared with every other field's: a slice of one table of ints for a run of consecutive
    lines below 65,536 (what a field nearly always is), else item by item from the table where
    it reaches. Only memory changes: the result ``==`` ``numbers``.

    Args:
        numbers: non-empty tuple of line numbers.
    Returns:
        A tuple equal to ``numbers``.
    """
    global _numbers
    first, last = numbers[0], numbers[-1]
    if 0 <= first <= last < _NUMBERS_LIMIT:
        if last >= len(_numbers):
            _numbers = tuple(range(min(_NUMBERS_LIMIT, 2 * (last + 1))))
        run = _numbers[first:last + 1]
        if run == numbers:
            return run
    table = _numbers
    size = len(table)
    return tuple(table[n] if 0 <= n < size else n for n in numbers)


def shared_line(line: int) -> int:
    """``line`` (a 1-based file line) as the int object of :func:`shared_numbers`' table when
    the table reaches it, else ``line`` itself; equal either way."""
    table = _numbers
    return table[line] if 0 <= line < len(table) else line


class ParseState:
    """The state of parsing one file: its lines, the config, what was read so far (decks, file
    tags, frontmatter, FROZEN fields, the pending notes) and the diagnostics. The rules of
    :mod:`mkdeck.parse.rules` read and update it; :func:`mkdeck.parse.grammar.parse_file`
    drives them."""

    def __init__(self, note_file: NoteFile, config: Config, index: NoteTypeIndex) -> None:
        self.path = note_file.path
        self.lines = note_file.text.split("\n")
        self.config = config
        self.syntax = config.syntax
        self.index = index
        self.diagnostics: list[Diagnostic] = []
        self.pending: list[Pending] = []
        self.decks: list[str | None] = []  # TARGET DECK lines in file order (None: empty)
        self.deck_lines: list[int] = []  # the line of each of self.decks
        # what regex note styles must not match (mkdeck.parse.rules.regex): (first line, last
        # line), 1-based inclusive, and inline notes as (line, first column, column after),
        # 0-based columns
        self.blocked_lines: list[tuple[int, int]] = []
        self.blocked_inline: list[tuple[int, int, int]] = []
        self.body_start = 0  # index of the first line after the frontmatter
        self.headings: list[tuple[int, int, str]] | None = None  # parse.context, when needed
        self.file_tags: list[str] = []
        self.frontmatter_tags: list[str] = []
        self.frontmatter_deck: str | None = None
        self.frozen: dict[str, dict[str, list[tuple[int, str]]]] = {}
        self._lookahead: tuple[list[int], list[int], list[int]] | None = None
        self.prose: list[int] = []  # indexes of lines no card, marker or code claims
        self.start_like: str | None = None  # the last line like `%%START`: custom markers?
        self.foreign_deck: tuple[str, str, int] | None = None  # another tool's (key, deck, line)

    def loc(self, line: int, column: int | None = None) -> SourceLocation:
        return SourceLocation(self.path, shared_line(line), column)

    def report(self, code: Code, line: int, message: str, column: int | None = None) -> None:
        self.diagnostics.append(code.at(self.loc(line, column), message))

    def directive_value(self, i: int, content: str, s: str, marker: str,
                         what: str) -> tuple[int, str | None]:
        """Parse a ``MARKER: value`` / ``MARKER`` + next-line directive at line index ``i``.

        Returns ``(lines consumed, value)``: 0 consumed when the line is no directive; value
        ``None`` (reported) when empty.
        """
        rest = s[len(marker):]
        lineno = i + 1
        if rest.startswith(":"):
            value = rest[1:].strip()
            consumed = 1
        elif rest == "":
            consumed = 1
            value = ""
            if i + 1 < len(self.lines):
                _, nxt = strip_quote(self.lines[i + 1])
                nxt_s = nxt.strip()
                if nxt_s and not self.is_marker(nxt_s):
                    value = nxt_s
                    consumed = 2
        elif rest[0] in " \t" and rest.strip():
            # `TARGET DECK Name`: neither the plugin nor mkdeck reads it (prose may start so)
            value = rest.strip()
            self.report(DECK_LINE_WITHOUT_COLON, lineno,
                        f"`{s}` has no colon after {marker}, so it is not read as the {what}: "
                        f"write `{marker}: {value}` if it is meant as one.")
            return 0, None
        else:
            return 0, None
        if content != content.rstrip():
            effect = (f"would keep them in the {what}" if consumed == 1 else
                      f"would not read the next line as the {what}")
            self.report(TRAILING_SPACE, lineno,
                        f"line {lineno} ({marker}) ends with spaces: the Obsidian_to_Anki plugin "
                        f"{effect}; remove them.")
        return consumed, value

    def is_marker(self, s: str) -> bool:
        syntax = self.syntax
        return (s == syntax.start or is_end(s, syntax.end)
                or s.startswith((syntax.target_deck, syntax.file_tags)))

    def fallback_deck(self) -> str:
        return (self.frontmatter_deck or _folder_deck(self.path, self.config)
                or _path_deck(self.path, self.config) or self.config.deck)


UNKNOWN_NOTE_TYPE = register(
    "MKD103", Severity.ERROR, "unknown note type",
    fix="Write a known note type on the line after START (Basic, Cloze, …) or declare the type "
        "in mkdeck.yaml under note_types with its fields.",
    bad="START\nMCQ\n…", good="START\nBasic\n…",
)


TRAILING_SPACE = register(
    "MKD105", Severity.WARNING, "marker line ends with spaces",
    fix="Remove the spaces at the end of the line: mkdeck reads it, but the Obsidian_to_Anki "
        "plugin would not.",
    bad="START␣␣\nBasic␣␣", good="START\nBasic",
)


BAD_TAGS_LINE = register(
    "MKD110", Severity.WARNING, "Tags: line holds text that cannot be tags",
    fix="Write only space-separated tags after `Tags:` (no links, brackets or quotes); the line "
        "stays in the field as text.",
    bad="Tags: see [[Truth tables]]", good="Tags: logic truth-tables",
)


EMPTY_DECK = register(
    "MKD111", Severity.WARNING, "empty deck name",
    fix="Write the deck after the marker (`TARGET DECK: Name` or the name on the next line); "
        "cards below it go to the default deck.",
    bad="TARGET DECK\n\n", good="TARGET DECK\nLinux::Processes",
)


BAD_FILE_TAG = register(
    "MKD119", Severity.WARNING, "text that cannot be a tag",
    fix="Write tags as single words without brackets, quotes or `|` (nested tags with `/` or "
        "`::`); the bad ones are left out.",
)


DECK_LINE_WITHOUT_COLON = register(
    "MKD121", Severity.WARNING, "marker line without colon",
    fix="Write `TARGET DECK: Name` (with a colon) or the name on the next line; `TARGET DECK "
        "Name` is not read (neither by mkdeck nor by the Obsidian_to_Anki plugin).",
    bad="TARGET DECK Linux", good="TARGET DECK: Linux",
)


PREFIX_RE = re.compile(r"([^\s:][^:]{0,63}):")


def strip_quote(line: str, limit: int = 1 << 30) -> tuple[int, str]:
    """Strip up to ``limit`` blockquote/callout markers (``>`` with up to 3 spaces before and
    one after) from ``line``. Returns ``(levels stripped, rest)``."""
    if not line or (line[0] != ">" and not line.startswith(" ")):
        return 0, line
    depth = 0
    i = 0
    n = len(line)
    while depth < limit:
        j = i
        while j < n and j - i < 3 and line[j] == " ":
            j += 1
        if j < n and line[j] == ">":
            depth += 1
            i = j + 1
            if i < n and line[i] in " \t":
                i += 1
        else:
            break
    return depth, line[i:] if depth else line


def is_end(s: str, end: str) -> bool:
    """``END`` marker test on a right-trimmed line (EXPECTED.md decision 1)."""
    if not s.startswith(end):
        return False
    if len(s) == len(end):
        return True
    nxt = s[len(end)]
    return not (nxt.isalnum() or nxt == "_")


@dataclass
class Pending:
    """A note before its deck and FROZEN text are known."""

    location: SourceLocation
    note_type: NoteType
    fields: dict[str, list[tuple[int, str]]]
    field_starts: dict[str, int]
    tags: list[str]
    id: int | None
    kind: str
    end_line: int
    id_line: int | None
    deck: str | None  # from a TARGET DECK inside the block
    deck_state: int  # index into _Parser.decks of the TARGET DECK in force, -1 for none yet
    warnings: list[Diagnostic] = field(default_factory=list)
    end_column: int | None = None  # regex notes: where the match ends (the ID goes there)


def clean_deck(name: str) -> str:
    """A deck name as Anki stores it: ``::``-separated parts, each trimmed, empty parts dropped."""
    parts = [p.strip() for p in name.split("::")]
    return "::".join(p for p in parts if p)


def _folder_of(path: str) -> str:
    return path.rsplit("/", 1)[0] if "/" in path else ""


def matching_rules(path: str, config: Config) -> Iterator[FolderRule]:
    folder = _folder_of(path)
    for rule in config.folders:
        f = rule.folder.strip("/")
        if f == "" or folder == f or folder.startswith(f + "/"):
            yield rule


def _folder_deck(path: str, config: Config) -> str | None:
    """The deck of the innermost folder rule holding ``path`` that names a deck."""
    best: tuple[int, str] | None = None
    for rule in matching_rules(path, config):
        if rule.deck:
            depth = len(rule.folder.strip("/"))
            if best is None or depth > best[0]:
                best = (depth, clean_deck(rule.deck))
    return best[1] if best else None


def _path_deck(path: str, config: Config) -> str | None:
    """With ``deck_from: folders``, the deck named by the note's folder path
    (``Biology/Cells/x.md`` → ``Biology::Cells``; yanki's rule, asked for in Obsidian_to_Anki
    issues 461, 569, 689), else ``None`` (and for a note at the vault root)."""
    if config.deck_from != "folders":
        return None
    return clean_deck(_folder_of(path).replace("/", "::")) or None
