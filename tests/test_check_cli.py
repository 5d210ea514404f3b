"""``mkdeck check`` end to end through ``mkdeck.cli.main``: the exact text output over a vault
of deliberately broken notes (one per kind of finding, ``examples/broken-vault``), the corpus
as one vault, every format, exit codes, named files, crash containment.

Golden files live in ``tests/golden/check/``; ``MKDECK_UPDATE_GOLDEN=1`` rewrites them (review
the diff before committing).
"""

from __future__ import annotations

import io
import json
import os
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from conftest import assert_golden
from mkdeck.cli import main

ROOT = Path(__file__).resolve().parents[1]
BROKEN = ROOT / "examples" / "broken-vault"
GOLDEN = Path(__file__).parent / "golden" / "check"
CORPUS = Path(__file__).parent / "data" / "corpus"


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    status = main(["check", *argv], stdout=out, stderr=err)
    return status, out.getvalue(), err.getvalue()


def golden(name: str, text: str) -> None:
    assert_golden(GOLDEN / name, text)


@pytest.fixture
def in_broken(monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(BROKEN)
    return BROKEN


# --- the broken vault -----------------------------------------------------------------

EXPECTED_CODES = {
    "unclosed-block.md": "MKD101", "orphan-end.md": "MKD102", "unknown-note-type.md": "MKD103",
    "trailing-spaces.md": "MKD105", "wrong-field.md": "MKD106", "malformed-id.md": "MKD107",
    "empty-deck.md": "MKD111", "cloze-without-deletion.md": "MKD112",
    "empty-first-field.md": "MKD113", "dangling-link.md": "MKD201",
    "missing-heading.md": "MKD203", "missing-embed.md": "MKD204", "missing-media.md": "MKD210",
    "duplicate-id-2.md": "MKD301", "mojibake.md": "MKD501", "crlf.md": "MKD502",
    "wrong-case.md": "MKD503",
}


def test_broken_vault_exact_text(in_broken: Path) -> None:
    status, out, err = run(".")
    golden("broken-vault.txt", out)
    assert status == 1
    # one finding of each kind, each in the file named for it
    found = [re.match(r"([^:]+):\d+(?::\d+)?: (MKD\d+) ", line).groups()  # type: ignore[union-attr]
             for line in out.splitlines()]
    assert dict(found) == EXPECTED_CODES and len(found) == len(EXPECTED_CODES)
    assert err == "mkdeck check: 5 errors, 12 warnings in 21 files\n"


def test_broken_vault_crlf_kept_byte_exact() -> None:
    assert (BROKEN / "crlf.md").read_bytes().count(b"\r\n") == 5


def test_broken_vault_verify_refutes_the_false_claim(in_broken: Path) -> None:
    status, out, _ = run(".", "--verify", "--select", "MKD402")
    assert status == 1
    assert out.startswith("refuted-claim.md:5: MKD402 fork.returns-child-pid: ")
    assert len(out.splitlines()) == 1


def test_paths_relative_to_the_current_folder(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    status, out, _ = run("examples/broken-vault", "--select", "MKD502")
    assert (status, out.split(": MKD")[0]) == (0, "examples/broken-vault/crlf.md:1")


# --- named files (pre-commit) ---------------------------------------------------------

def test_named_files_report_only_their_findings(in_broken: Path) -> None:
    status, out, err = run("duplicate-id-2.md", "crlf.md")
    assert status == 1
    assert [line.split(":")[0] for line in out.splitlines()] == ["crlf.md", "duplicate-id-2.md"]
    # the duplicate is found across the vault (its twin was not named)
    assert "duplicate-id-1.md:1" in out
    assert err.endswith("in 2 files\n")
    status, out, _ = run("duplicate-id-1.md", "fork.md")
    assert (status, out) == (0, "")


# --- formats --------------------------------------------------------------------------

def test_json_matches_text(in_broken: Path) -> None:
    _, text, _ = run(".")
    status, out, err = run(".", "--format", "json")
    assert status == 1 and err == ""
    doc = json.loads(out)
    assert list(doc) == ["diagnostics"]
    rebuilt = []
    for d in doc["diagnostics"]:
        assert set(d) <= {"path", "line", "column", "code", "severity", "message"}
        col = f":{d['column']}" if "column" in d else ""
        rebuilt.append(f"{d['path']}:{d['line']}{col}: {d['code']} {d['message']}")
    assert "\n".join(rebuilt) + "\n" == text


def test_junit_counts(in_broken: Path) -> None:
    status, out, _ = run(".", "--format", "junit")
    assert status == 1
    suite = ET.fromstring(out.encode("utf-8")).find("testsuite")
    assert suite is not None
    cases = suite.findall("testcase")
    names = [c.get("name") for c in cases]
    # every note file with cards or findings; README.md has neither
    assert "README.md" not in names and "fork.md" in names and "duplicate-id-1.md" in names
    assert len(cases) == int(suite.get("tests", "-1")) == 20
    failures = [f for c in cases for f in c.findall("failure")]
    assert len(failures) == 5
    failing = sum(1 for c in cases if c.find("failure") is not None)
    assert int(suite.get("failures", "-1")) == failing == 5
    assert {f.get("type") for f in failures} == {"MKD101", "MKD103", "MKD112", "MKD113", "MKD301"}
    crlf = next(c for c in cases if c.get("name") == "crlf.md")
    assert "crlf.md:1: MKD502 " in (crlf.findtext("system-out") or "")


def test_sarif_valid(in_broken: Path) -> None:
    import jsonschema
    from test_report_sarif import SCHEMA  # the schema shipped with the tests

    status, out, _ = run(".", "--format", "sarif")
    assert status == 1
    doc = json.loads(out)
    jsonschema.validate(doc, json.loads(SCHEMA.read_text(encoding="utf-8")),
                        cls=jsonschema.Draft4Validator)
    results = doc["runs"][0]["results"]
    assert len(results) == len(EXPECTED_CODES)
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in results}
    assert uris == set(EXPECTED_CODES)


def test_github_annotations(in_broken: Path) -> None:
    status, out, _ = run(".", "--format", "github")
    assert status == 1
    lines = out.splitlines()
    assert len(lines) == len(EXPECTED_CODES)
    assert "::error file=unclosed-block.md,line=1,title=MKD101 START without END::" in out
    assert any(line.startswith("::warning file=mojibake.md,line=3,col=17,title=MKD501 ")
               for line in lines)
    assert all(re.match(r"::(error|warning|notice) file=[^,]+,line=\d+", line) for line in lines)


def test_output_file_atomic(in_broken: Path, tmp_path: Path) -> None:
    target = tmp_path / "out" / "report.sarif"
    target.parent.mkdir()
    status, out, err = run(".", "--format", "sarif", "--output", str(target))
    assert status == 1 and out == ""
    assert json.loads(target.read_text(encoding="utf-8"))["version"] == "2.1.0"
    assert os.listdir(target.parent) == ["report.sarif"]


def test_colour_only_when_asked(in_broken: Path) -> None:
    _, plain, _ = run(".", "--select", "MKD101")
    _, coloured, _ = run(".", "--select", "MKD101", "--color", "always")
    assert "\x1b[" not in plain
    rest = plain.split(": MKD101", 1)[1]
    assert coloured == "\x1b[1munclosed-block.md:1\x1b[0m: \x1b[1;31mMKD101\x1b[0m" + rest


# --- exit codes -----------------------------------------------------------------------

def test_exit_codes(make_vault, monkeypatch: pytest.MonkeyPatch) -> None:
    clean = make_vault({".obsidian/app.json": "{}",
                        "a.md": "START\nBasic\nq\nBack: a\nEND\n"}, name="clean")
    assert run(str(clean)) == (0, "", "mkdeck check: no findings in 1 file\n")
    warn = make_vault({"a.md": "START\nBasic\nq\nBack: [[nowhere]]\nEND\n"}, name="warn")
    status, out, _ = run(str(warn))
    assert status == 0 and " MKD201 " in out
    assert run(str(warn), "--strict")[0] == 1
    assert run(str(warn), "--strict", "--ignore", "MKD201")[0] == 0
    status, out, err = run(str(clean / "missing.md"))
    assert (status, out) == (2, "") and "no such file" in err
    assert run(str(clean), "--select", "E501")[0] == 2
    status, out, err = run(str(clean), "--select", "MKD999")
    assert (status, out) == (2, "")
    assert "no diagnostic code begins with 'MKD999'" in err
    assert run(str(clean), "--ignore", "MKD998")[0] == 2
    assert run(str(clean), "--run-code")[0] == 2
    assert run(str(clean), "--format", "xml")[0] == 2
    assert run()[0] == 2


def test_select_and_ignore_prefixes(in_broken: Path) -> None:
    _, out, _ = run(".", "--select", "MKD2,MKD5", "--ignore", "MKD20")
    assert [line.split(": ")[1].split()[0] for line in out.splitlines()] == [
        "MKD502", "MKD210", "MKD501", "MKD503"]


# --- a crashing stage -----------------------------------------------------------------

def test_render_crash_on_one_file_is_a_finding(in_broken: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    import mkdeck.render

    real = mkdeck.render.render_notes

    def flaky(result):
        if any(n.location.path == "missing-media.md" for n in result.notes):
            raise RuntimeError("renderer exploded")
        return real(result)

    monkeypatch.setattr(mkdeck.render, "render_notes", flaky)
    status, out, _ = run(".")
    assert status == 1
    lines = out.splitlines()
    assert ("missing-media.md:0: MKD001 check rule 'render' crashed on this file "
            "(RuntimeError: renderer exploded); the other rules still ran. This is a bug in "
            "mkdeck: please report it with this file.") in lines
    # the other files' render findings are still there
    assert any(line.startswith("dangling-link.md:3: MKD201 ") for line in lines)
    assert not any(" MKD210 " in line for line in lines)
    assert "Traceback" not in out


# --- the corpus as one vault ----------------------------------------------------------

def test_corpus_findings_golden(make_vault, monkeypatch: pytest.MonkeyPatch) -> None:
    files: dict[str, str | bytes] = {
        p.name: p.read_bytes() for p in sorted(CORPUS.glob("[0-9][0-9]_*.md"))}
    assert len(files) == 33
    files["mkdeck.yaml"] = "note_types:\n  FIT-Card:\n    fields: [Front, Back]\n"
    vault = make_vault(files, name="corpus")
    monkeypatch.chdir(vault)
    status, out, err = run(".")
    golden("corpus.txt", out)
    assert status == 1
    errors = [line for line in out.splitlines()
              if line.split(": ", 1)[1].split()[0] in {"MKD101", "MKD103"}]
    # EXPECTED.md: 02 unclosed START; 07, 08 placeholder; 09 MCQ; 30 two placeholders
    assert [e.split(":")[0][:2] for e in errors] == ["02", "07", "08", "09", "30", "30"]
    assert err == "mkdeck check: 6 errors, 66 warnings in 33 files\n"
    # the same findings in the other formats: SARIF valid, JUnit counts, one annotation each
    import jsonschema
    from test_report_sarif import SCHEMA

    status, sarif, _ = run(".", "--format", "sarif")
    doc = json.loads(sarif)
    jsonschema.validate(doc, json.loads(SCHEMA.read_text(encoding="utf-8")),
                        cls=jsonschema.Draft4Validator)
    assert status == 1 and len(doc["runs"][0]["results"]) == len(out.splitlines())
    _, junit, _ = run(".", "--format", "junit")
    suite = ET.fromstring(junit.encode("utf-8")).find("testsuite")
    assert suite is not None
    assert len(suite.findall("testcase/failure")) == 6
    assert suite.get("failures") == "5"  # files 02, 07, 08, 09 and 30 hold the errors
    _, github, _ = run(".", "--format", "github")
    assert len(github.splitlines()) == len(out.splitlines())


def test_verify_run_code(make_vault, monkeypatch: pytest.MonkeyPatch) -> None:
    vault = make_vault({
        ".obsidian/app.json": "{}",
        "a.md": "START\nBasic\nWhat does this print?\nBack:\n```sh verify\necho hello\n```\n"
                "```output\nbye\n```\nEND\n",
    }, name="code")
    monkeypatch.chdir(vault)
    status, out, err = run(".", "--verify")
    assert (status, out.split(" ", 2)[:2]) == (0, ["a.md:5:", "MKD408"])  # listed, not run
    assert err == "mkdeck check: 0 errors, 0 warnings, 1 info finding in 1 file\n"
    status, out, _ = run(".", "--verify", "--run-code")
    assert status == 1
    assert out == ("a.md:5: MKD406 the program printed 'hello\\n', the ```output block says "
                   "otherwise\n")


def test_parallel_render_gives_the_same_findings(make_vault,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    import mkdeck.render.parallel as build

    files: dict[str, str | bytes] = {".obsidian/app.json": "{}"}
    for f in range(30):
        cards = []
        for n in range(15):
            link = f"[[note-{(f + n) % 40}]]"  # notes 30..39 do not exist
            media = "![[missing.png]]" if n == 7 else ""
            cards.append(f"START\nBasic\nQuestion {f}.{n} about {link}?\n"
                         f"Back: answer {media}\nEND\n")
        files[f"sub/note-{f}.md"] = "\n".join(cards)
    vault = make_vault(files, name="many")
    monkeypatch.chdir(vault)
    assert build.PARALLEL_MIN_NOTES <= 450
    monkeypatch.setattr(build, "default_jobs", lambda notes=None: 2)
    parallel = run(".")
    monkeypatch.setattr(build, "default_jobs", lambda notes=None: 1)
    serial = run(".")
    assert parallel == serial == run(".", "--jobs", "2")
    dangling = sum(1 for f in range(30) for n in range(15) if (f + n) % 40 >= 30)
    assert parallel[1].count(" MKD201 ") == dangling == 95
    assert parallel[1].count(" MKD210 ") == 30


def test_loader_crash_is_a_finding(make_vault, monkeypatch: pytest.MonkeyPatch) -> None:
    import mkdeck.app.check

    vault = make_vault({"a.md": "START\nBasic\nq\nBack: a\nEND\n"}, name="crash")
    monkeypatch.chdir(vault)

    def boom(*args, **kwargs):
        raise ValueError("parser exploded")

    monkeypatch.setattr(mkdeck.app.check, "load", boom)
    status, out, _ = run(".")
    assert status == 1
    assert out == (".:0: MKD001 check rule 'parse' crashed on the vault (ValueError: parser "
                   "exploded); no other rule could run. This is a bug in mkdeck: please report "
                   "it with the vault.\n")
