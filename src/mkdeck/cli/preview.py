"""``mkdeck preview PATH -o DIR``: every card of the vault as Anki shows it, on one offline page.

Writes ``DIR/index.html`` (front and back of every card, grouped by deck, with its source,
tags and, with ``--verify``, its claims' verdicts), ``DIR/_mkdeck/`` (MathJax) and the media.
Diagnostics go to stderr as ``path:line: CODE message``, then one summary line::

    preview/index.html: 127 cards of 91 notes, 9 decks, 12 media files (0 errors, 0 warnings)

Exit 0 when written and clean (warnings allowed), 1 when there were errors (the page still
shows every valid card), 2 for usage and I/O errors.
"""

from __future__ import annotations

import argparse
import logging
from typing import TYPE_CHECKING

from mkdeck.cli.common import EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, IO
from mkdeck.model import Severity

if TYPE_CHECKING:
    from mkdeck.app.preview import PreviewOutcome

LOG = logging.getLogger(__name__)


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Register ``preview`` and its options."""
    p = subparsers.add_parser(
        "preview",
        help="write every card as Anki shows it to one offline HTML page",
        description="Write DIR/index.html: every card of the vault rendered with Anki's "
        "template rules (front and back, clozes per number, both directions, type-in "
        "fields, media, math), grouped by deck, each with its source path:line and tags. "
        "The page needs no network.",
    )
    p.add_argument("paths", nargs="+", metavar="PATH", help="vault folder or notes")
    p.add_argument("-o", "--output", required=True, metavar="DIR",
                   help="folder to write index.html and its files into (outside the vault)")
    add_page_options(p)
    p.add_argument("--deck", help="default deck for notes without TARGET DECK or folder deck")
    p.add_argument("--config", metavar="FILE", help="config file (default: the vault's "
                   "mkdeck.yaml, else the Obsidian_to_Anki plugin's data.json)")
    p.add_argument("--verify", action="store_true",
                   help="verify the cards' claims on this machine and show the verdicts")
    p.add_argument("-q", "--quiet", action="store_true",
                   help="print errors only (no warnings, no summary line)")
    return p


def add_page_options(p: argparse.ArgumentParser) -> None:
    """The options of the page itself (shared with ``mkdeck check --preview``)."""
    p.add_argument("--source-url", metavar="TEMPLATE", default=None,
                   help="link each card's source to TEMPLATE with {path} and {line} filled "
                   "in, e.g. https://github.com/OWNER/REPO/blob/SHA/{path}#L{line} "
                   "(default: a relative link to the note file)")
    p.add_argument("--no-mathjax", action="store_true",
                   help="show math as TeX source even when MathJax is installed")


def write_page(args: argparse.Namespace, out: str, io: IO, prog: str,
               verify: bool) -> tuple[int, PreviewOutcome | None]:
    """Build the page for ``args.paths`` into ``out``; print I/O and usage problems.

    Returns:
        ``(EXIT_OK, outcome)`` or ``(EXIT_USAGE, None)``."""
    from mkdeck.app.preview import PreviewPlaceError, build_preview
    from mkdeck.vault import VaultError

    try:
        outcome = build_preview(args.paths, out, config=args.config, deck=args.deck,
                                verify=verify, source_url=args.source_url,
                                use_mathjax=not args.no_mathjax)
    except (VaultError, PreviewPlaceError, ValueError) as exc:
        print(f"{prog}: {exc}", file=io.stderr)
        return EXIT_USAGE, None
    except OSError as exc:
        print(f"{prog}: cannot write {out}: {exc.strerror or exc}", file=io.stderr)
        return EXIT_USAGE, None
    return EXIT_OK, outcome


def run(args: argparse.Namespace, io: IO) -> int:
    """Run ``mkdeck preview``; return the exit status."""
    from mkdeck.report.text import format_line

    status, outcome = write_page(args, args.output, io, "mkdeck preview", args.verify)
    if outcome is None:
        return status
    for diag in outcome.diagnostics:
        if args.quiet and diag.severity is not Severity.ERROR:
            continue
        print(format_line(diag, column=False), file=io.stderr)
    if not args.quiet:
        print(summary_line(outcome, mathjax_wanted=not args.no_mathjax), file=io.stderr)
    failed = outcome.errors or (outcome.verification or {}).get("refuted", 0)
    return EXIT_FINDINGS if failed else EXIT_OK


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'s' * (n != 1)}"


def summary_line(o: PreviewOutcome, mathjax_wanted: bool = True) -> str:
    """``DIR/index.html: N cards of M notes, D decks, K media files (E errors, W warnings)``
    (singular for 1), plus the verdict counts with ``--verify`` and a note when math is shown
    as source: why, and with ``mathjax_wanted`` (no ``--no-mathjax``) how to get MathJax."""
    tail = f"{_plural(o.errors, 'error')}, {_plural(o.warnings, 'warning')}"
    if o.verification is not None:
        tail += "; claims: " + ", ".join(f"{n} {v}" for v, n in sorted(o.verification.items()))
    line = (f"{o.index}: {_plural(o.cards, 'card')} of {_plural(o.notes, 'note')}, "
            f"{_plural(o.decks, 'deck')}, {_plural(o.media, 'media file')} ({tail})")
    if not o.mathjax:
        line += ("; math shown as TeX source (MathJax is not installed: install mkdeck's "
                 "preview extra, e.g. pip install -e '.[preview]' in its clone)"
                 if mathjax_wanted else "; math shown as TeX source (--no-mathjax)")
    return line
