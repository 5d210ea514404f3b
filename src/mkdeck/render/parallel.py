"""Rendering on several cores: :func:`render_parallel` is :func:`mkdeck.render.render_notes`
split over forked worker processes, with the same result."""

from __future__ import annotations

import dataclasses
import logging
import math
import multiprocessing
import os
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor

from mkdeck import render
from mkdeck.model import Diagnostic, MediaRef, Note, ParseResult, RenderedNote
from mkdeck.render.media import media_names

LOG = logging.getLogger(__name__)

# render.render_notes is looked up at each call (not bound at import), so that a test can
# replace it with a renderer that crashes.

# Below this many notes a worker process costs more than it saves.
PARALLEL_MIN_NOTES = 400
_SHARED: ParseResult | None = None


def _render_chunk(bounds: tuple[int, int]) -> tuple[
        list[tuple[dict[str, str], tuple[MediaRef, ...], tuple[str, ...]]], tuple[Diagnostic, ...]]:
    """Render notes ``[start, stop)`` of the shared parse result; return only what the parent
    lacks (HTML, media, tags per note), not the notes themselves: less to pickle."""
    assert _SHARED is not None
    start, stop = bounds
    rendered, diags = render.render_notes(
        dataclasses.replace(_SHARED, notes=_SHARED.notes[start:stop]))
    return [(r.html, r.media, r.tags) for r in rendered], diags


def default_jobs(notes: int | None = None) -> int:
    """Worker processes for rendering: the CPUs really free for this process, at most 4.

    Free CPUs are those of this process's affinity mask (``sched_getaffinity(2)``) minus the
    runnable load of the machine (the 1-minute load average, ``getloadavg(3)``, rounded up,
    this process counted as one of it). A second process costs its start and the pickling
    of its results (0.47 s of CPU for 10,000 cards, issue 15), so it pays only on a core
    nobody else uses: on a busy machine the answer is 1. With ``notes`` given, a vault below
    :data:`PARALLEL_MIN_NOTES` notes per process gets fewer processes.

    Args:
        notes: how many notes will be rendered, or ``None`` for no such limit.
    Returns:
        An int in ``1..4``.
    """
    try:
        cpus = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cpus = os.cpu_count() or 1
    try:
        busy = max(0, math.ceil(os.getloadavg()[0] - 1))  # others' runnable tasks
    except (AttributeError, OSError):
        busy = 0
    jobs = max(1, min(cpus - busy, 4))
    if notes is not None:
        jobs = max(1, min(jobs, notes // PARALLEL_MIN_NOTES))
    return jobs


def render_parallel(result: ParseResult, jobs: int | None = None) -> tuple[
        tuple[RenderedNote, ...], tuple[Diagnostic, ...]]:
    """``mkdeck.render.render_notes(result)``, split over this process and ``jobs - 1``
    forked ones.

    The notes are cut into contiguous chunks (order kept). Media names depend on every file
    the deck uses, so a chunk's names are checked against the names of the whole deck; on any
    difference (two files sharing a basename across chunks) the notes are rendered again in
    one process. Falls back to one process without ``fork`` (macOS spawn, Windows) or for
    small vaults. Returns exactly what ``render_notes`` returns."""
    global _SHARED
    jobs = default_jobs(len(result.notes)) if jobs is None else max(1, jobs)
    notes = result.notes
    if (jobs < 2 or len(notes) < PARALLEL_MIN_NOTES
            or "fork" not in multiprocessing.get_all_start_methods()):
        return render.render_notes(result)
    size = -(-len(notes) // jobs)
    bounds = [(i, min(i + size, len(notes))) for i in range(0, len(notes), size)]
    _SHARED = result
    try:
        # concurrent.futures, not multiprocessing.Pool: a worker that dies makes the pool
        # "broken" (an exception here) instead of leaving map() waiting forever
        ctx = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(len(bounds) - 1, mp_context=ctx) as pool:
            futures = [pool.submit(_render_chunk, b) for b in bounds[1:]]
            # the first chunk renders here meanwhile: one process less, nothing to pickle
            parts = [_render_chunk(bounds[0]), *(f.result() for f in futures)]
    except Exception as exc:  # a worker died (killed, out of memory): do it here instead
        LOG.warning("parallel rendering failed (%s); rendering in one process", exc)
        return render.render_notes(result)
    finally:
        _SHARED = None
    rendered_parts = []
    for (start, _stop), (items, _diags) in zip(bounds, parts):
        rendered_parts.append(tuple(
            RenderedNote(notes[start + i], html, media, tags)
            for i, (html, media, tags) in enumerate(items)))
    root = result.vault.root
    all_paths = [m.path for part in rendered_parts for r in part for m in r.media]
    limit = result.vault.config.max_media_size
    whole = media_names(root, all_paths, limit)
    for part in rendered_parts:
        chunk = media_names(root, [m.path for r in part for m in r.media], limit)
        if any(whole[path] != name for path, name in chunk.items()):
            LOG.debug("media names differ between chunks; rendering in one process")
            return render.render_notes(result)
    merged = tuple(r for part in rendered_parts for r in part)
    seen: set[tuple[str, str, int, str]] = set()
    diags: list[Diagnostic] = []
    for _, chunk_diags in parts:
        for d in chunk_diags:
            key = (d.code, d.location.path, d.location.line, d.message)
            if key not in seen:
                seen.add(key)
                diags.append(d)
    return merged, tuple(sorted(diags, key=Diagnostic.sort_key))


_TODO: tuple[ParseResult, tuple[Note, ...]] | None = None


def _stage_chunk(bounds: tuple[int, int]) -> list[render.Staged]:
    """Stage notes ``[start, stop)`` of the shared list (in a forked worker or here)."""
    assert _TODO is not None
    result, notes = _TODO
    return render.stage_notes(result, notes[bounds[0]:bounds[1]])


def stage_parallel(result: ParseResult, notes: Sequence[Note],
                   jobs: int | None = None) -> list[render.Staged]:
    """``mkdeck.render.stage_notes(result, notes)`` split over this process and ``jobs - 1``
    forked ones (``jobs`` default: :func:`default_jobs` for ``len(notes)``); the order is
    kept. Media names are given afterwards by ``render.finish_notes`` over the whole deck, so
    chunks never disagree on them. Falls back to one process as :func:`render_parallel`
    does (no ``fork``, few notes, a worker that died)."""
    global _TODO
    notes = tuple(notes)
    jobs = default_jobs(len(notes)) if jobs is None else max(1, jobs)
    if (jobs < 2 or len(notes) < PARALLEL_MIN_NOTES
            or "fork" not in multiprocessing.get_all_start_methods()):
        return render.stage_notes(result, notes)
    size = -(-len(notes) // jobs)
    bounds = [(i, min(i + size, len(notes))) for i in range(0, len(notes), size)]
    _TODO = (result, notes)
    try:
        ctx = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(len(bounds) - 1, mp_context=ctx) as pool:
            futures = [pool.submit(_stage_chunk, b) for b in bounds[1:]]
            parts = [_stage_chunk(bounds[0]), *(f.result() for f in futures)]
    except Exception as exc:  # a worker died (killed, out of memory): do it here instead
        LOG.warning("parallel rendering failed (%s); rendering in one process", exc)
        return render.stage_notes(result, notes)
    finally:
        _TODO = None
    return [st for part in parts for st in part]
