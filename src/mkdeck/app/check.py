"""``mkdeck check``: the check engine over the vault, with the build stages as rules.

``check`` reports what each stage reports, it does not detect those things again:

* ``parse``: every diagnostic of :func:`mkdeck.app.load.load` (vault, config, card grammar:
  unknown note types and fields, cloze without deletions, unclosed blocks, …);
* ``render``: :func:`mkdeck.render.parallel.render_parallel` (unresolved wikilinks, embeds and
  media outside code, embed cycles, paths leaving the vault, …);
* ``export``: the exporter's validation without writing anything
  (:func:`mkdeck.export.plan.plan_export`: empty first fields, U+001F in fields, tags with
  spaces, empty deck-name parts, unreadable or clashing media, note types it cannot export);
* ``identity``: :func:`mkdeck.export.identity.duplicate_guid_diagnostics` over every note of
  the vault (duplicate ID comments and guids; the exporter's own duplicate check, which sees
  only the named files, is left to this rule);
* ``state``: the sync state ``.mkdeck-state`` cannot be read, or is out of date with the notes
  (:func:`mkdeck.export.sync.reconcile`, nothing written);
* ``verify`` (only with ``--verify``): :func:`mkdeck.verify.verify_notes`: every refuted or
  inconclusive claim at the claim's line.

:data:`STAGE_RULES` lists them; :func:`all_rules` adds the check-only rules
(:data:`mkdeck.check.rules.FILE_RULES`). When a stage raises on the whole vault, it is run
again file by file, so only the files that make it crash get an ``MKD001`` finding.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import replace
from pathlib import Path
from typing import cast

from mkdeck import codes
from mkdeck.app.codes import all_codes
from mkdeck.app.load import load, no_cards_diagnostics
from mkdeck.check import engine
from mkdeck.check.context import CheckContext, CheckOptions, CheckResult
from mkdeck.check.registry import Rule, rule, sorted_rules
from mkdeck.check.rules import FILE_RULES
from mkdeck.model import Diagnostic, ParseResult, RenderedNote, SourceLocation

LOG = logging.getLogger(__name__)

_DUPLICATE_CODE = "MKD301"  # mkdeck.export.identity.DUPLICATE_GUID, reported by the identity rule


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


def check_parse(ctx: CheckContext) -> Iterator[Diagnostic]:
    """Every diagnostic of reading and parsing the vault (``mkdeck.app.load.load``), and the
    build's "no card found" for a vault without cards (``no_cards_diagnostics``)."""
    yield from ctx.result.diagnostics
    yield from no_cards_diagnostics(ctx.result)


def _render(ctx: CheckContext) -> tuple[list[RenderedNote], list[Diagnostic]]:
    """The selected notes rendered, and the render diagnostics (computed once per run and
    shared by the ``render`` and ``export`` rules)."""
    if "render" in ctx.cache:
        return cast("tuple[list[RenderedNote], list[Diagnostic]]", ctx.cache["render"])
    from mkdeck.render.parallel import render_parallel

    # parallel rendering (forked workers, same output as render_notes)
    rendered: list[RenderedNote] = []

    def one(result: ParseResult) -> list[Diagnostic]:
        notes, diags = render_parallel(result, jobs=ctx.options.jobs)
        rendered.extend(notes)
        return list(diags)

    diags = _per_file(ctx, "render", one)
    order = {n.location: i for i, n in enumerate(ctx.result.notes)}
    rendered.sort(key=lambda r: order.get(r.note.location, len(order)))
    ctx.cache["render"] = (rendered, diags)
    return rendered, diags


def check_render(ctx: CheckContext) -> list[Diagnostic]:
    """Every diagnostic of rendering the selected notes (``mkdeck.render.render_notes``)."""
    return _render(ctx)[1]


def check_export(ctx: CheckContext) -> list[Diagnostic]:
    """The exporter's validation of the rendered notes (``plan_export``), nothing written."""
    from mkdeck.export.plan import plan_export
    from mkdeck.render import note_type_css

    rendered = _render(ctx)[0]
    css = note_type_css()
    by_path: dict[str, list[RenderedNote]] = {}
    for r in rendered:
        by_path.setdefault(r.note.location.path, []).append(r)

    def one(result: ParseResult) -> list[Diagnostic]:
        wanted = {n.location for n in result.notes}
        items = [r for r in rendered if r.note.location in wanted]
        out = plan_export(items, vault=ctx.result.vault, css=css).diagnostics
        return [d for d in out if d.code != _DUPLICATE_CODE]

    return _per_file(ctx, "export", one)


def check_identity(ctx: CheckContext) -> list[Diagnostic]:
    """Notes of the vault that share an ID comment or a guid
    (``mkdeck.export.identity.duplicate_guid_diagnostics`` over every note, not only the
    selected)."""
    from mkdeck.export.identity import duplicate_guid_diagnostics

    return list(duplicate_guid_diagnostics(ctx.vault_result().notes))


def check_state(ctx: CheckContext) -> list[Diagnostic]:
    """The vault's sync state (``.mkdeck-state``): unreadable, or out of date with the notes
    (:func:`mkdeck.export.sync.reconcile`: what a build would keep differs from the file)."""
    from mkdeck.export.plan import plan_export, time_cap
    from mkdeck.export.state import STATE_FILE, STATE_STALE, read_state
    from mkdeck.export.sync import reconcile
    from mkdeck.render import note_type_css

    read = read_state(ctx.result.vault.root)
    if not read.usable:
        return list(read.diagnostics)
    if read.state is None:
        return []  # no state yet: a build writes it (or the vault builds with --no-state)
    rendered = _render(ctx)[0]
    css = note_type_css()
    planned = plan_export(rendered, vault=ctx.result.vault, css=css)
    _plan, report, _diags = reconcile(ctx.result, rendered, planned, css=css,
                                      build_time=time_cap())
    if report is None or report.state.entries == read.state.entries:
        return []
    old, new = read.state.by_guid(), report.state.by_guid()
    changed = sorted(g for g in old.keys() | new.keys() if old.get(g) != new.get(g))
    where = [str((new.get(g) or old[g]).location) for g in changed[:3]]
    more = f" and {len(changed) - 3} more" if len(changed) > 3 else ""
    return [STATE_STALE.at(
        SourceLocation(STATE_FILE, 0),
        f"{STATE_FILE} is out of date: {len(changed)} note{'s' if len(changed) != 1 else ''} "
        f"changed since the last build ({', '.join(where)}{more}); build the vault and "
        f"commit {STATE_FILE}, so every clone builds the same package.")]


def check_verify(ctx: CheckContext) -> list[Diagnostic]:
    """Refuted and inconclusive claims (``mkdeck.verify.verify_notes``), at the claim's line."""
    from mkdeck.verify import verify_notes

    report = verify_notes(ctx.result, run_code=ctx.options.run_code,
                                 jobs=ctx.options.jobs)
    return list(report.diagnostics)


# The build stages as check rules, in pipeline order.
STAGE_RULES: tuple[Rule, ...] = (
    rule(check_parse, "parse", scope="vault", order=10),
    rule(check_render, "render", scope="vault", order=20),
    rule(check_export, "export", scope="vault", order=30),
    rule(check_identity, "identity", scope="vault", order=40),
    rule(check_state, "state", scope="vault", order=45),
    rule(check_verify, "verify", scope="vault", needs_verify=True, order=50),
)


def all_rules() -> list[Rule]:
    """Every check rule (:data:`STAGE_RULES` and the check-only
    :data:`mkdeck.check.rules.FILE_RULES`), sorted by order then name."""
    return sorted_rules((*STAGE_RULES, *FILE_RULES))


def parse_code_list(text: str) -> tuple[str, ...]:
    """:func:`mkdeck.check.engine.parse_code_list` against every registered code.

    Raises:
        ValueError: for an entry that is not a code prefix, or that no code begins with.
    """
    return engine.parse_code_list(text, [c.code for c in all_codes()])


def run_checks(result: ParseResult, options: CheckOptions | None = None, *,
               rules: Iterable[Rule] | None = None) -> CheckResult:
    """:func:`mkdeck.check.engine.run_checks` with ``rules`` (default: :func:`all_rules`)
    and :func:`mkdeck.app.load.load` to parse the whole vault when only part is selected."""
    return engine.run_checks(result, options, rules=all_rules() if rules is None else rules,
                             loader=load)


def check_paths(paths: Sequence[str | Path], options: CheckOptions | None = None) -> CheckResult:
    """``mkdeck check PATH...``: load the vault around ``paths`` and check it.

    Raises:
        mkdeck.vault.VaultError: when a PATH is missing or unreadable (the CLI exits 2).
    """
    options = options or CheckOptions()
    try:
        result = load(paths, config=options.config, deck=options.deck)
    except OSError:
        raise
    except Exception as exc:  # noqa: BLE001 - a crashed stage is a finding, not a traceback
        LOG.debug("loading %s crashed", paths, exc_info=True)
        first = Path(paths[0]).resolve()
        root = first if first.is_dir() else first.parent
        crash = codes.INTERNAL_ERROR.at(
            SourceLocation(".", 0),
            f"check rule 'parse' crashed on the vault ({type(exc).__name__}: {exc}); no other "
            "rule could run. This is a bug in mkdeck: please report it with the vault.",
        )
        return CheckResult((crash,), (), str(root))
    return run_checks(result, options)
