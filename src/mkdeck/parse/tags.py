"""Anki tags from the vault: ``Tags:`` lines, ``FILE TAGS``, frontmatter ``tags`` and folder
tags (Obsidian ``#tags`` inside fields are collected by :mod:`mkdeck.render`).

Rules (EXPECTED.md decision 7): split on whitespace, a leading ``#`` stripped (also after each
``::``), ``/`` becomes ``::`` (Obsidian nested tags → Anki hierarchical tags). A token holding a
character that cannot be in a tag (brackets, pipes, quotes, backslashes, angle or curly braces,
backticks, ``$``) is not a tag: ``[[Truth`` in prose after ``Tags:`` is text, not a tag.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from functools import lru_cache

LOG = logging.getLogger(__name__)

#: Characters that never occur in a tag a user meant (wikilinks, HTML, math, code, quotes).
#: Anki itself forbids spaces and `"` in tags (rslib/src/tags/mod.rs: is_tag_separator, and
#: the search syntax); the rest would come from markdown, not from a tag.
_BAD_TAG_RE = re.compile(r'[\[\]|\\"<>{}`$\x00-\x1f]')



@lru_cache(maxsize=4096)
def normalize_tag(token: str) -> str | None:
    """The Anki tag a written token means, or ``None`` when it cannot be a tag.

    ``"#code/linux"`` → ``"code::linux"``; ``"#a::#b"`` → ``"a::b"``; ``"[[Truth"`` → ``None``.
    """
    token = token.strip()
    if not token or _BAD_TAG_RE.search(token):
        return None
    parts = [p.lstrip("#") for p in token.replace("/", "::").split("::")]
    if any(not p for p in parts):
        return None
    return "::".join(parts)


def split_tags(text: str) -> tuple[list[str], list[str]]:
    """Tags in a whitespace-separated list.

    Returns:
        ``(tags, bad_tokens)``: the normalized tags in order and the tokens that cannot be
        tags (see :func:`normalize_tag`).
    """
    tags: list[str] = []
    bad: list[str] = []
    for token in text.split():
        tag = normalize_tag(token)
        if tag is None:
            bad.append(token)
        else:
            tags.append(tag)
    return tags, bad


def merge_tags(*groups: Iterable[str]) -> tuple[str, ...]:
    """Tags in order of first appearance, duplicates dropped case-insensitively (Anki treats
    tags case-insensitively)."""
    seen: set[str] = set()
    out: list[str] = []
    for group in groups:
        for tag in group:
            key = tag.casefold()
            if key not in seen:
                seen.add(key)
                out.append(tag)
    return tuple(out)
