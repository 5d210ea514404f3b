"""`mkdeck verify --explain PATH:LINE` as the README writes it, found by a new-user trial:
alone it said only "PATH is required" (exit 2), and a line without a statement said "no
statement at …" without saying where the note's statements are."""

from __future__ import annotations

import io
import os
from pathlib import Path

from mkdeck.cli import main

CARD = ("# Anki\n\nSTART\nBasic\nfork\nBack:\n"
        "- fork() returns the PID of the child to the parent\nEND\n")


def _run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    status = main(list(argv), stdout=out, stderr=err)
    return status, out.getvalue(), err.getvalue()


def test_explain_alone_verifies_the_note_it_names(make_vault) -> None:
    root = make_vault({"li fork.md": CARD})
    status, out, err = _run("verify", "--explain", f"{root / 'li fork.md'}:7")
    assert status == 0, err
    assert out.splitlines()[0] == "li fork.md:7: fork() returns the PID of the child to the parent"
    assert "check: fork.returns-child-pid" in out
    assert out.rstrip().endswith("verdict: verified")


def test_explain_alone_with_a_path_relative_to_the_current_folder(make_vault) -> None:
    root = make_vault({"li fork.md": CARD})
    cwd = Path.cwd()
    os.chdir(root)
    try:
        status, out, err = _run("verify", "--explain", "li fork.md:7")
    finally:
        os.chdir(cwd)
    assert status == 0, err
    assert out.rstrip().endswith("verdict: verified")


def test_a_line_without_statement_names_the_lines_that_have_one(make_vault) -> None:
    root = make_vault({"li fork.md": CARD})
    status, out, err = _run("verify", str(root), "--explain", "li fork.md:5")
    assert (status, out) == (2, "")
    assert err == ("mkdeck verify: no statement at li fork.md:5: the statements of li fork.md "
                   "are at line 7 (mkdeck verify lists them)\n")


def test_a_note_without_statements_is_said(make_vault) -> None:
    root = make_vault({"li fork.md": CARD})
    status, out, err = _run("verify", str(root), "--explain", "li vfork.md:7")
    assert (status, out) == (2, "")
    assert err == ("mkdeck verify: no statement at li vfork.md:7: 'li vfork.md' is no note with "
                   "statements among those read; give its path as mkdeck verify lists it "
                   "(relative to the vault)\n")


def test_without_path_and_explain_the_error_says_what_to_give() -> None:
    status, out, err = _run("verify")
    assert (status, out) == (2, "")
    assert err == ("mkdeck verify: error: PATH is required: the vault or notes to verify, "
                   "e.g. mkdeck verify notes/\n")
