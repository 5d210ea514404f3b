"""Benchmark ``mkdeck push`` into a real Anki (AnkiConnect) against ``mkdeck build`` of the
same vault.

Run from the repository root (needs ``../shared/anki-connect`` and the ``test`` extra's
``aqt``)::

    .venv/bin/python benchmarks/bench_push.py                 # 2,000 cards, 3 runs each
    .venv/bin/python benchmarks/bench_push.py --cards 10000 --runs 1

Measured in fresh processes (wall time, best of ``--runs``), one Anki started for the run:

* **build**: ``mkdeck build VAULT -o OUT --no-cache`` (the baseline);
* **first push**: ``mkdeck push VAULT`` into an empty profile (build + import + finding the
  notes + recording them), each run into a new profile;
* **no-op push**: the same push again (build, read the package, nothing to do in Anki);
* **one-edit push**: one card's back edited, then push (build + import + record).

Prints the figures and their ratios to the build. Nothing is asserted.
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
sys.path.insert(0, str(ROOT / "tests"))

from anki_desktop import anki_connect_dir  # noqa: E402


def timed(argv: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    proc = subprocess.run(argv, capture_output=True, text=True, env=env, cwd=ROOT)
    wall = time.perf_counter() - start
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(argv)} failed ({proc.returncode}):\n{proc.stderr}")
    return wall


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cards", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    runner = anki_connect_dir() / "run-anki"
    if not runner.is_file():
        raise SystemExit(f"{runner.parent} is absent: it holds the AnkiConnect add-on and "
                         f"run-anki")
    work = Path(tempfile.mkdtemp(prefix="mkdeck-bench-push-"))
    mkdeck = [PYTHON, "-m", "mkdeck"]
    try:
        vault = work / "vault"
        subprocess.run([PYTHON, str(ROOT / "benchmarks" / "gen_vault.py"), str(vault),
                        "--cards", str(args.cards)], check=True, cwd=ROOT,
                       stdout=subprocess.DEVNULL)
        note = sorted(vault.rglob("*.md"))[0]
        original = note.read_text(encoding="utf-8")
        times: dict[str, list[float]] = {"build": [], "first push": [], "no-op push": [],
                                         "one-edit push": []}
        for run in range(args.runs):
            base = work / f"anki{run}"
            port = free_port()
            url = f"http://127.0.0.1:{port}"
            subprocess.run([PYTHON, str(runner), "start", str(base), "--python",
                            os.path.abspath(PYTHON), "--port", str(port), "--display",
                            "offscreen"], check=True, capture_output=True)
            env = {**os.environ, "XDG_CACHE_HOME": str(work / f"cache{run}"),
                   "XDG_STATE_HOME": str(work / f"state{run}")}
            try:
                note.write_text(original, encoding="utf-8")
                times["build"].append(timed([*mkdeck, "build", str(vault), "-o",
                                             str(work / "b.apkg"), "--no-cache"], env))
                times["first push"].append(timed([*mkdeck, "push", str(vault), "--url", url],
                                                 env))
                times["no-op push"].append(timed([*mkdeck, "push", str(vault), "--url", url],
                                                 env))
                note.write_text(original.replace("Back:", "Back: edited", 1),
                                encoding="utf-8")
                st = note.stat()
                os.utime(note, (st.st_mtime + 5, st.st_mtime + 5))
                times["one-edit push"].append(timed([*mkdeck, "push", str(vault), "--url",
                                                     url], env))
            finally:
                subprocess.run([PYTHON, str(runner), "stop", str(base)], capture_output=True)
                shutil.rmtree(base, ignore_errors=True)
                for leftover in vault.glob(".mkdeck-state*"):
                    leftover.unlink()
        best = {k: min(v) for k, v in times.items()}
        print(f"vault: {args.cards} cards, best of {args.runs}")
        for name, value in best.items():
            print(f"  {name:<14} {value:6.2f} s   {value / best['build']:5.2f}x build")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
