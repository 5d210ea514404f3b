"""``mkdeck build PATH -o OUT.apkg``: build an Anki package from a vault.

Diagnostics go to stderr as ``path:line: CODE message``, then one summary line::

    linux.apkg: 42 notes, 57 cards, 3 decks, 2 media files (0 errors, 1 warning)

Exit 0 when the build is clean (warnings allowed), 1 when there were errors (the package
still holds every valid note) or, with ``--strict``, any warning (nothing is written), 2 for
usage and I/O errors.
"""

from __future__ import annotations

import argparse
import logging
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from mkdeck.cli.check import display_path
from mkdeck.cli.common import EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, IO
from mkdeck.model import Diagnostic, Severity
from mkdeck.report.text import format_line

if TYPE_CHECKING:
    from mkdeck.app.build import BuildOutcome

LOG = logging.getLogger(__name__)


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Register ``build`` and its options."""
    p = subparsers.add_parser(
        "build",
        help="build an Anki deck (.apkg) from a vault",
        description="Build an Anki package from the notes under PATH (folders or .md files of "
        "one vault). Re-importing a rebuilt package updates the changed notes and keeps "
        "their review history.",
    )
    p.add_argument("paths", nargs="+", metavar="PATH", help="vault folder or notes")
    p.add_argument("-o", "--output", required=True, metavar="OUT.apkg",
                   help="the package to write (replaced atomically)")
    p.add_argument("--deck", help="default deck for notes without TARGET DECK or folder deck")
    p.add_argument("--config", metavar="FILE", help="config file (default: the vault's "
                   "mkdeck.yaml, else the Obsidian_to_Anki plugin's data.json)")
    p.add_argument("--strict", action="store_true",
                   help="warnings fail the build; nothing is written unless it is clean")
    p.add_argument("-q", "--quiet", action="store_true",
                   help="print errors only (no warnings, no summary line)")
    p.add_argument("--write-ids", action="store_true",
                   help="first insert <!--ID: n--> into blocks that lack one (see mkdeck ids)")
    p.add_argument("--verify", action="store_true",
                   help="verify the cards' claims on this machine; a refuted claim fails the "
                   "build")
    p.add_argument("--no-cache", action="store_true",
                   help="do not use the build cache ($XDG_CACHE_HOME/mkdeck)")
    p.add_argument("--jobs", type=int, default=None, metavar="N",
                   help="processes rendering notes (default: the CPUs free now, at most 4; "
                   "1 on a busy machine or a small vault)")
    p.add_argument("--no-state", action="store_true",
                   help="neither read nor write the vault's sync state (.mkdeck-state): "
                   "identities and mod times as without a state")
    return p


def _plural(n: int, word: str, plural: str | None = None) -> str:
    return f"{n} {word if n == 1 else (plural or word + 's')}"


def _vault_root(paths: list[str]) -> str | None:
    """The vault root the PATHs are in (as the build found it), or ``None``."""
    from mkdeck.vault import VaultError, find_root, resolve_paths

    try:
        return str(find_root(resolve_paths(paths)))
    except (VaultError, OSError):
        return None


def summary_line(o: BuildOutcome) -> str:
    """The last line of a build: counts in the package, then errors and warnings."""
    name = Path(o.out).name
    counts = (
        f"{_plural(o.notes, 'note')}, {_plural(o.cards, 'card')}, "
        f"{_plural(o.decks, 'deck')}, {_plural(o.media, 'media file')}"
    )
    tail = f"{_plural(o.errors, 'error')}, {_plural(o.warnings, 'warning')}"
    if o.skipped:
        tail += f"; {_plural(o.skipped, 'note')} with errors skipped"
    if o.verification is not None:
        checked = ", ".join(f"{n} {verdict}" for verdict, n in sorted(o.verification.items()))
        tail += f"; claims: {checked}"
    if not o.written:
        return f"{name}: not written (--strict): {counts} ({tail})"
    return f"{name}: {counts} ({tail})"


def _progress(io: IO, quiet: bool) -> tuple[Callable[[str], None] | None, Callable[[], None]]:
    """A rich progress display on stderr when it is a terminal, else nothing."""
    isatty = getattr(io.stderr, "isatty", None)
    if quiet or not (isatty and isatty()):
        return None, lambda: None
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    stages = ["parse", "render", "verify", "write"]
    # no refresh thread: the build forks render workers, and forking a threaded process
    # risks deadlocks; the bar is redrawn at each stage instead
    progress = Progress(TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn(),
                        console=Console(file=io.stderr), transient=True, auto_refresh=False)
    task = progress.add_task("mkdeck build", total=len(stages))
    progress.start()

    def step(stage: str) -> None:
        progress.update(task, completed=stages.index(stage), description=f"mkdeck: {stage}")
        progress.refresh()

    return step, progress.stop


def run(args: argparse.Namespace, io: IO) -> int:
    """Run ``mkdeck build``; return the exit status."""
    from mkdeck.app.build import build
    from mkdeck.vault import VaultError

    out = Path(args.output)
    if out.exists() and out.is_dir():
        print(f"mkdeck build: {out} is a folder; give a file name such as {out / 'deck.apkg'}",
              file=io.stderr)
        return EXIT_USAGE
    if out.suffix.lower() != ".apkg":
        # Anki opens a package by its extension; a typo such as `-o deck.txt` or `-o notes/`
        # would otherwise write a package nobody can open, possibly inside the vault.
        print(f"mkdeck build: {out} does not end in .apkg; Anki imports only .apkg packages "
              f"(try {out.with_suffix('.apkg') if out.suffix else str(out) + '.apkg'})",
              file=io.stderr)
        return EXIT_USAGE
    if not out.parent.is_dir() and str(out.parent):
        print(f"mkdeck build: folder {out.parent} does not exist", file=io.stderr)
        return EXIT_USAGE
    if args.jobs is not None and args.jobs < 1:
        print("mkdeck build: error: --jobs must be at least 1", file=io.stderr)
        return EXIT_USAGE

    id_diags: list[Diagnostic] = []
    if args.write_ids:
        from mkdeck.app.ids import write_ids

        try:
            ids_result = write_ids(args.paths, config=args.config, deck=args.deck)
        except VaultError as exc:
            print(f"mkdeck build: {exc}", file=io.stderr)
            return EXIT_USAGE
        id_diags = list(ids_result.diagnostics)

    step, stop = _progress(io, args.quiet)
    try:
        outcome = build(args.paths, out, config=args.config, deck=args.deck,
                        strict=args.strict, verify=args.verify,
                        use_cache=not args.no_cache, jobs=args.jobs, progress=step,
                        use_state=not args.no_state, cached_sync=False)
    except VaultError as exc:
        stop()
        print(f"mkdeck build: {exc}", file=io.stderr)
        return EXIT_USAGE
    except OSError as exc:
        stop()
        print(f"mkdeck build: cannot write {out}: {exc.strerror or exc}", file=io.stderr)
        return EXIT_USAGE
    except BaseException:
        stop()  # leave the terminal clean on Ctrl-C or a crash
        raise
    stop()
    diags = sorted([*id_diags, *outcome.diagnostics], key=Diagnostic.sort_key)
    root = _vault_root(args.paths) if any(d.location.path == "." for d in diags) else None
    for diag in diags:
        if args.quiet and diag.severity is not Severity.ERROR:
            continue
        if root is not None and diag.location.path == ".":
            # a finding about the vault itself: shown at the vault's path, as check shows it
            diag = replace(diag, location=replace(diag.location, path=display_path(root, ".")))
        print(format_line(diag, column=False), file=io.stderr)
    if not args.quiet:
        print(summary_line(outcome), file=io.stderr)
    failed = outcome.errors or outcome.refuted or (args.strict and outcome.warnings) or any(
        d.severity is Severity.ERROR for d in id_diags)
    return EXIT_FINDINGS if failed else EXIT_OK
