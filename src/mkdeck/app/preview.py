"""``mkdeck preview``'s flow: vault → parse → render → plan the package → (verify) → page.

The same stages as ``mkdeck build`` up to the package plan, so the page shows exactly the
cards the ``.apkg`` holds; then :func:`mkdeck.export.preview.write_preview` instead of the zip.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from mkdeck.model import Diagnostic, Severity

LOG = logging.getLogger(__name__)


class PreviewPlaceError(ValueError):
    """The output folder is inside the vault (the page's media would become attachments)."""


@dataclass(frozen=True, slots=True)
class PreviewOutcome:
    """What ``mkdeck preview`` did.

    Attributes:
        index: the page written (``DIR/index.html``).
        notes, cards, decks, media: counts on the page (= in the package).
        mathjax: math is typeset by MathJax (else shown as marked TeX source).
        diagnostics: every stage's findings, sorted by file and line.
        verification: verdict -> count with ``verify``, else ``None``.
    """

    index: str
    notes: int
    cards: int
    decks: int
    media: int
    mathjax: bool
    diagnostics: tuple[Diagnostic, ...]
    verification: dict[str, int] | None = None

    @property
    def errors(self) -> int:
        """Number of error findings."""
        return sum(1 for d in self.diagnostics if d.severity is Severity.ERROR)

    @property
    def warnings(self) -> int:
        """Number of warning findings."""
        return sum(1 for d in self.diagnostics if d.severity is Severity.WARNING)


def build_preview(paths: Sequence[str | Path], out_dir: str | Path, *,
                  config: str | Path | None = None, deck: str | None = None,
                  verify: bool = False, source_url: str | None = None,
                  jobs: int | None = None, use_mathjax: bool = True) -> PreviewOutcome:
    """Write the preview page of the vault ``paths`` into ``out_dir``.

    Args:
        paths: PATH arguments (folders or notes of one vault).
        out_dir: the folder to write (created if missing); must not be inside the vault.
        config, deck: as for ``mkdeck build``.
        verify: run the claim verifier and show each card's verdicts.
        source_url: link template for sources, with ``{path}`` and ``{line}``.
        jobs: render processes (default: the CPUs, at most 4).
        use_mathjax: ``False`` shows math as TeX source even when MathJax is installed.
    Returns:
        A :class:`PreviewOutcome`.
    Raises:
        mkdeck.vault.VaultError: a PATH is missing or unreadable.
        PreviewPlaceError: ``out_dir`` is inside the vault.
        OSError: the page cannot be written.
        ValueError: a media file would replace the page (named ``index.html``/``_mkdeck``).
    """
    from mkdeck.app.load import load
    from mkdeck.export.plan import plan_export, time_cap
    from mkdeck.export.preview import Verdict, write_preview
    from mkdeck.export.sync import reconcile
    from mkdeck.render import note_type_css
    from mkdeck.render.parallel import render_parallel

    result = load(list(paths), config=config, deck=deck)
    root = Path(result.vault.root).resolve()
    target = Path(out_dir).resolve()
    if target == root or root in target.parents:
        raise PreviewPlaceError(
            f"{out_dir} is inside the vault {root}; write the preview outside it (its media "
            f"copies would become attachments of the vault), e.g. -o {root.parent / 'preview'}")
    rendered, render_diags = render_parallel(result, jobs=jobs)
    css = note_type_css()
    plan = plan_export(rendered, vault=result.vault, css=css)
    diags: list[Diagnostic] = [*result.diagnostics, *render_diags, *plan.diagnostics]
    # the package as a build would write it: guids and tags by the vault's sync state, and
    # its removed notes (nothing is written into the vault)
    plan, _sync, state_diags = reconcile(result, rendered, plan, css=css,
                                         build_time=time_cap())
    diags.extend(state_diags)
    verdicts: dict[tuple[str, int], list[Verdict]] = {}
    verification = None
    if verify:
        from mkdeck.verify import verify_notes

        report = verify_notes(result, jobs=jobs)
        diags.extend(report.diagnostics)
        verification = dict(report.summary)
        for claim in report.claims:
            c = claim.claim
            reasons = claim.evidence.get("reason") or claim.evidence.get("reasons") or ""
            verdicts.setdefault((c.card_location.path, c.card_location.line), []).append(
                Verdict(c.text, claim.verdict, c.check, str(reasons)[:300]))
    diags.sort(key=Diagnostic.sort_key)
    written = write_preview(plan, out_dir, vault_root=str(root), title=result.vault.name,
                            diagnostics=diags, verdicts=verdicts, source_url=source_url,
                            use_mathjax=use_mathjax)
    LOG.debug("preview of %s written to %s", root, os.fspath(out_dir))
    return PreviewOutcome(index=written.index, notes=len(plan.notes), cards=written.cards,
                          decks=written.decks, media=written.media, mathjax=written.mathjax,
                          diagnostics=tuple(diags), verification=verification)
