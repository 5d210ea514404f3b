"""The pre-commit hook (``.pre-commit-hooks.yaml``) runs ``mkdeck check`` in a scratch git
repository through ``pre-commit try-repo``, the way a vault repository would use it.

The hook is ``language: python``: pre-commit builds a virtualenv and pip-installs mkdeck from
this repository (PyPI is needed for mkdeck's dependencies, nothing else). The first run takes
a few seconds with a warm pip cache; both tests share one pre-commit home.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
PRE_COMMIT = Path(sys.executable).with_name("pre-commit")


def test_hook_manifest() -> None:
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    (hook,) = hooks
    assert hook["id"] == "mkdeck-check"
    assert hook["entry"] == "mkdeck check"
    assert hook["types"] == ["markdown"]
    assert hook["require_serial"] is True


@pytest.fixture(scope="module")
def pc_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if not (ROOT / ".git").exists():
        pytest.fail("pre-commit try-repo needs the mkdeck repository to be a git checkout")
    return tmp_path_factory.mktemp("pre-commit-home")


def scratch_repo(path: Path, files: dict[str, bytes]) -> Path:
    path.mkdir()
    for rel, data in files.items():
        (path / rel).parent.mkdir(parents=True, exist_ok=True)
        (path / rel).write_bytes(data)
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.org"}
    subprocess.run(["git", "init", "-q"], cwd=path, check=True, env=env)
    subprocess.run(["git", "add", "-A"], cwd=path, check=True, env=env)
    return path


def try_repo(repo: Path, home: Path, *files: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PRE_COMMIT_HOME": str(home), "GIT_AUTHOR_NAME": "t",
           "GIT_AUTHOR_EMAIL": "t@example.org", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@example.org", "NO_COLOR": "1"}
    env.pop("PRE_COMMIT_COLOR", None)
    return subprocess.run(
        [str(PRE_COMMIT), "try-repo", str(ROOT), "mkdeck-check", "--color", "never",
         "--files", *files],
        cwd=repo, env=env, capture_output=True, text=True, timeout=600,
    )


def test_hook_fails_on_findings_in_the_staged_files(tmp_path: Path, pc_home: Path) -> None:
    broken = ROOT / "examples" / "broken-vault"
    files = {".obsidian/app.json": b"{}\n", "notes.txt": b"not markdown\n"}
    for name in ("fork.md", "duplicate-id-1.md", "duplicate-id-2.md", "crlf.md",
                 "dangling-link.md"):
        files[f"vault/{name}"] = (broken / name).read_bytes()
    repo = scratch_repo(tmp_path / "repo", files)
    proc = try_repo(repo, pc_home, "vault/duplicate-id-2.md", "vault/crlf.md", "notes.txt")
    out = proc.stdout + proc.stderr
    assert proc.returncode == 1, out
    assert "mkdeck check" in out and "Failed" in out
    assert "vault/duplicate-id-2.md:1: MKD301 " in out  # its twin was not staged
    assert "vault/crlf.md:1: MKD502 " in out
    assert "dangling-link.md" not in out  # not staged: not reported
    assert "notes.txt" not in out  # not markdown: not passed


def test_hook_passes_a_clean_vault(tmp_path: Path, pc_home: Path) -> None:
    broken = ROOT / "examples" / "broken-vault"
    repo = scratch_repo(tmp_path / "repo", {
        ".obsidian/app.json": b"{}\n",
        "fork.md": (broken / "fork.md").read_bytes(),
        "attachments/fork-timeline.svg":
            (broken / "attachments" / "fork-timeline.svg").read_bytes(),
    })
    proc = try_repo(repo, pc_home, "fork.md")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Passed" in proc.stdout
