"""Media files: which extensions Anki shows how, and the names they get inside the deck.

Anki's media folder is flat and matches names case-insensitively on import (ankitects/anki
#4433), so two different files called ``image.png`` (or ``a0.jpg`` and ``A0.JPG``) would show
the same picture. :func:`media_names` keeps each file's basename unless two different files
would share it, and then names each of them ``stem-<first 8 hex of sha1 of content>.ext``.
"""

from __future__ import annotations

import hashlib
import logging
import posixpath
from collections.abc import Iterable
from typing import Literal

from mkdeck.vault.read import DEFAULT_MEDIA_LIMIT, sha1_of

LOG = logging.getLogger(__name__)

IMAGE_EXTENSIONS = frozenset(
    {".png", ".jpg", ".jpeg", ".gif", ".bmp", ".svg", ".webp", ".avif", ".tif", ".tiff"}
)
AUDIO_EXTENSIONS = frozenset({".mp3", ".wav", ".ogg", ".m4a", ".flac", ".opus", ".aac", ".wma"})
VIDEO_EXTENSIONS = frozenset({".mp4", ".webm", ".mov", ".mkv", ".ogv"})

MediaKind = Literal["image", "audio", "video", "other"]


def media_kind(name: str) -> MediaKind:
    """``"image"``, ``"audio"``, ``"video"`` or ``"other"`` from the extension, any case
    (Obsidian's accepted formats; ``.PNG`` is an image)."""
    ext = posixpath.splitext(name.rsplit("/", 1)[-1])[1].casefold()
    if ext in IMAGE_EXTENSIONS:
        return "image"
    if ext in AUDIO_EXTENSIONS:
        return "audio"
    if ext in VIDEO_EXTENSIONS:
        return "video"
    return "other"


def _sha1(root: str, path: str, limit: int) -> str:
    try:
        return sha1_of(root, path, limit)  # in chunks, regular files inside the vault only
    except OSError as exc:  # vanished, refused (reported where it is packed): name by its path
        LOG.warning("cannot read media %s: %s", path, exc)
        return hashlib.sha1(path.encode("utf-8", "surrogateescape")).hexdigest()


def media_names(root: str, paths: Iterable[str],
                limit: int = DEFAULT_MEDIA_LIMIT) -> dict[str, str]:
    """Deck names for media files.

    Args:
        root: the vault root (files are read only when names collide, through
            :func:`mkdeck.vault.read.sha1_of`).
        paths: vault-relative paths of the files the deck uses.
        limit: the most bytes read from one file (``max_media_size``).

    Returns:
        path -> name in the deck: the basename, or ``stem-<8 hex of sha1>.ext`` for every
        file whose basename another file with different content shares case-insensitively
        (files with equal content get equal names, spelled as the first path's basename).
    """
    groups: dict[str, list[str]] = {}
    for path in dict.fromkeys(paths):
        groups.setdefault(path.rsplit("/", 1)[-1].casefold(), []).append(path)
    names: dict[str, str] = {}
    for members in groups.values():
        if len(members) == 1:
            names[members[0]] = members[0].rsplit("/", 1)[-1]
            continue
        digests = {p: _sha1(root, p, limit) for p in members}
        if len(set(digests.values())) == 1:  # the same file twice: one name
            first = sorted(members)[0].rsplit("/", 1)[-1]
            for p in members:
                names[p] = first
            continue
        for p in members:  # files with equal bytes share one name (the first path's)
            first = min(q for q in members if digests[q] == digests[p])
            stem, ext = posixpath.splitext(first.rsplit("/", 1)[-1])
            names[p] = f"{stem}-{digests[p][:8]}{ext}"
    return names
