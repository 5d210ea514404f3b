"""Export rendered notes as an Anki package (``.apkg``): the only part of mkdeck using genanki.

``plan_export`` validates and lays out the package (ids, cards, decks, note types, media);
``write_package`` writes it atomically and reproducibly; ``write_apkg`` does both.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from mkdeck.model import Diagnostic, RenderedNote, Vault

if TYPE_CHECKING:
    from mkdeck.export.plan import ExportPlan

LOG = logging.getLogger(__name__)

# Public names and the submodule defining each: imported on first use (PEP 562), so that
# ``mkdeck build`` served from the cache never loads genanki or the renderer.
_LAZY = {
    "collection_bytes": "apkg", "write_package": "apkg",
    "cloze_card_ords": "cards", "cloze_numbers": "cards", "field_is_empty": "cards",
    "standard_card_ords": "cards", "template_renders": "cards",
    "ModelSpec": "notetypes", "model_id": "notetypes", "model_name": "notetypes",
    "model_spec": "notetypes",
    "ExportPlan": "plan", "PlannedCard": "plan", "PlannedMedia": "plan", "PlannedNote": "plan",
    "deck_id": "plan", "plan_export": "plan", "time_cap": "plan",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'mkdeck.export' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(f"mkdeck.export.{module}"), name)
    globals()[name] = value
    return value


__all__ = [
    "ExportPlan",
    "ExportResult",
    "ModelSpec",
    "PlannedCard",
    "PlannedMedia",
    "PlannedNote",
    "cloze_card_ords",
    "cloze_numbers",
    "collection_bytes",
    "deck_id",
    "field_is_empty",
    "model_id",
    "model_name",
    "model_spec",
    "plan_export",
    "standard_card_ords",
    "template_renders",
    "time_cap",
    "write_apkg",
    "write_package",
]


@dataclass(frozen=True, slots=True)
class ExportResult:
    """What a written package holds.

    Attributes:
        path: the package written.
        notes, cards, decks, media: counts in the package.
        skipped: notes left out because of errors.
        size: file size in bytes.
        diagnostics: the export stage's diagnostics.
    """

    path: str
    notes: int
    cards: int
    decks: int
    media: int
    skipped: int
    size: int
    diagnostics: tuple[Diagnostic, ...] = ()

    @classmethod
    def from_plan(cls, plan: ExportPlan, path: str, size: int) -> ExportResult:
        """The result of writing ``plan`` to ``path`` (``size`` bytes)."""
        return cls(
            path=path,
            notes=len(plan.notes),
            cards=plan.card_count,
            decks=len(plan.decks),
            media=len(plan.media),
            skipped=plan.skipped,
            size=size,
            diagnostics=plan.diagnostics,
        )


def write_apkg(
    rendered: Sequence[RenderedNote],
    out_path: str | os.PathLike[str],
    *,
    vault: Vault,
    css: str | None = None,
    now: float | None = None,
    environ: dict[str, str] | None = None,
) -> ExportResult:
    """Validate ``rendered`` (vault order) and write them to ``out_path`` as an ``.apkg``.

    Args:
        rendered: ``mkdeck.render.render_notes(...)[0]``.
        out_path: the package to write (replaced atomically).
        vault: the parsed vault (file mtimes, media root).
        css: note-type CSS; default ``mkdeck.render.note_type_css()``.
        now, environ: clock and environment (``SOURCE_DATE_EPOCH``), for tests.
    Returns:
        An :class:`ExportResult`; invalid notes are skipped and reported in its diagnostics.
    Raises:
        OSError: when the package cannot be written (nothing is left behind).
    """
    from mkdeck.export.apkg import write_package
    from mkdeck.export.plan import plan_export

    if css is None:
        from mkdeck.render import note_type_css

        css = note_type_css()
    plan = plan_export(rendered, vault=vault, css=css, now=now, environ=environ)
    size = write_package(plan, out_path)
    return ExportResult.from_plan(plan, os.fspath(out_path), size)
