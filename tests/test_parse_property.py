"""Property tests: arbitrary text, and arbitrary mixes of the grammar's own tokens, never make
the parser raise, and every note, field line and diagnostic points at a line that exists in
the file (the field lines at lines that hold the field's text)."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mkdeck.model import Config, NoteFile, NoteType, Syntax
from mkdeck.parse import parse_file
from mkdeck.vault import decode_note

TOKENS = [
    "START", "END", "START  ", "END> %%", "ENDgame", "ENDI", " END", "Basic", "BASIC ", "Cloze",
    "问答题", "正面: 问", "背面: 答", "FIT-Card", "{Note Type}", "Basic (optional reversed card)",
    "Back:", "Back: a", "Front: x", "Text: {{c1::a}}", "Back Extra: y", "Extra: z",
    "Add Reverse: y", "Definice: x", "Tags:", "Tags: a b/c #d", "Tags: [[x|y]]", "x)Tags: a",
    "<!--ID: 123-->", "  <!-- ID: 7 -->", "<!--ID: 12x", "-->", "ID: 5", "TARGET DECK",
    "TARGET DECK: A::B", "TARGET DECK:", "TARGET DECK X", "FILE TAGS: #t a::#b", "FILE TAGS",
    "FROZEN - Basic:", "FROZEN - Nope:", "DELETE", "DELETE<!--ID: 9-->", "```", "```anki",
    "```python", "~~~", "````", "> START", "> END", "> Basic", "> > q", "> [!tip]", "%%",
    "STARTI [Basic] q Back: a ENDI", "1. STARTI [Cloze] {{c2::x}} Tags: t <!--ID: 4--> ENDI",
    "STARTI [Basic] q", "STARTI", "STARTI [] ENDI", "`STARTI [Basic] a ENDI`", "---",
    "tags: [a", "tags: [a, b]", "target-deck: D", "{a}", "{2:b}", "{c1::c}", "==b==",
    "$x$", "$$", "\\(", "`code`", "[[link|alias]]", "", " ", "\t", "- item", "# Heading",
]

line = st.one_of(st.sampled_from(TOKENS), st.text(max_size=12),
                 st.sampled_from(TOKENS).map(lambda t: t + "  "))
documents = st.lists(line, max_size=40).map("\n".join)

CONFIGS = [
    Config(deck="D"),
    Config(deck="D", curly_cloze=True, highlight_cloze=True,
           note_types=(NoteType("FIT-Card", ("Front", "Back")),)),
    Config(deck="D", syntax=Syntax(start="START_CARD", end="END_CARD", target_deck="TARGET_DECK")),
]


def check(text: str, config: Config) -> None:
    notes, diagnostics = parse_file(NoteFile("v/n.md", text), config)
    lines = text.split("\n")
    n = len(lines)
    for d in diagnostics:
        assert d.location.path == "v/n.md"
        assert 0 <= d.location.line <= n, d
        assert d.message and d.code.startswith("MKD1")
    for note in notes:
        assert 1 <= note.location.line <= note.end_line <= n
        assert note.note_type.name
        assert [f.name for f in note.fields] == list(note.note_type.fields)
        assert note.fields[0].markdown
        for f in note.fields:
            if not f.markdown:
                assert f.lines == ()
                assert 1 <= f.location.line <= n
                continue
            assert len(f.lines) == len(f.markdown.split("\n"))
            for part, number in zip(f.markdown.split("\n"), f.lines):
                assert 1 <= number <= n
                if note.note_type.kind == "standard" or "{" not in part and "==" not in part:
                    # the text is in its line (after prefix/quote stripping and trimming)
                    assert part.strip() in lines[number - 1], (part, number)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents, st.sampled_from(CONFIGS))
def test_token_mixes_never_raise_and_lines_exist(text: str, config: Config) -> None:
    check(text, config)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=400), st.sampled_from(CONFIGS))
def test_arbitrary_text_never_raises(text: str, config: Config) -> None:
    check(text.replace("\r\n", "\n").replace("\r", "\n"), config)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=300))
def test_arbitrary_bytes_decode_and_parse(data: bytes) -> None:
    text, diagnostics = decode_note(data, "n.md")
    assert "\r" not in text
    for d in diagnostics:
        assert 1 <= d.location.line <= len(text.split("\n"))
    check(text, CONFIGS[0])


YAML_TOKENS = [
    "deck:", "deck: X", "note_types:", "  T:", "    fields: [A, B]", "    fields: A", "    base: Cloze",
    "    base: 3", "  U: {fields: []}", "syntax:", "  start: S", "  end:", "  nope: 1", "folders:",
    "  a/b: {deck: D, tags: [t]}", "  c: 5", "links: obsidian", "links: [x]", "curly_cloze: yes",
    "inline_tags: 1", "ignore: '*.md'", "ignore: {a: b}", "- item", "key: [unclosed", "? complex",
    "&a x: *a", "!!python/object:os.system x", "'quoted: key': 1", "", "  ", "\t",
]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.one_of(st.sampled_from(YAML_TOKENS), st.text(max_size=10)), max_size=15),
       st.text(max_size=60))
def test_arbitrary_config_never_raises(lines: list[str], data_json: str) -> None:
    import tempfile
    from pathlib import Path

    from mkdeck.app.load import load

    text = "\n".join(lines)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "v"
        plugin = root / ".obsidian" / "plugins" / "obsidian-to-anki-plugin"
        plugin.mkdir(parents=True)
        (plugin / "data.json").write_text(data_json, encoding="utf-8")
        (root / "mkdeck.yaml").write_text(text, encoding="utf-8")
        (root / "a.md").write_text("START\nBasic\nq\nBack: a\nEND\n", encoding="utf-8")
        result = load([root])
        n = len(text.split("\n"))
        for d in result.diagnostics:
            if d.location.path == "mkdeck.yaml":
                assert 0 <= d.location.line <= n + 1, d
                assert d.code.startswith("MKD02")
