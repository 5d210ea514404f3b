"""Isolation: misbehaving probes (hang, segfault, a fork storm of 200 sleeping children, a
detached grandchild holding the output, a lying probe) cost at most their timeout, leave no
process behind and make only their own verdicts inconclusive."""

from __future__ import annotations

import os
import re
import sys
import textwrap
import time
import uuid
from pathlib import Path

import pytest

from mkdeck.app.load import load
from mkdeck.verify import verify_notes
from mkdeck.verify.engine import run_jobs
from mkdeck.verify.probeset import PROBES, Environment, ProbeSpec
from tests.conftest import SEED


def _alive_with(marker: str) -> list[int]:
    """PIDs whose command line contains ``marker`` (zombies excluded)."""
    out = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as fh:
                cmd = fh.read()
            with open(f"/proc/{entry}/stat") as fh:
                state = fh.read().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if marker.encode() in cmd and state != "Z":
            out.append(int(entry))
    return out


def _script(tmp_path: Path, body: str) -> tuple[str, str]:
    marker = f"mkdeck_probe_{uuid.uuid4().hex}"
    path = tmp_path / f"{marker}.py"
    path.write_text(textwrap.dedent(body), encoding="utf-8")
    return str(path), marker


@pytest.fixture
def env() -> Environment:
    return Environment.detect()


def test_runner_is_a_separate_subreaper_process(env: Environment) -> None:
    results, info = run_jobs([{"name": "ok", "argv": ["/bin/true"], "timeout": 5}], 1, env)
    assert info["pid"] != os.getpid()
    assert info["subreaper"] is True
    assert results["ok"]["rc"] == 0
    if os.geteuid() == 0 and os.access("/sys/fs/cgroup/pids", os.W_OK):
        assert info["pids_cgroup"] is True, info
    else:
        assert info["pids_cgroup"] is False and info["pids_cgroup_reason"], info


def test_hang_is_killed_at_its_timeout(env: Environment, tmp_path: Path) -> None:
    path, marker = _script(tmp_path, "import time\nprint('started', flush=True)\ntime.sleep(600)\n")
    t0 = time.monotonic()
    results, _ = run_jobs([{"name": "hang", "argv": [sys.executable, path], "timeout": 1.0}],
                          1, env)
    wall = time.monotonic() - t0
    out = results["hang"]
    assert out["timed_out"] is True
    assert out["signal"] == 9
    assert 950 <= out["ms"] < 2500
    assert wall < 4
    assert out["stdout"] == "started\n"
    assert _alive_with(marker) == []


def test_segfault_is_reported_without_a_core_dump(env: Environment, tmp_path: Path) -> None:
    path, _ = _script(tmp_path, "import ctypes\nctypes.string_at(0)\n")
    results, _ = run_jobs([{"name": "crash", "argv": [sys.executable, path], "timeout": 5,
                            "cwd": str(tmp_path)}], 1, env)
    out = results["crash"]
    assert out["signal"] == 11 and out["rc"] is None and not out["timed_out"]
    assert out["ms"] < 3000
    assert not [p for p in tmp_path.iterdir() if p.name.startswith("core")]


def test_fork_storm_of_200_sleepers_is_capped_and_swept(env: Environment, tmp_path: Path) -> None:
    path, marker = _script(tmp_path, """
        import os, time
        made = 0
        for _ in range(200):
            try:
                pid = os.fork()
            except OSError:
                break
            if pid == 0:
                os.setsid()          # leave the probe's process group
                time.sleep(600)
                os._exit(0)
            made += 1
        print(made, flush=True)
    """)
    t0 = time.monotonic()
    results, info = run_jobs([{"name": "storm", "argv": [sys.executable, path], "timeout": 5,
                               "max_pids": 50}], 1, env)
    wall = time.monotonic() - t0
    out = results["storm"]
    made = int(out["stdout"].split()[0])
    if os.geteuid() == 0 and not info["pids_cgroup"]:
        assert made == 200  # RLIMIT_NPROC does not bind root: only the sweep helps
    else:
        # a pids cgroup (root) or RLIMIT_NPROC (others, counting all their processes)
        assert made < 200
    if made:
        assert out["swept"] >= 1  # setsid()ed children escaped killpg and were swept
    assert wall < 5
    assert _alive_with(marker) == []


def test_fork_storm_without_a_cap_is_still_swept(env: Environment, tmp_path: Path) -> None:
    path, marker = _script(tmp_path, """
        import os, time
        for _ in range(200):
            if os.fork() == 0:
                os.setsid()
                time.sleep(600)
                os._exit(0)
        print("200", flush=True)
    """)
    results, _ = run_jobs([{"name": "storm", "argv": [sys.executable, path], "timeout": 10,
                            "max_pids": 400}], 1, env)
    out = results["storm"]
    assert out["stdout"].strip() == "200"
    assert out["swept"] >= 150
    assert _alive_with(marker) == []


def test_detached_grandchild_holding_the_output_does_not_block(env: Environment,
                                                              tmp_path: Path) -> None:
    path, marker = _script(tmp_path, """
        import os, sys, time
        if os.fork() == 0:
            os.setsid()
            if os.fork() == 0:       # the grandchild keeps stdout open and sleeps
                time.sleep(600)
            os._exit(0)
        print('{"probe": "x", "facts": {}}', flush=True)
    """)
    t0 = time.monotonic()
    results, _ = run_jobs([{"name": "detach", "argv": [sys.executable, path], "timeout": 5}],
                          1, env)
    wall = time.monotonic() - t0
    out = results["detach"]
    assert out["rc"] == 0 and out["stdout"].startswith('{"probe"')
    assert out["ms"] < 2000 and wall < 3
    assert out["swept"] >= 1
    assert _alive_with(marker) == []


@pytest.fixture(scope="module")
def seed_result(tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("seed")
    (root / "li clone.md").write_bytes(SEED.read_bytes())
    return load([root])


def _with_fork_probe(script: str, timeout: float = 10.0) -> tuple[ProbeSpec, ...]:
    bad = ProbeSpec("fork-bad", "fork", "python", script, ("fork.",), timeout=timeout)
    return tuple(bad if p.name == "fork" else p for p in PROBES)


FORK_CHECKS = {"fork.duplicates-caller", "fork.child-own-pid-separate-memory",
               "fork.returns-child-pid", "fork.knows-ppid"}


_FORK_FACTS_JSON = (
    "import json\nkeys = ['fork.returns_child_pid', 'fork.child_pid_differs', "
    "'fork.child_knows_ppid', 'fork.memory_same_content', 'fork.memory_separate', "
    "'fork.duplicates_caller']\n"
    "print(json.dumps({'probe': 'x', 'facts': {k: {'value': True, 'valid': True, "
    "'evidence': {}} for k in keys}}), flush=True)\n")


@pytest.mark.parametrize("kind", ["hang", "segfault", "garbage", "storm", "detach"])
def test_a_misbehaving_probe_makes_only_its_claims_inconclusive(kind: str, seed_result,
                                                                tmp_path: Path) -> None:
    body = {
        "hang": "import time\ntime.sleep(600)\n",
        "segfault": "import ctypes\nctypes.string_at(0)\n",
        "garbage": "print('not json')\n",
        "storm": "import os, time\nfor _ in range(200):\n    if os.fork() == 0:\n"
                 "        time.sleep(600)\n        os._exit(0)\ntime.sleep(600)\n",
        # prints plausible facts, but leaves a setsid()ed grandchild holding its stdout
        "detach": "import os, time\nif os.fork() == 0:\n    os.setsid()\n"
                  "    if os.fork() == 0:\n        time.sleep(600)\n    os._exit(0)\n"
                  "os.wait()\n" + _FORK_FACTS_JSON,
    }[kind]
    path, marker = _script(tmp_path, body)
    t0 = time.monotonic()
    report = verify_notes(seed_result, probes=_with_fork_probe(path, timeout=1.0))
    wall = time.monotonic() - t0
    verdicts = {r.claim.check: r for r in report.claims}
    assert len(verdicts) == 12
    for check, r in verdicts.items():
        if check in FORK_CHECKS:
            assert r.verdict == "inconclusive", (check, r.evidence)
            assert "fork-bad" in r.evidence["reason"]
        else:
            assert r.verdict == "verified", (check, r.evidence)
    reason = verdicts["fork.returns-child-pid"].evidence["reason"]
    expect = {"hang": "timed out", "segfault": "signal 11", "garbage": "no JSON",
              # the pids cgroup (root) or RLIMIT_NPROC stops the storm: fork() fails
              "storm": "timed out|Resource temporarily unavailable",
              "detach": "left 1 process"}[kind]
    assert re.search(expect, reason), reason
    assert wall < 5
    assert _alive_with(marker) == []


def test_a_lying_probe_fails_its_self_test(seed_result, tmp_path: Path) -> None:
    """A probe whose facts are all the opposite is caught by the start-up self-test: its
    verdicts are inconclusive, never refuted."""
    path, _ = _script(tmp_path, """
        import json
        keys = ["fork.returns_child_pid", "fork.returns_zero_in_child", "fork.child_pid_differs",
                "fork.child_knows_ppid", "fork.memory_same_content", "fork.memory_separate",
                "fork.duplicates_caller", "fork.only_calling_thread"]
        print(json.dumps({"probe": "liar", "facts": {
            k: {"value": False, "valid": True, "evidence": {}} for k in keys}}))
    """)
    report = verify_notes(seed_result, probes=_with_fork_probe(path))
    fork = [r for r in report.claims if r.claim.check in FORK_CHECKS]
    assert fork and all(r.verdict == "inconclusive" for r in fork)
    assert "self-test" in fork[0].evidence["reason"]
    assert report.summary["refuted"] == 0
    info = {p["name"]: p for p in report.probes}
    assert info["fork-bad"]["ok"] is False and info["fork-bad"]["selftest_failures"]


def test_a_disagreeing_second_implementation_makes_facts_inconclusive(seed_result,
                                                                      tmp_path: Path) -> None:
    """The C clone probe is cross-checked by the Python one: when they disagree the fact is
    inconclusive, so one buggy implementation can never refute a true card."""
    env = Environment.detect()
    if env.cc is None:
        pytest.skip("no C compiler: the C clone probe does not run")
    path, _ = _script(tmp_path, """
        import json
        flags = ["CLONE_VM", "CLONE_FS", "CLONE_FILES", "CLONE_SIGHAND"]
        res = ["memory", "fs", "files", "sighand"]
        facts = {f"clone.shares.{f}.{r}": {"value": False, "valid": True, "evidence": {}}
                 for f in flags for r in res}
        print(json.dumps({"probe": "liar", "facts": facts}))
    """)
    liar = ProbeSpec("clone-py", "clone", "python", path, ("clone.",))
    probes = tuple(liar if p.name == "clone-py" else p for p in PROBES)
    report = verify_notes(seed_result, env=env, probes=probes)
    by = {r.claim.check: r for r in report.claims}
    for check in ("clone.fs-shared", "clone.vm-shared", "clone.sighand-shared",
                  "clone.files-shared"):
        assert by[check].verdict == "inconclusive", by[check].evidence
        assert "implementations disagree" in by[check].evidence["reason"]
    assert by["clone.upgraded-fork"].verdict == "verified"  # the liar does not report it
    assert report.summary["refuted"] == 0


def test_killing_the_verifier_kills_the_runner_and_its_probes(tmp_path: Path) -> None:
    """A verifier killed mid-run (Ctrl-C, CI timeout) leaves no probe behind: the runner gets
    SIGTERM through PR_SET_PDEATHSIG and kills its probes (which have PDEATHSIG too)."""
    import subprocess

    path, marker = _script(tmp_path, "import time\nprint('up', flush=True)\ntime.sleep(600)\n")
    driver = tmp_path / "driver.py"
    driver.write_text(textwrap.dedent(f"""
        from mkdeck.verify.engine import run_jobs
        from mkdeck.verify.probeset import Environment
        run_jobs([{{"name": "hang", "argv": [{sys.executable!r}, {path!r}], "timeout": 60}}],
                 1, Environment.detect())
    """))
    proc = subprocess.Popen([sys.executable, str(driver)])
    try:
        deadline = time.monotonic() + 10
        while not _alive_with(marker) and time.monotonic() < deadline:
            time.sleep(0.02)
        assert _alive_with(marker), "the probe never started"
    finally:
        proc.kill()
        proc.wait()
    deadline = time.monotonic() + 5
    while _alive_with(marker) and time.monotonic() < deadline:
        time.sleep(0.02)
    assert _alive_with(marker) == []
