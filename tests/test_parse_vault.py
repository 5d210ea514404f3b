"""Reading the vault: root finding, selection, ignore globs, dot-folders, decoding (BOM, CRLF,
CR, bad bytes), unreadable paths, and the dump CLI's JSON and exit statuses."""

from __future__ import annotations

import io
import json
import os

import pytest

from mkdeck.cli import main
from mkdeck.app.load import load
from mkdeck.vault import VaultError, decode_note, is_ignored

CARD = "START\nBasic\nq {n}\nBack: a\nEND\n"


def card(n: int) -> str:
    return CARD.replace("{n}", str(n))


def run_dump(*argv: str) -> tuple[int, dict | None, str]:
    out, err = io.StringIO(), io.StringIO()
    status = main(["dump", *argv], stdout=out, stderr=err)
    data = json.loads(out.getvalue()) if out.getvalue() else None
    return status, data, err.getvalue()


def test_root_is_nearest_obsidian_folder_and_selection(make_vault) -> None:
    root = make_vault({".obsidian/app.json": "{}", "a.md": card(1), "sub/b.md": card(2),
                       "sub/deep/c.md": card(3), "img/p.png": b"\x89PNG"})
    result = load([root / "sub"])
    assert result.vault.root == str(root.resolve())
    assert [f.path for f in result.vault.files] == ["a.md", "sub/b.md", "sub/deep/c.md"]
    assert [f.selected for f in result.vault.files] == [False, True, True]
    assert [n.location.path for n in result.notes] == ["sub/b.md", "sub/deep/c.md"]
    assert result.vault.attachments == ("img/p.png",)
    files = load([root / "a.md", root / "sub/deep/c.md"])
    assert [n.location.path for n in files.notes] == ["a.md", "sub/deep/c.md"]


def test_a_lone_path_is_accepted(make_vault) -> None:
    root = make_vault({"a.md": card(1)})
    assert len(load(str(root)).notes) == len(load(root).notes) == 1


def test_without_obsidian_the_path_is_the_root(make_vault) -> None:
    root = make_vault({"x/a.md": card(1), "x/y/b.md": card(2), "z.md": card(3)})
    result = load([root / "x"])
    assert result.vault.name == "x"
    assert [f.path for f in result.vault.files] == ["a.md", "y/b.md"]
    single = load([root / "x" / "y" / "b.md"])
    assert single.vault.name == "y" and [f.path for f in single.vault.files] == ["b.md"]


def test_without_obsidian_a_mkdeck_yaml_marks_the_root_within_the_repository(make_vault) -> None:
    """pre-commit passes note files, and vault repositories often leave `.obsidian/` out of
    git: the config at the repository's vault root must still be found (reported by the
    check helper), but never one above the repository."""
    root = make_vault({"repo/.git/HEAD": "ref: refs/heads/main\n",
                       "repo/notes/mkdeck.yaml": "deck: Biology\n",
                       "repo/notes/cells/a.md": card(1), "repo/notes/b.md": card(2),
                       "mkdeck.yaml": "deck: Outside\n", "repo/other/c.md": card(3)})
    staged = load([root / "repo/notes/cells/a.md"])
    assert staged.vault.root == str((root / "repo/notes").resolve())
    assert [(n.location.path, n.deck) for n in staged.notes] == [("cells/a.md", "Biology")]
    # above the repository's top folder, an unrelated mkdeck.yaml is not taken
    other = load([root / "repo/other/c.md"])
    assert other.vault.root == str((root / "repo/other").resolve())
    assert [n.deck for n in other.notes] == ["other"]


def test_dot_folders_and_ignore_globs_are_skipped(make_vault) -> None:
    root = make_vault({".obsidian/x.md": card(1), ".trash/t.md": card(2), ".git/g.md": card(3),
                       "templates/t.md": card(4), "notes/n.md": card(5), "notes/draft.md": card(6),
                       "mkdeck.yaml": "ignore: ['templates/**', 'draft.md']\n"})
    result = load([root])
    assert [f.path for f in result.vault.files] == ["notes/n.md"]
    assert "mkdeck.yaml" in result.vault.attachments
    named = load([root / "notes/draft.md", root / "notes/n.md"])
    assert [n.location.path for n in named.notes] == ["notes/n.md"]
    assert [(d.code, d.location.path, d.severity.value) for d in named.diagnostics] == [
        ("MKD013", "notes/draft.md", "info")]


@pytest.mark.parametrize("pattern, path, hit", [
    ("**/*.excalidraw.md", "a/b/c.excalidraw.md", True),
    ("**/*.excalidraw.md", "c.excalidraw.md", True),
    ("templates/**", "templates/a/b.md", True),
    ("templates", "templates/a.md", True),
    ("*.md", "a/b.md", True),
    ("a/*.md", "a/b/c.md", False),
    ("a/?.md", "a/b.md", True),
    ("[ab].md", "c.md", False),
])
def test_ignore_globs(pattern: str, path: str, hit: bool) -> None:
    assert is_ignored(path, [pattern]) is hit


def test_decoding_bom_crlf_cr_and_bad_bytes() -> None:
    text, diags = decode_note(b"\xef\xbb\xbfa\r\nb\rc\n", "n.md")
    assert (text, diags) == ("a\nb\nc\n", [])
    text, diags = decode_note(b"ok\r\nline two \xff\xfe here\n", "n.md")
    assert text == "ok\nline two \ufffd\ufffd here\n"
    [d] = diags
    assert (d.code, d.location.line) == ("MKD010", 2)


def test_bad_bytes_do_not_stop_the_card(make_vault) -> None:
    root = make_vault({"a.md": b"START\r\nBasic\r\nq \xff\r\nBack: a\r\nEND"})
    result = load([root])
    assert [d.code for d in result.diagnostics] == ["MKD010"]
    assert result.notes[0].fields[0].markdown == "q \ufffd"


def test_missing_and_unreadable_paths_raise(make_vault, tmp_path) -> None:
    with pytest.raises(VaultError):
        load([tmp_path / "nope"])
    with pytest.raises(VaultError):
        load([])
    root = make_vault({"a.md": card(1)})
    other = make_vault({"b.md": card(2)}, name="other")
    os.mkdir(other / ".obsidian")
    with pytest.raises(VaultError):
        load([other / "b.md", root / "a.md"])


def test_unreadable_note_inside_vault_is_a_diagnostic(make_vault) -> None:
    """A note that cannot be read (here a dangling symlink, which fails even for root) is
    reported and the other notes still parse."""
    root = make_vault({"a.md": card(1)})
    os.symlink(root / "gone.md", root / "b.md")
    result = load([root])
    assert [(d.code, d.location.path) for d in result.diagnostics] == [("MKD011", "b.md")]
    # the message names the real cause, not permissions (found by trying mkdeck as a user)
    assert result.diagnostics[0].message == (
        f"b.md cannot be read (No such file or directory): it is a symbolic link to "
        f"{str(root / 'gone.md')!r}, which does not exist: fix or remove the link, or add it to "
        f"`ignore:` in mkdeck.yaml.")
    assert len(result.notes) == 1
    with pytest.raises(VaultError):
        load([root / "b.md"])


def test_non_markdown_file_named_is_a_warning(make_vault) -> None:
    root = make_vault({"a.md": card(1), "p.txt": "x"})
    result = load([root / "a.md", root / "p.txt"])
    assert [(d.code, d.location.path) for d in result.diagnostics] == [("MKD012", "p.txt")]


def test_dump_cli_exit_statuses(make_vault, tmp_path) -> None:
    root = make_vault({"a.md": card(1)})
    status, data, _ = run_dump(str(root), "--deck", "D")
    assert status == 0
    [note] = data["notes"]
    assert {k: note[k] for k in ("source", "note_type", "deck", "fields", "tags", "id")} == {
        "source": {"path": "a.md", "line": 1}, "note_type": "Basic", "deck": "D",
        "fields": {"Front": "q 1", "Back": "a"}, "tags": [], "id": None}
    (root / "b.md").write_text("START\nNope\nq\nEND\n")
    status, data, _ = run_dump(str(root))
    assert status == 1
    assert [(d["path"], d["line"], d["code"], d["severity"]) for d in data["diagnostics"]] == [
        ("b.md", 2, "MKD103", "error")]
    assert "Basic" in data["diagnostics"][0]["message"]
    status, data, err = run_dump(str(tmp_path / "missing"))
    assert (status, data) == (2, None)
    assert "no such file" in err
    status, _, err = run_dump(str(root), "--config", str(tmp_path / "missing.yaml"))
    assert status == 2
    assert main(["dump"], stdout=io.StringIO(), stderr=io.StringIO()) == 2


def test_dump_adds_render_and_identity_keys(make_vault) -> None:
    root = make_vault({"a.md": "START\nBasic\nq `x` [[missing]]\nBack: **a**\nEND\n"})
    status, data, _ = run_dump(str(root))
    [note] = data["notes"]
    assert status == 0
    assert set(note["html"]) == {"Front", "Back"}
    assert "<strong>a</strong>" in note["html"]["Back"]
    assert note["media"] == []
    assert isinstance(note["guid"], str) and note["guid"]
    # render's diagnostics are in the same list, located where the link is written
    assert [(d["path"], d["line"]) for d in data["diagnostics"]
            if d["code"].startswith("MKD2")] == [("a.md", 3)]


def test_a_crash_in_one_file_is_contained(make_vault, monkeypatch) -> None:
    import mkdeck.app.load as pipeline

    real = pipeline.parse_file

    def flaky(note_file, config, index, regexes):  # noqa: ANN001, ANN202
        if note_file.path == "b.md":
            raise RuntimeError("boom")
        return real(note_file, config, index, regexes)

    monkeypatch.setattr(pipeline, "parse_file", flaky)
    root = make_vault({"a.md": card(1), "b.md": card(2), "c.md": card(3)})
    result = load([root])
    assert [n.location.path for n in result.notes] == ["a.md", "c.md"]
    [d] = result.diagnostics
    assert (d.code, d.location.path, d.severity.value) == ("MKD001", "b.md", "error")
    assert "boom" in d.message


def test_dump_tags_include_inline_tags_from_render(make_vault) -> None:
    """render returns a copy of the note with the merged tags: dump must still find it."""
    root = make_vault({"mkdeck.yaml": "inline_tags: true\n",
                       "a.md": "START\nBasic\nq\nBack: a #linux/proc\nTags: t\nEND\n"
                               "STARTI [Basic] x Back: y #inl ENDI\n"})
    status, data, _ = run_dump(str(root))
    assert status == 0
    assert [n["tags"] for n in data["notes"]] == [["t", "linux::proc"], ["inl"]]
    assert all("html" in n and "guid" in n for n in data["notes"])


def test_a_symlink_loop_is_named_as_a_loop(make_vault) -> None:
    """`c.md -> d.md -> c.md` was reported as a link "to 'd.md', which does not exist"."""
    root = make_vault({"a.md": card(1)})
    os.symlink("d.md", root / "c.md")
    os.symlink("c.md", root / "d.md")
    result = load([root])
    assert [(d.code, d.location.path) for d in result.diagnostics] == [
        ("MKD011", "c.md"), ("MKD011", "d.md")]
    assert "it is a symbolic link to 'd.md', which leads back to itself: fix or remove the " \
           "link" in result.diagnostics[0].message
    assert len(result.notes) == 1
