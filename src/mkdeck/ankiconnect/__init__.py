"""Talking to a running Anki through the AnkiConnect add-on (code 2055492159).

:mod:`~mkdeck.ankiconnect.client` is the HTTP client (standard library only) with one error
class per way a request fails; :mod:`~mkdeck.ankiconnect.push` reads a built package,
compares it with what was last pushed to that Anki and does what a package cannot: delete and
move. Neither prints; ``mkdeck push`` and ``mkdeck watch --push`` (``mkdeck.app.push``) use
them.
"""

from __future__ import annotations

from mkdeck.ankiconnect.client import (
    AnkiActionFailed,
    AnkiActionUnsupported,
    AnkiBusy,
    AnkiConnect,
    AnkiConnectError,
    AnkiKeyRejected,
    AnkiTimeout,
    AnkiUnreachable,
    resolve_url,
)

__all__ = [
    "AnkiActionFailed", "AnkiActionUnsupported", "AnkiBusy", "AnkiConnect", "AnkiConnectError",
    "AnkiKeyRejected", "AnkiTimeout", "AnkiUnreachable", "resolve_url",
]
