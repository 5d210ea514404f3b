"""mkdeck's note types: Anki's stock templates over the type's own fields, stable ids."""

from __future__ import annotations

import pytest
from anki_oracle import AnkiOracle
from test_export_anki import CSS, build, rnote

from mkdeck.export.notetypes import (
    LIST_CSS,
    STOCK_CARD_CSS,
    STOCK_CLOZE_CSS,
    STOCK_NIGHT_CSS,
    model_id,
    model_spec,
)
from mkdeck.model import NoteType


def test_stock_types_mirror_anki(tmp_path):
    """The five stock types: same fields, template names, qfmt and afmt as a fresh Anki
    profile's own (read from Anki, not copied)."""
    with AnkiOracle() as anki:
        stock = anki.note_types()
    for name, spec_fields in [
        ("Basic", ("Front", "Back")),
        ("Basic (and reversed card)", ("Front", "Back")),
        ("Basic (optional reversed card)", ("Front", "Back", "Add Reverse")),
        ("Basic (type in the answer)", ("Front", "Back")),
        ("Cloze", ("Text", "Back Extra")),
    ]:
        spec = model_spec(NoteType(name, spec_fields, base=name), CSS)
        assert spec.name == f"{name} (mkdeck)"
        assert list(spec.fields) == stock[name]["fields"]
        assert [list(t) for t in spec.templates] == [list(t) for t in stock[name]["templates"]]
        assert spec.kind == stock[name]["kind"]


def test_model_id_is_a_hash_of_the_name_alone():
    a = model_spec(NoteType("FIT-Card", ("Front", "Back")), CSS)
    b = model_spec(NoteType("FIT-Card", ("Q", "A", "Extra"), base="Cloze"), "other css")
    assert a.model_id == b.model_id == model_id("FIT-Card (mkdeck)")
    assert model_id("FIT-Card (mkdeck)") == 1368272060146  # pinned: must never change
    assert model_id("Basic (mkdeck)") != model_id("Cloze (mkdeck)")


@pytest.mark.parametrize(
    ("note_type", "qfmts", "answer_bits"),
    [
        (NoteType("One", ("Only",)), ["{{Only}}"], ["{{FrontSide}}"]),
        (NoteType("Rev1", ("Only",), base="Basic (and reversed card)"), ["{{Only}}"], []),
        (NoteType("Opt", ("Q", "A", "Both", "Note"), base="Basic (optional reversed card)"),
         ["{{Q}}", "{{#Both}}{{A}}{{/Both}}"], ['{{#Note}}<div class="mkdeck-extra">']),
        (NoteType("Typed", ("Q", "A"), base="Basic (type in the answer)"),
         ["{{Q}}\n\n{{type:A}}"], ["{{Q}}\n\n<hr id=answer>\n\n{{type:A}}"]),
        (NoteType("Gap", ("Sentence", "Hint", "Source"), base="Cloze"),
         ["{{cloze:Sentence}}"], ["{{cloze:Sentence}}<br>\n{{Hint}}", "{{#Source}}"]),
        (NoteType("Braces", ("F{1}", "B}")), ["{{F1}}"], ["{{B}}"]),
    ],
)
def test_custom_types_map_onto_their_base(note_type, qfmts, answer_bits):
    spec = model_spec(note_type, CSS)
    assert [t[1] for t in spec.templates] == qfmts
    for bit in answer_bits:
        assert any(bit in t[2] for t in spec.templates), (bit, spec.templates)


def test_unsupported_base_is_refused():
    with pytest.raises(ValueError, match="Image Occlusion"):
        model_spec(NoteType("IO", ("A", "B"), base="Image Occlusion"), CSS)
    with pytest.raises(ValueError, match="no field"):
        model_spec(NoteType("Empty", ()), CSS)


def test_cloze_css_added_when_the_stylesheet_lacks_it():
    assert model_spec(NoteType("Cloze", ("Text", "Back Extra"), base="Cloze"),
                      CSS).css.endswith(STOCK_CLOZE_CSS)
    styled = ".cloze { color: red; }\n"
    assert model_spec(NoteType("Cloze", ("Text", "Back Extra"), base="Cloze"),
                      styled).css == STOCK_CARD_CSS + STOCK_NIGHT_CSS + LIST_CSS + styled
    carded = ".card { color: red; }\n.cloze { color: red; }\n"
    assert model_spec(NoteType("Cloze", ("Text", "Back Extra"), base="Cloze"),
                      carded).css == carded


def test_stock_card_rule_comes_before_the_renderers_css():
    """The renderer's CSS has no `.card` rule; without Anki's, cards showed left-aligned in a
    serif font (seen in the README's screenshot)."""
    from mkdeck.render import note_type_css

    rendered_css = note_type_css()
    css = model_spec(NoteType("Basic", ("Front", "Back")), rendered_css).css
    assert css == STOCK_CARD_CSS + STOCK_NIGHT_CSS + LIST_CSS + rendered_css


def test_custom_types_import_and_generate_anki_cards(tmp_path):
    opt = NoteType("Opt", ("Q", "A", "Both", "Note"), base="Basic (optional reversed card)")
    gap = NoteType("Gap", ("Sentence", "Hint", "Source"), base="Cloze")
    one = NoteType("One", ("Only",))
    notes = [
        rnote("a.md", 1, opt, {"Q": "q1", "A": "a1", "Both": "y", "Note": "n"}),
        rnote("a.md", 10, opt, {"Q": "q2", "A": "a2"}),
        rnote("a.md", 20, gap, {"Sentence": "{{c1::x}} {{c3::y}}", "Source": "s"}),
        rnote("a.md", 30, one, {"Only": "alone"}),
    ]
    out, result = build(tmp_path, notes)
    assert result.skipped == 0 and result.cards == 6
    with AnkiOracle() as anki:
        assert anki.import_apkg(out)["new"] == 4
        cards = {next(iter(n.fields.values())): [c.ord for c in n.cards] for n in anki.notes()}
        assert cards == {"q1": [0, 1], "q2": [0], "{{c1::x}} {{c3::y}}": [0, 2], "alone": [0]}
        assert anki.check_database() == (set(), set())
        types = anki.note_types()
        assert types["Gap (mkdeck)"]["kind"] == "cloze"
        assert types["Opt (mkdeck)"]["fields"] == ["Q", "A", "Both", "Note"]
