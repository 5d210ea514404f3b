"""GitHub Actions workflow commands: ``::error file=…,line=…,col=…,title=…::message``.

GitHub shows each such line of a step's output as an annotation on the file and line, in the
run summary and on the pull request's diff. Escaping follows GitHub's toolkit
(``@actions/core`` ``command.ts``: ``escapeData`` and ``escapeProperty``): in the message
``%``, ``\\r`` and ``\\n`` become ``%25``, ``%0D``, ``%0A``; in property values ``:`` and ``,``
also become ``%3A`` and ``%2C``.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

from mkdeck.codes import Code
from mkdeck.model import Diagnostic, Severity
from mkdeck.report.findings import Report

LOG = logging.getLogger(__name__)

_COMMAND = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def escape_data(text: str) -> str:
    """Escape a workflow command's message (``escapeData`` of GitHub's toolkit)."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """Escape a workflow command's property value (``escapeProperty`` of GitHub's toolkit)."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def format_annotation(diagnostic: Diagnostic, codes: Mapping[str, Code] | None = None) -> str:
    """One finding as one workflow command line (no newline). Line 0 (a whole-file finding)
    leaves ``line`` out; the title is the code and its title in ``codes`` (the code alone when
    ``codes`` lacks it)."""
    loc = diagnostic.location
    props = [f"file={escape_property(loc.path)}"]
    if loc.line > 0:
        props.append(f"line={loc.line}")
        if loc.column is not None:
            props.append(f"col={loc.column}")
    entry = (codes or {}).get(diagnostic.code)
    title = f"{diagnostic.code} {entry.title}" if entry else diagnostic.code
    props.append(f"title={escape_property(title)}")
    command = _COMMAND[diagnostic.severity]
    return f"::{command} {','.join(props)}::{escape_data(diagnostic.message)}"


def format_github(report: Report, *, color: bool = False) -> str:
    """Every finding as a GitHub Actions annotation line. ``color`` is ignored."""
    return "".join(format_annotation(d, report.codes) + "\n" for d in report.diagnostics)
