"""Obsidian ``#tags`` in a field: the inline rule ``obsidian_tag`` (before ``entity``) collects
them as note tags when ``inline_tags`` is enabled."""

from __future__ import annotations

import logging
import re

from markdown_it import MarkdownIt
from markdown_it.rules_inline import StateInline

LOG = logging.getLogger(__name__)


_TAG_RE = re.compile(r"#([\w/-]+)")




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




def tags_plugin(md: MarkdownIt) -> None:
    """Add the ``obsidian_tag`` inline rule to ``md``."""
    md.inline.ruler.before("entity", "obsidian_tag", _obsidian_tag)
