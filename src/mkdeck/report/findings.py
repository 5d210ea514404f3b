"""What the formatters format: a :class:`Report` of findings, and helpers shared by them."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from mkdeck import __version__
from mkdeck.codes import Code
from mkdeck.model import Diagnostic, Severity

LOG = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class FileSummary:
    """One checked note file, for formats that list files (JUnit test cases).

    Attributes:
        path: the file's path as reported (same form as the diagnostics' paths).
        notes: how many notes (Anki notes, not cards) the file holds.
    """

    path: str
    notes: int = 0


@dataclass(frozen=True, slots=True)
class Report:
    """What a formatter formats.

    Attributes:
        diagnostics: the findings, in the order to report them (see :func:`sorted_diagnostics`).
        files: every note file that was checked, with its note count (may be empty when the
            format does not need it).
        tool: the tool name written in SARIF and JUnit (``"mkdeck"``).
        version: the tool version.
        command: what ran (``"check"``, ``"verify"``): JUnit's suite name.
        elapsed: wall time in seconds, or ``None`` to leave it out (keeps output repeatable).
        codes: see below.
    """

    diagnostics: tuple[Diagnostic, ...]
    files: tuple[FileSummary, ...] = ()
    tool: str = "mkdeck"
    version: str = __version__
    command: str = "check"
    elapsed: float | None = None
    codes: Mapping[str, Code] = field(default_factory=dict)
    """Every registered code by code (``mkdeck.app.codes.code_table()``), for the formats that
    describe the codes (SARIF rules, JUnit and GitHub titles); a code not in it is described by
    its code alone."""

    def count(self, severity: Severity) -> int:
        """How many diagnostics have ``severity``."""
        return sum(1 for d in self.diagnostics if d.severity is severity)


def sorted_diagnostics(diagnostics: Iterable[Diagnostic]) -> tuple[Diagnostic, ...]:
    """``diagnostics`` without exact duplicates, ordered by file, line, column, code, message."""
    return tuple(sorted(set(diagnostics), key=Diagnostic.sort_key))


def summary_line(report: Report) -> str:
    """A one-line human summary: ``"2 errors, 1 warning in 3 files"`` (``"no findings in 3
    files"`` when clean). Info findings are counted only when there are any."""
    parts = []
    for severity, word in ((Severity.ERROR, "error"), (Severity.WARNING, "warning"),
                           (Severity.INFO, "info finding")):
        n = report.count(severity)
        if n or severity is not Severity.INFO:
            parts.append(f"{n} {word}{'' if n == 1 else 's'}")
    nfiles = len(report.files)
    where = f" in {nfiles} file{'' if nfiles == 1 else 's'}"
    if not report.diagnostics:
        return "no findings" + where
    return ", ".join(parts) + where


def code_entry(report: Report, code: str) -> Code | None:
    """The registry entry of ``code`` in ``report.codes``, or ``None`` for a code it lacks."""
    return report.codes.get(code)


def fenced(text: str, info: str = "markdown") -> str:
    """``text`` in a markdown code fence longer than any backtick run inside it (CommonMark
    §4.5: a fence closes only on a run at least as long as the opening one)."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}{info}\n{text}\n{fence}"
