"""Obsidian callouts: ``> [!type] Title`` blockquotes become callout blocks (core rule
``callouts``, after ``inline``)."""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.rules_core import StateCore
from markdown_it.token import Token

from mkdeck.render.style import callout_family

LOG = logging.getLogger(__name__)


_CALLOUT_RE = re.compile(r"^\[!([^\]\s]+)\]([+-]?)[ \t]*")




def _callouts(state: StateCore) -> None:
    """``> [!type]± Title`` blockquotes become ``callout_open``/``callout_close`` (Obsidian
    callouts); the title is the rest of the first line, else the type capitalised."""
    tokens = state.tokens
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        if (tok.type != "blockquote_open" or i + 2 >= len(tokens)
                or tokens[i + 1].type != "paragraph_open" or tokens[i + 2].type != "inline"):
            i += 1
            continue
        inline = tokens[i + 2]
        children = inline.children or []
        m = _CALLOUT_RE.match(inline.content)
        if not m or not children or children[0].type != "text" \
                or not children[0].content.startswith(m.group(0).rstrip()):
            i += 1
            continue
        kind = m.group(1)
        cut = next((k for k, c in enumerate(children) if c.type in ("softbreak", "hardbreak")),
                   len(children))
        title = children[:cut]
        body = children[cut + 1:]
        first = title[0]
        first.content = first.content[len(m.group(0).rstrip()):].lstrip()
        if not first.content:
            title = title[1:]
        if not title:
            default = Token("text", "", 0)
            default.content = kind[:1].upper() + kind[1:].casefold()
            title = [default]
        depth = 0
        close = None
        for j in range(i, len(tokens)):
            if tokens[j].type == "blockquote_open":
                depth += 1
            elif tokens[j].type == "blockquote_close":
                depth -= 1
                if depth == 0:
                    close = j
                    break
        if close is None:
            i += 1
            continue
        tok.type = "callout_open"
        tok.meta = {"kind": kind.casefold(), "title": title}
        tokens[close].type = "callout_close"
        if body:
            inline.children = body
        else:
            del tokens[i + 1:i + 4]
        i += 1


def _render_callout_open(self: Any, tokens: Sequence[Token], idx: int, options: Any,
                         env: Any) -> str:
    meta = tokens[idx].meta
    title = self.renderInline(meta["title"], options, env)
    kind = escapeHtml(meta["kind"])
    return (f'<div class="callout" data-callout="{kind}" '
            f'data-callout-family="{callout_family(meta["kind"])}">\n'
            f'<div class="callout-title">{title}</div>\n<div class="callout-content">\n')


def _render_callout_close(self: Any, tokens: Sequence[Token], idx: int, options: Any,
                          env: Any) -> str:
    return "</div>\n</div>\n"




def callouts_plugin(md: MarkdownIt) -> None:
    """Add the ``callouts`` core rule and its render rules to ``md``."""
    md.core.ruler.after("inline", "callouts", _callouts)
    md.add_render_rule("callout_open", _render_callout_open)
    md.add_render_rule("callout_close", _render_callout_close)
