"""The built-in note types against Anki itself: the localized names table in
mkdeck.config.notetypes is re-derived from Anki 26.9.3's own backend (a fresh collection in each
language names its stock note types and fields), and resolution follows EXPECTED.md decision 5."""

from __future__ import annotations

import unicodedata

import pytest

from mkdeck.model import NoteType
from mkdeck.config.notetypes import (
    LOCALIZED,
    STOCK_FIELDS,
    STOCK_TYPES,
    NoteTypeIndex,
    is_stock_alias,
    name_key,
)

anki_lang = pytest.importorskip("anki.lang")


def _nfc(s: str) -> str:
    return unicodedata.normalize("NFC", s)


def anki_stock_names(lang: str, tmp_path) -> dict[str, tuple[str, ...]]:
    """Canonical stock type -> (localized name, localized fields...) as Anki creates them."""
    from anki._backend import RustBackend
    from anki.collection import Collection

    col = Collection(str(tmp_path / f"{lang}.anki2"), backend=RustBackend(langs=[lang]))
    try:
        tr = col.tr
        names = {
            "Basic": tr.notetypes_basic_name(),
            "Basic (and reversed card)": tr.notetypes_basic_reversed_name(),
            "Basic (optional reversed card)": tr.notetypes_basic_optional_reversed_name(),
            "Basic (type in the answer)": tr.notetypes_basic_type_answer_name(),
            "Cloze": tr.notetypes_cloze_name(),
        }
        models = {_nfc(m["name"]): tuple(_nfc(f["name"]) for f in m["flds"])
                  for m in col.models.all()}
    finally:
        col.close()
    out = {}
    for canonical, name in names.items():
        name = _nfc(name)
        assert name in models, (lang, canonical, name, sorted(models))
        out[canonical] = (name, *models[name])
    return out


def test_localized_table_matches_anki_backend(tmp_path) -> None:
    """Every language Anki ships: its stock names equal LOCALIZED's row (English-only
    languages are left out of the table)."""
    order = list(STOCK_FIELDS)
    checked = 0
    for _label, lang in anki_lang.langs:
        got = anki_stock_names(lang, tmp_path)
        english = all(got[k] == (k, *STOCK_FIELDS[k]) for k in order)
        if english:
            assert lang not in LOCALIZED
            continue
        assert lang in LOCALIZED, lang
        assert tuple(got[k] for k in order) == LOCALIZED[lang], lang
        checked += 1
    assert checked == len(LOCALIZED) >= 40


def test_no_alias_names_two_types_and_no_field_alias_is_ambiguous() -> None:
    seen: dict[str, str] = {}
    for t in STOCK_TYPES:
        for name in (t.name, *t.aliases):
            assert seen.setdefault(name_key(name), t.name) == t.name, name
        fields: dict[str, str] = {name_key(f): f for f in t.fields}
        for local, canonical in t.field_aliases:
            assert fields.setdefault(name_key(local), canonical) == canonical, (t.name, local)


@pytest.mark.parametrize("written, canonical", [
    ("Basic", "Basic"), ("BASIC", "Basic"), ("  basic  ", "Basic"),
    ("问答题", "Basic"), ("Einfach", "Basic"), ("Basique", "Basic"), ("基本", "Basic"),
    ("问答题（附翻转卡片）", "Basic (and reversed card)"),
    ("问答题(附翻转卡片)", "Basic (and reversed card)"),
    ("Basic  (type in the answer)", "Basic (type in the answer)"),
    ("填空题", "Cloze"), ("Lückentext", "Cloze"), ("穴埋め問題", "Cloze"),
    ("Основная", "Basic"),  # an older ru translation (core/ru/notetypes.ftl)
    ("Einfach (beide Richtungen)", "Basic (and reversed card)"),  # an older de translation
    ("基本型 (可選用反向卡片)", "Basic (optional reversed card)"),  # an older zh-TW one
])
def test_resolve(written: str, canonical: str) -> None:
    assert NoteTypeIndex().resolve(written).name == canonical


def test_resolution_order_exact_then_folded_then_alias_then_custom() -> None:
    custom = (NoteType("basic", ("Q", "A")), NoteType("Vocab", ("W", "M"), aliases=("Slovo",)))
    index = NoteTypeIndex(custom)
    assert index.resolve("basic").fields == ("Q", "A")  # exact custom name
    assert index.resolve("Basic").fields == ("Front", "Back")  # exact stock name
    assert index.resolve("BASIC").name == "Basic"  # first case-insensitive match: stock
    assert index.resolve("slovo").name == "Vocab"
    assert index.resolve("{Note Type}") is None
    # a custom type with a stock name replaces it
    override = NoteTypeIndex((NoteType("Basic", ("Question", "Answer")),))
    assert override.resolve("Basic").fields == ("Question", "Answer")


def test_field_names() -> None:
    index = NoteTypeIndex()
    basic = index.resolve("Basic")
    cloze = index.resolve("Cloze")
    assert index.field_name(basic, "front") == "Front"
    assert index.field_name(basic, "背面") == "Back"
    assert index.field_name(basic, "Rückseite") == "Back"
    assert index.field_name(basic, "Text") is None
    assert index.field_name(cloze, "文字") == "Text"
    assert index.field_name(cloze, "Extra") is None
    assert "extra" in index.foreign_fields and "back" in index.foreign_fields


def test_is_stock_alias() -> None:
    assert is_stock_alias("问答题", ["正面", "背面"])
    assert is_stock_alias("Basic", ["Front", "Back"])
    assert not is_stock_alias("Basic", ["Question", "Answer"])
    assert not is_stock_alias("FIT-Card", ["Front", "Back"])

