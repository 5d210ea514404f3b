"""A misspelt command (found by a new-user trial: `mkdeck biuld cards -o x.apkg` said only
"biuld: no such file or folder", as if the vault were missing) is named, with the command it
looks like; a real folder of that name is still a vault."""

from __future__ import annotations

import io
import os

from mkdeck.cli import main


def _run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    status = main(list(argv), stdout=out, stderr=err)
    return status, out.getvalue(), err.getvalue()


def test_a_misspelt_command_is_named_with_the_command_it_looks_like(tmp_path) -> None:
    status, out, err = _run("biuld", str(tmp_path), "-o", str(tmp_path / "x.apkg"))
    assert (status, out) == (2, "")
    assert err == ("mkdeck: 'biuld' is neither a command nor a file or folder: did you mean "
                   "`mkdeck build`? (commands: build, dump, ids, verify, check, preview, forget, "
                   "push, watch)\n")
    assert not (tmp_path / "x.apkg").exists()
    assert _run("verfy", str(tmp_path))[2].startswith(
        "mkdeck: 'verfy' is neither a command nor a file or folder: did you mean `mkdeck verify`?")


def test_a_folder_named_like_a_command_is_a_vault(make_vault, tmp_path) -> None:
    make_vault({"n.md": "START\nBasic\nq\nBack: a\nEND\n"}, name="biuld")
    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        status, _, err = _run("biuld", "-o", str(tmp_path / "x.apkg"))
    finally:
        os.chdir(cwd)
    assert status == 0, err
    assert err.splitlines()[-1].startswith("x.apkg: 1 note, 1 card, ")


def test_a_missing_path_unlike_any_command_is_still_said_missing(tmp_path) -> None:
    status, _, err = _run(str(tmp_path / "notes"), "-o", str(tmp_path / "x.apkg"))
    assert status == 2
    assert err == f"mkdeck build: {tmp_path / 'notes'}: no such file or folder\n"
