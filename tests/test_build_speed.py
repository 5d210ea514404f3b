"""The exact-output speedups of issue 15: each one changes how the build runs, never what the
notes hold. (How much each saves is measured in benchmarks/, never asserted here.)"""

from __future__ import annotations

import gc
import io
import logging
import pkgutil
import sys
import zipfile
import zlib
from pathlib import Path

import markdown_it.rules_block
import pytest

from mkdeck.cli import main

VAULT = {
    ".obsidian/app.json": "{}",
    "a.md": "START\nBasic\nfront `a`\nBack: - x\n- y\n\n```c\nint x;\n```\nEND\n",
    "b.md": "TARGET DECK: T\n\nSTART\nBasic\nfront b [[a]]\nBack: > quote\n\n# h\nEND\n",
}


def _build(vault: Path, out: Path, *extra: str) -> tuple[int, str]:
    err = io.StringIO()
    status = main(["build", str(vault), "-o", str(out), "--no-cache", *extra],
                  stdout=io.StringIO(), stderr=err)
    return status, err.getvalue()


def _block_rule_modules() -> list:
    return [sys.modules[f"markdown_it.rules_block.{m.name}"]
            for m in pkgutil.iter_modules(markdown_it.rules_block.__path__)]


def test_block_rule_debug_logs_are_skipped_unless_wanted(monkeypatch: pytest.MonkeyPatch) -> None:
    from mkdeck.render.markdown import build_markdown, quiet_block_rule_logs

    modules = [m for m in _block_rule_modules() if hasattr(m, "LOGGER")]
    assert len(modules) >= 10  # markdown-it's block rules each log "entering ..."
    for m in modules:  # as markdown-it ships them, whatever an earlier test did
        monkeypatch.setattr(m, "LOGGER", logging.getLogger(m.__name__))
    html = build_markdown().render("- a\n\n> b\n\n# c\n\n```\nd\n```\n")

    assert all(m.LOGGER.debug == "".format for m in modules)

    # someone debugging markdown-it keeps its log
    for m in modules:
        monkeypatch.setattr(m, "LOGGER", logging.getLogger(m.__name__))
    fence = sys.modules["markdown_it.rules_block.fence"]
    monkeypatch.setattr(fence.LOGGER, "level", logging.DEBUG)
    fence.LOGGER.manager._clear_cache()
    assert quiet_block_rule_logs() == len(modules) - 1
    assert isinstance(fence.LOGGER, logging.Logger)
    quietened = [m for m in modules if m is not fence]
    assert all(m.LOGGER.debug == "".format for m in quietened)
    assert all(m.LOGGER.wrapped is logging.getLogger(m.__name__) for m in quietened)
    assert build_markdown().render("- a\n\n> b\n\n# c\n\n```\nd\n```\n") == html
    fence.LOGGER.manager._clear_cache()


def test_the_package_is_deflated_at_level_1_and_repeats(make_vault, tmp_path: Path) -> None:
    vault = make_vault(VAULT, mtime=1_780_000_000)
    first, second = tmp_path / "1.apkg", tmp_path / "2.apkg"
    assert _build(vault, first)[0] == 0
    assert _build(vault, second)[0] == 0
    assert first.read_bytes() == second.read_bytes()
    raw = first.read_bytes()
    with zipfile.ZipFile(first) as zf:
        infos = {i.filename: i for i in zf.infolist()}
        db = zf.read("collection.anki2")
    info = infos["collection.anki2"]
    assert info.compress_type == zipfile.ZIP_DEFLATED
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    stored = raw[start:start + info.compress_size]
    level1 = zlib.compressobj(1, zlib.DEFLATED, -15)
    assert stored == level1.compress(db) + level1.flush()
    level6 = zlib.compressobj(6, zlib.DEFLATED, -15)
    assert stored != level6.compress(db) + level6.flush()


def test_the_build_pauses_the_garbage_collector(make_vault, tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    import mkdeck.export.apkg as apkg
    import mkdeck.render.parallel as parallel

    seen: list[bool] = []
    real_render, real_write = parallel.render_parallel, apkg.write_package

    def render(*a, **k):
        seen.append(gc.isenabled())
        return real_render(*a, **k)

    def write(*a, **k):
        seen.append(gc.isenabled())
        return real_write(*a, **k)

    monkeypatch.setattr(parallel, "render_parallel", render)
    monkeypatch.setattr(apkg, "write_package", write)
    assert gc.isenabled()
    assert _build(make_vault(VAULT), tmp_path / "d.apkg")[0] == 0
    assert seen == [False, False]
    assert gc.isenabled()


@pytest.mark.parametrize(("cpus", "load", "notes", "jobs"), [
    (2, 0.0, 10_000, 2),    # idle: both cores
    (2, 0.9, 10_000, 2),    # our own start-up shows in the load
    (2, 1.5, 10_000, 1),    # someone else runs: one process
    (2, 14.0, 10_000, 1),   # a busy machine
    (8, 2.2, 10_000, 4),    # at most 4
    (8, 0.0, 500, 1),       # a small vault
    (8, 0.0, 900, 2),
    (8, 0.0, None, 4),
])
def test_worker_count_follows_the_cpus_really_free(monkeypatch: pytest.MonkeyPatch, cpus: int,
                                                   load: float, notes: int | None,
                                                   jobs: int) -> None:
    import mkdeck.render.parallel as parallel

    monkeypatch.setattr(parallel.os, "sched_getaffinity", lambda _pid: set(range(cpus)))
    monkeypatch.setattr(parallel.os, "getloadavg", lambda: (load, load, load))
    assert parallel.PARALLEL_MIN_NOTES == 400
    assert parallel.default_jobs(notes) == jobs


def test_jobs_option(make_vault, tmp_path: Path) -> None:
    vault = make_vault(VAULT, mtime=1_780_000_000)
    status, err = _build(vault, tmp_path / "x.apkg", "--jobs", "0")
    assert status == 2 and "--jobs must be at least 1" in err
    assert _build(vault, tmp_path / "1.apkg", "--jobs", "1")[0] == 0
    assert _build(vault, tmp_path / "2.apkg", "--jobs", "2")[0] == 0
    assert (tmp_path / "1.apkg").read_bytes() == (tmp_path / "2.apkg").read_bytes()


def test_the_state_is_written_line_by_line_with_the_same_bytes(make_vault,
                                                               tmp_path: Path) -> None:
    from mkdeck.export.state import read_state, state_path, write_state

    vault = make_vault(VAULT, mtime=1_780_000_000)
    assert _build(vault, tmp_path / "d.apkg")[0] == 0
    state = read_state(vault).state
    assert state is not None and len(state.entries) == 2
    text = state.to_text()
    assert state_path(vault).read_text("utf-8") == text
    assert write_state(vault, state) is False  # the file holds it already
    assert write_state(vault, state, old_text=text[:-1]) is True  # one byte short
    assert state_path(vault).read_bytes() == text.encode("utf-8")
    assert write_state(vault, state, old_text=text + "\n") is True  # one byte more
    assert state_path(vault).read_text("utf-8") == text
    assert not [p for p in vault.iterdir() if p.name.endswith(".tmp")]


def test_the_state_writer_keeps_the_lines_of_unchanged_notes(make_vault, tmp_path: Path) -> None:
    """Only the entries that changed are encoded again: an unchanged note keeps its line as
    read (here spelled without spaces, as another JSON tool might), the edited one gets
    mkdeck's own spelling, and the file reads back to the same state."""
    import json

    from mkdeck.export.state import read_state, state_path

    vault = make_vault(VAULT, mtime=1_780_000_000)
    assert _build(vault, tmp_path / "d.apkg")[0] == 0
    path = state_path(vault)
    header, first, second = path.read_text("utf-8").splitlines()
    compact = json.dumps(json.loads(first), ensure_ascii=False, separators=(",", ":"))
    assert compact != first
    path.write_text(f"{header}\n{compact}\n{second}\n", "utf-8")
    edited_path = "b.md" if '"path": "b.md"' in second else "a.md"
    note = vault / edited_path
    note.write_text(note.read_text("utf-8").replace("Back: ", "Back: new "), "utf-8")
    assert _build(vault, tmp_path / "d.apkg")[0] == 0

    lines = path.read_text("utf-8").splitlines()
    assert lines[:2] == [header, compact]
    assert lines[2] != second and '"path": "%s"' % edited_path in lines[2]
    state = read_state(vault).state
    assert state is not None
    assert lines[2] == state.entries[1].to_json()
    assert json.loads(compact) == json.loads(state.entries[0].to_json())
