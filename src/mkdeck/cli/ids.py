"""``mkdeck ids PATH``: insert ``<!--ID: n-->`` into every card that lacks one.

Prints each changed file and a summary line to stderr; exit 0, 1 when an ID could not be
written, 2 for usage errors (a missing PATH).
"""

from __future__ import annotations

import argparse
import logging

from mkdeck.cli.common import EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, IO
from mkdeck.model import Severity
from mkdeck.report.text import format_line

LOG = logging.getLogger(__name__)


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Register ``ids`` and its options."""
    p = subparsers.add_parser(
        "ids",
        help="give every card an ID comment, so edits keep its identity",
        description="Insert <!--ID: n--> before the END of every block (and before ENDI of "
        "every inline note) that has none, as the Obsidian_to_Anki plugin writes them. Every "
        "other byte of each file is kept; running it again changes nothing. A card's identity "
        "changes once, when it gets its ID: run this before the deck's first import into "
        "Anki (or build with --write-ids from the start).",
    )
    p.add_argument("paths", nargs="+", metavar="PATH", help="vault folder or notes")
    p.add_argument("--config", metavar="FILE", help="config file (markers, note types)")
    p.add_argument("-q", "--quiet", action="store_true", help="print errors only")
    return p


def run(args: argparse.Namespace, io: IO) -> int:
    """Run ``mkdeck ids``; return the exit status."""
    from mkdeck.app.ids import write_ids
    from mkdeck.vault import VaultError

    try:
        result = write_ids(args.paths, config=args.config)
    except VaultError as exc:
        print(f"mkdeck ids: {exc}", file=io.stderr)
        return EXIT_USAGE
    for diag in result.diagnostics:
        if args.quiet and diag.severity is not Severity.ERROR:
            continue
        print(format_line(diag, column=False), file=io.stderr)
    if not args.quiet:
        for rel in result.files:
            print(f"{rel}: IDs added", file=io.stderr)
        noun = "ID" if result.added == 1 else "IDs"
        files = "file" if len(result.files) == 1 else "files"
        print(f"{result.added} {noun} added in {len(result.files)} {files}", file=io.stderr)
    if any(d.severity is Severity.ERROR for d in result.diagnostics):
        return EXIT_FINDINGS
    return EXIT_OK
