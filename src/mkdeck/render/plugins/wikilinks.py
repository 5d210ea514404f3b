"""``[[target#heading|alias]]`` and ``![[target|300]]``: the inline rule ``wikilink`` (before
``link``) and the render rules ``wikilink`` and ``wikiembed`` (links resolved in the vault,
embedded media packed)."""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token

from mkdeck.model import SourceLocation
from mkdeck.render.fieldenv import field_env, here, media_html, obsidian_uri
from mkdeck.render.plugins.linktext import link_text, repaired_target
from mkdeck.vault.links import (
    LinkTarget,
    link_diagnostics,
    parse_link,
)

LOG = logging.getLogger(__name__)


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
        token.meta = {"link": parse_link(inner, embed), "at": here(state)}
        token.markup = src[pos:end + 2]
    state.pos = end + 2
    return True


def _render_wikilink(self: Any, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
    fenv = field_env(env)
    link: LinkTarget = tokens[idx].meta["link"]
    at: SourceLocation = tokens[idx].meta["at"]
    res = fenv.index.resolve(link.target, at.path)
    fenv.diagnostics.extend(link_diagnostics(fenv.index, link, res, at))
    text = escapeHtml(link_text(fenv.index, link, res, at.path, fenv.config))
    if fenv.config.links != "obsidian":
        return text
    fixed = repaired_target(link, res)
    if fixed is not None:
        res = fenv.index.resolve(fixed, at.path)
    uri = obsidian_uri(fenv.vault_name, res.path or link.target or at.path)
    return f'<a href="{escapeHtml(uri)}">{text}</a>'


def _render_wikiembed(self: Any, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
    fenv = field_env(env)
    link: LinkTarget = tokens[idx].meta["link"]
    at: SourceLocation = tokens[idx].meta["at"]
    if fenv.index.is_note_embed(link.target, at.path):
        # a note embed that expansion could not splice in (reported there)
        return f'<span class="mkdeck-missing">{escapeHtml(link.raw)}</span>'
    return media_html(fenv, link.target, link.alias, at, link.raw)




def wikilinks_plugin(md: MarkdownIt) -> None:
    """Add the ``wikilink`` inline rule and its render rules to ``md``."""
    md.inline.ruler.before("link", "wikilink", _wikilink)
    md.add_render_rule("wikilink", _render_wikilink)
    md.add_render_rule("wikiembed", _render_wikiembed)
