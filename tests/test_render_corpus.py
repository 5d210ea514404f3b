"""Golden HTML of the 33 real corpus notes, parsed by ``mkdeck.app.load.load`` as one vault
(FIT-Card configured, as tests/data/corpus/EXPECTED.md says) and rendered by ``render_notes``.

Each corpus file has ``tests/golden/render/<file stem>.json``: the HTML and media of every note
it holds and the render diagnostics located in it. A missing golden file fails; to rewrite the
files after an intended change, run with ``MKDECK_UPDATE_GOLDEN=1`` and review the diff."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from conftest import assert_golden
from mkdeck.model import Diagnostic, RenderedNote
from mkdeck.app.load import load
from mkdeck.render import render_notes

DATA = Path(__file__).parent / "data" / "corpus"
GOLDEN = Path(__file__).parent / "golden" / "render"
CORPUS = sorted(p for p in DATA.glob("[0-9][0-9]_*.md"))


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> tuple[tuple[RenderedNote, ...],
                                                                 tuple[Diagnostic, ...]]:
    root = tmp_path_factory.mktemp("corpus")
    for path in CORPUS:
        shutil.copyfile(path, root / path.name)
    (root / "mkdeck.yaml").write_text(
        "note_types:\n  FIT-Card: {fields: [Front, Back], base: Basic}\n", encoding="utf-8")
    return render_notes(load([root]))


def _document(name: str, rendered: tuple[tuple[RenderedNote, ...], tuple[Diagnostic, ...]]
              ) -> dict[str, object]:
    notes, diags = rendered
    return {
        "notes": [
            {"line": r.note.location.line, "note_type": r.note.note_type.name,
             "html": r.html, "media": [{"name": m.name, "path": m.path} for m in r.media]}
            for r in notes if r.note.location.path == name
        ],
        "diagnostics": [d.to_dict() for d in diags if d.location.path == name],
    }


def test_corpus_is_complete() -> None:
    assert len(CORPUS) == 33


@pytest.mark.parametrize("path", CORPUS, ids=[p.stem[:2] for p in CORPUS])
def test_corpus_golden_html(path: Path, rendered) -> None:
    doc = _document(path.name, rendered)
    text = json.dumps(doc, ensure_ascii=False, indent=1, sort_keys=True) + "\n"
    assert_golden(GOLDEN / f"{path.stem}.json", text)


def _notes(rendered, prefix: str) -> list[RenderedNote]:
    return [r for r in rendered[0] if r.note.location.path.startswith(prefix)]


def test_corpus_facts(rendered) -> None:
    """What EXPECTED.md says about rendering, checked directly (the golden files hold the rest)."""
    notes, diags = rendered
    by_file = {p.name[:2]: _notes(rendered, p.name[:2]) for p in CORPUS}
    # 01: Back 2 is an image whose media file is missing here -> warning
    back = by_file["01"][1].html["Back"]
    assert back == '<img src="Pasted image 20240930093046.png">'
    assert any(d.code == "MKD210" and d.location.path.startswith("01_") for d in diags)
    # 03: XML escaped inside <pre><code>
    assert "&lt;" in by_file["03"][0].html["Back"] and "<pre" in by_file["03"][0].html["Back"]
    # 04: the table and its <br> cells
    back = by_file["04"][0].html["Back"]
    assert "<table>" in back and "<br>" in back
    # 05: relative image leaves the vault -> warning, never read; $G$ -> \(G\)
    assert "\\(G\\)" in by_file["05"][0].html["Front"]
    assert any(d.code == "MKD207" and d.location.path.startswith("05_") for d in diags)
    assert by_file["05"][0].media == ()
    # 06: no \r anywhere
    assert all("\r" not in h for r in by_file["06"] for h in r.html.values())
    # 15: [[no-return]] in code is no link
    assert not any(d.location.path.startswith("15_") for d in diags)
    # 21: $IMAGE_VERSION stays literal inside code
    assert "$IMAGE_VERSION" in "".join(by_file["21"][0].html.values())
    # 22: alias shows "dataframe"; # comments stay code
    back = by_file["22"][0].html["Back"]
    assert "manipulated using dataframe.values" in back
    assert '<span class="c1"># a   1   5   9</span>' in back
    # 23: "``` java" is a java fence
    assert 'class="language-java"' in "".join(by_file["23"][0].html.values())
    # 24: \| alias shows "indicator functions"
    assert "talking about indicator functions:" in by_file["24"][0].html["Text"]
    # 32: ![[test.mp3]] -> [sound:test.mp3], file missing -> warning
    assert "[sound:test.mp3]" in "".join(by_file["32"][0].html.values())
    assert any(d.code == "MKD210" and d.location.path.startswith("32_") for d in diags)
    # 33: ">" escaped in Back
    assert "&gt;" in "".join(by_file["33"][0].html["Back"])


SEED = Path(__file__).parent / "data" / "seed" / "li clone.md"


def test_seed_golden_html(tmp_path: Path) -> None:
    """The user's own note, alone in a vault (as it is given): the golden HTML of its one card,
    which the export tests compare with what real Anki holds after importing the seed."""
    shutil.copyfile(SEED, tmp_path / SEED.name)
    doc = _document(SEED.name, render_notes(load([tmp_path])))
    text = json.dumps(doc, ensure_ascii=False, indent=1, sort_keys=True) + "\n"
    assert_golden(GOLDEN / "seed_li clone.json", text)
    (note,) = doc["notes"]
    assert '<a ' not in note["html"]["Back"]  # links are plain text by default
    assert "processes</li>" in note["html"]["Back"]
