"""Markdown images and links: local images become media, links to notes become text or
``obsidian://`` links (core rule ``image_locations``, render rules ``image``, ``link_open``,
``link_close``)."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any
from urllib.parse import unquote

from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.rules_core import StateCore
from markdown_it.token import Token

from mkdeck.render.fieldenv import SCHEME_RE, field_env, media_html, obsidian_uri
from mkdeck.vault.links import (
    LinkTarget,
    link_diagnostics,
)

LOG = logging.getLogger(__name__)


def _render_image(self: Any, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
    token = tokens[idx]
    src = str(token.attrGet("src") or "")
    alt = self.renderInlineAsText(token.children or [], options, env)
    if SCHEME_RE.match(src) or src.startswith("//"):
        alt_attr = f' alt="{escapeHtml(alt)}"' if alt else ""
        return f'<img src="{escapeHtml(src)}"{alt_attr}>'
    fenv = field_env(env)
    spec = None
    if "|" in alt:
        alt, spec = alt.split("|", 1)
    at = token.meta.get("at") if token.meta else None
    local = unquote(src.split("#", 1)[0].split("?", 1)[0])
    return media_html(fenv, local, spec, at or fenv.location(fenv.line), f"![{alt}]({src})",
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
    if SCHEME_RE.match(href) or href.startswith(("#", "//")) or not href:
        return self.renderToken(tokens, idx, options, env)
    fenv = field_env(env)
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
    uri = obsidian_uri(fenv.vault_name, res.path or target)
    return f'<a href="{escapeHtml(uri)}">'


def _render_link_close(self: Any, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
    if (tokens[idx].meta or {}).get("drop"):
        return ""
    return "</a>"




def links_plugin(md: MarkdownIt) -> None:
    """Add the image-location core rule and the image and link render rules to ``md``."""
    md.core.ruler.after("inline", "image_locations", _image_locations)
    md.add_render_rule("image", _render_image)
    md.add_render_rule("link_open", _render_link_open)
    md.add_render_rule("link_close", _render_link_close)
