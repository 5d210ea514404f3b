"""Issue 11: "verified" is a proof of the whole statement. Every word is read into a typed slot
or named as not understood, the self-check changes the statement's meaning one word at a
time, every statement is listed, host settings never decide a general statement, and the
labelled statement set (tests/data/verify/labelled.tsv, written independently of the
reader) gets no false statement verified and no true one refuted."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import subprocess
import sys
import zlib
from collections import Counter
from pathlib import Path

import pytest

from mkdeck.cli import main
from mkdeck.model import SourceLocation
from mkdeck.verify.catalogue import default_catalogue
from mkdeck.verify.claims import Statement, plain
from mkdeck.verify.lexicon import fix_spelling, tokenize
from mkdeck.verify.reading import read
from mkdeck.verify.selfcheck import mutants, self_check
from mkdeck.verify.verdict import FactView, judge_plan, plan_statement
from tests.conftest import verify_json

LABELLED = Path(__file__).parent / "data" / "verify" / "labelled.tsv"


def labelled_rows() -> list[dict[str, str]]:
    """The labelled set: ``id, label (true|false), family, mutation, statement, source``."""
    with LABELLED.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE))


def base_id(row_id: str) -> str:
    """The id of the true statement a row belongs to: ``fork-013-negation`` -> ``fork-013``,
    ``getppid-002-role2`` -> ``getppid-002``, ``ext-csc209-98-01`` -> itself."""
    m = re.match(r"^(.+?-\d+)(?:-[a-z_][a-z_0-9]*)*$", row_id)
    return m.group(1) if m else row_id


def held_out(row_id: str) -> bool:
    """Whether a labelled row is in the held-out half: CRC-32 of its base id is odd. A true
    statement and its false twins are always in the same half. Words and frames are tuned on
    the other half only; the benchmark reports both."""
    return zlib.crc32(base_id(row_id).encode("utf-8")) % 2 == 1


def labelled_vault(root: Path) -> dict[int, dict[str, str]]:
    """Write every labelled statement as a list item of one card; returns line -> row."""
    lines = ["# Anki", "", "START", "Basic", "statements", "Back:"]
    where: dict[int, dict[str, str]] = {}
    for row in labelled_rows():
        lines.append(f"- {row['statement']}")
        where[len(lines)] = row
    lines += ["END", ""]
    (root / "labelled.md").write_text("\n".join(lines), encoding="utf-8")
    return where


def confusion(data: dict, where: dict[int, dict[str, str]]) -> Counter[tuple[str, str]]:
    """(label, verdict) -> count; a row with no claim counts as ``missing``."""
    got = {c["line"]: c["verdict"] for c in data["claims"] if c["path"] == "labelled.md"}
    return Counter((row["label"], got.get(line, "missing")) for line, row in where.items())


@pytest.fixture(scope="module")
def labelled(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict, dict[int, dict[str, str]]]:
    root = tmp_path_factory.mktemp("labelled")
    where = labelled_vault(root)
    return verify_json(root), where


def test_labelled_set_no_false_statement_verified_no_true_one_refuted(labelled) -> None:
    data, where = labelled
    got = {c["line"]: c for c in data["claims"] if c["path"] == "labelled.md"}
    wrong = [f"{row['id']} {row['label']} -> {got[line]['verdict']} {got[line]['check']}: "
             f"{row['statement']}"
             for line, row in where.items() if line in got and (
                 (row["label"], got[line]["verdict"]) in (("false", "verified"),
                                                          ("true", "refuted")))]
    assert wrong == [], "\n".join(wrong)
    matrix = confusion(data, where)
    assert matrix[("true", "missing")] == matrix[("false", "missing")] == 0  # nothing silent
    # the reader must keep reading: these floors are below what it reads today (see
    # benchmarks/bench_verify.py for the matrix); a change that reads less fails here
    # (recall2's lifecycle.yaml and recall3's process.yaml together: 243 true verified, 214
    # false refuted as root with a C compiler. The floors leave 3 for the lifecycle probe's
    # timers on a loaded host, and 22 / 20 for facts a host may not give: root for namespaces,
    # set-user-ID files and SCHED_FIFO, CAP_SYS_NICE, cc, two CPUs, /proc/PID/sched)
    assert matrix[("false", "refuted")] >= 191, matrix
    assert matrix[("true", "verified")] >= 218, matrix


def test_every_statement_is_listed_once_with_one_verdict(labelled) -> None:
    data, where = labelled
    lines = [c["line"] for c in data["claims"] if c["path"] == "labelled.md"]
    assert sorted(lines) == sorted(where)
    assert sum(data["summary"].values()) == len(data["claims"])
    assert all(c["reason"] for c in data["claims"] if c["verdict"] == "unchecked")


# ---- reading, without probes ------------------------------------------------------------------

MEASURED = {  # what this kernel measures (the probes' facts), for judging without running them
    "fork.returns_child_pid": True, "fork.returns_zero_in_child": True,
    "fork.child_knows_ppid": True, "fork.returns_minus_one_on_failure": True,
    "pipe.write_blocks_when_full": True, "threads.share_pid": True,
    "fd.offset_shared_after_fork": True,
}


def facts(fact: str) -> FactView:
    if fact in MEASURED:
        return FactView("ok", MEASURED[fact], probe="test", evidence={"valid": True})
    return FactView("skipped", reason="not measured in this test")


def judge(text: str, heading: str | None = None):
    loc = SourceLocation("t.md", 1)
    st = Statement(fix_spelling(plain(text, reading=True)), loc, loc,
                   (heading,) if heading else (), display=plain(text))
    cat = default_catalogue()
    return self_check(judge_plan(plan_statement(st, cat), facts), cat, facts)


def test_roles_are_read_into_the_slots_they_fill() -> None:
    cat = default_catalogue()
    reading = read("fork() returns the PID of the child in the parent and 0 in the child",
                   cat.check("fork.returns-child-pid"), cat)
    slots = [[(b.cue, b.value) for b in seg.bindings] for seg in reading.segments]
    assert slots == [[("pid", "child"), ("in", "parent")], [("number", 0), ("in", "child")]]
    assert not reading.unread
    reading = read("the child's PPID is the PID of the parent", cat.check("fork.knows-ppid"), cat)
    assert [(b.cue, b.value) for b in reading.segments[0].bindings] == [
        ("ppid", "child"), ("pid", "parent")]


def test_a_word_no_check_reads_makes_the_statement_unchecked_and_is_named() -> None:
    judged = judge("fork() returns the PID of the child to the parent on Solaris")
    assert judged.verdict == "unchecked"
    assert "Solaris" in judged.reason
    judged = judge("fork() usually returns the PID of the child to the parent")
    assert (judged.verdict, judged.reason.split(" (")[0]) == ("unchecked",
                                                             "not understood: usually")


def test_a_value_of_a_known_kind_that_differs_refutes() -> None:
    judged = judge("fork() returns the PID of the parent to the child")
    assert judged.verdict == "refuted"
    assert "pid 'parent' (true: child)" in judged.reason
    assert judge("fork() returns 1 in the child").verdict == "refuted"
    assert judge("with `O_NONBLOCK`, a write to a full pipe waits until a reader makes room"
                 ).verdict == "refuted"  # a condition read into its own frame


def test_the_self_check_changes_each_typed_word_and_refuses_a_verdict_it_survives() -> None:
    text = "fork() returns the PID of the child to the parent"
    judged = judge(text)
    assert judged.verdict == "verified"
    tried = {(m["kind"], m["text"]): m["verdict"] for m in judged.mutants}
    assert tried[("roles", "fork() returns the PID of the parent to the child")] == "refuted"
    assert tried[("negation", "fork() not returns the PID of the child to the parent")] \
        == "refuted"
    kinds = {m.kind for m in mutants("`fork()` fails with EAGAIN, never SIGKILL, unlike "
                                     "CLONE_VM, and returns -1 always", tokenize(
                                         "`fork()` fails with EAGAIN, never SIGKILL, unlike "
                                         "CLONE_VM, and returns -1 always"))}
    assert kinds == {"errno", "signal", "flag", "number", "negation", "quantifier"}


def test_symmetric_roles_are_the_same_reading_not_a_failed_self_check() -> None:
    judged = judge("after fork() parent and child share the file offset of an inherited "
                   "descriptor")
    swaps = [m for m in judged.mutants if m["kind"] == "roles"]
    assert swaps and all(m.get("equivalent") for m in swaps if m["verdict"] == "verified")


def test_the_callers_parent_is_the_parent_but_a_parents_parent_is_not() -> None:
    """"the caller's parent": the caller is the reference point and the parent fills the
    slot; "the parent's parent" names another process and is not read as the parent."""
    assert judge("getppid() returns the process ID of the caller's parent").verdict == \
        "verified"
    for text in ("getppid() returns the process ID of the caller's first child",
                 "getppid() returns the process ID of the caller's child",
                 "getppid() returns the process ID of the parent's parent"):
        assert judge(text).verdict != "verified", text


def test_the_issue_examples_of_statements_people_write_are_read(monkeypatch) -> None:
    """Issue 11: "a zombie keeps its PID until its parent reaps it", "threads of one process
    see the same PID" are read (and a one-word change of each is refuted)."""
    monkeypatch.setitem(MEASURED, "wait.zombie_until_wait", True)
    monkeypatch.setitem(MEASURED, "wait.reaps_zombie", True)
    assert judge("threads of one process see the same PID").verdict == "verified"
    assert judge("threads of one process see different PIDs").verdict == "refuted"
    assert judge("a zombie keeps its PID until its parent reaps it").verdict == "verified"
    assert judge("a zombie keeps its PID until its child reaps it").verdict == "refuted"


def test_a_manual_section_is_no_argument() -> None:
    """"fork(2)" names the manual page; "_exit(2)" passes the status 2."""
    assert [t.kind for t in tokenize("fork(2) and clone(2)")] == ["call", "grammar", "call"]
    assert [(t.kind, t.value) for t in tokenize("_exit(2)")] == [("call", "_exit"), ("num", 2)]


def test_a_pronoun_refers_to_the_cards_question_side() -> None:
    """"it starts with only a loopback interface" says nothing of what "it" is: the card's
    question side does; without a pronoun that side is not the statement's topic."""
    from mkdeck.verify.claims import match_statement

    loc = SourceLocation("t.md", 1)
    front = "What does a process in a new network namespace see of the host's network?"
    cat = default_catalogue()
    said = Statement("it starts with only a loopback interface of its own", loc, loc,
                     context=front)
    match = match_statement(said, cat)[0]
    assert match is not None and match.check.id == "ns.net-loopback-only"
    alone = Statement("a process starts with only a loopback interface of its own", loc, loc,
                      context=front)
    assert match_statement(alone, cat)[0] is None


def test_link_prefixes_never_change_the_reading() -> None:
    assert plain("of the [[li parent process]]") == "of the li parent process"
    assert plain("of the [[li parent process]]", reading=True) == "of the parent process"
    assert plain("[[li fork|fork]] and [[the fork]]", reading=True) == "fork and the fork"
    assert fix_spelling("the same conent, unesseary and writen") == \
        "the same content, unnecessary and written"


def test_the_issue_examples_of_false_statements_are_never_verified() -> None:
    for text in ("`getppid()` returns the PID of the caller's first child",
                 "`fork()` fails with EMFILE when the process limit is reached",
                 "with `O_NONBLOCK`, a write to a full pipe blocks",
                 "fork() returns the PID of the li parent process"):
        assert judge(text).verdict != "verified", text


# ---- host-dependent facts ---------------------------------------------------------------------

NICE_CARD = """# Anki

START
Basic
nice
Back:
- processes start with a default nice value of 0
- the default nice value is -10
- a child inherits the nice value of its parent
END
"""


def _fake_stat(tmp_path: Path, nice: int) -> Path:
    fields = ["S", "0", "0", "0", "0", "-1", "0", "0", "0", "0", "0", "0", "0", "0", "0",
              "20", str(nice), "1"]
    path = tmp_path / f"stat{nice}"
    path.write_text(f"1 (init) {' '.join(fields)} 0 0\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("pid1_nice", [0, -10])
def test_the_default_nice_value_does_not_follow_pid_1(make_vault, tmp_path, monkeypatch,
                                                      pid1_nice: int) -> None:
    """Issue 11: on a host whose PID 1 runs at nice -10 the suite must pass; the probe reads
    PID 1's nice value from the file MKDECK_PROBE_PID1_STAT names, so a test can fake it."""
    monkeypatch.setenv("MKDECK_PROBE_PID1_STAT", str(_fake_stat(tmp_path, pid1_nice)))
    data = verify_json(make_vault({"nice.md": NICE_CARD}))
    got = [(c["line"], c["verdict"]) for c in data["claims"]]
    if os.geteuid() == 0:  # the kernel's default is measured (SCHED_RESET_ON_FORK)
        assert got == [(7, "verified"), (8, "refuted"), (9, "verified")], data["claims"]
        fact = data["claims"][0]["evidence"]["facts"]["nice.default"]
        assert fact["measured"] == 0 and fact["control_child_without_reset"] == -5
    else:  # without the right to lower a nice value: this host's value, not a verdict
        assert [v for _, v in got] == ["host-dependent", "host-dependent", "verified"]
    assert f"PID 1 runs at nice {pid1_nice}" in json.dumps(data["claims"][0]["evidence"])


@pytest.mark.skipif(os.geteuid() != 0, reason="lowering a nice value needs root")
def test_a_verification_run_at_nice_minus_10_gives_the_same_verdicts(make_vault) -> None:
    """The whole run (the verifier and its probes) at nice -10, as under such a PID 1."""
    root = make_vault({"nice.md": NICE_CARD})
    proc = subprocess.run(
        [sys.executable, "-m", "mkdeck", "verify", str(root), "--format", "json"],
        capture_output=True, text=True, timeout=120,
        preexec_fn=lambda: os.setpriority(os.PRIO_PROCESS, 0, -10))
    data = json.loads(proc.stdout)
    assert [c["verdict"] for c in data["claims"]] == ["verified", "refuted", "verified"]


# ---- output -----------------------------------------------------------------------------------

def test_explain_shows_the_check_slots_self_check_and_verdict(make_vault) -> None:
    root = make_vault({"f.md": "# Anki\n\nSTART\nBasic\nfork\nBack:\n"
                               "- fork() returns the PID of the child to the parent\nEND\n"})
    out, err = io.StringIO(), io.StringIO()
    assert main(["verify", str(root), "--explain", "f.md:7"], stdout=out, stderr=err) == 0
    text = out.getvalue()
    assert "check: fork.returns-child-pid" in text
    assert "pid=child (role 'child')" in text and "to=parent (role 'parent')" in text
    assert ("self-check: roles 'child' -> refuted: fork() returns the PID of the parent to "
            "the child") in text
    assert text.rstrip().endswith("verdict: verified")
    assert main(["verify", str(root), "--explain", "f.md:99"], stdout=out, stderr=err) == 2


def test_a_host_setting_without_a_general_measurement_is_host_dependent() -> None:
    """Without the right to lower a nice value the probe cannot measure the kernel's default:
    the fact is not valid but carries what this host shows, and the verdict says so."""
    from mkdeck.verify.probeset import probe
    from mkdeck.verify.probing import ProbeRun, make_lookup

    spec = probe("nice")
    run = ProbeRun(spec, {"rc": 0, "ms": 5.0})
    run.facts = {"nice.default": {"value": None, "valid": False, "evidence": {
        "host_value": "PID 1 runs at nice -10", "host_dependent": "inherited"}}}
    lookup = make_lookup({"nice": run}, {"nice.default": spec}, {})
    view = lookup("nice.default")
    assert (view.state, view.host) == ("host-dependent", "this host shows PID 1 runs at nice -10")
    loc = SourceLocation("t.md", 1)
    st = Statement("the default nice value is 0", loc, loc, ("nice",))
    cat = default_catalogue()
    judged = self_check(judge_plan(plan_statement(st, cat), lookup), cat, lookup)
    assert judged.verdict == "host-dependent"
    assert judged.host == "this host shows PID 1 runs at nice -10"


def test_slot_names_must_be_words_not_yaml_booleans(tmp_path: Path) -> None:
    from mkdeck.verify.catalogue import CATALOGUE_DIR, CatalogueError, load_catalogue

    bad = tmp_path / "readings_bad.yaml"
    bad.write_text("readings:\n  fork.returns-child-pid:\n    slots:\n      - {no: [child]}\n",
                   encoding="utf-8")
    with pytest.raises(CatalogueError, match="slot name must be a word"):
        load_catalogue([CATALOGUE_DIR / "core.yaml", bad])
