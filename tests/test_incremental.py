"""Incremental builds (issue 15): the parse and render caches of :mod:`mkdeck.app.incremental`
give the bytes of a cold build, and re-render exactly the notes whose inputs changed."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import write_vault
from mkdeck.app.build import build

EPOCH = "1780000000"
MTIME = 1_770_000_000

BASE = {
    ".obsidian/app.json": "{}",
    "pic.png": b"\x89PNG first",
    "li fork.md": "# li fork\n\n## Returns\n\nthe child's pid\n\n## Errors\n\nEAGAIN\n",
    "cards/a.md": ("TARGET DECK: Sys\n\nSTART\nBasic\nWhat does fork return?\nBack: ![[li fork#Returns]]"
                   "\nEND\n\nSTART\nBasic\nplain a2\nBack: `x` and $y$\nEND\n"),
    "cards/b.md": ("START\nBasic\nsee [[li fork]] and [[ghost]]\nBack: ![[pic.png]]\nEND\n\n"
                   "START\nBasic\nplain b2\nBack: **b**\n```c\nint b;\n```\nEND\n"),
    "cards/c.md": "START\nBasic\nplain c\nBack: - one\n- two\nEND\n",
}


def _env(cache: Path) -> dict[str, str]:
    return dict(os.environ, XDG_CACHE_HOME=str(cache), SOURCE_DATE_EPOCH=EPOCH)


def _both(vault: Path, tmp: Path, n: int):
    """(incremental outcome, its bytes, cold bytes) of the vault as it is now. The cold build
    runs on a copy (same folder name, same mtimes, same sync state), so that neither build
    sees the sync state the other one wrote."""
    inc_out, cold_out = tmp / f"inc{n}.apkg", tmp / f"cold{n}.apkg"
    copy = tmp / f"copy{n}" / vault.name
    shutil.copytree(vault, copy, copy_function=shutil.copy2)
    inc = build([vault], inc_out, environ=_env(tmp / "xdg-inc"), jobs=1)
    cold = build([copy], cold_out, environ=_env(tmp / f"xdg-cold{n}"), use_cache=False,
                 jobs=1)
    assert inc.diagnostics == cold.diagnostics
    return inc, inc_out.read_bytes(), cold_out.read_bytes()


def _rendered(outcome) -> set[str]:
    assert outcome.stats is not None and not outcome.from_cache
    return set(outcome.stats.rendered)


def test_an_edited_embedded_note_rerenders_the_notes_embedding_it(make_vault,
                                                                    tmp_path: Path) -> None:
    vault = make_vault(BASE, mtime=MTIME)
    first, inc, cold = _both(vault, tmp_path, 0)
    assert inc == cold
    assert len(first.stats.rendered) == 5 and first.stats.notes_reused == 0
    assert first.stats.files_parsed == 4  # li fork.md is parsed too (it has no card)

    lf = vault / "li fork.md"
    lf.write_text(lf.read_text().replace("the child's pid", "the child's PID, 0 in the child"))
    second, inc, cold = _both(vault, tmp_path, 1)
    assert inc == cold
    # a.md:3 embeds li fork#Returns; b.md:1 only links to li fork, whose headings, block
    # ids and aliases (all a link reads of it) are unchanged
    assert _rendered(second) == {"cards/a.md:3"}
    assert second.stats.notes_reused == 4
    assert second.stats.files_parsed == 1 and second.stats.files_reused == 3

    lf.write_text(lf.read_text().replace("## Errors", "## Failures"))  # a heading: both
    renamed, inc, cold = _both(vault, tmp_path, 5)
    assert inc == cold
    assert _rendered(renamed) == {"cards/a.md:3", "cards/b.md:1"}

    c = vault / "cards" / "c.md"  # an edit of a note nothing embeds: only that note
    c.write_text(c.read_text().replace("- two", "- three"))
    third, inc, cold = _both(vault, tmp_path, 2)
    assert inc == cold
    assert _rendered(third) == {"cards/c.md:1"}

    (vault / "pic.png").write_bytes(b"\x89PNG second")  # new bytes: same rendering, new media
    fourth, inc, cold = _both(vault, tmp_path, 3)
    assert inc == cold
    assert _rendered(fourth) == set()

    (vault / "ghost.md").write_text("# ghost\n")  # a link target appears: the linking note
    fifth, inc, cold = _both(vault, tmp_path, 4)
    assert inc == cold
    assert "cards/b.md:1" in _rendered(fifth)
    assert not _rendered(fifth) & {"cards/b.md:7", "cards/c.md:1", "cards/a.md:8"}


def test_no_cache_builds_cold_and_writes_no_cache(make_vault, tmp_path: Path) -> None:
    vault = make_vault(BASE, mtime=MTIME)
    out = build([vault], tmp_path / "x.apkg", environ=_env(tmp_path / "xdg"), use_cache=False)
    assert out.stats is None
    # (notetypes.json, the note types last written to a package, is no cache: it decides
    # their mod time)
    assert not (tmp_path / "xdg" / "mkdeck" / "incremental").exists()
    assert not (tmp_path / "xdg" / "mkdeck" / "builds").exists()


def test_a_damaged_cache_file_is_a_cold_build(make_vault, tmp_path: Path) -> None:
    vault = make_vault(BASE, mtime=MTIME)
    _both(vault, tmp_path, 0)
    (pickled,) = (tmp_path / "xdg-inc" / "mkdeck" / "incremental").iterdir()
    pickled.write_bytes(b"not a pickle")
    shutil.rmtree(tmp_path / "xdg-inc" / "mkdeck" / "builds")
    again, inc, cold = _both(vault, tmp_path, 1)
    assert inc == cold
    assert not again.stats.cache_used and len(again.stats.rendered) == 5


def test_another_config_starts_from_an_empty_cache(make_vault, tmp_path: Path) -> None:
    vault = make_vault(BASE, mtime=MTIME)
    _both(vault, tmp_path, 0)
    (vault / "mkdeck.yaml").write_text("links: obsidian\n")
    again, inc, cold = _both(vault, tmp_path, 1)
    assert inc == cold
    assert len(again.stats.rendered) == 5


NAMES = ["n0", "n1", "n2", "sub/n3"]
TEXTS = ["alpha", "beta `b`", "gamma **g**"]


def _note_text(seed: int, links: tuple[str, ...]) -> str:
    cards = []
    for j in range(1 + seed % 3):
        extra = "".join((f" [[{t}]]", f" [[{t}#H]]", f"\n![[{t}#H]]")[(seed + j + k) % 3]
                        for k, t in enumerate(links))
        cards.append(f"START\nBasic\nq{seed}-{j} {TEXTS[(seed + j) % 3]}{extra}\n"
                     f"Back: a{seed}\nEND\n")
    return f"# top\n\n## H\n\nheading text {seed}\n\n" + "\n".join(cards)


ops = st.lists(st.tuples(st.sampled_from(["edit", "add", "delete", "rename", "heading",
                                          "anchor", "media", "state"]),
                         st.integers(0, 3), st.integers(0, 9),
                         st.lists(st.sampled_from(NAMES[:3] + ["nope"]), max_size=2)),
               min_size=1, max_size=4)


def _apply(vault: Path, op: str, which: int, seed: int, links: list[str], n: int) -> None:
    """One step of the random edit sequences below, on ``vault``."""
    path = vault / f"{NAMES[which]}.md"
    if op == "edit" or op == "add":
        target = path if op == "edit" else vault / f"new{seed}.md"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(_note_text(seed, tuple(links)))
    elif op == "delete":
        path.unlink(missing_ok=True)
    elif op == "rename" and path.exists():
        path.rename(vault / f"renamed{seed}.md")
    elif op == "heading" and path.exists():  # the text under a heading
        path.write_text(path.read_text().replace("heading text", f"heading {seed} text"))
    elif op == "anchor" and path.exists():  # the heading itself: links to it break or mend
        text = path.read_text()
        path.write_text(text.replace("## H\n", "## K\n") if "## H\n" in text
                        else text.replace("## K\n", "## H\n"))
    elif op == "media":  # new bytes under the same name
        (vault / "pic.png").write_bytes(b"\x89PNG " + bytes([seed]) * (seed + 1))
    elif op == "state":  # the state file changed outside the build (git checkout, forget)
        (vault / ".mkdeck-state").unlink(missing_ok=True)
    for f in vault.rglob("*.md"):
        os.utime(f, (MTIME + n, MTIME + n))


@settings(max_examples=10, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(ops)
def test_incremental_equals_cold_after_random_edits(tmp_path_factory, steps) -> None:
    """The package of an incremental build (caches on disk, a new process each time) and of
    a warm rebuild (``mkdeck watch``: one :class:`BuildSession` kept in memory, on its own
    copy of the vault given the same edits) are the bytes of a cold build, step after step."""
    from mkdeck.app.session import BuildSession

    tmp = tmp_path_factory.mktemp("inc")
    files = {".obsidian/app.json": "{}", "pic.png": b"\x89PNG first",
             "m.md": "START\nBasic\nthe picture\nBack: ![[pic.png]]\nEND\n",
             **{f"{n}.md": _note_text(i, (NAMES[(i + 1) % 3],)) for i, n in enumerate(NAMES)}}
    vault = write_vault(tmp / "v", files, MTIME)
    warm = write_vault(tmp / "w" / "v", files, MTIME)
    session = BuildSession()
    _both(vault, tmp, 0)
    build([warm], tmp / "warm0.apkg", environ=_env(tmp / "xdg-warm"), jobs=1, session=session)
    for n, (op, which, seed, links) in enumerate(steps, start=1):
        _apply(vault, op, which, seed, links, n)
        _apply(warm, op, which, seed, links, n)
        _outcome, inc, cold = _both(vault, tmp, n)
        assert inc == cold, (n, steps)
        again = build([warm], tmp / f"warm{n}.apkg", environ=_env(tmp / "xdg-warm"), jobs=1,
                      session=session)
        assert (tmp / f"warm{n}.apkg").read_bytes() == cold, (n, steps)
        assert again.diagnostics == _outcome.diagnostics


def test_a_cache_hit_reads_the_state_back_only_when_asked(make_vault, tmp_path: Path) -> None:
    vault = make_vault(BASE, mtime=MTIME)
    env = _env(tmp_path / "xdg")
    first = build([vault], tmp_path / "a.apkg", environ=env)
    assert first.sync is not None and not first.from_cache
    hit = build([vault], tmp_path / "a.apkg", environ=env)
    assert hit.from_cache and hit.sync is not None and hit.stats is None
    assert hit.sync.state == first.sync.state
    quick = build([vault], tmp_path / "a.apkg", environ=env, cached_sync=False)
    assert quick.from_cache and quick.sync is None
    assert quick.diagnostics == first.diagnostics


def test_raw_html_media_and_reference_links_follow_the_vault(make_vault,
                                                             tmp_path: Path) -> None:
    files = {".obsidian/app.json": "{}", "pic.png": b"\x89PNG", "t.md": "# t\n",
             "h.md": 'START\nBasic\nhtml <img src="pic.png">\nBack: b\nEND\n',
             "r.md": "START\nBasic\nref [see][t]\n\n[t]: t.md\nBack: b\nEND\n"}
    vault = make_vault(files, mtime=MTIME)
    _both(vault, tmp_path, 0)
    (vault / "pic.png").unlink()
    (vault / "t.md").rename(vault / "u.md")
    again, inc, cold = _both(vault, tmp_path, 1)
    assert inc == cold
    assert {"h.md:1", "r.md:1"} <= _rendered(again)
    assert any(d.code == "MKD210" for d in again.diagnostics)  # the picture is missing


def test_the_link_back_follows_the_heading_above_the_note(make_vault, tmp_path: Path) -> None:
    files = {".obsidian/app.json": "{}", "mkdeck.yaml": "note_link: back\n",
             "n.md": "# One\n\nSTART\nBasic\nq1\nBack: a1\nEND\n\n## Two\n\nSTART\nBasic\nq2\n"
                     "Back: a2\nEND\n"}
    vault = make_vault(files, mtime=MTIME)
    _both(vault, tmp_path, 0)
    (vault / "n.md").write_text(files["n.md"].replace("## Two", "## Deux"))
    again, inc, cold = _both(vault, tmp_path, 1)
    assert inc == cold
    assert _rendered(again) == {"n.md:3", "n.md:11"}


def _cold_bytes(vault: Path, tmp: Path, n: int) -> bytes:
    """The package a cold build makes of a copy of ``vault`` as it is now."""
    copy = tmp / f"cold-copy{n}" / vault.name
    shutil.copytree(vault, copy, copy_function=shutil.copy2)
    build([copy], tmp / f"cold{n}.apkg", environ=_env(tmp / f"xdg-cold{n}"), use_cache=False,
          jobs=1)
    return (tmp / f"cold{n}.apkg").read_bytes()


def test_a_warm_rebuild_redoes_only_the_edited_note(make_vault, tmp_path: Path) -> None:
    """``mkdeck watch``'s session: after one edit it parses one file and renders one note,
    plans the rest from memory, and writes a cold build's bytes; a config edit empties
    what it keeps, as it empties the caches on disk."""
    from mkdeck.app.session import BuildSession

    vault = make_vault(BASE, mtime=MTIME)
    env = _env(tmp_path / "xdg")
    session = BuildSession()
    first = build([vault], tmp_path / "w.apkg", environ=env, session=session, jobs=1)
    assert len(_rendered(first)) == 5
    planned = dict(session.memo.planned)
    assert len(planned) == 5

    c = vault / "cards/c.md"
    c.write_text(c.read_text().replace("- two", "- three"))
    again = build([vault], tmp_path / "w.apkg", environ=env, session=session, jobs=1)
    assert _rendered(again) == {"cards/c.md:1"}
    assert again.stats.files_parsed == 1 and again.stats.files_reused == 3
    assert (tmp_path / "w.apkg").read_bytes() == _cold_bytes(vault, tmp_path, 1)
    # the four unchanged notes are planned from memory: the very same objects
    kept = [p for k, p in session.memo.planned.items() if planned.get(k) is p]
    assert len(kept) == 4 and session.builds == 2

    (vault / "mkdeck.yaml").write_text("links: obsidian\n")
    third = build([vault], tmp_path / "w.apkg", environ=env, session=session, jobs=1)
    assert len(_rendered(third)) == 5 and not third.stats.cache_used
    assert (tmp_path / "w.apkg").read_bytes() == _cold_bytes(vault, tmp_path, 2)


def test_a_warm_rebuild_reads_a_state_file_changed_behind_it(make_vault,
                                                           tmp_path: Path) -> None:
    """The session keeps the sync state it wrote only while the file is unchanged: a state
    put back from git (here: the first build's) is read again, as a cold build reads it."""
    from mkdeck.app.session import BuildSession

    vault = make_vault(BASE, mtime=MTIME)
    env = _env(tmp_path / "xdg")
    session = BuildSession()
    build([vault], tmp_path / "w.apkg", environ=env, session=session, jobs=1)
    state = vault / ".mkdeck-state"
    first_state = state.read_bytes()
    (vault / "cards/c.md").unlink()  # a tombstone enters the state
    gone = build([vault], tmp_path / "w.apkg", environ=env, session=session, jobs=1)
    assert gone.sync is not None and len(gone.sync.removed) == 1
    assert state.read_bytes() != first_state
    state.write_bytes(first_state)  # same size? no matter: ctime and inode change anyway
    b = vault / "cards/b.md"
    b.write_text(b.read_text().replace("**b**", "**bb**"))
    again = build([vault], tmp_path / "w.apkg", environ=env, session=session, jobs=1)
    assert again.sync is not None and again.sync.previous is not None
    assert len(again.sync.previous.entries) == 5  # the file's, not the one kept in memory
    assert (tmp_path / "w.apkg").read_bytes() == _cold_bytes(vault, tmp_path, 1)


def test_a_session_writes_its_caches_for_the_next_process_when_closed(make_vault,
                                                                      tmp_path: Path) -> None:
    """A watch does not rewrite the cache file after every save (only every
    ``SAVE_EVERY`` seconds); closing the session writes the last rebuild's work, so the
    next `mkdeck build` parses and renders nothing again."""
    from mkdeck.app.session import BuildSession

    vault = make_vault(BASE, mtime=MTIME)
    env = _env(tmp_path / "xdg")
    session = BuildSession()
    build([vault], tmp_path / "w.apkg", environ=env, session=session, jobs=1)
    c = vault / "cards/c.md"
    c.write_text(c.read_text().replace("- two", "- three"))
    build([vault], tmp_path / "w.apkg", environ=env, session=session, jobs=1)
    c.write_text(c.read_text().replace("- one", "- zero"))
    build([vault], tmp_path / "w.apkg", environ=env, session=session, jobs=1)
    session.close()
    later = build([vault], tmp_path / "cli.apkg", environ=env, use_cache=True, jobs=1)
    assert later.stats is not None and later.stats.files_parsed == 0
    assert later.stats.rendered == [] and later.stats.notes_reused == 5
    assert (tmp_path / "cli.apkg").read_bytes() == (tmp_path / "w.apkg").read_bytes()


def test_a_heading_renamed_under_a_markdown_link_is_reported_again(make_vault,
                                                                   tmp_path: Path) -> None:
    """Found in this work: a markdown link (or a reference definition) to another note's
    heading warns when the heading is missing (MKD203), but the dependency graph follows
    wikilinks only, so the incremental build kept the old, warning-free rendering after
    the heading was renamed. Now such a note depends on every note's text."""
    files = {".obsidian/app.json": "{}", "b.md": "# H\n\ntext\n", "c.md": "# other\n",
             "a.md": "START\nBasic\nsee [it](b.md#H)\nBack: b\nEND\n",
             "r.md": "START\nBasic\nsee [it][ref]\nBack: r\n\n[ref]: b.md#H\nEND\n",
             "e.md": "START\nBasic\nembeds\nBack: ![[f]]\nEND\n",
             "f.md": "a [link](b.md#H) in an embedded note\n"}
    vault = make_vault(files, mtime=MTIME)
    first, inc, cold = _both(vault, tmp_path, 0)
    assert inc == cold and not first.warnings
    (vault / "c.md").write_text("# other, edited\n")
    again, inc, cold = _both(vault, tmp_path, 1)
    assert inc == cold and not again.warnings
    (vault / "b.md").write_text("# G\n\ntext\n")
    renamed, inc, cold = _both(vault, tmp_path, 2)  # _both compares the diagnostics
    assert inc == cold
    assert sorted(d.location.path for d in renamed.diagnostics if d.code == "MKD203") == [
        "a.md", "f.md"]


def test_an_embed_whose_heading_comes_back_is_rendered_again(make_vault, tmp_path: Path) -> None:
    """Found by the property test (steps: anchor n0, then edit n0): ``![[b#H]]`` whose
    heading was renamed embeds nothing of ``b.md``, so the graph listed ``b.md`` neither as an
    embed nor as a link target; when the heading came back the incremental build kept the
    placeholder and its MKD203. An embed's target is a link target too."""
    files = {".obsidian/app.json": "{}", "b.md": "# top\n\n## H\n\nunder H\n",
             "a.md": "START\nBasic\nembeds\nBack: ![[b#H]]\nEND\n"}
    vault = make_vault(files, mtime=MTIME)
    first, inc, cold = _both(vault, tmp_path, 0)
    assert inc == cold and not first.warnings
    (vault / "b.md").write_text("# top\n\n## K\n\nunder H\n")
    broken, inc, cold = _both(vault, tmp_path, 1)  # _both compares the diagnostics
    assert inc == cold and [d.code for d in broken.diagnostics] == ["MKD203"]
    (vault / "b.md").write_text("# top\n\n## H\n\nunder H, edited\n")
    mended, inc, cold = _both(vault, tmp_path, 2)
    assert inc == cold and not mended.warnings
    assert "a.md:1" in _rendered(mended)
