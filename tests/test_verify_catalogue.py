"""The catalogue: loads every *.yaml, stable well-formed ids, self-tests that match their
checks, probes for every fact; explicit <!--verify: id--> comments, unknown ids, unchecked
names, and statements reached through embeds."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest

from mkdeck.cli import main
from mkdeck.verify.catalogue import (CATALOGUE_DIR, CatalogueError, default_catalogue,
                                     load_catalogue)
from mkdeck.verify.engine import selftest_statements
from mkdeck.verify.probeset import PROBES

SEED_IDS = {"clone.upgraded-fork", "clone.controls-sharing", "clone.fs-shared",
            "clone.vm-shared", "clone.sighand-shared", "clone.files-shared",
            "fork.duplicates-caller", "fork.child-own-pid-separate-memory",
            "fork.returns-child-pid", "fork.knows-ppid", "exec.fork-exec-replaces-image",
            "fork.copy-on-write"}


def test_every_yaml_file_is_loaded_and_ids_are_stable() -> None:
    cat = default_catalogue()
    assert set(cat.files) == {p.name for p in CATALOGUE_DIR.glob("*.yaml")}
    ids = [c.id for c in cat.checks]
    assert len(ids) == len(set(ids))
    assert all(re.match(r"^[a-z]+\.[a-z0-9-]+$", i) for i in ids)
    assert SEED_IDS <= set(ids)
    families = {i.split(".")[0] for i in ids}
    assert {"fork", "clone", "exec", "wait", "orphan", "vfork", "threads", "pipe", "signal",
            "exit", "mmap", "fd", "nice", "ns"} <= families


def test_every_fact_has_a_probe_and_every_self_test_its_check() -> None:
    cat = default_catalogue()
    for check in cat.checks:
        for fact in check.facts:
            if check.flag_table:
                continue
            assert any(p.provides(fact) for p in PROBES), (check.id, fact)
    for test, match in selftest_statements(cat):
        assert match is not None, f"self-test {test.text!r} matches no check"
        probes = [p for p in PROBES if p.family == test.family]
        assert probes, test.family
        assert any(all(p.provides(part.fact) for part in match.parts) for p in probes), \
            (test.text, match.check.id)


def test_extra_catalogue_files_add_checks_and_duplicates_fail(tmp_path: Path) -> None:
    extra = tmp_path / "cards_x.yaml"
    extra.write_text("checks:\n  - id: fork.extra-check\n    subject: [fork]\n    parts:\n"
                     "      - {key: 'spoon', fact: fork.child_pid_differs}\n")
    cat = load_catalogue([CATALOGUE_DIR / "core.yaml", extra])
    assert cat.check("fork.extra-check").source == "cards_x.yaml"
    dup = tmp_path / "cards_y.yaml"
    dup.write_text("checks:\n  - id: fork.returns-child-pid\n    parts:\n"
                   "      - {key: 'x', fact: fork.child_pid_differs}\n")
    with pytest.raises(CatalogueError, match="fork.returns-child-pid already defined"):
        load_catalogue([CATALOGUE_DIR / "core.yaml", dup])
    bad = tmp_path / "cards_z.yaml"
    bad.write_text("checks:\n  - id: fork.bad\n    parts:\n      - {key: '(', fact: x.y}\n")
    with pytest.raises(CatalogueError, match="cards_z.yaml: check fork.bad"):
        load_catalogue([bad])


VAULT = {
    "card.md": """# Anki

START
Basic
explicit, unknown and unchecked
Back:
## fork
- a parent learns who its offspring is from the value it gets <!--verify: fork.returns-child-pid-->
- the spoon is sharp <!--verify: fork.no-such-check-->
- `execveat()` takes a directory fd
- a process can write to a file and read from a pipe
- writing is fun
- ![[other#fork facts]]
END
""",
    "other.md": """# notes

## fork facts
- fork() returns the PID of the child to the parent
- `CLONE_VM` the memory is copied
""",
}


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> tuple[int, dict]:
    root = tmp_path_factory.mktemp("cat")
    for name, text in VAULT.items():
        (root / name).write_text(text, encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    status = main(["verify", str(root), "--format", "json"], stdout=out, stderr=err)
    return status, json.loads(out.getvalue())


def test_explicit_id_attaches_a_check(report: tuple[int, dict]) -> None:
    _, data = report
    c = next(c for c in data["claims"] if c["line"] == 8 and c["path"] == "card.md")
    assert c["check"] == "fork.returns-child-pid" and c["verdict"] == "verified"
    assert "verify:" not in c["text"]


def test_unknown_id_is_a_diagnostic(report: tuple[int, dict]) -> None:
    _, data = report
    diags = [d for d in data["diagnostics"] if d["code"] == "MKD401"]
    assert len(diags) == 1
    assert diags[0]["path"] == "card.md" and diags[0]["line"] == 9
    assert "fork.no-such-check" in diags[0]["message"]


def test_every_statement_no_check_reads_is_listed_unchecked_with_its_reason(report) -> None:
    """Nothing silent (issue 11): a statement no check reads is listed as unchecked, with
    the words that were not understood, whether or not it names a syscall."""
    _, data = report
    unchecked = {u["line"]: u for u in data["unchecked"] if u["path"] == "card.md"}
    assert sorted(unchecked) == [9, 10, 11, 12]
    assert unchecked[10]["text"] == "`execveat()` takes a directory fd"
    assert "not understood: execveat()" in unchecked[10]["reason"]
    assert "not understood: writing, fun" in unchecked[12]["reason"]
    assert data["summary"]["unchecked"] == 4
    assert len(data["claims"]) == sum(data["summary"].values())


def test_embedded_statements_keep_their_own_path_and_line(report) -> None:
    status, data = report
    embedded = [c for c in data["claims"] if c["path"] == "other.md"]
    assert [(c["line"], c["check"], c["verdict"], c["card_line"]) for c in embedded] == [
        (4, "fork.returns-child-pid", "verified", 3),
        (5, "clone.vm-shared", "refuted", 3),
    ]
    assert status == 1


def test_flag_tables_read_flag_resource_and_sharing(make_vault) -> None:
    """A markdown table row is one statement: flag -> resource -> shared / not shared; a
    resource under the wrong flag is refuted."""
    card = """START
Basic
clone flags
Back:
## clone
| flag | what | shared? |
|------|------|---------|
| `CLONE_FILES` | the open files | shared |
| `CLONE_FS` | cwd and umask | not shared |
| `CLONE_VM` | file-system information | shared |
| `CLONE_SIGHAND` | signal handlers | shared, not copied |
END
"""
    root = make_vault({"t.md": card})
    out, err = io.StringIO(), io.StringIO()
    status = main(["verify", str(root), "--format", "json"], stdout=out, stderr=err)
    data = json.loads(out.getvalue())
    got = [(c["line"], c["check"], c["verdict"], list(c["evidence"]["facts"]))
           for c in data["claims"]]
    assert got == [
        (8, "clone.files-shared", "verified", ["clone.shares.CLONE_FILES.files"]),
        (9, "clone.fs-shared", "refuted", ["clone.shares.CLONE_FS.fs"]),
        (10, "clone.vm-shared", "refuted", ["clone.shares.CLONE_VM.fs"]),
        (11, "clone.sighand-shared", "verified", ["clone.shares.CLONE_SIGHAND.sighand"]),
    ]
    assert status == 1
