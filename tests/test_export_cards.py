"""mkdeck's port of Anki's card generation, checked against Anki's own backend."""

from __future__ import annotations

import os
import tempfile

import pytest
from anki.collection import Collection
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mkdeck.export.cards import (
    cloze_card_ords,
    cloze_numbers,
    field_is_empty,
    standard_card_ords,
    template_renders,
)


@pytest.fixture(scope="module")
def col():
    folder = tempfile.mkdtemp(prefix="mkdeck-cards-")
    collection = Collection(os.path.join(folder, "c.anki2"))
    yield collection
    collection.close()


def anki_cloze_numbers(col, text: str) -> set[int]:
    note = col.new_note(col.models.by_name("Cloze"))
    note["Text"] = text
    return set(col._backend.cloze_numbers_in_note(note._to_backend_note()))


def anki_optional_reverse(col, value: str) -> bool:
    """Whether Anki makes card 2 of "Basic (optional reversed card)" for Add Reverse=value."""
    model = col.models.by_name("Basic (optional reversed card)")
    note = col.new_note(model)
    note["Front"], note["Back"], note["Add Reverse"] = "f", "b", value
    col.add_note(note, 1)
    made = sorted(c.ord for c in note.cards())
    col.remove_notes([note.id])
    return made == [0, 1]


CLOZE_CASES = [
    ("{{c1::a}} {{c2::b}}", {1, 2}),
    ("no cloze", set()),
    ("{{c1::outer {{c2::inner}} }}", {1, 2}),
    ("{{c1,2::s}} {{c3::x}}", {1, 2, 3}),
    ("{{c0::z}} {{C1::x}}", set()),
    ("{{c1::}}", {1}),
    ("{{c2::a::hint}}", {2}),
    ("{{c1,,3::a}}", {1, 3}),
    ("{{c1::a {{c2::b}}", set()),
    ("{{c::a {{c1::b}}", {1}),
    ("{{c0::a {{c1::b}}", set()),
    ("{{c99999::a}}", set()),
    ("{{c65535::a}}", {65535}),
    ("{{c1,99999::a}}", {1}),
    ("}}{{c1::a}}}}", {1}),
    ("{{c2::x}} {{c1::y {{c3::z}}", {2}),
]


@pytest.mark.parametrize(("text", "expected"), CLOZE_CASES)
def test_cloze_numbers_known_cases(col, text, expected):
    assert cloze_numbers(text) == expected
    assert anki_cloze_numbers(col, text) == expected


_CLOZE_ALPHABET = st.sampled_from(
    ["{{c1::", "{{c2::", "{{c0::", "{{c1,3::", "{{c::", "{{c,::", "{{c70000::", "}}", "{{",
     "}", "{", "::", "c", "1", "a", " ", "<b>", "</b>", "\n", "{{c01::", "{{c1,0::", "{{c 1::",
     "}}}"]
)


@settings(max_examples=300, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(_CLOZE_ALPHABET, max_size=14).map("".join))
def test_cloze_numbers_match_anki(col, text):
    assert cloze_numbers(text) == anki_cloze_numbers(col, text)


EMPTY_CASES = ["", " ", "\t\n", "<br>", "<BR/>", "<br />", "<div></div>", "<div> <br></div>",
               "&nbsp;", "\xa0", "\u200b", "<!-- c -->", "<b> </b>", '<img src="">', "x",
               "<div class='a'></div>", "&amp;"]


@pytest.mark.parametrize("value", EMPTY_CASES)
def test_field_is_empty_matches_anki(col, value):
    assert field_is_empty(value) == (not anki_optional_reverse(col, value))


def test_templates_follow_anki_rules():
    assert template_renders("{{Front}}", {"Front"})
    assert not template_renders("{{Front}}", {"Back"})
    assert template_renders("{{#Add Reverse}}{{Back}}{{/Add Reverse}}", {"Add Reverse", "Back"})
    assert not template_renders("{{#Add Reverse}}{{Back}}{{/Add Reverse}}", {"Back"})
    assert template_renders("{{^Hide}}{{Back}}{{/Hide}}", {"Back"})
    assert not template_renders("{{FrontSide}} text", {"Front"})
    assert template_renders("{{text:hint:Front}}", {"Front"})
    with pytest.raises(ValueError):
        template_renders("{{#A}}", {"A"})


def test_card_ords():
    qfmts = ("{{Front}}", "{{#Add Reverse}}{{Back}}{{/Add Reverse}}")
    assert standard_card_ords(qfmts, {"Front": "f", "Back": "b", "Add Reverse": ""}) == [0]
    assert standard_card_ords(qfmts, {"Front": "f", "Back": "b", "Add Reverse": "y"}) == [0, 1]
    assert standard_card_ords(qfmts, {"Front": "", "Back": "", "Add Reverse": ""}) == [0]
    assert cloze_card_ords({"Text": "{{c3::a}}", "Back Extra": "{{c1::b}}"}) == [0, 2]
    assert cloze_card_ords({"Text": "none", "Back Extra": ""}) == [0]
