"""SARIF 2.1.0: the format GitHub code scanning and other code-review tools import.

One run; ``tool.driver.rules`` holds every registered code (``mkdeck.codes``) with its title,
fix and bad/good examples as help text, so a viewer can explain a finding without mkdeck;
each result points at its rule, its file (a relative URI reference, percent-encoded) and,
when the line is known, a region. Shape per the OASIS SARIF 2.1.0 standard (errata 01):
§3.13 sarifLog, §3.14 run, §3.19 toolComponent, §3.49 reportingDescriptor, §3.27 result.
"""

from __future__ import annotations

import json
import logging
import re
import urllib.parse

from mkdeck import codes
from mkdeck.model import Diagnostic, Severity
from mkdeck.report.examples import examples_for
from mkdeck.report.findings import Report, fenced

LOG = logging.getLogger(__name__)

SARIF_SCHEMA = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
SARIF_VERSION = "2.1.0"

# SARIF §3.27.10 result.level / §3.50.3 defaultConfiguration.level
_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}


def _rule_name(title: str) -> str:
    """``"START without END"`` → ``"StartWithoutEnd"`` (SARIF §3.49.7: a readable id)."""
    words = re.findall(r"[A-Za-z0-9]+", title)
    return "".join(w[:1].upper() + w[1:].lower() for w in words) or "Rule"


def _rule(entry: codes.Code) -> dict[str, object]:
    """A reportingDescriptor (§3.49) for one registered code."""
    text = [entry.fix]
    markdown = [entry.fix]
    bad, good = examples_for(entry)
    if bad:
        text.append("Bad:\n" + bad)
        markdown.append("Bad:\n\n" + fenced(bad))
    if good:
        text.append("Good:\n" + good)
        markdown.append("Good:\n\n" + fenced(good))
    return {
        "id": entry.code,
        "name": _rule_name(entry.title),
        "shortDescription": {"text": entry.title},
        "fullDescription": {"text": entry.fix},
        "help": {"text": "\n\n".join(text), "markdown": "\n\n".join(markdown)},
        "defaultConfiguration": {"level": _LEVEL[entry.severity]},
    }


def file_uri(path: str) -> str:
    """A relative path as a SARIF artifact URI reference: ``"sub/li clone.md"`` →
    ``"sub/li%20clone.md"`` (RFC 3986 percent-encoding, ``/`` kept)."""
    return urllib.parse.quote(path, safe="/")


def _result(d: Diagnostic, index: dict[str, int]) -> dict[str, object]:
    """A result (§3.27) for one finding."""
    physical: dict[str, object] = {"artifactLocation": {"uri": file_uri(d.location.path)}}
    if d.location.line > 0:
        region: dict[str, object] = {"startLine": d.location.line}
        if d.location.column is not None:
            region["startColumn"] = d.location.column
        physical["region"] = region
    result: dict[str, object] = {
        "ruleId": d.code,
        "level": _LEVEL[d.severity],
        "message": {"text": d.message},
        "locations": [{"physicalLocation": physical}],
    }
    if d.code in index:
        result["ruleIndex"] = index[d.code]
    return result


def sarif_log(report: Report) -> dict[str, object]:
    """``report`` as a SARIF 2.1.0 log (a JSON-ready dict)."""
    known = dict(report.codes)
    for d in report.diagnostics:  # a code nobody registered still gets a rule to point at
        if d.code not in known:
            known[d.code] = codes.Code(d.code, d.severity, d.code,
                                       "No documentation is registered for this code.")
    rules = [_rule(known[code]) for code in sorted(known)]
    index = {str(rule["id"]): i for i, rule in enumerate(rules)}
    driver: dict[str, object] = {
        "name": report.tool,
        "version": report.version,
        "semanticVersion": report.version,
        "rules": rules,
    }
    run: dict[str, object] = {
        "tool": {"driver": driver},
        "columnKind": "unicodeCodePoints",
        "results": [_result(d, index) for d in report.diagnostics],
    }
    return {"$schema": SARIF_SCHEMA, "version": SARIF_VERSION, "runs": [run]}


def format_sarif(report: Report, *, color: bool = False) -> str:
    """``report`` as SARIF 2.1.0 JSON text (newline at the end). ``color`` is ignored."""
    return json.dumps(sarif_log(report), ensure_ascii=False, indent=2) + "\n"
