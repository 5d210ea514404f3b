"""The check-only rules (MKD5xx) and the engine, on model objects built by hand (independent
of the parser): mojibake, CRLF markers, crash containment, select/ignore, whole-vault rules
reporting only in the named files."""

from __future__ import annotations

from pathlib import Path

import pytest

from mkdeck.app.check import all_rules, parse_code_list, run_checks
from mkdeck.check import CheckOptions, code_selected
from mkdeck.check.context import CheckContext
from mkdeck.check.registry import Rule
from mkdeck.check.rules import _changed_span, check_crlf_markers
from mkdeck.model import (
    Diagnostic,
    Field,
    Note,
    NoteFile,
    NoteType,
    ParseResult,
    Severity,
    SourceLocation,
    Vault,
)

BASIC = NoteType("Basic", ("Front", "Back"))


def note(path: str, line: int, front: str, back: str = "b", *, end: int | None = None,
         kind: str = "block") -> Note:
    loc = SourceLocation(path, line)
    fields = (
        Field("Front", front, SourceLocation(path, line + 2), (line + 2,) if front else ()),
        Field("Back", back, SourceLocation(path, line + 3), (line + 3,) if back else ()),
    )
    return Note(loc, BASIC, fields, "Default", kind=kind, end_line=end or line + 4)  # type: ignore[arg-type]


def result_for(root: Path, files: dict[str, bytes], notes: list[Note],
               selected: set[str] | None = None) -> ParseResult:
    nfs = []
    for rel, data in sorted(files.items()):
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_bytes(data)
        text = data.decode("utf-8").replace("\r\n", "\n").replace("\r", "\n")
        nfs.append(NoteFile(rel, text, 0, selected is None or rel in selected))
    vault = Vault(str(root), root.name, tuple(nfs))
    keep = [n for n in notes if selected is None or n.location.path in selected]
    return ParseResult(vault, tuple(keep))


def codes_lines(diags) -> list[tuple[str, int, str]]:
    return [(d.location.path, d.location.line, d.code) for d in diags]


# --- mojibake -------------------------------------------------------------------------

SEED_LINE = ("- often used as [[li forkâ€“exec]] combination where the [[li process]] clones "
             "itself and then replaces its memory image")


def test_mojibake_names_the_repair(tmp_path: Path) -> None:
    text = f"# li clone\n\nčeština, 中文, кириллица, emoji 🙂 and “quotes”\n{SEED_LINE}\n"
    res = result_for(tmp_path, {"li clone.md": text.encode()}, [])
    out = run_checks(res, CheckOptions(select=("MKD5",))).diagnostics
    assert [d.to_dict() for d in out] == [{
        "path": "li clone.md", "line": 4, "column": 26, "code": "MKD501", "severity": "warning",
        "message": "mojibake (UTF-8 text read as Windows-1252): 'forkâ€“exec' should read "
                   "'fork–exec'; replace it with the repaired text.",
    }]


def test_mojibake_no_false_positive_on_real_text(tmp_path: Path) -> None:
    corpus = Path(__file__).parent / "data" / "corpus"
    files = {p.name: p.read_bytes() for p in sorted(corpus.glob("*.md"))}
    res = result_for(tmp_path, files, [])
    assert [d for d in run_checks(res).diagnostics if d.code == "MKD501"] == []


def test_changed_span_widens_to_words() -> None:
    assert _changed_span("a Ã©tÃ© b", "a été b") == (2, "Ã©tÃ©", "été")


# --- CRLF markers ---------------------------------------------------------------------

def test_crlf_markers_one_finding_per_file(tmp_path: Path) -> None:
    crlf = (b"START\r\nBasic\r\nq1\r\nBack: a\r\nEND\r\n\r\n"
            b"START\r\nBasic\r\nq2\r\nBack: a\r\nEND\r\n")
    lf = b"START\nBasic\nq\nBack: a\nEND\n"
    mixed = b"START\nBasic\nq\nBack: a\nEND\nSTART\rBasic\rq\rBack: a\rEND\r"
    notes = [note("crlf.md", 1, "q1"), note("crlf.md", 7, "q2"), note("lf.md", 1, "q"),
             note("mixed.md", 1, "q"), note("mixed.md", 6, "q")]
    res = result_for(tmp_path, {"crlf.md": crlf, "lf.md": lf, "mixed.md": mixed}, notes)
    out = run_checks(res, CheckOptions(select=("MKD502",))).diagnostics
    assert codes_lines(out) == [("crlf.md", 1, "MKD502"), ("mixed.md", 6, "MKD502")]
    assert "would not find it and 1 more block of this file" in out[0].message
    assert "would not find it;" in out[1].message


def test_crlf_ignores_inline_notes(tmp_path: Path) -> None:
    data = b"STARTI [Basic] q Back: a ENDI\r\n"
    res = result_for(tmp_path, {"i.md": data}, [note("i.md", 1, "q", kind="inline", end=1)])
    ctx = CheckContext(res)
    assert list(check_crlf_markers(res.vault.files[0], ctx)) == []


# --- engine ---------------------------------------------------------------------------

def test_crashing_rule_becomes_mkd001_and_others_run(tmp_path: Path) -> None:
    files = {"a.md": SEED_LINE.encode(), "b.md": b"fine\n"}
    res = result_for(tmp_path, files, [])

    def boom(nf: NoteFile, ctx: CheckContext):
        if nf.path == "b.md":
            raise ZeroDivisionError("division by zero")
        return []

    def vault_boom(ctx: CheckContext):
        raise KeyError("x")

    rules = [Rule("boom", "file", (), boom), Rule("vault-boom", "vault", (), vault_boom),
             *[r for r in all_rules() if r.name == "mojibake"]]
    out = run_checks(res, rules=rules).diagnostics
    assert [(d.location.path, d.location.line, d.code, d.message[:40]) for d in out] == [
        (".", 0, "MKD001", "check rule 'vault-boom' crashed on the v"),
        ("a.md", 1, "MKD501", "mojibake (UTF-8 text read as Windows-125"),
        ("b.md", 0, "MKD001", "check rule 'boom' crashed on this file ("),
    ]
    assert "ZeroDivisionError: division by zero" in out[2].message


def test_findings_only_in_selected_files(tmp_path: Path) -> None:
    files = {"a.md": SEED_LINE.encode(), "b.md": SEED_LINE.encode()}
    res = result_for(tmp_path, files, [], selected={"b.md"})

    def vault_rule(ctx: CheckContext):
        yield Diagnostic("MKD001", Severity.ERROR, SourceLocation("a.md", 1), "in a")
        yield Diagnostic("MKD001", Severity.ERROR, SourceLocation("b.md", 1), "in b")
        yield Diagnostic("MKD001", Severity.WARNING, SourceLocation("mkdeck.yaml", 3), "cfg")

    rules = [Rule("v", "vault", (), vault_rule), *all_rules()]
    out = run_checks(res, rules=rules)
    # the prose links of b.md (not of a.md) are reported too: the vault has no such notes
    assert codes_lines(out.diagnostics) == [
        ("b.md", 1, "MKD001"), ("b.md", 1, "MKD201"), ("b.md", 1, "MKD501"), ("b.md", 1, "MKD201"),
        ("mkdeck.yaml", 3, "MKD001")]
    assert [f.path for f in out.files] == ["b.md"]


def test_select_ignore(tmp_path: Path) -> None:
    data = (SEED_LINE + "\n").encode() + b"START\r\nBasic\r\nq\r\nEND\r\n"
    res = result_for(tmp_path, {"a.md": data}, [note("a.md", 2, "q")])

    def run(**kw):
        return [d.code for d in run_checks(res, CheckOptions(**kw)).diagnostics]

    assert run() == ["MKD201", "MKD501", "MKD201", "MKD502"]
    assert run(ignore=("MKD2",)) == ["MKD501", "MKD502"]
    assert run(select=("MKD50",), ignore=("MKD502",)) == ["MKD501"]
    assert run(select=("MKD502",), ignore=("MKD5",)) == ["MKD502"]
    assert run(ignore=("MKD5",)) == ["MKD201", "MKD201"]
    assert run(select=("MKD1",)) == []


def test_code_selection_rules() -> None:
    assert code_selected("MKD102", (), ())
    assert not code_selected("MKD102", ("MKD2",), ())
    assert code_selected("MKD102", ("MKD1",), ("MKD2",))
    assert not code_selected("MKD102", ("MKD1",), ("MKD1",))  # a tie ignores
    assert parse_code_list("mkd1, MKD502 MKD") == ("MKD1", "MKD502", "MKD")
    # MKD999 and MKD9 name no code: a typo in CI must not select nothing and pass (found by
    # trying mkdeck as a user)
    for bad in ("E501", "MKD1000", "MKDx", "MKD999", "MKD9"):
        with pytest.raises(ValueError):
            parse_code_list(bad)


def test_strict_exit(tmp_path: Path) -> None:
    res = result_for(tmp_path, {"a.md": SEED_LINE.encode()}, [])
    out = run_checks(res)
    assert out.exit_status() == 0 and out.exit_status(strict=True) == 1


# --- names in another case (the real parser) -----------------------------------------

def test_case_mismatch_in_type_and_prefixes(make_vault) -> None:
    from mkdeck.app.check import check_paths

    vault = make_vault({
        ".obsidian/app.json": "{}",
        "a.md": (
            "START\n\nbasic\nq\n```yaml\nBACK: inside code is not a prefix\n```\n"
            "BACK: a\nEND\n"
            "> [!note]\n> START\n> Cloze\n> {{c1::x}}\n> back extra: y\n> END\n"
            "START\n问答题\n正面: q\n背面: a\nEND\n"
            "START\nBasic\nFront: q\nBack: a\nEND\n"
        ),
    })
    out = [(d.location.line, d.message.split(" is written")[0])
           for d in check_paths([vault]).diagnostics if d.code == "MKD503"]
    assert out == [(3, "note type 'basic'"), (8, "field prefix 'BACK:'"),
                   (14, "field prefix 'back extra:'")]


def test_links_outside_cards(tmp_path: Path) -> None:
    """Prose links are checked like card links (EXPECTED.md, file 15: `[[no-return]]` in code
    is no link); found by trying mkdeck as a user: a dead `[[Ribosomes]]` above the cards
    was never reported. Links inside cards are left to the renderer (no duplicates)."""
    text = ("---\nup: '[[nowhere-in-frontmatter]]'\n---\n"
            "# Cells\nSee [[Ribosomes]] and [[b]], `[[in code]]`, %% [[in comment]] %%\n"
            "![[b#No such heading]] ![[pic.png]]\n"
            "START\nBasic\n[[inside card]]\nBack: x\nEND\n"
            "```cpp\n[[no-return]] void f();\n```\n")
    files = {"a.md": text.encode(), "b.md": b"# b\n## Heading\n"}
    cards = [note("a.md", 7, "[[inside card]]", end=11)]
    res = result_for(tmp_path, files, cards)
    out = [d for d in run_checks(res).diagnostics if d.location.path == "a.md"]
    assert [(d.location.line, d.location.column, d.code) for d in out] == [
        (5, 5, "MKD201"), (6, 1, "MKD203"), (6, 24, "MKD210"),
        (9, None, "MKD201")]  # the card's own link: reported once, by the renderer
    assert out[0].message == ("link target 'Ribosomes' is not a note or file of the vault; "
                              "create the note or fix the spelling")
