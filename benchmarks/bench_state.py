"""Benchmark the sync state's cost: cold builds of the 10,000-card vault with and without it.

Run from the repository root::

    .venv/bin/python benchmarks/bench_state.py                 # 10,000 cards, 5 rounds
    .venv/bin/python benchmarks/bench_state.py --cards 2000 --rounds 3

Each round runs, in a fresh process each and in this order (interleaved, so load on the
machine hits all alike), ``mkdeck build VAULT -o OUT --no-cache``:

* **no state**: with ``--no-state`` (neither read nor written: the rules of a build without
  a state);
* **first build**: the state file deleted first, so the build matches nothing and writes it;
* **up-to-date state**: the state file a previous build wrote is read, every card matched,
  and (unchanged) not rewritten;
* **one front edited**: a card without ID comment had its first field edited since the
  state was written (the similarity matching runs).

Then, in this process, the state's own CPU time against a whole cold build's (see
:func:`breakdown`): the steadier figure on a shared machine.

Prints the median wall and CPU time (user + system, children included) of each, and each
one's ratio to **no state** (issue 12's target: ≤ 1.05 for the cold builds). Reported, never
asserted.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

from gen_vault import generate

STATE = ".mkdeck-state"


def run_build(vault: Path, out: Path, *extra: str) -> tuple[float, float]:
    """``mkdeck build`` in a fresh process; return ``(wall s, CPU s)``."""
    env = dict(os.environ, XDG_CACHE_HOME=str(out.parent / "xdg"))
    env.pop("SOURCE_DATE_EPOCH", None)
    argv = [sys.executable, "-m", "mkdeck", str(vault), "-o", str(out), "--no-cache", *extra]
    start = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env,
                            cwd=ROOT)
    assert proc.stderr is not None
    err = proc.stderr.read().decode("utf-8", "replace")
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 1):
        raise SystemExit(f"{' '.join(argv)} failed ({code}):\n{err}")
    return wall, usage.ru_utime + usage.ru_stime


def breakdown(vault: Path, out: Path) -> dict[str, float]:
    """In this process: CPU seconds of a whole cold build without the state (one rendering
    process; the smaller of 2 runs), and of the state's own work in it (read, match, digest,
    serialize, write; the smallest of 5 runs) with no state file and with an up-to-date one.
    Less noisy than whole-process timings on a busy machine: measured in one process, back
    to back, each the minimum of its runs (load on the machine only ever adds time)."""
    from mkdeck.app.load import load
    from mkdeck.export.apkg import write_package
    from mkdeck.export.plan import plan_export, time_cap
    from mkdeck.export.sync import reconcile, save_state
    from mkdeck.render import note_type_css, render_notes

    cpu = time.process_time
    build_cpu = float("inf")
    for _ in range(2):  # the smaller of two: load on the machine only ever adds
        t0 = cpu()
        result = load([vault])
        rendered, _ = render_notes(result)
        css = note_type_css()
        plan = plan_export(rendered, vault=result.vault, css=css)
        write_package(plan, out)
        build_cpu = min(build_cpu, cpu() - t0)
    figures = {"cold build without state": build_cpu}
    saved = (vault / STATE).read_bytes()
    for label, present in (("state work, first build", False),
                           ("state work, up-to-date state", True)):
        best = float("inf")
        for _ in range(5):
            if present:
                (vault / STATE).write_bytes(saved)
            else:
                (vault / STATE).unlink()
            t0 = cpu()
            _plan, report, _ = reconcile(result, rendered, plan, css=css,
                                         build_time=time_cap())
            assert report is not None
            save_state(str(vault), report)
            best = min(best, cpu() - t0)
        figures[label] = best
    (vault / STATE).write_bytes(saved)
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--cards", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="mkdeck-bench-state-") as tmp:
        base = Path(tmp)
        vault = generate(base / "vault", cards=args.cards)
        # a vault whose cards have no ID comment, so matching has work to do
        for note in vault.rglob("*.md"):
            text = note.read_text("utf-8")
            lines = [ln for ln in text.split("\n") if not ln.startswith("<!--ID:")]
            st = note.stat()
            note.write_text("\n".join(lines), "utf-8")
            os.utime(note, (st.st_atime, st.st_mtime))
        out = base / "out.apkg"
        run_build(vault, out)  # warm-up; writes the state
        first_note = min(vault.rglob("*.md"))
        original = first_note.read_text("utf-8")
        start = original.index("START\n")
        front_at = original.index("\n", original.index("\n", start) + 1) + 1
        edited = original[:front_at] + "Edited: " + original[front_at:]
        saved = (vault / STATE).read_bytes()
        kinds = ("no state", "first build", "up-to-date state", "one front edited")
        times: dict[str, list[tuple[float, float]]] = {k: [] for k in kinds}
        for _ in range(args.rounds):
            first_note.write_text(original, "utf-8")
            (vault / STATE).write_bytes(saved)
            times["no state"].append(run_build(vault, out, "--no-state"))
            (vault / STATE).unlink()
            times["first build"].append(run_build(vault, out))
            (vault / STATE).write_bytes(saved)
            times["up-to-date state"].append(run_build(vault, out))
            first_note.write_text(edited, "utf-8")
            (vault / STATE).write_bytes(saved)
            times["one front edited"].append(run_build(vault, out))
        size = len(saved)
        first_note.write_text(original, "utf-8")
        parts = breakdown(vault, base / "in-process.apkg")
    base_wall = statistics.median(w for w, _ in times["no state"])
    base_cpu = statistics.median(c for _, c in times["no state"])
    print(f"{args.cards} cards (no ID comments), {args.rounds} rounds, medians; "
          f"state file {size / 1e6:.1f} MB")
    print(f"{'build':<20} {'wall s':>8} {'cpu s':>8} {'wall ×':>8} {'cpu ×':>8}")
    for kind in kinds:
        wall = statistics.median(w for w, _ in times[kind])
        cpu = statistics.median(c for _, c in times[kind])
        print(f"{kind:<20} {wall:8.2f} {cpu:8.2f} {wall / base_wall:8.3f} {cpu / base_cpu:8.3f}")
    print("in one process (CPU s, and share of the cold build without state):")
    whole = parts["cold build without state"]
    for label, value in parts.items():
        print(f"  {label:<30} {value:8.3f} {value / whole:8.3f}")
    print("target (issue 12): cold build with the state ≤ 1.05× without")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
