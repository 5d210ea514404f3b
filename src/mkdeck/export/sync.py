"""Applying the sync state to an export plan: identities kept, mod times that follow content,
tombstones for removed notes, moved notes tagged.

:func:`apply_state` takes the plan :func:`~mkdeck.export.plan.plan_export` made with the
rules of a build without state, and the last build's :class:`~mkdeck.export.state.SyncState`,
and returns the plan to write plus the state to keep:

* guids: :func:`~mkdeck.export.matching.match_cards` (ID comment, else unchanged key, else text
  similarity to a state note);
* mod times: :func:`~mkdeck.export.state.next_mod` over :func:`~mkdeck.export.state.note_digest`
  (fields, tags, deck, note type, media bytes through the
  :class:`~mkdeck.vault.graph.DependencyGraph`);
* a state note matched by no card of this build becomes a tombstone: written into the package
  with its last fields, tagged ``mkdeck::removed``; it stays in the state (and the package)
  until ``mkdeck forget`` or ``mkdeck push``. A state note whose file was not built this time
  (a build of some files only) or whose file has an error is carried over unchanged, never
  tombstoned: a card with a typo must not be reported as deleted;
* a note whose deck differs from the deck Anki placed its cards in is tagged
  ``mkdeck::moved``.
"""

from __future__ import annotations

import dataclasses
import gc
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from mkdeck.export.cards import cloze_card_ords, standard_card_ords
from mkdeck.export.identity import allocate_ids, card_id, note_guid, note_id
from mkdeck.export.matching import Candidate, match_cards
from mkdeck.export.memo import PlanMemo
from mkdeck.export.notetypes import ModelSpec, model_spec
from mkdeck.export.plan import TEMPLATES_EPOCH, ExportPlan, PlannedCard, PlannedNote, deck_id
from mkdeck.export.state import (
    MOVED_TAG,
    REMOVED_TAG,
    STATE_FILE,
    STATE_NOT_WRITTEN,
    StateEntry,
    StateRead,
    SyncState,
    next_mod,
    note_digest,
    read_state,
    summary_diagnostics,
    write_state,
)
from mkdeck.model import (
    Diagnostic,
    Field,
    Note,
    NoteType,
    ParseResult,
    RenderedNote,
    Severity,
    SourceLocation,
)
from mkdeck.vault.graph import DependencyGraph

LOG = logging.getLogger(__name__)

_DUPLICATE_CODE = "MKD301"


@dataclass(frozen=True, slots=True)
class SyncReport:
    """What the state did to a build.

    Attributes:
        state: the state after this build (what is, or would be, written to the vault).
        previous: the state read before the build (``None``: none, or unusable).
        removed: the tombstones written into the package (all of ``state.removed()``).
        moved: live notes tagged ``mkdeck::moved``.
        written: the state file was written by this build (``False``: unchanged, not
            writable, or the old file was unusable and is left for the user to fix).
        path: the state file's absolute path.
    """

    state: SyncState
    previous: SyncState | None
    removed: tuple[StateEntry, ...] = ()
    moved: tuple[StateEntry, ...] = ()
    written: bool = False
    path: str = ""
    text: str | None = None


def _tombstone_model(entry: StateEntry, models: Mapping[str, ModelSpec],
                     css: str) -> ModelSpec | None:
    """The note type to write a tombstone with: the build's own when it has one of that name,
    else one made from the state's field names and base; ``None`` when neither works."""
    spec = models.get(entry.model)
    if spec is not None:
        return spec
    names = tuple(name for name, _ in entry.fields)
    try:
        return model_spec(NoteType(entry.note_type, names, base=entry.base), css)
    except ValueError as exc:
        LOG.warning("tombstone %s not written: %s", entry.guid, exc)
        return None


def _placeholder(entry: StateEntry, note_type: NoteType) -> RenderedNote:
    """A rendered note standing for a tombstone in the plan (where it was last written)."""
    loc = SourceLocation(entry.path, entry.line)
    fields = tuple(Field(name, "", loc) for name in note_type.fields)
    note = Note(loc, note_type, fields, entry.deck, entry.tags, entry.id)
    return RenderedNote(note, dict(entry.fields))


def _ords(spec: ModelSpec, values: Sequence[str]) -> list[int]:
    named = dict(zip(spec.fields, values))
    ords = (cloze_card_ords(named) if spec.kind == "cloze"
            else standard_card_ords(spec.qfmts, named))
    return ords or [0]


def apply_state(
    plan: ExportPlan,
    rendered: Sequence[RenderedNote],
    previous: SyncState | None,
    *,
    graph: DependencyGraph,
    build_time: int,
    css: str,
    selected: frozenset[str] | None = None,
    keep_paths: frozenset[str] = frozenset(),
    memo: PlanMemo | None = None,
) -> tuple[ExportPlan, SyncReport, list[Diagnostic]]:
    """The plan to write and the state to keep, given the last build's state.

    Args:
        plan: ``plan_export(rendered, ...)`` (the rules without a state).
        rendered: every rendered note of the build, vault order (the same list ``plan`` was
            made from; notes the plan skipped for errors are matched too, so their state
            entries are carried over instead of tombstoned).
        previous: the last build's state, or ``None`` (first build, ``--no-state``, or an
            unusable file): guids and mod times stay the plan's.
        graph: the build's dependency graph over ``rendered`` (media bytes for digests).
        build_time: the build time in seconds (``time_cap``: now, or ``SOURCE_DATE_EPOCH``).
        css: the note types' stylesheet (for a tombstone's note type that the build lacks).
        selected: vault paths whose cards this build reads (``None``: every path); state
            notes of other paths are carried over unchanged.
        keep_paths: paths with an error this build (a card the parser dropped): their state
            notes are carried over, not tombstoned.
        memo: what the previous build of this process derived per rendered note
            (``mkdeck watch``); the result is the same without it.
    Returns:
        ``(plan, report, diagnostics)``: the plan with guids, note and card ids, mod times,
        tags, tombstones and decks set; the :class:`SyncReport` (``written`` False: the
        caller writes); MKD332 warnings and the MKD333/MKD334 summaries.
    """
    dup_locations = {d.location for d in plan.diagnostics if d.code == _DUPLICATE_CODE}
    items = ([r for r in rendered if r.note.location not in dup_locations] if dup_locations
             else list(rendered))
    planned_guid = {id(p.rendered): p.guid for p in plan.notes}
    candidates = [
        Candidate(planned_guid.get(id(r)) or note_guid(r.note), r.note.id is not None,
                  r.note.note_type.name, r.note.location.path, r.note.location.line, r.html)
        for r in items]
    matching = match_cards(previous, candidates)
    diags: list[Diagnostic] = list(matching.diagnostics)
    assigned = {id(r): (g, e) for r, g, e in zip(items, matching.guids, matching.entries)}
    claimed = {e.guid for e in matching.entries if e is not None}

    live, entries, moved = _live_notes(plan, assigned, graph, build_time,
                                       memo or PlanMemo(keep=False))
    # state notes of cards that exist but were not written (errors): carried over
    for r in items:
        if id(r) not in planned_guid and assigned[id(r)][1] is not None:
            old = assigned[id(r)][1]
            entries[old.guid] = old
    models = {m.name: m for m in plan.models}
    tombstones = _tombstones(previous, claimed, entries, models, css=css,
                             build_time=build_time, selected=selected, keep_paths=keep_paths)
    new_plan = _assemble(plan, live, tombstones, models, build_time)
    state = SyncState.of(entries.values(), previous.lines if previous is not None else None)
    removed = state.removed()
    diags.extend(summary_diagnostics(removed, moved))
    report = SyncReport(state=state, previous=previous, removed=removed, moved=tuple(moved))
    return new_plan, report, diags


def _live_notes(plan: ExportPlan, assigned: Mapping[int, tuple[str, StateEntry | None]],
                graph: DependencyGraph, build_time: int, memo: PlanMemo,
                ) -> tuple[list[PlannedNote], dict[str, StateEntry], list[StateEntry]]:
    """The plan's notes with their guids, tags and mod times by the state, their new state
    entries by guid, and the moved ones (see :func:`apply_state`); ``memo`` serves the
    digest and the planned note of a rendered note this process saw last build."""
    last, made, keep = memo.synced, memo.next["synced"], memo.keep
    entries: dict[str, StateEntry] = {}
    live: list[PlannedNote] = []
    moved: list[StateEntry] = []
    ours = (MOVED_TAG, REMOVED_TAG)
    for p in plan.notes:
        guid, old = assigned.get(id(p.rendered), (p.guid, None))
        placed = old.placed if old is not None else p.deck
        tags = p.tags
        if MOVED_TAG in tags or REMOVED_TAG in tags:  # written by hand: mkdeck's own say
            tags = tuple(t for t in tags if t not in ours)
        is_moved = placed != p.deck and placed.casefold() != p.deck.casefold()
        if is_moved:
            tags = (*tags, MOVED_TAG)
        media = p.rendered.media
        uses = tuple((m.name, graph.media_digest(m.path)) for m in media) if media else ()
        known = last.get(id(p.rendered)) if keep else None
        if known is None or known[0] is not p.rendered or known[1] != (p.model, p.deck,
                                                                        tags, uses):
            known = (p.rendered, (p.model, p.deck, tags, uses) if keep else None,
                     note_digest(p.model.name, p.deck, tags, p.fields, uses), None, None)
        digest = known[2]
        note = p.rendered.note
        if old is None:
            mod = p.mod
            entry = None
        elif old.digest == digest:
            mod = old.mod
            loc = note.location
            # the common case: the very entry read is kept (nothing built, cheap to compare)
            entry = old if (not old.removed and old.line == loc.line and old.path == loc.path
                            and old.id == note.id and old.deck == p.deck
                            and old.note_type == note.note_type.name
                            and old.base == note.note_type.base) else None
        else:
            mod = next_mod(old.mod, True, build_time, p.mod)
            entry = None
        if entry is None:
            entry = StateEntry(
                guid, mod, digest, note.note_type.name, note.note_type.base, p.model.name,
                p.deck, placed, note.location.path, note.location.line, note.id, False, tags,
                tuple(zip(p.model.fields, p.fields)))
        entries[guid] = entry
        if is_moved:
            moved.append(entry)
        source = p
        if guid != p.guid or tags != p.tags or mod != p.mod:
            done = known[4]
            if (known[3] is p and done.guid == guid and done.tags == tags
                    and done.mod == mod):
                p = done  # the very note the previous build of this process made
            else:
                # the constructor, not dataclasses.replace: 4x cheaper, and this runs per note
                p = PlannedNote(p.rendered, guid, p.note_id, p.model, p.deck, p.fields, tags,
                                mod, p.due, p.cards)
        if keep:
            made[id(source.rendered)] = (*known[:3], source, p)
        live.append(p)
    return live, entries, moved


def _tombstones(previous: SyncState | None, claimed: set[str],
                entries: dict[str, StateEntry], models: Mapping[str, ModelSpec], *, css: str,
                build_time: int, selected: frozenset[str] | None,
                keep_paths: frozenset[str]) -> list[tuple[StateEntry, ModelSpec]]:
    """The state notes no card claimed, as tombstones (sorted by guid) with the note type to
    write each with; carried-over ones (unselected files, files with errors, a note type that
    cannot be rebuilt) go into ``entries`` unchanged, tombstones too."""
    tombstones: list[tuple[StateEntry, ModelSpec]] = []
    for old in (previous.entries if previous is not None else ()):
        if old.guid in claimed or old.guid in entries:
            continue
        if (selected is not None and old.path not in selected) or old.path in keep_paths:
            entries[old.guid] = old
            continue
        spec = _tombstone_model(old, models, css)
        if spec is None:
            entries[old.guid] = old
            continue
        tags = tuple(t for t in old.tags if t not in (MOVED_TAG, REMOVED_TAG)) + (REMOVED_TAG,)
        field_map = dict(old.fields)
        values = tuple(field_map.get(name, "") for name in spec.fields)
        digest = note_digest(spec.name, old.deck, tags, values)
        mod = next_mod(old.mod, digest != old.digest, build_time, old.mod)
        stone = old._replace(removed=True, tags=tags, digest=digest, mod=mod, model=spec.name,
                             fields=tuple(zip(spec.fields, values)))
        entries[old.guid] = stone
        tombstones.append((stone, spec))
    tombstones.sort(key=lambda t: t[0].guid)
    return tombstones


def _assemble(plan: ExportPlan, live: list[PlannedNote],
              tombstones: Sequence[tuple[StateEntry, ModelSpec]],
              models: Mapping[str, ModelSpec], build_time: int) -> ExportPlan:
    """``plan`` with ``live`` notes then the tombstones: note and card ids (derived from the
    guids, allocated anew unless every guid is the plan's), decks, note types, model mod."""
    same_ids = not tombstones and all(a.guid == b.guid for a, b in zip(live, plan.notes))
    stone_notes: list[PlannedNote] = []
    used_models = dict(models)
    for position, (stone, spec) in enumerate(tombstones, start=len(live) + 1):
        values = tuple(v for _, v in stone.fields)
        note_type = NoteType(stone.note_type, spec.fields, base=stone.base)
        stone_notes.append(PlannedNote(
            rendered=_placeholder(stone, note_type), guid=stone.guid, note_id=0, model=spec,
            deck=stone.deck, fields=values, tags=stone.tags, mod=stone.mod, due=position,
            cards=tuple(PlannedCard(o, 0) for o in _ords(spec, values))))
        used_models.setdefault(spec.name, spec)
    notes = live + stone_notes
    if not same_ids:  # ids derive from guids (identity.note_id, card_id): allocate anew
        nids = allocate_ids([note_id(n.guid) for n in notes])
        cids = iter(allocate_ids([card_id(n.guid, c.ord) for n in notes for c in n.cards]))
        notes = [dataclasses.replace(
            n, note_id=nid,
            cards=tuple(dataclasses.replace(c, card_id=next(cids)) for c in n.cards))
            for n, nid in zip(notes, nids)]
    deck_names = sorted({*dict(plan.decks), *(n.deck for n in stone_notes)})
    decks = tuple(zip(deck_names, allocate_ids([deck_id(d) for d in deck_names])))
    used = {n.model.name: used_models[n.model.name] for n in notes}
    model_mod = min(max([n.mod for n in notes] + [TEMPLATES_EPOCH]), build_time)
    return dataclasses.replace(
        plan, notes=tuple(notes), models=tuple(used[k] for k in sorted(used)), decks=decks,
        model_mod=model_mod)

def reconcile(result: ParseResult, rendered: Sequence[RenderedNote], plan: ExportPlan, *,
              css: str, build_time: int, graph: DependencyGraph | None = None,
              read: StateRead | None = None, memo: PlanMemo | None = None,
              ) -> tuple[ExportPlan, SyncReport | None, list[Diagnostic]]:
    """Read the vault's state and apply it to ``plan`` (what ``mkdeck build`` does).

    Args:
        result: the build's parse result (vault root, selected files, parse diagnostics).
        rendered: every rendered note, vault order (``plan`` was made from them).
        plan: ``plan_export(rendered, ...)``.
        css: the note types' stylesheet.
        build_time: ``time_cap()`` of this build.
        graph: the build's dependency graph over ``rendered`` when it has one already (the
            incremental build's); default: built here.
        read: the state file as read already (``mkdeck watch`` keeps what its last build
            read or wrote while the file is unchanged); default: read here.
        memo: per-note results of the previous build of this process (:func:`apply_state`).
    Returns:
        ``(plan, report, diagnostics)``. A state file that cannot be used gives the plan
        unchanged (the rules without a state), ``report=None`` and its MKD330/MKD331
        diagnostic, which also says the file is left as it is. Never raises for bad input.
    """
    was_enabled = gc.isenabled()
    gc.disable()  # thousands of small long-lived objects, no cycles: as in app.load.load
    try:
        return _reconcile(result, rendered, plan, css=css, build_time=build_time, graph=graph,
                          read=read, memo=memo)
    finally:
        if was_enabled:
            gc.enable()


def _reconcile(result: ParseResult, rendered: Sequence[RenderedNote], plan: ExportPlan, *,
               css: str, build_time: int, graph: DependencyGraph | None,
               read: StateRead | None, memo: PlanMemo | None,
               ) -> tuple[ExportPlan, SyncReport | None, list[Diagnostic]]:
    vault = result.vault
    if read is None:
        read = read_state(vault.root)
    if not read.usable:
        return plan, None, list(read.diagnostics)
    files = vault.files
    selected = (None if all(f.selected for f in files)
                else frozenset(f.path for f in files if f.selected))
    keep = frozenset(d.location.path for d in result.diagnostics
                     if d.severity is Severity.ERROR or d.location.line == 0)
    if graph is None:
        graph = DependencyGraph.build(result, rendered)
    new_plan, report, diags = apply_state(plan, rendered, read.state, graph=graph,
                                          build_time=build_time, css=css, selected=selected,
                                          keep_paths=keep, memo=memo)
    # the read lines stand for the text (the writer compares with the file if it must)
    text = None if read.state is not None and read.state.lines else read.text
    return new_plan, dataclasses.replace(report, path=read.path, text=text), diags


def save_state(root: str, report: SyncReport) -> tuple[SyncReport, list[Diagnostic]]:
    """Write ``report.state`` into the vault (after the package was written).

    Returns:
        ``(report with written set, diagnostics)``: one MKD335 warning when the vault cannot
        be written (the package is still good; the next build starts from the old state).
    """
    if report.previous is not None and report.state.entries == report.previous.entries:
        # nothing changed (unchanged entries are the very objects read: cheap to compare);
        # a file that holds them in another layout (reordered by hand) is left as it is
        return report, []
    try:
        written = write_state(root, report.state, old_text=report.text)
    except OSError as exc:
        return report, [STATE_NOT_WRITTEN.at(
            SourceLocation(STATE_FILE, 0),
            f"cannot write {STATE_FILE} in {root} ({exc.strerror or exc}); the package is "
            f"written, but the next build will not know what this one gave Anki: make the "
            f"vault writable, or build with --no-state.")]
    return dataclasses.replace(report, written=written), []


def state_guids(result: ParseResult, rendered: Sequence[RenderedNote]) -> list[str]:
    """The guid a build would give each rendered note, by the vault's state (what ``mkdeck
    dump`` prints): :func:`~mkdeck.export.matching.match_cards` over the notes that are not
    duplicates of an earlier one; duplicates, and every note when the state is absent or
    unusable, get :func:`~mkdeck.export.identity.note_guid`. Reads the state file; writes nothing.

    Returns:
        One guid per item of ``rendered``, in order.
    """
    from mkdeck.export.identity import duplicate_guids

    guids = [note_guid(r.note) for r in rendered]
    read = read_state(result.vault.root)
    if read.state is None:
        return guids
    dups = duplicate_guids(r.note for r in rendered)
    keep = [i for i in range(len(rendered)) if i not in dups]
    matching = match_cards(read.state, [
        Candidate(guids[i], rendered[i].note.id is not None, rendered[i].note.note_type.name,
                  rendered[i].note.location.path, rendered[i].note.location.line,
                  rendered[i].html) for i in keep])
    for i, guid in zip(keep, matching.guids):
        guids[i] = guid
    return guids
