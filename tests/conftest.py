"""Shared fixtures. Tests never read ../shared: the corpus and the seed are copied byte-exact
into tests/data/. (The one exception: the tests against the Anki desktop app run the
AnkiConnect add-on and its runner from ../shared/anki-connect; see anki_desktop.py.)"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from anki_desktop import anki_desktop  # noqa: F401 - one Anki desktop per session

DATA = Path(__file__).parent / "data"
CORPUS = DATA / "corpus"
SEED = DATA / "seed" / "li clone.md"


def write_vault(root: Path, files: dict[str, str | bytes], mtime: int | None = None) -> Path:
    """Write ``{relative path: content}`` under ``root`` (str is written as UTF-8 bytes,
    exactly: no newline translation) and return ``root``. With ``mtime``, every file gets
    that modification time (``os.utime``)."""
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        data = content.encode("utf-8") if isinstance(content, str) else content
        path.write_bytes(data)
        if mtime is not None:
            os.utime(path, (mtime, mtime))
    return root


UPDATE_GOLDEN = os.environ.get("MKDECK_UPDATE_GOLDEN") == "1"


def assert_golden(path: Path, text: str) -> None:
    """``text`` equals the golden file ``path`` (UTF-8, LF). With ``MKDECK_UPDATE_GOLDEN=1``
    the file is (re)written first: review the diff before committing it. A missing golden
    file fails (python-frontmatter's rule: no silent pass)."""
    if UPDATE_GOLDEN:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8", newline="\n")
    assert path.is_file(), f"golden file {path} is missing: run with MKDECK_UPDATE_GOLDEN=1"
    assert text == path.read_text(encoding="utf-8")


TIMING_ATTEMPTS = 3


def verify_json(path: Path | str, attempts: int = TIMING_ATTEMPTS) -> dict:
    """``mkdeck verify PATH --format json``, as data (plus ``_status`` and ``_stderr``).

    A verdict that rests on a timing-based probe (``ProbeSpec.timing``: CPU shares, how long a
    call takes) may be inconclusive when the machine is loaded (``pytest -n 2`` beside other
    work); such a run is repeated, up to ``attempts`` runs. Only inconclusive timing verdicts
    are retried: a wrong verdict is never retried away, and nothing else is."""
    import io
    import json

    from mkdeck.cli import main
    from mkdeck.verify.probeset import PROBES

    timing = {p.name for p in PROBES if p.timing}
    for _ in range(attempts):
        out, err = io.StringIO(), io.StringIO()
        status = main(["verify", str(path), "--format", "json"], stdout=out, stderr=err)
        data = json.loads(out.getvalue())
        data["_status"], data["_stderr"] = status, err.getvalue()
        if not any(c["verdict"] == "inconclusive"
                   and timing & set(str(c["evidence"].get("probe") or "").split(", "))
                   for c in data["claims"]):
            break
    return data


@pytest.fixture
def make_vault(tmp_path: Path):
    """``make_vault({"a.md": "...", "mkdeck.yaml": "..."}) -> Path`` in a fresh temp folder."""

    def _make(files: dict[str, str | bytes], name: str = "vault", mtime: int | None = None) -> Path:
        return write_vault(tmp_path / name, files, mtime)

    return _make


@pytest.fixture(autouse=True, scope="session")
def _isolated_build_cache(tmp_path_factory: pytest.TempPathFactory):
    """Builds in tests cache under a temp ``$XDG_CACHE_HOME`` and pushes record under a temp
    ``$XDG_STATE_HOME``, never the user's."""
    olds = {name: os.environ.get(name) for name in ("XDG_CACHE_HOME", "XDG_STATE_HOME")}
    os.environ["XDG_CACHE_HOME"] = str(tmp_path_factory.mktemp("xdg-cache"))
    os.environ["XDG_STATE_HOME"] = str(tmp_path_factory.mktemp("xdg-state"))
    yield
    for name, old in olds.items():
        if old is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = old
