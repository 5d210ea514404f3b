"""``\\(…\\)`` and ``\\[…\\]`` math: the delimiters Anki's MathJax reads and Obsidian_to_Anki
writes (it turns ``$…$`` into ``\\(…\\)``, research §7), kept as math with every backslash.

Without this rule markdown-it reads ``\\(`` as an escaped ``(`` (CommonMark §2.4: any ASCII
punctuation may be escaped), so ``Is \\(a^2+b^2\\) prime?`` reached Anki as "Is (a^2+b^2)
prime?" and MathJax never saw it. The rule runs before ``escape`` and makes the same tokens as
mdit-py-plugins' ``dollarmath`` (``math_inline`` for ``\\(…\\)``, ``math_inline_double`` for
``\\[…\\]``), so one set of render rules writes both (and keeps a cloze's ``}}`` apart).

- ``\\\\(`` is an escaped backslash followed by ``(``: not math (``escape`` reads ``\\\\`` first).
- The math may span the lines of one paragraph; an opener without its closer is text, as before.
- A block that starts a line with ``\\[`` and ends a *later* line with ``\\]`` is display math
  whatever its lines hold (a line ``+ c`` inside is no list item), like ``$$`` blocks.
- Inside code spans and fences nothing changes (markdown-it never runs inline rules there).
"""

from __future__ import annotations

import logging

from markdown_it import MarkdownIt
from markdown_it.rules_block import StateBlock
from markdown_it.rules_inline import StateInline

LOG = logging.getLogger(__name__)

_PAIRS = {"(": ("\\)", "math_inline"), "[": ("\\]", "math_inline_double")}


def _backslash_math(state: StateInline, silent: bool) -> bool:
    """Inline rule: ``\\(`` … ``\\)`` or ``\\[`` … ``\\]`` at ``state.pos``."""
    src, pos = state.src, state.pos
    if src[pos] != "\\" or pos + 1 >= state.posMax:
        return False
    pair = _PAIRS.get(src[pos + 1])
    if pair is None:
        return False
    closer, kind = pair
    start = pos + 2
    end = src.find(closer, start, state.posMax)
    # a closer written `\\)` is an escaped backslash and `)`: look further
    while end > start and _escaped(src, end):
        end = src.find(closer, end + 1, state.posMax)
    if end < 0 or not src[start:end].strip():
        return False
    if not silent:
        token = state.push(kind, "math", 0)
        token.content = src[start:end]
        token.markup = src[pos:pos + 2]
    state.pos = end + 2
    return True


def _escaped(src: str, index: int) -> bool:
    """``True`` when the backslash at ``index`` is itself escaped (an odd run before it)."""
    run = 0
    k = index - 1
    while k >= 0 and src[k] == "\\":
        run += 1
        k -= 1
    return run % 2 == 1


def _backslash_math_block(state: StateBlock, start: int, end: int, silent: bool) -> bool:
    """Block rule: a line opening with ``\\[`` up to the line that ends with ``\\]``."""
    if state.sCount[start] - state.blkIndent >= 4:
        return False
    begin = state.bMarks[start] + state.tShift[start]
    if not state.src.startswith("\\[", begin):
        return False
    first = state.src[begin:state.eMarks[start]].rstrip()
    if not first.startswith("\\["):
        return False
    if first.endswith("\\]"):
        return False  # one line: the inline rule reads it, inside its paragraph
    line = start
    last = first
    while not (line > start and last.endswith("\\]") and not _escaped(last, len(last) - 2)):
        line += 1
        if line >= end:
            return False
        last = state.src[state.bMarks[line] + state.tShift[line]:state.eMarks[line]].rstrip()
        if not last or state.sCount[line] < state.blkIndent:
            return False  # a blank line or a dedent ends the block: not math
    if silent:
        return True
    body = state.src[begin:state.eMarks[line]].rstrip()
    content = body[2:-2]
    if not content.strip():
        return False
    token = state.push("math_block", "math", 0)
    token.block = True
    token.content = content
    token.markup = "\\["
    token.map = [start, line + 1]
    state.line = line + 1
    return True


def backslash_math_plugin(md: MarkdownIt) -> None:
    """Add the ``backslash_math`` inline rule before ``escape`` and the
    ``backslash_math_block`` block rule before ``paragraph`` (render rules for their tokens
    come with the dollar math)."""
    md.inline.ruler.before("escape", "backslash_math", _backslash_math)
    md.block.ruler.before("paragraph", "backslash_math_block", _backslash_math_block,
                          {"alt": ["paragraph", "reference", "blockquote", "list"]})
