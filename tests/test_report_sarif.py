"""SARIF output validates against the OASIS SARIF 2.1.0 schema shipped in tests/data
(provenance: tests/data/sarif-schema-2.1.0.SOURCE.txt) and points each result at its rule."""

from __future__ import annotations

import functools
import json
import urllib.parse
from pathlib import Path

import jsonschema
import pytest

from mkdeck import codes
from mkdeck.app.codes import all_codes
from mkdeck.model import Diagnostic, Severity, SourceLocation
from mkdeck.app.codes import code_table
from mkdeck.report import FileSummary, Report, render, sorted_diagnostics
from mkdeck.report.sarif import file_uri

# every registered code, as the CLI passes them
_report = functools.partial(Report, codes=code_table())

SCHEMA = Path(__file__).parent / "data" / "sarif-schema-2.1.0.json"


@pytest.fixture(scope="module")
def validator() -> jsonschema.protocols.Validator:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    assert schema["$schema"] == "http://json-schema.org/draft-04/schema#"
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


def validate_sarif(validator: jsonschema.protocols.Validator, doc: dict) -> None:
    errors = sorted(validator.iter_errors(doc), key=lambda e: list(e.absolute_path))
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors)


def test_schema_rejects_broken_sarif(validator) -> None:
    # the validator really validates: a level SARIF does not know fails
    doc = json.loads(render("sarif", _report((
        Diagnostic("MKD001", Severity.ERROR, SourceLocation("a.md", 1), "x"),))))
    doc["runs"][0]["results"][0]["level"] = "fatal"
    assert list(validator.iter_errors(doc))


def test_sarif_valid_and_linked(validator) -> None:
    findings = sorted_diagnostics([
        Diagnostic("MKD501", Severity.WARNING, SourceLocation("sub/li clone.md", 40, 21),
                   "mojibake: 'forkâ€“exec' should read 'fork–exec'"),
        Diagnostic("MKD001", Severity.ERROR, SourceLocation("a.md", 0), "crashed"),
        Diagnostic("MKD502", Severity.INFO, SourceLocation("b#c.md", 3), "info"),
        Diagnostic("MKD999", Severity.WARNING, SourceLocation("c.md", 1), "unregistered"),
    ])
    doc = json.loads(render("sarif", _report(findings, (FileSummary("a.md", 1),))))
    validate_sarif(validator, doc)
    assert doc["version"] == "2.1.0"
    run = doc["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == [c.code for c in all_codes()] + ["MKD999"]
    for rule in rules[:-1]:
        entry = codes.REGISTRY[rule["id"]]
        assert rule["shortDescription"]["text"] == entry.title
        assert rule["help"]["text"].startswith(entry.fix)
    results = run["results"]
    assert len(results) == 4
    for res in results:
        assert rules[res["ruleIndex"]]["id"] == res["ruleId"]
    by_rule = {r["ruleId"]: r for r in results}
    loc = by_rule["MKD501"]["locations"][0]["physicalLocation"]
    assert loc["artifactLocation"]["uri"] == "sub/li%20clone.md"
    assert loc["region"] == {"startLine": 40, "startColumn": 21}
    assert "region" not in by_rule["MKD001"]["locations"][0]["physicalLocation"]
    assert by_rule["MKD502"]["level"] == "note"
    artifact = by_rule["MKD502"]["locations"][0]["physicalLocation"]["artifactLocation"]
    assert artifact["uri"] == "b%23c.md"


def test_file_uri_round_trips() -> None:
    for path in ["a.md", "sub/li clone.md", "čeština/100% ?.md", "b#c.md"]:
        uri = file_uri(path)
        assert " " not in uri and "#" not in uri and "?" not in uri
        assert urllib.parse.unquote(uri) == path


def test_empty_sarif_valid(validator) -> None:
    validate_sarif(validator, json.loads(render("sarif", _report(()))))
