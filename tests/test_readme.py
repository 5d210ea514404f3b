"""The README's promises: its test command is exactly what CI runs, and its build command
names a vault that exists in the repository."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _sh_blocks(text: str) -> list[str]:
    return [b.strip() for b in re.findall(r"```sh\n(.*?)```", text, flags=re.S)]


def _block_after(text: str, heading: str) -> str:
    start = text.index(heading)
    return _sh_blocks(text[start:])[0]


def test_ci_runs_exactly_the_readme_test_command() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    command = _block_after(readme, "Set up and run the tests")
    ci_lines = [
        line.strip()
        for line in (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]
    assert command in ci_lines, f"README test command {command!r} is not a line of .ci/run"


def test_readme_build_command_builds_a_vault_that_exists() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    command = _block_after(readme, "Set up and build the shipped")
    match = re.search(r"mkdeck (\S+) -o (\S+\.apkg)", command)
    assert match, command
    assert (ROOT / match.group(1)).is_dir(), f"{match.group(1)} named by the README does not exist"


def _fenced(text: str, lang: str) -> list[str]:
    return re.findall(rf"```{lang}\n(.*?)```", text, flags=re.S)


def test_readme_examples_parse_cleanly(make_vault) -> None:
    """The README's note example and mkdeck.yaml example are real input: they parse into the
    notes they show with no diagnostic at all."""
    from mkdeck.app.load import load

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    (note_example,) = _fenced(readme, "markdown")
    (yaml_example,) = _fenced(readme, "yaml")
    fork = "# li fork\n\n## [[li fork|fork]]\n- returns the child's PID\n"
    vault = make_vault({
        "li readme.md": note_example,
        "li fork.md": fork,
        "mkdeck.yaml": yaml_example,
        "templates/t.md": "START\nBasic\nEND\n",
    })
    result = load([vault])
    assert [d.to_dict() for d in result.diagnostics] == []
    notes = [n for n in result.notes if n.location.path == "li readme.md"]
    assert [(n.note_type.name, n.deck, n.tags, n.id) for n in notes] == [
        ("Basic", "Linux::Processes", ("linux", "syscalls"), 1701613701250),
        ("Basic", "Linux::Processes", ("linux",), None),
        ("Cloze", "Linux::Processes", ("linux",), None),
    ]
    from mkdeck.render import render_notes

    rendered, render_diagnostics = render_notes(result)
    assert [d.to_dict() for d in render_diagnostics] == []
    first = next(r for r in rendered if r.note is notes[0])
    assert "<li>returns the child's PID</li>" in first.html["Back"]


def test_readme_numbers_about_cards_are_true(tmp_path: Path) -> None:
    """The README states how many notes `cards/` holds; a stale number was found by a
    new-user trial, so the numbers are read from the README and checked."""
    from mkdeck.app.load import load

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    match = re.search(r"`cards/` is a vault of (\d+) .*?: (\d+) notes, (\d+) cards", readme, re.S)
    assert match, "README no longer states the cards/ numbers this test checks"
    files, notes, cards = map(int, match.groups())
    result = load([ROOT / "cards"])
    assert len(result.vault.files) == files
    assert len(result.notes) == notes
    import io

    from mkdeck.cli import main

    out, err = io.StringIO(), io.StringIO()
    assert main([str(ROOT / "cards"), "-o", str(tmp_path / "linux.apkg")], out, err) == 0
    summary = (out.getvalue() + err.getvalue()).strip().splitlines()[-1]
    assert summary.startswith(f"linux.apkg: {notes} notes, {cards} cards, "), summary


def _apt_installed(script: str) -> set[str]:
    """The Debian packages every ``apt-get install`` of ``script`` names (continued lines
    joined, options and redirections left out)."""
    joined = script.replace("\\\n", " ")
    names: set[str] = set()
    for m in re.finditer(r"apt-get install ([^\n&|>;]*)", joined):
        names.update(w for w in m.group(1).split() if not w.startswith("-"))
    return names


def test_ci_installs_what_the_suite_needs_on_a_bare_debian() -> None:
    """A new-user trial read `.ci/run` for a fresh Debian 12: it installed only chromium and the
    Qt libraries, but the suite also needs python3-venv (for its own venv command), a C compiler
    with libc headers (the C probe tests skip without one), strace (the thread probe) and git
    (the pre-commit hook's test)."""
    installed = _apt_installed((ROOT / ".ci" / "run").read_text(encoding="utf-8"))
    needed = {"python3", "python3-venv", "gcc", "libc6-dev", "strace", "git", "chromium"}
    assert needed <= installed, f".ci/run does not install {sorted(needed - installed)}"
