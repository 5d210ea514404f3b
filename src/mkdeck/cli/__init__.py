"""mkdeck's command line: the only place that prints or exits.

Each subcommand lives in its own module of this package with two functions:
``add_parser(subparsers) -> argparse.ArgumentParser`` and ``run(args, io) -> int`` (the exit
status), listed in :data:`COMMANDS`; each hands the work to its flow in :mod:`mkdeck.app` and
only prints what comes back. :mod:`~mkdeck.cli.common` holds the streams and exit statuses.
``main(argv, stdout, stderr)`` is what tests call; ``entry_point()`` is the console script.
``mkdeck PATH -o OUT.apkg`` is the same as ``mkdeck build PATH -o OUT.apkg``.

Exit statuses everywhere: 0 success, 1 findings at error severity (or a refuted claim), 2 usage
or I/O errors.
"""

from __future__ import annotations

import argparse
import difflib
import os
import signal
import sys
import threading
from types import ModuleType
from typing import Any, TextIO

from mkdeck import __version__
from mkdeck.cli import build, check, dump, forget, ids, preview, push, verify, watch
from mkdeck.cli.common import EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, IO

# Subcommand modules, in the order ``--help`` lists them.
COMMANDS: dict[str, ModuleType] = {
    "build": build, "dump": dump, "ids": ids, "verify": verify, "check": check,
    "preview": preview,
    "forget": forget,
    "push": push, "watch": watch,
}
DEFAULT_COMMAND = "build"

__all__ = ["COMMANDS", "EXIT_FINDINGS", "EXIT_OK", "EXIT_USAGE", "IO", "entry_point", "main"]


class _Parser(argparse.ArgumentParser):
    """An ArgumentParser that raises instead of exiting, so ``main`` returns 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise _UsageError(f"{self.prog}: error: {message}")


class _UsageError(Exception):
    pass


def _build_parser() -> tuple[_Parser, dict[str, ModuleType]]:
    parser = _Parser(
        prog="mkdeck",
        description="Turn an Obsidian vault of Obsidian_to_Anki notes into Anki decks.",
        epilog="mkdeck PATH -o OUT.apkg is short for mkdeck build PATH -o OUT.apkg.",
    )
    parser.add_argument("--version", action="version", version=f"mkdeck {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for module in COMMANDS.values():
        module.add_parser(sub)
    return parser, COMMANDS


def main(argv: list[str] | None = None, stdout: TextIO | None = None,
         stderr: TextIO | None = None) -> int:
    """Run mkdeck with ``argv`` (without the program name).

    Returns:
        The exit status: 0, 1 (error findings) or 2 (usage or I/O error).
    """
    io = IO(stdout or sys.stdout, stderr or sys.stderr)
    args_list = list(sys.argv[1:] if argv is None else argv)
    parser, modules = _build_parser()
    if args_list and args_list[0] not in modules and not args_list[0].startswith("-"):
        typo = _mistyped_command(args_list[0], modules)
        if typo is not None:
            print(f"mkdeck: {args_list[0]!r} is neither a command nor a file or folder: did you "
                  f"mean `mkdeck {typo}`? (commands: {', '.join(modules)})", file=io.stderr)
            return EXIT_USAGE
        args_list.insert(0, DEFAULT_COMMAND)
    elif args_list and args_list[0].startswith("-") and args_list[0] not in (
        "-h", "--help", "--version"
    ):
        args_list.insert(0, DEFAULT_COMMAND)
    try:
        args = parser.parse_args(args_list)
    except _UsageError as exc:
        print(str(exc), file=io.stderr)
        return EXIT_USAGE
    except SystemExit as exc:  # --help / --version
        return int(exc.code or 0)
    if not args.command:
        parser.print_help(io.stdout)
        return EXIT_USAGE
    previous = _catch_sigterm()
    try:
        return int(modules[args.command].run(args, io))
    except KeyboardInterrupt:
        print("mkdeck: interrupted", file=io.stderr)
        return 130
    except Terminated:
        print("mkdeck: terminated", file=io.stderr)
        return 143
    except BrokenPipeError:
        return EXIT_OK
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


def _mistyped_command(word: str, commands: dict[str, ModuleType]) -> str | None:
    """The command ``word`` looks like a misspelling of (``biuld`` -> ``build``), when ``word``
    is no existing path (else it is the vault of ``mkdeck PATH -o OUT.apkg``); else ``None``."""
    if os.path.lexists(word):
        return None
    close = difflib.get_close_matches(word.lower(), list(commands), n=1, cutoff=0.75)
    return close[0] if close else None


class Terminated(BaseException):
    """Raised in the main thread when mkdeck receives SIGTERM (what ``timeout``, ``kill`` and a
    cancelled CI job send), so every ``finally`` and ``except BaseException`` runs: temporary
    files are removed exactly as on Ctrl-C (SIGINT, Python's KeyboardInterrupt)."""


def _raise_terminated(signum: int, frame: object) -> None:
    raise Terminated(signum)


def _catch_sigterm() -> Any:
    """Install the SIGTERM handler (main thread only); return the one it replaces, or
    ``None`` when none was installed."""
    if threading.current_thread() is not threading.main_thread():
        return None
    try:
        return signal.signal(signal.SIGTERM, _raise_terminated)
    except (ValueError, OSError):
        return None


def entry_point() -> None:
    """Console-script entry: ``sys.exit(main())``."""
    sys.exit(main())
