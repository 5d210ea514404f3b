"""Render card fields to Anki HTML the way Obsidian shows them.

Per field: the markdown lines (each with the file:line it was written at) get their note embeds
expanded (:func:`mkdeck.vault.embeds.expand_lines`), ``%% comments %%`` and trailing `` ^blockid``
dropped outside code, then markdown-it-py (:mod:`mkdeck.render.markdown`) renders them, resolving
wikilinks and media through the vault's :class:`~mkdeck.vault.links.VaultIndex`. Media names are
assigned once every note is rendered (two different files never share a name in the deck).

Public API: :func:`render_notes`, :func:`render_markdown`, :func:`note_type_css`. The
markdown-it plugins are :mod:`mkdeck.render.plugins` (one per module); rendering on several
cores is :mod:`mkdeck.render.parallel`.
"""

from __future__ import annotations

import functools
import logging
import os
import re
from collections.abc import Sequence
from typing import NamedTuple

from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml

from mkdeck.codes import INTERNAL_ERROR
from mkdeck.model import (
    Config,
    Diagnostic,
    MediaRef,
    Note,
    ParseResult,
    RenderedNote,
    SourceLocation,
)
from mkdeck.render.backlink import backlink_html
from mkdeck.render.fieldenv import MEDIA_MISSING, MEDIA_UNSUPPORTED, FieldEnv
from mkdeck.render.markdown import build_markdown
from mkdeck.render.media import media_kind, media_names
from mkdeck.render.style import highlight_code, note_type_css
from mkdeck.scan import has_cloze, scan_lines
from mkdeck.vault.embeds import Line, expand_lines, field_lines
from mkdeck.vault.links import PATH_OUTSIDE_VAULT, VaultIndex

__all__ = [
    "MEDIA_MISSING",
    "Staged",
    "finish_notes",
    "stage_note",
    "stage_notes",
    "MEDIA_UNSUPPORTED",
    "highlight_code",
    "media_kind",
    "note_type_css",
    "render_markdown",
    "render_notes",
]

LOG = logging.getLogger(__name__)

_BLOCK_ID_TAIL_RE = re.compile(r"[ \t]+\^[A-Za-z0-9-]+[ \t]*$")
_BLOCK_ID_LINE_RE = re.compile(r"^[ \t]*\^[A-Za-z0-9-]+[ \t]*$")
_SLOT_RE = re.compile("\x00(\\d+)\x00")


@functools.lru_cache(maxsize=1)
def _md() -> MarkdownIt:
    return build_markdown()


def _clean(lines: Sequence[Line]) -> list[Line]:
    """Drop ``%% comments %%`` and block ids (`` ^abc`` at a line's end, or alone on a line)
    outside code. A line that only held comment text is dropped (the others keep their
    source locations), so a comment never splits a paragraph."""
    texts = [t for t, _ in lines]
    out: list[Line] = []
    for (text, loc), spans in zip(lines, scan_lines(texts), strict=True):
        if spans and spans[0][2] == "fence":
            out.append((text, loc))
            continue
        code = [(a, b) for a, b, kind in spans if kind in ("code", "math")]
        comments = [(a, b) for a, b, kind in spans if kind == "comment"]
        if comments:
            kept, pos = [], 0
            for a, b in comments:
                kept.append(text[pos:a])
                pos = b
            kept.append(text[pos:])
            text = "".join(kept)
            if not text.strip():
                continue
            code = [(a, b) for a, b, kind in scan_lines([text])[0] if kind in ("code", "math")]
        if _BLOCK_ID_LINE_RE.match(text):
            text = ""
        else:
            m = _BLOCK_ID_TAIL_RE.search(text)
            if m and not any(a <= m.start() < b for a, b in code):
                text = text[:m.start()]
        out.append((text, loc))
    return out


def _finish(html: str) -> str:
    html = html.strip()
    if html.startswith("<p>") and html.endswith("</p>") and html.count("<p>") == 1:
        html = html[3:-4]
    return html


def render_markdown(lines: Sequence[Line], index: VaultIndex, config: Config,
                    vault_name: str = "") -> FieldEnv:
    """Render markdown lines to HTML.

    Args:
        lines: ``(markdown line, where it was written)`` pairs (embeds not yet expanded).
        index: link resolution over the vault.
        config: link style, inline tags.
        vault_name: vault name for ``obsidian://`` links (default: config's, else the index's
            vault name).

    Returns:
        The :class:`FieldEnv` with ``env.html`` set: HTML in which media file names are
        still ``\\x00i\\x00`` slots into ``env.media`` (see :func:`render_notes`).
    """
    diags: list[Diagnostic] = []
    joined = "\n".join(text for text, _ in lines)
    cleaned = list(lines)
    if "![[" in joined:
        cleaned = expand_lines(cleaned, index, diagnostics=diags)
        joined = "\n".join(text for text, _ in cleaned)
    if "%%" in joined or "^" in joined:
        cleaned = _clean(cleaned)
    src = "\n".join(text for text, _ in cleaned)
    fenv = FieldEnv(index=index, config=config,
                    vault_name=vault_name or config.vault_name or index.vault.name,
                    locations=[loc for _, loc in cleaned], diagnostics=diags,
                    cloze=has_cloze(src))
    html = _md().render(src, {"field": fenv}) if src.strip() else ""
    fenv.html = _finish(html)
    return fenv


def _inside(root: str, path: str) -> bool:
    """``True`` when vault file ``path`` really lies under ``root`` (symlinks followed)."""
    real_root = os.path.realpath(root)
    real = os.path.realpath(os.path.join(root, path))
    return real == real_root or real.startswith(real_root.rstrip(os.sep) + os.sep)


def _renumber(html: str, base: int) -> str:
    """Shift a field's media slots by ``base`` (slots count per note, not per field)."""
    if not base or "\x00" not in html:
        return html
    return _SLOT_RE.sub(lambda m: f"\x00{int(m.group(1)) + base}\x00", html)


def _dedupe(diags: Sequence[Diagnostic]) -> list[Diagnostic]:
    seen: set[tuple[str, str, int, str]] = set()
    out = []
    for d in diags:
        key = (d.code, d.location.path, d.location.line, d.message)
        if key not in seen:
            seen.add(key)
            out.append(d)
    return out


class Staged(NamedTuple):
    """One note rendered, before the deck's media names are known (what the render cache of
    an incremental build keeps, and what a render worker sends back).

    Attributes:
        html: field name -> HTML in note-type order; media file names are still
            ``\x00i\x00`` slots into ``media``.
        media: ``(vault path, where it is written)`` per media use, slot order.
        tags: inline ``#tags`` of the rendered fields (first spelling of each, any case).
        diagnostics: what rendering the note reported (not yet deduplicated).
    """

    html: dict[str, str]
    media: tuple[tuple[str, SourceLocation], ...]
    tags: tuple[str, ...]
    diagnostics: tuple[Diagnostic, ...]


def stage_note(note: Note, index: VaultIndex, config: Config) -> Staged:
    """Render one note's fields (see :func:`render_notes`); a crash on a field becomes an
    ``MKD001`` diagnostic and an empty field. Never raises for bad input."""
    html: dict[str, str] = {}
    media: list[tuple[str, SourceLocation]] = []
    tags: list[str] = []
    diags: list[Diagnostic] = []
    for f in note.fields:
        try:
            fenv = render_markdown(field_lines(f), index, config)
        except Exception as exc:  # a bug in one field must not lose the deck  # noqa: BLE001
            LOG.exception("rendering %s failed", f.location)
            diags.append(INTERNAL_ERROR.at(
                f.location, f"rendering field {f.name} failed ({type(exc).__name__}: {exc}); "
                            f"the field is left empty: please report this"))
            html[f.name] = ""
            continue
        # the file link and context the plugin appends after converting (parse.context)
        html[f.name] = _renumber(fenv.html, len(media)) + f.html_suffix
        media.extend(fenv.media)
        diags.extend(fenv.diagnostics)
        for tag in fenv.tags:
            if tag.casefold() not in {t.casefold() for t in tags}:
                tags.append(tag)
    if config.note_link == "back" and note.fields:
        last = note.fields[-1].name
        link = backlink_html(config.vault_name or index.vault.name, note, index)
        html[last] = f"{html[last]}\n{link}" if html.get(last) else link
    return Staged(html, tuple(media), tuple(tags), tuple(diags))


def stage_notes(result: ParseResult, notes: Sequence[Note] | None = None) -> list[Staged]:
    """:func:`stage_note` for ``notes`` (default: every note of ``result``), links resolved
    over ``result.vault``."""
    index = VaultIndex(result.vault)
    config = result.vault.config
    return [stage_note(note, index, config)
            for note in (result.notes if notes is None else notes)]


def finish_notes(result: ParseResult, staged: Sequence[Staged]) -> tuple[
        tuple[RenderedNote, ...], tuple[Diagnostic, ...]]:
    """The deck-wide step of rendering: ``staged[i]`` (the rendering of ``result.notes[i]``)
    gets its media names (two different files never share one), links to files outside the
    vault become findings, diagnostics are deduplicated and sorted. Returns what
    :func:`render_notes` returns; a note without media keeps ``staged[i].html`` itself as its
    ``html`` (not a copy: neither is changed afterwards)."""
    vault = result.vault
    config = vault.config
    diags: list[Diagnostic] = [d for st in staged for d in st.diagnostics]
    used = dict.fromkeys(p for st in staged for p, _ in st.media)
    escaping = {p for p in used if not _inside(vault.root, p)}
    names = media_names(vault.root, (p for p in used if p not in escaping),
                        config.max_media_size)
    for path in escaping:  # a symlink out of the vault: named, never read or packed
        names[path] = path.rsplit("/", 1)[-1]
    rendered = []
    for note, (html, media, tags, _) in zip(result.notes, staged, strict=True):
        # a slot sits in `src="…"` or `[sound:…]`: a `"` in a file name ended the attribute
        # and the picture was lost; Anki decodes the entities in both
        if media:
            slots = [escapeHtml(names[path]) for path, _ in media]
            final = {k: _SLOT_RE.sub(lambda m, s=slots: s[int(m.group(1))], v)  # type: ignore[misc]
                     for k, v in html.items()}
        else:  # nothing to fill in: the staged dict itself (a copy each was 18 MB at 100k)
            final = html
        refs: dict[str, MediaRef] = {}
        for path, loc in media:
            if path in escaping:
                diags.append(PATH_OUTSIDE_VAULT.at(
                    loc, f"media file {path!r} is a link to a file outside the vault; it is "
                         f"never read: copy the file into the vault"))
                continue
            refs.setdefault(path, MediaRef(names[path], path, loc))
        extra: tuple[str, ...] = ()
        if config.inline_tags:
            have = {t.casefold() for t in note.tags}  # Anki: tags ignore case
            extra = tuple(t for t in tags if t.casefold() not in have)
        rendered.append(RenderedNote(note, final, tuple(refs.values()), extra))
    out = sorted(_dedupe(diags), key=Diagnostic.sort_key)
    return tuple(rendered), tuple(out)


def render_notes(result: ParseResult) -> tuple[tuple[RenderedNote, ...], tuple[Diagnostic, ...]]:
    """Render every note of a parse result to Anki HTML.

    Args:
        result: what :func:`mkdeck.app.load.load` returned (links resolve across
            ``result.vault.files``).

    Returns:
        ``(rendered, diagnostics)``: one :class:`RenderedNote` per note, in order, with
        ``html`` per field (note-type order) and ``media`` (each file once, in order of first
        use, named for the deck); ``rendered.note`` is the very note of ``result.notes``;
        with ``config.inline_tags``, ``rendered.tags`` holds the inline ``#tags`` of the
        rendered fields (embeds included) that ``note.tags`` lacks.
        Diagnostics (unresolved links, embeds, media, cycles, paths leaving the vault) are
        located where the link is written, sorted, each reported once. Never raises for bad
        input; a crash on one note becomes an ``MKD001`` diagnostic and an empty rendering.
    """
    return finish_notes(result, stage_notes(result))
