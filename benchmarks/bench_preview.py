"""Benchmark the preview page against the package: from the same plan, writing ``index.html``
(every card rendered with Anki's template rules) next to writing the ``.apkg``.

Run from the repository root::

    .venv/bin/python benchmarks/bench_preview.py                 # 2,000 cards, best of 3
    .venv/bin/python benchmarks/bench_preview.py --cards 10000

The vault is the generated benchmark vault (``benchmarks/gen_vault.py``), parsed, rendered
and planned once. Measured in this process, wall time, best of ``--runs`` rounds (the three
alternate within a round) after one warm-up run each:

* **apkg**: ``write_package(plan, out)`` (the baseline: what ``mkdeck build`` writes);
* **cards**: ``preview_cards(plan)``: both sides of every card through the template renderer;
* **page**: ``write_preview(plan, dir)``: the cards, the page around them, the media copied.

Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_render import best_of  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cards", type=int, default=2_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)

    import gen_vault

    from mkdeck.export.apkg import write_package
    from mkdeck.export.plan import plan_export
    from mkdeck.export.preview import preview_cards, write_preview
    from mkdeck.app.load import load
    from mkdeck.render import note_type_css, render_notes

    with tempfile.TemporaryDirectory() as tmp:
        vault = Path(tmp) / "vault"
        vault.mkdir()
        gen_vault.generate(vault, cards=args.cards)
        result = load([vault])
        plan = plan_export(render_notes(result)[0], vault=result.vault, css=note_type_css())
        out = Path(tmp) / "out"
        best = best_of(args.runs, {
            "apkg": lambda: write_package(plan, Path(tmp) / "deck.apkg"),
            "cards": lambda: preview_cards(plan),
            "page": lambda: write_preview(plan, out, vault_root=result.vault.root,
                                          title="bench"),
        })
        size = (out / "index.html").stat().st_size
    base = best["apkg"]
    print(f"{plan.card_count} cards of {len(plan.notes)} notes; index.html {size / 1e6:.1f} MB")
    for name, seconds in best.items():
        print(f"  {name:6} {seconds * 1000:8.1f} ms  {seconds / base:5.2f}x apkg  "
              f"{plan.card_count / seconds:9.0f} cards/s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
