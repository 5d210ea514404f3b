"""The markdown-it-py parser configured to read fields the way Obsidian shows them.

CommonMark + tables, strikethrough (markdown-it-py), footnotes, task lists and dollar math
(mdit-py-plugins), and mkdeck's own plugins, each a small rule in markdown-it's chains:

* ``wikilink`` (inline, before ``link``): ``[[t#h|a]]`` and ``![[t|300]]``;
* ``mark`` (inline + post-process, like ``strikethrough``): ``==x==`` → ``<mark>``;
* ``obsidian_tag`` (inline): ``#tag`` collected as a note tag when enabled;
* ``inline_lines`` (core, replaces ``inline``): tells inline rules which source line they read;
* ``callouts`` (core, after ``inline``): ``> [!type] Title`` blockquotes → callout blocks.

The render rules resolve links and media through the :class:`FieldEnv` passed as markdown-it's
``env``; everything they report lands in ``env.diagnostics``.
"""

from __future__ import annotations

import html
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, unquote

from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.rules_block import StateBlock
from markdown_it.rules_block.html_block import html_block
from markdown_it.rules_core import StateCore
from markdown_it.rules_inline import StateInline
from markdown_it.rules_inline.html_inline import html_inline
from markdown_it.rules_inline.state_inline import Delimiter
from markdown_it.token import Token
from mdit_py_plugins.dollarmath import dollarmath_plugin
from mdit_py_plugins.footnote import footnote_plugin
from mdit_py_plugins.tasklists import tasklists_plugin

from mkdeck.codes import register
from mkdeck.vault.links import (
    MEDIA_MISSING,
    LinkTarget,
    VaultIndex,
    link_diagnostics,
    parse_link,
)
from mkdeck.model import Config, Diagnostic, Severity, SourceLocation
from mkdeck.render.media import media_kind
from mkdeck.render.style import callout_family, highlight_code

LOG = logging.getLogger(__name__)

MEDIA_UNSUPPORTED = register(
    "MKD211", Severity.WARNING, "file type Anki cannot show",
    fix="Anki shows images, audio and video; link the file instead of embedding it "
        "(`[[file.pdf]]`), or convert it.",
    bad="![[slides.pdf]]", good="[[slides.pdf]]",
)

_SIZE_RE = re.compile(r"^\s*(\d+)(?:\s*x\s*(\d+))?\s*$")
_CALLOUT_RE = re.compile(r"^\[!([^\]\s]+)\]([+-]?)[ \t]*")
_TAG_RE = re.compile(r"#([\w/-]+)")
_SCHEME_RE = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")


@dataclass
class FieldEnv:
    """markdown-it ``env`` of one field: what the render rules need and what they collect.

    Attributes:
        index: link resolution over the vault.
        config: the vault's configuration (link style, inline tags, vault name).
        vault_name: name used in ``obsidian://`` links.
        locations: for each line of the markdown source, where it was written.
        media: ``(vault-relative path, location)`` of each media file referenced, in order; the
            HTML refers to entry ``i`` as ``\\x00i\\x00`` until names are assigned.
        tags: inline ``#tags`` found (Anki form, ``::`` for ``/``).
        diagnostics: findings while rendering.
        cloze: the field holds Anki cloze markers (math then keeps ``}}`` apart).
        line: 0-based source line of the inline token being parsed (set by ``inline_lines``).
        html: the rendered field, once rendered.
    """

    index: VaultIndex
    config: Config
    vault_name: str
    locations: Sequence[SourceLocation]
    media: list[tuple[str, SourceLocation]] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    cloze: bool = False
    line: int = 0
    html: str = ""

    def location(self, line: int) -> SourceLocation:
        """Where source line ``line`` (0-based) was written."""
        if not self.locations:
            return SourceLocation(".", 0)
        return self.locations[max(0, min(line, len(self.locations) - 1))]

    def media_slot(self, path: str, at: SourceLocation) -> str:
        """A placeholder for the deck name of ``path`` (filled once every note is rendered)."""
        self.media.append((path, at))
        return f"\x00{len(self.media) - 1}\x00"


def _env(env: Any) -> FieldEnv:
    return env["field"]


# --- core: which line is an inline token on -------------------------------------------------


def _inline_lines(state: StateCore) -> None:
    """markdown-it's ``inline`` core rule, telling the inline rules the token's first line."""
    fenv = state.env.get("field")
    for token in state.tokens:
        if token.type == "inline":
            if token.children is None:
                token.children = []
            if fenv is not None and token.map:
                fenv.line = token.map[0]
            state.md.inline.parse(token.content, state.md, state.env, token.children)


def _here(state: StateInline) -> SourceLocation:
    fenv = _env(state.env)
    return fenv.location(fenv.line + state.src.count("\n", 0, state.pos))


# --- wikilinks and embeds ---------------------------------------------------------------------


_WIKI_INNER_RE = re.compile(r"[^\[\]\n]+\]\]")


def _wikilink(state: StateInline, silent: bool) -> bool:
    src, pos = state.src, state.pos
    embed = src.startswith("![[", pos)
    if not embed and not src.startswith("[[", pos):
        return False
    start = pos + (3 if embed else 2)
    # stops at the first bracket or newline: a search for "]]" to the end of the text, from
    # every "[[" of a line of brackets, took minutes
    m = _WIKI_INNER_RE.match(src, start)
    if m is None:
        return False
    end = m.end() - 2
    inner = src[start:end]
    if not inner.strip():
        return False
    if not silent:
        token = state.push("wikiembed" if embed else "wikilink", "", 0)
        token.meta = {"link": parse_link(inner, embed), "at": _here(state)}
        token.markup = src[pos:end + 2]
    state.pos = end + 2
    return True


def _obsidian_uri(vault: str, path: str) -> str:
    if path.casefold().endswith(".md"):
        path = path[:-3]
    safe = "-_.!~*'()"
    return f"obsidian://open?vault={quote(vault, safe=safe)}&file={quote(path, safe=safe)}"


def _render_wikilink(self: Any, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
    fenv = _env(env)
    link: LinkTarget = tokens[idx].meta["link"]
    at: SourceLocation = tokens[idx].meta["at"]
    res = fenv.index.resolve(link.target, at.path)
    fenv.diagnostics.extend(link_diagnostics(fenv.index, link, res, at))
    text = escapeHtml(link.display)
    if fenv.config.links != "obsidian":
        return text
    uri = _obsidian_uri(fenv.vault_name, res.path or link.target or at.path)
    return f'<a href="{escapeHtml(uri)}">{text}</a>'


def _size_attrs(spec: str | None) -> tuple[str, str]:
    """``(attrs, alt)`` from the part after ``|``: ``300`` → width, ``300x200`` → both."""
    if spec is None:
        return "", ""
    m = _SIZE_RE.match(spec)
    if not m:
        return "", spec.strip()
    attrs = f' width="{m.group(1)}"'
    if m.group(2):
        attrs += f' height="{m.group(2)}"'
    return attrs, ""


def _media_html(fenv: FieldEnv, target: str, spec: str | None, at: SourceLocation,
                raw: str, alt: str = "") -> str:
    """HTML for an embedded file: ``<img>`` or ``[sound:…]``, with its diagnostics."""
    res = fenv.index.resolve(target, at.path)
    kind = media_kind(target if res.path is None else res.path)
    size, spec_alt = _size_attrs(spec)
    alt = alt or spec_alt
    base = unquote(target).replace("\\", "/").rstrip("/").rsplit("/", 1)[-1]
    if res.outside:
        fenv.diagnostics.extend(link_diagnostics(fenv.index, parse_link(target, True), res, at,
                                                 "media"))
        if kind == "other":
            return f'<span class="mkdeck-missing">{escapeHtml(raw)}</span>'
        name = escapeHtml(base)
    elif kind == "other":
        if res.path is not None:
            fenv.diagnostics.append(MEDIA_UNSUPPORTED.at(
                at, f"{raw} embeds {res.path!r}, which Anki cannot show; write a link "
                    f"[[{target}]] instead, or convert the file"))
        else:
            fenv.diagnostics.append(MEDIA_MISSING.at(
                at, f"embedded file {target!r} is not in the vault (and Anki could not show "
                    f"it): fix the name or write a link"))
        return f'<span class="mkdeck-missing">{escapeHtml(raw)}</span>'
    elif res.path is None:
        fenv.diagnostics.append(MEDIA_MISSING.at(
            at, f"media file {target!r} is not in the vault; add it (any folder) or fix the "
                f"name: the card refers to {base!r}"))
        name = escapeHtml(base)
    else:
        name = fenv.media_slot(res.path, at)
    if kind in ("audio", "video"):
        return f"[sound:{name}]"
    alt_attr = f' alt="{escapeHtml(alt)}"' if alt else ""
    return f'<img src="{name}"{alt_attr}{size}>'


def _render_wikiembed(self: Any, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
    fenv = _env(env)
    link: LinkTarget = tokens[idx].meta["link"]
    at: SourceLocation = tokens[idx].meta["at"]
    if fenv.index.is_note_embed(link.target, at.path):
        # a note embed that expansion could not splice in (reported there)
        return f'<span class="mkdeck-missing">{escapeHtml(link.raw)}</span>'
    return _media_html(fenv, link.target, link.alias, at, link.raw)


# --- markdown images and links ----------------------------------------------------------------


def _render_image(self: Any, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
    token = tokens[idx]
    src = str(token.attrGet("src") or "")
    alt = self.renderInlineAsText(token.children or [], options, env)
    if _SCHEME_RE.match(src) or src.startswith("//"):
        alt_attr = f' alt="{escapeHtml(alt)}"' if alt else ""
        return f'<img src="{escapeHtml(src)}"{alt_attr}>'
    fenv = _env(env)
    spec = None
    if "|" in alt:
        alt, spec = alt.split("|", 1)
    at = token.meta.get("at") if token.meta else None
    local = unquote(src.split("#", 1)[0].split("?", 1)[0])
    return _media_html(fenv, local, spec, at or fenv.location(fenv.line), f"![{alt}]({src})",
                       alt.strip())


def _image_locations(state: StateCore) -> None:
    """Record each image's and link's source line (inline tokens only know their block)."""
    fenv = state.env.get("field")
    if fenv is None:
        return
    for token in state.tokens:
        if token.type != "inline" or not token.children or not token.map:
            continue
        line = token.map[0]
        for child in token.children:
            if child.type in ("softbreak", "hardbreak"):
                line += 1
            elif child.type in ("image", "link_open", "html_inline"):
                child.meta = {**(child.meta or {}), "at": fenv.location(line), "line": line}


def _render_link_open(self: Any, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
    token = tokens[idx]
    href = str(token.attrGet("href") or "")
    if _SCHEME_RE.match(href) or href.startswith(("#", "//")) or not href:
        return self.renderToken(tokens, idx, options, env)
    fenv = _env(env)
    at = (token.meta or {}).get("at") or fenv.location(fenv.line)
    target = unquote(href)
    sub = None
    if "#" in target:
        target, sub = target.split("#", 1)
    link = LinkTarget(f"[…]({href})", target, sub or None, None, False)
    res = fenv.index.resolve(target, at.path)
    fenv.diagnostics.extend(link_diagnostics(fenv.index, link, res, at))
    close = next((j for j in range(idx + 1, len(tokens))
                  if tokens[j].type == "link_close" and tokens[j].level == token.level), None)
    if fenv.config.links != "obsidian":
        if close is not None:
            tokens[close].meta = {**(tokens[close].meta or {}), "drop": True}
        return ""
    uri = _obsidian_uri(fenv.vault_name, res.path or target)
    return f'<a href="{escapeHtml(uri)}">'


def _render_link_close(self: Any, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
    if (tokens[idx].meta or {}).get("drop"):
        return ""
    return "</a>"


# --- raw HTML: only real HTML elements pass; <img src> of local files are media too --------

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
        if not src or _SCHEME_RE.match(src) or src.startswith("//"):
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


# --- ==mark== -----------------------------------------------------------------------------


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


# --- #tags --------------------------------------------------------------------------------


def _obsidian_tag(state: StateInline, silent: bool) -> bool:
    """``#tag`` / ``#a/b`` after whitespace or at the start (Obsidian: letters, digits, ``_``,
    ``-``, ``/``; at least one non-digit). Collected only when ``config.inline_tags``."""
    pos = state.pos
    if state.src[pos] != "#":
        return False
    fenv = state.env.get("field")
    if fenv is None or not fenv.config.inline_tags:
        return False
    if pos > 0 and not state.src[pos - 1].isspace():
        return False
    m = _TAG_RE.match(state.src, pos)
    if not m:
        return False
    name = m.group(1).rstrip("/")
    if not name or not re.search(r"[^\d/]", name):
        return False
    if not silent:
        token = state.push("text", "", 0)
        token.content = "#" + name
        tag = "::".join(p for p in name.split("/") if p)
        if tag not in fenv.tags:
            fenv.tags.append(tag)
    state.pos = pos + 1 + len(name)
    return True


# --- callouts -------------------------------------------------------------------------------


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


# --- math -----------------------------------------------------------------------------------


def _math_text(content: str, env: Any) -> str:
    fenv = env.get("field") if isinstance(env, dict) else None
    text = content.strip()
    if fenv is not None and fenv.cloze:
        # Anki ends a cloze at the first "}}": keep math's braces apart (O2A issues 292, 313)
        while "}}" in text:
            text = text.replace("}}", "} }")
    return escapeHtml(text)


def _render_math_inline(self: Any, tokens: Sequence[Token], idx: int, options: Any,
                        env: Any) -> str:
    return f"\\({_math_text(tokens[idx].content, env)}\\)"


def _render_math_display(self: Any, tokens: Sequence[Token], idx: int, options: Any,
                         env: Any) -> str:
    return f"\\[{_math_text(tokens[idx].content, env)}\\]"


def _render_math_block(self: Any, tokens: Sequence[Token], idx: int, options: Any,
                       env: Any) -> str:
    return f"<p>\\[{_math_text(tokens[idx].content, env)}\\]</p>\n"


# --- the parser -----------------------------------------------------------------------------


def _only_with_brackets(md: MarkdownIt, name: str) -> None:
    """Run core rule ``name`` only on a source holding a ``[``: the task-list rule walks every
    token of every field looking for an item that starts with ``[ ]`` or ``[x]``, and the
    contents of the tokens are cut from the source."""
    rule = next(r.fn for r in md.core.ruler.__rules__ if r.name == name)

    def gated(state: StateCore) -> None:
        if "[" in state.src:
            rule(state)

    md.core.ruler.at(name, gated)


def build_markdown() -> MarkdownIt:
    """A markdown-it-py parser reading Obsidian's markdown, rendering Anki HTML.

    Options: raw HTML kept, a single newline is ``<br>`` (Obsidian's default "strict line
    breaks" off), HTML (not XHTML) tags, Pygments highlighting.
    """
    md = MarkdownIt("commonmark", {"html": True, "breaks": True, "xhtmlOut": False,
                                   "highlight": highlight_code})
    md.enable(["table", "strikethrough"])
    md.use(footnote_plugin)
    md.use(tasklists_plugin, enabled=False)
    _only_with_brackets(md, "github-tasklists")
    md.use(dollarmath_plugin, allow_labels=False, allow_space=False, allow_digits=False,
           allow_blank_lines=False, double_inline=True)
    md.block.ruler.at("html_block", _html_block,
                      {"alt": ["paragraph", "reference", "blockquote"]})
    md.inline.ruler.at("html_inline", _html_inline)
    md.inline.ruler.before("link", "wikilink", _wikilink)
    md.inline.ruler.before("emphasis", "mark", _mark_tokenize)
    md.inline.ruler2.after("strikethrough", "mark", _mark_post)
    md.inline.ruler.before("entity", "obsidian_tag", _obsidian_tag)
    md.core.ruler.at("inline", _inline_lines)
    md.core.ruler.after("inline", "callouts", _callouts)
    md.core.ruler.after("inline", "image_locations", _image_locations)
    md.add_render_rule("wikilink", _render_wikilink)
    md.add_render_rule("wikiembed", _render_wikiembed)
    md.add_render_rule("image", _render_image)
    md.add_render_rule("link_open", _render_link_open)
    md.add_render_rule("link_close", _render_link_close)
    md.add_render_rule("html_inline", _render_html_inline)
    md.add_render_rule("html_block", _render_html_block)
    md.add_render_rule("mark_open", lambda self, t, i, o, e: "<mark>")
    md.add_render_rule("mark_close", lambda self, t, i, o, e: "</mark>")
    md.add_render_rule("callout_open", _render_callout_open)
    md.add_render_rule("callout_close", _render_callout_close)
    md.add_render_rule("math_inline", _render_math_inline)
    md.add_render_rule("math_inline_double", _render_math_display)
    md.add_render_rule("math_block", _render_math_block)
    return md
