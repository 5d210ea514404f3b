"""``mkdeck dump PATH... [--config FILE] [--deck NAME]``: print the parsed notes as JSON.

The JSON is the interface other tools and tests read::

    {"notes": [{"source": {"path", "line"}, "note_type", "deck", "fields": {name: markdown},
                "tags": [...], "id": int|null, "kind", "end_line", "field_lines",
                "html"?, "media"?, "guid"?}],
     "diagnostics": [{"path", "line", "code", "severity", "message"}]}

Exit status: 0 without error diagnostics, 1 with, 2 for usage errors or an unreadable PATH.
"""

from __future__ import annotations

import argparse
import json
import logging

from mkdeck.app.dump import dump_document, load
from mkdeck.app.load import has_errors
from mkdeck.cli.common import EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, IO
from mkdeck.vault import VaultError

LOG = logging.getLogger(__name__)


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Register ``dump``."""
    parser = subparsers.add_parser(
        "dump", help="print the notes mkdeck reads from a vault, as JSON",
        description="Parse PATH (a vault, a folder in it, or note files) and print every note "
                    "and diagnostic as one JSON object.")
    parser.add_argument("paths", nargs="+", metavar="PATH", help="vault folder or note files")
    parser.add_argument("--config", metavar="FILE", help="config file instead of mkdeck.yaml")
    parser.add_argument("--deck", metavar="NAME", help="default deck (overrides the config)")
    return parser


def run(args: argparse.Namespace, io: IO) -> int:
    """Print the dump JSON; return 0, 1 (error diagnostics) or 2 (unreadable PATH)."""
    try:
        result = load(args.paths, config=args.config, deck=args.deck)
    except VaultError as exc:
        print(f"mkdeck dump: {exc}", file=io.stderr)
        return EXIT_USAGE
    document, diagnostics = dump_document(result)
    io.stdout.write(json.dumps(document, ensure_ascii=False, indent=2))
    io.stdout.write("\n")
    return EXIT_FINDINGS if has_errors(diagnostics) else EXIT_OK
