"""``mkdeck forget``: edit the vault's sync state once the user has acted in Anki.

A note removed from the vault stays in the state as a tombstone (written into every package,
tagged ``mkdeck::removed``) until the user has deleted it in Anki and says so; a moved note
keeps its ``mkdeck::moved`` tag until the user has moved its cards. :func:`forget` records
either (``mkdeck push`` does the same after acting through AnkiConnect). Returns data; the CLI
(:mod:`mkdeck.cli.forget`) prints.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from mkdeck.export.state import read_state, write_state
from mkdeck.model import Diagnostic
from mkdeck.vault import find_root, resolve_paths

LOG = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class ForgetResult:
    """What :func:`forget` did.

    Attributes:
        root: the vault root.
        found: a state file was there and could be used.
        removed: tombstones forgotten.
        moved: moved notes recorded in their new deck.
        diagnostics: MKD330/MKD331 when the state file cannot be used (nothing written).
    """

    root: Path
    found: bool
    removed: int = 0
    moved: int = 0
    diagnostics: tuple[Diagnostic, ...] = ()


def forget(paths: Sequence[str | Path], *, removed: bool = True,
           moved: bool = False) -> ForgetResult:
    """Forget the tombstones (``removed``) and/or accept the deck moves (``moved``) of the
    sync state of the vault around ``paths``, and write it back atomically.

    Raises:
        mkdeck.vault.VaultError: a PATH is missing or unreadable.
        OSError: the state file cannot be written.
    """
    root = find_root(resolve_paths(paths))
    read = read_state(root)
    if read.state is None:
        return ForgetResult(root, False, diagnostics=read.diagnostics)
    state = read.state
    n_removed = n_moved = 0
    if removed:
        n_removed = len(state.removed())
        state = state.forget_removed()
    if moved:
        n_moved = len(state.moved())
        state = state.mark_placed()
    write_state(root, state, old_text=read.text)
    return ForgetResult(root, True, n_removed, n_moved)
