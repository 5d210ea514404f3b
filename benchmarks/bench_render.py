"""Benchmark rendering: MB/s of field markdown through ``mkdeck.render.render_notes``, next to
markdown-it-py's own throughput on the same text.

Run from the repository root::

    .venv/bin/python benchmarks/bench_render.py                 # 10,000 cards, best of 3
    .venv/bin/python benchmarks/bench_render.py --vault /tmp/v  # reuse (or create) a vault

The vault is helper A's generated benchmark vault (``benchmarks/gen_vault.py``). Measured in
this process, wall time, best of ``--runs`` rounds (the renderers alternate within a round)
after one warm-up run each:

* **mkdeck**: ``render_notes(load(vault))`` (wikilinks resolved, embeds expanded, media
  named, Pygments highlighting with its cache emptied first, callouts, math, tags);
* **mkdeck, no highlighting**: the same with Pygments switched off, to show its share;
* **markdown-it-py**: ``MarkdownIt("commonmark", {"breaks": True}).enable(["table",
  "strikethrough"]).render(field)`` for every field of the same notes;
* **markdown-it-py + dollarmath**: the same with mdit-py-plugins' dollarmath (the work any
  renderer of these notes must at least do).

Bytes are the UTF-8 size of every field's markdown. Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))


def best_of(runs: int, fns: dict[str, Callable[[], object]]) -> dict[str, float]:
    """Best wall time (seconds) of each function over ``runs`` rounds, after one warm-up call
    each. The functions alternate within a round, so load from other processes falls on all
    of them alike."""
    for fn in fns.values():
        fn()
    best = dict.fromkeys(fns, float("inf"))
    for _ in range(runs):
        for name, fn in fns.items():
            start = time.perf_counter()
            fn()
            best[name] = min(best[name], time.perf_counter() - start)
    return best


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cards", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--vault", type=Path, help="use (or create) the vault here")
    args = parser.parse_args(argv)

    from markdown_it import MarkdownIt
    from mdit_py_plugins.dollarmath import dollarmath_plugin

    import mkdeck.render as render
    from mkdeck.app.load import load
    from mkdeck.render.markdown import build_markdown
    from mkdeck.render.style import highlight_code

    with tempfile.TemporaryDirectory() as tmp:
        vault = args.vault or Path(tmp) / "vault"
        if not vault.exists() or not any(vault.iterdir()):
            try:
                import gen_vault  # helper A's generator
            except ImportError:
                print("benchmarks/gen_vault.py is missing (helper A writes it)", file=sys.stderr)
                return 2
            vault.mkdir(parents=True, exist_ok=True)
            gen_vault.generate(vault, cards=args.cards)
        result = load([vault])
        fields = [f.markdown for n in result.notes for f in n.fields]
        size = sum(len(m.encode("utf-8")) for m in fields)
        mb = size / 1e6
        print(f"vault: {vault}  notes: {len(result.notes)}  fields: {len(fields)}  "
              f"markdown: {mb:.2f} MB")

        plain_md = build_markdown()
        plain_md.options["highlight"] = None
        real_md = render._md

        def no_highlighting() -> object:
            render._md = lambda: plain_md  # type: ignore[assignment]  # noqa: B023
            try:
                return render.render_notes(result)
            finally:
                render._md = real_md  # type: ignore[assignment]

        def cold_render() -> object:
            highlight_code.cache_clear()  # each run highlights every block once, as a build
            return render.render_notes(result)

        mdit = MarkdownIt("commonmark", {"breaks": True}).enable(["table", "strikethrough"])
        mdit_math = (MarkdownIt("commonmark", {"breaks": True})
                     .enable(["table", "strikethrough"]).use(dollarmath_plugin))
        times = best_of(args.runs, {
            "mkdeck render_notes": cold_render,
            "mkdeck, no highlighting": no_highlighting,
            "markdown-it-py": lambda: [mdit.render(m) for m in fields],
            "markdown-it-py + dollarmath": lambda: [mdit_math.render(m) for m in fields],
        })

    rows = list(times.items())
    t_mkdeck, t_nohl = times["mkdeck render_notes"], times["mkdeck, no highlighting"]
    t_mdit = times["markdown-it-py"]
    print(f"{'renderer':30} {'seconds':>8} {'MB/s':>7} {'notes/s':>9}")
    for name, t in rows:
        print(f"{name:30} {t:8.3f} {mb / t:7.2f} {len(result.notes) / t:9.0f}")
    print(f"mkdeck / markdown-it-py throughput: {t_mdit / t_mkdeck:.2f}x "
          f"(without highlighting {t_mdit / t_nohl:.2f}x)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
