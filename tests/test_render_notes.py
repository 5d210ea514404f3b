"""render_notes over whole notes: the seed card, the li fork embed, media naming across notes
(real files, real sha1), inline tags reaching the note, diagnostics located at the line where
the link is written, and a crash in one field contained as MKD001."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from mkdeck.model import (
    Config,
    Field,
    Note,
    NoteFile,
    NoteType,
    ParseResult,
    SourceLocation,
    Vault,
)
from mkdeck.render import note_type_css, render_notes

SEED = Path(__file__).parent / "data" / "seed" / "li clone.md"

BASIC = NoteType("Basic", ("Front", "Back"))


def field_at(name: str, path: str, text: str, first_line: int) -> Field:
    """A field whose markdown lines sit at ``first_line``, ``first_line + 1``, … of ``path``."""
    n = text.count("\n") + 1
    return Field(name, text, SourceLocation(path, first_line),
                 tuple(range(first_line, first_line + n)))


def basic(path: str, start: int, front: str, back: str, back_line: int,
          tags: tuple[str, ...] = ()) -> Note:
    return Note(SourceLocation(path, start), BASIC,
                (field_at("Front", path, front, start + 2),
                 field_at("Back", path, back, back_line)),
                "Default", tags)


def seed_note() -> tuple[Vault, Note]:
    """The user's seed note as the parser gives it (START at line 17, Back text from 24)."""
    text = SEED.read_text(encoding="utf-8")
    lines = text.split("\n")
    start = lines.index("START") + 1
    back = next(i for i, line in enumerate(lines) if line.startswith("Back:")) + 1
    tags = next(i for i, line in enumerate(lines) if line.startswith("Tags:")) + 1
    front = "\n".join(lines[start + 1:back - 1])
    back_md = "\n".join(lines[back:tags - 1]).rstrip("\n")
    note = basic("li clone.md", start, front, back_md, back + 1, ("code", "linux"))
    vault = Vault("/nonexistent", "cards", (NoteFile("li clone.md", text),))
    return vault, note


def test_seed_card_alias_and_mojibake_warning() -> None:
    vault, note = seed_note()
    assert note.location.line == 17
    (rendered,), diags = render_notes(ParseResult(vault, (note,)))
    back = rendered.html["Back"]
    assert "between the parent and child processes</li>" in back
    assert "[[" not in back and "li process|" not in back
    assert "<h2>fork</h2>" in back and "<h3>flags</h3>" in back
    assert "<code>CLONE_FS</code>" in back
    moji = [d for d in diags if "fork–exec" in d.message]
    assert len(moji) == 1
    assert moji[0].code == "MKD201"
    assert moji[0].location == SourceLocation("li clone.md", 40)
    assert "'li forkâ€“exec'" in moji[0].message and "'li fork–exec'" in moji[0].message
    assert "does not resolve either" in moji[0].message
    # every other unresolved link is located on the line it is written on
    text_lines = SEED.read_text(encoding="utf-8").split("\n")
    for d in diags:
        assert d.location.path == "li clone.md"
        target = d.message.split("'")[1]
        assert f"[[{target}" in text_lines[d.location.line - 1], d


def test_li_fork_heading_embed_brings_the_bullets(make_vault) -> None:
    fork = ("# li fork\n\n## [[li fork|fork]]\n- [[linux]] syscall creating a process\n"
            "- returns the child's pid to the parent\n\n## exec\n- not this\n")
    card = "START\nBasic\nfork?\nBack: ![[li fork#li fork fork]]\nEND\n"
    root = make_vault({"li fork.md": fork, "cards/fork card.md": card})
    vault = Vault(str(root), "vault", (NoteFile("cards/fork card.md", card),
                                       NoteFile("li fork.md", fork, selected=False)))
    note = basic("cards/fork card.md", 1, "fork?", "![[li fork#li fork fork]]", 4)
    (rendered,), diags = render_notes(ParseResult(vault, (note,)))
    assert rendered.html["Back"] == (
        "<h2>fork</h2>\n<ul>\n<li>linux syscall creating a process</li>\n"
        "<li>returns the child's pid to the parent</li>\n</ul>")
    # the unresolved [[linux]] is reported where it is written: in li fork.md, line 4
    assert [(d.code, str(d.location)) for d in diags] == [("MKD201", "li fork.md:4")]


def test_missing_embed_is_placeholder_and_warning_at_its_line() -> None:
    text = "START\nBasic\nq\nBack: a\n![[li fork#nope]]\nEND\n"
    vault = Vault("/x", "v", (NoteFile("c.md", text), NoteFile("li fork.md", "# li fork\n")))
    note = basic("c.md", 1, "q", "a\n![[li fork#nope]]", 4)
    (rendered,), diags = render_notes(ParseResult(vault, (note,)))
    assert rendered.html["Back"] == 'a<br>\n<span class="mkdeck-missing">![[li fork#nope]]</span>'
    assert [(d.code, d.location.line) for d in diags] == [("MKD203", 5)]
    assert "no heading 'nope'" in diags[0].message


def _sha8(data: bytes) -> str:
    return hashlib.sha1(data).hexdigest()[:8]


def test_media_names_unique_across_the_deck(make_vault) -> None:
    files: dict[str, str | bytes] = {
        "ch1/image.png": b"\x89PNG one",
        "ch2/image.png": b"\x89PNG two",
        "ch3/IMAGE.PNG": b"\x89PNG one",  # same bytes as ch1: may share
        "pics/a0.jpg": b"jpeg a",
        "pics/A0.JPG": b"jpeg b",
        "solo.gif": b"gif",
        "ch1/n.md": "x", "ch2/n.md": "x",
    }
    root = make_vault(files)
    attachments = tuple(sorted(p for p in files if not p.endswith(".md")))
    vault = Vault(str(root), "vault",
                  (NoteFile("ch1/n.md", "x"), NoteFile("ch2/n.md", "x")), attachments)
    n1 = basic("ch1/n.md", 1, "![[image.png]] ![[solo.gif]]", "![](../pics/a0.jpg)", 5)
    n2 = basic("ch2/n.md", 1, "![[image.png]]", "![[pics/A0.JPG|100]] ![[ch3/IMAGE.PNG]]", 5)
    (r1, r2), diags = render_notes(ParseResult(vault, (n1, n2)))
    assert diags == ()
    one, two = _sha8(b"\x89PNG one"), _sha8(b"\x89PNG two")
    ja, jb = _sha8(b"jpeg a"), _sha8(b"jpeg b")
    assert r1.html["Front"] == f'<img src="image-{one}.png"> <img src="solo.gif">'
    assert r1.html["Back"] == f'<img src="a0-{ja}.jpg" alt="">'.replace(' alt=""', "")
    assert r2.html["Front"] == f'<img src="image-{two}.png">'
    # ch3/IMAGE.PNG holds ch1/image.png's bytes: one file, one name
    assert r2.html["Back"] == f'<img src="A0-{jb}.JPG" width="100"> <img src="image-{one}.png">'
    assert [(m.name, m.path, m.location.line) for m in r1.media] == [
        (f"image-{one}.png", "ch1/image.png", 3), ("solo.gif", "solo.gif", 3),
        (f"a0-{ja}.jpg", "pics/a0.jpg", 5)]
    assert [(m.name, m.path) for m in r2.media] == [
        (f"image-{two}.png", "ch2/image.png"), (f"A0-{jb}.JPG", "pics/A0.JPG"),
        (f"image-{one}.png", "ch3/IMAGE.PNG")]


def test_same_file_twice_is_one_media_entry(make_vault) -> None:
    root = make_vault({"a/p.png": b"same", "b/p.png": b"same", "n.md": "x"})
    vault = Vault(str(root), "v", (NoteFile("n.md", "x"),), ("a/p.png", "b/p.png"))
    note = basic("n.md", 1, "![[a/p.png]] ![[a/p.png|20]]", "![[b/p.png]]", 5)
    (r,), _ = render_notes(ParseResult(vault, (note,)))
    assert [(m.name, m.path) for m in r.media] == [("p.png", "a/p.png"), ("p.png", "b/p.png")]
    assert r.html["Front"] == '<img src="p.png"> <img src="p.png" width="20">'


def test_outside_vault_media_is_never_read(make_vault, tmp_path: Path) -> None:
    (tmp_path / "secret.png").write_bytes(b"secret")
    root = make_vault({"sub/n.md": "x"})
    vault = Vault(str(root), "vault", (NoteFile("sub/n.md", "x"),), ())
    note = basic("sub/n.md", 1, "![s](../../secret.png)", "b", 5)
    (r,), diags = render_notes(ParseResult(vault, (note,)))
    assert r.media == ()
    assert r.html["Front"] == '<img src="secret.png" alt="s">'
    assert [(d.code, d.location.line) for d in diags] == [("MKD207", 3)]


@pytest.mark.parametrize("enabled", [True, False])
def test_inline_tags_reach_the_note(enabled: bool) -> None:
    vault = Vault("/x", "v", (NoteFile("n.md", "x"),), (), Config(inline_tags=enabled))
    note = basic("n.md", 1, "about #linux/process and `#code`", "#Linux/Process again #new", 5,
                 tags=("existing",))
    (r,), _ = render_notes(ParseResult(vault, (note,)))
    assert r.note is note
    assert r.tags == (("linux::process", "new") if enabled else ())
    assert r.html["Front"] == "about #linux/process and <code>#code</code>"


def test_fields_in_note_type_order_and_empty_fields() -> None:
    vault = Vault("/x", "v", (NoteFile("n.md", "x"),))
    note = Note(SourceLocation("n.md", 1), BASIC,
                (field_at("Front", "n.md", "q", 3), Field("Back", "", SourceLocation("n.md", 4))),
                "Default")
    (r,), diags = render_notes(ParseResult(vault, (note,)))
    assert list(r.html) == ["Front", "Back"]
    assert r.html == {"Front": "q", "Back": ""}
    assert diags == ()


def test_a_crash_in_one_field_is_contained(monkeypatch: pytest.MonkeyPatch) -> None:
    import mkdeck.render as render

    real = render._md()

    class Exploding:
        def render(self, src: str, env: dict) -> str:
            if "boom" in src:
                raise RuntimeError("boom")
            return real.render(src, env)

    monkeypatch.setattr(render, "_md", lambda: Exploding())
    vault = Vault("/x", "v", (NoteFile("n.md", "x"),))
    notes = (basic("n.md", 1, "boom", "fine", 4), basic("n.md", 10, "ok", "*also*", 13))
    rendered, diags = render_notes(ParseResult(vault, notes))
    assert rendered[0].html == {"Front": "", "Back": "fine"}
    assert rendered[1].html == {"Front": "ok", "Back": "<em>also</em>"}
    assert [(d.code, str(d.location)) for d in diags] == [("MKD001", "n.md:3")]
    assert "boom" in diags[0].message


def test_note_type_css_is_stable_text() -> None:
    css = note_type_css()
    assert css == note_type_css()
    assert ".nightMode .mkdeck-code" in css and ".night_mode .mkdeck-code" in css
    assert ".callout" in css and "mark" in css


def test_diagnostics_sit_on_the_line_written_in_every_block_kind() -> None:
    from mkdeck.vault.links import VaultIndex
    from mkdeck.render import render_markdown

    md = ("| a | b |\n|---|---|\n| 1 | 2 |\n| [[r4]] | x |\n\n- item\n  [[r7]]\n- [[r8]]\n\n"
          "# [[r10]]\n> quote\n> more [[r12]]\n\n[^1]: foot [[r14]]\n\n"
          "text[^1] ![missing](m16.png)\n\n> [!note] T [[r18]]\n> body [[r19]]")
    lines = [(t, SourceLocation("n.md", i + 101)) for i, t in enumerate(md.split("\n"))]
    env = render_markdown(lines, VaultIndex(Vault("/x", "v", (NoteFile("n.md", "x"),))),
                          Config())
    found = sorted((d.location.line, d.message.split("'")[1]) for d in env.diagnostics)
    assert found == [(104, "r4"), (107, "r7"), (108, "r8"), (110, "r10"), (112, "r12"),
                     (114, "r14"), (116, "m16.png"), (118, "r18"), (119, "r19")]


def test_obsidian_links_use_the_configured_vault_name() -> None:
    files = (NoteFile("n.md", "x"), NoteFile("li fork.md", "# li fork\n"))
    for config, vault_param in ((Config(links="obsidian", vault_name="Second Brain"),
                                 "Second%20Brain"),
                                (Config(links="obsidian"), "folder-name")):
        vault = Vault("/x/folder-name", "folder-name", files, (), config)
        (r,), _ = render_notes(ParseResult(vault, (basic("n.md", 1, "[[li fork]]", "b", 4),)))
        assert r.html["Front"] == (
            f'<a href="obsidian://open?vault={vault_param}&amp;file=li%20fork">li fork</a>')


def test_symlink_out_of_the_vault_is_never_read(make_vault, tmp_path: Path) -> None:
    secret = tmp_path / "secret.png"
    secret.write_bytes(b"secret")
    root = make_vault({"n.md": "x", "img/ok.png": b"ok"})
    (root / "img" / "leak.png").symlink_to(secret)
    vault = Vault(str(root), "vault", (NoteFile("n.md", "x"),), ("img/leak.png", "img/ok.png"))
    note = basic("n.md", 1, "![[leak.png]] ![[ok.png]]", "b", 5)
    (r,), diags = render_notes(ParseResult(vault, (note,)))
    assert r.html["Front"] == '<img src="leak.png"> <img src="ok.png">'
    assert [(m.name, m.path) for m in r.media] == [("ok.png", "img/ok.png")]
    assert [(d.code, d.location.line) for d in diags] == [("MKD207", 3)]


def test_a_line_of_brackets_renders_in_linear_time() -> None:
    """200 000 `[` in a field: the wikilink rule searched for "]]" to the end of the text from
    every position, and markdown-it tried it again inside every link label: 45 s for one field,
    minutes for a few (mkdeck build appeared to hang). Wikilinks around it still render."""
    import time

    front = "[[b|B]] " + "[" * 200_000 + " [[b|C]] ![[b]]"
    vault = Vault("/x", "v", (NoteFile("c.md", ""), NoteFile("b.md", "body\n")))
    note = basic("c.md", 1, front, "a", 4)
    started = time.process_time()
    (rendered,), diags = render_notes(ParseResult(vault, (note,)))
    assert time.process_time() - started < 15
    html = rendered.html["Front"]
    assert html.startswith("<p>B [[[[") and html.endswith("[ C</p>\n<p>body</p>")
    assert diags == ()


def test_media_names_are_escaped_where_they_are_written(make_vault) -> None:
    """A picture named `q"t.png` gave `<img src="q"t.png">`: the attribute ended at the `"`,
    Anki found no reference to the file, dropped it on import and the card showed no
    picture. Anki decodes entities in `src` and in `[sound:…]` alike."""
    files: dict[str, str | bytes] = {'q"t.png': b"png", "a&b.mp3": b"mp3", "n.md": "x"}
    root = make_vault(files)
    vault = Vault(str(root), "vault", (NoteFile("n.md", "x"),), ('a&b.mp3', 'q"t.png'))
    note = basic("n.md", 1, '![[q"t.png]] ![[a&b.mp3]]', "![](<q\"t.png>)", 4)
    (rendered,), diags = render_notes(ParseResult(vault, (note,)))
    assert diags == ()
    assert rendered.html == {"Front": '<img src="q&quot;t.png"> [sound:a&amp;b.mp3]',
                             "Back": '<img src="q&quot;t.png">'}
    assert [m.name for m in rendered.media] == ['q"t.png', "a&b.mp3"]
