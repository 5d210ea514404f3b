"""The lexical scanner every stage shares: what a line of a note *is* before any stage reads
it, so that the parser, the link index, the renderer's helpers and the check rules see code
fences, frontmatter, wikilinks, cloze markers and ID comments the same way.

* code fences: :func:`fence_open` / :func:`fence_closes` (CommonMark §4.5: ``` or ~~~, three
  or more, any indent, a backtick fence's info string holds no backtick);
* frontmatter: :func:`frontmatter_end` (a leading ``---`` … ``---``/``...`` block);
* protected spans: :func:`scan_lines` / :func:`code_spans` (fences, inline code, math and
  ``%%`` comments, where nothing is a link or a tag);
* wikilinks: :data:`WIKILINK_RE`; cloze markers: :data:`CLOZE_RE`, :func:`has_cloze`;
  ID comments: :data:`ID_COMMENT_RE` and its relatives.

Imports nothing of mkdeck: it sits below every stage.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

WIKILINK_RE = re.compile(r"(!?)\[\[([^\[\]\n]+?)\]\]")
"""``[[inner]]`` and ``![[inner]]`` on one line (Obsidian: no brackets or newline inside)."""

CLOZE_RE = re.compile(r"\{\{c(\d+)::")
"""An Anki cloze deletion (Anki: rslib/src/cloze.rs, ``{{c<n>::text[::hint]}}``)."""

ID_COMMENT_RE = re.compile(r"\s*<!--\s*ID:\s*(\d+)\s*-->\s*")
"""A whole line that is the plugin's ``<!--ID: n-->`` comment."""
ID_BARE_RE = re.compile(r"\s*ID:\s*(\d+)\s*")
"""A whole line ``ID: n`` (the plugin's comment without its ``<!-- -->``)."""
ID_START_RE = re.compile(r"\s*<!--\s*ID:")
"""A line that begins an ID comment (maybe a broken one)."""
ID_TRAILING_RE = re.compile(r"\s<!--\s*ID:\s*\d+\s*-->$")
"""An ID comment at the end of a line of text."""
INLINE_ID_RE = re.compile(r"(?:<!--\s*)?ID:\s*(\d+)\s*(?:-->)?")
"""An ID inside an inline note, with or without its comment markers."""

_QUOTE_RE = re.compile(r"^(?:[ \t]*>)*")
_BACKTICKS_RE = re.compile(r"`+")
_MATH_RE = re.compile(
    r"(?<!\\)\$\$(?=\S).+?(?<=\S)(?<!\\)\$\$"               # $$display$$ on one line
    r"|(?<![\\$])\$(?=[^\s$]).*?(?<=[^\s\\])\$(?![\d$])"   # $inline$, not currency
)


def has_cloze(text: str) -> bool:
    """``True`` when ``text`` holds at least one Anki cloze deletion ``{{cN::``."""
    return CLOZE_RE.search(text) is not None


FENCE_FIRST = frozenset("`~ \t")


@dataclass(frozen=True, slots=True)
class Fence:
    """An open code fence.

    Attributes:
        char: ``"`"`` or ``"~"``.
        length: how many of them opened it (a closing run is at least as long).
        line: 0-based line it opened on (0 when unknown).
        anki: its info string's first word is ``anki`` (the plugin reads cards in it).
    """

    char: str
    length: int
    line: int
    anki: bool


def fence_open(content: str) -> Fence | None:
    """The fence a line opens (``` or ~~~, 3 or more, any indent; CommonMark §4.5), or ``None``."""
    if content[:1] not in FENCE_FIRST:
        return None
    t = content.lstrip(" \t")
    if not t.startswith(("```", "~~~")):
        return None
    char = t[0]
    run = len(t) - len(t.lstrip(char))
    info = t[run:].strip()
    if char == "`" and "`" in info:
        return None
    words = info.split()
    return Fence(char, run, 0, bool(words) and words[0].lower() == "anki")


def fence_closes(content: str, fence: Fence) -> bool:
    """``True`` when ``content`` closes ``fence`` (same character, at least as many, nothing else)."""
    t = content.strip()
    return len(t) >= fence.length and t[0] == fence.char and t == fence.char * len(t)


def frontmatter_end(lines: Sequence[str]) -> int:
    """Index of the first line after a leading ``---`` frontmatter block (0 when none)."""
    if lines and lines[0].rstrip() == "---":
        for i in range(1, len(lines)):
            if lines[i].rstrip() in ("---", "..."):
                return i + 1
    return 0


def scan_lines(lines: Sequence[str]) -> list[list[tuple[int, int, str]]]:
    """For each line, the character ranges ``(start, end, kind)`` where nothing is a link,
    tag, comment or block id: ``kind`` is ``"fence"`` (a whole line of a fenced code block,
    fence lines included), ``"code"`` (an inline code span), ``"math"`` (``$…$`` or
    ``$$…$$`` on one line) or ``"comment"`` (``%% … %%``, which may span lines, as in
    Obsidian).

    Inline code follows CommonMark (a backtick run closes at the next run of the same length
    on the line); math follows the renderer's dollar rules (no space inside the dollars, no
    digit after the closing one, ``\\$`` escapes); both win over ``%%``. Returns a list as
    long as ``lines``.
    """
    out: list[list[tuple[int, int, str]]] = []
    fence: Fence | None = None
    in_comment = False
    for line in lines:
        content = _QUOTE_RE.sub("", line, count=1)
        if fence is not None:
            out.append([(0, len(line), "fence")])
            if fence_closes(content, fence):
                fence = None
            continue
        opened = fence_open(content)
        if opened is not None and not in_comment:
            fence = opened
            out.append([(0, len(line), "fence")])
            continue
        code: list[tuple[int, int]] = []
        runs = list(_BACKTICKS_RE.finditer(line))
        i = 0
        while i < len(runs):
            opener = runs[i]
            for j in range(i + 1, len(runs)):
                if len(runs[j].group()) == len(opener.group()):
                    code.append((opener.start(), runs[j].end()))
                    i = j
                    break
            i += 1
        math = [(m.start(), m.end()) for m in _MATH_RE.finditer(line)
                if not any(a <= m.start() < b for a, b in code)] if "$" in line else []
        protected = code + math
        spans: list[tuple[int, int, str]] = []
        pos = 0
        comment_start = 0
        while True:
            k = line.find("%%", pos)
            if k < 0:
                break
            if not in_comment and any(a <= k < b for a, b in protected):
                pos = k + 2
                continue
            if in_comment:
                spans.append((comment_start, k + 2, "comment"))
                in_comment = False
            else:
                in_comment = True
                comment_start = k
            pos = k + 2
        if in_comment:
            spans.append((comment_start, len(line), "comment"))
        comments = list(spans)
        spans.extend((a, b, "code") for a, b in code
                     if not any(s <= a < e for s, e, _ in comments))
        spans.extend((a, b, "math") for a, b in math
                     if not any(s <= a < e for s, e, _ in comments))
        spans.sort()
        out.append(spans)
    return out


def code_spans(lines: Sequence[str]) -> list[list[tuple[int, int]]]:
    """:func:`scan_lines` without the kinds: per line, ``[start, end)`` ranges of code and
    comments."""
    return [[(a, b) for a, b, _ in spans] for spans in scan_lines(lines)]
