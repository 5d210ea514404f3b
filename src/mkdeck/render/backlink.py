"""A link from each card back to its note (``note_link: back``), as users of Obsidian_to_Anki
ask for (its issues 387, 553, 556).

The link is an ``obsidian://open`` URI (Obsidian's own URI scheme: ``vault`` and ``file``,
URI-encoded; ``file`` may end in ``#Heading`` or ``#^block``, encoded as ``%23`` and
``%23%5E``: help.obsidian.md, "Obsidian URI"). It points at the block id written in the card
when there is one, else at the nearest heading above the card, else at the note. It is added
under the back: at the end of the note's last field, in a ``<div class="mkdeck-source">``.

Public API: :func:`note_uri`, :func:`backlink_html`.
"""

from __future__ import annotations

import logging
import re
from urllib.parse import quote

from markdown_it.common.utils import escapeHtml

from mkdeck.vault.links import VaultIndex
from mkdeck.model import Note

LOG = logging.getLogger(__name__)

_BLOCK_ID_RE = re.compile(r"(?:^|\s)\^([A-Za-z0-9-]+)\s*$")
_HEADING_CHARS_RE = re.compile(r"[\[\]|#^:\\]+")
_SAFE = "-_.!~*'()"


def _heading_text(text: str) -> str:
    """A heading as Obsidian links to it: ``[[li fork|fork]]`` → ``li fork fork`` (the
    characters a link cannot hold become spaces)."""
    return " ".join(_HEADING_CHARS_RE.sub(" ", text).split())


def note_uri(vault_name: str, note: Note, index: VaultIndex) -> tuple[str, str]:
    """``(uri, label)`` of the place a note is written.

    Args:
        vault_name: the vault's name (the ``vault`` parameter).
        note: the note; its ``location.path`` is the file.
        index: the vault's index (the file's lines and headings).

    Returns:
        The ``obsidian://open?vault=…&file=…`` URI, with ``#^block`` (a block id written on a
        line of the card) or ``#Heading`` (the nearest heading above the card) when there is
        one, and the label shown: the note's name, ``› heading`` after it.
    """
    path = note.location.path
    file = path[:-3] if path.casefold().endswith(".md") else path
    name = file.rsplit("/", 1)[-1]
    lines = index.lines(path)
    sub = ""
    label = name
    for lineno in range(note.location.line, min(note.end_line, len(lines)) + 1):
        m = _BLOCK_ID_RE.search(lines[lineno - 1])
        if m:
            sub = "#^" + m.group(1)
            break
    if not sub:
        above = [h for h in index.headings(path) if h.line < note.location.line]
        if above:
            heading = _heading_text(above[-1].text)
            if heading:
                sub = "#" + heading
                label = f"{name} › {heading}"
    uri = (f"obsidian://open?vault={quote(vault_name, safe=_SAFE)}"
           f"&file={quote(file + sub, safe=_SAFE)}")
    return uri, label


def backlink_html(vault_name: str, note: Note, index: VaultIndex) -> str:
    """The HTML added under the back:
    ``<div class="mkdeck-source"><a href="…">label</a></div>``."""
    uri, label = note_uri(vault_name, note, index)
    return (f'<div class="mkdeck-source"><a href="{escapeHtml(uri)}">{escapeHtml(label)}</a>'
            f'</div>')
