"""The flow of ``mkdeck push`` (and of ``mkdeck watch --push``): connect to AnkiConnect,
build the whole vault, push the package, tell the vault's sync state.

Nothing here prints: errors are exceptions (:class:`~mkdeck.ankiconnect.AnkiConnectError`,
:class:`~mkdeck.ankiconnect.package.PushError`, ``mkdeck.vault.VaultError``), results are data
(:class:`PushReport`); ``mkdeck.cli.push`` prints them.

The vault's sync state (issue 12, ``mkdeck.export.state``) is used through three small
functions (:func:`removed_in_state`, :func:`after_push`, :func:`state_build_options`): push
also deletes the tombstones it lists and tells it what was deleted and moved; a vault without
a state file yet has its removed notes found from push's own record of what it pushed.
"""

from __future__ import annotations

import hashlib
import logging
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mkdeck.ankiconnect.client import KEY_ENV, AnkiConnect, resolve_url
from mkdeck.ankiconnect.package import TAG_MOVED, PushError, read_package
from mkdeck.ankiconnect.push import (
    PushResult,
    anki_profile,
    apply_push,
    check_deletions,
    plan_push,
)
from mkdeck.ankiconnect.record import foreign_notes, load_record, record_path, save_record

LOG = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Target:
    """The Anki a push goes to: its connection, URL and open profile."""

    client: AnkiConnect
    url: str
    profile: str

    @property
    def where(self) -> str:
        """``"http://127.0.0.1:8765 (profile User 1)"``."""
        return f"{self.url} (profile {self.profile})"


def connect(url: str | None, *, timeout: float,
            environ: Mapping[str, str] | None = None) -> Target:
    """Connect to AnkiConnect at ``url`` (else ``$ANKI_CONNECT_URL``, else the default) with
    the key in ``$ANKI_CONNECT_KEY``, and ask which profile is open.

    Raises:
        ValueError: the URL is not an http URL.
        AnkiConnectError: Anki cannot be reached, or refuses.
    """
    env = os.environ if environ is None else environ
    resolved = resolve_url(url, env)
    client = AnkiConnect(resolved, env.get(KEY_ENV) or None, timeout=timeout)
    return Target(client, resolved, anki_profile(client))


def whole_vault(paths: Sequence[str | os.PathLike[str]]) -> Path:
    """The vault root, when ``paths`` is exactly it.

    Raises:
        mkdeck.vault.VaultError: a path is missing, or outside one vault.
        PushError: ``paths`` is part of a vault: a push of some notes would take every other
            note for a removed one.
    """
    from mkdeck.vault import find_root, resolve_paths

    resolved = resolve_paths(list(paths))
    root = find_root(resolved)
    if resolved != [root]:
        raise PushError(f"give the whole vault, {root}: pushing part of it would delete in "
                        f"Anki the notes of the rest")
    return root


def package_path(target: Target, root: Path,
                 environ: Mapping[str, str] | None = None) -> Path:
    """Where a push writes the package it sends: ``$XDG_CACHE_HOME/mkdeck/push/<key>/<vault
    folder name>.apkg``, a stable path per Anki and vault (the build's note-type memory and
    cache are keyed by the output path); never in the vault."""
    from mkdeck.export.cache import cache_dir

    key = hashlib.sha256("\x00".join([target.url, target.profile, str(root)]).encode(
        "utf-8", "surrogateescape")).hexdigest()[:16]
    return cache_dir(environ).parent / "push" / key / f"{root.name or 'vault'}.apkg"


def build_for_push(root: Path, out: Path, *, dry_run: bool, config: str | None = None,
                   deck: str | None = None, strict: bool = False,
                   environ: Mapping[str, str] | None = None) -> Any:
    """``mkdeck build`` of the vault at ``root`` into ``out``; a dry run writes nothing but
    ``out`` (give it a temp folder): no build cache, no note-type memory, no sync state.

    Returns:
        The build's ``BuildOutcome``.
    Raises:
        mkdeck.vault.VaultError, OSError: as the build does.
    """
    from mkdeck.app.build import build

    env = dict(os.environ if environ is None else environ)
    if dry_run:  # the build's caches go next to the temp package, and vanish with it
        env["XDG_CACHE_HOME"] = str(out.parent)
    return build([root], out, config=config, deck=deck, strict=strict,
                 use_cache=not dry_run, environ=env, **state_build_options(dry_run))


@dataclass(frozen=True, slots=True)
class PushReport:
    """What a push did: the :class:`~mkdeck.ankiconnect.push.PushResult`, notices to show
    (postponed deletions, notes not found, a state not updated, notes withheld), the one-line
    summary, and whether the vault needs fixing (``needs_fix``: notes withheld because
    another vault pushed their identity, updates Anki did not take; ``mkdeck push`` then
    exits 1)."""

    result: PushResult
    notices: tuple[str, ...]
    line: str
    needs_fix: bool = False


# Findings that mean a config file was not read at all (mkdeck.yaml's YAML, the plugin's
# data.json): decks, note types and card syntax then fall back to their defaults.
CONFIG_UNREAD = frozenset({"MKD020", "MKD023"})


def config_unread(diagnostics: Sequence[Any]) -> str | None:
    """Why the build's config was not read (``"mkdeck.yaml cannot be read (MKD020)"``), or
    ``None``: a push then sends nothing, for without its config every card may change deck
    or note type (:data:`CONFIG_UNREAD`)."""
    for d in diagnostics:
        if d.code in CONFIG_UNREAD:
            return f"{d.location.path} cannot be read ({d.code})"
    return None


# Findings that mean the sync state was not used (unreadable, a merge conflict): cards without
# an ID comment are then known by file and first field only, so a card moved to another file
# looks removed (and added anew).
STATE_UNUSED = frozenset({"MKD330", "MKD331"})


def state_unused(diagnostics: Sequence[Any]) -> str | None:
    """Why the build did not use the vault's sync state (``".mkdeck-state cannot be used
    (MKD331)"``), or ``None``: deletions then wait (:data:`STATE_UNUSED`)."""
    for d in diagnostics:
        if d.code in STATE_UNUSED:
            return f"{d.location.path} cannot be used ({d.code})"
    return None


def vault_snapshot(root: Path) -> dict[str, tuple[int, int, int]]:
    """``{path: (inode, size, mtime in ns)}`` of the files under ``root`` a build may read
    (dot names, packages and links to folders skipped): two snapshots differ when a file
    was saved between them. Files that vanish while listed are left out."""
    out: dict[str, tuple[int, int, int]] = {}
    for folder, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        for name in files:
            if name.startswith(".") or name.endswith(".apkg"):
                continue
            path = os.path.join(folder, name)
            try:
                st = os.stat(path)
            except OSError:
                continue
            out[path] = (st.st_ino, st.st_size, st.st_mtime_ns)
    return out


def push_built(target: Target, package: Path, root: Path, *, dry_run: bool = False,
               max_delete: int = 20, yes: bool = False, build_errors: bool = False,
               vault_changed: bool = False, watching: bool = False,
               state_problem: str | None = None,
               environ: Mapping[str, str] | None = None) -> PushReport:
    """Push the built ``package`` of the vault at ``root`` to ``target``, record it (not when
    ``dry_run``) and tell the vault's sync state.

    Args:
        build_errors: the build had errors: deletions wait (a note with an error is missing
            from the package, not removed).
        vault_changed: a file changed while the vault was built (:func:`vault_snapshot`
            before and after): deletions wait, for the build may have read a note an editor
            was saving (truncated, not yet written) and taken its cards for removed ones.
        state_problem: why the build did not use the sync state (:func:`state_unused`):
            deletions wait, for a card moved to another file then looks removed.
        watching: pushed by ``mkdeck watch``: deletions wait for ``mkdeck push`` (a file
            can be away for a moment, in a ``git stash`` or a sync, and a deleted note takes
            its reviews with it; the file's return would make a new note).
        max_delete, yes: more than ``max_delete`` deletions need ``yes``.
    Returns:
        A :class:`PushReport`.
    Raises:
        PushError: too many deletions, an unreadable package or record; nothing was done.
        AnkiConnectError: Anki failed midway; nothing was recorded, so the next push redoes it.
        OSError: the record cannot be written (Anki has the changes; the next push redoes
            them, which changes nothing more).
    """
    rpath = record_path(target.url, target.profile, str(root), environ)
    notes = read_package(package)
    record = load_record(rpath, target.url, target.profile, str(root))
    plan = plan_push(notes, record, removed=removed_in_state(root),
                     allow_delete=not (build_errors or vault_changed or watching
                                       or state_problem),
                     foreign=foreign_notes(target.url, target.profile, str(root), environ))
    if not dry_run:
        check_deletions(plan, max_delete, yes)
    result, new_record = apply_push(target.client, package, notes, plan, record,
                                    dry_run=dry_run)
    notices = []
    if not dry_run:
        if new_record != record:
            save_record(rpath, new_record)
        # tombstones this Anki no longer needs: deleted now, found missing, or another
        # vault's note; a build that kept writing them would create them again in Anki
        leave = ([d.guid for d in result.deleted] + [d.guid for d in result.not_found]
                 + list(plan.absent) + list(plan.released))
        # every note the state still calls moved (the package tags it) whose cards this Anki
        # has in its deck now: moved by this push, or by one cut short before it said so
        placed = [n.guid for n in notes if TAG_MOVED in n.tags and not n.removed
                  and n.guid in new_record.notes
                  and new_record.notes[n.guid].deck.casefold() == n.deck.casefold()]
        warning = after_push(root, deleted=leave, moved=placed)
        if warning:
            notices.append(warning)
    if plan.withheld:
        first, other = plan.withheld[0]
        notices.append(
            f"{_notes(len(plan.withheld), 'of this vault', 'has', 'have')} the identity of "
            f"{'a note' if len(plan.withheld) == 1 else 'notes'} pushed to this Anki from "
            f"{other}: {first.label!r} ({first.deck}){' …' if len(plan.withheld) > 1 else ''}"
            f"; Anki holds one note per identity, so "
            f"{'it was' if len(plan.withheld) == 1 else 'they were'} not sent. Give the card an "
            f"ID comment (`mkdeck ids`), or change its first field or its file's name, in one "
            f"of the vaults")
    if plan.postponed and state_problem and not build_errors:
        notices.append(f"{_notes(len(plan.postponed), 'removed from the vault', 'is', 'are')} "
                       f"not deleted in Anki: {state_problem}, so cards are known by file "
                       f"and first field only; fix it and push again")
    elif plan.postponed and watching and not build_errors:
        notices.append(f"{_notes(len(plan.postponed), 'removed from the vault', 'is', 'are')} "
                       f"not deleted in Anki by watch (a file may be away for a moment: git "
                       f"checkout, a sync); `mkdeck push` deletes "
                       f"{'it' if len(plan.postponed) == 1 else 'them'}")
    elif plan.postponed and not build_errors:
        notices.append(f"{_notes(len(plan.postponed), 'removed from the vault', 'is', 'are')} "
                       f"not deleted in Anki: the vault changed while it was built (a save?); "
                       f"push again")
    elif plan.postponed:
        notices.append(f"{_notes(len(plan.postponed), 'removed from the vault', 'is', 'are')} "
                       f"not deleted in Anki while the build has errors; fix them and push "
                       f"again")
    if result.not_found:
        notices.append(f"{_notes(len(result.not_found), 'removed from the vault', 'was', 'were')}"
                       f" not in Anki (deleted there already)")
    if result.lost:
        notices.append(
            f"{_notes(len(result.lost), '', 'was', 'were')} not in Anki to move (deleted "
            f"there?): {', '.join(repr(n.label) for n in result.lost[:3])}"
            f"{' …' if len(result.lost) > 3 else ''}; "
            f"{'its' if len(result.lost) == 1 else 'their'} next edit in the vault sends "
            f"{'it' if len(result.lost) == 1 else 'them'} again")
    if result.not_updated:
        notices.append(
            f"{_notes(len(result.not_updated), '', 'was', 'were')} not updated by Anki: "
            f"{', '.join(repr(n.label) for n in result.not_updated[:3])}"
            f"{' …' if len(result.not_updated) > 3 else ''}: Anki's copy is newer (edited in "
            f"Anki, or rewritten by Anki when it merged a note type whose fields changed: "
            f"MKD308). Edit the note in the vault again, or import the package in Anki "
            f"with \"Update notes: Always\"; the next push tries again")
    if result.missing:
        notices.append(f"{_notes(len(result.missing), '', 'was', 'were')} not found in Anki "
                       f"after the import: Anki has their note type with other fields (see "
                       f"MKD308); e.g. {result.missing[0].label!r}")
    counts = ", ".join(f"{n} {word}" for word, n in result.counts().items())
    if dry_run:
        line = f"dry run, nothing changed: push to {target.where} would give {counts}"
    elif plan.is_empty:
        line = f"nothing to push to {target.where}: {counts}"
    else:
        line = f"pushed to {target.where}: {counts}"
    return PushReport(result, tuple(notices), line,
                      needs_fix=bool(plan.withheld or result.not_updated))


def listing(result: PushResult) -> list[tuple[str, str, str]]:
    """``(action, deck, label)`` of every note a push concerns, for ``--dry-run``: adds,
    updates, moves (``"old -> new"``), deletions, postponed deletions; each sorted."""
    rows = [("add", d, label) for d, label in sorted((n.deck, n.label)
                                                      for n in result.plan.added)]
    rows += [("update", d, label) for d, label in sorted((n.deck, n.label)
                                                          for n in result.plan.updated)]
    rows += [("move", f"{old} -> {n.deck}", n.label)
             for n, old in sorted(result.moved, key=lambda m: (m[0].deck, m[0].label))]
    rows += [("delete", "", label) for label in sorted(d.label for d in result.deleted)]
    rows += [("postpone", "delete", label)
             for label in sorted(d.label for d in result.plan.postponed)]
    return rows


def _notes(n: int, what: str, one: str, many: str) -> str:
    """``"1 note <what> <one>"`` / ``"3 notes <what> <many>"``."""
    words = [f"{n} note" + ("" if n == 1 else "s"), what, one if n == 1 else many]
    return " ".join(w for w in words if w)


# --- the sync state (issue 12), when this mkdeck has it -----------------------------------------


def removed_in_state(root: Path) -> list[tuple[str, str, int]]:
    """``(guid, Anki note type name, note id mkdeck gives it)`` of the state's tombstones;
    ``[]`` without a state (or one that cannot be read: the build reports that)."""
    from mkdeck.export import state as state_mod
    from mkdeck.export.identity import note_id

    read = state_mod.read_state(root)
    if read.state is None:
        return []
    return [(e.guid, e.model, note_id(e.guid)) for e in read.state.removed()]


def after_push(root: Path, *, deleted: Sequence[str], moved: Sequence[str]) -> str | None:
    """Record in the vault's state that the tombstones of ``deleted`` guids are no longer
    needed (deleted in Anki, not in it, or another vault's note: they leave the state) and
    that ``moved`` guids' cards now sit in their deck. Writes only when that changes the
    state. Returns a warning, or ``None``."""
    from mkdeck.export import state as state_mod

    if not (deleted or moved):
        return None
    read = state_mod.read_state(root)
    if read.state is None:
        return None
    state = read.state
    if deleted:
        state = state.forget_removed(list(deleted))
    if moved:
        state = state.mark_placed(list(moved))
    if state == read.state:
        return None
    try:
        state_mod.write_state(root, state)
    except OSError as exc:
        return (f"cannot update the sync state in {root} ({exc.strerror or exc}); the "
                f"removed notes stay listed in it")
    return None


def state_build_options(dry_run: bool) -> dict[str, object]:
    """Build options for the sync state: a dry run reads the state but must not write it."""
    return {"write_state": False} if dry_run else {}
