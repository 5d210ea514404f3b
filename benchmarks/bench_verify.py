"""``mkdeck verify``: what it reads (issue 11) and how long it takes (issue 5).

1. The labelled statement set (``tests/data/verify/labelled.tsv``, written independently of
   the reader): the confusion matrix of label (true/false) against verdict. Targets (issue 11):
   false -> verified = 0, true -> refuted = 0, false -> refuted >= 80 %, true -> verified
   >= 85 %. Printed for the whole set, for the held-out half (rows whose base id has an odd
   CRC-32, ``tests/test_verify_reading.py::held_out``: a true statement and its false twins
   are in the same half; the reader's words and frames were tuned on the other half only),
   and for the rows some check reads: the verifier found a catalogue check whose key words
   match the statement (``claim.check is not None``), i.e. a probe measures what it is about.
2. The shipped ``cards/`` vault and the seed note: verdict counts (cards/: at least the 143
   verified statements of the key-word matcher was the target).
3. Wall time of load + verify for the seed and ``cards/`` (target: cards/ <= 3 s on 2 cores),
   against a baseline measured in the same run: the probe runner alone with the same probes.
   The machine's load average is printed: on a loaded machine the ratio is what compares.

Run: ``.venv/bin/python benchmarks/bench_verify.py [--runs N] [--jobs N] [--skip-labelled]``.
Prints figures; asserts nothing. The first run of each vault warms the C probe cache and is
not counted.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from mkdeck.app.load import load
from mkdeck.verify import verify_notes
from mkdeck.verify.catalogue import default_catalogue
from mkdeck.verify.engine import _run_probes, collect
from mkdeck.verify.probeset import PROBES, Environment

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))  # tests/conftest.py imports its sibling modules
from tests.test_verify_reading import held_out, labelled_vault  # noqa: E402  (the test's own)

SEED = ROOT / "tests" / "data" / "seed" / "li clone.md"
CARDS = ROOT / "cards"
VERDICTS = ("verified", "refuted", "unchecked", "inconclusive", "host-dependent", "skipped")


def _pct(n: int, total: int) -> str:
    return f"{100 * n / total:5.1f} %" if total else "   - "


def _matrix(title: str, pairs: list[tuple[str, str]]) -> None:
    counts = Counter(pairs)
    print(f"  {title}")
    print("    label  " + "".join(f"{v:>16}" for v in VERDICTS) + "   total")
    for label in ("true", "false"):
        total = sum(n for (lab, _), n in counts.items() if lab == label)
        cells = "".join(f"{counts[(label, v)]:>7} {_pct(counts[(label, v)], total)}"
                        for v in VERDICTS)
        print(f"    {label:<6} {cells} {total:>7}")


def labelled(jobs: int | None) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        where = labelled_vault(root)
        t0 = time.perf_counter()
        report = verify_notes(load([root]), jobs=jobs)
        wall = time.perf_counter() - t0
    got = {c.claim.location.line: c for c in report.claims}
    print(f"labelled set: {len(where)} statements, judged in {wall:.2f} s")
    halves = (("all rows", lambda row: True),
              ("held-out half", lambda row: held_out(row["id"])),
              ("tuning half", lambda row: not held_out(row["id"])))
    for title, keep in halves:
        pairs = [(row["label"], got[line].verdict if line in got else "missing")
                 for line, row in where.items() if keep(row)]
        read = [(row["label"], got[line].verdict) for line, row in where.items()
                if keep(row) and line in got and got[line].claim.check is not None]
        _matrix(f"{title} ({len(pairs)})", pairs)
        _matrix(f"{title}, rows some check reads ({len(read)})", read)
        c = Counter(pairs)
        t = sum(1 for lab, _ in pairs if lab == "true")
        f = sum(1 for lab, _ in pairs if lab == "false")
        print(f"    targets: false->verified {c[('false', 'verified')]} (0), true->refuted "
              f"{c[('true', 'refuted')]} (0), false->refuted {_pct(c[('false', 'refuted')], f)}"
              f" (>= 80 %), true->verified {_pct(c[('true', 'verified')], t)} (>= 85 %)")
    external = [(row["label"], got[line].verdict) for line, row in where.items()
                if line in got and row["source"] != "own" and got[line].claim.check is not None]
    ext_true = [v for lab, v in external if lab == "true"]
    print(f"  other authors' true statements a check reads: {ext_true.count('verified')} of "
          f"{len(ext_true)} verified (issue: >= 6 in 10)")


def counts(name: str, path: Path) -> None:
    report = verify_notes(load([path]))
    s = report.summary
    print(f"{name}: {len(report.claims)} statements: "
          + ", ".join(f"{s.get(v, 0)} {v}" for v in VERDICTS))


def timing(name: str, path: Path, runs: int, jobs: int | None) -> None:
    verify_notes(load([path]), jobs=jobs)  # warm the C probe cache
    walls, bases = [], []
    catalogue, env = default_catalogue(), Environment.detect()
    for _ in range(runs):
        t0 = time.perf_counter()
        verify_notes(load([path]), jobs=jobs)
        walls.append(time.perf_counter() - t0)
        plans, blocks, _ = collect(load([path]), catalogue)
        t0 = time.perf_counter()
        _run_probes(plans, blocks, False, jobs, env, catalogue, PROBES)  # the baseline
        bases.append(time.perf_counter() - t0)
    wall, base = statistics.median(walls), statistics.median(bases)
    print(f"{name}: load + verify median {wall:.3f} s (min {min(walls):.3f}, max "
          f"{max(walls):.3f}) over {runs} runs; the probes alone (baseline) {base:.3f} s; "
          f"ratio {wall / base:.2f}; reading and judging {wall - base:.3f} s")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--jobs", type=int, default=None)
    ap.add_argument("--skip-labelled", action="store_true")
    args = ap.parse_args()
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    if not args.skip_labelled:
        labelled(args.jobs)
    with tempfile.TemporaryDirectory() as tmp:
        seed_dir = Path(tmp) / "seed"
        seed_dir.mkdir()
        shutil.copy(SEED, seed_dir / SEED.name)
        counts("seed (li clone.md)", seed_dir)
        counts("cards/", CARDS)
        timing("seed", seed_dir, args.runs, args.jobs)
        timing("cards/", CARDS, args.runs, args.jobs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
