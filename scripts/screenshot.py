#!/usr/bin/env python3
"""Screenshot one card of a vault as Anki shows it: ``docs/images/card.png`` for the README.

Usage::

    python scripts/screenshot.py [--vault cards] [--note "li memory paging.md"] [--index 0]
                                 [--card 0] [--side answer] [--night] [--width 640]
                                 [--out docs/images/card.png]

How: write the vault's preview page with ``mkdeck preview`` (every card rendered with Anki's
template rules, its note type's CSS and its media beside it), find the chosen note by its guid
(``mkdeck.export.identity.note_guid``), open ``index.html?card=GUID:ORD&side=answer`` (the page then
shows that one card alone) in headless Chromium (Debian package ``chromium``), read the card's
height back from the page, and screenshot it at that height. Chromium runs with a fresh
profile and no network features. Exit status 0 on success, 1 when a step fails (the message
says which), 2 for usage errors.
"""

from __future__ import annotations

import argparse
import io
import logging
import os
import re
import shutil
import subprocess
import sys
import tempfile
import urllib.parse
from pathlib import Path

LOG = logging.getLogger("screenshot")

ROOT = Path(__file__).resolve().parent.parent

CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
    "--force-device-scale-factor=1",
)


class ScreenshotError(Exception):
    """A step failed; the message names it."""


def find_chromium() -> str:
    """Path of the Chromium binary (``chromium``, ``chromium-browser`` or ``google-chrome``).

    Raises:
        ScreenshotError: when none is on PATH (``apt-get install -y chromium``).
    """
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    raise ScreenshotError("no chromium on PATH: apt-get update && apt-get install -y chromium")


def write_page(vault: Path, out: Path) -> Path:
    """``mkdeck preview VAULT -o OUT``; returns ``OUT/index.html``.

    Raises:
        ScreenshotError: on a non-zero exit."""
    from mkdeck.cli import main

    err = io.StringIO()
    status = main(["preview", str(vault), "-o", str(out)], stdout=io.StringIO(), stderr=err)
    index = out / "index.html"
    if status != 0 or not index.exists():
        raise ScreenshotError(f"mkdeck preview {vault} failed ({status}):\n{err.getvalue()}")
    return index


def card_url(index: Path, guid: str, ord_: int, side: str, night: bool = False) -> str:
    """The page's URL showing only card ``ord_`` of the note ``guid``, one ``side``."""
    query = {"card": f"{guid}:{ord_}", "side": side}
    if night:
        query["night"] = "1"
    return f"{index.as_uri()}?{urllib.parse.urlencode(query)}"


def pick_guid(vault: Path, note_path: str, index: int) -> str:
    """Guid of the ``index``-th note (0-based, document order) written in ``note_path``."""
    from mkdeck.export.identity import note_guid
    from mkdeck.app.load import load

    result = load([vault])
    notes = [n for n in result.notes if n.location.path == note_path]
    if not 0 <= index < len(notes):
        raise ScreenshotError(f"{note_path} has {len(notes)} card(s); --index {index} is not one")
    return note_guid(notes[index])


def _run_chromium(chromium: str, args: list[str], timeout: float = 60) -> str:
    profile = tempfile.mkdtemp(prefix="mkdeck-chromium-")
    try:
        proc = subprocess.run(
            [chromium, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *args],
            capture_output=True, text=True, timeout=timeout, check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise ScreenshotError(f"chromium timed out after {timeout:.0f} s") from exc
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    if proc.returncode != 0:
        raise ScreenshotError(f"chromium failed ({proc.returncode}): {proc.stderr[-2000:]}")
    return proc.stdout


def page_height(chromium: str, url: str, width: int) -> int:
    """The page's scroll height in CSS pixels at ``width``, read back from ``--dump-dom``."""
    dom = _run_chromium(chromium, [f"--window-size={width},400", "--virtual-time-budget=2000",
                                   "--dump-dom", url])
    match = re.search(r"<title>height=(\d+) images=(\d+)/(\d+)</title>", dom)
    if not match:
        raise ScreenshotError("could not measure the card page (no height in the DOM)")
    if int(match.group(1)) == 0:
        raise ScreenshotError("the page shows no card (is the guid or --card wrong?)")
    if match.group(2) != match.group(3):
        raise ScreenshotError(f"only {match.group(2)} of {match.group(3)} pictures loaded")
    return int(match.group(1))


def screenshot(chromium: str, url: str, out: Path, width: int, height: int) -> None:
    """Write a PNG of ``url`` at ``width`` x ``height`` to ``out`` (atomically)."""
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=out.parent, prefix=f".{out.name}.", suffix=".png")
    os.close(fd)
    try:
        _run_chromium(chromium, [f"--window-size={width},{height}", "--virtual-time-budget=2000",
                                 f"--screenshot={tmp}", url])
        if Path(tmp).stat().st_size == 0:
            raise ScreenshotError("chromium wrote an empty screenshot")
        os.chmod(tmp, 0o644)  # mkstemp makes 0600; the image is a repository file
        os.replace(tmp, out)
    finally:
        Path(tmp).unlink(missing_ok=True)


def main(argv: list[str] | None = None) -> int:
    """Command line (see the module docstring); returns the exit status (0, 1 or 2)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--vault", default=str(ROOT / "cards"))
    parser.add_argument("--note", default="li memory paging.md",
                        help="vault-relative path of the note holding the card")
    parser.add_argument("--index", type=int, default=0, help="which note of that file (0-based)")
    parser.add_argument("--card", type=int, default=0,
                        help="which card of the note (0-based template or cloze ordinal)")
    parser.add_argument("--side", choices=("question", "answer"), default="answer")
    parser.add_argument("--night", action="store_true", help="Anki's night mode")
    parser.add_argument("--width", type=int, default=640)
    parser.add_argument("--out", default=str(ROOT / "docs" / "images" / "card.png"))
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    try:
        chromium = find_chromium()
        with tempfile.TemporaryDirectory(prefix="mkdeck-shot-") as tmp:
            index = write_page(Path(args.vault), Path(tmp) / "preview")
            guid = pick_guid(Path(args.vault), args.note, args.index)
            url = card_url(index, guid, args.card, args.side, args.night)
            height = page_height(chromium, url, args.width)
            screenshot(chromium, url, Path(args.out), args.width, height)
    except ScreenshotError as exc:
        print(f"screenshot: {exc}", file=sys.stderr)
        return 1
    LOG.info("wrote %s (%dx%d, %s of card %d of note %d of %s)", args.out, args.width, height,
             args.side, args.card, args.index, args.note)
    return 0


if __name__ == "__main__":
    sys.exit(main())
