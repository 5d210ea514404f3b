"""``mkdeck preview`` opened in a real browser (headless Chromium): the page shows one element
per card of the package with its guid and ordinal, nothing is left unrendered, every picture
loads, math is typeset by the bundled MathJax, the screenshot is not blank, and the page makes
no request to the network (Chromium's own net log, checked on a control page that does)."""

from __future__ import annotations

import io
import re
import sqlite3
import urllib.parse
import zipfile
from html.parser import HTMLParser
from pathlib import Path

import pytest

from browser import page_requests, png_rows, run
from mkdeck.app.load import load
from mkdeck.cli import main
from mkdeck.export.plan import ExportPlan, plan_export
from mkdeck.render import note_type_css, render_notes

ROOT = Path(__file__).resolve().parent.parent


class _Cards(HTMLParser):
    """Collects each ``article.mkdeck-card``: its attributes and its text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.cards: list[dict[str, str]] = []
        self.depth = 0  # open elements inside the current card
        self.mjx = 0
        self.title = ""
        self._in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "title":
            self._in_title = True
        if tag == "mjx-container":
            self.mjx += 1
        if self.depth:
            self.depth += tag not in ("br", "hr", "img", "input", "meta", "wbr", "source")
        elif tag == "article" and "mkdeck-card" in (a.get("class") or ""):
            self.cards.append({"guid": a.get("data-guid") or "", "ord": a.get("data-ord") or "",
                               "text": ""})
            self.depth = 1

    def handle_endtag(self, tag: str) -> None:
        self._in_title = False
        if self.depth and tag not in ("br", "hr", "img", "input"):
            self.depth -= 1

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data
        if self.depth:
            self.cards[-1]["text"] += data


def _plan(vault: Path) -> ExportPlan:
    result = load([vault])
    return plan_export(render_notes(result)[0], vault=result.vault, css=note_type_css())


def _preview(vault: Path, out: Path) -> Path:
    err = io.StringIO()
    assert main(["preview", str(vault), "-o", str(out)], stdout=io.StringIO(),
                stderr=err) == 0, err.getvalue()
    return out / "index.html"


@pytest.fixture(scope="module")
def shipped(tmp_path_factory: pytest.TempPathFactory) -> dict:
    out = tmp_path_factory.mktemp("preview")
    index = _preview(ROOT / "cards", out / "site")
    netlog = out / "net.json"
    dom = run(index.as_uri(), "--virtual-time-budget=5000", "--dump-dom", netlog=netlog)
    parser = _Cards()
    parser.feed(dom)
    return {"index": index, "cards": parser.cards,
            "title": parser.title, "requests": page_requests(netlog), "out": out}


def _package_cards(vault: Path, tmp: Path) -> list[tuple[str, str]]:
    """``(note guid, card ord)`` of every card in the package ``mkdeck build`` writes."""
    package = tmp / "deck.apkg"
    assert main(["build", str(vault), "-o", str(package), "--no-cache"],
                stdout=io.StringIO(), stderr=io.StringIO()) == 0
    with zipfile.ZipFile(package) as zf:
        (tmp / "collection.anki2").write_bytes(zf.read("collection.anki2"))
    db = sqlite3.connect(tmp / "collection.anki2")
    try:
        return [(g, str(o)) for g, o in db.execute(
            "select n.guid, c.ord from cards c join notes n on c.nid = n.id")]
    finally:
        db.close()


def test_one_element_per_card_of_the_package(shipped: dict, tmp_path: Path) -> None:
    packaged = _package_cards(ROOT / "cards", tmp_path)
    assert len(shipped["cards"]) == len(packaged) == 127
    assert sorted((c["guid"], c["ord"]) for c in shipped["cards"]) == sorted(packaged)


def test_nothing_left_unrendered(shipped: dict) -> None:
    for card in shipped["cards"]:
        assert card["text"].strip(), card
        assert "{{" not in card["text"] and "}}" not in card["text"], card
        assert "[[type:" not in card["text"] and "[sound:" not in card["text"], card


def test_every_picture_loads(shipped: dict) -> None:
    m = re.fullmatch(r"height=(\d+) images=(\d+)/(\d+)", shipped["title"])
    assert m, shipped["title"]
    assert int(m.group(3)) >= 3 and m.group(2) == m.group(3)


def test_no_request_leaves_the_page(shipped: dict) -> None:
    assert shipped["requests"] == []


def test_the_request_check_sees_a_page_that_calls_out(tmp_path: Path) -> None:
    page = tmp_path / "control.html"
    page.write_text('<!doctype html><img src="http://127.0.0.1:9/x.png">'
                    '<script>fetch("http://127.0.0.1:9/api").catch(() => 0)</script>',
                    encoding="utf-8")
    netlog = tmp_path / "net.json"
    run(page.as_uri(), "--virtual-time-budget=2000", "--dump-dom", netlog=netlog)
    assert set(page_requests(netlog)) == {"http://127.0.0.1:9/x.png", "http://127.0.0.1:9/api"}


def test_screenshot_of_the_page_is_not_blank(shipped: dict) -> None:
    shot = shipped["out"] / "page.png"
    run(shipped["index"].as_uri(), "--window-size=1000,1400", "--virtual-time-budget=5000",
        f"--screenshot={shot}")
    width, height, rows = png_rows(shot)
    assert (width, height) == (1000, 1400)
    assert rows > 100


def test_math_is_typeset_offline_and_one_card_shows_alone(tmp_path: Path) -> None:
    index = _preview(ROOT / "examples" / "vault", tmp_path / "site")
    assert (tmp_path / "site" / "_mkdeck" / "mathjax" / "tex-svg-full.js").is_file()
    plan = _plan(ROOT / "examples" / "vault")
    note = next(n for n in plan.notes if n.rendered.note.location.path == "math.md")
    query = urllib.parse.urlencode({"card": f"{note.guid}:0", "side": "answer", "night": "1"})
    netlog = tmp_path / "net.json"
    dom = run(f"{index.as_uri()}?{query}", "--virtual-time-budget=5000", "--dump-dom",
              netlog=netlog)
    parser = _Cards()
    parser.feed(dom)
    assert parser.mjx >= 2  # \(w\) and \(W\) typeset by MathJax
    assert "\\(" not in "".join(c["text"] for c in parser.cards)
    assert page_requests(netlog) == []
    assert re.search(r'class="mkdeck-page[^"]*mkdeck-night[^"]*mkdeck-solo', dom)
    assert 'class="card card1 nightMode night_mode"' in dom
    m = re.match(r"height=(\d+)", parser.title)
    assert m and 60 < int(m.group(1)) < 600
