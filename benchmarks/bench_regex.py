"""Benchmark regex note styles: how long a vault takes to parse with a wiki style (RemNote)
against the same vault with a catastrophic style (``(a+)+$``) whose search the time limit
(``mkdeck.parse.regex_notes.TIME_LIMIT``) stops, and the baseline without any style; printed
as seconds and as ratios to the baseline of the same run.

Run from the repository root::

    .venv/bin/python benchmarks/bench_regex.py [--runs 3] [--files 200]

Prints figures; asserts nothing. The catastrophic run should take about TIME_LIMIT CPU
seconds more than the RemNote run (one file's long line triggers it), never more; its wall
time is that too on an idle machine (the time limit counts CPU time).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

from mkdeck.parse.regex_notes import TIME_LIMIT
from mkdeck.pipeline import load

DATA_JSON = ".obsidian/plugins/obsidian-to-anki-plugin/data.json"


def make_vault(root: Path, files: int, regexps: dict[str, str]) -> Path:
    for i in range(files):
        path = root / f"n{i:04d}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        lines = [f"Question {i}.{k}::Answer {k}" for k in range(20)]
        lines.append("Some prose line with no card in it.")
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    (root / "long.md").write_text("a" * 20_000 + "b\n", encoding="utf-8")
    data = root / DATA_JSON
    data.parent.mkdir(parents=True, exist_ok=True)
    data.write_text(json.dumps({"settings": {"CUSTOM_REGEXPS": regexps}}), encoding="utf-8")
    return root


def best(runs: int, root: Path) -> tuple[float, float, int, list[str]]:
    """Best wall and CPU seconds of ``runs`` loads, the notes and the finding codes."""
    wall = cpu = float("inf")
    result = None
    for _ in range(runs):
        start, start_cpu = time.perf_counter(), time.process_time()
        result = load([root])
        wall = min(wall, time.perf_counter() - start)
        cpu = min(cpu, time.process_time() - start_cpu)
    assert result is not None
    return wall, cpu, len(result.notes), sorted({d.code for d in result.diagnostics})


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--files", type=int, default=200)
    args = parser.parse_args(argv)
    styles = {
        "none": {},
        "remnote": {"Basic": r"^(.*[^\n:]{1}):{2}([^\n:]{1}.*)"},
        "catastrophic": {"Basic": r"((a+)+$)"},
    }
    with tempfile.TemporaryDirectory(prefix="mkdeck-bench-regex-") as tmp:
        figures = {}
        for name, regexps in styles.items():
            root = make_vault(Path(tmp) / name, args.files, regexps)
            figures[name] = best(args.runs, root)
    base = figures["remnote"][1]
    print(f"vault: {args.files} files of 20 RemNote lines + one 20,001-character line; "
          f"TIME_LIMIT {TIME_LIMIT:g} s of CPU per style and file")
    for name, (wall, cpu, notes, codes) in figures.items():
        print(f"{name:>13}: wall {wall:7.3f} s  cpu {cpu:7.3f} s  cpu ratio to remnote "
              f"{cpu / base:6.2f}  notes {notes:5d}  codes {','.join(codes) or '-'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
