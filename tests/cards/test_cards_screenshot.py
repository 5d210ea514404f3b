"""``scripts/screenshot.py``: the README's card picture is taken from the preview page
(``mkdeck preview``), showing the chosen card alone at the requested width and the card's
height, with its diagram loaded; it runs in CI (``.ci/run`` installs Chromium)."""

from __future__ import annotations

import importlib.util
import re
import struct
import urllib.parse
from pathlib import Path

import pytest

import browser

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


def test_page_url_shows_the_chosen_card(tmp_path: Path) -> None:
    shot = _script()
    index = shot.write_page(CARDS, tmp_path / "site")
    guid = shot.pick_guid(CARDS, "li memory paging.md", 0)
    url = shot.card_url(index, guid, 0, "answer")
    query = urllib.parse.parse_qs(urllib.parse.urlparse(url).query)
    assert query == {"card": [f"{guid}:0"], "side": ["answer"]}
    page = index.read_text(encoding="utf-8")
    article = re.search(r'<article class="mkdeck-card" data-guid="%s" data-ord="0".*?</article>'
                        % re.escape(guid.replace("&", "&amp;").replace('"', "&quot;")), page,
                        re.DOTALL)
    assert article, "the chosen note's card is on the page"
    assert "<hr id=answer>" in article.group(0) and 'src="cow-pages.svg"' in article.group(0)
    assert (index.parent / "cow-pages.svg").read_bytes() == (
        CARDS / "attachments" / "cow-pages.svg").read_bytes()


def test_pick_guid_rejects_a_card_that_does_not_exist() -> None:
    shot = _script()
    with pytest.raises(shot.ScreenshotError, match="has 3 card"):
        shot.pick_guid(CARDS, "li memory paging.md", 7)


def test_script_writes_a_png_sized_to_the_card(tmp_path: Path) -> None:
    browser.chromium()  # fails in CI when missing, skips elsewhere
    shot = _script()
    out = tmp_path / "card.png"
    assert shot.main(["--note", "li fork–exec.md", "--width", "700", "--out", str(out)]) == 0
    width, height = _png_size(out)
    assert width == 700
    assert 250 < height < 1200
    assert browser.png_rows(out)[2] > 50  # not blank
    committed = ROOT / "docs" / "images" / "card.png"
    assert _png_size(committed)[0] == 640


def test_a_card_that_is_not_there_is_an_error(tmp_path: Path) -> None:
    browser.chromium()
    shot = _script()
    out = tmp_path / "card.png"
    assert shot.main(["--note", "li fork–exec.md", "--card", "5", "--out", str(out)]) == 1
    assert not out.exists()
