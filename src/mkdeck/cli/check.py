"""``mkdeck check PATH...``: report everything that would make a bad deck or a wrong card, in
the formats CI tools read. Exit 0 clean, 1 error findings (warnings too with ``--strict``),
2 usage or I/O errors.

Paths in the output are relative to the current folder when the file is under it (as CI
annotations and editors need them), else absolute.
"""

from __future__ import annotations

import argparse
import logging
import os
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from mkdeck.cli.common import EXIT_OK, EXIT_USAGE, IO
from mkdeck.model import Diagnostic, SourceLocation
from mkdeck.report import FORMAT_NAMES

LOG = logging.getLogger(__name__)

_FORMATS = FORMAT_NAMES


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Register ``check`` and its options on ``subparsers``."""
    p = subparsers.add_parser(
        "check",
        help="check a vault for CI: located findings as text, JSON, JUnit, SARIF or GitHub",
        description="Check notes for everything that would make a bad deck or a wrong card. "
        "PATH may be folders or note files (as pre-commit passes them); whole-vault rules "
        "(duplicate ids, links) read the whole vault but report only findings in the PATHs. "
        "Exit 0 when clean, 1 on error findings (or warnings with --strict), 2 on usage or "
        "I/O errors. Every code is documented in docs/codes.md.",
    )
    p.add_argument("paths", nargs="+", metavar="PATH", help="vault folder(s) or note file(s)")
    p.add_argument("--verify", action="store_true",
                   help="also verify the cards' claims on the running kernel; refuted and "
                   "inconclusive claims are findings at the claim's line")
    p.add_argument("--run-code", action="store_true",
                   help="with --verify, also run code blocks marked 'verify'")
    p.add_argument("--jobs", type=int, default=None, metavar="N",
                   help="processes for rendering and verification (default: the CPUs)")
    p.add_argument("--format", choices=_FORMATS, default="text",
                   help="output format (default: text, 'path:line: CODE message')")
    p.add_argument("--strict", action="store_true", help="warnings fail the check too")
    p.add_argument("--select", default="", metavar="CODES",
                   help="report only these codes or code prefixes (comma-separated, "
                   "e.g. MKD1,MKD501)")
    p.add_argument("--ignore", default="", metavar="CODES",
                   help="do not report these codes or code prefixes (the longer of a "
                   "matching --select and --ignore prefix wins)")
    p.add_argument("--config", default=None, metavar="FILE",
                   help="read this mkdeck.yaml instead of the vault's")
    p.add_argument("--deck", default=None, metavar="NAME", help="default deck name")
    p.add_argument("-o", "--output", default=None, metavar="FILE",
                   help="write the report to FILE (atomically) instead of standard output")
    p.add_argument("--color", choices=("auto", "always", "never"), default="auto",
                   help="colour the text format (auto: only on a terminal, and not when "
                   "NO_COLOR is set)")
    p.add_argument("--preview", default=None, metavar="DIR",
                   help="also write every card as Anki shows it to DIR/index.html (see "
                   "mkdeck preview), e.g. to publish it as a CI artifact")
    from mkdeck.cli.preview import add_page_options

    add_page_options(p)
    return p


def display_path(root: str, rel: str, cwd: str | None = None) -> str:
    """The vault-relative ``rel`` as the user should see it: relative to ``cwd`` when under
    it (POSIX separators), else absolute. ``"."`` (the vault itself) shows the root."""
    cwd = cwd or os.getcwd()
    full = os.path.normpath(os.path.join(root, rel))
    try:
        shown = os.path.relpath(full, cwd)
    except ValueError:  # another drive
        return full
    if shown == os.pardir or shown.startswith(os.pardir + os.sep):
        return full
    return shown.replace(os.sep, "/")


def _use_color(mode: str, stream: object) -> bool:
    if mode != "auto":
        return mode == "always"
    if os.environ.get("NO_COLOR"):
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def _write_atomic(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` via a temp file in the same folder and a rename."""
    folder = path.parent if str(path.parent) else Path(".")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def run(args: argparse.Namespace, io: IO) -> int:
    """Run ``mkdeck check``; returns the exit status (0, 1 or 2)."""
    from mkdeck.app.check import check_paths, parse_code_list
    from mkdeck.app.codes import code_table
    from mkdeck.check import CheckOptions
    from mkdeck.report import FileSummary, Report, render, sorted_diagnostics, summary_line
    from mkdeck.vault import VaultError

    try:
        select = parse_code_list(args.select)
        ignore = parse_code_list(args.ignore)
    except ValueError as exc:
        print(f"mkdeck check: error: {exc}", file=io.stderr)
        return EXIT_USAGE
    if args.run_code and not args.verify:
        print("mkdeck check: error: --run-code needs --verify", file=io.stderr)
        return EXIT_USAGE
    if args.jobs is not None and args.jobs < 1:
        print("mkdeck check: error: --jobs must be at least 1", file=io.stderr)
        return EXIT_USAGE
    options = CheckOptions(verify=args.verify, run_code=args.run_code, jobs=args.jobs,
                           select=select, ignore=ignore, config=args.config, deck=args.deck)
    started = time.monotonic()
    try:
        result = check_paths(args.paths, options)
    except VaultError as exc:
        print(f"mkdeck check: error: {exc}", file=io.stderr)
        return EXIT_USAGE
    except OSError as exc:
        print(f"mkdeck check: error: {exc}", file=io.stderr)
        return EXIT_USAGE
    elapsed = time.monotonic() - started

    root = result.vault_root

    def shown(d: Diagnostic) -> Diagnostic:
        loc = d.location
        return replace(d, location=SourceLocation(display_path(root, loc.path), loc.line,
                                                  loc.column))

    report = Report(
        diagnostics=sorted_diagnostics(shown(d) for d in result.diagnostics),
        files=tuple(FileSummary(display_path(root, f.path), f.notes) for f in result.files),
        elapsed=elapsed if args.format == "junit" else None,
        codes=code_table(),
    )
    out_stream = io.stdout
    color = args.format == "text" and args.output is None and _use_color(args.color, out_stream)
    text = render(args.format, report, color=color)
    if args.output:
        try:
            _write_atomic(Path(args.output), text)
        except OSError as exc:
            print(f"mkdeck check: error: cannot write {args.output}: {exc}", file=io.stderr)
            return EXIT_USAGE
    else:
        out_stream.write(text)
        out_stream.flush()
    status = result.exit_status(args.strict)
    if args.format == "text" or args.output:
        print(f"mkdeck check: {summary_line(report)}", file=io.stderr)
    if args.preview:
        from mkdeck.cli.preview import write_page

        written, outcome = write_page(args, args.preview, io, "mkdeck check", args.verify)
        if outcome is None:
            return written
        print(f"mkdeck check: preview of {outcome.cards} cards written to {outcome.index}",
              file=io.stderr)
    return status if status else EXIT_OK
