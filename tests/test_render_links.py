"""Link resolution (mkdeck.vault.links.VaultIndex), embed expansion with source locations
(expand_embeds, which the verifier uses) and the messages of link diagnostics."""

from __future__ import annotations

import pytest

from mkdeck.scan import code_spans
from mkdeck.vault.embeds import expand_embeds
from mkdeck.vault.links import (
    VaultIndex,
    heading_key,
    parse_link,
    unresolved_message,
)
from mkdeck.model import Field, Note, NoteFile, NoteType, SourceLocation, Vault

FORK = (
    "---\naliases: [fork]\n---\n"       # 1-3
    "# li fork\n"                        # 4
    "\n"                                 # 5
    "## [[li fork|fork]]\n"              # 6
    "- creates a child process\n"        # 7
    "- returns twice\n"                  # 8
    "```c\n## not a heading\n```\n"      # 9-11
    "### details\n"                      # 12
    "- copy on write ^cow\n"             # 13
    "## exec\n"                          # 14
    "- replaces the image\n"             # 15
)


def _vault(*files: tuple[str, str], attachments: tuple[str, ...] = ()) -> Vault:
    return Vault("/nonexistent", "v", tuple(NoteFile(p, t) for p, t in files), attachments)


@pytest.fixture
def index() -> VaultIndex:
    return VaultIndex(_vault(
        ("li fork.md", FORK),
        ("sub/li clone.md", "# clone\n"),
        ("sub/Index.md", "i\n"),
        ("other/index.md", "i\n"),
        ("a/b/deep/index.md", "i\n"),
        ("x/same.md", "1\n"),
        ("y/same.md", "2\n"),
        ("Folder/Note.md", "n\n"),
        ("Folder/sub/Note.md", "nested\n"),
        ("sub/Note.md", "root\n"),
        attachments=("img/pic.png", "sub/rel/a b.png", "Pic2.PNG"),
    ))


def test_parse_link_parts() -> None:
    link = parse_link("li fork#li fork fork|the fork")
    assert (link.target, link.subpath, link.alias, link.embed) == (
        "li fork", "li fork fork", "the fork", False)
    assert parse_link("n\\|alias").alias == "alias"
    assert parse_link("#h").target == "" and parse_link("#h").display == "h"
    assert parse_link("n#^blk").display == "n > ^blk"
    assert parse_link("n#a#b").display == "n > a > b"
    assert parse_link("x.png|300", embed=True).raw == "![[x.png|300]]"


def test_heading_key_matches_obsidian() -> None:
    assert heading_key("[[li fork|fork]]") == "li fork fork"
    assert heading_key("li fork fork") == "li fork fork"
    assert heading_key("A: b ^c # d") == "a b c d"
    assert heading_key("  Mixed   CASE ") == "mixed case"


@pytest.mark.parametrize(("target", "from_path", "expected"), [
    ("li fork", "sub/li clone.md", "li fork.md"),             # name anywhere
    ("LI FORK", "sub/li clone.md", "li fork.md"),             # case-insensitive
    ("li fork.md", "x.md", "li fork.md"),                     # with extension
    ("folder/note", "x.md", "Folder/Note.md"),                # vault path, any case
    ("sub/Note", "Folder/x.md", "Folder/sub/Note.md"),        # the note's folder first
    ("sub/Note", "x.md", "sub/Note.md"),                      # then the vault root
    ("Note", "Folder/x.md", "Folder/Note.md"),
    ("pic.png", "sub/x.md", "img/pic.png"),
    ("li clone", "sub/li clone.md", "sub/li clone.md"),
    ("./li clone", "sub/li clone.md", "sub/li clone.md"),     # relative to the note
    ("../li fork", "sub/li clone.md", "li fork.md"),
    ("/li fork", "sub/li clone.md", "li fork.md"),            # vault root
    ("index", "sub/li clone.md", "sub/Index.md"),             # the linking note's folder wins
    ("rel/a%20b.png", "sub/li clone.md", "sub/rel/a b.png"),  # %20 decoded, note-relative
    ("pic.png", "x.md", "img/pic.png"),                       # attachment by name
    ("pic2.png", "x.md", "Pic2.PNG"),                         # any case
    ("", "sub/li clone.md", "sub/li clone.md"),               # [[#heading]]: this note
])
def test_resolve(index: VaultIndex, target: str, from_path: str, expected: str) -> None:
    res = index.resolve(target, from_path)
    assert res.path == expected
    assert not res.ambiguous


@pytest.mark.parametrize(("file_name", "target"), [
    ("cafe\u0301.md", "caf\u00e9"),                 # NFD file (macOS), NFC link (keyboard)
    ("caf\u00e9.md", "cafe\u0301"),                 # and the other way round
    ("d/Cafe\u0301 x.md", "D/CAF\u00c9 X"),         # a path, any case
    ("img/cafe\u0301.png", "caf\u00e9.png"),
])
def test_resolve_ignores_unicode_normalization(file_name: str, target: str) -> None:
    """Obsidian finds [[café]] whatever the normal form of the file name; mkdeck said 'not a
    note of the vault' (and, for an NFD link, suggested an ftfy 'repair' to the same text)."""
    notes = () if file_name.endswith(".png") else ((file_name, "# h\nbody\n"),)
    atts = (file_name,) if file_name.endswith(".png") else ()
    ix = VaultIndex(_vault(*notes, ("n.md", "x\n"), attachments=atts))
    assert ix.resolve(target, "n.md").path == file_name
    if not atts:
        assert ix.section(file_name, "H") is not None
        assert heading_key("Cafe\u0301") == heading_key("CAF\u00c9")


def test_ambiguous_picks_shortest_path(index: VaultIndex) -> None:
    res = index.resolve("index", "elsewhere/n.md")
    assert res.path == "sub/Index.md"  # shortest path (then alphabetical)
    assert res.candidates == ("a/b/deep/index.md", "other/index.md", "sub/Index.md")
    res = index.resolve("same", "z.md")
    assert res.path == "x/same.md" and res.ambiguous


def test_outside_vault_is_never_resolved(index: VaultIndex) -> None:
    res = index.resolve("../../etc/passwd", "sub/li clone.md")
    assert res.path is None and res.outside
    assert index.resolve("no such", "x.md").path is None


def test_headings_skip_frontmatter_and_code(index: VaultIndex) -> None:
    heads = index.headings("li fork.md")
    assert [(h.level, h.text, h.line) for h in heads] == [
        (1, "li fork", 4), (2, "[[li fork|fork]]", 6), (3, "details", 12), (2, "exec", 14)]


def test_comments_are_not_part_of_a_heading() -> None:
    ix = VaultIndex(_vault(("n.md", "## Flashcards %% fold %%\nx\n%%\n## hidden\n%%\n## End\n")))
    assert [(h.text, h.line) for h in ix.headings("n.md")] == [("Flashcards", 1), ("End", 6)]
    assert ix.section("n.md", "Flashcards") == (1, 6)


def test_section_runs_to_same_or_higher_level(index: VaultIndex) -> None:
    assert index.section("li fork.md", "li fork fork") == (6, 14)
    assert index.section("li fork.md", "details") == (12, 14)
    assert index.section("li fork.md", "exec") == (14, 17)
    assert index.section("li fork.md", "li fork") == (4, 17)
    assert index.section("li fork.md", "li fork fork#details") == (12, 14)
    assert index.section("li fork.md", "not a heading") is None


def test_block(index: VaultIndex) -> None:
    assert index.block("li fork.md", "cow") == (13, 14)
    assert index.block("li fork.md", "^cow") == (13, 14)
    assert index.block("li fork.md", "nope") is None


def _note(path: str, markdown: str, first_line: int) -> tuple[Field, Note]:
    n = markdown.count("\n") + 1
    f = Field("Back", markdown, SourceLocation(path, first_line),
              tuple(range(first_line, first_line + n)))
    note = Note(SourceLocation(path, first_line - 2), NoteType("Basic", ("Front", "Back")),
                (Field("Front", "q", SourceLocation(path, first_line - 1), (first_line - 1,)), f),
                "Default")
    return f, note


def test_expand_embeds_pairs_lines_with_their_source(index: VaultIndex) -> None:
    field, note = _note("sub/li clone.md", "intro\n![[li fork#li fork fork]]\nend", 20)
    lines = expand_embeds(field, note, index)
    assert lines == [
        ("intro", SourceLocation("sub/li clone.md", 20)),
        ("", SourceLocation("sub/li clone.md", 21)),
        ("## [[li fork|fork]]", SourceLocation("li fork.md", 6)),
        ("- creates a child process", SourceLocation("li fork.md", 7)),
        ("- returns twice", SourceLocation("li fork.md", 8)),
        ("```c", SourceLocation("li fork.md", 9)),
        ("## not a heading", SourceLocation("li fork.md", 10)),
        ("```", SourceLocation("li fork.md", 11)),
        ("### details", SourceLocation("li fork.md", 12)),
        ("- copy on write ^cow", SourceLocation("li fork.md", 13)),
        ("", SourceLocation("sub/li clone.md", 21)),
        ("end", SourceLocation("sub/li clone.md", 22)),
    ]


def test_expand_embeds_leaves_code_and_failures(index: VaultIndex) -> None:
    md = "`![[li fork]]`\n```\n![[li fork]]\n```\n![[missing]]"
    field, note = _note("n.md", md, 3)
    lines = expand_embeds(field, note, index)
    assert [t for t, _ in lines] == md.split("\n")
    assert [loc.line for _, loc in lines] == [3, 4, 5, 6, 7]


def test_expand_embeds_cycle_terminates() -> None:
    ix = VaultIndex(_vault(("a.md", "A\n![[b]]"), ("b.md", "B\n![[a]]")))
    field, note = _note("c.md", "![[a]]", 5)
    lines = expand_embeds(field, note, ix)
    assert [(t, loc.path, loc.line) for t, loc in lines] == [
        ("A", "a.md", 1), ("", "a.md", 2), ("B", "b.md", 1), ("![[a]]", "b.md", 2)]


def test_code_spans() -> None:
    spans = code_spans(["a `x` b %%c%% d", "```", "[[x]]", "```", "``a ` b`` c"])
    assert spans == [[(2, 5), (8, 13)], [(0, 3)], [(0, 5)], [(0, 3)], [(0, 9)]]


def test_mojibake_message_names_the_repair(index: VaultIndex) -> None:
    msg = unresolved_message(index, parse_link("li forkâ€“exec"), "sub/li clone.md")
    assert "'li fork–exec'" in msg and "does not resolve either" in msg
    ix = VaultIndex(_vault(("li fork–exec.md", "x")))
    msg = unresolved_message(ix, parse_link("li forkâ€“exec"), "n.md")
    assert "'li fork–exec'" in msg and "resolves to 'li fork–exec.md'" in msg


def test_plain_unresolved_message_says_how_to_fix(index: VaultIndex) -> None:
    msg = unresolved_message(index, parse_link("li forkk"), "n.md")
    assert msg == ("link target 'li forkk' is not a note or file of the vault; create the note "
                   "or fix the spelling")
