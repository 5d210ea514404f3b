"""The shipped vault built the README's way (``mkdeck cards/ -o linux.apkg``) and imported
into real Anki: every note arrives in its topic deck, every card renders a non-empty question
and answer with Anki's own renderer, the diagrams travel as media, and Check Database finds
nothing to add."""

from __future__ import annotations

import io
import json
import re
import shutil
from collections import Counter
from pathlib import Path

import pytest

from anki_oracle import AnkiOracle
from mkdeck.cli import main

ROOT = Path(__file__).resolve().parents[2]
CARDS = ROOT / "cards"
SVGS = sorted(p.name for p in (CARDS / "attachments").glob("*.svg"))


def _dump_notes() -> list[dict]:
    out, err = io.StringIO(), io.StringIO()
    assert main(["dump", str(CARDS)], stdout=out, stderr=err) == 0, err.getvalue()
    return json.loads(out.getvalue())["notes"]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """Build once (the README's command form), import once; share what Anki holds. The build
    runs on a copy of cards/ (with its committed .mkdeck-state): a build keeps the vault's
    state up to date, and one in the repository would hide a stale state from
    test_shipped_vault_state_is_up_to_date."""
    out_dir = tmp_path_factory.mktemp("cards-apkg")
    package = out_dir / "linux.apkg"
    copy = out_dir / "cards"
    shutil.copytree(CARDS, copy)
    stdout, stderr = io.StringIO(), io.StringIO()
    status = main([str(copy), "-o", str(package)], stdout=stdout, stderr=stderr)
    assert status == 0, stderr.getvalue()
    assert package.is_file() and package.stat().st_size > 0
    notes = _dump_notes()
    with AnkiOracle() as anki:
        log = anki.import_apkg(package)
        held = anki.notes()
        decks = anki.decks()
        media = anki.media_files()
        rendered = []
        for nid in anki.col.find_notes(""):
            for card in anki.col.get_note(nid).cards():
                rendered.append((nid, card.ord, card.question(), card.answer()))
        added, removed = anki.check_database()
        yield {
            "log": log, "notes": held, "decks": decks, "media": media, "rendered": rendered,
            "added": added, "removed": removed, "dump": notes,
            "stderr": stderr.getvalue(),
        }


def _text(html: str) -> str:
    html = re.sub(r"<style.*?</style>", "", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


def test_every_note_is_imported_as_new(built: dict) -> None:
    expected = len(built["dump"])
    assert expected >= 60
    assert built["log"]["new"] == expected
    assert len(built["notes"]) == expected
    assert {k: v for k, v in built["log"].items() if k != "new" and v} == {}


def test_notes_land_in_their_topic_decks(built: dict) -> None:
    by_deck = Counter(n["deck"] for n in built["dump"])
    cards_per_deck = {d: c for d, c in built["decks"].items() if c}
    for deck, count in by_deck.items():
        assert cards_per_deck.get(deck, 0) >= count, deck
    assert set(cards_per_deck) == set(by_deck)
    assert all(d.startswith("Linux::") for d in cards_per_deck)
    assert "Linux" in built["decks"]  # the parent deck of every subdeck


def test_note_types_and_card_counts(built: dict) -> None:
    types = Counter(n.note_type for n in built["notes"])
    assert types == Counter(f"{n['note_type']} (mkdeck)" for n in built["dump"])
    assert set(types) == {"Basic (mkdeck)", "Basic (and reversed card) (mkdeck)", "Cloze (mkdeck)"}
    for note in built["notes"]:
        if note.note_type == "Basic (and reversed card) (mkdeck)":
            assert [c.ord for c in note.cards] == [0, 1]
        elif note.note_type == "Cloze (mkdeck)":
            numbers = sorted({int(n) for n in re.findall(r"\{\{c(\d+)::", note.fields["Text"])})
            assert [c.ord + 1 for c in note.cards] == numbers and numbers
        else:
            assert [c.ord for c in note.cards] == [0]


def test_every_card_renders_a_question_and_an_answer(built: dict) -> None:
    assert len(built["rendered"]) >= 80
    for nid, ord_, question, answer in built["rendered"]:
        q, a = _text(question), _text(answer)
        assert q, f"note {nid} card {ord_}: empty question"
        assert a and a != q, f"note {nid} card {ord_}: empty answer"
        assert "{{" not in q and "{{" not in a, f"note {nid} card {ord_}: template left over"
        assert "[[" not in a, f"note {nid} card {ord_}: a wikilink was not rendered"


def test_cloze_questions_hide_what_answers_show(built: dict) -> None:
    for _, _, question, answer in built["rendered"]:
        if 'class="cloze"' in answer:
            assert "[...]" in _text(question) or 'class="cloze"' in question


def test_diagrams_travel_as_media_and_are_referenced(built: dict) -> None:
    assert set(SVGS) <= set(built["media"])
    for svg in SVGS:
        assert any(f'src="{svg}"' in answer for _, _, _, answer in built["rendered"]), svg


def test_check_database_adds_and_removes_nothing(built: dict) -> None:
    assert built["added"] == set()
    assert built["removed"] == set()
