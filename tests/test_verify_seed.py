"""The user's seed note: ``mkdeck verify`` gives exactly one verdict for each of the 12
statements of the card's Back (seed lines 25, 26, 29-32, 36-41), all verified with measured
evidence; the text and JSON interfaces; 20 repeated runs give identical verdicts."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest

from mkdeck.cli import main
from tests.conftest import SEED

SEED_LINES = [25, 26, 29, 30, 31, 32, 36, 37, 38, 39, 40, 41]
SEED_CHECKS = [
    "clone.upgraded-fork", "clone.controls-sharing", "clone.fs-shared", "clone.vm-shared",
    "clone.sighand-shared", "clone.files-shared", "fork.duplicates-caller",
    "fork.child-own-pid-separate-memory", "fork.returns-child-pid", "fork.knows-ppid",
    "exec.fork-exec-replaces-image", "fork.copy-on-write",
]


@pytest.fixture
def seed_vault(make_vault) -> Path:
    return make_vault({"li clone.md": SEED.read_bytes()})


def _verify(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    status = main(["verify", *argv], stdout=out, stderr=err)
    return status, out.getvalue(), err.getvalue()


def test_seed_gives_twelve_verified_claims_with_evidence(seed_vault: Path) -> None:
    status, out, err = _verify(str(seed_vault), "--format", "json")
    assert status == 0, err
    data = json.loads(out)
    claims = data["claims"]
    assert [c["line"] for c in claims] == SEED_LINES
    assert [c["check"] for c in claims] == SEED_CHECKS
    assert {c["verdict"] for c in claims} == {"verified"}
    assert {c["path"] for c in claims} == {"li clone.md"}
    assert {c["card_line"] for c in claims} == {17}
    assert data["unchecked"] == []
    assert data["summary"] == {"verified": 12, "refuted": 0, "inconclusive": 0,
                               "host-dependent": 0, "skipped": 0, "unchecked": 0}
    seed_lines = SEED.read_text(encoding="utf-8").split("\n")
    for c in claims:
        # the statement's own text, wikilinks reduced to their display text
        assert "[[" not in c["text"]
        assert c["text"].split()[-1].strip(".`") in seed_lines[c["line"] - 1]
        assert c["ms"] > 0
        facts = c["evidence"]["facts"]
        assert facts and all(f["valid"] is True and "measured" in f for f in facts.values())
    by_check = {c["check"]: c["evidence"]["facts"] for c in claims}
    files = by_check["clone.files-shared"]["clone.shares.CLONE_FILES.files"]
    assert files["shared_with_flag"] is True and files["shared_without_flag"] is False
    if data["host"]["cc"]:
        assert files["cross_check"] == "clone-py agrees"  # C and Python implementations
    ret = by_check["fork.returns-child-pid"]["fork.returns_child_pid"]
    assert ret["parent_got"] == ret["child_getpid"] != ret["parent_pid"]
    exec_ = by_check["exec.fork-exec-replaces-image"]["exec.replaces_image"]
    assert exec_["comm_before"] != exec_["comm_after"] == "cat"
    cow = by_check["fork.copy-on-write"]["cow.copy_on_write"]
    assert cow["at_fork_private_dirty_kb"] < cow["region_kib"] // 20
    assert cow["minflt_write"] > 10 * max(cow["minflt_read"], cow["minflt_idle"], 1)


def test_json_host_and_shape(seed_vault: Path) -> None:
    _, out, _ = _verify(str(seed_vault), "--format", "json")
    data = json.loads(out)
    assert {"host", "claims", "unchecked", "summary"} <= set(data)
    host = data["host"]
    assert {"kernel", "arch", "uid", "cc", "strace"} <= set(host)
    assert host["isolation"]["subreaper"] is True
    for claim in data["claims"]:
        # issue 5's keys, plus the reason and the typed slots read (issue 11)
        assert set(claim) == {"path", "line", "card_line", "text", "check", "verdict",
                              "evidence", "ms", "reason", "slots"}


def test_text_output_one_line_per_claim(seed_vault: Path) -> None:
    status, out, _ = _verify(str(seed_vault))
    assert status == 0
    lines = out.splitlines()
    claim_lines = [ln for ln in lines if re.match(r"^li clone\.md:\d+: VERIFIED ", ln)]
    assert [int(ln.split(":")[1]) for ln in claim_lines] == SEED_LINES
    assert claim_lines[4] == ("li clone.md:31: VERIFIED clone.sighand-shared: "
                              "`CLONE_SIGHAND` Signal handlers are shared")
    assert lines[-1] == ("12 verified, 0 refuted, 0 inconclusive, 0 host-dependent, 0 skipped, "
                         "0 unchecked")


def test_a_false_seed_line_is_refuted_with_evidence_and_exit_1(make_vault) -> None:
    text = SEED.read_text(encoding="utf-8").replace(
        "- `CLONE_FILES` The set of open files is shared\n\n\n## [[li fork|fork]]",
        "- `CLONE_FILES` The set of open files is copied\n\n\n## [[li fork|fork]]")
    root = make_vault({"li clone.md": text})
    status, out, _ = _verify(str(root))
    assert status == 1
    lines = out.splitlines()
    i = lines.index("li clone.md:32: REFUTED clone.files-shared: "
                    "`CLONE_FILES` The set of open files is copied")
    assert lines[i + 1] == ("    reason: measured clone.shares.CLONE_FILES.files = True; the "
                            "statement says not True")
    assert lines[i + 2] == ("    what holds: CLONE_FILES: they share the table of open file "
                            "descriptors")
    assert "clone.shares.CLONE_FILES.files" in lines[i + 3]
    assert '"measured": true' in lines[i + 3]
    assert lines[-1].startswith("11 verified, 1 refuted")


def test_twenty_runs_give_identical_verdicts(seed_vault: Path) -> None:
    seen = set()
    for _ in range(20):
        status, out, _ = _verify(str(seed_vault), "--format", "json")
        data = json.loads(out)
        seen.add(tuple((c["line"], c["check"], c["verdict"]) for c in data["claims"]))
        assert status == 0
    assert len(seen) == 1
    assert len(next(iter(seen))) == 12


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    assert _verify(str(tmp_path / "missing"))[0] == 2
    assert _verify(str(tmp_path), "--jobs", "0")[0] == 2
    assert _verify(str(tmp_path), "--format", "xml")[0] == 2


def test_a_card_that_cannot_be_read_is_reported_and_fails(make_vault) -> None:
    """Found by trying mkdeck as a user: a vault whose cards did not parse printed
    '0 verified, …' and exited 0, as if everything had been checked."""
    root = make_vault({"a.md": "START\nBasik\n`fork()` returns the child's PID\nEND\n"})
    out, err = io.StringIO(), io.StringIO()
    status = main(["verify", str(root)], stdout=out, stderr=err)
    assert status == 1
    assert err.getvalue().startswith("a.md:2: MKD103 ")
    assert out.getvalue().splitlines()[-1] == (
        "0 verified, 0 refuted, 0 inconclusive, 0 host-dependent, 0 skipped, 0 unchecked")
