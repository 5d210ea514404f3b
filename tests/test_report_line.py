"""The one text line of a finding (``mkdeck.report.text.format_line``): every command prints
findings through it, so a message with a newline stays one line everywhere."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from mkdeck.model import Diagnostic, Severity, SourceLocation
from mkdeck.report.text import format_line

TWO_LINES = Diagnostic("MKD020", Severity.ERROR, SourceLocation("mkdeck.yaml", 2, 7),
                       "not valid YAML:\r\n  expected ']'\nfix it")


def test_newlines_are_escaped_and_column_is_optional() -> None:
    assert format_line(TWO_LINES) == (
        "mkdeck.yaml:2:7: MKD020 not valid YAML:\\r\\n  expected ']'\\nfix it")
    assert format_line(TWO_LINES, column=False) == (
        "mkdeck.yaml:2: MKD020 not valid YAML:\\r\\n  expected ']'\\nfix it")
    plain = Diagnostic("MKD101", Severity.WARNING, SourceLocation("a.md", 3), "one line")
    assert format_line(plain) == format_line(plain, column=False) == "a.md:3: MKD101 one line"


def test_build_prints_a_multiline_message_on_one_line(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import mkdeck.app.build
    from mkdeck.cli import main

    def fake_build(paths, out, **kwargs):
        return mkdeck.app.build.BuildOutcome(out=str(out), written=True, notes=1, cards=1,
                                             decks=1, diagnostics=(TWO_LINES,))

    monkeypatch.setattr(mkdeck.app.build, "build", fake_build)
    (tmp_path / "a.md").write_text("x\n", encoding="utf-8")
    err = io.StringIO()
    status = main(["build", str(tmp_path), "-o", str(tmp_path / "d.apkg")],
                  stdout=io.StringIO(), stderr=err)
    assert status == 1
    assert err.getvalue().splitlines()[0] == (
        "mkdeck.yaml:2: MKD020 not valid YAML:\\r\\n  expected ']'\\nfix it")
