"""mkdeck's built-in note types: Anki's stock types, their localized names and field names.

A block's note-type line is matched against these (see :func:`NoteTypeIndex.resolve`):
exactly, then case-insensitively, then against Anki's localized names of its stock note types,
so a vault written for a Chinese Anki (``问答题`` with ``正面:``/``背面:``) parses to the canonical
``Basic`` with ``Front``/``Back`` (the tables are in :mod:`mkdeck.config.localized`). Custom
note types come from ``mkdeck.yaml`` or the plugin's ``data.json`` (:mod:`mkdeck.config`) and
win over a stock type of the same name.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache

from mkdeck.config.localized import HISTORICAL, LOCALIZED
from mkdeck.model import NoteType

LOG = logging.getLogger(__name__)

#: Anki's stock note types, by canonical (English) name, with their fields in Anki order.
#: Source: Anki 26.9.3, rslib/src/notetype/stock.rs (the names Anki gives a new collection).
STOCK_FIELDS: dict[str, tuple[str, ...]] = {
    "Basic": ("Front", "Back"),
    "Basic (and reversed card)": ("Front", "Back"),
    "Basic (optional reversed card)": ("Front", "Back", "Add Reverse"),
    "Basic (type in the answer)": ("Front", "Back"),
    "Cloze": ("Text", "Back Extra"),
}

#: Order of the stock types in :data:`LOCALIZED` rows.
_STOCK_ORDER = tuple(STOCK_FIELDS)

LEGACY_FIELDS: tuple[str, ...] = ("Extra",)


@lru_cache(maxsize=8192)
def name_key(name: str) -> str:
    """Matching key of a note-type or field name: NFKC (full-width parentheses become ASCII),
    case-folded, runs of whitespace collapsed, trimmed. ``"问答题（附翻转卡片）"`` and
    ``"问答题(附翻转卡片)"`` share a key."""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", name)).strip().casefold()


def _stock_types() -> tuple[NoteType, ...]:
    aliases: dict[str, list[str]] = {name: [] for name in STOCK_FIELDS}
    field_aliases: dict[str, list[tuple[str, str]]] = {name: [] for name in STOCK_FIELDS}
    for rows in LOCALIZED.values():
        for canonical, row in zip(_STOCK_ORDER, rows, strict=True):
            aliases[canonical].append(row[0])
            for canonical_field, local in zip(STOCK_FIELDS[canonical], row[1:], strict=True):
                field_aliases[canonical].append((local, canonical_field))
    for canonical, (names, fields) in HISTORICAL.items():
        aliases[canonical].extend(names)
        for canonical_field, locals_ in fields.items():
            field_aliases[canonical].extend((local, canonical_field) for local in locals_)
    out = []
    for canonical, fields in STOCK_FIELDS.items():
        seen = {name_key(canonical)}
        names = []
        for alias in aliases[canonical]:
            if name_key(alias) not in seen:
                seen.add(name_key(alias))
                names.append(alias)
        seen_f = {name_key(f) for f in fields}
        flds = []
        for local, canonical_field in field_aliases[canonical]:
            if name_key(local) not in seen_f:
                seen_f.add(name_key(local))
                flds.append((local, canonical_field))
        out.append(
            NoteType(
                name=canonical,
                fields=fields,
                base=canonical,
                aliases=tuple(names),
                field_aliases=tuple(flds),
            )
        )
    return tuple(out)


#: The built-in stock note types, with Anki's localized names as aliases.
STOCK_TYPES: tuple[NoteType, ...] = _stock_types()


def stock_type(name: str) -> NoteType:
    """The built-in stock type called ``name`` (canonical English name).

    Raises:
        KeyError: when ``name`` is not one of :data:`STOCK_FIELDS`.
    """
    for note_type in STOCK_TYPES:
        if note_type.name == name:
            return note_type
    raise KeyError(name)


def is_stock_alias(name: str, fields: Iterable[str]) -> bool:
    """``True`` when ``name`` with ``fields`` is just a stock type under a localized name
    (e.g. the plugin's ``fields_dict`` entry ``"问答题": ["正面", "背面"]``): such entries need
    no custom note type."""
    key = name_key(name)
    fields = list(fields)
    for note_type in STOCK_TYPES:
        if key == name_key(note_type.name) or key in {name_key(a) for a in note_type.aliases}:
            index = NoteTypeIndex((note_type,))
            canon = [index.field_name(note_type, f) for f in fields]
            return canon == list(note_type.fields)
    return False


class NoteTypeIndex:
    """Looks up note types by the name written in a block and field names by prefix.

    Args:
        custom: note types from the vault's config; one with a stock type's name replaces it.

    Resolution order (EXPECTED.md, decision 5): exact name, then case-insensitive (NFKC,
    case-folded), then Anki's localized names of the stock types, then custom types' aliases.
    """

    def __init__(self, custom: Iterable[NoteType] = ()) -> None:
        custom = tuple(custom)
        custom_names = {t.name for t in custom}
        self.types: tuple[NoteType, ...] = tuple(
            t for t in STOCK_TYPES if t.name not in custom_names
        ) + custom
        self._exact = {t.name: t for t in self.types}
        self._folded: dict[str, NoteType] = {}
        for t in self.types:
            self._folded.setdefault(name_key(t.name), t)
        self._aliases: dict[str, NoteType] = {}
        for t in self.types:
            for alias in t.aliases:
                self._aliases.setdefault(name_key(alias), t)
        self._fields: dict[str, dict[str, str]] = {}
        for t in self.types:
            table = {name_key(f): f for f in t.fields}
            for local, canonical in t.field_aliases:
                table.setdefault(name_key(local), canonical)
            self._fields[t.name] = table
        #: every canonical field name of every type, plus legacy names: a ``Name:`` prefix
        #: with one of these names in a type that lacks it is reported (decision 6).
        self.foreign_fields: dict[str, str] = {}
        for t in self.types:
            for f in t.fields:
                self.foreign_fields.setdefault(name_key(f), f)
        for f in LEGACY_FIELDS:
            self.foreign_fields.setdefault(name_key(f), f)

    def resolve(self, written: str) -> NoteType | None:
        """The note type a block's type line names, or ``None`` when none matches."""
        name = written.strip()
        if name in self._exact:
            return self._exact[name]
        key = name_key(name)
        return self._folded.get(key) or self._aliases.get(key)

    def field_name(self, note_type: NoteType, written: str) -> str | None:
        """Canonical name of the field ``written`` names in ``note_type`` (case-insensitive,
        localized names accepted), or ``None``."""
        table = self._fields.get(note_type.name)
        if table is None:
            table = {name_key(f): f for f in note_type.fields}
            for local, canonical in note_type.field_aliases:
                table.setdefault(name_key(local), canonical)
            self._fields[note_type.name] = table
        return table.get(name_key(written))

    def names(self) -> list[str]:
        """Canonical names of every known note type, stock types first."""
        return [t.name for t in self.types]
