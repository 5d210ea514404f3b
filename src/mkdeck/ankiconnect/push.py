"""``mkdeck push``: bring a running Anki in step with a built package, through AnkiConnect.

A package can add and update notes, never delete or move them. Push does the rest:

1. read the package just built (:func:`mkdeck.ankiconnect.package.read_package`: what Anki
   will receive, tombstones of the sync state included);
2. compare it with what was last pushed to *this* Anki (:mod:`mkdeck.ankiconnect.record`, one
   file per Anki URL + profile + vault under ``$XDG_STATE_HOME/mkdeck/push``) and with
   the sync state's tombstones: :func:`plan_push` gives notes added, updated, unchanged,
   moved (deck changed) and to delete;
3. :func:`apply_push`: ``importPackage``, then ``changeDeck`` for moved cards and
   ``deleteNotes`` for removed notes, then the new record. Nothing is recorded until every
   step succeeded, so a push cut short (Anki closed midway) is redone by the next one.

Which Anki note is which vault note: AnkiConnect cannot search by guid, so a note is found by
its Anki note id. The importer keeps a package's note id when it is free, else adds 999 until
it is (``rslib/src/import_export/package/apkg/import/notes.rs``, ``uniquify_note_id``);
mkdeck derives note ids from guids (``mkdeck.identity.note_id``). A note id is taken to
be a guid's note (:func:`locate_notes`) when the Anki note there has the note type mkdeck gave
that guid and, in this order of preference, (a) this Anki's record says so, (b) its fields are
exactly the package's, at the package's id or one of the importer's +999 steps, or (c) it is
at the package's own id (Anki's copy edited since). A note is deleted only when it is found
that way and its note type is one of mkdeck's (``… (mkdeck)``): a note made in Anki by hand
never is. A guid is vault-relative, so two vaults can share one: a note that another vault
pushed to this Anki (its record says so) is never sent, moved or deleted from here.

No printing here (``mkdeck.cli.push`` prints); errors are exceptions.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import re
import tempfile
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mkdeck.ankiconnect.client import (
    AnkiActionFailed,
    AnkiActionUnsupported,
    AnkiBusy,
    AnkiConnect,
)
from mkdeck.ankiconnect.package import (
    TAG_MOVED,
    TAG_REMOVED,
    PackageNote,
    PushError,
    without_notes,
)
from mkdeck.ankiconnect.record import PushRecord, RecordEntry

LOG = logging.getLogger(__name__)

MODEL_SUFFIX = " (mkdeck)"
DEFAULT_MAX_DELETE = 20
# How many of the importer's +999 steps are tried when a note id was taken.
_REMAP_STEPS = 4
_NOTE_ID_STEP = 999


# --- the plan ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Deletion:
    """A note to delete in Anki: ``guid``, the note type mkdeck gave it, the note id recorded
    for it (or ``None``), the note id mkdeck gives it in a package (or ``None``), its fields
    when known (a tombstone's), and a label."""

    guid: str
    model: str
    nid: int | None
    planned: int | None
    fields: tuple[str, ...] | None
    label: str


@dataclass(frozen=True, slots=True)
class PushPlan:
    """What a push will do.

    Attributes:
        added: live notes this Anki has not had from mkdeck.
        updated: live notes whose content changed since the last push.
        unchanged: the other live notes.
        moved: ``(note, old deck)`` for live notes whose deck changed since the last push.
        deletions: notes to delete in Anki (removed from the vault).
        postponed: deletions not done because the build had errors (a note with an error is
            missing from the package, and must not be taken for a removed one).
        absent: guids of removed notes this Anki was found not to have at an earlier push
            (:attr:`PushRecord.gone`): not looked for again.
        withheld: ``(note, other vault)`` for live notes whose guid another vault pushed to
            this Anki (:func:`mkdeck.ankiconnect.record.foreign_notes`): Anki holds one note
            per guid, so they are not sent (the package is imported without them).
        released: guids removed from this vault that another vault pushed to this Anki:
            never deleted, and left out of this vault's record.
    """

    added: tuple[PackageNote, ...] = ()
    updated: tuple[PackageNote, ...] = ()
    unchanged: tuple[PackageNote, ...] = ()
    moved: tuple[tuple[PackageNote, str], ...] = ()
    deletions: tuple[Deletion, ...] = ()
    postponed: tuple[Deletion, ...] = ()
    absent: tuple[str, ...] = ()
    withheld: tuple[tuple[PackageNote, str], ...] = ()
    released: tuple[str, ...] = ()

    @property
    def not_sent(self) -> frozenset[str]:
        """Guids of the package's notes that must not reach Anki (:attr:`withheld`,
        :attr:`released`)."""
        return frozenset({n.guid for n, _ in self.withheld} | set(self.released))

    @property
    def needs_import(self) -> bool:
        """Whether the package must be imported (a note to add or update)."""
        return bool(self.added or self.updated)

    @property
    def is_empty(self) -> bool:
        """Nothing to do in Anki."""
        return not (self.added or self.updated or self.moved or self.deletions)


def plan_push(notes: Sequence[PackageNote], record: PushRecord, *,
              removed: Iterable[tuple[str, str, int]] = (),
              allow_delete: bool = True,
              foreign: Mapping[str, str] | None = None) -> PushPlan:
    """Compare the package's ``notes`` with ``record``.

    Args:
        notes: :func:`read_package` of the package to push.
        record: what was last pushed to this Anki from this vault.
        removed: ``(guid, Anki note type name, note id mkdeck gives it)`` of notes the sync
            state says were removed (besides the package's tombstones and the record's notes
            missing from the package).
        allow_delete: ``False`` when the build had errors: deletions are then postponed.
        foreign: guid -> vault of the notes other vaults pushed to this Anki: those notes
            are never added, updated, moved or deleted from here (withheld, released).
    Returns:
        A :class:`PushPlan`; its lists follow the package's note order.
    """
    foreign = foreign or {}
    withheld = [(n, foreign[n.guid]) for n in notes if not n.removed and n.guid in foreign]
    live = [n for n in notes if not n.removed and n.guid not in foreign]
    live_guids = {n.guid for n in notes if not n.removed}
    added, updated, unchanged, moved = [], [], [], []
    for note in live:
        old = record.notes.get(note.guid)
        if old is None:
            added.append(note)
            continue
        (updated if old.digest != note.digest else unchanged).append(note)
        if old.deck.casefold() != note.deck.casefold():
            moved.append((note, old.deck))
    deletions: dict[str, Deletion] = {}
    absent: set[str] = set()
    for note in notes:
        if note.removed and note.guid in record.gone and note.guid not in record.notes:
            absent.add(note.guid)
        elif note.removed and note.guid not in live_guids:
            old = record.notes.get(note.guid)
            deletions[note.guid] = Deletion(note.guid, note.model, old.nid if old else None,
                                            note.note_id, note.fields, note.label)
    for guid, model, planned in removed:
        if guid in record.gone and guid not in record.notes:
            absent.add(guid)
        elif guid not in live_guids and guid not in deletions:
            old = record.notes.get(guid)
            deletions[guid] = Deletion(guid, model, old.nid if old else None, planned, None,
                                       old.label if old else "")
    for guid, old in sorted(record.notes.items()):
        if guid not in live_guids and guid not in deletions:
            deletions[guid] = Deletion(guid, old.model, old.nid, None, None, old.label)
    released = sorted(g for g in deletions if g in foreign)
    found = tuple(d for g, d in deletions.items() if g not in foreign)
    return PushPlan(tuple(added), tuple(updated), tuple(unchanged), tuple(moved),
                    found if allow_delete else (), () if allow_delete else found,
                    tuple(sorted(absent)), tuple(withheld), tuple(released))


# --- Anki -------------------------------------------------------------------------------------


def anki_profile(client: AnkiConnect) -> str:
    """The name of the Anki profile open at ``client`` (``getActiveProfile``; AnkiConnect
    versions without it: the profile folder of ``getMediaDirPath``).

    Raises:
        AnkiConnectError: Anki cannot be asked (see :mod:`mkdeck.ankiconnect`).
    """
    version = client.invoke("version")
    if not isinstance(version, int) or version < 6:
        raise AnkiActionUnsupported(
            f"the AnkiConnect at {client.url} speaks API version {version}, mkdeck needs 6: "
            f"update AnkiConnect (Tools > Add-ons > AnkiConnect > Check for Updates)",
            url=client.url, action="version")
    try:
        return str(client.invoke("getActiveProfile"))
    except AnkiActionUnsupported:
        media = str(client.invoke("getMediaDirPath"))
        return Path(media).parent.name


@dataclass(frozen=True, slots=True)
class Located:
    """A note found in Anki: ``nid``, ``cards`` (card ids by ordinal), ``tags``."""

    nid: int
    cards: tuple[int, ...]
    tags: tuple[str, ...]


# Anki stores a media file whose name it already holds with other bytes as
# ``name-<sha1 of the bytes>.ext`` and rewrites the field's reference to it
# (``rslib/src/import_export/package/media.rs``).
_RENAMED_MEDIA = re.compile(r"-[0-9a-f]{40}(?=\.[A-Za-z0-9]+[\"'\]])")


def _same_fields(info: Mapping[str, Any], fields: Sequence[str], *,
                 renamed_media: bool = False) -> bool:
    values = sorted(info.get("fields", {}).values(), key=lambda f: f.get("order", 0))

    def same(value: str, field: str) -> bool:
        value, field = unicodedata.normalize("NFC", value), unicodedata.normalize("NFC", field)
        return value == field or (renamed_media and _RENAMED_MEDIA.sub("", value) == field)

    return len(values) == len(fields) and all(
        same(str(v.get("value", "")), f) for v, f in zip(values, fields))


def _notes_info(client: AnkiConnect, ids: Iterable[int]) -> dict[int, Mapping[str, Any]]:
    """``notesInfo`` of ``ids`` in chunks of 1000: note id -> info (``{}`` when Anki has no
    such note)."""
    todo = sorted(set(ids))
    infos: dict[int, Mapping[str, Any]] = {}
    for start in range(0, len(todo), 1000):
        chunk = todo[start:start + 1000]
        reply = client.invoke("notesInfo", notes=chunk)
        if not isinstance(reply, list) or len(reply) != len(chunk) \
                or not all(_is_note_info(i) for i in reply):
            raise _unexpected(client, "notesInfo", reply)
        infos.update(zip(chunk, reply))
    return infos


def _is_note_info(info: object) -> bool:
    """Whether ``info`` has the shape of one ``notesInfo`` answer (``{}``: no such note)."""
    if not isinstance(info, dict):
        return False
    if not info:
        return True
    fields, cards, tags = info.get("fields"), info.get("cards"), info.get("tags", [])
    return (isinstance(info.get("modelName"), str) and isinstance(fields, dict)
            and all(isinstance(f, dict) and isinstance(f.get("value"), str)
                    and isinstance(f.get("order"), int) for f in fields.values())
            and isinstance(cards, list) and all(type(c) is int for c in cards)
            and isinstance(tags, list) and all(isinstance(t, str) for t in tags))


def locate_notes(client: AnkiConnect,
                 wanted: Mapping[str, tuple[str, int | None, int | None, Sequence[str] | None]]
                 ) -> dict[str, Located]:
    """Find notes in Anki by guid (see the module docstring for the rule).

    Args:
        client: the AnkiConnect connection.
        wanted: guid -> (Anki note type name, recorded note id or ``None``, the note id in
            the package or ``None``, the fields the package holds or ``None``).
    Returns:
        guid -> :class:`Located`, for the notes found; the others are missing.
    Raises:
        AnkiConnectError: a request failed.
    """
    infos: dict[int, Mapping[str, Any]] = {}

    def fetch(ids: Iterable[int]) -> None:
        infos.update(_notes_info(client, [i for i in ids if i not in infos]))

    def found(nid: int, info: Mapping[str, Any]) -> Located:
        return Located(nid, tuple(int(c) for c in info.get("cards", [])),
                       tuple(info.get("tags", [])))

    out: dict[str, Located] = {}
    fetch([i for _, rec, base, _ in wanted.values() for i in (rec, base) if i is not None])
    unresolved = {}
    for guid, (model, rec, base, fields) in wanted.items():
        known = infos.get(rec) if rec is not None else None
        at_base = (infos.get(base) if base is not None else None) or {}
        if known and known.get("modelName") == model:  # (a) this Anki's record
            out[guid] = found(rec, known)  # type: ignore[arg-type]
        elif at_base.get("modelName") == model and fields is not None \
                and _same_fields(at_base, fields):  # (b) at the package's id, its fields
            out[guid] = found(base, at_base)
        else:
            unresolved[guid] = (model, fields, base)
    # the package's note id was taken: the importer added 999 until free; only fields that
    # are exactly the package's prove which note is ours
    steps = [(g, m, f, b + _NOTE_ID_STEP * k) for g, (m, f, b) in unresolved.items()
             if f is not None and b is not None for k in range(1, _REMAP_STEPS + 1)]
    fetch(nid for _, _, _, nid in steps)
    for guid, model, fields, nid in steps:
        info = infos.get(nid) or {}
        if guid not in out and info.get("modelName") == model and _same_fields(info, fields):
            out[guid] = found(nid, info)
    # (c) else the note at the package's own id with mkdeck's note type for it: Anki keeps a
    # package's id when it is free, and the fields differ when Anki's copy was edited later
    for guid, (model, _fields, base) in unresolved.items():
        at_base = (infos.get(base) if base is not None else None) or {}
        if guid not in out and base is not None and at_base.get("modelName") == model:
            out[guid] = found(base, at_base)
    return out


@dataclass(frozen=True, slots=True)
class PushResult:
    """What a push did (or, dry, would do).

    Attributes:
        plan: the :class:`PushPlan`.
        deleted: deletions done (or, dry, that would be done).
        not_found: deletions whose note Anki no longer has (deleted by hand, or never pushed).
        moved: ``(note, old deck)`` whose cards were (or would be) moved.
        missing: live notes that could not be found in Anki after the import (their note type
            in Anki differs: see ``mkdeck build``'s MKD308).
        lost: notes whose deck changed that Anki no longer has (deleted there by hand): nothing
            to move; recorded in their new deck, so the push settles (the next edit of such a
            note in the vault imports it again).
        not_updated: notes to update whose fields Anki still holds otherwise after the import
            (Anki's copy is newer: edited in Anki, or rewritten by Anki when it merged a note
            type whose fields changed, MKD308); not counted as updated, and recorded with
            their old digest so the next push tries again.
        imported: whether the package was imported.
        dry_run: nothing was changed.
    """

    plan: PushPlan
    deleted: tuple[Deletion, ...] = ()
    not_found: tuple[Deletion, ...] = ()
    moved: tuple[tuple[PackageNote, str], ...] = ()
    missing: tuple[PackageNote, ...] = ()
    not_updated: tuple[PackageNote, ...] = ()
    lost: tuple[PackageNote, ...] = ()
    imported: bool = False
    dry_run: bool = False

    def counts(self) -> dict[str, int]:
        """``{"added", "updated", "unchanged", "moved", "deleted"}`` -> number of notes."""
        return {"added": len(self.plan.added),
                "updated": len(self.plan.updated) - len(self.not_updated),
                "unchanged": len(self.plan.unchanged), "moved": len(self.moved),
                "deleted": len(self.deleted)}


def apply_push(client: AnkiConnect, package: str | os.PathLike[str],
               notes: Sequence[PackageNote], plan: PushPlan, record: PushRecord, *,
               dry_run: bool = False) -> tuple[PushResult, PushRecord]:
    """Do ``plan`` in the Anki at ``client`` (nothing when ``dry_run``: only reads).

    Order: ``importPackage`` (when a note is added or updated; without the notes of
    :attr:`PushPlan.not_sent`), ``addTags`` to give back the tags Anki had on updated notes
    that the vault never sent, find the notes concerned, ``changeDeck`` the moved cards (and
    remove the ``mkdeck::moved`` tag), ``deleteNotes``, then ``notesInfo`` to see which
    updates Anki took.

    Args:
        client: the AnkiConnect connection.
        package: the package file, as a path Anki can read (the same machine).
        notes: :func:`read_package` of it.
        plan: :func:`plan_push` of it.
        record: what was pushed before.
    Returns:
        ``(result, new record)``; the caller saves the record (not when ``dry_run``).
    Raises:
        AnkiConnectError: a request failed (the record must then not be saved).
    """
    if plan.is_empty:
        entries = {g: e for g, e in record.notes.items() if g not in plan.released}
        return PushResult(plan, dry_run=dry_run), dataclasses.replace(record, notes=entries)
    imported = False
    kept_tags: dict[int, set[str]] = {}  # Anki's own tags on notes the import updates
    if plan.needs_import and not dry_run:
        kept_tags = _tags_not_sent(client, plan.updated, record)
        _import(client, package, plan.not_sent)
        imported = True
        by_tags: dict[str, list[int]] = {}
        for nid, tags in kept_tags.items():
            by_tags.setdefault(" ".join(sorted(tags)), []).append(nid)
        for tags, nids in sorted(by_tags.items()):
            client.invoke("addTags", notes=sorted(nids), tags=tags)
    live = [n for n in notes if not n.removed and n.guid not in plan.not_sent]
    moved_guids = {n.guid for n, _ in plan.moved}
    need = {n.guid: (n.model, record.notes[n.guid].nid if n.guid in record.notes else None,
                     n.note_id, n.fields)
            for n in live
            if n.guid not in record.notes or record.notes[n.guid].nid is None
            or n.guid in moved_guids}
    for d in plan.deletions:
        need[d.guid] = (d.model, d.nid, d.planned, d.fields)
    # a tombstone of a note this Anki did not have is created by the import: it goes again
    absent = set(plan.absent)
    strays = {n.guid: n for n in notes if imported and n.removed and n.guid in absent
              and n.guid not in plan.not_sent and n.model.endswith(MODEL_SUFFIX)}
    for n in strays.values():
        need[n.guid] = (n.model, None, n.note_id, n.fields)
    where = locate_notes(client, need) if need else {}

    # moves: what the record says changed, and for notes new to this record, what Anki has
    moves: list[tuple[PackageNote, str]] = [(n, old) for n, old in plan.moved
                                            if n.guid in where]
    fresh = [n for n in plan.added if n.guid in where]
    if fresh:
        cards = [c for n in fresh for c in where[n.guid].cards]
        in_deck = {}
        if cards:
            reply = client.invoke("getDecks", cards=cards)
            if not isinstance(reply, dict) or not all(
                    isinstance(v, list) and all(type(c) is int for c in v)
                    for v in reply.values()):
                raise _unexpected(client, "getDecks", reply)
            for deck, ids in reply.items():
                for cid in ids:
                    in_deck[int(cid)] = str(deck)
        for n in fresh:
            decks = {in_deck.get(c, n.deck) for c in where[n.guid].cards}
            other = sorted(d for d in decks if d.casefold() != n.deck.casefold())
            if other:
                moves.append((n, other[0]))
    if moves and not dry_run:
        by_deck: dict[str, list[int]] = {}
        for n, _ in moves:
            by_deck.setdefault(n.deck, []).extend(where[n.guid].cards)
        for deck, cards in sorted(by_deck.items()):
            client.invoke("changeDeck", cards=sorted(cards), deck=deck)
        tagged = sorted(where[n.guid].nid for n, _ in moves if TAG_MOVED in where[n.guid].tags)
        if tagged:
            client.invoke("removeTags", notes=tagged, tags=TAG_MOVED)

    # only notes of mkdeck's own note types (locate_notes checked it is the one of this guid)
    deleted = [d for d in plan.deletions if d.guid in where and d.model.endswith(MODEL_SUFFIX)]
    not_found = [d for d in plan.deletions if d not in deleted]
    doomed = [where[d.guid].nid for d in deleted] + [where[g].nid for g in strays if g in where]
    if doomed and not dry_run:
        client.invoke("deleteNotes", notes=sorted(doomed))

    missing = [n for n in live if n.guid not in where and n.guid in need
               and n.guid not in record.notes and not dry_run]
    # did Anki take the updates? (it keeps its copy when that is newer)
    not_updated: list[PackageNote] = []
    if imported and plan.updated:
        nid_of = {n.guid: where[n.guid].nid if n.guid in where else record.notes[n.guid].nid
                  for n in plan.updated if n.guid in where or n.guid in record.notes}
        infos = _notes_info(client, [i for i in nid_of.values() if i is not None])
        not_updated = [n for n in plan.updated if infos.get(nid_of.get(n.guid) or 0)
                       and not _same_fields(infos[nid_of[n.guid]], n.fields,  # type: ignore[index]
                                            renamed_media=True)]
    stale = {n.guid for n in not_updated}
    entries = dict(record.notes)
    for guid in [d.guid for d in plan.deletions] + list(plan.released):
        entries.pop(guid, None)
    # a note to move that Anki no longer has: nothing to move (not looked for again)
    lost = [n for n, _ in plan.moved if n.guid not in where and not dry_run]
    for n in live:
        old = entries.get(n.guid)
        nid = where[n.guid].nid if n.guid in where else (old.nid if old else None)
        deck = n.deck
        digest = old.digest if n.guid in stale and old is not None else n.digest
        entries[n.guid] = RecordEntry(nid, n.model, deck, digest, n.label, _own_tags(n.tags))
    gone = (set(plan.absent) | {d.guid for d in not_found}) - {n.guid for n in live}
    new_record = PushRecord(record.url, record.profile, record.vault, entries, frozenset(gone))
    return PushResult(plan, tuple(deleted), tuple(not_found), tuple(moves), tuple(missing),
                      tuple(not_updated), tuple(lost), imported, dry_run), new_record


def _own_tags(tags: Iterable[str]) -> tuple[str, ...]:
    """The vault's tags of a package note (not the sync state's markers), sorted."""
    return tuple(sorted(t for t in tags if t not in (TAG_MOVED, TAG_REMOVED)))


def _tags_not_sent(client: AnkiConnect, updated: Sequence[PackageNote],
                   record: PushRecord) -> dict[int, set[str]]:
    """Note id -> the tags Anki has on a note to update that the vault never sent (Anki's
    ``leech``, the user's ``marked``): an update replaces them, push gives them back. Only
    for notes whose sent tags the record knows (a tag removed in the vault must go)."""
    known = {n.guid: record.notes[n.guid] for n in updated if n.guid in record.notes}
    known = {g: e for g, e in known.items() if e.nid is not None and e.tags is not None}
    if not known:
        return {}
    infos = _notes_info(client, [e.nid for e in known.values()])  # type: ignore[misc]
    out = {}
    for e in known.values():
        extra = set(infos.get(e.nid or 0, {}).get("tags", [])) - set(e.tags or ()) \
            - {TAG_MOVED, TAG_REMOVED}
        if extra:
            out[e.nid or 0] = extra
    return out


def _import(client: AnkiConnect, package: str | os.PathLike[str],
            not_sent: frozenset[str]) -> None:
    """``importPackage`` of ``package``, or of a copy without the notes of ``not_sent`` (in a
    dot folder beside it, removed after: where Anki could read the package, even a sandboxed
    Anki that cannot read ``/tmp``)."""
    path = os.path.abspath(package)
    if not_sent:
        with tempfile.TemporaryDirectory(prefix=".mkdeck-push-",
                                         dir=os.path.dirname(path)) as tmp:
            copy = str(Path(tmp) / Path(package).name)
            without_notes(package, not_sent, copy)
            reply = client.invoke("importPackage", path=copy)
    else:
        reply = client.invoke("importPackage", path=path)
    if reply is False:  # AnkiConnect's answer when no collection is open
        raise AnkiBusy(f"Anki did not import the package (no collection open): close the "
                       f"profile window or any dialog in Anki and try again",
                       url=client.url, action="importPackage")
    if reply is not True:
        raise _unexpected(client, "importPackage", reply)


def _unexpected(client: AnkiConnect, action: str, reply: object) -> AnkiActionFailed:
    return AnkiActionFailed(f"AnkiConnect answered {action!r} with {str(reply)[:80]!r}, not "
                            f"what its API documents: is it a modified AnkiConnect?",
                            url=client.url, action=action)


def check_deletions(plan: PushPlan, limit: int, yes: bool) -> None:
    """Refuse a plan deleting more than ``limit`` notes unless ``yes``.

    Raises:
        PushError: too many deletions; the message says how to go on.
    """
    if len(plan.deletions) > limit and not yes:
        raise PushError(
            f"{len(plan.deletions)} notes were removed from the vault and would be deleted in "
            f"Anki, more than {limit} at once: look at them with --dry-run, then push with "
            f"--yes (or raise --max-delete)")


__all__ = [
    "DEFAULT_MAX_DELETE", "Deletion", "Located", "PushPlan", "PushResult", "anki_profile",
    "apply_push", "check_deletions", "locate_notes", "plan_push",
]
