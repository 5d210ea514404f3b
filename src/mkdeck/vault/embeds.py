"""Offline expansion of Obsidian note embeds (``![[note#heading]]``, ``![[note#^block]]``).

:func:`expand_embeds` splices the embedded section into a field's lines, keeping for every line
the file and line it was written at (the verifier reads claims through it); the link is
resolved by :class:`mkdeck.vault.links.VaultIndex` (Obsidian help: "Embed files").
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence

from mkdeck.codes import register
from mkdeck.model import Diagnostic, Field, Note, Severity, SourceLocation
from mkdeck.scan import code_spans
from mkdeck.vault.links import (
    LINK_SUBPATH_MISSING,
    LinkTarget,
    VaultIndex,
    find_links,
    heading_key,
    link_diagnostics,
)

LOG = logging.getLogger(__name__)

MAX_EMBED_DEPTH = 5
"""Nested note embeds deeper than this are cut (Obsidian stops at a similar depth)."""

EMBED_CYCLE = register(
    "MKD205", Severity.WARNING, "embed cycle",
    fix="A note embeds itself through other embeds; remove one embed of the cycle.",
    bad="a.md: ![[b]]  b.md: ![[a]]", good="a.md: [[b]]  b.md: ![[a]]",
)
EMBED_TOO_DEEP = register(
    "MKD206", Severity.WARNING, "embeds nested too deeply",
    fix=f"Embeds are expanded {MAX_EMBED_DEPTH} levels deep; link to the deeper note instead.",
)

_CONTAINER_RE = re.compile(r"^((?:[ \t]*>[ \t]?)*)([ \t]*(?:[-*+]|\d{1,9}[.)])[ \t]+)?")


Line = tuple[str, SourceLocation]


def expand_lines(lines: Sequence[Line], index: VaultIndex, *,
                 chain: tuple[tuple[str, str], ...] = (),
                 diagnostics: list[Diagnostic] | None = None) -> list[Line]:
    """Expand note embeds in ``lines`` (each paired with where it was written).

    An embed that is the whole line is replaced by the embedded lines; one inside text splits
    the line around them. Embeds in code or comments stay. An embed that cannot be expanded
    (missing note, heading or block, a cycle, depth over :data:`MAX_EMBED_DEPTH`) stays as
    written and adds a diagnostic to ``diagnostics`` (the renderer shows a placeholder).

    Args:
        lines: ``(text, location)`` pairs.
        index: the vault's :class:`VaultIndex`.
        chain: the ``(path, subpath key)`` embeds being expanded around these lines.
        diagnostics: list to append warnings to, or ``None`` to drop them.

    Returns:
        The expanded ``(text, location)`` pairs.
    """
    diags = diagnostics if diagnostics is not None else []
    texts = [t for t, _ in lines]
    spans = code_spans(texts)
    out: list[Line] = []
    gap_after: SourceLocation | None = None  # an embed just ended: separate what follows

    def emit(text: str, loc: SourceLocation) -> None:
        nonlocal gap_after
        if gap_after is not None and text.strip():
            out.append(("", gap_after))
        gap_after = None
        out.append((text, loc))

    for (text, loc), sp in zip(lines, spans, strict=True):
        links = [(m, lt) for m, lt in find_links(text, sp)
                 if lt.embed and index.is_note_embed(lt.target, loc.path)]
        if not links:
            emit(text, loc)
            continue
        # an embed inside a quote or list item stays inside it: its lines get the container's
        # continuation prefix ("> " or the list item's indentation)
        c = _CONTAINER_RE.match(text)
        quote, marker = (c.group(1) or "", c.group(2) or "") if c else ("", "")
        cont = quote + " " * len(marker)
        pos = 0
        for m, link in links:
            embedded = _embed(link, index, loc, chain, diags)
            if embedded is None:
                continue
            before = text[pos:m.start()]
            if pos == 0 and (quote or marker):
                emit(before.rstrip(), loc)  # the container's first line ("- see", ">")
            elif before.strip():
                emit(cont + before.strip() if pos else before.rstrip(), loc)
            elif gap_after is not None:
                gap_after = None
            if not cont and out and out[-1][0].strip():
                out.append(("", loc))  # an embed is a block of its own (Obsidian)
            if cont:
                out.extend(((cont + t) if t.strip() else cont.rstrip(), where)
                           for t, where in embedded)
            else:
                out.extend(embedded)
                gap_after = loc
            pos = m.end()
        rest = text[pos:]
        if pos == 0:
            emit(rest, loc)
        elif rest.strip():
            emit(cont + rest.strip() if cont else rest, loc)
    return out


def _embed(link: LinkTarget, index: VaultIndex, at: SourceLocation,
           chain: tuple[tuple[str, str], ...], diags: list[Diagnostic]) -> list[Line] | None:
    res = index.resolve(link.target, at.path)
    if res.path is not None and index.is_skipped(res.path):
        return None  # the note was not read: its own finding says why, once
    if res.path is None or not index.is_note(res.path):
        diags.extend(link_diagnostics(index, link, res, at, "embed"))
        return None
    if res.ambiguous:
        diags.append(link_diagnostics(index, link, res, at, "embed")[0])
    sub = link.subpath or ""
    key = (res.path, heading_key(sub) if not sub.startswith("^") else sub.casefold())
    if key in chain:
        cycle = " -> ".join(f"{p}#{s}" if s else p for p, s in (*chain, key))
        diags.append(EMBED_CYCLE.at(at, f"embed {link.raw} is a cycle ({cycle}); it is not "
                                        f"expanded: remove one embed of the cycle"))
        return None
    if len(chain) >= MAX_EMBED_DEPTH:
        diags.append(EMBED_TOO_DEEP.at(at, f"embed {link.raw} is nested more than "
                                           f"{MAX_EMBED_DEPTH} deep; it is not expanded: link "
                                           f"to the note instead"))
        return None
    if not sub:
        rng: tuple[int, int] | None = index.body_range(res.path)
    elif sub.startswith("^"):
        rng = index.block(res.path, sub[1:])
    else:
        rng = index.section(res.path, sub)
    if rng is None:
        kind = "block id" if sub.startswith("^") else "heading"
        diags.append(LINK_SUBPATH_MISSING.at(
            at, f"embed {link.raw}: {res.path!r} has no {kind} {sub!r}; it is shown as a "
                f"placeholder: fix the part after '#'"))
        return None
    src = index.lines(res.path)
    first, end = rng
    while end > first and not src[end - 2].strip():
        end -= 1
    part = [(src[i - 1], SourceLocation(res.path, i)) for i in range(first, end)]
    return expand_lines(part, index, chain=(*chain, key), diagnostics=diags)


def field_lines(field: Field) -> list[Line]:
    """The field's markdown lines, each with the file line it was written at."""
    if not field.markdown:
        return []
    path = field.location.path
    return [(text, SourceLocation(path, field.line_of(i)))
            for i, text in enumerate(field.markdown.split("\n"))]


def expand_embeds(field: Field, note: Note, index: VaultIndex) -> list[tuple[str, SourceLocation]]:
    """The field's markdown lines with ``![[note]]``, ``![[note#heading]]`` and
    ``![[note#^block]]`` embeds expanded (depth ≤ 5, cycles cut), each line paired with the
    file and line it was written at. Embeds that cannot be expanded stay as written.

    Args:
        field: a field of ``note``.
        note: the note (its path is where links resolve from).
        index: the vault's :class:`VaultIndex`.

    Returns:
        ``[(markdown line, SourceLocation)]``; ``[]`` for an empty field.
    """
    del note  # the field's own location names the file
    return expand_lines(field_lines(field), index)
