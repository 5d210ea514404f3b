"""Benchmark the hostile inputs of issue 13 that took quadratic time: ``mkdeck ids`` on N
inline cards on one line (8,000: 122 s before), ``mkdeck dump`` with N wikilinks on one line
(64,000: 22 s before), and the vault reader on a folder tree N deep. Each is timed at N and
8·N in the same run; linear time gives a CPU ratio near 8 (quadratic: near 64).

Run from the repository root::

    .venv/bin/python benchmarks/bench_hostile.py [--runs 3] [--n 1000]

Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import gc
import os
import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from mkdeck.app import load as pipeline
from mkdeck.app.dump import dump_document
from mkdeck.app.ids import give_ids
from mkdeck.config import load_config
from mkdeck.vault.read import walk


def cpu_of(runs: int, fn: Callable[[], object]) -> float:
    """Best CPU time (``process_time``: less disturbed by other load) of ``runs`` calls."""
    best = float("inf")
    for _ in range(runs):
        gc.collect()
        start = time.process_time()
        fn()
        best = min(best, time.process_time() - start)
    return best


def inline_line(n: int) -> str:
    return " ".join(f"STARTI [Basic] q{i} Back: a ENDI" for i in range(n)) + "\n"


def links_note(n: int) -> str:
    return "START\nBasic\nq\nBack: " + " ".join(f"[[n{i}]]" for i in range(n)) + "\nEND\n"


def deep_tree(top: Path, depth: int) -> None:
    fd = os.open(top, os.O_RDONLY)
    for _ in range(depth):
        os.mkdir("d", dir_fd=fd)
        nfd = os.open("d", os.O_RDONLY, dir_fd=fd)
        os.close(fd)
        fd = nfd
    os.close(fd)


def remove_chain(top: Path) -> None:
    """Remove the chain ``d/d/…`` under ``top`` bottom-up through folder descriptors."""
    stack = [os.open(top, os.O_RDONLY | os.O_DIRECTORY)]
    while True:
        try:
            stack.append(os.open("d", os.O_RDONLY | os.O_DIRECTORY, dir_fd=stack[-1]))
        except FileNotFoundError:
            break
    while len(stack) > 1:
        os.close(stack.pop())
        os.rmdir("d", dir_fd=stack[-1])
    os.close(stack[0])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--n", type=int, default=1000, help="the small size (the big is 8x)")
    args = parser.parse_args(argv)
    sizes = (args.n, 8 * args.n)
    with tempfile.TemporaryDirectory(prefix="mkdeck-bench-hostile-") as tmp:
        work = Path(tmp)
        config, _ = load_config(work)
        rows = []
        ids = {n: cpu_of(args.runs, lambda n=n: give_ids(inline_line(n), "a.md", config, set()))
               for n in sizes}
        rows.append(("ids, N inline cards on one line", ids))
        dumps = {}
        for n in sizes:
            vault = work / f"links{n}"
            vault.mkdir()
            (vault / "a.md").write_text(links_note(8 * n))
            dumps[8 * n] = cpu_of(args.runs, lambda v=vault: dump_document(
                pipeline.load([str(v)])))
        rows.append(("dump, N wikilinks on one line", dumps))
        walks = {}
        for n in sizes:
            top = work / f"deep{n}"
            top.mkdir()
            deep_tree(top, min(n, 1500))
            walks[min(n, 1500)] = cpu_of(args.runs, lambda t=top: walk(t))
        rows.append(("vault walk, a tree N deep", walks))
        for name, timing in rows:
            (small, t_small), (big, t_big) = sorted(timing.items())
            print(f"{name}: N={small} {t_small * 1000:.0f} ms, N={big} {t_big * 1000:.0f} ms, "
                  f"ratio {t_big / t_small:.1f} for {big / small:.0f}x the size")
        for p in sorted(work.glob("deep*")):  # shutil.rmtree recurses once per level
            remove_chain(p)
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
