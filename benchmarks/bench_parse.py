"""Benchmark parsing (``mkdeck.app.load.load``): cards/s at 10,000 and 100,000 cards of the
benchmark vault (benchmarks/gen_vault.py), the time ratio between them (linear: ≤ 12), and
pathological inputs (10,000 unclosed STARTs in one file; one card with a 5 MB field; 10,000
cards each leaving a code fence open before END; 10,000 inline notes on one line; curly/highlight
cloze conversion over 1.5 MB of unclosed ``{``, ``$`` and ``==``).

Run from the repository root::

    .venv/bin/python benchmarks/bench_parse.py [--runs 5] [--big 100000]

Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import gc
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import gen_vault  # noqa: E402

from mkdeck.app.load import load  # noqa: E402


def best_of(runs: int, fn) -> tuple[float, float, object]:  # noqa: ANN001
    """Best wall time and best CPU time (``process_time``, less disturbed by other load on the
    machine) of ``runs`` calls, and the last result."""
    wall = cpu = float("inf")
    result = None
    for _ in range(runs):
        result = None
        gc.collect()
        start, start_cpu = time.perf_counter(), time.process_time()
        result = fn()
        cpu = min(cpu, time.process_time() - start_cpu)
        wall = min(wall, time.perf_counter() - start)
    return wall, cpu, result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--small", type=int, default=10_000)
    parser.add_argument("--big", type=int, default=100_000)
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="mkdeck-bench-parse-") as tmp:
        work = Path(tmp)
        vaults = {cards: gen_vault.generate(work / f"v{cards}", cards=cards)
                  for cards in (args.small, args.big)}
        walls = {cards: float("inf") for cards in vaults}
        cpus = dict(walls)
        diagnostics = {}
        # alternate the two sizes run by run, so a busy machine disturbs both alike
        for _ in range(args.runs):
            for cards, vault in vaults.items():
                wall, cpu, result = best_of(1, lambda v=vault: load([v]))
                assert len(result.notes) == cards, (len(result.notes), cards)
                walls[cards] = min(walls[cards], wall)
                cpus[cards] = min(cpus[cards], cpu)
                diagnostics[cards] = len(result.diagnostics)
                del result
        for cards, vault in vaults.items():
            size = sum(p.stat().st_size for p in vault.rglob("*.md")) / 1e6
            wall, cpu = walls[cards], cpus[cards]
            print(f"{cards:>7} cards ({size:6.1f} MB): wall {wall:7.3f} s "
                  f"({cards / wall:>7,.0f} cards/s), CPU {cpu:7.3f} s "
                  f"({cards / cpu:>7,.0f} cards/s), {diagnostics[cards]} diagnostics")
        print(f"time ratio {args.big}/{args.small} cards: wall {walls[args.big] / walls[args.small]:.2f}"
              f", CPU {cpus[args.big] / cpus[args.small]:.2f} (linear would be "
              f"{args.big / args.small:.0f}; target ≤ 12)")

        cases = {
            "10,000 unclosed STARTs": "START\nBasic\nquestion\nBack: answer\n\n" * 10_000,
            "one 5 MB field (50,000 lines)": "START\nBasic\nq\nBack:\n"
            + ("- " + "x" * 98 + "\n") * 50_000 + "END\n",
            "one 5 MB field on one line": "START\nBasic\nq\nBack: " + "y" * 5_000_000 + "\nEND\n",
            "10,000 cards with a fence left open": "START\nBasic\nq\nBack:\n```sh\necho\nEND\n"
            * 10_000,
            "10,000 inline notes on one line": "STARTI [Basic] q Back: a ENDI " * 10_000 + "\n",
            "curly cloze: 1.5 MB of {, $ and == (one line)": "START\nCloze\n{{c1::x}} "
            + "{ $a ==b " * 170_000 + "\nEND\n",
        }
        for label, text in cases.items():
            folder = work / label.replace(" ", "_").replace(",", "")
            folder.mkdir()
            (folder / "p.md").write_text(text, encoding="utf-8")
            if label.startswith("curly"):
                (folder / "mkdeck.yaml").write_text("curly_cloze: true\nhighlight_cloze: true\n")
            seconds, _, result = best_of(args.runs, lambda f=folder: load([f]))
            print(f"{label:<46}: {seconds:7.3f} s  ({len(text) / 1e6:.1f} MB, "
                  f"{len(result.notes)} notes, {len(result.diagnostics)} diagnostics)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
