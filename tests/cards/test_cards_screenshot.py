"""``scripts/screenshot.py``: the page it screenshots is Anki's own render of the chosen card
with its note type's CSS and its media beside it, and the PNG it writes has the requested
width and the card's height."""

from __future__ import annotations

import importlib.util
import shutil
import struct
from pathlib import Path

import pytest

from mkdeck.render import note_type_css

ROOT = Path(__file__).resolve().parents[2]
CARDS = ROOT / "cards"


def _script():
    spec = importlib.util.spec_from_file_location("mkdeck_screenshot",
                                                  ROOT / "scripts" / "screenshot.py")
    module = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    spec.loader.exec_module(module)
    return module


def _png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    assert data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


def test_page_is_ankis_render_of_the_card_with_css_and_media(tmp_path: Path) -> None:
    shot = _script()
    package = tmp_path / "deck.apkg"
    shot.build_package(CARDS, package)
    guid = shot.pick_guid(CARDS, "li memory paging.md", 0)
    page, media = shot.render_card(package, guid, "answer", tmp_path)
    assert '<body class="card card1">' in page
    assert note_type_css().strip() in page  # the note type's stylesheet
    assert '<hr id=answer>' in page  # Anki's answer template ran
    assert "at fork time no page is copied" in page
    assert 'src="cow-pages.svg"' in page
    assert (media / "cow-pages.svg").read_bytes() == (
        CARDS / "attachments" / "cow-pages.svg"
    ).read_bytes()
    question, _ = shot.render_card(package, guid, "question", tmp_path / "q")
    assert "<hr id=answer>" not in question and "copy-on-write" in question


def test_pick_guid_rejects_a_card_that_does_not_exist() -> None:
    shot = _script()
    with pytest.raises(shot.ScreenshotError, match="has 3 card"):
        shot.pick_guid(CARDS, "li memory paging.md", 7)


@pytest.mark.skipif(shutil.which("chromium") is None, reason="needs the chromium package")
def test_script_writes_a_png_sized_to_the_card(tmp_path: Path) -> None:
    shot = _script()
    out = tmp_path / "card.png"
    assert shot.main(["--note", "li fork–exec.md", "--width", "700", "--out", str(out)]) == 0
    width, height = _png_size(out)
    assert width == 700
    assert 250 < height < 1200
    committed = ROOT / "docs" / "images" / "card.png"
    assert _png_size(committed)[0] == 640
