"""Packaging: the distribution name is one PyPI does not give to another project (issue 14:
`pip install mkdeck` installs an unrelated slide-deck tool with the same command), while the
command and the import package stay `mkdeck`."""

from __future__ import annotations

import tomllib
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_distribution_is_mkdeck_anki_with_the_mkdeck_command() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]
    assert project["name"] == "mkdeck-anki"
    assert project["scripts"] == {"mkdeck": "mkdeck.cli:entry_point"}
    # the installed metadata (pip install -e .) says the same
    dist = metadata.distribution("mkdeck-anki")
    scripts = {e.name: e.value for e in dist.entry_points if e.group == "console_scripts"}
    assert scripts == {"mkdeck": "mkdeck.cli:entry_point"}
    assert any(r.startswith("nh3") for r in dist.requires or [])


def test_readme_says_how_to_install_from_the_repository() -> None:
    readme = (ROOT / "README.md").read_text("utf-8")
    assert 'pip install "mkdeck-anki @ git+' in readme
    assert "Not `pip install mkdeck`" in readme
