"""``mkdeck preview PATH -o DIR`` and ``mkdeck check --preview DIR``: what the page holds for
each kind of card (reversed both ways, type-in answers, clozes per number, sounds, pictures,
math without MathJax, verdicts), where it may be written, exit statuses, and a rerun giving the
same page."""

from __future__ import annotations

import io
import re
import shutil
import urllib.parse
from pathlib import Path

import pytest

from conftest import SEED
from mkdeck.cli import main

ROOT = Path(__file__).resolve().parent.parent

VAULT = {
    "cards.md": (
        "TARGET DECK: Test::Kinds\n\n"
        "START\nBasic (and reversed card)\nO_CLOEXEC\nBack: closes the fd on exec\nEND\n\n"
        "START\nBasic (type in the answer)\nWhat does fork() return in the child?\n"
        "Back: <b>0</b>\nEND\n\n"
        "START\nCloze\n{{c1::fork}} then {{c2::exec::verb}}, math $a<b$\nEND\n\n"
        "START\nBasic\nListen ![[beep.mp3]]\nBack: ![[pic.svg]]\nTags: sound media\nEND\n"),
    "beep.mp3": b"ID3\x00not really audio",
    "pic.svg": '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>',
}


def _run(*argv: str) -> tuple[int, str]:
    err = io.StringIO()
    status = main(list(argv), stdout=io.StringIO(), stderr=err)
    return status, err.getvalue()


def _articles(page: str) -> list[str]:
    return re.findall(r'<article class="mkdeck-card".*?</article>', page, re.DOTALL)


@pytest.fixture
def page(make_vault, tmp_path: Path) -> tuple[Path, str]:
    vault = make_vault(VAULT)
    status, err = _run("preview", str(vault), "-o", str(tmp_path / "out"), "--no-mathjax")
    assert status == 0, err
    assert err.splitlines()[-1] == (f"{tmp_path / 'out' / 'index.html'}: 6 cards of 4 notes, "
                                    "1 deck, 2 media files (0 errors, 0 warnings); math shown "
                                    "as TeX source (--no-mathjax)")
    return vault, (tmp_path / "out" / "index.html").read_text(encoding="utf-8")


def test_reversed_card_both_ways(page: tuple[Path, str]) -> None:
    cards = [a for a in _articles(page[1]) if "O_CLOEXEC" in a]
    assert [re.search(r'data-ord="(\d)"', a).group(1) for a in cards] == ["0", "1"]
    front0 = re.search(r'mkdeck-front.*?<div class="card card1">(.*?)</div></div>', cards[0],
                       re.DOTALL).group(1)
    front1 = re.search(r'mkdeck-front.*?<div class="card card2">(.*?)</div></div>', cards[1],
                       re.DOTALL).group(1)
    assert "O_CLOEXEC" in front0 and "closes the fd" not in front0
    assert "closes the fd" in front1 and "O_CLOEXEC" not in front1


def test_type_in_answer_box_and_expected_answer(page: tuple[Path, str]) -> None:
    (card,) = [a for a in _articles(page[1]) if "fork() return" in a]
    front, back = card.split('class="mkdeck-side mkdeck-back"')
    assert '<input type="text" class="mkdeck-typeans"' in front
    assert '<code id="typeans" class="mkdeck-typeans">0</code>' in back
    assert "[[type:" not in card


def test_one_card_per_cloze_number(page: tuple[Path, str]) -> None:
    cards = [a for a in _articles(page[1]) if "Cloze (mkdeck)" in a]
    assert len(cards) == 2
    first_front = cards[0].split('class="mkdeck-side mkdeck-back"')[0]
    assert '<span class="cloze" data-cloze="fork" data-ordinal="1">[...]</span>' in first_front
    assert '<span class="cloze-inactive" data-ordinal="2">exec</span>' in first_front
    assert "[verb]</span>" in cards[1]
    # without MathJax the TeX source is shown, marked
    assert '<span class="mkdeck-tex" title="TeX source' in cards[0]
    assert "\\(a&lt;b\\)</span>" in cards[0]


def test_sound_picture_tags_and_source(page: tuple[Path, str], tmp_path: Path) -> None:
    vault, text = page
    (card,) = [a for a in _articles(text) if "Listen" in a]
    assert '<audio class="mkdeck-sound" controls preload="none" src="beep.mp3"></audio>' in card
    assert re.search(r'<img[^>]* src="pic.svg"', card)
    assert '<span class="mkdeck-tag">sound</span><span class="mkdeck-tag">media</span>' in card
    out = tmp_path / "out"
    assert (out / "beep.mp3").read_bytes() == VAULT["beep.mp3"]
    assert (out / "pic.svg").read_text(encoding="utf-8") == VAULT["pic.svg"]
    link = re.search(r'<a class="mkdeck-source" href="([^"]+)">cards.md:(\d+)</a>', card)
    target, _, line = urllib.parse.unquote(link.group(1)).partition("#L")
    assert (out / target).resolve() == (vault / "cards.md").resolve()
    assert line == link.group(2) == "20"


def test_rerun_writes_the_same_page_and_nothing_else(make_vault, tmp_path: Path) -> None:
    vault = make_vault(VAULT)
    out = tmp_path / "out"
    assert _run("preview", str(vault), "-o", str(out))[0] == 0
    first = (out / "index.html").read_bytes()
    assert _run("preview", str(vault), "-o", str(out))[0] == 0
    assert (out / "index.html").read_bytes() == first
    assert sorted(p.name for p in out.iterdir()) == ["_mkdeck", "beep.mp3", "index.html",
                                                     "pic.svg"]
    assert sorted(p.name for p in vault.iterdir()) == sorted(VAULT)  # nothing in the vault


def test_verdicts_with_verify(tmp_path: Path) -> None:
    vault = tmp_path / "Linux"
    vault.mkdir()
    shutil.copyfile(SEED, vault / SEED.name)
    status, err = _run("preview", str(vault), "-o", str(tmp_path / "out"), "--verify")
    assert status == 0, err
    # every verdict is counted (issue 11: host-dependent and unchecked too)
    assert ("claims: 0 host-dependent, 0 inconclusive, 0 refuted, 0 skipped, 0 unchecked, "
            "12 verified") in err.splitlines()[-1]
    text = (tmp_path / "out" / "index.html").read_text(encoding="utf-8")
    assert '<span class="mkdeck-verdict verified" title="clone.upgraded-fork">verified: ' in text


def test_errors_exit_1_and_the_page_is_still_written(tmp_path: Path) -> None:
    out = tmp_path / "out"
    status, err = _run("preview", str(ROOT / "examples" / "broken-vault"), "-o", str(out))
    assert status == 1
    assert "MKD101" in err
    text = (out / "index.html").read_text(encoding="utf-8")
    assert "MKD101" in text  # the findings are listed on the page too
    assert len(_articles(text)) > 5


def test_output_inside_the_vault_is_refused(make_vault) -> None:
    vault = make_vault(VAULT)
    status, err = _run("preview", str(vault), "-o", str(vault / "preview"))
    assert status == 2 and "is inside the vault" in err
    assert not (vault / "preview").exists()
    assert _run("preview", str(vault / "missing"), "-o", str(vault.parent / "p"))[0] == 2


def test_check_writes_the_preview_for_ci(make_vault, tmp_path: Path) -> None:
    vault = make_vault(VAULT)
    out = tmp_path / "site"
    status, err = _run("check", str(vault), "--preview", str(out),
                       "--source-url", "https://example.org/v/{path}#L{line}")
    assert status == 0, err
    assert f"mkdeck check: preview of 6 cards written to {out / 'index.html'}" in err
    text = (out / "index.html").read_text(encoding="utf-8")
    assert 'href="https://example.org/v/cards.md#L3"' in text
    status, err = _run("check", str(ROOT / "examples" / "broken-vault"), "--preview",
                       str(tmp_path / "broken"))
    assert status == 1  # the check's own status
    assert (tmp_path / "broken" / "index.html").is_file()


def test_media_names_are_url_encoded_in_tags_only(make_vault, tmp_path: Path) -> None:
    vault = make_vault({
        "n.md": "START\nBasic\n![[a b+1.svg]]\nBack: `<img src=\"a b.svg\">`\nEND\n",
        "a b+1.svg": '<svg xmlns="http://www.w3.org/2000/svg"/>'})
    assert _run("preview", str(vault), "-o", str(tmp_path / "out"))[0] == 0
    (card,) = _articles((tmp_path / "out" / "index.html").read_text(encoding="utf-8"))
    # percent-encoded, so that the browser finds the file
    assert re.search(r'<img[^>]* src="a%20b%2B1.svg"', card)
    assert "&lt;img src=&quot;a b.svg&quot;&gt;" in card  # text about a src stays as written
    assert (tmp_path / "out" / "a b+1.svg").is_file()


def test_summary_line_counts_one_in_the_singular_and_says_how_to_get_mathjax(
        make_vault, tmp_path: Path) -> None:
    """A new-user trial on the seed's one-note vault read "1 cards of 1 notes, 1 decks"; and
    without MathJax the line named `pip install 'mkdeck-anki[preview]'`, a name PyPI does not
    serve (mkdeck installs from its repository)."""
    from mkdeck.app.preview import PreviewOutcome
    from mkdeck.cli.preview import summary_line

    vault = make_vault({"seed.md": SEED.read_text(encoding="utf-8")})
    status, err = _run("preview", str(vault), "-o", str(tmp_path / "out"))
    assert status == 0, err
    assert err.splitlines()[-1].startswith(
        f"{tmp_path / 'out' / 'index.html'}: 1 card of 1 note, 1 deck, 0 media files (0 errors, ")
    bare = PreviewOutcome(index="p/index.html", notes=1, cards=1, decks=1, media=1,
                          mathjax=False, diagnostics=())
    assert summary_line(bare) == (
        "p/index.html: 1 card of 1 note, 1 deck, 1 media file (0 errors, 0 warnings); math "
        "shown as TeX source (MathJax is not installed: install mkdeck's preview extra, e.g. "
        "pip install -e '.[preview]' in its clone)")
