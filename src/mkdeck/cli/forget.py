"""``mkdeck forget PATH``: drop the removed notes (tombstones) from the vault's sync state.

A note removed from the vault is written into every package once more, tagged
``mkdeck::removed``, until the user has deleted it in Anki and says so with this command
(``mkdeck push`` does it by itself). ``--moved`` instead records that the cards of the notes
tagged ``mkdeck::moved`` were moved to their new deck in Anki. The work is
:func:`mkdeck.app.forget.forget`; this module prints what it did to stderr. Exit 0, 1 when the
state file cannot be used or written, 2 for usage errors.
"""

from __future__ import annotations

import argparse
import logging

from mkdeck.cli.common import EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, IO
from mkdeck.report.text import format_line

LOG = logging.getLogger(__name__)


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Register ``forget`` and its options."""
    p = subparsers.add_parser(
        "forget",
        help="stop writing removed notes (tag mkdeck::removed) into the package",
        description="Edit the vault's sync state (.mkdeck-state): forget the notes removed "
        "from the vault, once you have deleted them in Anki (search tag:mkdeck::removed); "
        "with --moved, record instead that you moved the cards tagged mkdeck::moved to their "
        "new deck. The next build then drops them, or the tag.",
    )
    p.add_argument("paths", nargs=1, metavar="PATH", help="the vault (or a folder in it)")
    p.add_argument("--moved", action="store_true",
                   help="the notes tagged mkdeck::moved were moved in Anki (instead of "
                   "forgetting removed notes)")
    p.add_argument("--removed", action="store_true",
                   help="forget the removed notes (the default; with --moved: both)")
    return p


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def run(args: argparse.Namespace, io: IO) -> int:
    """Run ``mkdeck forget``; return the exit status."""
    from mkdeck.app.forget import forget
    from mkdeck.export.state import STATE_FILE
    from mkdeck.vault import VaultError

    removed = args.removed or not args.moved
    try:
        result = forget(args.paths, removed=removed, moved=args.moved)
    except VaultError as exc:
        print(f"mkdeck forget: {exc}", file=io.stderr)
        return EXIT_USAGE
    except OSError as exc:
        print(f"mkdeck forget: cannot write {STATE_FILE}: {exc.strerror or exc}",
              file=io.stderr)
        return EXIT_FINDINGS
    for diag in result.diagnostics:
        print(format_line(diag), file=io.stderr)
    if not result.found:
        if result.diagnostics:
            return EXIT_FINDINGS
        print(f"mkdeck forget: {result.root} has no {STATE_FILE} yet (a build writes it); "
              f"nothing to forget", file=io.stderr)
        return EXIT_OK
    if removed:
        print(f"{_plural(result.removed, 'removed note')} forgotten", file=io.stderr)
    if args.moved:
        print(f"{_plural(result.moved, 'moved note')} recorded in the new deck", file=io.stderr)
    return EXIT_OK
