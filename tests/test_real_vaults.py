"""Issue 14: real vaults read the way their authors meant. Each case runs a small vault of our
own through the real pipeline (``mkdeck dump``/``build``/``check``, the CLI's ``main``); the
HTML of each construct has its golden in tests/fixtures/render/ (math.md, html_sanitize.md,
html_raw.md, links_text.md, links_prefix.md), and one build is imported into real Anki."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from anki_oracle import AnkiOracle

from mkdeck.app.check import check_paths
from mkdeck.app.codes import all_codes
from mkdeck.app.load import load
from mkdeck.cli import main
from mkdeck.config import load_config
from mkdeck.export.identity import note_guid

OBSIDIAN = {".obsidian/app.json": "{}"}


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    status = main(list(argv), stdout=out, stderr=err)
    return status, out.getvalue(), err.getvalue()


def dump(root: Path) -> dict:
    status, out, err = run("dump", str(root))
    assert status in (0, 1), err
    return json.loads(out)


def codes_of(doc: dict) -> list[tuple[str, int, str]]:
    return [(d["path"], d["line"], d["code"]) for d in doc["diagnostics"]]


# --- math ---------------------------------------------------------------------------------

MATH_NOTE = r"""START
Basic
Is \(a^2+b^2\) prime when $a = b$?
Back: only for \[a = b = 1\], where $$2$$ is; `\(code\)` and \$5 stay
- \(x \in A\)

| x | y |
|---|---|
| \(x^2\) | $y$ |
END

START
Cloze
{{c1::\(\frac{1}{\sqrt{x}}\)}} and {x}
Back Extra: \(\alpha\)
END
"""


def test_math_reaches_every_field_with_its_backslashes(make_vault) -> None:
    root = make_vault({**OBSIDIAN, "m.md": MATH_NOTE, "mkdeck.yaml": "curly_cloze: true\n"})
    doc = dump(root)
    assert codes_of(doc) == []
    basic, cloze = doc["notes"]
    assert basic["html"]["Front"] == r"Is \(a^2+b^2\) prime when \(a = b\)?"
    back = basic["html"]["Back"]
    assert r"only for \[a = b = 1\], where \[2\] is; <code>\(code\)</code> and $5 stay" in back
    assert r"<li>\(x \in A\)</li>" in back and r"<td>\(x^2\)</td>" in back
    assert r"<td>\(y\)</td>" in back
    # the curly cloze conversion keeps the math (its }} kept apart inside the cloze)
    assert cloze["html"]["Text"] == r"{{c1::\(\frac{1}{\sqrt{x} }\)}} and {{c2::x}}"
    assert cloze["html"]["Back Extra"] == r"\(\alpha\)"


# --- frontmatter --------------------------------------------------------------------------

def test_frontmatter_file_tags_and_target_deck_lines_are_read(make_vault) -> None:
    note = ("---\nTARGET DECK: Bio::Cells\nFILE TAGS: biology exam2024\nauthor: me\n---\n"
            "START\nBasic\nq\nBack: a\nEND\n")
    doc = dump(make_vault({**OBSIDIAN, "n.md": note}))
    (n,) = doc["notes"]
    assert (n["deck"], n["tags"]) == ("Bio::Cells", ["biology", "exam2024"])
    assert codes_of(doc) == []  # the unknown key `author` is left alone


@pytest.mark.parametrize("key", ["cards-deck", "deck"])
def test_deck_keys_of_other_tools_are_reported_with_the_fix(make_vault, key: str) -> None:
    note = f"---\ntags: [x]\n{key}: Linux::Signals\n---\nSTART\nBasic\nq\nBack: a\nEND\n"
    doc = dump(make_vault({**OBSIDIAN, "n.md": note}, name=key))
    assert doc["notes"][0]["deck"] == key  # the default deck: the vault's name
    (d,) = doc["diagnostics"]
    assert (d["code"], d["line"]) == ("MKD150", 3)
    assert f"`{key}: Linux::Signals`" in d["message"]
    assert "`target-deck: Linux::Signals`" in d["message"]


def test_a_deck_key_of_another_tool_in_a_note_without_cards_is_left_alone(make_vault) -> None:
    doc = dump(make_vault({**OBSIDIAN, "n.md": "---\ncards-deck: X\n---\ntext\n",
                           "c.md": "START\nBasic\nq\nBack: a\nEND\n"}))
    assert codes_of(doc) == []


# --- obsidian-spaced-repetition -----------------------------------------------------------

SR_NOTE = """---
tags: [flashcards]
---
# Cells
TARGET DECK: Bio

Capital of Peru::Lima
The powerhouse of the cell:::the mitochondria <!--SR:!2024-01-01,3,250-->
Use `std::vector` and [[a::b]] here

What is osmosis?
?
Water moving
across a membrane

Left
??
Right

The ==nucleus== holds {{DNA}}, not $a::b$.

START
Basic
An O2A card
Back: a
END

```
code::not a card
?
```
"""


def test_spaced_repetition_cards_become_notes(make_vault) -> None:
    root = make_vault({**OBSIDIAN, "sr.md": SR_NOTE, "mkdeck.yaml": "spaced_repetition: true\n"})
    doc = dump(root)
    assert codes_of(doc) == []
    got = [(n["source"]["line"], n["kind"], n["note_type"], n["deck"],
            list(n["fields"].values())) for n in doc["notes"]]
    # the file's blocks first, then its spaced-repetition cards (then regex-style notes): each
    # reader in document order, as the plugins read them
    assert got == [
        (22, "block", "Basic", "Bio", ["An O2A card", "a"]),
        (7, "sr", "Basic", "Bio", ["Capital of Peru", "Lima"]),
        (8, "sr", "Basic (and reversed card)", "Bio",
         ["The powerhouse of the cell", "the mitochondria"]),
        (11, "sr", "Basic", "Bio", ["What is osmosis?", "Water moving\nacross a membrane"]),
        (16, "sr", "Basic (and reversed card)", "Bio", ["Left", "Right"]),
        (20, "sr", "Cloze", "Bio", ["The {{c1::nucleus}} holds {{c2::DNA}}, not $a::b$.", ""]),
    ]


def test_spaced_repetition_identity_is_stable(make_vault) -> None:
    """A card's guid comes from its file, type and question: lines added above it, a changed
    answer or a new scheduling comment keep the note (and its review history in Anki)."""
    cfg = {**OBSIDIAN, "mkdeck.yaml": "spaced_repetition: true\n"}
    before = load([make_vault({**cfg, "sr.md": SR_NOTE}, name="a")]).notes
    moved = SR_NOTE.replace("# Cells\n", "# Cells\nintro\n\nmore\n").replace(
        "::Lima", "::Lima, Peru").replace("\nLeft\n", "\nLeft <!--SR:!2025-02-02,4,270-->\n")
    after = load([make_vault({**cfg, "sr.md": moved}, name="a")]).notes
    assert [note_guid(n) for n in before] == [note_guid(n) for n in after]
    assert [n.location.line for n in after][1] == before[1].location.line + 3


def test_ids_leaves_spaced_repetition_cards_alone(make_vault) -> None:
    root = make_vault({**OBSIDIAN, "sr.md": SR_NOTE, "mkdeck.yaml": "spaced_repetition: true\n"})
    assert run("ids", str(root))[0] == 0
    text = (root / "sr.md").read_text("utf-8")
    assert text.count("<!--ID:") == 1  # the O2A block's only
    assert text.replace(text[text.index("<!--ID:"):text.index("-->", text.index("<!--ID:"))
                             + 4], "") == SR_NOTE


def test_without_the_setting_spaced_repetition_cards_are_a_finding(make_vault) -> None:
    doc = dump(make_vault({**OBSIDIAN, "sr.md": SR_NOTE}))
    assert [n["kind"] for n in doc["notes"]] == ["block"]
    (d,) = doc["diagnostics"]
    assert (d["path"], d["line"], d["code"]) == ("sr.md", 7, "MKD151")
    assert "`spaced_repetition: true`" in d["message"]


def test_a_multiline_card_in_an_untagged_note_with_cards_is_a_finding(make_vault) -> None:
    note = "START\nBasic\nq\nBack: a\nEND\n\nWhy?\n?\nBecause.\n\nstd::vector is C++\n"
    for config, words in (("", "`spaced_repetition: true`"), ("spaced_repetition: true\n",
                                                              "tag the note #flashcards")):
        doc = dump(make_vault({**OBSIDIAN, "n.md": note, "mkdeck.yaml": config or "{}\n"},
                              name=f"v{len(config)}"))
        assert codes_of(doc) == [("n.md", 7, "MKD151")]
        assert words in doc["diagnostics"][0]["message"]


def test_spaced_repetition_lines_in_a_note_without_cards_are_prose(make_vault) -> None:
    doc = dump(make_vault({**OBSIDIAN, "n.md": "Why?\n?\nBecause.\n", "c.md": "START\nBasic\n"
                           "q\nBack: a\nEND\n"}))
    assert codes_of(doc) == []


# --- raw HTML -----------------------------------------------------------------------------

HTML_NOTE = """START
Basic
What does this show?
Back: <img src="https://example.org/a.png" onerror="alert(1)">
<a href="javascript:steal()">link</a> <span style="color: red">red</span>
<script>alert(document.cookie)</script>
END
"""


def test_raw_html_is_sanitized_and_each_removal_is_located(make_vault) -> None:
    doc = dump(make_vault({**OBSIDIAN, "h.md": HTML_NOTE}))
    back = doc["notes"][0]["html"]["Back"]
    # one HTML block (it starts with a tag alone on its line): line breaks stay as written
    assert back == ('<img src="https://example.org/a.png">\n<a>link</a> '
                    '<span style="color: red">red</span>')
    assert codes_of(doc) == [("h.md", 4, "MKD240"), ("h.md", 5, "MKD240"),
                             ("h.md", 6, "MKD240")]
    assert all("`html: raw`" in d["message"] for d in doc["diagnostics"])


def test_html_raw_keeps_raw_html_as_written(make_vault) -> None:
    doc = dump(make_vault({**OBSIDIAN, "h.md": HTML_NOTE, "mkdeck.yaml": "html: raw\n"}))
    back = doc["notes"][0]["html"]["Back"]
    assert 'onerror="alert(1)"' in back and "javascript:steal()" in back
    assert "<script>alert(document.cookie)</script>" in back
    assert codes_of(doc) == []


# --- findings name the setting that decides them ------------------------------------------

def test_curly_and_highlight_clozes_name_their_setting(make_vault) -> None:
    note = "START\nCloze\nThe {sky} is blue.\nEND\n\nSTART\nCloze\nThe ==sea== is wet.\nEND\n"
    doc = dump(make_vault({**OBSIDIAN, "c.md": note}))
    curly, highlight = doc["diagnostics"]
    assert curly["code"] == highlight["code"] == "MKD112"
    assert "`curly_cloze: true`" in curly["message"]
    assert "`highlight_cloze: true`" in highlight["message"]
    fixed = dump(make_vault({**OBSIDIAN, "c.md": note,
                             "mkdeck.yaml": "curly_cloze: true\nhighlight_cloze: true\n"},
                            name="fixed"))
    assert codes_of(fixed) == [] and len(fixed["notes"]) == 2


def test_custom_end_markers_name_the_syntax_setting_that_reads_them(make_vault) -> None:
    note = "%%START\nBasic\nq\nBack: a\nEND%%\n"
    doc = dump(make_vault({**OBSIDIAN, "n.md": note}))
    (d,) = doc["diagnostics"]
    assert (d["code"], d["line"]) == ("MKD102", 5)
    assert "set `syntax: {start: '%%START', end: 'END%%'}` in mkdeck.yaml" in d["message"]
    # the value the message names fixes it
    fixed = dump(make_vault({**OBSIDIAN, "n.md": note,
                             "mkdeck.yaml": "syntax: {start: '%%START', end: 'END%%'}\n"},
                            name="fixed"))
    assert codes_of(fixed) == [] and fixed["notes"][0]["fields"] == {"Front": "q", "Back": "a"}


def test_bad_values_of_the_new_settings_name_the_words_they_take(make_vault) -> None:
    root = make_vault({"mkdeck.yaml": "html: safe\nlink_text: title\ndeck_from: tags\n"
                                      "note_link: yes\nspaced_repetition: maybe\n"})
    config, diags = load_config(root)
    assert (config.html, config.link_text, config.deck_from, config.note_link,
            config.spaced_repetition) == ("sanitize", "name", "config", "none", False)
    messages = [(d.code, d.location.line, d.message.split(" (got")[0]) for d in diags]
    assert messages == [
        ("MKD022", 1, "html must be `sanitize` or `raw`"),
        ("MKD022", 2, "link_text must be `name` or `alias`"),
        ("MKD022", 3, "deck_from must be `config` or `folders`"),
        ("MKD022", 4, "note_link must be `none` or `back`"),
        ("MKD022", 5, "spaced_repetition must be true or false"),
    ]


# --- empty vault ---------------------------------------------------------------------------

@pytest.mark.parametrize("files", [{}, {"prose.md": "# just prose\n", "more.md": "text\n"}])
def test_an_empty_vault_is_one_finding_at_the_vaults_path(make_vault, tmp_path, files) -> None:
    root = make_vault({**OBSIDIAN, **files})
    status, _, err = run("build", str(root), "-o", str(tmp_path / "e.apkg"))
    assert status == 0
    build_lines = [line for line in err.splitlines() if "MKD" in line]
    status, out, _ = run("check", str(root))
    assert status == 0
    check_lines = [line for line in out.splitlines() if "MKD" in line]
    assert build_lines == check_lines and len(build_lines) == 1
    assert build_lines[0].startswith(f"{root}:0: MKD313 no card found in the vault {root} ")
    # naming one prose note is no empty vault (pre-commit passes such notes)
    if files:
        assert check_paths([root / "prose.md"]).diagnostics == ()


# --- links ----------------------------------------------------------------------------------

def test_link_text_alias_and_prefix_through_the_pipeline(make_vault) -> None:
    files = {**OBSIDIAN, "li pipe.md": "---\naliases: [pipe(2)]\n---\n# li pipe\n",
             "li fork.md": "# li fork\n", "li fork–exec.md": "x\n",
             "card.md": "START\nBasic\nthe [[li pipe]], [[li fork]] and [[li forkâ€“exec]]\n"
                        "Back: [[li fork|fork()]]\nEND\n"}
    plain = dump(make_vault(files, name="plain"))
    assert plain["notes"][0]["html"]["Front"] == "the li pipe, li fork and li fork–exec"
    assert codes_of(plain) == [("card.md", 3, "MKD201")]  # the mojibake keeps its warning
    styled = dump(make_vault({**files, "mkdeck.yaml": "link_text: alias\nlink_prefix: 'li '\n"},
                             name="styled"))
    assert styled["notes"][0]["html"] == {"Front": "the pipe(2), fork and fork–exec",
                                          "Back": "fork()"}


def test_cards_vault_reads_naturally() -> None:
    """cards/ removes its `li ` naming prefix from link text: no card shows "li clone"."""
    cards = Path(__file__).resolve().parents[1] / "cards"
    doc = dump(cards)
    texts = [html for n in doc["notes"] for html in n["html"].values()]
    assert not [t for t in texts if "li " in t.replace("<li>", "").replace("</li>", "")]
    clone = next(t for t in texts if "upgraded version" in t)
    assert "The clone syscall is an upgraded version of the fork call." in clone


# --- a link back to the note, decks from folders -------------------------------------------

def test_note_link_back_points_at_the_block_or_heading(make_vault) -> None:
    note = ("# Top\n## Signals & more\nSTART\nBasic\nq\nBack: a\nEND\n\n"
            "START\nCloze\n{{c1::x}} ^blk-1\nEND\n\nSTARTI [Basic] i Back: j ENDI\n")
    files = {**OBSIDIAN, "Sub Dir/n.md": note, "top.md": "START\nBasic\nq0\nBack: a0\nEND\n"}
    off = dump(make_vault(files, name="My Vault"))
    assert all("obsidian://" not in h for n in off["notes"] for h in n["html"].values())
    doc = dump(make_vault({**files, "mkdeck.yaml": "note_link: back\n"}, name="linked"))
    html = {(n["source"]["path"], n["source"]["line"]): n["html"] for n in doc["notes"]}
    uri = "obsidian://open?vault=linked&amp;file="
    assert html[("Sub Dir/n.md", 3)]["Back"] == (
        f'a\n<div class="mkdeck-source"><a href="{uri}Sub%20Dir%2Fn%23Signals%20%26%20more">'
        f"n › Signals &amp; more</a></div>")
    assert html[("Sub Dir/n.md", 9)]["Back Extra"] == (
        f'<div class="mkdeck-source"><a href="{uri}Sub%20Dir%2Fn%23%5Eblk-1">n</a></div>')
    assert html[("top.md", 1)]["Back"].endswith(f'<a href="{uri}top">top</a></div>')


def test_deck_from_folders(make_vault) -> None:
    card = "START\nBasic\nq\nBack: a\nEND\n"
    files = {**OBSIDIAN, "Biology/Cells/a.md": card, "Biology/b.md": card, "root.md": card,
             "Chem/c.md": "TARGET DECK: Chemistry::Acids\n" + card,
             "mkdeck.yaml": "deck: Study\ndeck_from: folders\nfolders:\n  Physics: {deck: Phys}\n",
             "Physics/Waves/p.md": card}
    doc = dump(make_vault(files))
    decks = {n["source"]["path"]: n["deck"] for n in doc["notes"]}
    assert decks == {"Biology/Cells/a.md": "Biology::Cells", "Biology/b.md": "Biology",
                     "Chem/c.md": "Chemistry::Acids", "Physics/Waves/p.md": "Phys",
                     "root.md": "Study"}


# --- docs -----------------------------------------------------------------------------------

@pytest.mark.parametrize("code", ["MKD150", "MKD151", "MKD240"])
def test_new_codes_have_true_examples(code: str, make_vault) -> None:
    entry = next(c for c in all_codes() if c.code == code)
    assert entry.bad and entry.good
    for example, expected in ((entry.bad, True), (entry.good, False)):
        root = make_vault({**OBSIDIAN, "note.md": example + "\n"}, name=str(expected))
        found = {d.code for d in check_paths([root]).diagnostics}
        assert (code in found) is expected, (example, found)


# --- real Anki --------------------------------------------------------------------------------

def test_math_sanitized_html_and_a_spaced_repetition_note_in_real_anki(make_vault,
                                                                       tmp_path) -> None:
    files = {**OBSIDIAN, "m.md": MATH_NOTE, "h.md": HTML_NOTE, "sr.md": SR_NOTE,
             "mkdeck.yaml": "curly_cloze: true\nspaced_repetition: true\n"}
    root = make_vault(files)
    out = tmp_path / "real.apkg"
    status, _, err = run("build", str(root), "-o", str(out))
    assert status == 0, err
    with AnkiOracle() as anki:
        log = anki.import_apkg(out)
        assert log["new"] == 9  # 2 math, 1 HTML, 5 spaced-repetition and 1 O2A note
        notes = {n.fields.get("Front") or n.fields.get("Text"): n for n in anki.notes()}
    math = notes[r"Is \(a^2+b^2\) prime when \(a = b\)?"]
    assert r"\[a = b = 1\]" in math.fields["Back"] and r"<td>\(x^2\)</td>" in math.fields["Back"]
    cloze = notes[r"{{c1::\(\frac{1}{\sqrt{x} }\)}} and {{c2::x}}"]
    assert [c.ord for c in cloze.cards] == [0, 1]
    html = notes["What does this show?"]
    assert html.fields["Back"] == ('<img src="https://example.org/a.png">\n<a>link</a> '
                                   '<span style="color: red">red</span>')
    reversed_sr = notes["The powerhouse of the cell"]
    assert reversed_sr.note_type == "Basic (and reversed card) (mkdeck)"
    assert [c.ord for c in reversed_sr.cards] == [0, 1]
    assert [c.deck for c in reversed_sr.cards] == ["Bio", "Bio"]
    sr_cloze = notes["The {{c1::nucleus}} holds {{c2::DNA}}, not \\(a::b\\)."]
    assert [c.ord for c in sr_cloze.cards] == [0, 1]
    assert notes["Capital of Peru"].fields["Back"] == "Lima"


def test_spaced_repetition_cards_are_not_read_twice_by_a_regex_style(make_vault) -> None:
    """The RemNote regex style reads `Q::A` too: a line a spaced-repetition card took is
    blocked for the regex styles, as O2A blocks are (one note, not two)."""
    root = make_vault({**OBSIDIAN, "sr.md": "#flashcards\n\nCapital of Peru::Lima\n",
                       "mkdeck.yaml": "spaced_repetition: true\nregex_styles: [remnote]\n"})
    doc = dump(root)
    assert [(n["kind"], n["fields"]["Front"]) for n in doc["notes"]] == [
        ("sr", "Capital of Peru")]


def test_inline_html_removals_are_at_their_own_lines(make_vault) -> None:
    note = ('START\nBasic\nq\nBack: first line\nsecond <b onclick="x()">b</b>\n'
            "third <script>a()</script> end\nEND\n")
    doc = dump(make_vault({**OBSIDIAN, "n.md": note}))
    assert doc["notes"][0]["html"]["Back"] == "first line<br>\nsecond <b>b</b><br>\nthird  end"
    assert codes_of(doc) == [("n.md", 5, "MKD240"), ("n.md", 6, "MKD240")]
