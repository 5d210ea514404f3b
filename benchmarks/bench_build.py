"""Benchmark ``mkdeck build`` against its peers and itself (issue 15's table), as ratios.

Run from the repository root::

    .venv/bin/python benchmarks/bench_build.py                  # 10,000 cards, 5 rounds
    .venv/bin/python benchmarks/bench_build.py --rounds 7 --memory-cards 100000

The vault (``gen_vault.generate(..., distinct_code=True)``) gives every card its own code
block in one of six languages: with repeated blocks a per-block highlight cache makes
Pygments look free, while real vaults pay for it on every block. The same cards are written
in ankdown's format for ankdown.

Every command runs in a fresh process; one round runs each of them once, the rounds
interleaved so that other load on the machine hits all alike, after one warm-up round that
is not counted. Each figure is the median over the rounds of wall time and CPU time (user +
system of the process and the workers it reaped, ``wait4(2)``), given as a ratio to its
baseline in the same run:

* **cold**: ``mkdeck build VAULT -o OUT --no-cache`` (no cache of any kind);
* **ankdown --highlight** and **ankdown** (0.7.1 from PyPI, installed at run time into a
  venv under ``benchmarks/out/``, never a dependency of mkdeck): the fastest peer;
* **floor**: one process reading the same files, cutting the same blocks, rendering every
  field with markdown-it-py (``commonmark`` + table + dollarmath, no highlighting) and
  writing with genanki;
* **edit one note**: the vault built once with the caches on (not counted), one card's
  back edited (a word, same lines), then built again with the caches;
* **nothing changed**: that build once more (the build cache serves the package);
* **watch, edit one note**: what ``mkdeck watch`` does after a save: one process that keeps
  a :class:`mkdeck.app.session.BuildSession` (built once, not counted) rebuilds its own copy
  of the vault after the same edit; the wall and CPU time of that rebuild alone (the
  debounce before it is the user's setting, not build time);
* **peak memory** at ``--memory-cards`` (default 100,000) cards: the largest RSS of the
  build's processes (``wait4``) and the PSS summed over mkdeck and its workers
  (``/proc/PID/smaps_rollup``, sampled every 50 ms), for a cold build with ``--no-state``
  and one with the sync state (``benchmarks/bench_memory.py`` runs only these, and can
  print the RSS after each stage).

mkdeck's own modules are compiled to bytecode first (``compileall``), as a wheel install
does: an editable checkout run with ``PYTHONDONTWRITEBYTECODE`` would otherwise compile them
again in every process (0.25 s of CPU per run, which flatters no one).

Targets (issues 15 and 16) are printed beside the figures, never asserted. The load average is
printed with the figures: on a busy machine only the ratios mean something.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "benchmarks" / "out"
PYTHON = sys.executable
ANKDOWN_VERSION = "0.7.1"

sys.path.insert(0, str(ROOT / "benchmarks"))
import gen_vault  # noqa: E402

FLOOR = r'''
import re, sys
from pathlib import Path
from markdown_it import MarkdownIt
from mdit_py_plugins.dollarmath import dollarmath_plugin
import genanki

vault, out = Path(sys.argv[1]), sys.argv[2]
md = MarkdownIt("commonmark", {"breaks": True}).enable("table").use(dollarmath_plugin)
block = re.compile(r"^START\n(.*?)\n^END$", re.M | re.S)
basic = genanki.Model(1607392319, "Floor Basic", fields=[{"name": "Front"}, {"name": "Back"}],
                      templates=[{"name": "Card 1", "qfmt": "{{Front}}",
                                  "afmt": "{{FrontSide}}<hr id=answer>{{Back}}"}])
deck = genanki.Deck(2059400110, "Floor")
for path in sorted(vault.rglob("*.md")):
    for m in block.finditer(path.read_text("utf-8")):
        body = [l for l in m.group(1).split("\n")[1:] if not l.startswith(("Tags:", "<!--ID:"))]
        front, _, back = "\n".join(body).partition("\nBack:")
        deck.add_note(genanki.Note(model=basic, fields=[md.render(front), md.render(back)]))
genanki.Package(deck).write_to_file(out, timestamp=1700000000)
'''


WATCH = r'''
import resource, sys, time
from mkdeck.app.build import build
from mkdeck.app.session import BuildSession

vault, out = sys.argv[1], sys.argv[2]
session = BuildSession()


def cpu() -> float:
    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


for line in sys.stdin:  # one build per line, as mkdeck watch after each batch of saves
    wall, used = time.perf_counter(), cpu()
    build([vault], out, session=session)
    print(f"{time.perf_counter() - wall} {cpu() - used}", flush=True)
'''


class WatchChild:
    """A long-running process building one vault with one ``BuildSession`` (see
    :data:`WATCH`); :meth:`rebuild` returns ``(wall s, CPU s)`` of one build."""

    def __init__(self, vault: Path, out: Path, env: dict[str, str]) -> None:
        self.proc = subprocess.Popen([PYTHON, "-c", WATCH, str(vault), str(out)], env=env,
                                     cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     text=True)

    def rebuild(self) -> tuple[float, float]:
        """Build once more; ``(wall, CPU)`` seconds."""
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write("build\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        if not line:
            raise SystemExit(f"the watch process died ({self.proc.wait()})")
        wall, cpu = map(float, line.split())
        return wall, cpu

    def close(self) -> None:
        """End the process."""
        if self.proc.stdin is not None:
            self.proc.stdin.close()
        self.proc.wait()


def run_child(argv: list[str], env: dict[str, str] | None = None,
              pss: bool = False) -> tuple[float, float, int, int]:
    """Run ``argv``; return ``(wall s, CPU s, peak RSS KiB, peak summed PSS KiB)``. The PSS
    is sampled (only with ``pss``) over the process and its children."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            env=env, cwd=ROOT)
    peak_pss = 0
    stop = threading.Event()

    def sample() -> None:
        nonlocal peak_pss
        while not stop.wait(0.05):
            peak_pss = max(peak_pss, _tree_pss(proc.pid))

    sampler = threading.Thread(target=sample, daemon=True)
    if pss:
        sampler.start()
    assert proc.stderr is not None
    err = proc.stderr.read().decode("utf-8", "replace")
    _, status, usage = os.wait4(proc.pid, 0)
    stop.set()
    wall = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 1):
        raise SystemExit(f"{' '.join(argv)} failed ({code}):\n{err[-3000:]}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss, peak_pss


def _tree_pss(pid: int) -> int:
    """PSS in KiB of ``pid`` and its children (one level: mkdeck's render workers)."""
    pids = [pid]
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as fh:
            pids += [int(x) for x in fh.read().split()]
    except OSError:
        return 0
    total = 0
    for p in pids:
        try:
            with open(f"/proc/{p}/smaps_rollup") as fh:
                for line in fh:
                    if line.startswith("Pss:"):
                        total += int(line.split()[1])
                        break
        except OSError:
            pass
    return total


def ankdown_venv() -> Path | None:
    """``ankdown`` installed (once) into a venv under benchmarks/out/; ``None`` if pip cannot
    install it (the rows against it are then left out)."""
    venv = OUT / "ankdown-venv"
    exe = venv / "bin" / "ankdown"
    if not exe.exists():
        subprocess.run([PYTHON, "-m", "venv", str(venv)], check=True)
        done = subprocess.run([str(venv / "bin" / "pip"), "install", "-q",
                               f"ankdown=={ANKDOWN_VERSION}"], capture_output=True, text=True)
        if done.returncode != 0:
            print("ankdown could not be installed:", done.stderr[-500:])
            return None
    return exe


def compile_bytecode() -> None:
    """Compile mkdeck's modules to ``__pycache__`` (as a wheel install does), even under
    ``PYTHONDONTWRITEBYTECODE``: ``compileall`` writes them regardless."""
    subprocess.run([PYTHON, "-m", "compileall", "-q", str(ROOT / "src" / "mkdeck")],
                   check=True)


def _edit_one(vault: Path, n: int) -> None:
    """Change one word of one card's back (same number of lines)."""
    path = sorted(vault.rglob("*.md"))[len(list(vault.rglob("*.md"))) // 2]
    text = path.read_text("utf-8")
    old, new = ("- ", f"- edit{n} ") if n == 0 else (f"- edit{n - 1} ", f"- edit{n} ")
    path.write_text(text.replace(old, new, 1), "utf-8")


def _med(xs: list[float]) -> float:
    return statistics.median(xs)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cards", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--memory-cards", type=int, default=100_000,
                        help="cards of the memory row (0: leave it out)")
    parser.add_argument("--no-peers", action="store_true", help="leave ankdown out")
    args = parser.parse_args(argv)

    work = Path(tempfile.mkdtemp(prefix="mkdeck-bench-"))
    watcher = None
    try:
        compile_bytecode()
        vault = gen_vault.generate(work / "vault", cards=args.cards, distinct_code=True)
        watched = gen_vault.generate(work / "watched" / "vault", cards=args.cards,
                                     distinct_code=True)
        ank_dir = gen_vault.write_ankdown(vault, work / "ankdown")
        ankdown = None if args.no_peers else ankdown_venv()
        env_cold = dict(os.environ, XDG_CACHE_HOME=str(work / "cold-cache"))
        env_inc = dict(os.environ, XDG_CACHE_HOME=str(work / "inc-cache"))
        mk = [PYTHON, "-m", "mkdeck", "build", str(vault), "-q"]
        commands: dict[str, tuple[list[str], dict[str, str] | None]] = {
            "cold": ([*mk, "-o", str(work / "cold.apkg"), "--no-cache"], env_cold),
            "floor": ([PYTHON, "-c", FLOOR, str(vault), str(work / "floor.apkg")], None),
        }
        if ankdown is not None:
            for name, extra in (("ankdown --highlight", ["--highlight"]), ("ankdown", [])):
                commands[name] = ([str(ankdown), "-r", str(ank_dir), "-p",
                                   str(work / "ankdown.apkg"), *extra], None)
        inc_cmd = [*mk, "-o", str(work / "inc.apkg")]
        results: dict[str, list[tuple[float, float, int, int]]] = {
            k: [] for k in [*commands, "edit one note", "nothing changed",
                            "watch, edit one note"]}
        run_child(inc_cmd, env_inc)  # fills the caches
        env_watch = dict(os.environ, XDG_CACHE_HOME=str(work / "watch-cache"))
        watcher = WatchChild(watched, work / "watched.apkg", env_watch)
        watcher.rebuild()  # its first build (cold caches): what `mkdeck watch` starts with
        for rnd in range(args.rounds + 1):  # round 0 warms up the page cache and pyc files
            for name, (cmd, env) in commands.items():
                r = run_child(cmd, env)
                if rnd:
                    results[name].append(r)
            _edit_one(vault, rnd)
            r1 = run_child(inc_cmd, env_inc)
            r2 = run_child(inc_cmd, env_inc)
            _edit_one(watched, rnd)
            w = watcher.rebuild()
            if rnd:
                results["edit one note"].append(r1)
                results["nothing changed"].append(r2)
                results["watch, edit one note"].append((*w, 0, 0))
        load = os.getloadavg()

        wall = {k: _med([x[0] for x in v]) for k, v in results.items()}
        cpu = {k: _med([x[1] for x in v]) for k, v in results.items()}
        print(f"vault: {args.cards} cards, every card its own code block; {args.rounds} rounds "
              f"+ 1 warm-up, medians; {len(os.sched_getaffinity(0))} CPUs, load average "
              f"{load[0]:.1f} {load[1]:.1f} {load[2]:.1f} at the end")
        for k in results:
            print(f"  {k:22} wall {wall[k]:7.2f} s   CPU {cpu[k]:7.2f} s")

        def row(label: str, a: str, b: str, target: str) -> None:
            if a in wall and b in wall:
                print(f"{label:42} wall {wall[a] / wall[b]:5.2f}x  CPU {cpu[a] / cpu[b]:5.2f}x"
                      f"   (target {target})")

        print("ratios (same run):")
        row("cold build vs ankdown --highlight", "cold", "ankdown --highlight", "<= 1.0x")
        row("cold build vs ankdown (no highlighting)", "cold", "ankdown", "report")
        row("cold build vs the floor", "cold", "floor", "report")
        row("rebuild after editing one note vs cold", "edit one note", "cold", "<= 0.15x")
        row("rebuild with nothing changed vs cold", "nothing changed", "cold", "<= 0.05x")
        row("watch: edit one note, rebuild vs cold", "watch, edit one note", "cold",
            f"well under 1 s: here {wall['watch, edit one note']:.2f} s wall, "
            f"{cpu['watch, edit one note']:.2f} s CPU")

        if args.memory_cards:
            big = gen_vault.generate(work / "big", cards=args.memory_cards, distinct_code=True)
            env_big = dict(os.environ, XDG_CACHE_HOME=str(work / "big-cache"))
            for extra in (["--no-state"], []):  # the state's build last: it writes one
                w, c, rss, pss = run_child([PYTHON, "-m", "mkdeck", "build", str(big), "-q",
                                            "-o", str(work / "big.apkg"), "--no-cache", *extra],
                                           env_big, pss=True)
                load = os.getloadavg()
                print(f"peak memory, cold build of {args.memory_cards} cards"
                      f"{', --no-state' if extra else ', with the sync state'}: largest "
                      f"process RSS {rss / 1024:.0f} MB, PSS summed over mkdeck and its workers "
                      f"{pss / 1024:.0f} MB (target <= 400 MB both); wall {w:.1f} s, CPU "
                      f"{c:.1f} s, load {load[0]:.1f}")
    finally:
        if watcher is not None:
            watcher.close()
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
