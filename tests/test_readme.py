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
