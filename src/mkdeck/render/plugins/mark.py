"""``==highlight==`` → ``<mark>`` (an inline rule and a post-process rule, like markdown-it's
``strikethrough``)."""

from __future__ import annotations

import logging

from markdown_it import MarkdownIt
from markdown_it.rules_inline import StateInline
from markdown_it.rules_inline.state_inline import Delimiter

LOG = logging.getLogger(__name__)


def _mark_tokenize(state: StateInline, silent: bool) -> bool:
    """``==`` delimiters (markdown-it-mark's rule, as markdown-it-py's strikethrough)."""
    if silent or state.src[state.pos] != "=":
        return False
    scanned = state.scanDelims(state.pos, True)
    length = scanned.length
    if length < 2:
        return False
    if length % 2:
        token = state.push("text", "", 0)
        token.content = "="
        length -= 1
    for _ in range(0, length, 2):
        token = state.push("text", "", 0)
        token.content = "=="
        state.delimiters.append(Delimiter(
            marker=0x3D, length=0, token=len(state.tokens) - 1, end=-1,
            open=scanned.can_open, close=scanned.can_close))
    state.pos += scanned.length
    return True


def _mark_pairs(state: StateInline, delimiters: list[Delimiter]) -> None:
    lone: list[int] = []
    for start in delimiters:
        if start.marker != 0x3D or start.end == -1:
            continue
        end = delimiters[start.end]
        tok = state.tokens[start.token]
        tok.type, tok.tag, tok.nesting, tok.markup, tok.content = "mark_open", "mark", 1, "==", ""
        tok = state.tokens[end.token]
        tok.type, tok.tag, tok.nesting, tok.markup, tok.content = "mark_close", "mark", -1, "==", ""
        prev = state.tokens[end.token - 1]
        if prev.type == "text" and prev.content == "=":
            lone.append(end.token - 1)
    while lone:
        i = lone.pop()
        j = i + 1
        while j < len(state.tokens) and state.tokens[j].type == "mark_close":
            j += 1
        j -= 1
        if i != j:
            state.tokens[i], state.tokens[j] = state.tokens[j], state.tokens[i]


def _mark_post(state: StateInline) -> None:
    _mark_pairs(state, state.delimiters)
    for meta in state.tokens_meta:
        if meta and "delimiters" in meta:
            _mark_pairs(state, meta["delimiters"])




def mark_plugin(md: MarkdownIt) -> None:
    """Add the ``mark`` rules (before ``emphasis``, after ``strikethrough``) to ``md``."""
    md.inline.ruler.before("emphasis", "mark", _mark_tokenize)
    md.inline.ruler2.after("strikethrough", "mark", _mark_post)
    md.add_render_rule("mark_open", lambda self, t, i, o, e: "<mark>")
    md.add_render_rule("mark_close", lambda self, t, i, o, e: "</mark>")
