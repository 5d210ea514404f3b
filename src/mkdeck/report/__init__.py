"""Formatters: findings (:class:`~mkdeck.model.Diagnostic`) → the text CI tools read.

One module per format, one function each, all with the signature
``format_<name>(report: Report, *, color: bool = False) -> str`` (flake8's formatter design:
findings are data, a formatter only turns them into text); :mod:`~mkdeck.report.findings`
holds the :class:`Report` they format. :data:`FORMATS` maps the names that ``--format``
accepts to these functions; :func:`render` picks one. :func:`~mkdeck.report.text.format_line`
is the one text line of a finding, used by every command.

This package never prints and never reads files: the CLI writes what it returns.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from mkdeck.report.findings import (
    FileSummary,
    Report,
    code_entry,
    fenced,
    sorted_diagnostics,
    summary_line,
)
from mkdeck.report.github import format_github
from mkdeck.report.json import format_json
from mkdeck.report.junit import format_junit
from mkdeck.report.sarif import format_sarif
from mkdeck.report.text import format_line, format_text

LOG = logging.getLogger(__name__)


Formatter = Callable[..., str]


FORMATS: dict[str, Formatter] = {
    "text": format_text,
    "json": format_json,
    "junit": format_junit,
    "sarif": format_sarif,
    "github": format_github,
}
"""The formats by the name ``--format`` accepts, in the order ``--help`` lists them."""

FORMAT_NAMES: tuple[str, ...] = tuple(FORMATS)

__all__ = [
    "FORMATS",
    "FORMAT_NAMES",
    "FileSummary",
    "Report",
    "code_entry",
    "fenced",
    "format_line",
    "render",
    "sorted_diagnostics",
    "summary_line",
]


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
    return FORMATS[name](report, color=color)
