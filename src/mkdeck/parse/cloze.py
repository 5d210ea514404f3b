"""Cloze deletions: finding Anki's ``{{c1::…}}`` and converting the plugin's shorthand.

With ``curly_cloze`` on, ``{a}``, ``{2:a}``, ``{c3|a}`` and ``{1:answer::hint}`` become
``{{c1::a}}``, ``{{c2::a}}``, ``{{c3::a}}``, ``{{c1::answer::hint}}``; with ``highlight_cloze``
on, ``==a==`` (and ``==2:a==``) become clozes the same way. This is Obsidian_to_Anki's
CurlyCloze (src/format.ts ``CLOZE_REGEXP``, research §4) without its bugs:

- unnumbered clozes take the lowest numbers no explicit cloze of the note uses (the plugin
  counts them independently, so ``{a} {1:b}`` made two ``c1``);
- ``{c1::a}`` gives ``{{c1::a}}``, not ``{{c1:::a}}``;
- braces nest (``{f(x) = {x}}`` is one cloze), a cloze never spans a blank line;
- nothing inside code (fences, spans), math (``$…$``, ``$$…$$``, ``\\(…\\)``, ``\\[…\\]``),
  existing ``{{…}}`` or wikilinks ``[[…]]`` is touched; ``\\{`` is a literal brace.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence

from mkdeck.scan import CLOZE_RE

LOG = logging.getLogger(__name__)

_SPEC_RE = re.compile(r"[cC]?(\d+)(?:::|:|\|)(.*)", re.DOTALL)


class _Scanner:
    """Finds shorthand clozes in one field, skipping protected spans, in one linear pass
    (a failed search for a closing delimiter is remembered, so unclosed ``$$`` or backtick
    runs never make the scan quadratic)."""

    def __init__(self, text: str, curly: bool, highlight: bool) -> None:
        self.text = text
        self.curly = curly
        self.highlight = highlight
        self._missing: set[str] = set()
        self._pairs: dict[int, int] | None = None
        self._eol = (1, 0)  # (from, newline index) of the last line-end search
        self._math_memo = (-1, -1)  # (searched from, closing `$` or -1) of the last search

    def _find(self, needle: str, start: int) -> int:
        if needle in self._missing:
            return -1
        index = self.text.find(needle, start)
        if index < 0:
            self._missing.add(needle)
        return index

    def spans(self) -> list[tuple[int, int, str]]:
        """``(start, end, inner)`` of every shorthand cloze: ``text[start:end]`` is replaced."""
        text = self.text
        n = len(text)
        out: list[tuple[int, int, str]] = []
        i = 0
        line_start = True
        while i < n:
            c = text[i]
            if line_start:
                line_start = False
                j = i
                while j < n and text[j] in " \t>":
                    j += 1
                if text.startswith(("```", "~~~"), j):
                    i = self._skip_fence(j)
                    line_start = True
                    continue
            if c == "\n":
                line_start = True
                i += 1
            elif c == "\\":
                nxt = text[i + 1:i + 2]
                if nxt in ("(", "["):
                    close = self._find("\\" + (")" if nxt == "(" else "]"), i + 2)
                    i = close + 2 if close >= 0 else i + 2
                else:
                    i += 2
            elif c == "`":
                run = 1
                while i + run < n and text[i + run] == "`":
                    run += 1
                close = self._find("`" * run, i + run)
                i = close + run if close >= 0 else i + run
            elif c == "$":
                if text.startswith("$$", i):
                    close = self._find("$$", i + 2)
                    i = close + 2 if close >= 0 else i + 2
                else:
                    close = self._inline_math_end(i)
                    i = close + 1 if close >= 0 else i + 1
            elif c == "[" and text.startswith("[[", i):
                close = self._find("]]", i + 2)
                i = close + 2 if close >= 0 else i + 2
            elif c == "{":
                if text.startswith("{{", i):
                    close = self._find("}}", i + 2)
                    i = close + 2 if close >= 0 else i + 2
                elif self.curly:
                    close = self._brace_end(i)
                    if close > i + 1:
                        out.append((i, close + 1, text[i + 1:close]))
                        i = close + 1
                    else:
                        i += 1
                else:
                    i += 1
            elif c == "=" and self.highlight and text.startswith("==", i):
                close = text.find("==", i + 2, self._line_end(i))
                if close > i + 2 and not text[i + 2].isspace():
                    out.append((i, close + 2, text[i + 2:close]))
                    i = close + 2
                else:
                    i += 2
            else:
                i += 1
        return out

    def _line_end(self, i: int) -> int:
        """Index of the newline ending the line that holds ``i`` (or the text's length);
        remembered, so many queries on one long line cost one search."""
        start, end = self._eol
        if start <= i <= end:
            return end
        end = self.text.find("\n", i)
        end = len(self.text) if end < 0 else end
        self._eol = (i, end)
        return end

    def _skip_fence(self, j: int) -> int:
        """Index just after the fence opened at ``j`` closes (or the end of the text)."""
        text = self.text
        mark = text[j]
        run = 0
        while j + run < len(text) and text[j + run] == mark:
            run += 1
        pos = self._line_end(j) + 1
        while pos < len(text):
            end = self._line_end(pos)
            line = text[pos:end].lstrip(" \t>")
            if line.startswith(mark * run) and not line.strip().strip(mark):
                return end + 1
            pos = end + 1
        return len(text)

    def _inline_math_end(self, i: int) -> int:
        """Closing ``$`` of inline math opened at ``i`` on the same line (Obsidian: no space
        after the opening ``$`` nor before the closing one), or -1."""
        text = self.text
        if i + 1 >= len(text) or text[i + 1].isspace() or text[i + 1] == "$":
            return -1
        end = self._line_end(i)
        # whether a `$` can close depends only on its own position, so the answer for ``i``
        # holds for every later opener before it on the line (keeps the scan linear)
        memo_from, memo_result = self._math_memo
        if memo_from <= i + 1 and (memo_result < 0 and memo_from >= 0 and i < end
                                   and self._line_end(memo_from) == end
                                   or i + 1 <= memo_result):
            return memo_result
        j = i + 1
        while True:
            j = text.find("$", j, end)
            if j < 0:
                self._math_memo = (i + 1, -1)
                return -1
            if text[j - 1] != "\\" and not text[j - 1].isspace():
                self._math_memo = (i + 1, j)
                return j
            j += 1

    def _brace_end(self, i: int) -> int:
        """Index of the ``}`` closing the ``{`` at ``i``, or -1 when a blank line or the end
        comes first. Braces nest; ``\\{`` and ``\\}`` are literal. All pairs are matched in
        one pass over the text the first time (a stack, reset at blank lines), so many
        unclosed ``{`` cost linear time, not quadratic."""
        if self._pairs is None:
            self._pairs = _match_braces(self.text)
        return self._pairs.get(i, -1)


def _match_braces(text: str) -> dict[int, int]:
    """``{open index: close index}`` of the balanced braces of ``text``; a blank line closes
    nothing and drops the braces still open."""
    pairs: dict[int, int] = {}
    stack: list[int] = []
    n = len(text)
    j = 0
    while j < n:
        c = text[j]
        if c == "\\":
            j += 2
            continue
        if c == "{":
            stack.append(j)
        elif c == "}":
            if stack:
                pairs[stack.pop()] = j
        elif c == "\n" and stack:
            k = j + 1
            while k < n and text[k] in " \t":
                k += 1
            if k < n and text[k] == "\n":
                stack.clear()
        j += 1
    return pairs


def _safe_body(body: str) -> str:
    """Keep ``}}`` out of a cloze's text: Anki ends the cloze at the first ``}}`` (plugin
    issues #292/#313), so a nested brace pair gets a space (``f{x}`` → ``f{x} ``)."""
    body = body.replace("}}", "} }")
    return body + " " if body.endswith("}") else body


def convert_shorthand(fields: Sequence[str], *, curly: bool, highlight: bool) -> list[str]:
    """Convert the plugin's cloze shorthand in the fields of one Cloze note.

    Args:
        fields: the note's field markdown, in note-type order.
        curly: convert ``{…}`` (``curly_cloze``).
        highlight: convert ``==…==`` (``highlight_cloze``).

    Returns:
        The fields with shorthand replaced by Anki clozes; numbering is per note: explicit
        numbers are kept, unnumbered clozes take the lowest numbers not used explicitly
        (existing ``{{cN::`` count as explicit).
    """
    if not (curly or highlight):
        return list(fields)
    found = [_Scanner(text, curly, highlight).spans() for text in fields]
    used: set[int] = set()
    for text in fields:
        used.update(int(m.group(1)) for m in CLOZE_RE.finditer(text))
    parsed: list[list[tuple[int, int, int | None, str]]] = []
    for spans in found:
        items = []
        for start, end, inner in spans:
            m = _SPEC_RE.fullmatch(inner)
            if m and m.group(2).strip():
                number: int | None = int(m.group(1))
                body = m.group(2)
                body = body.removeprefix(":")
                used.add(number)  # type: ignore[arg-type]
            else:
                number, body = None, inner
            items.append((start, end, number, body))
        parsed.append(items)
    next_free = 1
    out = []
    for text, items in zip(fields, parsed, strict=True):
        pieces = []
        pos = 0
        for start, end, number, body in items:
            if number is None:
                while next_free in used:
                    next_free += 1
                number = next_free
                used.add(number)
            pieces.append(text[pos:start])
            pieces.append(f"{{{{c{number}::{_safe_body(body)}}}}}")
            pos = end
        pieces.append(text[pos:])
        out.append("".join(pieces))
    return out
