"""What goes into a package: validated notes with their ids, cards, decks, note types, media.

Planning is separate from writing so that ``build --strict`` can look at every diagnostic
before anything touches the disk, and so the plan can be tested without genanki or a zip.
Bad notes never crash the build: each becomes a diagnostic and is left out of the package
(the summary says how many were skipped).
"""

from __future__ import annotations

import logging
import os
import re
import time
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mkdeck.codes import register
from mkdeck.export.cards import (
    cloze_card_ords,
    cloze_numbers,
    field_is_empty,
    standard_card_ords,
)
from mkdeck.export.identity import (
    allocate_ids,
    card_id,
    derived_id,
    duplicate_guid_diagnostics,
    note_guid,
    note_id,
)
from mkdeck.export.memo import PlanMemo
from mkdeck.export.notetypes import ModelSpec
from mkdeck.model import Diagnostic, Note, RenderedNote, Severity, Vault
from mkdeck.vault import read as vault_read
from mkdeck.vault.read import DEFAULT_MEDIA_LIMIT

LOG = logging.getLogger(__name__)

# Bumped whenever mkdeck's templates or CSS change, so note types in Anki get updated even
# when no note file changed (Anki updates a note type only when the package's is newer).
TEMPLATES_EPOCH = 1_764_000_000

FIELD_SEPARATOR = register(
    "MKD302",
    Severity.ERROR,
    "field contains the character U+001F",
    fix="Remove the invisible unit-separator character (U+001F) from the card: Anki uses it "
    "between fields and would reject the whole deck.",
)
CLOZE_WITHOUT_DELETION = register(
    "MKD303",
    Severity.ERROR,
    "cloze note without a cloze deletion",
    fix="Mark at least one deletion as {{c1::text}} (Anki would make no card from it), or "
    "use a Basic note type.",
    bad="START\nCloze\nThe kernel schedules threads.\nEND",
    good="START\nCloze\nThe kernel schedules {{c1::threads}}.\nEND",
)
EMPTY_FIRST_FIELD = register(
    "MKD304",
    Severity.ERROR,
    "first field is empty",
    fix="Write the card's question in its first field: Anki shows an empty first field as a "
    "broken note and sorts it nowhere.",
    bad="START\nBasic\nBack: answer\nEND",
    good="START\nBasic\nquestion\nBack: answer\nEND",
)
FIELD_MISMATCH = register(
    "MKD305",
    Severity.ERROR,
    "rendered fields do not match the note type",
    fix="This is a bug in mkdeck's renderer or note-type config, not in the card: please "
    "report it with the file named.",
)
MEDIA_MISSING = register(
    "MKD306",
    Severity.WARNING,
    "media file cannot be read",
    fix="Put the file at the path the note references (relative to the note, or to the vault "
    "root with a leading /), or remove the reference.",
)
MEDIA_NAME_CLASH = register(
    "MKD307",
    Severity.ERROR,
    "two media files share one name in the deck",
    fix="Rename one of the two files: Anki keeps a single file per name and the other "
    "card would show the wrong picture.",
)
TAG_CHANGED = register(
    "MKD309",
    Severity.WARNING,
    "tag contains whitespace",
    fix="Write tags without spaces (use _ or ::); Anki splits a tag at spaces.",
    bad="Tags: linux kernel",
    good="Tags: linux_kernel",
)
DECK_NAME_FIXED = register(
    "MKD310",
    Severity.WARNING,
    "deck name has an empty part",
    fix="Remove the empty part between '::' separators (or the leading/trailing '::') "
    "from the deck name.",
    bad="TARGET DECK: Linux::::Syscalls",
    good="TARGET DECK: Linux::Syscalls",
)
DECK_CASE = register(
    "MKD312",
    Severity.WARNING,
    "deck name differs from another only in case",
    fix="Spell the deck the same way in every note (Anki matches deck names ignoring case).",
    bad="TARGET DECK: linux::Processes   (elsewhere: Linux::Processes)",
    good="TARGET DECK: Linux::Processes",
)
NOTE_TYPE_UNSUPPORTED = register(
    "MKD311",
    Severity.ERROR,
    "note type cannot be exported",
    fix="Give the custom note type a base that is one of Anki's stock types (Basic, Basic "
    "(and reversed card), Basic (optional reversed card), Basic (type in the answer), Cloze).",
)


@dataclass(frozen=True, slots=True)
class PlannedCard:
    """One card: ``ord`` (0-based template or cloze ordinal) and its stable ``card_id``."""

    ord: int
    card_id: int


@dataclass(frozen=True, slots=True)
class PlannedNote:
    """One note, ready to write.

    Attributes:
        rendered: the rendered note it comes from.
        guid: Anki guid (:func:`mkdeck.export.identity.note_guid`).
        note_id: Anki note id, unique in the package.
        model: the note type it uses.
        deck: normalized deck name (``"A::B"``).
        fields: field HTML in the model's field order.
        tags: Anki tags, no whitespace.
        mod: modification time, whole seconds since the epoch.
        due: new-card position (1-based vault order), shared by all the note's cards.
        cards: the cards Anki would generate for it.
    """

    rendered: RenderedNote
    guid: str
    note_id: int
    model: ModelSpec
    deck: str
    fields: tuple[str, ...]
    tags: tuple[str, ...]
    mod: int
    due: int
    cards: tuple[PlannedCard, ...]


@dataclass(frozen=True, slots=True)
class PlannedMedia:
    """A media file to pack: ``name`` in the deck, absolute ``source`` path; ``vault_root`` and
    ``max_bytes`` let the writer read it through :mod:`mkdeck.vault.read` (in chunks, only a
    regular file inside the vault, at most ``max_bytes``); an empty root reads ``source``
    with the same checks against its own folder."""

    name: str
    source: str
    vault_root: str = ""
    max_bytes: int = DEFAULT_MEDIA_LIMIT


@dataclass(frozen=True, slots=True)
class ExportPlan:
    """Everything a package holds, and what was left out.

    Attributes:
        notes: planned notes in vault order.
        models: note types in use, by name.
        decks: deck name -> deck id, sorted by name.
        media: media files, each once, in order of first use.
        model_mod: modification time written on the note types.
        skipped: number of notes left out because of errors.
        diagnostics: the export stage's diagnostics.
    """

    notes: tuple[PlannedNote, ...]
    models: tuple[ModelSpec, ...]
    decks: tuple[tuple[str, int], ...]
    media: tuple[PlannedMedia, ...]
    model_mod: int
    skipped: int = 0
    diagnostics: tuple[Diagnostic, ...] = field(default=())

    @property
    def card_count(self) -> int:
        """Number of cards in the package."""
        return sum(len(n.cards) for n in self.notes)


def time_cap(now: float | None = None, environ: dict[str, str] | None = None) -> int:
    """The latest modification time a build may write: now, or ``SOURCE_DATE_EPOCH`` when
    that is set and earlier (https://reproducible-builds.org/specs/source-date-epoch/).
    A malformed ``SOURCE_DATE_EPOCH`` is ignored (logged)."""
    env = os.environ if environ is None else environ
    cap = int(time.time() if now is None else now)
    raw = env.get("SOURCE_DATE_EPOCH")
    if raw:
        try:
            cap = min(cap, int(raw))
        except ValueError:
            LOG.warning("SOURCE_DATE_EPOCH=%r is not an integer; ignored", raw)
    return cap


_WS_RE = re.compile(r"\s+")


_ASCII_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f]")


def normalize_deck(name: str) -> tuple[str, bool]:
    """``(deck name as Anki stores it, an empty '::' part was dropped?)``.

    Each part is NFC-normalized, loses ASCII control characters and is trimmed, as Anki's
    ``normalized_deck_name_component`` does on import; empty or blank parts are dropped (Anki
    would name them ``blank``) and an empty name becomes ``"Default"``. Without the NFC step
    a deck written ``Café`` (NFC) in one note and (NFD) in another became two decks of the
    package, and Anki renamed the second one ``Café_``."""
    parts = [
        _ASCII_CONTROL_RE.sub("", unicodedata.normalize("NFC", p)).strip()
        for p in name.split("::")
    ]
    kept = [p for p in parts if p]
    changed = len(kept) != len(parts)
    return ("::".join(kept) or "Default"), changed


def normalize_tag(tag: str) -> str:
    """``tag`` with every whitespace run replaced by ``_`` (Anki splits tags at spaces and
    strips tabs and newlines)."""
    if _WS_RE.search(tag) is None:
        return tag
    return _WS_RE.sub("_", tag.strip())


def _canonical_deck(name: str, spelling: dict[tuple[str, ...], str]) -> str:
    """``name`` with every ``::`` level spelled as it was first seen (case-insensitively):
    Anki matches deck names ignoring case, and a second spelling would become ``name_``."""
    key: tuple[str, ...] = ()
    parts = []
    for part in name.split("::"):
        key = (*key, part.casefold())
        parts.append(spelling.setdefault(key, part))
    return "::".join(parts)


def deck_id(name: str) -> int:
    """A stable deck id from the deck's full name (never 1, the id of "Default")."""
    return derived_id("deck", name)


def _note_deck(note: Note, deck_spelling: dict[tuple[str, ...], str],
               diags: list[Diagnostic],
               seen: dict[str, tuple[str, bool, str]] | None = None) -> str:
    """The deck ``note`` goes to: empty name parts dropped (``DECK_NAME_FIXED``)
    and spelled as the first deck that differs only in case (``DECK_CASE``); findings are
    appended to ``diags``, ``deck_spelling`` remembers the spellings seen; ``seen`` (one
    build's) remembers each deck line's result, which the notes of a file share (a deck
    spelled once keeps that spelling)."""
    done = seen.get(note.deck) if seen is not None else None
    if done is None:
        deck, changed = normalize_deck(note.deck)
        done = (deck, changed, _canonical_deck(deck, deck_spelling))
        if seen is not None:
            seen[note.deck] = done
    deck, changed, spelled = done
    if changed and note.deck.strip():
        diags.append(
            DECK_NAME_FIXED.at(
                note.location, f"deck name {note.deck!r} has an empty part; using {deck!r}."
            )
        )
    if spelled != deck:
        diags.append(
            DECK_CASE.at(
                note.location,
                f"deck {deck!r} differs only in upper/lower case from {spelled!r} used "
                f"earlier; Anki treats them as one deck, so {spelled!r} is used. Write it "
                f"the same way everywhere.",
            )
        )
        deck = spelled
    return deck


def _note_tags(item: RenderedNote, diags: list[Diagnostic]) -> list[str]:
    """The note's tags and the inline ``#tags`` render found, whitespace replaced
    (``TAG_CHANGED`` appended to ``diags``), without duplicates, in order."""
    tags: list[str] = []
    for tag in (*item.note.tags, *item.tags):
        fixed = normalize_tag(tag)
        if fixed != tag and fixed:
            diags.append(
                TAG_CHANGED.at(item.note.location, f"tag {tag!r} contains whitespace; "
                               f"written as {fixed!r}.")
            )
        if fixed and fixed not in tags:
            tags.append(fixed)
    return tags


def plan_export(
    rendered: Sequence[RenderedNote],
    *,
    vault: Vault,
    css: str,
    now: float | None = None,
    environ: dict[str, str] | None = None,
    memo: PlanMemo | None = None,
) -> ExportPlan:
    """Validate ``rendered`` notes (vault order) and compute what the package holds.

    Args:
        rendered: rendered notes in vault order (``render_notes``' output).
        vault: the vault (file mtimes, root for media paths).
        css: the note types' stylesheet (``mkdeck.render.note_type_css()``).
        now: the current time (seconds), for tests; default ``time.time()``.
        environ: environment for ``SOURCE_DATE_EPOCH``; default ``os.environ``.
        memo: per-note results of the previous build of this process (``mkdeck watch``),
            reused for the very same rendered notes; the plan is the same without it.
    Returns:
        An :class:`ExportPlan`; invalid notes are left out and reported in its diagnostics.
    """
    cap = time_cap(now, environ)
    mtimes = {f.path: f.mtime for f in vault.files}
    diags: list[Diagnostic] = []
    models: dict[str, ModelSpec] = {}
    bad_types: set[str] = set()
    memo = memo or PlanMemo(keep=False)
    known, facts = memo.notes, memo.next["notes"]

    all_guids = []
    for r in rendered:
        old = known.get(id(r))
        all_guids.append(old[1] if old is not None and old[0] is r else note_guid(r.note))
    dup_diags = duplicate_guid_diagnostics([r.note for r in rendered], all_guids)
    diags.extend(dup_diags)
    dup_locations = {d.location for d in dup_diags}

    accepted: list[tuple[RenderedNote, ModelSpec, tuple[str, ...], list[int]]] = []
    guids: list[str] = []
    skipped = 0
    for item, guid in zip(rendered, all_guids):
        note = item.note
        if note.location in dup_locations:
            skipped += 1
            continue
        type_name = note.note_type.name
        spec = models.get(type_name)
        if spec is None and type_name not in bad_types:
            try:
                spec = memo.spec(note.note_type, css)
                models[type_name] = spec
            except ValueError as exc:
                bad_types.add(type_name)
                diags.append(NOTE_TYPE_UNSUPPORTED.at(note.location, f"{exc}; note skipped."))
        if spec is None:
            skipped += 1
            continue
        old = known.get(id(item))
        if old is None or old[0] is not item or old[2] is not spec:
            old = (item, guid, spec, *_note_facts(item, spec))
        facts[id(item)] = old
        diags.extend(old[4])
        if old[3]:
            skipped += 1
            continue
        accepted.append((item, spec, old[5], old[6]))
        guids.append(guid)

    notes, deck_names = _planned_notes(accepted, guids, memo, mtimes, cap, diags)
    media = _plan_media(notes, vault, diags)
    names = sorted(deck_names)
    decks = tuple(zip(names, allocate_ids([deck_id(n) for n in names])))
    used_models = {n.model.name: n.model for n in notes}
    model_mod = min(max([n.mod for n in notes] + [TEMPLATES_EPOCH]), cap)
    return ExportPlan(
        notes=tuple(notes),
        models=tuple(used_models[k] for k in sorted(used_models)),
        decks=decks,
        media=tuple(media),
        model_mod=model_mod,
        skipped=skipped,
        diagnostics=tuple(diags),
    )


def _planned_notes(accepted: Sequence[tuple[RenderedNote, ModelSpec, tuple[str, ...],
                                            list[int]]],
                   guids: Sequence[str], memo: PlanMemo, mtimes: dict[str, float], cap: int,
                   diags: list[Diagnostic]) -> tuple[list[PlannedNote], set[str]]:
    """The :class:`PlannedNote` of each accepted note (ids, deck, tags, mod time, position,
    cards) and the deck names used; deck and tag findings are appended to ``diags``. A note
    equal to the one ``memo`` made of the same rendered note last build is that object."""
    wanted = memo.derived_ids(guids, [ords for _, _, _, ords in accepted], note_id, card_id)
    nids = allocate_ids([nid for nid, _ in wanted])
    cids = allocate_ids([cid for _, card_ids in wanted for cid in card_ids])
    facts = memo.next["notes"]
    deck_names: set[str] = set()
    deck_spelling: dict[tuple[str, ...], str] = {}
    seen_decks: dict[str, tuple[str, bool, str]] = {}
    notes: list[PlannedNote] = []
    last, made = memo.planned, memo.next["planned"]
    at = 0
    for position, ((item, spec, values, ords), guid, nid) in enumerate(
        zip(accepted, guids, nids), start=1
    ):
        note = item.note
        deck = _note_deck(note, deck_spelling, diags, seen_decks)
        deck_names.add(deck)
        tags, tag_diags = facts[id(item)][7:9]
        diags.extend(tag_diags)
        mod = int(min(mtimes.get(note.location.path, 0) or cap, cap))
        card_ids = cids[at:at + len(ords)]
        at += len(ords)
        planned = last.get(id(item))
        if (planned is None or planned.rendered is not item or planned.guid != guid
                or planned.note_id != nid or planned.deck != deck or planned.mod != mod
                or planned.due != position or planned.model is not spec
                or [c.card_id for c in planned.cards] != card_ids):
            planned = PlannedNote(
                rendered=item,
                guid=guid,
                note_id=nid,
                model=spec,
                deck=deck,
                fields=values,
                tags=tags,
                mod=mod,
                due=position,
                cards=tuple(PlannedCard(o, c) for o, c in zip(ords, card_ids)),
            )
        made[id(item)] = planned
        notes.append(planned)
    return notes, deck_names


def _note_facts(item: RenderedNote, spec: ModelSpec) -> tuple[Any, ...]:
    """What planning derives from one rendered note alone: ``(skip it?, its validation
    diagnostics, field values in the note type's order, card ordinals, tags, tag
    diagnostics)`` (see :func:`plan_export`)."""
    found: list[Diagnostic] = []
    if _validate(item, spec, found):
        return True, tuple(found), (), [], (), ()
    values = tuple(item.html[name] for name in spec.fields)
    if spec.kind == "cloze":
        ords = cloze_card_ords(dict(zip(spec.fields, values)))
    else:
        ords = standard_card_ords(spec.qfmts, dict(zip(spec.fields, values)))
    tag_diags: list[Diagnostic] = []
    tags = tuple(_note_tags(item, tag_diags))
    return False, tuple(found), values, ords, tags, tuple(tag_diags)


def _validate(item: RenderedNote, spec: ModelSpec, diags: list[Diagnostic]) -> bool:
    """Append the note's validation errors to ``diags``; ``True`` when it must be skipped."""
    note = item.note
    if set(item.html) != set(spec.fields):
        diags.append(
            FIELD_MISMATCH.at(
                note.location,
                f"note type {spec.name!r} has fields {list(spec.fields)} but the note has "
                f"{list(item.html)}; note skipped.",
            )
        )
        return True
    failed = False
    for f in note.fields:
        value = item.html.get(f.name, "")
        if "\x1f" in value or "\x1f" in f.markdown:
            diags.append(
                FIELD_SEPARATOR.at(
                    f.location,
                    f"field {f.name!r} contains the invisible character U+001F, which would "
                    f"make Anki reject the whole deck; remove it. Note skipped.",
                )
            )
            failed = True
    if failed:
        return True
    first = spec.fields[0]
    if field_is_empty(item.html[first]):
        diags.append(
            EMPTY_FIRST_FIELD.at(
                note.location,
                f"the first field ({first!r}) is empty; write the question there. Note skipped.",
            )
        )
        return True
    if spec.kind == "cloze":
        if not any(cloze_numbers(v) for v in item.html.values()):
            diags.append(
                CLOZE_WITHOUT_DELETION.at(
                    note.location,
                    "this Cloze note has no deletion such as {{c1::text}}, so Anki would make "
                    "no card from it; mark one, or use Basic. Note skipped.",
                )
            )
            return True
    return False


def _same_bytes(root: str, a: str, b: str, limit: int) -> bool:
    """Whether two vault files (vault-relative) hold the same bytes (the renderer gives
    identical files one name); read in chunks through :mod:`mkdeck.vault.read`."""
    try:
        return vault_read.sha1_of(root, a, limit) == vault_read.sha1_of(root, b, limit)
    except OSError:
        return False


def _plan_media(
    notes: Sequence[PlannedNote], vault: Vault, diags: list[Diagnostic]
) -> list[PlannedMedia]:
    """Each referenced media file once, in order of first use; clashes and unreadable files
    become diagnostics (the file is then left out; the note stays)."""
    root = Path(vault.root)
    limit = vault.config.max_media_size
    by_name: dict[str, PlannedMedia] = {}
    folded: dict[str, str] = {}
    missing: set[str] = set()
    out: list[PlannedMedia] = []
    for planned in notes:
        for ref in planned.rendered.media:
            source = str(root / ref.path)
            known = by_name.get(ref.name)
            if known is not None:
                if known.source != source and not _same_bytes(
                        vault.root, os.path.relpath(known.source, root), ref.path, limit):
                    diags.append(
                        MEDIA_NAME_CLASH.at(
                            ref.location,
                            f"{ref.path!r} and {os.path.relpath(known.source, root)!r} would "
                            f"both be {ref.name!r} in the deck; rename one.",
                        )
                    )
                continue
            other = folded.get(ref.name.casefold())
            if other is not None and other != ref.name:
                diags.append(
                    MEDIA_NAME_CLASH.at(
                        ref.location,
                        f"media names {ref.name!r} and {other!r} differ only in case, which "
                        f"clash on Windows and macOS; rename one.",
                    )
                )
                continue
            if ref.path in missing:
                continue
            try:
                opened = vault_read.open_regular(root, ref.path, limit,
                                                 setting="max_media_size")
                os.close(opened.fd)
            except vault_read.Refused as refused:  # a link out, a FIFO, too large
                missing.add(ref.path)
                diags.append(refused.at(ref.location))
                continue
            except OSError:
                missing.add(ref.path)
                diags.append(
                    MEDIA_MISSING.at(
                        ref.location,
                        f"media file {ref.path!r} does not exist or is not a file; the card "
                        f"will show it missing. Add the file or remove the reference.",
                    )
                )
                continue
            media = PlannedMedia(ref.name, source, vault.root, limit)
            by_name[ref.name] = media
            folded[ref.name.casefold()] = ref.name
            out.append(media)
    return out
