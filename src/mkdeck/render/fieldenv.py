"""The markdown-it ``env`` of one field (:class:`FieldEnv`) and what every plugin of
:mod:`mkdeck.render.plugins` shares: the core rule telling inline rules which source line they
read (:func:`inline_lines`), media HTML (:func:`media_html`) and ``obsidian://`` links."""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, unquote

from markdown_it.common.utils import escapeHtml
from markdown_it.rules_core import StateCore
from markdown_it.rules_inline import StateInline

from mkdeck.codes import register
from mkdeck.model import Config, Diagnostic, Severity, SourceLocation
from mkdeck.render.media import media_kind
from mkdeck.vault.links import (
    MEDIA_MISSING,
    VaultIndex,
    link_diagnostics,
    parse_link,
)

LOG = logging.getLogger(__name__)


MEDIA_UNSUPPORTED = register(
    "MKD211", Severity.WARNING, "file type Anki cannot show",
    fix="Anki shows images, audio and video; link the file instead of embedding it "
        "(`[[file.pdf]]`), or convert it.",
    bad="![[slides.pdf]]", good="[[slides.pdf]]",
)

_SIZE_RE = re.compile(r"^\s*(\d+)(?:\s*x\s*(\d+))?\s*$")
SCHEME_RE = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")


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
    newlines: tuple[str, int, int] | None = None
    """``(inline text, position, newlines before it)`` of the last :func:`here`."""

    def location(self, line: int) -> SourceLocation:
        """Where source line ``line`` (0-based) was written."""
        if not self.locations:
            return SourceLocation(".", 0)
        return self.locations[max(0, min(line, len(self.locations) - 1))]

    def media_slot(self, path: str, at: SourceLocation) -> str:
        """A placeholder for the deck name of ``path`` (filled once every note is rendered)."""
        self.media.append((path, at))
        return f"\x00{len(self.media) - 1}\x00"


def field_env(env: Any) -> FieldEnv:
    return env["field"]






def inline_lines(state: StateCore) -> None:
    """markdown-it's ``inline`` core rule, telling the inline rules the token's first line."""
    fenv = state.env.get("field")
    for token in state.tokens:
        if token.type == "inline":
            if token.children is None:
                token.children = []
            if fenv is not None and token.map:
                fenv.line = token.map[0]
            state.md.inline.parse(token.content, state.md, state.env, token.children)


def here(state: StateInline) -> SourceLocation:
    """Where the inline rule at ``state.pos`` is: newlines are counted from the previous call's
    position on the same text, so 64k links in one paragraph cost linear, not quadratic, time."""
    fenv = field_env(state.env)
    memo = fenv.newlines
    if memo is not None and memo[0] is state.src and memo[1] <= state.pos:
        count = memo[2] + state.src.count("\n", memo[1], state.pos)
    else:
        count = state.src.count("\n", 0, state.pos)
    fenv.newlines = (state.src, state.pos, count)
    return fenv.location(fenv.line + count)




def obsidian_uri(vault: str, path: str) -> str:
    if path.casefold().endswith(".md"):
        path = path[:-3]
    safe = "-_.!~*'()"
    return f"obsidian://open?vault={quote(vault, safe=safe)}&file={quote(path, safe=safe)}"




def size_attrs(spec: str | None) -> tuple[str, str]:
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


def media_html(fenv: FieldEnv, target: str, spec: str | None, at: SourceLocation,
                raw: str, alt: str = "") -> str:
    """HTML for an embedded file: ``<img>`` or ``[sound:…]``, with its diagnostics."""
    res = fenv.index.resolve(target, at.path)
    kind = media_kind(target if res.path is None else res.path)
    size, spec_alt = size_attrs(spec)
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
