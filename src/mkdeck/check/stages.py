"""The build stages as check rules: ``check`` reports what each stage reports, it does not
detect those things again.

* ``parse``: every diagnostic of ``mkdeck.app.load.load`` (vault, config, card grammar:
  unknown note types and fields, cloze without deletions, unclosed blocks, …);
* ``render``: ``mkdeck.render.render_notes`` (unresolved wikilinks, embeds and media outside
  code, embed cycles, paths leaving the vault, …), through the exporter's
  ``render_parallel`` (same result, on every CPU) when it is installed;
* ``export``: the exporter's validation without writing anything
  (``mkdeck.export.plan.plan_export``: empty first fields, U+001F in fields, tags with
  spaces, empty deck-name parts, unreadable or clashing media, note types it cannot export);
* ``identity``: ``mkdeck.export.identity.duplicate_guid_diagnostics`` over every note of the vault
  (duplicate ID comments and guids; the exporter's own duplicate check, which sees only the
  named files, is left to this rule);
* ``verify`` (only with ``--verify``): ``mkdeck.verify.verify_notes``: every refuted or
  inconclusive claim at the claim's line.

A stage whose module is not installed is skipped. When a stage raises on the whole vault, it
is run again file by file, so only the files that make it crash get an ``MKD001`` finding.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace
from types import ModuleType
from typing import cast

from mkdeck import codes
from mkdeck.check.engine import CheckContext
from mkdeck.check.registry import rule
from mkdeck.model import Diagnostic, ParseResult, RenderedNote, SourceLocation

LOG = logging.getLogger(__name__)

_DUPLICATE_CODE = "MKD301"  # mkdeck.export.identity.DUPLICATE_GUID, reported by the identity rule


def _stage(module: str) -> ModuleType | None:
    """``module`` imported, or ``None`` when it does not exist (a stage not built)."""
    try:
        return importlib.import_module(module)
    except ModuleNotFoundError as exc:
        if exc.name is not None and (module == exc.name or module.startswith(exc.name + ".")):
            LOG.debug("stage %s not available", module)
            return None
        raise


def _per_file(ctx: CheckContext, name: str,
              func: Callable[[ParseResult], Iterable[Diagnostic]]) -> list[Diagnostic]:
    """``func`` over the selected notes; when it raises, ``func`` once per selected file and
    an ``MKD001`` finding for each file on which it raises again."""
    try:
        return list(func(ctx.result))
    except Exception:  # noqa: BLE001 - narrowed down below
        LOG.debug("stage %s crashed on the vault; retrying file by file", name, exc_info=True)
    found: list[Diagnostic] = []
    for nf in ctx.selected:
        notes = tuple(ctx.notes_in(nf.path))
        if not notes:
            continue
        try:
            found.extend(func(replace(ctx.result, notes=notes, diagnostics=())))
        except Exception as exc:  # noqa: BLE001 - a crashed stage is a finding
            found.append(codes.INTERNAL_ERROR.at(
                SourceLocation(nf.path, 0),
                f"check rule '{name}' crashed on this file ({type(exc).__name__}: {exc}); "
                "the other rules still ran. This is a bug in mkdeck: please report it with "
                "this file.",
            ))
    return found


@rule("parse", scope="vault", order=10)
def check_parse(ctx: CheckContext) -> Iterator[Diagnostic]:
    """Every diagnostic of reading and parsing the vault (``mkdeck.app.load.load``)."""
    yield from ctx.result.diagnostics


def _render(ctx: CheckContext) -> tuple[list[RenderedNote], list[Diagnostic]] | None:
    """The selected notes rendered, and the render diagnostics (computed once per run and
    shared by the ``render`` and ``export`` rules); ``None`` without a renderer."""
    if "render" in ctx.cache:
        return cast("tuple[list[RenderedNote], list[Diagnostic]] | None", ctx.cache["render"])
    render = _stage("mkdeck.render")
    if render is None:
        ctx.cache["render"] = None
        return None
    build = _stage("mkdeck.app.build")
    # the exporter's parallel rendering (forked workers, same output) when it is there
    rendered: list[RenderedNote] = []

    def one(result: ParseResult) -> list[Diagnostic]:
        if build is not None:
            notes, diags = build.render_parallel(result, jobs=ctx.options.jobs)
        else:
            notes, diags = render.render_notes(result)
        rendered.extend(notes)
        return list(diags)

    diags = _per_file(ctx, "render", one)
    order = {n.location: i for i, n in enumerate(ctx.result.notes)}
    rendered.sort(key=lambda r: order.get(r.note.location, len(order)))
    ctx.cache["render"] = (rendered, diags)
    return rendered, diags


@rule("render", scope="vault", order=20)
def check_render(ctx: CheckContext) -> list[Diagnostic]:
    """Every diagnostic of rendering the selected notes (``mkdeck.render.render_notes``)."""
    done = _render(ctx)
    return [] if done is None else done[1]


@rule("export", scope="vault", order=30)
def check_export(ctx: CheckContext) -> list[Diagnostic]:
    """The exporter's validation of the rendered notes (``plan_export``), nothing written."""
    plan = _stage("mkdeck.export.plan")
    render = _stage("mkdeck.render")
    done = _render(ctx)
    if plan is None or render is None or done is None:
        return []
    rendered = done[0]
    css = render.note_type_css()
    by_path: dict[str, list[RenderedNote]] = {}
    for r in rendered:
        by_path.setdefault(r.note.location.path, []).append(r)

    def one(result: ParseResult) -> list[Diagnostic]:
        wanted = {n.location for n in result.notes}
        items = [r for r in rendered if r.note.location in wanted]
        out = plan.plan_export(items, vault=ctx.result.vault, css=css).diagnostics
        return [d for d in out if d.code != _DUPLICATE_CODE]

    return _per_file(ctx, "export", one)


@rule("identity", scope="vault", order=40)
def check_identity(ctx: CheckContext) -> list[Diagnostic]:
    """Notes of the vault that share an ID comment or a guid
    (``mkdeck.export.identity.duplicate_guid_diagnostics`` over every note, not only the selected)."""
    identity = _stage("mkdeck.export.identity")
    if identity is None:
        return []
    return list(identity.duplicate_guid_diagnostics(ctx.vault_result().notes))


@rule("verify", scope="vault", needs_verify=True, order=50)
def check_verify(ctx: CheckContext) -> list[Diagnostic]:
    """Refuted and inconclusive claims (``mkdeck.verify.verify_notes``), at the claim's line."""
    verify = _stage("mkdeck.verify")
    if verify is None:
        raise RuntimeError("--verify needs mkdeck.verify, which is not installed")
    report = verify.verify_notes(ctx.result, run_code=ctx.options.run_code,
                                 jobs=ctx.options.jobs)
    return list(report.diagnostics)
