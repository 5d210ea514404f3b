"""``mkdeck dump``'s flow: a :class:`~mkdeck.model.ParseResult` → the ``mkdeck dump`` JSON,
adding ``html``/``media`` and inline ``#tags`` (from :mod:`mkdeck.render`) and ``guid`` (from
:mod:`mkdeck.export.identity`, kept by the vault's sync state as a build keeps it:
:func:`mkdeck.export.sync.state_guids`)."""

from __future__ import annotations

import logging
from typing import Any

from mkdeck.app.load import load
from mkdeck.codes import INTERNAL_ERROR
from mkdeck.model import Diagnostic, Note, ParseResult, SourceLocation
from mkdeck.parse.tags import merge_tags

LOG = logging.getLogger(__name__)

__all__ = ["dump_document", "load", "note_to_dict"]


def note_to_dict(note: Note) -> dict[str, Any]:
    """The ``dump`` JSON of one note (without ``html``/``media``/``guid``)."""
    source: dict[str, Any] = {"path": note.location.path, "line": note.location.line}
    if note.location.column is not None:
        source["column"] = note.location.column
    return {
        "source": source,
        "note_type": note.note_type.name,
        "deck": note.deck,
        "fields": {f.name: f.markdown for f in note.fields},
        "tags": list(note.tags),
        "id": note.id,
        "kind": note.kind,
        "end_line": note.end_line,
        "field_lines": {f.name: list(f.lines) for f in note.fields},
    }


def dump_document(result: ParseResult) -> tuple[dict[str, Any], list[Diagnostic]]:
    """The ``mkdeck dump`` JSON object for ``result``.

    Returns:
        ``(document, diagnostics)``: ``document`` is ``{"notes": [...], "diagnostics": [...]}``
        with every stage's diagnostics (parse, render, identity) sorted by file and line;
        ``diagnostics`` is that same list as objects (for the exit status).
    """
    # the later stages, imported here so that loading this module never loads them
    from mkdeck.export.identity import duplicate_guid_diagnostics, note_guid
    from mkdeck.render import render_notes

    diagnostics = list(result.diagnostics)
    notes = [note_to_dict(n) for n in result.notes]
    rendered_ok = False
    try:
        rendered, render_diags = render_notes(result)
        rendered_ok = True
    except Exception as exc:  # a bug in render must not lose the parse results
        LOG.exception("render failed")
        diagnostics.append(INTERNAL_ERROR.at(
            SourceLocation(".", 0), f"rendering failed ({type(exc).__name__}: {exc}); this is "
                                    f"a bug in mkdeck, please report it."))
    else:
        diagnostics.extend(render_diags)
        by_location = {(r.note.location, r.note.end_line): r for r in rendered}
        for note, out in zip(result.notes, notes, strict=True):
            r = by_location.get((note.location, note.end_line))
            if r is None:
                continue
            # with config.inline_tags, render finds the #tags written in the fields
            out["tags"] = list(merge_tags(note.tags, r.tags))
            out["html"] = dict(r.html)
            out["media"] = [{"name": m.name, "path": m.path} for m in r.media]
    try:
        guids = [note_guid(n) for n in result.notes]
        if rendered_ok:  # the guids a build would give, by the vault's sync state
            from mkdeck.export.sync import state_guids

            by_note = dict(zip((id(r.note) for r in rendered), state_guids(result, rendered)))
            guids = [by_note.get(id(n), g) for n, g in zip(result.notes, guids)]
        for out, guid in zip(notes, guids, strict=True):
            out["guid"] = guid
        diagnostics.extend(duplicate_guid_diagnostics(result.notes))
    except Exception as exc:
        LOG.exception("identity failed")
        diagnostics.append(INTERNAL_ERROR.at(
            SourceLocation(".", 0), f"computing note guids failed ({type(exc).__name__}: "
                                    f"{exc}); this is a bug in mkdeck, please report it."))

    diagnostics.sort(key=Diagnostic.sort_key)
    return {"notes": notes, "diagnostics": [d.to_dict() for d in diagnostics]}, diagnostics
