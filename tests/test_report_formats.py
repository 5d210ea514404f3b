"""The report formatters on hand-made findings: exact text, JSON, GitHub lines; JUnit counts."""

from __future__ import annotations

import functools
import json
import xml.etree.ElementTree as ET

import pytest

from mkdeck import codes
from mkdeck.model import Diagnostic, Severity, SourceLocation
from mkdeck.app.codes import code_table
from mkdeck.report import (
    FORMAT_NAMES,
    FileSummary,
    Report,
    render,
    sorted_diagnostics,
    summary_line,
)
from mkdeck.report.github import escape_data, escape_property, format_annotation
from mkdeck.report.text import format_line

# every registered code, as the CLI passes them
_report = functools.partial(Report, codes=code_table())

E = Severity.ERROR
W = Severity.WARNING
INFO = Severity.INFO


def diag(path: str, line: int, code: str, sev: Severity, msg: str, col: int | None = None):
    return Diagnostic(code, sev, SourceLocation(path, line, col), msg)


FINDINGS = (
    diag("notes/b.md", 7, "MKD001", E, "second error"),
    diag("notes/a b.md", 3, "MKD001", E, "boom, it said: x\ny 100%", col=5),
    diag("notes/a b.md", 1, "MKD501", W, "mojibake"),
    diag("mkdeck.yaml", 2, "MKD001", INFO, "an info"),
    diag("notes/a b.md", 0, "MKD502", E, "whole file"),
    diag("notes/b.md", 7, "MKD001", E, "second error"),  # exact duplicate: reported once
)
FILES = (FileSummary("notes/a b.md", 2), FileSummary("notes/b.md", 1),
         FileSummary("notes/c.md", 3), FileSummary("notes/empty.md", 0))


@pytest.fixture
def report() -> Report:
    return _report(sorted_diagnostics(FINDINGS), FILES)


def test_sorted_without_duplicates(report: Report) -> None:
    assert [(d.location.path, d.location.line) for d in report.diagnostics] == [
        ("mkdeck.yaml", 2), ("notes/a b.md", 0), ("notes/a b.md", 1), ("notes/a b.md", 3),
        ("notes/b.md", 7),
    ]


def test_text_exact(report: Report) -> None:
    assert render("text", report) == (
        "mkdeck.yaml:2: MKD001 an info\n"
        "notes/a b.md:0: MKD502 whole file\n"
        "notes/a b.md:1: MKD501 mojibake\n"
        "notes/a b.md:3:5: MKD001 boom, it said: x\\ny 100%\n"
        "notes/b.md:7: MKD001 second error\n"
    )
    assert render("text", _report(())) == ""


def test_text_colour_only_when_asked(report: Report) -> None:
    plain = render("text", report)
    coloured = render("text", report, color=True)
    assert "\x1b[" not in plain
    line = format_line(report.diagnostics[3], color=True)
    assert line == ("\x1b[1mnotes/a b.md:3:5\x1b[0m: \x1b[1;31mMKD001\x1b[0m "
                    "boom, it said: x\\ny 100%")
    assert "\x1b[1;33mMKD501" in coloured and "\x1b[1;36mMKD001" in coloured
    # stripping the SGR codes gives the plain text back
    import re

    assert re.sub(r"\x1b\[[0-9;]*m", "", coloured) == plain


def test_json_same_entries_as_dump(report: Report) -> None:
    doc = json.loads(render("json", report))
    assert list(doc) == ["diagnostics"]
    assert doc["diagnostics"][3] == {
        "path": "notes/a b.md", "line": 3, "column": 5, "code": "MKD001",
        "severity": "error", "message": "boom, it said: x\ny 100%",
    }
    assert doc["diagnostics"] == [d.to_dict() for d in report.diagnostics]
    assert "column" not in doc["diagnostics"][0]


def test_github_escaping() -> None:
    assert escape_data("a%b\r\nc:d,e") == "a%25b%0D%0Ac:d,e"
    assert escape_property("a%b\r\nc:d,e") == "a%25b%0D%0Ac%3Ad%2Ce"
    d = diag("dir,x/a:b.md", 3, "MKD501", W, "50% off\nnext line", col=2)
    assert format_annotation(d, code_table()) == (
        "::warning file=dir%2Cx/a%3Ab.md,line=3,col=2,"
        f"title=MKD501 {escape_property(codes.REGISTRY['MKD501'].title)}"
        "::50%25 off%0Anext line"
    )


def test_github_lines(report: Report) -> None:
    lines = render("github", report).splitlines()
    assert lines[0] == "::notice file=mkdeck.yaml,line=2,title=MKD001 internal error::an info"
    assert lines[1] == ("::error file=notes/a b.md,title=MKD502 CRLF line endings hide blocks from "
                        "the Obsidian plugin::whole file")
    assert lines[3].startswith("::error file=notes/a b.md,line=3,col=5,title=MKD001 ")
    assert lines[3].endswith("::boom, it said: x%0Ay 100%25")
    assert len(lines) == len(report.diagnostics)


def test_junit_counts(report: Report) -> None:
    root = ET.fromstring(render("junit", report).encode("utf-8"))
    assert root.tag == "testsuites"
    suite = root.find("testsuite")
    assert suite is not None
    cases = {c.get("name"): c for c in suite.findall("testcase")}
    # one case per file with notes or findings; notes/empty.md has neither
    assert sorted(cases) == ["mkdeck.yaml", "notes/a b.md", "notes/b.md", "notes/c.md"]
    assert suite.get("tests") == root.get("tests") == "4"
    # failing cases: a b.md (2 errors) and b.md (1 error); mkdeck.yaml has only an info
    assert suite.get("failures") == root.get("failures") == "2"
    assert suite.get("errors") == "0" and suite.get("skipped") == "0"
    failures = cases["notes/a b.md"].findall("failure")
    assert [f.get("type") for f in failures] == ["MKD502", "MKD001"]
    assert failures[1].get("message") == "notes/a b.md:3:5: MKD001 boom, it said: x\ny 100%"
    assert "Fix: " + codes.INTERNAL_ERROR.fix in (failures[1].text or "")
    assert len(cases["notes/b.md"].findall("failure")) == 1
    out = cases["notes/a b.md"].findtext("system-out")
    assert out == "2 notes\nnotes/a b.md:1: MKD501 mojibake\n"
    assert cases["notes/c.md"].findall("failure") == []
    assert cases["notes/c.md"].findtext("system-out") == "3 notes\n"
    assert cases["mkdeck.yaml"].findtext("system-out") == "mkdeck.yaml:2: MKD001 an info\n"
    total_failures = sum(len(c.findall("failure")) for c in cases.values())
    assert total_failures == report.count(E)


def test_junit_survives_control_characters() -> None:
    r = _report((diag("a.md", 1, "MKD001", E, "bad \x00\x1b[31m byte"),), (FileSummary("a.md", 1),))
    root = ET.fromstring(render("junit", r).encode("utf-8"))
    assert root.find("testsuite/testcase/failure").get("message") == "a.md:1: MKD001 bad [31m byte"


def test_summary_line(report: Report) -> None:
    assert summary_line(report) == "3 errors, 1 warning, 1 info finding in 4 files"
    assert summary_line(_report((), (FileSummary("a.md", 1),))) == "no findings in 1 file"


@pytest.mark.parametrize("name", FORMAT_NAMES)
def test_every_format_ends_with_newline_and_handles_empty(name: str, report: Report) -> None:
    assert render(name, report).endswith("\n")
    render(name, _report(()))
