"""The checks ``cards/`` added to the catalogue (``verify/catalogue/cards_linux.yaml``): each
proves its true statements and refutes false variants on the live kernel, and none of them
takes a statement away from the core check that says only half of it."""

from __future__ import annotations

import io
import json

import pytest

from mkdeck.cli import main
from mkdeck.verify.catalogue import CATALOGUE_DIR, load_catalogue

OURS = ("clone.thread-requires-sighand", "exec.keeps-pid-and-ppid",
        "wait.zombie-until-wait-then-gone")

# statement -> (check id that must judge it, verdict)
CASES = {
    "`CLONE_THREAD` requires `CLONE_SIGHAND`": ("clone.thread-requires-sighand", "verified"),
    "without `CLONE_SIGHAND`, clone() with `CLONE_THREAD` fails with EINVAL":
        ("clone.thread-requires-sighand", "verified"),
    "`CLONE_THREAD` works without `CLONE_SIGHAND`": ("clone.thread-requires-sighand", "refuted"),
    "`CLONE_THREAD` does not need `CLONE_SIGHAND`": ("clone.thread-requires-sighand", "refuted"),
    "execve() keeps the PID and the parent PID": ("exec.keeps-pid-and-ppid", "verified"),
    "after execve() the PID is unchanged, and the PPID stays the same":
        ("exec.keeps-pid-and-ppid", "verified"),
    "execve() keeps the PID, but the parent PID changes": ("exec.keeps-pid-and-ppid", "refuted"),
    "execve() gives a new PID and a new parent PID": ("exec.keeps-pid-and-ppid", "refuted"),
    "a dead child stays a zombie until wait(); after waitpid() the zombie is gone":
        ("wait.zombie-until-wait-then-gone", "verified"),
    "a dead child stays a zombie until wait(); after waitpid() the zombie is not gone":
        ("wait.zombie-until-wait-then-gone", "refuted"),
    "a dead child leaves no zombie until wait(); after waitpid() the zombie is removed":
        ("wait.zombie-until-wait-then-gone", "refuted"),
    # half statements stay with the core checks
    "execve() keeps the PID": ("exec.keeps-pid", "verified"),
    "a dead child stays a zombie until its parent calls wait()": ("wait.zombie-until-wait",
                                                                  "verified"),
    "`CLONE_SIGHAND` requires `CLONE_VM`": ("clone.sighand-requires-vm", "verified"),
}


def test_our_checks_load_with_the_core_catalogue() -> None:
    catalogue = load_catalogue()
    assert "cards_linux.yaml" in catalogue.files and "core.yaml" in catalogue.files
    for check_id in OURS:
        check = catalogue.check(check_id)
        assert check is not None and check.source == "cards_linux.yaml"
    assert {c.id for c in catalogue.checks if c.source == "cards_linux.yaml"} == set(OURS)
    ours_with_core = load_catalogue([CATALOGUE_DIR / "cards_linux.yaml",
                                     CATALOGUE_DIR / "core.yaml"])
    assert set(OURS) <= {c.id for c in ours_with_core.checks}
    # other catalogue files (lifecycle.yaml, ...) add self-tests of their own: count ours
    ours_tests = {t.text for t in ours_with_core.selftests} - {
        t.text for t in load_catalogue([CATALOGUE_DIR / "core.yaml"]).selftests}
    assert len(ours_tests) == 6


@pytest.fixture(scope="module")
def verdicts(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict]:
    root = tmp_path_factory.mktemp("vault")
    body = "\n".join(f"- {text}" for text in CASES)
    (root / "claims.md").write_text(
        f"# Anki\n\nSTART\nBasic\nWhat do clone, execve and wait do?\nBack:\n{body}\nEND\n",
        encoding="utf-8",
    )
    out, err = io.StringIO(), io.StringIO()
    main(["verify", str(root), "--format", "json"], stdout=out, stderr=err)
    report = json.loads(out.getvalue())
    assert all(p["ok"] for p in report["probes"]), report["probes"]
    return {c["text"]: c for c in report["claims"]}


@pytest.mark.parametrize("text", sorted(CASES))
def test_statement_gets_its_check_and_verdict(verdicts: dict[str, dict], text: str) -> None:
    check, verdict = CASES[text]
    claim = verdicts.get(text)
    assert claim is not None, f"no claim for {text!r}: {sorted(verdicts)}"
    assert (claim["check"], claim["verdict"]) == (check, verdict), claim["evidence"]
