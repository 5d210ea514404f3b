"""Verification: statements -> readings -> probes (run once each, isolated) -> verdicts.

Every statement of every card gets one verdict (issue 11): ``verified`` (every word read,
every fact it asserts measured as it says, and the self-check passed), ``refuted`` (a valid
measurement says otherwise), ``inconclusive`` (control failed, probe failed or timed out, or
the probe's start-up self-test failed), ``host-dependent`` (a setting of this host, not of
Linux), ``skipped`` (the host cannot run any probe for the fact: no compiler, no strace, not
Linux, not root), ``unchecked`` (with the reason: what was not understood).
"""

from __future__ import annotations

import json
import contextlib
import logging
import os
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

from mkdeck.codes import INTERNAL_ERROR, register
from mkdeck.model import Claim, Diagnostic, Field, Note, ParseResult, Severity, SourceLocation
from mkdeck.verify.catalogue import Catalogue, default_catalogue
from mkdeck.verify.claims import CodeBlock, context_subjects, read_card, subjects_in
from mkdeck.verify.probeset import PROBES, Environment, ProbeSpec, argv_for, build_c, choose
from mkdeck.verify.probing import (ProbeRun, _cross_check, _parse_probe, _selftest,
                                   make_lookup, run_jobs, selftest_statements)
from mkdeck.verify.selfcheck import self_check
from mkdeck.verify.verdict import VERDICTS, Judged, Lookup, Plan, judge_plan, plan_statement

LOG = logging.getLogger(__name__)

__all__ = ["ClaimResult", "CodeResult", "VerificationReport", "verify_notes", "run_jobs",
           "selftest_statements", "judge_statement", "said"]

UNKNOWN_CHECK = register(
    "MKD401", Severity.ERROR, "unknown verify check id",
    fix="Use a check id from mkdeck's catalogue (mkdeck/verify/catalogue/*.yaml), or remove "
        "the <!--verify: ...--> comment.",
    bad="- fork() returns the child's PID <!--verify: fork.retrns-pid-->",
    good="- fork() returns the child's PID <!--verify: fork.returns-child-pid-->",
)
REFUTED = register(
    "MKD402", Severity.ERROR, "claim refuted on the running kernel",
    fix="Correct the statement: a live check on this kernel measured the opposite (see the "
        "evidence).",
    bad="- `CLONE_FILES` The set of open files is copied",
    good="- `CLONE_FILES` The set of open files is shared",
)
INCONCLUSIVE = register(
    "MKD403", Severity.WARNING, "claim could not be decided",
    fix="The probe failed, timed out or its control misbehaved; rerun mkdeck verify, and "
        "report the evidence if it persists.",
)
SKIPPED = register(
    "MKD404", Severity.INFO, "claim skipped on this host",
    fix="Install what the probe needs (a C compiler, strace) or run as root to check it.",
)
UNCHECKED = register(
    "MKD405", Severity.INFO, "statement not checked: a word of it was not understood",
    fix="The message names the words mkdeck verify could not read. Rephrase the statement in "
        "words the catalogue reads (mkdeck verify --explain PATH:LINE shows how it was read), "
        "attach a check with <!--verify: id-->, or add the word to a check in the catalogue.",
)
HOST_DEPENDENT = register(
    "MKD409", Severity.INFO, "claim depends on this host's settings",
    fix="Say what holds in general (a child inherits its parent's nice value) or mark the "
        "statement as host-dependent on the card; the message says what this host shows.",
    bad="- processes start with the nice value of PID 1 on this machine",
    good="- a child inherits the nice value of its parent",
)
CODE_MISMATCH = register(
    "MKD406", Severity.ERROR, "verify code block output differs",
    fix="Make the ```output block show what the program really prints.",
)
CODE_FAILED = register(
    "MKD407", Severity.WARNING, "verify code block could not be run",
    fix="Fix the program so it builds and exits within the timeout, or add an ```output block.",
)
CODE_NOT_RUN = register(
    "MKD408", Severity.INFO, "verify code block not run",
    fix="Pass --run-code to compile and run fenced blocks marked verify.",
)


@dataclass(frozen=True)
class ClaimResult:
    """A statement with its verdict.

    Attributes:
        claim: the :class:`~mkdeck.model.Claim` (``check`` is ``None`` when no check reads it).
        verdict: one of :data:`~mkdeck.verify.verdict.VERDICTS`.
        evidence: measured values, asserted values, controls, probe, reasons.
        ms: wall time of the probe run(s) the verdict rests on, in milliseconds.
        reason: why the verdict is not verified (``""`` when it is), e.g.
            ``"not understood: Solaris"``.
        slots: the typed values read, per segment (:meth:`Judged.slots`).
        mutants: the self-check's changed copies and their verdicts.
    """

    claim: Claim
    verdict: str
    evidence: dict[str, Any]
    ms: float
    reason: str = ""
    slots: tuple[dict[str, Any], ...] = ()
    mutants: tuple[dict[str, Any], ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """``{"path", "line", "card_line", "text", "check", "verdict", "evidence", "ms",
        "reason", "slots"}``."""
        c = self.claim
        return {"path": c.location.path, "line": c.location.line,
                "card_line": c.card_location.line, "text": c.text, "check": c.check,
                "verdict": self.verdict, "evidence": self.evidence, "ms": round(self.ms, 1),
                "reason": self.reason, "slots": list(self.slots)}


@dataclass(frozen=True)
class CodeResult:
    """A ``verify`` code block and what running it gave (``not-run`` without --run-code)."""

    block: CodeBlock
    verdict: str
    evidence: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        b = self.block
        return {"path": b.location.path, "line": b.location.line,
                "card_line": b.card_location.line, "lang": b.lang, "verdict": self.verdict,
                "evidence": self.evidence}


@dataclass(frozen=True)
class VerificationReport:
    """What ``mkdeck verify`` found.

    Attributes:
        claims: one result per statement of every card, in vault order (unchecked ones
            included, with their reason).
        unchecked: the statements whose verdict is unchecked.
        host: kernel, arch, uid, cc, strace (+ isolation facts).
        summary: verdict -> count (every verdict of ``VERDICTS`` present).
        diagnostics: unknown check ids, and one diagnostic per non-verified claim, unchecked
            statement and code block.
        code_blocks: ``verify`` code blocks and their results.
        probes: per probe run: name, ms, outcome.
    """

    claims: tuple[ClaimResult, ...]
    unchecked: tuple[ClaimResult, ...]
    host: dict[str, Any]
    summary: dict[str, int]
    diagnostics: tuple[Diagnostic, ...]
    code_blocks: tuple[CodeResult, ...] = ()
    probes: tuple[dict[str, Any], ...] = ()

    @property
    def refuted(self) -> bool:
        """Whether any claim or code block was refuted."""
        return self.summary.get("refuted", 0) > 0 or any(
            c.verdict == "refuted" for c in self.code_blocks)

    def to_dict(self) -> dict[str, Any]:
        """The JSON of issue 5: ``{"host", "claims", "unchecked", "summary"}`` plus
        ``"code_blocks"``, ``"probes"`` and ``"diagnostics"``."""
        return {
            "host": self.host,
            "claims": [c.to_dict() for c in self.claims],
            "unchecked": [{"path": r.claim.location.path, "line": r.claim.location.line,
                           "text": r.claim.text, "reason": r.reason} for r in self.unchecked],
            "summary": dict(self.summary),
            "code_blocks": [c.to_dict() for c in self.code_blocks],
            "probes": list(self.probes),
            "diagnostics": [d.to_dict() for d in self.diagnostics],
        }


# ---- code blocks ------------------------------------------------------------------------------

def _code_job(block: CodeBlock, n: int, workdir: str, env: Environment) -> dict[str, Any] | None:
    lang = block.lang.lower()
    ext = {"c": ".c", "python": ".py", "py": ".py", "sh": ".sh", "bash": ".sh"}.get(lang)
    if ext is None:
        return None
    src = os.path.join(workdir, f"block{n}{ext}")
    Path(src).write_text(block.code, encoding="utf-8")
    if ext == ".c":
        if not env.cc:
            return None
        binary = os.path.join(workdir, f"block{n}")
        argv = ["/bin/sh", "-c", 'cc_="$1"; shift; "$cc_" -O1 -w -o "$1" "$2" && exec "$1"',
                "sh", env.cc, binary, src]
    elif ext == ".py":
        argv = [env.python, "-I", src]
    else:
        argv = ["/bin/sh" if lang == "sh" else (env.env.get("BASH") or "/bin/bash"), src]
    return {"name": f"code-{n}", "argv": argv, "timeout": 10, "cwd": workdir}


def _judge_code(block: CodeBlock, outcome: dict[str, Any] | None, why: str) -> CodeResult:
    if outcome is None:
        return CodeResult(block, "skipped", {"reason": why})
    ev = {k: outcome.get(k) for k in ("rc", "signal", "timed_out", "ms")}
    ev["stdout"] = outcome.get("stdout", "")[:2000]
    if "error" in outcome or outcome.get("timed_out") or outcome.get("signal") is not None:
        ev["reason"] = outcome.get("error") or "timed out or killed"
        return CodeResult(block, "inconclusive", ev)
    if outcome.get("rc") != 0:
        ev["stderr"] = outcome.get("stderr", "")[-2000:]
        ev["reason"] = f"exit status {outcome.get('rc')}"
        return CodeResult(block, "inconclusive", ev)
    if block.expected is None:
        return CodeResult(block, "inconclusive", dict(ev, reason="no ```output block follows"))
    got = "\n".join(line.rstrip() for line in outcome.get("stdout", "").rstrip("\n").split("\n"))
    want = "\n".join(line.rstrip() for line in block.expected.rstrip("\n").split("\n"))
    ev["expected"] = block.expected
    return CodeResult(block, "verified" if got == want else "refuted", ev)


# ---- the whole verification -------------------------------------------------------------------

def _field_lines(note: Note, fld: Field, index: Any) -> list[tuple[str, SourceLocation]]:
    if index is not None:
        try:
            from mkdeck.vault.embeds import expand_embeds

            return expand_embeds(fld, note, index)
        except Exception:  # a failure in link expansion must not stop verification
            LOG.exception("expand_embeds failed for %s", fld.location)
    if not fld.markdown:
        return []
    return [(line, SourceLocation(note.location.path, fld.line_of(i)))
            for i, line in enumerate(fld.markdown.split("\n"))]


def collect(result: ParseResult, catalogue: Catalogue
            ) -> tuple[list[Plan], list[CodeBlock], list[Diagnostic]]:
    """Every statement of every card, planned (matched and read): ``(plans, code blocks,
    diagnostics)``. A card or statement mkdeck fails to read costs a diagnostic, never the
    verification."""
    index = None
    try:
        from mkdeck.vault.links import VaultIndex

        index = VaultIndex(result.vault)
    except Exception:  # links stage missing or broken: read the fields' own lines
        LOG.debug("no VaultIndex; embeds are not expanded", exc_info=True)
    plans: list[Plan] = []
    blocks: list[CodeBlock] = []
    diags: list[Diagnostic] = []
    for note in result.notes:
        try:
            card = read_card(note, [_field_lines(note, f, index) for f in note.fields])
        except Exception as exc:  # a bug must cost one card, not the verification
            LOG.exception("reading the card at %s failed", note.location)
            diags.append(INTERNAL_ERROR.at(note.location, f"mkdeck could not read this card's "
                                           f"statements ({type(exc).__name__}: {exc})"))
            continue
        blocks.extend(card.code_blocks)
        for st in card.statements:
            try:
                plan = plan_statement(st, catalogue)
            except Exception as exc:
                LOG.exception("reading %s failed", st.location)
                diags.append(INTERNAL_ERROR.at(st.location, "mkdeck could not read this "
                                               f"statement ({type(exc).__name__}: {exc})"))
                continue
            for check_id in st.explicit:
                if catalogue.check(check_id) is None:
                    diags.append(UNKNOWN_CHECK.at(
                        st.location, f"unknown check id {check_id!r} in <!--verify: ...-->; "
                        "see mkdeck/verify/catalogue/*.yaml for the ids"))
            plans.append(plan)
    return plans, blocks, diags


def judge_statement(plan: Plan, catalogue: Catalogue, lookup: Lookup) -> Judged:
    """The final verdict of a planned statement: judged on the facts, then self-checked
    (:mod:`mkdeck.verify.selfcheck`)."""
    return self_check(judge_plan(plan, lookup), catalogue, lookup)


def _result(judged: Judged, catalogue: Catalogue) -> ClaimResult:
    st = judged.plan.statement
    check = judged.judged_by
    subject = judged.plan.match.subject if judged.plan.match else None
    if subject is None:
        found = subjects_in(st.text, catalogue) or context_subjects(st, catalogue)
        subject = found[0] if found else None
    polarity = judged.plan.match.polarity if judged.plan.match else True
    claim = Claim(st.location, st.card_location, st.display or st.text, subject,
                  check.id if check else None, polarity)
    evidence: dict[str, Any] = {"probe": ", ".join(judged.probes) or None,
                                "facts": judged.facts}
    if judged.reason:
        evidence["reason"] = judged.reason
    if check is not None and check.host_dependent:
        evidence["host_dependent"] = check.host_dependent
    if judged.host:
        evidence["host_shows"] = judged.host
    if judged.verdict == "refuted" and check is not None and check.says:
        evidence["true_statement"] = check.says
    if judged.mutants:
        evidence["self_check"] = judged.mutants
    return ClaimResult(claim, judged.verdict, evidence, judged.ms, judged.reason,
                       tuple(judged.slots()), tuple(judged.mutants))


def _diagnostic(r: ClaimResult, names: tuple[str, ...] = ()) -> Diagnostic | None:
    """The finding for a verdict (``None`` for verified ones and for remarks no check is
    about); ``names``: the syscall, flag and signal names the statement mentions."""
    c, ev = r.claim, r.evidence
    if r.verdict == "refuted":
        return REFUTED.at(c.location, f"{c.check}: {c.text!r} is refuted: "
                          f"{ev.get('reason') or _measured(ev)}; the true statement: "
                          f"{ev.get('true_statement', '')}")
    if r.verdict == "inconclusive":
        return INCONCLUSIVE.at(c.location, f"{c.check}: {ev.get('reason', 'undecided')}")
    if r.verdict == "skipped":
        return SKIPPED.at(c.location, f"{c.check}: {ev.get('reason', 'skipped')}")
    if r.verdict == "host-dependent":
        return HOST_DEPENDENT.at(c.location, f"{c.check}: {c.text!r} depends on the host: "
                                 f"{ev.get('host_shows', '')} ({ev.get('host_dependent', '')})")
    if r.verdict == "unchecked" and (c.check is not None or names):
        # a statement a check partly read, or one that names a syscall, flag or signal: worth
        # a finding; a remark no check is about is listed in the report only
        return UNCHECKED.at(c.location, f"{c.text!r} is unchecked ({r.reason})")
    return None


def _run_probes(plans: list[Plan], blocks: list[CodeBlock], run_code: bool, jobs: int | None,
                env: Environment, catalogue: Catalogue, probes: Sequence[ProbeSpec]
                ) -> tuple[Any, ...]:
    """Choose, build and run the probes every plan needs (and the code blocks): ``(lookup,
    runs, witnesses, code jobs, outcomes, runner info)``."""
    needed = set().union(*(p.facts() for p in plans)) if plans else set()
    chosen, skipped = choose(needed, env, probes)
    # build C probes; a failed build makes the compiler path unusable, so fall back
    binaries: dict[str, str] = {}
    for _ in range(3):
        broken = False
        for spec in dict.fromkeys(chosen.values()):
            if spec.kind == "c" and spec.name not in binaries:
                path, err = build_c(spec, env)
                if path is None:
                    env.broken[spec.name] = err
                    broken = True
                else:
                    binaries[spec.name] = path
        if not broken:
            break
        chosen, skipped = choose(needed, env, probes)
    specs = list(dict.fromkeys(chosen.values()))
    witnesses: dict[str, ProbeSpec] = {}
    for spec in specs:
        partner = next((p for p in probes if p.name == spec.cross_check), None)
        if partner is not None and partner not in specs and env.missing(partner) is None \
                and partner.kind != "c":
            witnesses[spec.name] = partner
    job_list = [{"name": s.name, "argv": argv_for(s, env, binaries.get(s.name)),
                 "timeout": s.timeout, "exclusive": s.exclusive}
                for s in specs + list(witnesses.values())]
    code_jobs: dict[int, dict[str, Any]] = {}
    # a folder for the code blocks only when they run: without --run-code nothing is created
    workdir_cm = (tempfile.TemporaryDirectory(prefix="mkdeck-code-") if run_code and blocks
                  else contextlib.nullcontext(""))
    with workdir_cm as workdir:
        if run_code:
            for n, block in enumerate(blocks):
                job = _code_job(block, n, workdir, env)
                if job is not None:
                    code_jobs[n] = job
        parallel = jobs or os.cpu_count() or 1
        outcomes, runner_info = run_jobs(job_list + list(code_jobs.values()), parallel, env)
    runs = {s.name: ProbeRun(s, outcomes.get(s.name, {"error": "not run"})) for s in specs}
    for run in runs.values():
        _parse_probe(run)
    _selftest(runs, catalogue)
    for name, partner in witnesses.items():
        witness = ProbeRun(partner, outcomes.get(partner.name, {"error": "not run"}))
        _parse_probe(witness)
        _cross_check(runs[name], witness)
    return (make_lookup(runs, chosen, skipped), runs, witnesses, code_jobs, outcomes,
            runner_info)


def verify_notes(result: ParseResult, *, run_code: bool = False, jobs: int | None = None,
                 env: Environment | None = None, catalogue: Catalogue | None = None,
                 probes: Sequence[ProbeSpec] = PROBES) -> VerificationReport:
    """Verify every statement of the notes in ``result`` on the running kernel.

    Args:
        result: notes from ``mkdeck.app.load.load`` (``result.notes``; links resolve across
            ``result.vault``).
        run_code: compile/run fenced ``verify`` blocks (else they are only listed).
        jobs: probes run at once (default: the CPU count); timing-sensitive probes run alone.
        env: the host (default: :meth:`Environment.detect`); tests pass a changed ``PATH``.
        catalogue: default: the package's catalogue.
        probes: the probes to choose from (default: the built-in ones; tests pass
            misbehaving ones).

    Every statement of every card is listed; it is verified only when every word of it is
    read into a slot, every fact it asserts is measured as it says, and the self-check
    passes (issue 11).

    Returns:
        The :class:`VerificationReport`: one :class:`ClaimResult` per statement. Never raises
        for bad input or a failing probe: those become verdicts and diagnostics.
    """
    catalogue = catalogue or default_catalogue()
    env = env or Environment.detect()
    t0 = time.monotonic()
    plans, blocks, diags = collect(result, catalogue)
    lookup, runs, witnesses, code_jobs, outcomes, runner_info = _run_probes(
        plans, blocks, run_code, jobs, env, catalogue, probes)
    results: list[ClaimResult] = []
    for plan in plans:
        try:
            res = _result(judge_statement(plan, catalogue, lookup), catalogue)
        except Exception as exc:  # a reader bug costs one statement, never the run
            LOG.exception("judging %s failed", plan.statement.location)
            diags.append(INTERNAL_ERROR.at(plan.statement.location, "mkdeck could not judge "
                                           f"this statement ({type(exc).__name__}: {exc})"))
            continue
        results.append(res)
        d = _diagnostic(res, plan.statement.names)
        if d is not None:
            diags.append(d)
    code_results = [_code_result(n, block, run_code, code_jobs, outcomes, env, diags)
                    for n, block in enumerate(blocks)]
    summary = Counter(r.verdict for r in results)
    host = env.host()
    host["isolation"] = {
        "subreaper": runner_info.get("subreaper"),
        "pids_cgroup": runner_info.get("pids_cgroup"),
        **({"pids_cgroup_reason": runner_info["pids_cgroup_reason"]}
           if runner_info.get("pids_cgroup_reason") else {}),
    }
    probes_info = tuple(
        {"name": r.spec.name, "ms": r.ms, "ok": not r.error and not r.selftest_failures,
         **({"witness": witnesses[r.spec.name].name} if r.spec.name in witnesses else {}),
         **({"witness_error": r.cross_check_note} if r.cross_check_note else {}),
         **({"error": r.error} if r.error else {}),
         **({"selftest_failures": r.selftest_failures} if r.selftest_failures else {})}
        for r in runs.values()
    )
    LOG.debug("judged %d statements in %.0f ms", len(results), (time.monotonic() - t0) * 1000)
    return VerificationReport(
        claims=tuple(results),
        unchecked=tuple(r for r in results if r.verdict == "unchecked"),
        host=host,
        summary={v: summary.get(v, 0) for v in VERDICTS},
        diagnostics=tuple(sorted(diags, key=Diagnostic.sort_key)),
        code_blocks=tuple(code_results),
        probes=probes_info,
    )


def _code_result(n: int, block: CodeBlock, run_code: bool, code_jobs: dict[int, dict[str, Any]],
                 outcomes: dict[str, Any], env: Environment, diags: list[Diagnostic]
                 ) -> CodeResult:
    if not run_code:
        diags.append(CODE_NOT_RUN.at(block.location, f"```{block.lang} verify block not "
                                     "run; pass --run-code to run it"))
        return CodeResult(block, "not-run", {"reason": "pass --run-code to run it"})
    job = code_jobs.get(n)
    why = ("no C compiler" if block.lang.lower() == "c" and not env.cc
           else f"language {block.lang!r} is not runnable (c, python, sh)")
    res = _judge_code(block, outcomes.get(job["name"]) if job else None, why)
    if res.verdict == "refuted":
        diags.append(CODE_MISMATCH.at(block.location, "the program printed "
                                      f"{res.evidence.get('stdout', '')!r}, the "
                                      "```output block says otherwise"))
    elif res.verdict in ("inconclusive", "skipped"):
        diags.append(CODE_FAILED.at(block.location, str(res.evidence.get("reason"))))
    return res


def said(asserted: Any) -> str:
    """What a statement asserts, in words: ``{"not": true}`` -> ``"not true"``."""
    if isinstance(asserted, dict) and set(asserted) == {"not"}:
        return f"not {json.dumps(asserted['not'])}"
    return json.dumps(asserted)


def _measured(evidence: dict[str, Any]) -> str:
    out = []
    for key, f in evidence.get("facts", {}).items():
        if "measured" in f:
            out.append(f"measured {key} = {json.dumps(f['measured'])}, the statement says "
                       f"{said(f['asserted'])}")
    return "; ".join(out) or "measured otherwise"
