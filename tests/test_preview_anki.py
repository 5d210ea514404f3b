"""The preview's card rendering against real Anki, card by card.

For the shipped vault (``cards/``), the seed and the corpus: the package is built, imported
into a fresh Anki collection (Anki 26.9.3's backend), and for every card Anki holds,
``card.question()`` and ``card.answer()`` must equal mkdeck's rendering of the same card
(:func:`mkdeck.export.preview.preview_cards`), after exactly two normalisations of Anki's text:

1. the leading ``<style>…</style>`` that ``question()``/``answer()`` prepend is removed, after
   checking that it holds the note type's CSS, byte for byte;
2. Anki's ``[anki:play:q:N]`` / ``[anki:play:a:N]`` (its reviewer's play buttons, made by
   ``extract_av_tags``) become ``[sound:NAME]`` again, NAME being the file of the N-th sound
   of that side (``render_output().question_av_tags``).

Nothing else is normalised: no whitespace, no entity, no attribute order.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from anki_oracle import AnkiOracle
from conftest import CORPUS, SEED
from mkdeck.app.load import load
from mkdeck.export.apkg import write_package
from mkdeck.export.plan import ExportPlan, plan_export
from mkdeck.export.preview import preview_cards
from mkdeck.render import note_type_css, render_notes

ROOT = Path(__file__).resolve().parent.parent
_PLAY_RE = re.compile(r"\[anki:play:([qa]):(\d+)\]")
_STYLE_RE = re.compile(r"\A<style>(.*?)</style>", re.DOTALL)


def _plan(vault: Path) -> ExportPlan:
    result = load([vault])
    rendered, _ = render_notes(result)
    return plan_export(rendered, vault=result.vault, css=note_type_css())


def _anki_sides(card) -> tuple[str, str, str]:
    """``(css, question, answer)`` of an Anki card, normalised as the module docstring says."""
    out = card.render_output()
    names = {"q": [t.filename for t in out.question_av_tags],
             "a": [t.filename for t in out.answer_av_tags]}

    def sounds(text: str) -> str:
        return _PLAY_RE.sub(lambda m: f"[sound:{names[m.group(1)][int(m.group(2))]}]", text)

    sides = []
    css = None
    for text in (card.question(), card.answer()):
        m = _STYLE_RE.match(text)
        assert m is not None, text[:200]
        assert css is None or m.group(1) == css
        css = m.group(1)
        sides.append(sounds(text[m.end():]))
    assert css is not None
    return css, sides[0], sides[1]


def _compare(plan: ExportPlan, tmp_path: Path) -> int:
    package = tmp_path / "deck.apkg"
    write_package(plan, package)
    mine = {(c.guid, c.ord): c for c in preview_cards(plan)}
    css_of = {m.name: m.css for m in plan.models}
    mismatches = []
    seen = set()
    with AnkiOracle() as anki:
        anki.import_apkg(package)
        for nid in anki.col.find_notes(""):
            note = anki.col.get_note(nid)
            for card in note.cards():
                key = (note.guid, card.ord)
                seen.add(key)
                ours = mine.get(key)
                if ours is None:
                    mismatches.append(f"{key}: in Anki, not on the page")
                    continue
                css, question, answer = _anki_sides(card)
                assert css == css_of[ours.note_type], ours.note_type
                if question != ours.question:
                    mismatches.append(f"{ours.path}:{ours.line} card {card.ord} question:\n"
                                      f"  anki:   {question!r}\n  mkdeck: {ours.question!r}")
                if answer != ours.answer:
                    mismatches.append(f"{ours.path}:{ours.line} card {card.ord} answer:\n"
                                      f"  anki:   {answer!r}\n  mkdeck: {ours.answer!r}")
    missing = set(mine) - seen
    mismatches.extend(f"{k}: on the page, not in Anki" for k in sorted(missing))
    assert not mismatches, "\n".join(mismatches[:20])
    return len(seen)


def test_shipped_cards_render_as_in_anki(tmp_path: Path) -> None:
    plan = _plan(ROOT / "cards")
    assert _compare(plan, tmp_path) == plan.card_count == 127


def test_seed_renders_as_in_anki(tmp_path: Path) -> None:
    vault = tmp_path / "Linux"
    vault.mkdir()
    shutil.copyfile(SEED, vault / SEED.name)
    plan = _plan(vault)
    assert _compare(plan, tmp_path) == plan.card_count == 1


def test_corpus_renders_as_in_anki(tmp_path: Path) -> None:
    vault = tmp_path / "corpus"
    shutil.copytree(CORPUS, vault)
    (vault / "mkdeck.yaml").write_text(
        "note_types:\n  FIT-Card: {fields: [Front, Back], base: Basic}\n", encoding="utf-8")
    plan = _plan(vault)
    kinds = {n.model.kind for n in plan.notes}
    assert kinds == {"standard", "cloze"}
    assert _compare(plan, tmp_path) == plan.card_count >= 30


@pytest.mark.parametrize("vault", ["examples/vault", "examples/broken-vault"])
def test_example_vaults_render_as_in_anki(vault: str, tmp_path: Path) -> None:
    plan = _plan(ROOT / vault)
    assert _compare(plan, tmp_path) == plan.card_count > 0
