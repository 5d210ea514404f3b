"""``mkdeck push PATH``: build the vault and bring the running Anki in step, via AnkiConnect.

The build is ``mkdeck build``'s (same diagnostics on stderr, same exit statuses); the package
goes to ``$XDG_CACHE_HOME/mkdeck/push/`` (never into the vault), then Anki imports it, moves
the cards whose deck changed and deletes the notes removed from the vault
(:mod:`mkdeck.app.push`). One line on stdout::

    pushed to http://127.0.0.1:8765 (profile User 1): 2 added, 1 updated, 40 unchanged,
    1 moved, 1 deleted

(one line: wrapped here).

Nothing is pushed while a config file cannot be read (exit 1). Exit 0 when done, 1 when the
build had errors (valid notes are pushed; deletions wait until
the errors are fixed) or when notes were withheld because another vault pushed the same
identity to this Anki, 2 when Anki cannot be reached or refuses (nothing recorded: the next
push does it again) and for usage errors.
"""

from __future__ import annotations

import argparse
import logging
import tempfile
from pathlib import Path

from mkdeck.cli.common import EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, IO

LOG = logging.getLogger(__name__)
PROG = "mkdeck push"


def add_anki_options(p: argparse.ArgumentParser, *, deleting: bool = True) -> None:
    """The AnkiConnect options shared by ``push`` and ``watch --push`` (``deleting=False``:
    watch never deletes, so it has no ``--yes`` / ``--max-delete``)."""
    p.add_argument("--url", help="AnkiConnect's address (default: $ANKI_CONNECT_URL, else "
                   "http://127.0.0.1:8765); the API key comes from $ANKI_CONNECT_KEY")
    if deleting:
        p.add_argument("--yes", action="store_true",
                       help="allow deleting more than --max-delete notes at once")
        p.add_argument("--max-delete", type=int, default=20, metavar="N",
                       help="most notes deleted in Anki without --yes (default 20)")
    else:
        p.set_defaults(yes=False, max_delete=20)
    p.add_argument("--timeout", type=float, default=60.0, metavar="SECONDS",
                   help="how long to wait for each answer of Anki (default 60)")


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Register ``push`` and its options."""
    p = subparsers.add_parser(
        "push",
        help="build and send the notes to the running Anki (AnkiConnect)",
        description="Build the vault and bring the running Anki in step through AnkiConnect "
        "(add-on 2055492159): import the package, move the cards whose deck changed, delete "
        "the notes removed from the vault (only notes mkdeck made). What was pushed is "
        "recorded per Anki under $XDG_STATE_HOME/mkdeck, so a push after a push does nothing.",
    )
    p.add_argument("paths", nargs=1, metavar="PATH",
                   help="the vault's root folder (push deletes in Anki what it no longer has)")
    p.add_argument("--dry-run", action="store_true",
                   help="print what would change and the notes concerned; change nothing")
    add_anki_options(p)
    p.add_argument("--deck", help="default deck for notes without TARGET DECK or folder deck")
    p.add_argument("--config", metavar="FILE", help="config file (default: the vault's "
                   "mkdeck.yaml, else the Obsidian_to_Anki plugin's data.json)")
    p.add_argument("--strict", action="store_true",
                   help="warnings fail the build; nothing is pushed unless it is clean")
    p.add_argument("-q", "--quiet", action="store_true",
                   help="print errors only (no warnings, no build summary line)")
    return p


def connect_or_say(args: argparse.Namespace, io: IO, prog: str) -> object | None:
    """:func:`mkdeck.app.push.connect` with ``--url``/``--timeout``; on failure print why and
    return ``None``."""
    from mkdeck.ankiconnect import AnkiConnectError
    from mkdeck.app.push import connect

    try:
        return connect(args.url, timeout=args.timeout)
    except (ValueError, AnkiConnectError) as exc:
        print(f"{prog}: {exc}", file=io.stderr)
        return None


def push_or_say(target: object, package: Path, root: Path, args: argparse.Namespace, io: IO,
                *, build_errors: bool, prog: str, vault_changed: bool = False,
                watching: bool = False, state_problem: str | None = None) -> tuple[int, str]:
    """:func:`mkdeck.app.push.push_built`; print its notices (and, dry, the notes
    concerned) and return ``(exit status, one-line summary)``: 0 done, 1 done but notes need
    fixing (withheld), 2 not done."""
    from mkdeck.ankiconnect import AnkiConnectError
    from mkdeck.ankiconnect.package import PushError
    from mkdeck.app.push import Target, listing, push_built

    assert isinstance(target, Target)
    dry = bool(getattr(args, "dry_run", False))
    try:
        report = push_built(target, package, root, dry_run=dry, max_delete=args.max_delete,
                            yes=args.yes, build_errors=build_errors,
                            vault_changed=vault_changed, watching=watching,
                            state_problem=state_problem)
    except PushError as exc:
        print(f"{prog}: {exc}", file=io.stderr)
        return EXIT_USAGE, f"not pushed: {exc}"
    except AnkiConnectError as exc:
        print(f"{prog}: {exc}", file=io.stderr)
        print(f"{prog}: nothing recorded; the next push will do it again", file=io.stderr)
        return EXIT_USAGE, f"not pushed: {exc}"
    except OSError as exc:
        print(f"{prog}: cannot record the push ({exc.strerror or exc}); the next push will do "
              f"it again", file=io.stderr)
        return EXIT_USAGE, "pushed, but not recorded"
    for notice in report.notices:
        print(f"{prog}: {notice}", file=io.stderr)
    if dry:
        for action, deck, label in listing(report.result):
            print(f"  {action:<8} {deck + '  ' if deck else ''}{label}", file=io.stdout)
    return (EXIT_FINDINGS if report.needs_fix else EXIT_OK), report.line


def run(args: argparse.Namespace, io: IO) -> int:
    """Run ``mkdeck push``; return the exit status."""
    from mkdeck.ankiconnect.package import PushError
    from mkdeck.app.push import (
        build_for_push,
        config_unread,
        package_path,
        state_unused,
        vault_snapshot,
        whole_vault,
    )
    from mkdeck.cli.build import summary_line
    from mkdeck.report.text import format_line
    from mkdeck.model import Diagnostic, Severity
    from mkdeck.vault import VaultError

    if args.max_delete < 0:
        print(f"{PROG}: --max-delete must be 0 or more", file=io.stderr)
        return EXIT_USAGE
    try:
        root = whole_vault(args.paths)
    except (VaultError, PushError) as exc:
        print(f"{PROG}: {exc}", file=io.stderr)
        return EXIT_USAGE
    target = connect_or_say(args, io, PROG)
    if target is None:
        return EXIT_USAGE
    with tempfile.TemporaryDirectory(prefix="mkdeck-push-") as tmp:
        out = (Path(tmp) / f"{root.name or 'vault'}.apkg" if args.dry_run
               else package_path(target, root))  # type: ignore[arg-type]
        before = vault_snapshot(root)
        try:
            out.parent.mkdir(parents=True, exist_ok=True)
            outcome = build_for_push(root, out, dry_run=args.dry_run, config=args.config,
                                     deck=args.deck, strict=args.strict)
        except VaultError as exc:
            print(f"{PROG}: {exc}", file=io.stderr)
            return EXIT_USAGE
        except OSError as exc:
            print(f"{PROG}: cannot write {out}: {exc.strerror or exc}", file=io.stderr)
            return EXIT_USAGE
        for diag in sorted(outcome.diagnostics, key=Diagnostic.sort_key):
            if args.quiet and diag.severity is not Severity.ERROR:
                continue
            print(format_line(diag, column=False), file=io.stderr)
        if not args.quiet:
            print(summary_line(outcome), file=io.stderr)
        if not outcome.written:
            print(f"{PROG}: nothing pushed (--strict and the build has findings)",
                  file=io.stderr)
            return EXIT_FINDINGS
        unread = config_unread(outcome.diagnostics)
        if unread:
            print(f"{PROG}: nothing pushed: {unread}, and without it decks, note types and "
                  f"card syntax may all change; fix it and push again", file=io.stderr)
            return EXIT_FINDINGS
        status, line = push_or_say(target, out, root, args, io,
                                   build_errors=bool(outcome.errors), prog=PROG,
                                   vault_changed=vault_snapshot(root) != before,
                                   state_problem=state_unused(outcome.diagnostics))
    if status not in (EXIT_OK, EXIT_FINDINGS):
        return status
    print(line, file=io.stdout)
    return EXIT_FINDINGS if outcome.errors or status == EXIT_FINDINGS else EXIT_OK
