"""Formatters: findings (:class:`~mkdeck.model.Diagnostic`) → the text CI tools read.

One module per format, one function each, all with the signature
``format_<name>(report: Report, *, color: bool = False) -> str`` (flake8's formatter design:
findings are data, a formatter only turns them into text). :data:`FORMATS` maps the names that
``--format`` accepts to these functions; :func:`render` picks one.

This package never prints and never reads files: the CLI writes what it returns.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from mkdeck import __version__, codes
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
    """

    diagnostics: tuple[Diagnostic, ...]
    files: tuple[FileSummary, ...] = ()
    tool: str = "mkdeck"
    version: str = __version__
    command: str = "check"
    elapsed: float | None = None

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


_ALL_CODES: dict[str, codes.Code] | None = None


def code_entry(code: str) -> codes.Code | None:
    """The registry entry of ``code`` (every stage's codes loaded on first use), or ``None``
    for a code nobody registered."""
    global _ALL_CODES
    if _ALL_CODES is None or code not in _ALL_CODES:
        _ALL_CODES = {c.code: c for c in codes.all_codes()}
    return _ALL_CODES.get(code)


def fenced(text: str, info: str = "markdown") -> str:
    """``text`` in a markdown code fence longer than any backtick run inside it (CommonMark
    §4.5: a fence closes only on a run at least as long as the opening one)."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}{info}\n{text}\n{fence}"


Formatter = Callable[..., str]


def _formats() -> dict[str, Formatter]:
    from mkdeck.report.github import format_github
    from mkdeck.report.json import format_json
    from mkdeck.report.junit import format_junit
    from mkdeck.report.sarif import format_sarif
    from mkdeck.report.text import format_text

    return {
        "text": format_text,
        "json": format_json,
        "junit": format_junit,
        "sarif": format_sarif,
        "github": format_github,
    }


FORMAT_NAMES: tuple[str, ...] = ("text", "json", "junit", "sarif", "github")
"""The names ``--format`` accepts, in the order ``--help`` lists them."""


def render(name: str, report: Report, *, color: bool = False) -> str:
    """Format ``report`` as ``name`` (one of :data:`FORMAT_NAMES`).

    Args:
        name: the format.
        report: what to format.
        color: ANSI colours (only the text format uses them; pass ``True`` only for a terminal).

    Returns:
        The whole output, ending with a newline unless empty.

    Raises:
        KeyError: for an unknown format name.
    """
    return _formats()[name](report, color=color)
