#!/usr/bin/env python3
"""Screenshot one card of a vault as Anki shows it: ``docs/images/card.png`` for the README.

Usage::

    python scripts/screenshot.py [--vault cards] [--note "li memory paging.md"] [--index 0]
                                 [--side answer] [--width 640] [--out docs/images/card.png]

How: build the vault with ``mkdeck build`` into a temp ``.apkg``, import it into a fresh Anki
collection (Anki's own backend, the ``anki`` test extra), find the chosen note by its guid
(``mkdeck.export.identity.note_guid``), take Anki's own render of its first card
(``card.question()`` / ``card.answer()``) and its note type's CSS, write them as a page into
the collection's media folder (so ``<img src="x.svg">`` resolves like in Anki), and screenshot
that page with headless Chromium (Debian package ``chromium``), sized to the card's height.
Chromium runs with a fresh profile and no network features. Exit status 0 on success, 1 when a
step fails (the message says which), 2 for usage errors.
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
from contextlib import redirect_stderr, redirect_stdout
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

# Anki's reviewer puts the card in <body class="card cardN"> inside a #qa div; the note
# type's CSS targets .card. The measuring script writes the page height into the title.
PAGE = """<!doctype html>
<html><head><meta charset="utf-8"><title>card</title>
<style>html, body {{ margin: 0; }} #qa {{ padding: 16px 20px; }}</style>
<style>{css}</style></head>
<body class="card card{ord}"><div id="qa">{body}</div>
<script>window.addEventListener("load", function () {{
  document.title = "height=" + Math.ceil(document.documentElement.scrollHeight);
}});</script></body></html>
"""


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


def build_package(vault: Path, out: Path) -> None:
    """``mkdeck build VAULT -o OUT``; raises :class:`ScreenshotError` on a non-zero exit."""
    from mkdeck.cli import main

    err = io.StringIO()
    status = main(["build", str(vault), "-o", str(out)], stdout=io.StringIO(), stderr=err)
    if status != 0 or not out.exists():
        raise ScreenshotError(f"mkdeck build {vault} failed ({status}):\n{err.getvalue()}")


def pick_guid(vault: Path, note_path: str, index: int) -> str:
    """Guid of the ``index``-th note (0-based, document order) written in ``note_path``."""
    from mkdeck.export.identity import note_guid
    from mkdeck.app.load import load

    result = load([vault])
    notes = [n for n in result.notes if n.location.path == note_path]
    if not 0 <= index < len(notes):
        raise ScreenshotError(f"{note_path} has {len(notes)} card(s); --index {index} is not one")
    return note_guid(notes[index])


def render_card(package: Path, guid: str, side: str, workdir: Path) -> tuple[str, Path]:
    """Import ``package`` into a fresh collection in ``workdir`` and return
    ``(page HTML, media folder)`` for the first card of the note with ``guid``."""
    from anki.collection import Collection, ImportAnkiPackageRequest

    workdir.mkdir(parents=True, exist_ok=True)
    col = Collection(str(workdir / "collection.anki2"))
    try:
        opts = col._backend.get_import_anki_package_presets()
        col.import_anki_package(ImportAnkiPackageRequest(package_path=str(package), options=opts))
        nid = col.db.scalar("select id from notes where guid = ?", guid)
        if nid is None:
            raise ScreenshotError(f"the package has no note with guid {guid!r}")
        card = sorted(col.get_note(nid).cards(), key=lambda c: c.ord)[0]
        body = card.answer() if side == "answer" else card.question()
        css = card.note_type()["css"]
        page = PAGE.format(css=css, ord=card.ord + 1, body=body)
        return page, Path(col.media.dir())
    finally:
        col.close()


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
    match = re.search(r"<title>height=(\d+)</title>", dom)
    if not match:
        raise ScreenshotError("could not measure the card page (no height in the DOM)")
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
    parser.add_argument("--index", type=int, default=0, help="which card of that note (0-based)")
    parser.add_argument("--side", choices=("question", "answer"), default="answer")
    parser.add_argument("--width", type=int, default=640)
    parser.add_argument("--out", default=str(ROOT / "docs" / "images" / "card.png"))
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    try:
        chromium = find_chromium()
        with tempfile.TemporaryDirectory(prefix="mkdeck-shot-") as tmp:
            work = Path(tmp)
            package = work / "deck.apkg"
            build_package(Path(args.vault), package)
            guid = pick_guid(Path(args.vault), args.note, args.index)
            quiet = io.StringIO()
            with redirect_stdout(quiet), redirect_stderr(quiet):
                page, media = render_card(package, guid, args.side, work)
            page_file = media / "_mkdeck_card.html"
            page_file.write_text(page, encoding="utf-8")
            url = page_file.as_uri()
            height = page_height(chromium, url, args.width)
            screenshot(chromium, url, Path(args.out), args.width, height)
    except ScreenshotError as exc:
        print(f"screenshot: {exc}", file=sys.stderr)
        return 1
    LOG.info("wrote %s (%dx%d, %s of card %d of %s)", args.out, args.width, height,
             args.side, args.index, args.note)
    return 0


if __name__ == "__main__":
    sys.exit(main())
