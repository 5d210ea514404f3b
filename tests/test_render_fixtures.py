"""Golden fixtures per construct: ``tests/fixtures/render/*.md`` hold many small cases each
(markdown-it-py's fixture format: title, ``.``, field markdown, ``.``, expected HTML, ``.``);
each case is a test named by its file and line. Diagnostics a case produces follow the HTML as
``!! CODE path:line`` lines (what the message says is tested in test_render_links.py), and
inline tags collected as one ``!! tags a b::c`` line. ``python tests/test_render_fixtures.py``
rewrites the expected outputs from the inputs (review the diff before committing).

The field is written in ``notes/card.md`` from line 1, inside the small vault below."""

from __future__ import annotations

from pathlib import Path

import pytest
from markdown_it.utils import read_fixture_file

from mkdeck.vault.links import VaultIndex
from mkdeck.model import Config, NoteFile, SourceLocation, Vault
from mkdeck.render import render_markdown

FIXTURES = Path(__file__).parent / "fixtures" / "render"

NOTES = {
    "notes/card.md": "the note the cases are written in\n\n## flags\n- x\n",
    "li fork.md": (
        "---\ntags: [linux]\n---\n# li fork\nintro line\n\n## [[li fork|fork]]\n"
        "- creates a child [[li process]]\n- returns twice `fork()`\n\n### details\n"
        "- copy on write\n\n## exec\n- replaces the image ^exec1\n\n"
        "A paragraph\nof two lines ^para\n"
        "\n| a | b |\n|---|---|\n| 1 | 2 |\n^tbl\n"
    ),
    "linux/li process.md": "# li process\n- a running program\n",
    "a/index.md": "a\n",
    "b/index.md": "b\n",
    "notes/index.md": "notes\n",
    "x/dup.md": "short path\n",
    "y/z/dup.md": "long path\n",
    "cycle a.md": "# A\n![[cycle b]]\n",
    "cycle b.md": "# B\n![[cycle a#A]]\n",
    "deep1.md": "d1\n![[deep2]]\n",
    "deep2.md": "d2\n![[deep3]]\n",
    "deep3.md": "d3\n![[deep4]]\n",
    "deep4.md": "d4\n![[deep5]]\n",
    "deep5.md": "d5\n![[deep6]]\n",
    "deep6.md": "d6\n![[deep7]]\n",
    "deep7.md": "d7\n",
    "Node.js.md": "# Node.js\nruns JavaScript\n",
    "code note.md": "# code\n```c\n![[li fork]]\n```\n`![[li fork]]` [[li fork]]\n",
    "li pipe.md": "---\naliases: [pipe(2), a pipe]\n---\n# li pipe\n",
    "li fork–exec.md": "# li fork–exec\n",
    "li .md": "a note named only by the prefix\n",
}
ATTACHMENTS = (
    "assets/pic.png", "notes/rel/path x.png", "audio/s.mp3", "clip.MP4", "UPPER.PNG",
    "doc.pdf", "assets/voice.ogg", "assets/d.svg", "notes/img.webp",
)
CONFIGS = {
    "links_obsidian.md": Config(links="obsidian", vault_name="My Vault"),
    "tags.md": Config(inline_tags=True),
    "html_raw.md": Config(html="raw"),
    "links_text.md": Config(link_text="alias", link_prefix=("li ", "lx ")),
    "links_prefix.md": Config(link_prefix=("li ",), links="obsidian", vault_name="V"),
}


def _vault(config: Config) -> Vault:
    files = tuple(NoteFile(p, t) for p, t in sorted(NOTES.items()))
    return Vault("/nonexistent", "vault", files, ATTACHMENTS, config)


def render_case(name: str, source: str) -> str:
    """HTML (and diagnostics) of one fixture case, as the fixture files spell them."""
    config = CONFIGS.get(name, Config())
    index = VaultIndex(_vault(config))
    lines = [(t, SourceLocation("notes/card.md", i + 1))
             for i, t in enumerate(source.rstrip("\n").split("\n"))]
    env = render_markdown(lines, index, config)
    html = env.html
    for i, (path, _) in enumerate(env.media):
        html = html.replace(f"\x00{i}\x00", f"{{media:{path}}}")
    diags = sorted({(d.location.path, d.location.line, d.code) for d in env.diagnostics})
    out = html + "\n"
    out += "".join(f"!! {code} {path}:{line}\n" for path, line, code in diags)
    if env.tags:
        out += "!! tags " + " ".join(env.tags) + "\n"
    return out


CASES = [
    pytest.param(f.name, line, title, source, expected, id=f"{f.stem}:{line}")
    for f in sorted(FIXTURES.glob("*.md"))
    for line, title, source, expected in read_fixture_file(f)
]


@pytest.mark.parametrize(("name", "line", "title", "source", "expected"), CASES)
def test_render_fixture(name: str, line: int, title: str, source: str, expected: str) -> None:
    assert render_case(name, source) == expected, f"{name}:{line}: {title}"


def test_every_fixture_file_has_cases() -> None:
    files = sorted(FIXTURES.glob("*.md"))
    assert len(files) >= 8
    for f in files:
        assert read_fixture_file(f), f"{f.name} holds no case"


def rewrite(path: Path) -> None:
    """Re-render every case of a fixture file and write the outputs back (review the diff)."""
    cases = read_fixture_file(path)
    parts = [f"{title}\n.\n{source}.\n{render_case(path.name, source)}.\n"
             for _, title, source, _ in cases]
    path.write_text("\n".join(parts), encoding="utf-8")


if __name__ == "__main__":  # python tests/test_render_fixtures.py: refresh the expected HTML
    for fixture in sorted(FIXTURES.glob("*.md")):
        rewrite(fixture)
