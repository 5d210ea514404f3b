"""Fallback and skip paths, simulated through the environment (PATH, CC, XDG_CACHE_HOME)
and configuration, never by faking probe results: no C compiler -> the pure-Python clone
probe; no strace -> the /proc thread-group probe; a requirement nothing meets -> skipped
with the reason; the C probe cache lives under $XDG_CACHE_HOME, never in the vault."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from mkdeck.app.load import load
from mkdeck.verify import verify_notes
from mkdeck.verify.probeset import PROBES, Environment, build_c, probe
from tests.conftest import SEED

CARD = """START
Basic
threads and namespaces
Back:
## clone
- threads are created with clone()
- `CLONE_FILES` The set of open files is shared
## namespaces
- the first process in a new PID namespace has PID 1
END
"""


@pytest.fixture
def cache_env(tmp_path: Path) -> dict[str, str]:
    return {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache")}


def _by_check(report) -> dict[str, object]:
    return {r.claim.check: r for r in report.claims}


def test_no_compiler_falls_back_to_the_python_clone_probe(make_vault, cache_env) -> None:
    root = make_vault({"li clone.md": SEED.read_bytes()})
    env = Environment.detect({**cache_env, "CC": "/nonexistent/cc"})
    assert env.cc is None
    report = verify_notes(load([root]), env=env)
    assert report.summary == {"verified": 12, "refuted": 0, "inconclusive": 0,
                              "host-dependent": 0, "skipped": 0, "unchecked": 0}
    checks = _by_check(report)
    assert checks["clone.files-shared"].evidence["probe"] == "clone-py"
    assert report.host["cc"] is None
    assert not (Path(cache_env["XDG_CACHE_HOME"]) / "mkdeck").exists()


def test_with_a_compiler_the_c_probe_is_used_and_cached(make_vault, cache_env) -> None:
    root = make_vault({"li clone.md": SEED.read_bytes()})
    env = Environment.detect(cache_env)
    if env.cc is None:
        pytest.skip("no C compiler on this host")
    before = sorted(p.name for p in root.rglob("*"))
    report = verify_notes(load([root]), env=env)
    assert _by_check(report)["clone.files-shared"].evidence["probe"] == "clone-c"
    assert report.summary["verified"] == 12
    built = list((Path(cache_env["XDG_CACHE_HOME"]) / "mkdeck" / "probes").iterdir())
    assert [p.name.split("-")[0] for p in built] == ["clone_probe"]
    path, err = build_c(probe("clone-c"), env)
    assert err == "" and Path(path) == built[0]
    mtime = built[0].stat().st_mtime_ns
    build_c(probe("clone-c"), env)
    assert built[0].stat().st_mtime_ns == mtime  # a cache hit, not a rebuild
    assert sorted(p.name for p in root.rglob("*")) == before  # nothing written in the vault


def test_a_broken_compiler_falls_back(make_vault, cache_env, tmp_path: Path) -> None:
    fake = tmp_path / "bin" / "cc"
    fake.parent.mkdir()
    fake.write_text("#!/bin/sh\necho 'cc: broken' >&2\nexit 1\n")
    fake.chmod(0o755)
    root = make_vault({"li clone.md": SEED.read_bytes()})
    env = Environment.detect({**cache_env, "CC": str(fake)})
    report = verify_notes(load([root]), env=env)
    assert report.summary["verified"] == 12
    assert _by_check(report)["clone.vm-shared"].evidence["probe"] == "clone-py"
    assert "broken" in env.broken["clone-c"]


def test_no_strace_falls_back_to_the_thread_group_probe(make_vault, cache_env,
                                                        tmp_path: Path) -> None:
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    root = make_vault({"t.md": CARD})
    result = load([root])
    normal = Environment.detect(cache_env)
    if normal.strace is not None:
        report = verify_notes(result, env=normal)
        assert _by_check(report)["clone.creates-threads"].evidence["probe"] == "strace-threads"
        facts = _by_check(report)["clone.creates-threads"].evidence["facts"]
        assert "CLONE_THREAD" in facts["threads.created_by_clone"]["thread_syscall"]
    env = Environment.detect({**cache_env, "PATH": str(empty)})
    assert env.strace is None and env.cc is None
    report = verify_notes(result, env=env)
    r = _by_check(report)["clone.creates-threads"]
    assert r.verdict == "verified"
    assert r.evidence["probe"] == "threads"
    assert "fallback" in r.evidence["facts"]["threads.created_by_clone"]["method"]
    assert _by_check(report)["clone.files-shared"].evidence["probe"] == "clone-py"


def test_unmet_needs_skip_with_the_reason(make_vault, cache_env, tmp_path: Path) -> None:
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    root = make_vault({"t.md": CARD})
    result = load([root])
    env = Environment.detect({**cache_env, "PATH": str(empty)})
    env.uid = 65534  # configure the host as unprivileged: the namespace probe needs root
    only_strace = tuple(p for p in PROBES if p.name != "threads")
    report = verify_notes(result, env=env, probes=only_strace)
    checks = _by_check(report)
    ns = checks["ns.pid-namespace-pid1"]
    assert ns.verdict == "skipped"
    assert "needs root" in ns.evidence["reason"]
    threads = checks["clone.creates-threads"]
    assert threads.verdict == "skipped"
    assert "strace not found" in threads.evidence["reason"]
    assert checks["clone.files-shared"].verdict == "verified"
    assert report.summary == {"verified": 1, "refuted": 0, "inconclusive": 0,
                              "host-dependent": 0, "skipped": 2, "unchecked": 0}
    codes = {d.code for d in report.diagnostics}
    assert "MKD404" in codes
