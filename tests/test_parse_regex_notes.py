"""Regex note styles: the JavaScript → Python translation, the plugin's matching rules, the
time limit, the findings at the setting, and ``mkdeck ids`` writing where the plugin writes."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
import regex
from conftest import write_vault
from hypothesis import given, settings
from hypothesis import strategies as st
from test_plugin_styles import CASES, DATA_JSON, data_json, make_case, style

from mkdeck.app.dump import dump_document
from mkdeck.app.ids import write_ids
from mkdeck.app.load import load
from mkdeck.parse.jsregex import JsRegexError, translate
from mkdeck.parse.regex_notes import CODE_AND_MATH, TIME_LIMIT, code_spans


def js(pattern: str, text: str) -> list[tuple[str | None, ...] | str]:
    """What ``text.matchAll(new RegExp(pattern, "gm"))`` finds, through the translation."""
    compiled = regex.compile(translate(pattern).pattern, regex.MULTILINE | regex.ASCII)
    return [m.groups() or m.group(0) for m in compiled.finditer(text)]


@pytest.mark.parametrize(("pattern", "text", "expected"), [
    # . stops at every JavaScript line terminator, and ^ $ start and end lines there too
    (r"^.+$", "ab\u2028cd\re", ["ab", "cd", "e"]),
    # \d \w \s are JavaScript's (ASCII digits and word characters; its own white space)
    (r"\d+", "12٣4", ["12", "4"]),
    (r"\w+", "naïve", ["na", "ve"]),
    (r"a\sb", "a\u00a0b a\x1cb", ["a\u00a0b"]),
    (r"\bé", "é", []),
    # a { that is no quantifier is a literal, {,3} included
    (r"x{,3}", "x{,3}", ["x{,3}"]),
    (r"(.*{.*)", "set {a}", [("set {a}",)]),
    # a back-reference to a group that did not take part matches the empty string
    (r"(a)|\1b", "b", [(None,)]),
    # named groups and their references
    (r"(?<w>o)\k<w>", "foo", [("o",)]),
    # variable-length lookbehind (the wiki's paragraph rule)
    (r"^.{4}(?<!<!--).*", "<!--ID: 1-->\nline", ["line"]),
    # classes: [^] is any character, [] none; \d \s inside a class
    (r"a[^]b", "a\nb", ["a\nb"]),
    (r"a[]b", "ab", []),
    (r"[\d\s]+", "1 2x", ["1 2"]),
    # identity and control escapes
    (r"\a\z\/", "az/", ["az/"]),
    (r"\cJ", "\n", ["\n"]),
])
def test_translation_keeps_javascripts_meaning(pattern: str, text: str, expected) -> None:
    assert js(pattern, text) == expected


@pytest.mark.parametrize(("pattern", "reason"), [
    ("a**", "nothing to repeat"),
    ("a++", "nothing to repeat"),  # Python would read a possessive quantifier
    ("^*", "nothing to repeat"),
    ("{2}", "nothing to repeat"),
    ("(?i)abc", "invalid group"),
    ("(?P<n>a)", "invalid group"),
    ("(?>a)", "invalid group"),
    ("(a", "missing )"),
    ("a)", "unmatched )"),
    ("a{3,1}", "numbers out of order"),
    ("[a", "missing ]"),
    ("a\\", "\\ at end of pattern"),
    (r"(a)\2", "back-reference \\2"),
])
def test_what_javascript_rejects_is_refused(pattern: str, reason: str) -> None:
    with pytest.raises(JsRegexError) as info:
        translate(pattern)
    assert reason in info.value.reason


def test_the_plugins_suffixes_translate() -> None:
    t = translate(r"^(.+)::(.+)" + r"(Tags: .*)" + r"\n?(?:<!--)?(?:ID: (\d+).*)")
    assert t.groups == 4


def vault(tmp_path: Path, regexps: dict[str, str], text: str, **defaults) -> Path:
    return write_vault(tmp_path / "v", {DATA_JSON: data_json(regexps, **defaults),
                                        "a.md": text})


def codes(result) -> list[tuple[str, str, int]]:
    return [(d.code, d.location.path, d.location.line) for d in result.diagnostics]


def setting_line(root: Path, line: int) -> str:
    return (root / DATA_JSON).read_text().split("\n")[line - 1]


def test_catastrophic_regex_ends_in_a_finding_at_its_setting(tmp_path: Path) -> None:
    """`(a+)+$` on a long line backtracks for ages; the time limit stops it (the time itself
    is measured by benchmarks/bench_regex.py, not asserted here)."""
    root = vault(tmp_path, {"Basic": r"((a+)+$)", "Cloze": ""},
                 "a" * 20000 + "b\nq::a\n")
    start = time.monotonic()
    result = load([root])
    elapsed = time.monotonic() - start
    assert elapsed < 10 * TIME_LIMIT + 10  # a hang guard only
    assert result.notes == ()
    [d] = [d for d in result.diagnostics if d.code == "MKD131"]
    assert d.location.path == DATA_JSON
    assert '"Basic"' in setting_line(root, d.location.line)
    assert "a.md" in d.message and "took longer than" in d.message


def test_a_timeout_leaves_the_other_styles_and_files_alone(tmp_path: Path) -> None:
    root = write_vault(tmp_path / "v", {
        DATA_JSON: data_json({"Basic": r"((a+)+$)", "Cloze": r"^(.*{.*)$"}, CurlyCloze=True),
        "slow.md": "a" * 20000 + "b\n",
        "ok.md": "aaa\nThe {sky} is blue.\n",
    })
    result = load([root])
    got = [(n.location.path, n.note_type.name, n.fields[0].markdown) for n in result.notes]
    assert got == [("ok.md", "Basic", "aaa"), ("ok.md", "Cloze", "The {{c1::sky}} is blue.")]
    assert [d.code for d in result.diagnostics] == ["MKD131"]


def test_invalid_regex_is_an_error_at_its_setting(tmp_path: Path) -> None:
    root = vault(tmp_path, {"Basic": "", "Cloze": r"^(.*{.*)(?i)"}, "a {b}\n")
    result = load([root])
    [d] = result.diagnostics
    assert (d.code, d.severity.value) == ("MKD130", "error")
    assert '"Cloze"' in setting_line(root, d.location.line)
    assert "(?i" in d.message and "at character 9" in d.message


def test_unknown_type_extra_groups_and_missing_switch(tmp_path: Path) -> None:
    root = vault(tmp_path, {"Basic": r"^(.+)::(.+)::(.+)$", "Cloze": BY_CLOZE,
                            "Flashcard": r"^(.+)$"}, "a::b::c\n")
    result = load([root])
    found = {d.code: setting_line(root, d.location.line) for d in result.diagnostics}
    assert set(found) == {"MKD134", "MKD135", "MKD136"}
    assert '"Basic"' in found["MKD134"] and '"Flashcard"' in found["MKD135"]
    assert '"Cloze"' in found["MKD136"]
    [note] = result.notes
    assert [f.markdown for f in note.fields] == ["a", "b"]  # group 3 dropped, as the plugin


BY_CLOZE = style("cloze-paragraph")["Cloze"]


def test_earlier_types_win_and_matches_never_overlap(tmp_path: Path) -> None:
    # both styles match the line; the plugin runs them in CUSTOM_REGEXPS order
    root = vault(tmp_path, {"Cloze": r"^(.*{.*)$", "Basic": r"^(.*)::(.*)$"},
                 "x {a}::y\nfront::back\n", CurlyCloze=True)
    got = [(n.note_type.name, n.fields[0].markdown) for n in load([root]).notes]
    assert got == [("Cloze", "x {{c1::a}}::y"), ("Basic", "front")]


def test_cloze_match_without_deletion_releases_its_text(tmp_path: Path) -> None:
    # the Cloze style matches first but holds no deletion: the Basic style gets the line
    root = vault(tmp_path, {"Cloze": r"^(.+)$", "Basic": r"^(.*)::(.*)$"},
                 "front::back\n")
    result = load([root])
    assert [(n.note_type.name, n.fields[1].markdown) for n in result.notes] == [
        ("Basic", "back")]
    assert codes(result) == [("MKD133", "a.md", 1)]


def test_match_crossing_a_card_is_skipped_and_reported(tmp_path: Path) -> None:
    text = ("Q: What is 2+2?\nA: 4\nSTART\nBasic\nfront\nBack: back\nEND\n\n"
            "Q: inside\nA: ok\n")
    root = vault(tmp_path, style("question-answer"), text)
    result = load([root])
    got = [(n.kind, n.fields[0].markdown) for n in result.notes]
    assert got == [("block", "front"), ("regex", "inside")]
    [d] = result.diagnostics
    assert (d.code, d.location.line) == ("MKD132", 1)
    assert "the card at line 3" in d.message


def test_matches_inside_cards_math_code_and_frontmatter_are_skipped(tmp_path: Path) -> None:
    text = ("---\nalias: a::b\n---\nTARGET DECK: x::y\nFILE TAGS: t::u\n"
            "START\nBasic\nq::a\nEND\n- STARTI [Basic] c::d Back: e ENDI\n"
            "$$\nx::y\n$$\n```\nm::n\n```\nFROZEN - Basic:\nBack: f::g\n\nreal::card\n")
    root = vault(tmp_path, style("remnote"), text)
    result = load([root])
    got = [(n.kind, n.fields[0].markdown, n.deck) for n in result.notes]
    assert got == [("block", "q::a", "x::y"), ("inline", "c::d", "x::y"),
                   ("regex", "real", "x::y")]


def test_ids_are_written_where_the_plugin_writes_them_and_read_back(tmp_path: Path) -> None:
    for name in sorted(CASES):
        root = make_case(tmp_path, name)
        before = [(n.note_type.name, [f.markdown for f in n.fields]) for n in load([root]).notes]
        result = write_ids([root], now_ms=1_700_000_000_000)
        assert result.added == len(before), name
        after = load([root])
        assert [(n.note_type.name, [f.markdown for f in n.fields]) for n in after.notes] \
            == before, name
        assert all(n.id is not None for n in after.notes), name
        assert not [d for d in after.diagnostics if d.code in ("MKD132", "MKD133")] or \
            name == "cloze-paragraph", name
        assert write_ids([root]).added == 0, name


def test_regex_ids_keep_every_other_byte(tmp_path: Path) -> None:
    text = "\ufeffa::b\r\nmid::line\r\n| T |\r\n| - |\r\n| U |\r\nlast::one"
    root = write_vault(tmp_path / "v", {
        DATA_JSON: data_json({**style("remnote"),
                              "Basic (and reversed card)": style("markdown-table")["Basic"]}),
        "a.md": text.encode("utf-8"),
    })
    write_ids([root], now_ms=1_700_000_000_000)
    got = (root / "a.md").read_bytes().decode("utf-8")
    assert got == ("\ufeffa::b\r\n<!--ID: 1700000000000-->\r\nmid::line\r\n"
                   "<!--ID: 1700000000001-->\r\n| T |\r\n| - |\r\n| U |\r\n"
                   "<!--ID: 1700000000002-->\r\nlast::one\r\n<!--ID: 1700000000003-->")
    ids = [n.id for n in load([root]).notes]
    assert sorted(ids) == [1700000000000, 1700000000001, 1700000000002, 1700000000003]


def test_match_ending_inside_a_line_gets_its_id_on_a_line_of_its_own(tmp_path: Path) -> None:
    root = vault(tmp_path, {"Basic": r"<<(.+?)\|(.+?)>>"}, "see <<a|b>> and more\n")
    write_ids([root], now_ms=1_700_000_000_000)
    assert (root / "a.md").read_text() == "see <<a|b>>\n<!--ID: 1700000000000-->\n and more\n"
    [note] = load([root]).notes
    assert note.id == 1700000000000


def test_id_comments_off_writes_a_bare_id(tmp_path: Path) -> None:
    root = vault(tmp_path, style("remnote"), "a::b\nSTART\nBasic\nq\nEND\n",
                 ID_Comments=False)
    write_ids([root], now_ms=1_700_000_000_000)
    assert (root / "a.md").read_text() == ("a::b\nID: 1700000000000\nSTART\nBasic\nq\n"
                                           "ID: 1700000000001\nEND\n")
    assert [n.id for n in load([root]).notes] == [1700000000000, 1700000000001]


def test_yaml_names_wiki_styles(tmp_path: Path) -> None:
    root = write_vault(tmp_path / "v", {
        "mkdeck.yaml": "curly_cloze: true\nregex_styles:\n  - question-answer\n"
                       "  - {style: remnote, note_type: Basic (and reversed card)}\n"
                       "  - {regex: '^(.+) => (.+)$', note_type: Basic}\n"
                       "  - cloze-paragraph\n",
        "a.md": "Q: q1\nA: a1\n\nx::y\n\nleft => right\n\nA {cloze} here.\n",
    })
    result = load([root])
    assert result.diagnostics == ()
    got = [(n.note_type.name, n.fields[0].markdown) for n in result.notes]
    assert got == [("Basic", "q1"), ("Basic (and reversed card)", "x"), ("Basic", "left"),
                   ("Cloze", "A {{c1::cloze}} here.")]


def test_yaml_regex_styles_replace_the_plugins_and_bad_entries_are_located(
        tmp_path: Path) -> None:
    root = write_vault(tmp_path / "v", {
        DATA_JSON: data_json(style("remnote")),
        "mkdeck.yaml": "regex_styles:\n  - no-such-style\n  - {regex: '(x)'}\n"
                       "  - {style: ruled, regex: '(x)', note_type: Basic}\n  - 3\n",
        "a.md": "a::b\n",
    })
    result = load([root])
    assert result.notes == ()  # regex_styles replaces CUSTOM_REGEXPS
    assert codes(result) == [("MKD022", "mkdeck.yaml", 2), ("MKD022", "mkdeck.yaml", 3),
                             ("MKD022", "mkdeck.yaml", 4), ("MKD022", "mkdeck.yaml", 5)]
    assert "known styles: remnote" in result.diagnostics[0].message
    root2 = write_vault(tmp_path / "w", {DATA_JSON: data_json(style("remnote")),
                                         "mkdeck.yaml": "regex_styles: []\n", "a.md": "a::b\n"})
    assert load([root2]).notes == ()


def test_custom_regexps_keep_their_order_and_location(tmp_path: Path) -> None:
    data = json.loads(data_json({"Cloze": "(", "Basic": "("}))
    root = write_vault(tmp_path / "v", {DATA_JSON: json.dumps(data, indent=2), "a.md": ""})
    config = load([root]).vault.config
    assert [s.note_type for s in config.regex_styles] == ["Cloze", "Basic"]
    assert [s.setting for s in config.regex_styles] == ['CUSTOM_REGEXPS["Cloze"]',
                                                        'CUSTOM_REGEXPS["Basic"]']
    lines = (root / DATA_JSON).read_text().split("\n")
    assert [lines[s.location.line - 1].strip() for s in config.regex_styles] == [
        '"Cloze": "(",', '"Basic": "(",']


def test_links_in_prose_after_a_regex_note_are_checked(tmp_path: Path) -> None:
    """A regex note's end_line is the line after its match when the match took its newline:
    the prose line there is not part of the card, so its dead link is still reported."""
    from mkdeck.app.check import check_paths

    root = write_vault(tmp_path / "v", {
        DATA_JSON: data_json(style("markdown-table")),
        "a.md": "| Front |\n| - |\n| Back |\nSee [[nowhere]].\n",
    })
    report = check_paths([root])
    assert [(d.code, d.location.line) for d in report.diagnostics
            if d.code.startswith("MKD2")] == [("MKD201", 4)]


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet="$` a\n", max_size=16))
def test_code_spans_are_the_plugins_regexes(text: str) -> None:
    """code_spans finds what the plugin's four OBS_* regexes find, without their quadratic
    rescans (a line of `$a $b $c …`)."""
    patterns = [regex.compile(translate(p).pattern, regex.MULTILINE | regex.ASCII)
                for p in CODE_AND_MATH]
    want = sorted(m.span() for p in patterns for m in p.finditer(text))
    assert sorted(code_spans(text)) == want


def test_frozen_fields_and_media_apply_to_regex_notes(tmp_path: Path) -> None:
    root = write_vault(tmp_path / "v", {
        DATA_JSON: data_json(style("remnote")),
        "a.md": "FROZEN - Basic:\nBack: (frozen)\n\nMap of Peru::![[peru.png]]\n",
        "peru.png": b"\x89PNG\r\n\x1a\n",
    })
    document, _ = dump_document(load([root]))
    [note] = document["notes"]
    assert note["fields"]["Back"] == "![[peru.png]]\n(frozen)"
    assert note["media"] == [{"name": "peru.png", "path": "peru.png"}]
    assert '<img src="peru.png"' in note["html"]["Back"]


def test_empty_matches_make_no_notes(tmp_path: Path) -> None:
    root = vault(tmp_path, {"Basic": r"^(.*)$"}, "one\n\n\ntwo\n")
    result = load([root])
    assert [n.fields[0].markdown for n in result.notes] == ["one", "two"]
    assert result.diagnostics == ()


def test_a_style_that_keeps_timing_out_is_stopped(tmp_path: Path, monkeypatch) -> None:
    from mkdeck.parse import regex_notes

    monkeypatch.setattr(regex_notes, "MAX_TIMEOUTS", 1)  # 3 in real runs; 1 keeps this fast
    files = {f"s{i}.md": "a" * 20000 + "b\n" for i in range(2)}
    root = write_vault(tmp_path / "v", {DATA_JSON: data_json({"Basic": r"((a+)+$)"}),
                                        **files})
    result = load([root])
    [found] = [d for d in result.diagnostics if d.code == "MKD131"]
    assert " on s0.md " in found.message
    assert "timed out in 1 file, so it is not run on the vault's other files" in found.message
