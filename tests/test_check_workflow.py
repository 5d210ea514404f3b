"""``examples/github-workflow.yml`` is a valid workflow whose ``mkdeck`` steps work: each
``run:`` script that calls mkdeck is run with bash on a copy of the broken example vault, as
the runner would (``VAULT`` from the job's env)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
WORKFLOW = ROOT / "examples" / "github-workflow.yml"


def load() -> dict:
    doc = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    # YAML 1.1 reads the key `on` as True
    assert doc.get("on", doc.get(True)) == {"push": None, "pull_request": None}
    return doc


def test_workflow_shape() -> None:
    doc = load()
    job = doc["jobs"]["check"]
    assert job["runs-on"] == "ubuntu-latest"
    assert job["permissions"]["security-events"] == "write"
    uses = [s["uses"].split("@")[0] for s in job["steps"] if "uses" in s]
    assert uses == ["actions/checkout", "actions/setup-python", "github/codeql-action/upload-sarif",
                    "actions/upload-artifact", "actions/upload-artifact"]
    preview = next(s for s in job["steps"] if s.get("name") == "Publish the card preview")
    assert preview["with"] == {"name": "mkdeck-preview",
                               "path": "${{ runner.temp }}/mkdeck-preview"}
    upload = next(s for s in job["steps"] if s.get("uses", "").startswith("github/codeql"))
    assert upload["with"]["sarif_file"] == "mkdeck.sarif" and upload["if"] == "always()"


def test_workflow_mkdeck_steps_run(tmp_path: Path) -> None:
    job = load()["jobs"]["check"]
    repo = tmp_path / "repo"
    shutil.copytree(ROOT / "examples" / "broken-vault", repo / job["env"]["VAULT"])
    runner_temp = tmp_path / "runner-temp"
    runner_temp.mkdir()
    env = {**os.environ, **{k: str(v) for k, v in job["env"].items()},
           "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
           "RUNNER_TEMP": str(runner_temp), "GITHUB_SERVER_URL": "https://github.com",
           "GITHUB_REPOSITORY": "owner/vault", "GITHUB_SHA": "0123abc"}
    steps = {s["name"]: s["run"] for s in job["steps"] if "mkdeck" in s.get("run", "")
             and "pip install" not in s["run"]}
    assert sorted(steps) == ["Check the vault",
                             "Write SARIF and JUnit reports and the card preview"]

    def bash(script: str) -> subprocess.CompletedProcess[str]:
        # GitHub runs `run:` with `bash -e {0}`
        return subprocess.run(["bash", "-e", "-c", script], cwd=repo, env=env,
                              capture_output=True, text=True, timeout=120)

    check = bash(steps["Check the vault"])
    assert check.returncode == 1  # the broken vault has error findings: the job fails
    lines = check.stdout.splitlines()
    assert lines and all(line.startswith(("::error ", "::warning ")) for line in lines)
    first = "::error file=notes/unclosed-block.md,line=1,title=MKD101 START without END::"
    assert first in check.stdout

    reports = bash(steps["Write SARIF and JUnit reports and the card preview"])
    assert reports.returncode == 0, reports.stderr
    sarif = json.loads((repo / "mkdeck.sarif").read_text(encoding="utf-8"))
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            for r in sarif["runs"][0]["results"]}
    assert "notes/crlf.md" in uris  # paths relative to the repository root, as GitHub needs
    junit = ET.parse(repo / "mkdeck-junit.xml").getroot()
    assert junit.get("failures") == "5"
    page = (runner_temp / "mkdeck-preview" / "index.html").read_text(encoding="utf-8")
    assert page.count('<article class="mkdeck-card"') > 5
    # each card links to its line in the repository, at the commit
    assert 'href="https://github.com/owner/vault/blob/0123abc/notes/fork.md#L' in page


def test_install_step_refuses_the_unrelated_pypi_name(tmp_path: Path) -> None:
    """Found by a new-user trial: `pip install mkdeck` installs an unrelated PyPI project of
    that name, so the workflow makes the user name mkdeck's repository."""
    job = load()["jobs"]["check"]
    install = next(s["run"] for s in job["steps"] if s.get("name") == "Install mkdeck")
    for value in ("", "mkdeck"):
        env = {**os.environ, "MKDECK": value}
        done = subprocess.run(["bash", "-e", "-c", install], cwd=tmp_path, env=env,
                              capture_output=True, text=True, timeout=60)
        assert done.returncode == 1
        assert done.stdout.startswith("::error title=mkdeck::set MKDECK")
