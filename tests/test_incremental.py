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
    # a.md:3 embeds li fork#Returns; b.md:1 links to li fork (its headings decide link text)
    assert _rendered(second) == {"cards/a.md:3", "cards/b.md:1"}
    assert second.stats.notes_reused == 3
    assert second.stats.files_parsed == 1 and second.stats.files_reused == 3

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
        extra = "".join(f" [[{t}]]" if (seed + j + k) % 2 else f"\n![[{t}#H]]"
                        for k, t in enumerate(links))
        cards.append(f"START\nBasic\nq{seed}-{j} {TEXTS[(seed + j) % 3]}{extra}\n"
                     f"Back: a{seed}\nEND\n")
    return f"# top\n\n## H\n\nheading text {seed}\n\n" + "\n".join(cards)


ops = st.lists(st.tuples(st.sampled_from(["edit", "add", "delete", "rename", "heading"]),
                         st.integers(0, 3), st.integers(0, 9),
                         st.lists(st.sampled_from(NAMES[:3] + ["nope"]), max_size=2)),
               min_size=1, max_size=4)


@settings(max_examples=10, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(ops)
def test_incremental_equals_cold_after_random_edits(tmp_path_factory, steps) -> None:
    tmp = tmp_path_factory.mktemp("inc")
    vault = write_vault(tmp / "v", {".obsidian/app.json": "{}",
                                    **{f"{n}.md": _note_text(i, (NAMES[(i + 1) % 3],))
                                       for i, n in enumerate(NAMES)}}, MTIME)
    _both(vault, tmp, 0)
    for n, (op, which, seed, links) in enumerate(steps, start=1):
        path = vault / f"{NAMES[which]}.md"
        if op == "edit" or op == "add":
            target = path if op == "edit" else vault / f"new{seed}.md"
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(_note_text(seed, tuple(links)))
        elif op == "delete":
            path.unlink(missing_ok=True)
        elif op == "rename" and path.exists():
            path.rename(vault / f"renamed{seed}.md")
        elif op == "heading" and path.exists():
            path.write_text(path.read_text().replace(f"heading text", f"heading {seed} text"))
        for f in vault.rglob("*.md"):
            os.utime(f, (MTIME + n, MTIME + n))
        _outcome, inc, cold = _both(vault, tmp, n)
        assert inc == cold, (n, steps)


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
