"""``mkdeck watch PATH -o OUT.apkg [--push]``: rebuild (and push) on every save.

Builds once, then after every batch of saves (:mod:`mkdeck.app.watch`, debounced): one line
on stdout per rebuild, saying what changed and what the build found::

    12:04:31 li fork.md changed: linux.apkg: 91 notes, 127 cards, 9 decks, 3 media files
    (0 errors, 1 warning); pushed to http://127.0.0.1:8765 (profile User 1): 0 added,
    1 updated, 90 unchanged, 0 moved, 0 deleted

(one line: wrapped here).

The findings themselves go to stderr as in ``mkdeck build`` (only those the previous rebuild
did not show). ``--push`` never deletes: notes removed from the vault are listed, and
``mkdeck push`` deletes them (a file away for a moment must not cost its notes' reviews). Errors in the notes never stop the watch; Ctrl-C does, cleanly (exit 0).
"""

from __future__ import annotations

import argparse
import logging
import threading
import time
from pathlib import Path

from mkdeck.cli.common import EXIT_OK, EXIT_USAGE, IO

LOG = logging.getLogger(__name__)
PROG = "mkdeck watch"


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Register ``watch`` and its options."""
    from mkdeck.cli.push import add_anki_options

    p = subparsers.add_parser(
        "watch",
        help="rebuild the package (and push it to Anki) on every save",
        description="Build the package, then rebuild it after every save in the vault "
        "(debounced), printing one line per rebuild. With --push, each rebuilt package is "
        "pushed to the running Anki as `mkdeck push` does, except deletions: a file can be "
        "away for a moment (git checkout, a sync), so `mkdeck push` deletes. Stop with Ctrl-C.",
    )
    p.add_argument("paths", nargs=1, metavar="PATH",
                   help="vault folder (with --push: the vault's root folder)")
    p.add_argument("-o", "--output", required=True, metavar="OUT.apkg",
                   help="the package to write (replaced atomically)")
    p.add_argument("--push", action="store_true",
                   help="push each rebuilt package to the running Anki (AnkiConnect)")
    add_anki_options(p, deleting=False)
    p.add_argument("--deck", help="default deck for notes without TARGET DECK or folder deck")
    p.add_argument("--config", metavar="FILE", help="config file (default: the vault's "
                   "mkdeck.yaml, else the Obsidian_to_Anki plugin's data.json)")
    p.add_argument("--debounce", type=int, default=300, metavar="MS",
                   help="rebuild once the vault has been quiet this long (default 300 ms)")
    return p


def run(args: argparse.Namespace, io: IO) -> int:
    """Run ``mkdeck watch`` until Ctrl-C; return the exit status."""
    from mkdeck.ankiconnect.package import PushError
    from mkdeck.app.push import config_unread, vault_snapshot, whole_vault
    from mkdeck.app.watch import rebuilds
    from mkdeck.cli.build import summary_line
    from mkdeck.report.text import format_line
    from mkdeck.app.build import build
    from mkdeck.app.session import BuildSession
    from mkdeck.vault import VaultError, find_root, resolve_paths

    out = Path(args.output)
    if out.suffix.lower() != ".apkg" or out.is_dir():
        print(f"{PROG}: {out} is not a .apkg file name", file=io.stderr)
        return EXIT_USAGE
    if str(out.parent) and not out.parent.is_dir():
        print(f"{PROG}: folder {out.parent} does not exist", file=io.stderr)
        return EXIT_USAGE
    if args.debounce < 1:
        print(f"{PROG}: --debounce must be at least 1 ms", file=io.stderr)
        return EXIT_USAGE
    try:
        root = (whole_vault(args.paths) if args.push
                else find_root(resolve_paths(args.paths))).resolve()
    except (VaultError, PushError) as exc:
        print(f"{PROG}: {exc}", file=io.stderr)
        return EXIT_USAGE
    args.dry_run = False
    shown: set[str] = set()
    stop = threading.Event()

    changed = [False]  # whether a file was saved during the last build (deletions wait)
    session = BuildSession()  # what one rebuild keeps for the next (app.session)

    def one_build() -> object:
        before = vault_snapshot(root) if args.push else None
        outcome = build(args.paths, out, config=args.config, deck=args.deck, session=session)
        changed[0] = before is not None and vault_snapshot(root) != before
        return outcome

    try:
        for rebuild in rebuilds(root, out, one_build, step_ms=args.debounce, stop=stop):
            stamp = time.strftime("%H:%M:%S", time.localtime(rebuild.when))
            if rebuild.outcome is None:
                print(f"{stamp} {rebuild.what}: {rebuild.error}", file=io.stdout, flush=True)
                if rebuild.last:
                    return EXIT_USAGE
                continue
            outcome = rebuild.outcome
            now = {format_line(d, column=False) for d in outcome.diagnostics}
            for line in sorted(now - shown):
                print(line, file=io.stderr)
            shown.clear()
            shown.update(now)
            line = f"{stamp} {rebuild.what}: {summary_line(outcome)}"
            unread = config_unread(outcome.diagnostics) if args.push else None
            if unread:
                line += f"; not pushed: {unread}"
            elif args.push and outcome.written:
                line += "; " + _push(args, io, root, out, bool(outcome.errors), changed[0])
            print(line, file=io.stdout, flush=True)
    except KeyboardInterrupt:
        stop.set()
        print(f"{PROG}: stopped", file=io.stderr)
    finally:
        session.close()  # the caches on disk get the last rebuild's work
    return EXIT_OK


def _push(args: argparse.Namespace, io: IO, root: Path, out: Path, errors: bool,
          vault_changed: bool) -> str:
    """Push the rebuilt package, deletions left to ``mkdeck push``; the push's summary (or
    why it did not happen)."""
    from mkdeck.cli.push import connect_or_say, push_or_say

    target = connect_or_say(args, io, PROG)
    if target is None:
        return "not pushed (see above)"
    return push_or_say(target, out, root, args, io, build_errors=errors, prog=PROG,
                       vault_changed=vault_changed, watching=True)[1]
