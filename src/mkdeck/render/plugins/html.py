"""Raw HTML: only real HTML elements pass (anything else is text), and ``<img src>`` of local
files are media too (block and inline rules ``html_block``, ``html_inline`` and their render
rules)."""

from __future__ import annotations

import html
import logging
import re
from collections.abc import Sequence
from typing import Any
from urllib.parse import unquote

from markdown_it import MarkdownIt
from markdown_it.rules_block import StateBlock
from markdown_it.rules_block.html_block import html_block
from markdown_it.rules_inline import StateInline
from markdown_it.rules_inline.html_inline import html_inline
from markdown_it.token import Token

from mkdeck.render.fieldenv import SCHEME_RE, FieldEnv
from mkdeck.vault.links import (
    MEDIA_MISSING,
    link_diagnostics,
    parse_link,
)

LOG = logging.getLogger(__name__)


HTML_ELEMENTS = frozenset("""
a abbr address area article aside audio b base bdi bdo big blockquote body br button canvas
caption center cite code col colgroup data datalist dd del details dfn dialog dir div dl dt em
embed fieldset figcaption figure font footer form frame frameset h1 h2 h3 h4 h5 h6 head header
hgroup hr html i iframe img input ins kbd label legend li link main map mark marquee menu meta
meter nav nobr noscript object ol optgroup option output p param picture pre progress q rp rt
ruby s samp script section select slot small source span strike strong style sub summary sup
table tbody td template textarea tfoot th thead time title tr track tt u ul var video wbr
svg g path circle ellipse line polyline polygon rect text tspan defs use symbol marker
lineargradient radialgradient stop clippath mask pattern image foreignobject
math mi mn mo ms mtext mrow msup msub msubsup mfrac msqrt mroot mtable mtr mtd annotation
semantics
""".split())  # noqa: SIM905
"""Tag names kept as raw HTML (HTML5, SVG, MathML). Any other ``<name>`` — ``vector<int>``,
``Map<K, V>`` — is text and escaped, so it shows in Anki as written; custom elements (a hyphen
in the name, e.g. Anki's ``<anki-mathjax>``) are HTML."""

_TAG_NAME_RE = re.compile(r"</?([A-Za-z][A-Za-z0-9-]*)")


def is_html_tag(text: str, pos: int = 0) -> bool:
    """``True`` unless ``text`` at ``pos`` opens a tag whose name is not an HTML element
    (comments, declarations and processing instructions count as HTML)."""
    m = _TAG_NAME_RE.match(text, pos)
    if m is None:
        return True
    name = m.group(1).casefold()
    return name in HTML_ELEMENTS or "-" in name


def _html_block(state: StateBlock, start: int, end: int, silent: bool) -> bool:
    """markdown-it's ``html_block``, declining blocks that open with a non-HTML tag."""
    pos = state.bMarks[start] + state.tShift[start]
    if not state.src.startswith("<", pos):  # html_block's own first test, before the regex
        return False
    if not is_html_tag(state.src, pos):
        return False
    return html_block(state, start, end, silent)


_TAG_START_RE = re.compile(r"<(?=/?[A-Za-z])")
_SCRIPT_RE = re.compile(r"<(?:script|style)\b", re.I)


def escape_unknown_tags(html_text: str) -> str:
    """Escape the ``<`` of every tag in a raw HTML block that is no HTML element
    (``<div>vector<int></div>``); ``<script>``/``<style>`` blocks are left alone."""
    if _SCRIPT_RE.search(html_text):
        return html_text
    return _TAG_START_RE.sub(
        lambda m: "<" if is_html_tag(html_text, m.start()) else "&lt;", html_text)


def _html_inline(state: StateInline, silent: bool) -> bool:
    """markdown-it's ``html_inline``, declining tags that are not HTML elements."""
    if not is_html_tag(state.src, state.pos):
        return False
    return html_inline(state, silent)


_HTML_IMG_RE = re.compile(r"""(<img\b[^>]*?\bsrc\s*=\s*)(["'])(.*?)\2""", re.I | re.S)


def _html_media(html_text: str, fenv: FieldEnv, first_line: int) -> str:
    def swap(m: re.Match[str]) -> str:
        src = html.unescape(m.group(3))
        if not src or SCHEME_RE.match(src) or src.startswith("//"):
            return m.group(0)
        at = fenv.location(first_line + html_text.count("\n", 0, m.start()))
        target = unquote(src.split("#", 1)[0].split("?", 1)[0])
        res = fenv.index.resolve(target, at.path)
        if res.path is None or res.outside:
            if res.outside:
                fenv.diagnostics.extend(link_diagnostics(
                    fenv.index, parse_link(target, True), res, at, "media"))
            else:
                fenv.diagnostics.append(MEDIA_MISSING.at(
                    at, f"<img src={src!r}> is not a file of the vault; add it or fix the path"))
            return m.group(0)
        return f"{m.group(1)}{m.group(2)}{fenv.media_slot(res.path, at)}{m.group(2)}"

    return _HTML_IMG_RE.sub(swap, html_text) if "<img" in html_text.lower() else html_text


def _render_html_inline(self: Any, tokens: Sequence[Token], idx: int, options: Any,
                        env: Any) -> str:
    fenv = env.get("field")
    token = tokens[idx]
    content = escape_unknown_tags(token.content)  # a comment holding <int>: still a comment
    if fenv is None:
        return content
    return _html_media(content, fenv, (token.meta or {}).get("line", fenv.line))


def _render_html_block(self: Any, tokens: Sequence[Token], idx: int, options: Any,
                       env: Any) -> str:
    fenv = env.get("field")
    token = tokens[idx]
    if fenv is None:
        return token.content
    content = escape_unknown_tags(token.content)
    return _html_media(content, fenv, token.map[0] if token.map else fenv.line)




def html_plugin(md: MarkdownIt) -> None:
    """Replace markdown-it's raw HTML rules in ``md`` by the ones above."""
    md.block.ruler.at("html_block", _html_block,
                      {"alt": ["paragraph", "reference", "blockquote"]})
    md.inline.ruler.at("html_inline", _html_inline)
    md.add_render_rule("html_inline", _render_html_inline)
    md.add_render_rule("html_block", _render_html_block)
