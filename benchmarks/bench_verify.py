"""Wall time of ``mkdeck verify`` for the seed note and for the shipped ``cards/`` vault.

Targets (issue 5): seed <= 1 s with the C probe cache warm; cards/ <= 3 s on 2 cores.
Run: ``.venv/bin/python benchmarks/bench_verify.py [--runs N] [--jobs N]``. Prints figures;
asserts nothing. The first run of each vault warms the C probe cache and is not counted.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from mkdeck.app.load import load
from mkdeck.verify import verify_notes

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "tests" / "data" / "seed" / "li clone.md"
CARDS = ROOT / "cards"


def bench(name: str, path: Path, runs: int, jobs: int | None) -> None:
    verify_notes(load([path]), jobs=jobs)  # warm the C probe cache
    walls, probe_ms = [], {}
    report = None
    for _ in range(runs):
        t0 = time.perf_counter()
        report = verify_notes(load([path]), jobs=jobs)
        walls.append(time.perf_counter() - t0)
        for p in report.probes:
            probe_ms.setdefault(p["name"], []).append(p["ms"])
    assert report is not None
    print(f"{name}: {len(report.claims)} claims {report.summary}, "
          f"{len(report.unchecked)} unchecked, {len(probe_ms)} probes")
    print(f"  wall (load + verify, jobs={jobs or 'cpu count'}): "
          f"median {statistics.median(walls):.3f} s, min {min(walls):.3f} s, "
          f"max {max(walls):.3f} s over {runs} runs")
    slow = sorted(((statistics.median(v), k) for k, v in probe_ms.items()), reverse=True)
    print("  probe wall (median ms): " + ", ".join(f"{k} {ms:.0f}" for ms, k in slow))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--runs", type=int, default=10)
    ap.add_argument("--jobs", type=int, default=None)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        seed_dir = Path(tmp) / "seed"
        seed_dir.mkdir()
        shutil.copy(SEED, seed_dir / SEED.name)
        bench("seed (li clone.md)", seed_dir, args.runs, args.jobs)
    if CARDS.is_dir():
        bench("cards/", CARDS, args.runs, args.jobs)
    else:
        print("cards/: not there yet")
    return 0


if __name__ == "__main__":
    sys.exit(main())
