"""mkdeck's Anki note types: Anki's stock templates, mkdeck's CSS, ids that never change.

Every note type mkdeck writes is named ``<name> (mkdeck)``: a type named exactly like a stock
one (``Basic``) would be renamed ``Basic+`` by Anki on import, because the user's stock types
have other ids (measured, ``research/anki-and-genanki.md`` §6 #14). The model id is a hash of
that name alone, so re-imports always find the same note type and never create a ``+`` copy.

Templates are Anki 26.9's stock ones (``rslib/src/notetype/stock.rs``), with the stock type's
field *roles* filled by the note type's fields in order: a custom type from the config
(``FIT-Card: fields [Front, Back], base: Basic``) gets the Basic templates over its own field
names; fields beyond the base's roles are shown on the answer side when not empty.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

from mkdeck.export.identity import derived_id
from mkdeck.model import NoteType

LOG = logging.getLogger(__name__)

SUFFIX = " (mkdeck)"

# Anki 26.9's stock CSS for every type, and the cloze rule of the stock Cloze type.
STOCK_CARD_CSS = (
    ".card {\n    font-family: arial;\n    font-size: 20px;\n    line-height: 1.5;\n"
    "    text-align: center;\n    color: black;\n    background-color: white;\n}\n"
)
# Anki's reviewer adds `nightMode`/`night_mode` to the card's element in night mode.
STOCK_NIGHT_CSS = (
    ".card.nightMode, .card.night_mode {\n    color: white;\n    background-color: #2c2c2c;\n}\n"
)
# Lists stay left-aligned inside the centred card (centred bullets are hard to read), as the
# notes show them in Obsidian.
LIST_CSS = ".card ul, .card ol {\n    display: inline-block;\n    text-align: left;\n}\n"
STOCK_CLOZE_CSS = (
    ".cloze {\n    font-weight: bold;\n    color: blue;\n}\n"
    ".nightMode .cloze {\n    color: lightblue;\n}\n"
)

# Base -> (number of field roles, templates as (name, qfmt, afmt) where "F0", "F1", "F2"
# stand for the type's first, second and third field; a template whose question needs a
# role the type lacks is dropped).
_ANSWER = "{{FrontSide}}\n\n<hr id=answer>\n\n{{F1}}"
_REVERSE_ANSWER = "{{FrontSide}}\n\n<hr id=answer>\n\n{{F0}}"
_BASES: dict[str, tuple[int, tuple[tuple[str, str, str], ...]]] = {
    "Basic": (2, (("Card 1", "{{F0}}", _ANSWER),)),
    "Basic (and reversed card)": (
        2,
        (("Card 1", "{{F0}}", _ANSWER), ("Card 2", "{{F1}}", _REVERSE_ANSWER)),
    ),
    "Basic (optional reversed card)": (
        3,
        (("Card 1", "{{F0}}", _ANSWER), ("Card 2", "{{#F2}}{{F1}}{{/F2}}", _REVERSE_ANSWER)),
    ),
    "Basic (type in the answer)": (
        2,
        (("Card 1", "{{F0}}\n\n{{type:F1}}", "{{F0}}\n\n<hr id=answer>\n\n{{type:F1}}"),),
    ),
    "Cloze": (2, (("Cloze", "{{cloze:F0}}", "{{cloze:F0}}<br>\n{{F1}}"),)),
}
_ROLE_RE = re.compile(r"\{\{([#/^]?)(type:|cloze:)?F([0-2])\}\}")


@dataclass(frozen=True, slots=True)
class ModelSpec:
    """One Anki note type as written into a package.

    Attributes:
        name: ``"<note type name> (mkdeck)"``.
        model_id: stable id, a hash of ``name`` alone (:func:`model_id`).
        kind: ``"standard"`` or ``"cloze"``.
        fields: field names in order (the first is the sort field).
        templates: ``(name, qfmt, afmt)`` per card template.
        css: the note type's CSS.
    """

    name: str
    model_id: int
    kind: str
    fields: tuple[str, ...]
    templates: tuple[tuple[str, str, str], ...]
    css: str

    @property
    def qfmts(self) -> tuple[str, ...]:
        """Question templates, in template order."""
        return tuple(t[1] for t in self.templates)


def model_name(note_type: NoteType) -> str:
    """The Anki name of mkdeck's note type for ``note_type`` (``"Basic (mkdeck)"``)."""
    return note_type.name + SUFFIX


def model_id(name: str) -> int:
    """The model id of the note type called ``name``: a hash of the name alone, in
    ``[1e12, 1.5e12)`` (rule: a model id must never change, research §0.3)."""
    return derived_id("model", name)


def _mustache_safe(name: str) -> str:
    return name.replace("{", "").replace("}", "")


def model_spec(note_type: NoteType, css: str) -> ModelSpec:
    """The :class:`ModelSpec` for ``note_type`` with stylesheet ``css``.

    Raises:
        ValueError: when ``note_type.base`` is not one of Anki's five stock types, or the
            note type has no field."""
    if note_type.base not in _BASES:
        raise ValueError(
            f"note type {note_type.name!r} has base {note_type.base!r}; expected one of "
            + ", ".join(_BASES)
        )
    if not note_type.fields:
        raise ValueError(f"note type {note_type.name!r} has no field")
    roles, base_templates = _BASES[note_type.base]
    names = [_mustache_safe(f) for f in note_type.fields]

    def fill(template: str) -> str:
        def sub(m: re.Match[str]) -> str:
            index = int(m.group(3))
            if index >= len(names):
                return ""
            return "{{" + m.group(1) + (m.group(2) or "") + names[index] + "}}"

        return _ROLE_RE.sub(sub, template)

    extras = "".join(
        f'\n\n{{{{#{n}}}}}<div class="mkdeck-extra">{{{{{n}}}}}</div>{{{{/{n}}}}}'
        for n in names[roles:]
    )
    templates: list[tuple[str, str, str]] = []
    for tname, qfmt, afmt in base_templates:
        if any(int(i) >= len(names) for i in re.findall(r"F([0-2])", qfmt)):
            continue  # e.g. "Card 2" of a reversed type with one field
        templates.append((tname, fill(qfmt), fill(afmt) + extras))
    kind = note_type.kind
    # Anki's stock `.card` rule first (font, centring, colours), then the renderer's CSS: the
    # renderer's CSS styles code, callouts and marks only (found in the screenshot: without a
    # `.card` rule cards showed left-aligned in the browser's default serif font).
    full_css = css if re.search(r"(^|[\s,}])\.card\s*[{,]", css) else (
        STOCK_CARD_CSS + STOCK_NIGHT_CSS + LIST_CSS + css)
    if kind == "cloze" and ".cloze" not in full_css:
        full_css = full_css.rstrip("\n") + "\n" + STOCK_CLOZE_CSS
    name = model_name(note_type)
    return ModelSpec(
        name=name,
        model_id=model_id(name),
        kind=kind,
        fields=tuple(note_type.fields),
        templates=tuple(templates),
        css=full_css,
    )
