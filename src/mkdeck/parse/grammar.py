"""The card grammar: one note file's text → :class:`~mkdeck.model.Note` objects and diagnostics.

The grammar is Obsidian_to_Anki's (plugin v3.6, ``src/note.ts``, ``src/file.ts``; research
§2–§6) with the decisions ``tests/data/corpus/EXPECTED.md`` pins down:

1. ``START``, ``END``, ``TARGET DECK``, ``FILE TAGS`` and the note-type line are matched at line
   start after trimming trailing whitespace (which gets a compatibility warning: the plugin
   would ignore the block). ``END`` closes when followed by nothing or a non-word character
   (``END> %%`` closes, ``ENDgame`` does not). ``STARTI … ENDI`` may stand anywhere in a line.
2. Blocks count at line start, inside callouts/blockquotes (``> `` stripped), inside ``%%``
   comments, and inside fences whose info string is ``anki``; not inside other fences.
3. A ``START`` not closed before the next ``START`` or the end of the file is an error; that
   card is skipped, the next one parses. ``END`` without ``START`` is a warning.
4. Note type: the first non-blank line (see :class:`~mkdeck.config.notetypes.NoteTypeIndex`).
5. ``Name:`` at line start switches field, case-insensitively, never inside a fence; a ``Word:``
   that is no field of any known type is text; a field of another type gets a warning and its
   text goes to this type's last field.
6. Tags (``Tags:`` anywhere in the block, FILE TAGS, frontmatter, folders), IDs
   (``<!--ID: n-->`` anywhere, bare ``ID: n`` as the last line), TARGET DECK (nearest above;
   the first one for cards above it; inside a block: that card only), FROZEN, DELETE.

Parsing is one pass over the lines with O(1) work per line (plus one lazily built look-ahead
table when a fence inside a card is left open), so it is linear in the file's size.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace

import yaml

from mkdeck.codes import Code, register
from mkdeck.model import (
    Config,
    Diagnostic,
    Field,
    FolderRule,
    Note,
    NoteFile,
    NoteType,
    Severity,
    SourceLocation,
)
from mkdeck.config.notetypes import NoteTypeIndex, name_key
from mkdeck.parse.cloze import convert_shorthand
from mkdeck.scan import (
    FENCE_FIRST,
    ID_BARE_RE,
    ID_COMMENT_RE,
    ID_START_RE,
    ID_TRAILING_RE,
    INLINE_ID_RE,
    Fence,
    fence_closes,
    fence_open,
    frontmatter_end,
    has_cloze,
)
from mkdeck.parse.tags import merge_tags, split_tags

LOG = logging.getLogger(__name__)

# --- diagnostic codes (MKD100–MKD199: the card grammar) -----------------------------------

UNCLOSED_BLOCK = register(
    "MKD101", Severity.ERROR, "START without END",
    fix="Add an END line (alone on its line) after the card's last field; the card is skipped "
        "until then.",
    bad="START\nBasic\nfront\nBack: back\n\nSTART\n…", good="START\nBasic\nfront\nBack: back\nEND",
)
ORPHAN_END = register(
    "MKD102", Severity.WARNING, "END without START",
    fix="Remove the stray END line, or add the START (and note type) of the card it closes.",
    bad="front\nBack: back\nEND", good="START\nBasic\nfront\nBack: back\nEND",
)
UNKNOWN_NOTE_TYPE = register(
    "MKD103", Severity.ERROR, "unknown note type",
    fix="Write a known note type on the line after START (Basic, Cloze, …) or declare the type "
        "in mkdeck.yaml under note_types with its fields.",
    bad="START\nMCQ\n…", good="START\nBasic\n…",
)
EMPTY_BLOCK = register(
    "MKD104", Severity.ERROR, "card without note type",
    fix="Write the note type on the line after START, then the fields; or delete the empty card.",
    bad="START\nEND", good="START\nBasic\nfront\nBack: back\nEND",
)
TRAILING_SPACE = register(
    "MKD105", Severity.WARNING, "marker line ends with spaces",
    fix="Remove the spaces at the end of the line: mkdeck reads it, but the Obsidian_to_Anki "
        "plugin would not.",
    bad="START␣␣\nBasic␣␣", good="START\nBasic",
)
FOREIGN_FIELD = register(
    "MKD106", Severity.WARNING, "field prefix of another note type",
    fix="Use one of this note type's field names (the message lists them); the text went to "
        "its last field.",
    bad="START\nCloze\nText: {{c1::x}}\nBack: y\nEND", good="START\nCloze\nText: {{c1::x}}\nBack Extra: y\nEND",
)
MALFORMED_ID = register(
    "MKD107", Severity.WARNING, "malformed ID comment",
    fix="Write the ID as <!--ID: digits--> on its own line, or delete the comment so the card "
        "is exported without an ID.",
    bad="<!--ID: 17169334814For some…", good="<!--ID: 1716933481434-->",
)
DUPLICATE_ID = register(
    "MKD108", Severity.WARNING, "card has two IDs",
    fix="Keep one <!--ID: n--> line per card (the first one is used).",
)
GLUED_TAGS = register(
    "MKD109", Severity.WARNING, "Tags: glued to the end of a line",
    fix="Put `Tags:` at the start of its own line; glued to other text it stays text.",
    bad="![img](a.png)Tags: x", good="![img](a.png)\nTags: x",
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
CLOZE_WITHOUT_DELETION = register(
    "MKD112", Severity.ERROR, "cloze note without cloze deletion",
    fix="Mark at least one deletion as {{c1::text}} (Anki makes no card without one), or use a "
        "Basic note type.",
    bad="START\nCloze\nThe sky is blue.\nEND", good="START\nCloze\nThe sky is {{c1::blue}}.\nEND",
)
EMPTY_FIRST_FIELD = register(
    "MKD113", Severity.ERROR, "first field is empty",
    fix="Write the card's first field (its question) after the note-type line; Anki refuses a "
        "note whose first field is empty.",
    bad="START\nBasic\nBack: answer\nEND", good="START\nBasic\nquestion\nBack: answer\nEND",
)
DELETE_NOT_SUPPORTED = register(
    "MKD114", Severity.WARNING, "DELETE cannot delete from an .apkg",
    fix="Delete the note in Anki (Browse, search `nid:<id>`), then remove the DELETE lines: an "
        ".apkg import can add and update notes, never delete them.",
    bad="DELETE\n<!--ID: 1690000000000-->",
)
FROZEN_UNKNOWN_TYPE = register(
    "MKD115", Severity.WARNING, "FROZEN block for an unknown note type",
    fix="Name a known note type after `FROZEN - ` (e.g. `FROZEN - Basic:`); the block is ignored.",
)
INLINE_WITHOUT_TYPE = register(
    "MKD116", Severity.ERROR, "inline note without [Type]",
    fix="Write the note type in brackets right after STARTI: `STARTI [Basic] question Back: "
        "answer ENDI`.",
)
HIDDEN_IN_FENCE = register(
    "MKD117", Severity.WARNING, "cards hidden by an unclosed code fence",
    fix="Close the code fence (a line of ``` after the code); everything after an unclosed fence "
        "is code, so the cards there are not read.",
)
FENCE_LEFT_OPEN = register(
    "MKD118", Severity.WARNING, "code fence in a card not closed before END",
    fix="Close the code fence (```) before the card's END line.",
)
BAD_FILE_TAG = register(
    "MKD119", Severity.WARNING, "text that cannot be a tag",
    fix="Write tags as single words without brackets, quotes or `|` (nested tags with `/` or "
        "`::`); the bad ones are left out.",
)
UNCLOSED_INLINE = register(
    "MKD120", Severity.WARNING, "STARTI without ENDI on the line",
    fix="End the inline note with ENDI on the same line (inline notes cannot span lines), or "
        "write it as a START/END block.",
)
DECK_LINE_WITHOUT_COLON = register(
    "MKD121", Severity.WARNING, "marker line without colon",
    fix="Write `TARGET DECK: Name` (with a colon) or the name on the next line; `TARGET DECK "
        "Name` is not read (neither by mkdeck nor by the Obsidian_to_Anki plugin).",
    bad="TARGET DECK Linux", good="TARGET DECK: Linux",
)
DELETE_IN_BLOCK = register(
    "MKD122", Severity.WARNING, "DELETE inside a card",
    fix="Replace the whole card (START…END) by the two lines DELETE and <!--ID: n-->; a DELETE "
        "inside a card deletes nothing and the card is still exported.",
)
FRONTMATTER_INVALID = register(
    "MKD123", Severity.WARNING, "frontmatter is not valid YAML",
    fix="Fix the YAML between the --- lines; until then its tags and target-deck are not read.",
)

# --- line helpers -----------------------------------------------------------------------

_TAGS_RE = re.compile(r"(?:Tags|TAGS|tags):(.*)", re.DOTALL)
_GLUED_TAGS_RE = re.compile(r"[^\w\s]Tags:(?:\s|$)")
_PREFIX_RE = re.compile(r"([^\s:][^:]{0,63}):")
_INLINE_TYPE_RE = re.compile(r"\s*\[([^\[\]\n]*)\]")
_INLINE_TAGS_RE = re.compile(r"(?:^|(?<=\s))Tags:(.*)$", re.DOTALL)
class _FrontmatterLoader(yaml.SafeLoader):
    """YAML for frontmatter: numbers and dates are read as written, since every value read
    from it is a name (``target-deck: 1.10`` is the deck "1.10", ``tags: 2024`` the tag)."""


for _tag in ("int", "float", "timestamp"):
    _FrontmatterLoader.add_constructor(f"tag:yaml.org,2002:{_tag}",
                                       _FrontmatterLoader.construct_yaml_str)

_FRONTMATTER_DECK_KEYS = ("target-deck", "target_deck", "target deck")


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


def _is_end(s: str, end: str) -> bool:
    """``END`` marker test on a right-trimmed line (EXPECTED.md decision 1)."""
    if not s.startswith(end):
        return False
    if len(s) == len(end):
        return True
    nxt = s[len(end)]
    return not (nxt.isalnum() or nxt == "_")


# --- per-file state ---------------------------------------------------------------------

@dataclass
class _Pending:
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


class _Parser:
    """Parses one file. Use :func:`parse_file`."""

    def __init__(self, note_file: NoteFile, config: Config, index: NoteTypeIndex) -> None:
        self.path = note_file.path
        self.lines = note_file.text.split("\n")
        self.config = config
        self.syntax = config.syntax
        self.index = index
        self.diagnostics: list[Diagnostic] = []
        self.pending: list[_Pending] = []
        self.decks: list[str | None] = []  # TARGET DECK lines in file order (None: empty)
        self.file_tags: list[str] = []
        self.frontmatter_tags: list[str] = []
        self.frontmatter_deck: str | None = None
        self.frozen: dict[str, dict[str, list[tuple[int, str]]]] = {}
        self._lookahead: tuple[list[int], list[int], list[int]] | None = None

    # -- reporting --
    def loc(self, line: int, column: int | None = None) -> SourceLocation:
        return SourceLocation(self.path, line, column)

    def report(self, code: Code, line: int, message: str, column: int | None = None) -> None:
        self.diagnostics.append(code.at(self.loc(line, column), message))

    # -- driver --
    def run(self) -> None:
        i = self._frontmatter()
        lines = self.lines
        n = len(lines)
        syntax = self.syntax
        fence: Fence | None = None
        hidden_starts: list[int] = []
        while i < n:
            raw = lines[i]
            depth, content = strip_quote(raw)
            s = content.rstrip()
            if fence is not None:
                if fence_closes(content, fence):
                    fence = None
                    hidden_starts.clear()  # a closed fence hides its STARTs on purpose
                    i += 1
                    continue
                if not fence.anki:
                    if s == syntax.start:
                        hidden_starts.append(i + 1)
                    i += 1
                    continue
            else:
                opened = fence_open(content)
                if opened is not None:
                    fence = replace(opened, line=i + 1)
                    i += 1
                    continue
            if not s:
                i += 1
                continue
            if s == syntax.start:
                i = self._block(i, depth)
                continue
            if s.startswith(syntax.target_deck):
                consumed = self._deck_line(i, content, s, in_block=None)
                if consumed:
                    i += consumed
                    continue
            if s.startswith(syntax.file_tags):
                consumed = self._file_tags_line(i, content, s)
                if consumed:
                    i += consumed
                    continue
            if s.startswith(syntax.frozen + " - ") and s.endswith(":"):
                i = self._frozen(i, s)
                continue
            if s.startswith(syntax.delete):
                consumed = self._delete(i, s)
                if consumed:
                    i += consumed
                    continue
            if _is_end(s, syntax.end):
                self.report(ORPHAN_END, i + 1,
                            f"{syntax.end} at line {i + 1} closes no card (no {syntax.start} "
                            f"above it): remove it or add the card's {syntax.start} line.")
            if syntax.start_inline in content:
                self._inline(i, raw, content)
            i += 1
        if fence is not None and not fence.anki and hidden_starts:
            shown = ", ".join(str(x) for x in hidden_starts[:5])
            more = "…" if len(hidden_starts) > 5 else ""
            self.report(HIDDEN_IN_FENCE, fence.line,
                        f"the code fence opened at line {fence.line} is never closed, so the "
                        f"{syntax.start} at line(s) {shown}{more} are read as code: close the "
                        f"fence with a ``` line.")

    # -- frontmatter --
    def _frontmatter(self) -> int:
        """Read the YAML frontmatter's tags and target deck; return the first body index."""
        lines = self.lines
        first_body = frontmatter_end(lines)
        if not first_body:
            return 0
        end = first_body - 1
        text = "\n".join(lines[1:end])
        if not text.strip():
            return end + 1
        try:
            data = yaml.load(text, Loader=_FrontmatterLoader)  # a SafeLoader subclass
        except (yaml.YAMLError, ValueError, KeyError, TypeError, OverflowError,
                RecursionError) as exc:
            # ValueError & co.: a value YAML parses but cannot construct (`!!bool x`);
            # RecursionError: PyYAML recurses once per nesting level (`tags: [[[[…`)
            mark = getattr(exc, "problem_mark", None)
            if mark is not None:
                line = mark.line + 2
            elif isinstance(getattr(exc, "position", None), int):  # yaml.reader.ReaderError
                line = text.count("\n", 0, exc.position) + 2  # type: ignore[attr-defined]
            else:
                line = 1
            if isinstance(exc, RecursionError):
                problem = "values nested too deeply"
            else:
                problem = (getattr(exc, "problem", None)
                           or (str(exc).splitlines()[0] if not isinstance(exc, yaml.YAMLError)
                               else "invalid YAML"))
            self.report(FRONTMATTER_INVALID, min(line, end),
                        f"the frontmatter is not valid YAML ({problem}): fix it; until then its "
                        f"tags and target-deck are not read.")
            return 0  # its lines are still scanned, so no card inside is lost
        if not isinstance(data, dict):
            # `---` ... `---` around text that is not a mapping: thematic breaks, not
            # frontmatter; cards between them count.
            return 0
        tags_line = 1
        for j in range(1, end):
            if lines[j].lower().startswith("tags:"):
                tags_line = j + 1
                break
        raw_tags = data.get("tags", data.get("Tags"))
        tokens: list[str] = []
        dropped: list[object] = []
        if isinstance(raw_tags, str):
            tokens = raw_tags.replace(",", " ").split()
        elif isinstance(raw_tags, list):
            tokens = [t for t in raw_tags if isinstance(t, str)]
            dropped = [t for t in raw_tags if not isinstance(t, str) and t is not None]
        elif raw_tags is not None:
            dropped = [raw_tags]
        for value in dropped:
            # a mapping, a nested list or true/false: not a tag, and not silently lost
            self.report(BAD_FILE_TAG, tags_line,
                        f"frontmatter tags hold {value!r}, which is not a tag: write "
                        f"`tags: [a, b/c]`; it is left out.")
        for token in tokens:
            tags, bad = split_tags(token)
            self.frontmatter_tags.extend(tags)
            for b in bad:
                self.report(BAD_FILE_TAG, tags_line,
                            f"frontmatter tag {b!r} cannot be an Anki tag (no brackets, quotes "
                            f"or `|`): it is left out.")
        for key, value in data.items():
            if (isinstance(key, str) and key.strip().lower() in _FRONTMATTER_DECK_KEYS
                    and isinstance(value, str) and value.strip()):
                self.frontmatter_deck = value.strip()
        return end + 1

    # -- directives --
    def _directive_value(self, i: int, content: str, s: str, marker: str,
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
                if nxt_s and not self._is_marker(nxt_s):
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

    def _is_marker(self, s: str) -> bool:
        syntax = self.syntax
        return (s == syntax.start or _is_end(s, syntax.end)
                or s.startswith((syntax.target_deck, syntax.file_tags)))

    def _deck_line(self, i: int, content: str, s: str, in_block: list[str | None] | None) -> int:
        marker = self.syntax.target_deck
        consumed, value = self._directive_value(i, content, s, marker, "deck name")
        if not consumed:
            return 0
        deck = _clean_deck(value or "")
        if not deck:
            self.report(EMPTY_DECK, i + 1,
                        f"{marker} at line {i + 1} names no deck: write `{marker}: Deck::Sub` "
                        f"(or the name on the next line); cards below it go to the default deck "
                        f"{self._fallback_deck()!r}.")
            deck = None
        if in_block is not None:
            in_block.append(deck)
        else:
            self.decks.append(deck)
        return consumed

    def _file_tags_line(self, i: int, content: str, s: str) -> int:
        marker = self.syntax.file_tags
        consumed, value = self._directive_value(i, content, s, marker, "tags")
        if not consumed:
            return 0
        tags, bad = split_tags(value or "")
        self.file_tags.extend(tags)
        for b in bad:
            self.report(BAD_FILE_TAG, i + 1,
                        f"{b!r} in {marker} cannot be an Anki tag (no brackets, quotes or `|`): "
                        f"it is left out.")
        return consumed

    def _fallback_deck(self) -> str:
        return self.frontmatter_deck or _folder_deck(self.path, self.config) or self.config.deck

    def _frozen(self, i: int, s: str) -> int:
        """``FROZEN - Type:`` and the lines up to the first blank line (plugin FROZEN_REGEXP)."""
        type_name = s[len(self.syntax.frozen) + 3:-1].strip()
        j = i + 1
        body: list[tuple[int, str]] = []
        while j < len(self.lines):
            _, content = strip_quote(self.lines[j])
            if not content.strip():
                break
            body.append((j + 1, content))
            j += 1
        note_type = self.index.resolve(type_name)
        if note_type is None:
            self.report(FROZEN_UNKNOWN_TYPE, i + 1,
                        f"FROZEN block for unknown note type {type_name!r}: name one of "
                        f"{', '.join(self.index.names())}; the block is ignored.")
            return j
        fields: dict[str, list[tuple[int, str]]] = {f: [] for f in note_type.fields}
        current = note_type.fields[0]
        for lineno, content in body:
            m = _PREFIX_RE.match(content)
            if m:
                canon = self.index.field_name(note_type, m.group(1))
                if canon is not None:
                    current = canon
                    rest = content[m.end():]
                    fields[current].append((lineno, rest.removeprefix(" ")))
                    continue
            fields[current].append((lineno, content))
        self.frozen[note_type.name] = fields
        return j

    def _delete(self, i: int, s: str) -> int:
        """``DELETE`` + ID line, or ``DELETE<!--ID: n-->`` (plugin EMPTY_REGEXP)."""
        rest = s[len(self.syntax.delete):]
        note_id: int | None = None
        consumed = 0
        if rest == "":
            consumed = 1
            if i + 1 < len(self.lines):
                _, nxt = strip_quote(self.lines[i + 1])
                m = ID_COMMENT_RE.fullmatch(nxt) or ID_BARE_RE.fullmatch(nxt)
                if m:
                    note_id = int(m.group(1))
                    consumed = 2
        else:
            m = ID_COMMENT_RE.fullmatch(rest) or ID_BARE_RE.fullmatch(rest)
            if not m:
                return 0
            note_id = int(m.group(1))
            consumed = 1
        if note_id is None:
            self.report(DELETE_NOT_SUPPORTED, i + 1,
                        f"{self.syntax.delete} at line {i + 1} has no <!--ID: n--> line after "
                        f"it, and an .apkg cannot delete notes anyway: remove the line.")
        else:
            self.report(DELETE_NOT_SUPPORTED, i + 1,
                        f"{self.syntax.delete} of note {note_id}: an .apkg import cannot delete "
                        f"notes; delete it in Anki (Browse, search nid:{note_id}), then remove "
                        f"these lines.")
        return consumed

    # -- fences inside a card: look-ahead for a fence left open --
    def _fence_is_code(self, i: int, ends_too: bool) -> bool:
        """Whether a START (``ends_too=False``) or END (``ends_too=True``) at line index ``i``,
        inside a fence opened in a card, is code: yes when a fence line comes before the next
        START (or, for END, the next START or END) below it."""
        if self._lookahead is None:
            n = len(self.lines)
            next_fence = [n] * (n + 1)
            next_start = [n] * (n + 1)
            next_marker = [n] * (n + 1)
            syntax = self.syntax
            for k in range(n - 1, -1, -1):
                _, content = strip_quote(self.lines[k])
                s = content.rstrip()
                t = s.lstrip(" \t")
                next_fence[k] = k if t.startswith(("```", "~~~")) else next_fence[k + 1]
                is_start = s == syntax.start
                next_start[k] = k if is_start else next_start[k + 1]
                next_marker[k] = k if is_start or _is_end(s, syntax.end) else next_marker[k + 1]
            self._lookahead = (next_fence, next_start, next_marker)
        next_fence, next_start, next_marker = self._lookahead
        limit = (next_marker if ends_too else next_start)[i + 1]
        return next_fence[i + 1] < limit

    # -- blocks --
    def _block(self, i: int, depth: int) -> int:
        """Parse the block whose START is at line index ``i``; return the index to go on at."""
        syntax = self.syntax
        lines = self.lines
        n = len(lines)
        start_line = i + 1
        fenced: set[int] = set()  # body indexes (0 = the line after START) in or at a fence
        fence: Fence | None = None
        glued_end: int | None = None
        j = i + 1
        end_index: int | None = None
        start_marker = syntax.start
        end_marker = syntax.end
        end_len = len(end_marker)
        while j < n:
            content = lines[j]
            if depth or content[:1] == " ":
                content = strip_quote(content, depth)[1]
            s = content.rstrip()
            if fence is not None:
                if fence_closes(content, fence):
                    fence = None
                    fenced.add(j - i - 1)
                    j += 1
                    continue
                if s == syntax.start and not self._fence_is_code(j, ends_too=False):
                    break
                if _is_end(s, syntax.end) and not self._fence_is_code(j, ends_too=True):
                    self.report(FENCE_LEFT_OPEN, fence.line,
                                f"the code fence opened at line {fence.line} is not closed before "
                                f"{syntax.end} at line {j + 1}: close it with a ``` line; the card "
                                f"ends at line {j + 1}.")
                    end_index = j
                    break
                fenced.add(j - i - 1)
                j += 1
                continue
            opened = fence_open(content) if content[:1] in FENCE_FIRST else None
            if opened is not None:
                fence = replace(opened, line=j + 1)
                fenced.add(j - i - 1)
                j += 1
                continue
            if s == start_marker:
                break
            if s.startswith(end_marker) and _is_end(s, end_marker):
                end_index = j
                break
            if glued_end is None and s.endswith(end_marker) and len(s) > end_len \
                    and not s[-end_len - 1].isspace() and not s[-end_len - 1].isalnum():
                glued_end = j + 1
            j += 1
        if end_index is None:
            why = f"the next {syntax.start} at line {j + 1}" if j < n else "the end of the file"
            hint = ""
            if glued_end is not None:
                hint = (f" ({syntax.end} glued to the text of line {glued_end} is not a marker: "
                        f"put it on its own line)")
            elif fence is not None:
                hint = f" (the code fence opened at line {fence.line} is never closed)"
            self.report(UNCLOSED_BLOCK, start_line,
                        f"{syntax.start} at line {start_line} is not closed by {syntax.end} "
                        f"before {why}{hint}: add an {syntax.end} line; this card is skipped.")
            return j
        body = lines[i + 1:end_index]
        if depth:
            body = [strip_quote(line, depth)[1] for line in body]
        self._build_block(start_line, end_index + 1, body, fenced,
                          start_trailing=strip_quote(lines[i], depth)[1] != syntax.start)
        return end_index + 1

    def _build_block(self, start_line: int, end_line: int, body: list[str], fenced: set[int],
                     start_trailing: bool) -> None:
        """Build the note of a block: ``body`` holds the lines between START and END (quote
        prefixes stripped; ``body[k]`` is file line ``start_line + 1 + k``), ``fenced`` the
        indexes of those inside code fences."""
        syntax = self.syntax
        k = 0
        while k < len(body) and not body[k].strip():
            k += 1
        if k == len(body):
            self.report(EMPTY_BLOCK, start_line,
                        f"the card at line {start_line} is empty: write a note type (e.g. Basic) "
                        f"and fields between {syntax.start} and {syntax.end}, or delete it.")
            return
        type_line, type_text, type_in_fence = start_line + 1 + k, body[k], k in fenced
        written = type_text.strip()
        note_type = None if type_in_fence else self.index.resolve(written)
        if note_type is None:
            known = ", ".join(self.index.names())
            if written.startswith("{") and written.endswith("}"):
                msg = (f"{written!r} at line {type_line} is a template placeholder, not a note "
                       f"type: replace it with one of {known}; this card is skipped.")
            else:
                msg = (f"unknown note type {written!r} at line {type_line}: use one of {known}, "
                       f"or declare it in mkdeck.yaml under note_types with its fields; this "
                       f"card is skipped.")
            self.report(UNKNOWN_NOTE_TYPE, type_line, msg)
            return
        warnings: list[Diagnostic] = []
        if start_trailing:
            warnings.append(TRAILING_SPACE.at(
                self.loc(start_line),
                f"{syntax.start} at line {start_line} ends with spaces: the Obsidian_to_Anki "
                f"plugin would ignore this card; remove them."))
        if type_text != type_text.rstrip():
            warnings.append(TRAILING_SPACE.at(
                self.loc(type_line),
                f"the note-type line {type_line} ends with spaces: the Obsidian_to_Anki plugin "
                f"would not recognise {written!r}; remove them."))

        fields: dict[str, list[tuple[int, str]]] = {f: [] for f in note_type.fields}
        field_starts: dict[str, int] = {}
        current = note_type.fields[0]
        last_field = note_type.fields[-1]
        tags: list[str] = []
        note_id: int | None = None
        id_line: int | None = None
        block_decks: list[str | None] = []
        skipping_comment = False
        # a bare `ID: n` counts only as the card's last line (after any Tags: line), as in
        # the plugin; elsewhere it is text
        last_content = len(body) - 1
        while last_content > k and (not body[last_content].strip()
                                    or _TAGS_RE.match(body[last_content])):
            last_content -= 1
        first_line = start_line + 1  # file line of body[0]
        m_index = k + 1
        n_body = len(body)
        while m_index < n_body:
            content = body[m_index]
            lineno = first_line + m_index
            m_index += 1
            if skipping_comment:
                if "-->" in content:
                    skipping_comment = False
                continue
            if fenced and m_index - 1 in fenced:
                fields[current].append((lineno, content))
                continue
            s = content.rstrip()
            # ID lines (decision 8)
            m = None
            if "ID:" in s:
                m = ID_COMMENT_RE.fullmatch(s) or (
                    ID_BARE_RE.fullmatch(s) if m_index - 1 == last_content else None)
            if m:
                if note_id is None:
                    note_id, id_line = int(m.group(1)), lineno
                else:
                    warnings.append(DUPLICATE_ID.at(
                        self.loc(lineno),
                        f"second ID {m.group(1)} at line {lineno} in the card at line "
                        f"{start_line} (first: {note_id} at line {id_line}): keep one; the "
                        f"first is used."))
                continue
            if "<!--" in s and ID_START_RE.match(s):
                warnings.append(MALFORMED_ID.at(
                    self.loc(lineno),
                    f"malformed ID comment at line {lineno}: write <!--ID: digits--> on its own "
                    f"line or delete it; the card has no ID and the comment is left out."))
                if "-->" not in s:
                    skipping_comment = True
                continue
            trailing = ID_TRAILING_RE.search(s) if "ID:" in s else None
            if trailing:
                # the plugin writes the ID on a line of its own; one joined to a field line is
                # text to mkdeck, so `mkdeck ids` would give the card a second ID
                warnings.append(MALFORMED_ID.at(
                    self.loc(lineno),
                    f"the ID comment {trailing.group(0).strip()} at the end of line {lineno} is "
                    f"not on a line of its own, so the card has no ID: move it to its own line "
                    f"above {syntax.end}."))
            if s.startswith(syntax.target_deck):
                before = len(block_decks)
                consumed = self._deck_line_in_block(body, fenced, m_index - 1, lineno, content, s,
                                                    block_decks)
                if consumed:
                    m_index += consumed - 1
                    continue
                del block_decks[before:]
            if s == syntax.delete or (s.startswith(syntax.delete) and "ID:" in s):
                warnings.append(DELETE_IN_BLOCK.at(
                    self.loc(lineno),
                    f"{syntax.delete} at line {lineno} is inside the card at line {start_line}: "
                    f"it deletes nothing (an .apkg cannot delete) and the card is still "
                    f"exported; remove the line."))
                continue
            m = _TAGS_RE.match(s) if s[:1] in "Tt" else None
            if m and self.index.field_name(note_type, "Tags") is None:
                found, bad = split_tags(m.group(1))
                if not bad:
                    tags.extend(found)
                    continue
                warnings.append(BAD_TAGS_LINE.at(
                    self.loc(lineno),
                    f"the Tags: line {lineno} holds {', '.join(repr(b) for b in bad[:3])}, which "
                    f"cannot be tags: it stays in the {current} field as text; write only "
                    f"space-separated tags after Tags:."))
                fields[current].append((lineno, content))
                continue
            if "Tags:" in s and _GLUED_TAGS_RE.search(s):
                warnings.append(GLUED_TAGS.at(
                    self.loc(lineno),
                    f"`Tags:` is glued to the end of line {lineno}, so it is text, not tags: "
                    f"put Tags: at the start of its own line."))
            m = _PREFIX_RE.match(content) if ":" in content[:65] else None
            if m:
                name = m.group(1)
                canon = self.index.field_name(note_type, name)
                target = canon
                if canon is None and name_key(name) in self.index.foreign_fields:
                    target = last_field
                    warnings.append(FOREIGN_FIELD.at(
                        self.loc(lineno),
                        f"{name.strip()}: at line {lineno} is not a field of {note_type.name} "
                        f"(its fields: {', '.join(note_type.fields)}): its text went to "
                        f"{last_field}; write {last_field}: instead."))
                if target is not None:
                    current = target
                    field_starts.setdefault(current, lineno)
                    after = content[m.end():]
                    fields[current].append((lineno, after.removeprefix(" ")))
                    continue
            fields[current].append((lineno, content))
        deck = None
        if block_decks:
            deck = block_decks[-1] or self._fallback_deck()
        self.pending.append(_Pending(
            location=self.loc(start_line), note_type=note_type, fields=fields,
            field_starts=field_starts, tags=tags, id=note_id, kind="block", end_line=end_line,
            id_line=id_line, deck=deck, deck_state=len(self.decks) - 1, warnings=warnings))

    def _deck_line_in_block(self, body: list[str], fenced: set[int], index: int, lineno: int,
                            content: str, s: str, block_decks: list[str | None]) -> int:
        """A TARGET DECK line inside a card (sets that card's deck; decision 9)."""
        marker = self.syntax.target_deck
        tail = s[len(marker):]
        if tail.startswith(":") or tail[:1] in (" ", "\t"):
            return 1 if self._deck_line(lineno - 1, content, s, in_block=block_decks) else 0
        if tail == "":
            value = ""
            consumed = 1
            if index + 1 < len(body) and index + 1 not in fenced:
                nxt = body[index + 1].strip()
                if nxt and not self._is_marker(nxt):
                    value = nxt
                    consumed = 2
            deck = _clean_deck(value)
            if not deck:
                self.report(EMPTY_DECK, lineno,
                            f"{marker} at line {lineno} names no deck: write `{marker}: Deck` "
                            f"(or the name on the next line); this card goes to the default "
                            f"deck.")
            block_decks.append(deck or None)
            return consumed
        return 0

    # -- inline notes --
    def _inline(self, i: int, raw: str, content: str) -> None:
        syntax = self.syntax
        si, ei = syntax.start_inline, syntax.end_inline
        lineno = i + 1
        offset = len(raw) - len(content)
        pos = 0
        ticks = 0  # backticks before `pos`: an odd count means inside a code span
        while True:
            k = content.find(si, pos)
            if k < 0:
                return
            ticks += content.count("`", pos, k)
            if ticks % 2 == 1:
                pos = k + len(si)
                continue
            e = content.find(ei, k + len(si))
            if e < 0:
                self.report(UNCLOSED_INLINE, lineno,
                            f"{si} at line {lineno} has no {ei} after it on the same line: end "
                            f"the inline note with {ei} (inline notes cannot span lines).",
                            column=offset + k + 1)
                return
            self._inline_note(lineno, offset + k + 1, content[k + len(si):e],
                              offset + k + len(si) + 1)
            ticks += content.count("`", k, e + len(ei))
            pos = e + len(ei)

    def _inline_note(self, lineno: int, column: int, body: str, body_column: int) -> None:
        m = _INLINE_TYPE_RE.match(body)
        if not m:
            self.report(INLINE_WITHOUT_TYPE, lineno,
                        f"inline note at line {lineno} has no [Type] right after "
                        f"{self.syntax.start_inline}: write e.g. `{self.syntax.start_inline} "
                        f"[Basic] question Back: answer {self.syntax.end_inline}`; it is skipped.",
                        column=column)
            return
        written = m.group(1).strip()
        note_type = self.index.resolve(written)
        if note_type is None:
            self.report(UNKNOWN_NOTE_TYPE, lineno,
                        f"unknown note type {written!r} in the inline note at line {lineno}: use "
                        f"one of {', '.join(self.index.names())}; it is skipped.", column=column)
            return
        text = body[m.end():]
        note_id = None
        idm = INLINE_ID_RE.search(text)
        if idm:
            note_id = int(idm.group(1))
            text = text[:idm.start()] + text[idm.end():]
        tags: list[str] = []
        tm = _INLINE_TAGS_RE.search(text)
        if tm:
            found, bad = split_tags(tm.group(1))
            if bad:
                self.report(BAD_TAGS_LINE, lineno,
                            f"Tags: in the inline note at line {lineno} holds "
                            f"{', '.join(repr(b) for b in bad[:3])}, which cannot be tags: they "
                            f"are left out.", column=column)
            tags = found
            text = text[:tm.start()]
        fields: dict[str, list[tuple[int, str]]] = {f: [] for f in note_type.fields}
        pattern = _inline_field_re(self.index, note_type)
        current = note_type.fields[0]
        pos = 0
        for fm in pattern.finditer(text):
            canon = self.index.field_name(note_type, fm.group(1))
            if canon is None:
                continue
            fields[current].append((lineno, text[pos:fm.start()]))
            current = canon
            pos = fm.end()
        fields[current].append((lineno, text[pos:]))
        for name, parts in fields.items():
            joined = " ".join(t.strip() for _, t in parts if t.strip())
            fields[name] = [(lineno, joined)] if joined else []
        self.pending.append(_Pending(
            location=self.loc(lineno, column), note_type=note_type, fields=fields,
            field_starts={}, tags=tags, id=note_id, kind="inline", end_line=lineno,
            id_line=lineno if note_id is not None else None, deck=None,
            deck_state=len(self.decks) - 1))

    # -- finishing --
    def notes(self) -> list[Note]:
        """Turn the pending notes into :class:`Note` objects (decks, tags, FROZEN, clozes)."""
        out: list[Note] = []
        first_deck = self.decks[0] if self.decks else None
        folder_tags = _folder_tags(self.path, self.config)
        fallback = self._fallback_deck()
        file_level_tags = merge_tags(folder_tags, self.frontmatter_tags, self.file_tags)
        for p in self.pending:
            if p.deck is not None:
                deck = p.deck
            elif p.deck_state >= 0:
                deck = self.decks[p.deck_state] or fallback
            else:
                deck = first_deck or fallback
            built = self._fields(p)
            self.diagnostics.extend(p.warnings)
            if not built[0].markdown:
                self.report(EMPTY_FIRST_FIELD, p.location.line,
                            f"the card at line {p.location.line} has an empty "
                            f"{p.note_type.fields[0]} field: write it after the note-type line; "
                            f"Anki refuses such a note, so it is skipped.",
                            column=p.location.column)
                continue
            if p.note_type.kind == "cloze" and not any(has_cloze(f.markdown) for f in built):
                self.report(CLOZE_WITHOUT_DELETION, p.location.line,
                            f"the {p.note_type.name} card at line {p.location.line} has no cloze "
                            f"deletion: mark one as {{{{c1::text}}}} (Anki makes no card "
                            f"without one); it is skipped.", column=p.location.column)
                continue
            # Obsidian #tags in fields (config.inline_tags) are collected by mkdeck.render from
            # the rendered token stream, where code and links are already known.
            tags = list(file_level_tags) + p.tags
            out.append(Note(
                location=p.location, note_type=p.note_type, fields=tuple(built), deck=deck,
                tags=merge_tags(tags), id=p.id, kind=p.kind,  # type: ignore[arg-type]
                end_line=p.end_line, id_line=p.id_line))
        return out

    def _fields(self, p: _Pending) -> list[Field]:
        note_type = p.note_type
        texts: list[tuple[str, tuple[int, ...]]] = [_trim(p.fields[f]) for f in note_type.fields]
        if note_type.kind == "cloze" and (self.config.curly_cloze or self.config.highlight_cloze):
            converted = convert_shorthand([t for t, _ in texts], curly=self.config.curly_cloze,
                                          highlight=self.config.highlight_cloze)
            texts = [(c, lines) for c, (_, lines) in zip(converted, texts, strict=True)]
        frozen = self.frozen.get(note_type.name)
        out = []
        for name, (markdown, lines) in zip(note_type.fields, texts, strict=True):
            if frozen and frozen.get(name):
                extra, extra_lines = _trim(frozen[name])
                if extra:
                    markdown = f"{markdown}\n{extra}" if markdown else extra
                    lines = lines + extra_lines
            if lines:
                line = lines[0]
            else:
                line = p.field_starts.get(name, p.location.line)
            column = p.location.column if p.kind == "inline" else None
            out.append(Field(name=name, markdown=markdown,
                             location=SourceLocation(self.path, line, column), lines=lines))
        return out


def _trim(lines: list[tuple[int, str]]) -> tuple[str, tuple[int, ...]]:
    """Join a field's lines, dropping blank lines at both ends and trimming the text."""
    start = 0
    end = len(lines)
    while start < end and not lines[start][1].strip():
        start += 1
    while end > start and not lines[end - 1][1].strip():
        end -= 1
    if start == end:
        return "", ()
    numbers, texts = zip(*lines[start:end])
    texts = list(texts)
    texts[0] = texts[0].lstrip()
    texts[-1] = texts[-1].rstrip()
    return "\n".join(texts), numbers


def _clean_deck(name: str) -> str:
    """A deck name as Anki stores it: ``::``-separated parts, each trimmed, empty parts dropped."""
    parts = [p.strip() for p in name.split("::")]
    return "::".join(p for p in parts if p)


def _folder_of(path: str) -> str:
    return path.rsplit("/", 1)[0] if "/" in path else ""


def _matching_rules(path: str, config: Config) -> Iterator[FolderRule]:
    folder = _folder_of(path)
    for rule in config.folders:
        f = rule.folder.strip("/")
        if f == "" or folder == f or folder.startswith(f + "/"):
            yield rule


def _folder_deck(path: str, config: Config) -> str | None:
    """The deck of the innermost folder rule holding ``path`` that names a deck."""
    best: tuple[int, str] | None = None
    for rule in _matching_rules(path, config):
        if rule.deck:
            depth = len(rule.folder.strip("/"))
            if best is None or depth > best[0]:
                best = (depth, _clean_deck(rule.deck))
    return best[1] if best else None


def _folder_tags(path: str, config: Config) -> list[str]:
    """Tags of every folder rule holding ``path``, outermost first."""
    out: list[str] = []
    rules = sorted(_matching_rules(path, config), key=lambda r: len(r.folder.strip("/")))
    for rule in rules:
        for token in rule.tags:
            tags, _ = split_tags(token)
            out.extend(tags)
    return out


_INLINE_FIELD_CACHE: dict[tuple[str, tuple[str, ...], tuple[tuple[str, str], ...]], re.Pattern[str]] = {}


def _inline_field_re(index: NoteTypeIndex, note_type: NoteType) -> re.Pattern[str]:
    """Regex of ``Field:`` words that switch field in an inline note (a whole word, preceded by
    whitespace or the start; research §3), longest names first."""
    key = (note_type.name, note_type.fields, note_type.field_aliases)
    pattern = _INLINE_FIELD_CACHE.get(key)
    if pattern is None:
        names = set(note_type.fields) | {a for a, _ in note_type.field_aliases}
        alternatives = "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
        pattern = re.compile(rf"(?:^|(?<=\s))({alternatives}):(?=\s|$)", re.IGNORECASE)
        _INLINE_FIELD_CACHE[key] = pattern
    return pattern


def parse_file(note_file: NoteFile, config: Config,
               index: NoteTypeIndex | None = None) -> tuple[list[Note], list[Diagnostic]]:
    """Parse one note file.

    Args:
        note_file: the decoded file (its ``path`` is used in every location).
        config: the vault's merged config (markers, note types, folders, cloze switches).
        index: note-type lookup; built from ``config.note_types`` when ``None``.

    Returns:
        ``(notes, diagnostics)``: notes in document order, diagnostics in the order found.
        Never raises on any input text.
    """
    if index is None:
        index = NoteTypeIndex(config.note_types)
    parser = _Parser(note_file, config, index)
    parser.run()
    notes = parser.notes()
    return notes, parser.diagnostics


def parse_files(files: Sequence[NoteFile], config: Config) -> tuple[list[Note], list[Diagnostic]]:
    """Parse the selected files of a vault in order (see :func:`parse_file`)."""
    index = NoteTypeIndex(config.note_types)
    notes: list[Note] = []
    diagnostics: list[Diagnostic] = []
    for f in files:
        if not f.selected:
            continue
        n, d = parse_file(f, config, index)
        notes.extend(n)
        diagnostics.extend(d)
    return notes, diagnostics
