"""``mkdeck.export.templates`` against Anki's own renderer on inputs mkdeck's note types never
make: nested and multi-number clozes, hints, MathJax inside clozes, conditionals, comments,
filters, special fields. Each note is added to a fresh Anki collection (Anki 26.9.3) and every
card Anki generates must render exactly as mkdeck renders it.

Normalised in Anki's text: ``[anki:play:q|a:N]`` back to ``[sound:NAME]`` (the reviewer's play
buttons), and the 16 hex digits of the ``hint`` filter's element id (Anki hashes with BLAKE3,
mkdeck with SHA-256; the id only has to be unique in the page).
"""

from __future__ import annotations

import re
import shutil
import tempfile
from collections.abc import Iterator

import pytest

from mkdeck.export.cards import standard_card_ords
from mkdeck.export.templates import (
    TemplateError,
    card_sides,
    cloze_for_typing,
    cloze_reveal,
    encode_attribute,
    parse_template,
    strip_html,
)

anki_collection = pytest.importorskip("anki.collection")

_PLAY_RE = re.compile(r"\[anki:play:([qa]):(\d+)\]")
_HINT_RE = re.compile(r"hint[0-9a-f]{16}")

CLOZE_TEXTS = [
    "foo {{c1::bar}} {{c2::baz::hint}}",
    "foo {{c1::bar {{c2::baz}}}}",
    "foo {{c1::bar {{c2::baz}}::qux}}",
    "{{c1,2::shared}} word and {{c1::first}} vs {{c2::second}}",
    'x {{c1::a "b" & <i>é</i> (2)}} \\(x<b>y</b>\\) {{c3::q}}',
    "{{c1::outer {{c1::inner}}}}",
    "a }} b {{c::x}} {{c0::zero}} {{c2::two}}",
    "{{c1::a::b::c}}",
    "<b>{{c1::x</b>}} [sound:a.mp3] {{c2::y [sound:b.mp3]}}",
    "{{c000002::lead}} {{c1,,3::m}}",
    "\\[ {{c1::E=mc^2}} \\] and \\( {{c2::<span>a</span>}} \\)",
]

# (name, qfmt, afmt) of a custom note type with fields Front, Back, Extra
TEMPLATES = [
    ("Card 1",
     "{{Front}}<!-- {{Nope}} -->{{#Extra}}[{{text:Extra}}]{{/Extra}}{{^Extra}}none{{/Extra}} "
     "{{type:Back}} {{Tags}}|{{Deck}}|{{Subdeck}}|{{Type}}|{{Card}}|{{CardFlag}}|"
     "{{#c1}}one{{/c1}}{{#c2}}two{{/c2}}",
     "{{FrontSide}}<hr id=answer>{{Back}} {{hint:Extra}} {{unknownfilter:text:Back}} "
     "{{kana:Back}} {{furigana:Back}} {{kanji:Back}} {{ Front }} {{::Back}}"),
    ("Card 2", "{{#Extra}}{{Back}}{{/Extra}}",
     "{{FrontSide}}<hr id=answer>{{type:Front}}{{text:Front}}"),
    ("Card 3", "{{^Back}}{{Front}}{{/Back}}", "{{FrontSide}}x"),
]
NOTES = [
    ("<b>q</b> &amp; x", "日本[にほん] back&nbsp;a[b]", "e<i>x</i>"),
    ("q2", "", ""),
    ("q3", "b3", "  <br>"),
    ("[sound:x.mp3] q", "<div>b</div>", "z"),
]


@pytest.fixture(scope="module")
def col() -> Iterator[object]:
    folder = tempfile.mkdtemp(prefix="mkdeck-anki-")
    collection = anki_collection.Collection(f"{folder}/collection.anki2")
    try:
        yield collection
    finally:
        collection.close()
        shutil.rmtree(folder, ignore_errors=True)


def _anki(card) -> tuple[str, str]:
    out = card.render_output()
    names = {"q": [t.filename for t in out.question_av_tags],
             "a": [t.filename for t in out.answer_av_tags]}

    def norm(text: str) -> str:
        text = _PLAY_RE.sub(lambda m: f"[sound:{names[m.group(1)][int(m.group(2))]}]", text)
        return _HINT_RE.sub("hintID", text)

    return norm(out.question_text), norm(out.answer_text)


def _templates(model) -> list[tuple[str, str, str]]:
    return [(t["name"], t["qfmt"], t["afmt"]) for t in model["tmpls"]]


@pytest.mark.parametrize("text", CLOZE_TEXTS)
def test_cloze_cards_render_as_in_anki(col, text: str) -> None:
    model = col.models.by_name("Cloze")
    note = col.new_note(model)
    note["Text"], note["Back Extra"] = text, "extra [sound:z.ogg]"
    col.add_note(note, 1)
    cards = sorted(note.cards(), key=lambda c: c.ord)
    assert cards
    for card in cards:
        mine = card_sides(kind="cloze", templates=_templates(model),
                          field_names=["Text", "Back Extra"],
                          field_values=[note["Text"], note["Back Extra"]], ordinal=card.ord,
                          note_type="Cloze", deck="Default")
        assert (mine.question, mine.answer) == _anki(card), card.ord


def test_standard_cards_render_as_in_anki(col) -> None:
    mm = col.models
    model = mm.new("mkdeck template test")
    for name in ("Front", "Back", "Extra"):
        mm.add_field(model, mm.new_field(name))
    for name, qfmt, afmt in TEMPLATES:
        template = mm.new_template(name)
        template["qfmt"], template["afmt"] = qfmt, afmt
        mm.add_template(model, template)
    mm.add(model)
    model = mm.by_name("mkdeck template test")
    deck = col.decks.id("Linux::Sub")
    compared = 0
    for front, back, extra in NOTES:
        note = col.new_note(model)
        note["Front"], note["Back"], note["Extra"] = front, back, extra
        note.tags = ["t1", "a::b"]
        col.add_note(note, deck)
        # the cards Anki generated are the ones mkdeck plans (a {{^Back}} section with Back
        # filled made mkdeck plan a card Anki does not make)
        assert standard_card_ords([t[1] for t in TEMPLATES], dict(zip(
            ["Front", "Back", "Extra"], [front, back, extra]))) == sorted(
                c.ord for c in note.cards())
        for card in note.cards():
            mine = card_sides(kind="standard", templates=_templates(model),
                              field_names=["Front", "Back", "Extra"],
                              field_values=[front, back, extra], ordinal=card.ord,
                              tags=["t1", "a::b"], deck="Linux::Sub",
                              note_type="mkdeck template test")
            q, a = _anki(card)
            assert (_HINT_RE.sub("hintID", mine.question),
                    _HINT_RE.sub("hintID", mine.answer)) == (q, a), (front, card.ord)
            compared += 1
    assert compared == 7  # cards 1+2 of notes 1 and 4, 1+3 of note 2, 1 of note 3


def test_attribute_encoding_is_htmlescapes() -> None:
    assert encode_attribute('"No", he said.') == "&quot;No&quot;&#x2C;&#x20;he&#x20;said&#x2E;"
    assert encode_attribute("read(2) é ü→") == "read&#x28;2&#x29;&#x20;&#xE9;&#x20;&#xFC;→"


def test_cloze_of_another_number_leaves_the_field_empty() -> None:
    assert cloze_reveal("{{c1::one}} {{c2::two::hint}}", 3, question=True) == ""
    assert strip_html(cloze_reveal("{{c1::one}} {{c2::two::hint}}", 2, question=True)) == \
        "one [hint]"


def test_template_errors_are_shown_on_the_card() -> None:
    with pytest.raises(TemplateError, match=r"Missing '\{\{/A\}\}'"):
        parse_template("{{#A}}x")
    with pytest.raises(TemplateError, match="but expected"):
        parse_template("{{#A}}x{{/B}}")
    sides = card_sides(kind="standard", templates=[("Card 1", "{{Nope}}", "{{FrontSide}}")],
                       field_names=["Front"], field_values=["x"], ordinal=0)
    assert sides.empty and "there is no field called 'Nope'" in sides.question
    assert sides.question.startswith("Front template has a problem:")


def test_type_in_cloze_expects_the_active_deletions() -> None:
    # rslib/src/cloze.rs tests: clozes_for_typing
    assert cloze_for_typing("{{c2::foo}}", 1) == ""
    assert cloze_for_typing("{{c1::foo}} {{c1::bar}} {{c1::foo}}", 1) == "foo, bar, foo"
    assert cloze_for_typing("{{c1::foo}} {{c1::foo}} {{c1::foo}}", 1) == "foo"
    assert cloze_for_typing("{{c1::a {{c2::b}}}} {{c2::c::hint}}", 2) == "b, c"
