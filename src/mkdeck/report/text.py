"""Text format: one finding a line, ``path:line: CODE message`` or ``path:line:col: CODE message``.

The shape compilers and flake8 print, which editors, terminals and CI problem matchers turn into
links. Colour (plain ANSI SGR codes) only when asked for, i.e. when writing to a terminal.
"""

from __future__ import annotations

import logging

from mkdeck.model import Diagnostic, Severity
from mkdeck.report.findings import Report

LOG = logging.getLogger(__name__)

_RESET = "\x1b[0m"
_BOLD = "\x1b[1m"
_SEVERITY_SGR = {
    Severity.ERROR: "\x1b[1;31m",  # bold red
    Severity.WARNING: "\x1b[1;33m",  # bold yellow
    Severity.INFO: "\x1b[1;36m",  # bold cyan
}


def format_line(diagnostic: Diagnostic, *, color: bool = False, column: bool = True) -> str:
    """One finding as ``path:line[:col]: CODE message`` (no newline): the one text line of a
    finding, which ``mkdeck check``, ``build``, ``ids`` and ``verify`` all print.

    Newlines inside the message become ``\\n`` escapes so that one finding stays one line.
    With ``color``, the location is bold and the code takes its severity's colour. Without
    ``column``, the column is left out (``build`` and ``ids``: flake8's default format, as
    they always printed it)."""
    message = diagnostic.message.replace("\r", "\\r").replace("\n", "\\n")
    loc = diagnostic.location
    where = str(loc) if column else f"{loc.path}:{loc.line}"
    if not color:
        return f"{where}: {diagnostic.code} {message}"
    sgr = _SEVERITY_SGR[diagnostic.severity]
    return f"{_BOLD}{where}{_RESET}: {sgr}{diagnostic.code}{_RESET} {message}"


def format_text(report: Report, *, color: bool = False) -> str:
    """Every finding of ``report``, one line each, in report order; ``""`` when clean."""
    return "".join(format_line(d, color=color) + "\n" for d in report.diagnostics)
