"""Peak memory of a cold ``mkdeck build`` (issue 15's target: at most 400 MB at 100,000 cards,
both as the largest process's RSS and as PSS summed over mkdeck and its workers).

Run from the repository root::

    .venv/bin/python benchmarks/bench_memory.py                   # 100,000 cards
    .venv/bin/python benchmarks/bench_memory.py --cards 20000 --stages

The vault is ``gen_vault.generate(..., distinct_code=True)`` (every card its own code block).
Two builds run, each a fresh process with ``--no-cache`` (no cache of any kind): with
``--no-state`` and with the sync state (a first build: no state file yet; the vault is
copied, so the state written never reaches the next run). Each prints the largest RSS of
the build's processes (``wait4(2)``'s ``ru_maxrss``) and the PSS summed over mkdeck and its
workers, sampled every 50 ms from ``/proc/PID/smaps_rollup`` (``bench_build.run_child``),
with wall and CPU time and the load average: on a busy machine the sampled PSS may miss a
short peak, the RSS never does.

``--stages`` also runs the build's stages in one process (load, render, plan, the state,
write, as ``app.build`` runs them) and prints the RSS after each (``/proc/self/statm``) and
its high-water mark (``VmHWM``): where the memory goes. Nothing is asserted.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))
import bench_build  # noqa: E402
import gen_vault  # noqa: E402

PYTHON = sys.executable

STAGES = r'''
import gc, os, sys
gc.disable()  # as app.build runs every stage (app.load.gc_paused)
vault, out, state = sys.argv[1], sys.argv[2], sys.argv[3] == "state"

def mark(name):
    with open("/proc/self/statm") as fh:
        rss = int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
    with open("/proc/self/status") as fh:
        hwm = next(int(l.split()[1]) for l in fh if l.startswith("VmHWM")) / 1024
    print(f"  {name:10} RSS {rss:6.0f} MB   high-water {hwm:6.0f} MB", flush=True)

from mkdeck.app.load import load
from mkdeck.export.apkg import write_package
from mkdeck.export.plan import plan_export, time_cap
from mkdeck.render import note_type_css
from mkdeck.render.parallel import render_parallel
mark("imports")
env = dict(os.environ)
import inspect  # as app.build loads (an older checkout, for a baseline, has no pack_texts)
packs = "pack_texts" in inspect.signature(load).parameters
result = load([vault], pack_texts=True) if packs else load([vault])
mark("load")
rendered, _ = render_parallel(result, jobs=1)
mark("render")
css = note_type_css()
plan = plan_export(rendered, vault=result.vault, css=css, environ=env)
mark("plan")
sync = None
if state:
    from mkdeck.export.sync import reconcile, save_state
    plan, sync, _ = reconcile(result, rendered, plan, css=css, build_time=time_cap(environ=env))
    mark("state")
write_package(plan, out)
mark("write")
if sync is not None:
    save_state(result.vault.root, sync)
    mark("save state")
'''


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cards", type=int, default=100_000)
    parser.add_argument("--stages", action="store_true",
                        help="also print the RSS after each stage, in one process")
    args = parser.parse_args(argv)

    work = Path(tempfile.mkdtemp(prefix="mkdeck-mem-"))
    try:
        vault = gen_vault.generate(work / "vault", cards=args.cards, distinct_code=True)
        env = dict(os.environ, XDG_CACHE_HOME=str(work / "cache"),
                   SOURCE_DATE_EPOCH="1700000000")
        print(f"cold build of {args.cards} cards, every card its own code block; "
              f"{len(os.sched_getaffinity(0))} CPUs")
        for label, extra in (("--no-state", ["--no-state"]), ("with the sync state", [])):
            target = vault
            if not extra:  # a copy: the state this build writes stays out of the next run
                target = work / "vault-state"
                shutil.copytree(vault, target)
            cmd = [PYTHON, "-m", "mkdeck", "build", str(target), "-q", "-o",
                   str(work / "out.apkg"), "--no-cache", *extra]
            wall, cpu, rss, pss = bench_build.run_child(cmd, env, pss=True)
            load = os.getloadavg()
            print(f"{label:20} largest RSS {rss / 1024:5.0f} MB   PSS summed {pss / 1024:5.0f} MB"
                  f"   (target <= 400 MB both)   wall {wall:6.1f} s   CPU {cpu:6.1f} s   "
                  f"load {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}")
            if args.stages:
                if not extra:
                    (target / ".mkdeck-state").unlink(missing_ok=True)
                subprocess.run([PYTHON, "-c", STAGES, str(target), str(work / "stages.apkg"),
                                "nostate" if extra else "state"], env=env, check=True,
                               cwd=ROOT)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
