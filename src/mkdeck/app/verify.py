"""``mkdeck verify``'s flow: PATHs → parsed notes → claims → verdicts on this kernel.

The CLI (``mkdeck.cli.verify``) prints what :func:`verify_paths` returns; the verifier itself
is :mod:`mkdeck.verify`.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mkdeck.app.load import load
from mkdeck.model import Diagnostic, ParseResult, Severity
from mkdeck.verify import VerificationReport, verify_notes
from mkdeck.verify.catalogue import Catalogue, CatalogueError, default_catalogue

LOG = logging.getLogger(__name__)

__all__ = ["Catalogue", "CatalogueError", "VerifyOutcome", "default_catalogue", "verify_paths"]


@dataclass(frozen=True, slots=True)
class VerifyOutcome:
    """What ``mkdeck verify`` found.

    Attributes:
        result: the parsed vault.
        report: the verifier's report (claims, code blocks, unchecked statements, host).
        errors: error diagnostics of parsing and verifying, sorted: cards that could not be
            read were not verified, so they fail the run like a refuted claim.
    """

    result: ParseResult
    report: VerificationReport
    errors: tuple[Diagnostic, ...]

    @property
    def failed(self) -> bool:
        """A claim or code block was refuted, or a card could not be read (exit status 1)."""
        return bool(self.report.refuted or self.errors)

    def to_dict(self) -> dict[str, Any]:
        """The ``--format json`` document: the report, with the parse diagnostics first."""
        data = self.report.to_dict()
        data["diagnostics"] = [d.to_dict() for d in self.result.diagnostics] + data["diagnostics"]
        return data


def verify_paths(paths: Sequence[str | Path], *, config: str | Path | None = None,
                 run_code: bool = False, jobs: int | None = None,
                 catalogue: Catalogue | None = None) -> VerifyOutcome:
    """Load the vault around ``paths`` and verify its cards' claims.

    Args:
        paths: vault folder or note files.
        config: ``--config FILE``.
        run_code: also run fenced blocks marked ``verify``.
        jobs: probes run at once (``None``: the verifier decides).
        catalogue: the checks to use (default: :func:`default_catalogue`).
    Returns:
        A :class:`VerifyOutcome`.
    Raises:
        mkdeck.vault.VaultError: a PATH is missing or unreadable.
        mkdeck.verify.catalogue.CatalogueError: the shipped catalogue is broken.
    """
    catalogue = default_catalogue() if catalogue is None else catalogue
    result = load(paths, config=config)
    report = verify_notes(result, run_code=run_code, jobs=jobs, catalogue=catalogue)
    errors = sorted((d for d in (*result.diagnostics, *report.diagnostics)
                     if d.severity is Severity.ERROR), key=Diagnostic.sort_key)
    return VerifyOutcome(result, report, tuple(errors))
