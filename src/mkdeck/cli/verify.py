"""``mkdeck verify PATH [--format text|json] [--run-code] [--jobs N] [--explain PATH:LINE]``:
check the cards' technical claims on the running kernel (issues 5 and 11): every statement
is listed with its verdict. Exit 0 when nothing is refuted, 1 when something is, 2 for usage
or I/O errors."""

from __future__ import annotations

import argparse
import json
from collections import Counter
from typing import Any

from mkdeck.cli.common import EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, IO
from mkdeck.report.text import format_line


def _positive(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if n < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return n


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Register ``verify``."""
    p = subparsers.add_parser(
        "verify", help="prove the cards' technical claims with live kernel checks",
        description="Find checkable statements in the cards and verify each with a live "
                    "check on the running kernel. Exit 1 when a claim is refuted or a card "
                    "could not be read (its errors are printed on stderr).")
    p.add_argument("paths", nargs="*", metavar="PATH", help="vault folder or note files")
    p.add_argument("--list-checks", action="store_true",
                   help="print the catalogue's check ids and what each verifies, then exit")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.add_argument("--run-code", action="store_true",
                   help="compile and run fenced blocks marked verify (c, python, sh) and "
                        "compare with the ```output block after them")
    p.add_argument("--jobs", type=_positive, default=None, metavar="N",
                   help="probes run at once (default: CPU count)")
    p.add_argument("--config", default=None, help="mkdeck.yaml or data.json to use")
    p.add_argument("--explain", default=None, metavar="PATH:LINE",
                   help="show how the statements at PATH:LINE were read: the check, the "
                        "typed slots, the self-check's changed copies and their verdicts "
                        "(given alone, it verifies the note it names)")
    return p


def _text(report: Any) -> list[str]:
    from mkdeck.verify.engine import said

    lines = []
    for r in report.claims:
        c = r.claim
        lines.append(f"{c.location}: {r.verdict.upper()} {c.check or '-'}: {c.text}")
        if r.verdict == "verified" and r.evidence.get("host_dependent"):
            lines.append(f"    host-dependent: {r.evidence['host_dependent']}")
        if r.verdict in ("unchecked", "host-dependent") and r.reason:
            lines.append(f"    reason: {r.reason}")
        if r.verdict == "host-dependent" and r.evidence.get("host_shows"):
            lines.append(f"    {r.evidence['host_shows']}")
        if r.verdict in ("refuted", "inconclusive", "skipped"):
            ev = r.evidence
            if ev.get("reason"):
                lines.append(f"    reason: {ev['reason']}")
            if ev.get("true_statement"):
                lines.append(f"    what holds: {ev['true_statement']}")
            for key, fact in ev.get("facts", {}).items():
                detail = {k: v for k, v in fact.items() if k not in ("asserted",)}
                lines.append(f"    {key}: the statement says {said(fact.get('asserted'))}; "
                             f"{json.dumps(detail, sort_keys=True, default=str)}")
    for d in report.diagnostics:
        if d.code == "MKD401":
            lines.append(format_line(d))
    for cb in report.code_blocks:
        b = cb.block
        lines.append(f"{b.location}: {cb.verdict.upper()} ```{b.lang} verify block")
        if cb.verdict not in ("verified", "not-run"):
            for key in ("reason", "expected", "stdout", "stderr"):
                if cb.evidence.get(key):
                    lines.append(f"    {key}: {cb.evidence[key]!r}")
    iso = report.host.get("isolation") or {}
    if iso.get("pids_cgroup") is False:
        lines.append(f"note: no pids cgroup for the probes ({iso.get('pids_cgroup_reason')}); "
                     "fork storms are limited by RLIMIT_NPROC only")
    s = report.summary
    summary = ", ".join(f"{s.get(v, 0)} {v}" for v in ("verified", "refuted", "inconclusive",
                                                       "host-dependent", "skipped", "unchecked"))
    if report.code_blocks:
        # the counts above are the claims'; the code blocks listed above are counted apart,
        # so an inconclusive block is never summed up as "0 inconclusive"
        blocks = Counter(cb.verdict for cb in report.code_blocks)
        order = ("verified", "refuted", "inconclusive", "skipped", "not-run")
        summary += "; code blocks: " + ", ".join(
            f"{blocks[v]} {v}" for v in order if blocks.get(v))
    lines.append(summary)
    return lines


def _same_note(written: str, listed: str) -> bool:
    """Whether ``written`` (the PATH of ``--explain PATH:LINE``) names the note the report
    lists as ``listed``: the same path, or one is a suffix of the other."""
    return written == listed or written.endswith(listed) or listed.endswith(written)


def _no_statement(report: Any, where: str) -> str:
    """The message for ``--explain PATH:LINE`` that names no statement: the lines of that note
    that hold statements (as ``mkdeck verify`` lists them), or that no such note was read."""
    path, _, line = where.rpartition(":")
    if not path or not line.isdigit():
        return (f"--explain wants PATH:LINE, a note and a line number as mkdeck verify lists "
                f"them (e.g. 'li fork.md:24'), not {where!r}")
    lines = sorted({r.claim.location.line for r in report.claims
                    if _same_note(path, r.claim.location.path)})
    if not lines:
        return (f"no statement at {where}: {path!r} is no note with statements among those "
                f"read; give its path as mkdeck verify lists it (relative to the vault)")
    shown = ", ".join(map(str, lines[:12])) + (", ..." if len(lines) > 12 else "")
    return (f"no statement at {where}: the statements of {path} are at line"
            f"{'s' * (len(lines) != 1)} {shown} (mkdeck verify lists them)")


def _explain(report: Any, where: str) -> list[str] | None:
    """How the statements at ``where`` (``PATH:LINE``, PATH as the report shows it or any
    suffix of it) were read; ``None`` when no statement is there."""
    path, _, line = where.rpartition(":")
    if not line.isdigit():
        return None
    found = [r for r in report.claims if r.claim.location.line == int(line)
             and _same_note(path, r.claim.location.path)]
    if not found:
        return None
    out = []
    for r in found:
        c = r.claim
        out.append(f"{c.location}: {c.text}")
        out.append(f"  check: {c.check or '(none)'}")
        for seg in r.slots:
            slots = ", ".join(f"{b['slot']}={b['value']} ({b['kind']} {b['word']!r})"
                              for b in seg["slots"]) or "no typed values"
            extra = (f"; not understood: {', '.join(seg['not_understood'])}"
                     if seg.get("not_understood") else "")
            out.append(f"  segment {seg['segment']!r} [{seg['check'] or '-'}, {seg['status']}, "
                       f"{seg['negations']} negation(s)]: {slots}{extra}")
        for key, fact in r.evidence.get("facts", {}).items():
            out.append(f"  fact {key}: measured {json.dumps(fact.get('measured'))}, the "
                       f"statement says {json.dumps(fact.get('asserted'))}")
        for m in r.mutants:
            out.append(f"  self-check: {m['kind']} {m['word']!r} -> {m['verdict']}: {m['text']}")
        out.append(f"  verdict: {r.verdict}" + (f" ({r.reason})" if r.reason else ""))
    return out


def run(args: argparse.Namespace, io: IO) -> int:
    """Load the vault, verify, print; 1 when a claim or code block is refuted, or when a card
    could not be read (its error diagnostics go to stderr: its claims were not verified)."""
    from mkdeck.app.verify import CatalogueError, default_catalogue, verify_paths
    from mkdeck.vault import VaultError

    try:
        catalogue = default_catalogue()
    except CatalogueError as exc:
        print(f"mkdeck verify: broken catalogue: {exc}", file=io.stderr)
        return EXIT_USAGE
    if args.list_checks:
        for check in catalogue.checks:
            note = f"  [host-dependent: {check.host_dependent}]" if check.host_dependent else ""
            print(f"{check.id}\t{check.says}{note}", file=io.stdout)
        return EXIT_OK
    paths = list(args.paths)
    if not paths and args.explain and args.explain.rpartition(":")[0]:
        # `mkdeck verify --explain NOTE:LINE` alone: verify that note (read in its vault)
        paths = [args.explain.rpartition(":")[0]]
    if not paths:
        print("mkdeck verify: error: PATH is required: the vault or notes to verify, e.g. "
              "mkdeck verify notes/", file=io.stderr)
        return EXIT_USAGE
    try:
        outcome = verify_paths(paths, config=args.config, run_code=args.run_code,
                               jobs=args.jobs, catalogue=catalogue)
    except VaultError as exc:
        print(f"mkdeck verify: {exc}", file=io.stderr)
        return EXIT_USAGE
    if args.explain:
        explained = _explain(outcome.report, args.explain)
        if explained is None:
            print(f"mkdeck verify: {_no_statement(outcome.report, args.explain)}",
                  file=io.stderr)
            return EXIT_USAGE
        for line in explained:
            print(line, file=io.stdout)
        return EXIT_OK
    if args.format == "json":
        json.dump(outcome.to_dict(), io.stdout, indent=2, ensure_ascii=False, sort_keys=False)
        io.stdout.write("\n")
    else:
        for d in outcome.errors:
            print(format_line(d), file=io.stderr)
        for line in _text(outcome.report):
            print(line, file=io.stdout)
    return EXIT_FINDINGS if outcome.failed else EXIT_OK
