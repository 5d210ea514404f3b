"""How long ``mkdeck check`` takes on the 10k-card benchmark vault, next to ``mkdeck dump``.

``check`` (without ``--verify``) does what ``dump`` does (read, parse, render, identity) plus
the exporter's validation, duplicate ids across the vault and the MKD5xx rules, so the target
is ``check ≤ 1.2 × dump``. Both run as fresh processes (``python -m mkdeck …``, output to
/dev/null), alternately, ``--runs`` times each; the best and the median wall times are
reported, then the same pinned to one CPU (``taskset -c 0``: check's parallel rendering gets
no second core), and the in-process time of each check rule (one extra in-process run).

Usage::

    .venv/bin/python benchmarks/bench_check.py [--cards 10000] [--runs 5] [--vault DIR]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))

from gen_vault import generate  # noqa: E402  (benchmarks/ is not a package)


def wall(argv: list[str], prefix: tuple[str, ...] = ()) -> float:
    """Wall seconds of a fresh ``python -m mkdeck`` process (exit 0 or 1 expected);
    ``prefix`` runs it under another command (``taskset -c 0``)."""
    start = time.perf_counter()
    proc = subprocess.run([*prefix, sys.executable, "-m", "mkdeck", *argv],
                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=ROOT)
    took = time.perf_counter() - start
    if proc.returncode not in (0, 1):
        raise SystemExit(f"mkdeck {' '.join(argv)} failed ({proc.returncode}):\n"
                         f"{proc.stderr.decode('utf-8', 'replace')}")
    return took


def per_rule(vault: Path) -> list[tuple[str, float]]:
    """In-process seconds of loading and of each check rule (rules share the render)."""
    from mkdeck.check import CheckOptions, all_rules
    from mkdeck.check.context import CheckContext, run_rules
    from mkdeck.app.load import load

    out = []
    start = time.perf_counter()
    result = load([vault])
    out.append(("load (read + parse)", time.perf_counter() - start))
    ctx = CheckContext(result, CheckOptions(), load)
    for rule in all_rules():
        if rule.needs_verify:
            continue
        start = time.perf_counter()
        run_rules(ctx, [rule])
        out.append((f"rule {rule.name}", time.perf_counter() - start))
    return out


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print the figures; returns 0."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cards", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--vault", type=Path, help="use (or create) the vault here")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="mkdeck-bench-check-") as tmp:
        vault = args.vault or Path(tmp) / "vault"
        if not (vault / ".obsidian").is_dir():
            generate(vault, cards=args.cards)
        nfiles = sum(1 for _ in vault.rglob("*.md"))
        print(f"vault: {vault} ({args.cards} cards, {nfiles} files)")
        wall(["dump", str(vault)])  # warm the page cache and .pyc files
        dump_t, check_t = [], []
        for _ in range(args.runs):
            dump_t.append(wall(["dump", str(vault)]))
            check_t.append(wall(["check", str(vault)]))
        for name, times in (("dump", dump_t), ("check", check_t)):
            print(f"{name:6s} best {min(times):6.3f} s   median {statistics.median(times):6.3f} s"
                  f"   ({args.runs} runs)")
        print(f"check/dump: best {min(check_t) / min(dump_t):.2f}x, "
              f"median {statistics.median(check_t) / statistics.median(dump_t):.2f}x "
              "(target <= 1.2x)")
        if shutil.which("taskset"):
            # one CPU: check's rendering cannot use a second core (render_parallel sees one)
            one = ("taskset", "-c", "0")
            dump1, check1 = [], []
            for _ in range(args.runs):
                dump1.append(wall(["dump", str(vault)], one))
                check1.append(wall(["check", str(vault)], one))
            print(f"on one CPU: dump best {min(dump1):.3f} s, check best {min(check1):.3f} s, "
                  f"check/dump {min(check1) / min(dump1):.2f}x")
        print("in-process breakdown of one check:")
        for name, secs in per_rule(vault):
            print(f"  {name:28s} {secs:6.3f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
