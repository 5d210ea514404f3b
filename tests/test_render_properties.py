"""Properties of rendering over generated input (hypothesis): it never raises, text never
reaches Anki unescaped, math content survives exactly, and embed expansion always terminates
within the depth limit, whatever the embed graph."""

from __future__ import annotations

import html
import re

from hypothesis import given, settings
from hypothesis import strategies as st

from mkdeck.vault.embeds import MAX_EMBED_DEPTH, expand_lines
from mkdeck.vault.links import VaultIndex
from mkdeck.model import Config, NoteFile, SourceLocation, Vault
from mkdeck.render import render_markdown
from mkdeck.render.plugins.html import HTML_ELEMENTS

TAGS = {"p", "br", "em", "strong", "code", "pre", "span", "ul", "ol", "li", "h1", "h2", "h3",
        "h4", "h5", "h6", "blockquote", "table", "thead", "tbody", "tr", "th", "td", "mark", "s",
        "div", "img", "a", "sup", "section", "hr", "input", "label"}
TAG_RE = re.compile(r"<(/?)([a-z0-9]+)[\s>/]")

VAULT = Vault("/nonexistent", "v", (
    NoteFile("a.md", "# A\n- one [[b]]\n## sub\ntext ^id1\n"),
    NoteFile("b.md", "B ![[a#sub]]\n"),
), ("p.png",))
INDEX = VaultIndex(VAULT)

markdownish = st.text(
    alphabet=st.sampled_from(list("ab $#*_=~`>-|[]!^%{}:\\&\n\t 1xé")) | st.characters(),
    max_size=200,
)


def _render(text: str, config: Config | None = None) -> str:
    lines = [(t, SourceLocation("n.md", i + 1)) for i, t in enumerate(text.split("\n"))]
    return render_markdown(lines, INDEX, config or Config()).html


@settings(max_examples=300, deadline=None)
@given(markdownish)
def test_render_never_raises(text: str) -> None:
    out = _render(text)
    assert isinstance(out, str)
    assert not re.sub("\x00\\d+\x00", "", out).count("\x00")
    _render(text, Config(links="obsidian", inline_tags=True))


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_characters="<\x00"), max_size=200))
def test_text_never_reaches_anki_unescaped(text: str) -> None:
    """Without raw HTML in the input, every ``<`` in the output opens a tag mkdeck makes."""
    out = _render(text)
    for m in re.finditer("<", out):
        tag = TAG_RE.match(out, m.start())
        assert tag and tag.group(2) in TAGS, out[m.start():m.start() + 30]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(list("<>/ab1-_ !\n*=")) | st.sampled_from(
    ["<int>", "<T>", "</b>", "<b>", "<stdio.h>", "<br>", "<x-y>", "<!-- c -->", "Map<K, V>",
     "<div>", "</div>", "<span class=x>", "`<int>`"]), max_size=40).map("".join))
def test_only_html_elements_reach_anki_as_tags(text: str) -> None:
    """Whatever the input, a ``<`` that reaches Anki unescaped opens an HTML element (or a
    custom element, or a comment): ``vector<int>`` shows as written."""
    out = _render(text)
    for m in re.finditer(r"<(/?)([A-Za-z][A-Za-z0-9-]*)", out):
        name = m.group(2).casefold()
        assert name in HTML_ELEMENTS or "-" in name, out


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_characters="$\\`\n\r\x00{}",
                                      blacklist_categories=("Cs", "Zs", "Cc")),
               min_size=1, max_size=40))
def test_inline_math_content_survives(content: str) -> None:
    out = _render(f"x ${content}$ y")
    m = re.fullmatch(r"x \\\((.*)\\\) y", out, re.S)
    assert m, out
    assert html.unescape(m.group(1)) == content


@settings(max_examples=100, deadline=None)
@given(st.lists(st.lists(st.integers(0, 5), max_size=3), min_size=1, max_size=6))
def test_embed_expansion_terminates(graph: list[list[int]]) -> None:
    """Notes n0..nk each embedding others (cycles allowed): expansion ends, and no line is
    nested deeper than MAX_EMBED_DEPTH embeds."""
    n = len(graph)
    files = tuple(NoteFile(f"n{i}.md", f"text {i}\n" + "".join(f"![[n{j % n}]]\n" for j in targets))
                  for i, targets in enumerate(graph))
    index = VaultIndex(Vault("/x", "v", files))
    diags: list = []
    out = expand_lines([("![[n0]]", SourceLocation("card.md", 1))], index, diagnostics=diags)
    assert out
    # each embed level adds at most a handful of lines per embed: bounded by the fan-out
    assert len(out) <= sum(4 ** d for d in range(MAX_EMBED_DEPTH + 2)) * 3
    if any(graph):
        assert all(d.code in ("MKD205", "MKD206") for d in diags)
