"""docs/codes.md documents every registered code and is not stale."""

from __future__ import annotations

import re
from pathlib import Path

from mkdeck import codes
from mkdeck.app.codes import all_codes
from mkdeck.report import fenced
from mkdeck.cli.docs import main
from mkdeck.report.docs import DEFAULT_PATH, generate
from mkdeck.report.examples import NO_EXAMPLE, examples_for

DOC = Path(__file__).resolve().parents[1] / "docs" / "codes.md"


def test_default_path_is_the_repository_page() -> None:
    assert DEFAULT_PATH == DOC


def test_codes_page_is_current() -> None:
    assert DOC.exists(), "docs/codes.md is missing: run python -m mkdeck.cli.docs"
    assert DOC.read_text(encoding="utf-8") == generate(all_codes()), (
        "docs/codes.md is stale: run python -m mkdeck.cli.docs"
    )


def test_every_code_has_a_section_severity_and_fix() -> None:
    text = generate(all_codes())
    for c in all_codes():
        assert f"| [{c.code}](#{c.code.lower()}) | {c.severity.value} |" in text
        section = text.split(f"### {c.code}\n", 1)[1].split("\n### ", 1)[0]
        assert f"severity: {c.severity.value}" in section
        assert c.fix and f"Fix: {c.fix}" in section
        bad, good = examples_for(c)
        if bad:
            assert fenced(bad) in section
        if good:
            assert fenced(good) in section
        if not (bad and good):
            assert c.code in NO_EXAMPLE, f"{c.code} has no bad/good example and no reason"
            assert f"(No example: this finding is about {NO_EXAMPLE[c.code]}.)" in section


def test_check_codes_have_examples() -> None:
    mine = [c for c in all_codes() if c.code.startswith("MKD5")]
    assert mine
    for c in mine:
        assert c.bad and c.good, f"{c.code} needs a bad and a good example"


def test_fence_outlasts_backticks() -> None:
    block = fenced("```c\nint x;\n```")
    assert block.startswith("````markdown\n") and block.endswith("\n````")
    assert re.fullmatch(r"```markdown\nx\n```", fenced("x"))


def test_check_mode(tmp_path: Path) -> None:
    page = tmp_path / "codes.md"
    assert main([str(page), "--check"]) == 1
    assert main([str(page)]) == 0
    assert page.read_text(encoding="utf-8") == generate(all_codes())
    assert main([str(page), "--check"]) == 0


def test_all_codes_finds_every_registered_code() -> None:
    # every register("MKDnnn", ...) in the sources is listed by all_codes() in a fresh
    # process, whatever was imported before (lazily loaded modules included)
    import subprocess
    import sys

    src = Path(__file__).resolve().parents[1] / "src" / "mkdeck"
    written = set()
    for path in src.rglob("*.py"):
        written |= set(re.findall(r'register\(\s*"(MKD\d{3})"', path.read_text(encoding="utf-8")))
    listed = subprocess.run(
        [sys.executable, "-c",
         "from mkdeck.app.codes import all_codes; print(' '.join(c.code for c in all_codes()))"],
        capture_output=True, text=True, check=True,
    ).stdout.split()
    assert written <= set(listed), f"not found by all_codes(): {sorted(written - set(listed))}"
