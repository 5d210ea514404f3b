"""JUnit XML: one test case per note file that has notes or findings.

Each error finding is a ``<failure>`` of its file's test case; warnings and info findings go
to the test case's ``<system-out>``, one text-format line each. Counts follow the Ant/Jenkins
JUnit schema (``testsuite``'s ``tests``/``failures``/``errors``/``skipped`` count *test cases*),
so a file with three errors is one failing test case holding three ``<failure>`` elements.
Findings about no note file (the config file, the vault) get a test case of their own path.
"""

from __future__ import annotations

import logging
import xml.etree.ElementTree as ET

from mkdeck.model import Diagnostic, Severity
from mkdeck.report.findings import Report, code_entry
from mkdeck.report.text import format_line

LOG = logging.getLogger(__name__)

_XML_ILLEGAL = {c: None for c in range(0x20) if c not in (0x9, 0xA, 0xD)}


def _clean(text: str) -> str:
    """``text`` without the control characters XML 1.0 cannot hold (they would make the
    document unparsable)."""
    return text.translate(_XML_ILLEGAL)


def format_junit(report: Report, *, color: bool = False) -> str:
    """``report`` as a JUnit XML document (UTF-8 declaration, newline at the end).
    ``color`` is ignored."""
    by_path: dict[str, list[Diagnostic]] = {}
    notes: dict[str, int] = {}
    for f in report.files:
        notes[f.path] = f.notes
        if f.notes:
            by_path.setdefault(f.path, [])
    for d in report.diagnostics:
        by_path.setdefault(d.location.path, []).append(d)

    suites = ET.Element("testsuites", name=f"{report.tool} {report.command}")
    suite = ET.SubElement(suites, "testsuite", name=f"{report.tool} {report.command}")
    failed = 0
    for path in sorted(by_path):
        found = by_path[path]
        case = ET.SubElement(suite, "testcase", classname=f"{report.tool}.{report.command}",
                             name=_clean(path), file=_clean(path))
        errors = [d for d in found if d.severity is Severity.ERROR]
        others = [d for d in found if d.severity is not Severity.ERROR]
        for d in errors:
            entry = code_entry(report, d.code)
            failure = ET.SubElement(case, "failure", type=d.code,
                                    message=_clean(f"{d.location}: {d.code} {d.message}"))
            body = format_line(d)
            if entry is not None and entry.fix:
                body += f"\nFix: {entry.fix}"
            failure.text = _clean(body)
        if errors:
            failed += 1
        out = [format_line(d) for d in others]
        if path in notes:
            n = notes[path]
            out.insert(0, f"{n} note{'' if n == 1 else 's'}")
        if out:
            ET.SubElement(case, "system-out").text = _clean("\n".join(out) + "\n")
    total = len(by_path)
    for element in (suites, suite):
        element.set("tests", str(total))
        element.set("failures", str(failed))
        element.set("errors", "0")
    suite.set("skipped", "0")
    if report.elapsed is not None:
        suites.set("time", f"{report.elapsed:.3f}")
        suite.set("time", f"{report.elapsed:.3f}")
    ET.indent(suites)
    body = ET.tostring(suites, encoding="unicode")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + body + "\n"
