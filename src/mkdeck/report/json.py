"""JSON format: ``{"diagnostics": [...]}``, each entry shaped like ``mkdeck dump``'s
(:meth:`mkdeck.model.Diagnostic.to_dict`: ``path``, ``line``, ``column`` when known, ``code``,
``severity``, ``message``)."""

from __future__ import annotations

import json
import logging

from mkdeck.report.findings import Report

LOG = logging.getLogger(__name__)


def format_json(report: Report, *, color: bool = False) -> str:
    """``report`` as a JSON document (UTF-8 text, not ASCII-escaped, 2-space indent, newline
    at the end). ``color`` is ignored."""
    doc = {"diagnostics": [d.to_dict() for d in report.diagnostics]}
    return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"
