"""Verification: statements -> checks -> probes (run once each, isolated) -> verdicts.

Verdicts (issue 5): ``verified`` (the measured fact is what the statement says),
``refuted`` (a valid measurement says the opposite), ``inconclusive`` (control failed, probe
failed or timed out, or the probe's start-up self-test failed), ``skipped`` (the host cannot
run any probe for the fact: no compiler, no strace, not Linux, not root).
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

from mkdeck.codes import INTERNAL_ERROR, register
from mkdeck.model import Claim, Diagnostic, Field, Note, ParseResult, Severity, SourceLocation
from mkdeck.verify.catalogue import Catalogue, default_catalogue
from mkdeck.verify.claims import (CodeBlock, Match, Statement, match_statement, read_card,
                                  to_claim)
from mkdeck.verify.probeset import PROBES, Environment, ProbeSpec, argv_for, build_c, choose

LOG = logging.getLogger(__name__)

RUNNER = Path(__file__).parent / "runner.py"
VERDICTS = ("verified", "refuted", "inconclusive", "skipped")

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
    "MKD405", Severity.INFO, "statement names a syscall, flag or signal but no check matches",
    fix="Rephrase it in a shape the catalogue knows, attach a check with <!--verify: id-->, "
        "or add a check to the catalogue.",
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
    """A claim with its verdict.

    Attributes:
        claim: the :class:`~mkdeck.model.Claim`.
        verdict: verified | refuted | inconclusive | skipped.
        evidence: measured values, asserted values, controls, probe, reasons.
        ms: wall time of the probe run(s) the verdict rests on, in milliseconds.
    """

    claim: Claim
    verdict: str
    evidence: dict[str, Any]
    ms: float

    def to_dict(self) -> dict[str, Any]:
        """``{"path", "line", "card_line", "text", "check", "verdict", "evidence", "ms"}``."""
        c = self.claim
        return {"path": c.location.path, "line": c.location.line,
                "card_line": c.card_location.line, "text": c.text, "check": c.check,
                "verdict": self.verdict, "evidence": self.evidence, "ms": round(self.ms, 1)}


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
        claims: one result per checked statement, in vault order.
        unchecked: statements that name a syscall, flag or signal but match no check.
        host: kernel, arch, uid, cc, strace (+ isolation facts).
        summary: verdict -> count (all four verdicts present).
        diagnostics: unknown check ids, and one diagnostic per non-verified claim, unchecked
            statement and code block.
        code_blocks: ``verify`` code blocks and their results.
        probes: per probe run: name, ms, outcome.
    """

    claims: tuple[ClaimResult, ...]
    unchecked: tuple[Statement, ...]
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
            "unchecked": [{"path": s.location.path, "line": s.location.line, "text": s.text}
                          for s in self.unchecked],
            "summary": dict(self.summary),
            "code_blocks": [c.to_dict() for c in self.code_blocks],
            "probes": list(self.probes),
            "diagnostics": [d.to_dict() for d in self.diagnostics],
        }


# ---- probe runs -------------------------------------------------------------------------------

@dataclass
class ProbeRun:
    """One probe's run: the runner's outcome and the facts it printed."""

    spec: ProbeSpec
    outcome: dict[str, Any] = field(default_factory=dict)
    facts: dict[str, dict[str, Any]] = field(default_factory=dict)
    error: str = ""
    selftest_failures: list[str] = field(default_factory=list)
    cross_check_note: str = ""

    @property
    def ms(self) -> float:
        return float(self.outcome.get("ms", 0.0))


def run_jobs(jobs: Sequence[dict[str, Any]], parallel: int, env: Environment
             ) -> tuple[dict[str, dict[str, Any]], dict[str, Any]]:
    """Run jobs in a dedicated isolating runner process (``runner.py``).

    Args:
        jobs: ``{"name", "argv", "timeout", "exclusive"?, "max_pids"?, "cwd"?}`` each.
        parallel: how many probes may run at once.
        env: the host environment (its ``env`` is the probes' environment).

    Returns:
        ``(name -> outcome, runner info)``; an outcome has ``rc``, ``signal``, ``timed_out``,
        ``ms``, ``stdout``, ``stderr``, ``swept``, ``cgroup``. Jobs the runner never reported
        (it crashed) get ``{"error": ...}``.
    """
    if not jobs:
        return {}, {}
    request = json.dumps({"jobs": [dict(j, env=env.env) for j in jobs], "parallel": parallel})
    budget = sum(float(j.get("timeout", 10)) for j in jobs) + 30
    results: dict[str, dict[str, Any]] = {}
    info: dict[str, Any] = {}
    try:
        proc = subprocess.run([env.python, "-E", "-s", str(RUNNER)], input=request,
                              capture_output=True, text=True, timeout=budget,
                              env=env.env, start_new_session=True)
        out = proc.stdout
        if proc.returncode != 0:
            info["error"] = f"runner exited {proc.returncode}: {proc.stderr.strip()[-500:]}"
    except subprocess.TimeoutExpired as exc:
        out = exc.stdout.decode() if isinstance(exc.stdout, bytes) else (exc.stdout or "")
        info["error"] = f"runner timed out after {budget:.0f} s"
    for line in out.splitlines():
        try:
            item = json.loads(line)
        except ValueError:
            continue
        if "runner" in item:
            info.update(item["runner"])
        elif "done" in item:
            info.update(item["done"])
        elif "name" in item:
            results[item["name"]] = item
    for job in jobs:
        results.setdefault(job["name"], {"error": info.get("error", "runner gave no result")})
    return results, info


def _parse_probe(run: ProbeRun) -> None:
    o = run.outcome
    if "error" in o:
        run.error = o["error"]
        return
    if o.get("timed_out"):
        run.error = f"timed out after {o.get('ms', 0):.0f} ms (process group killed)"
    elif o.get("signal"):
        run.error = f"killed by signal {o['signal']}"
    elif o.get("rc") != 0:
        run.error = f"exited with status {o.get('rc')}: {o.get('stderr', '').strip()[-300:]}"
    elif o.get("swept"):
        # a trusted probe waits for everything it starts; one that leaves processes behind
        # (a detached grandchild holding its output) is misbehaving, so its facts are not used
        run.error = (f"left {o['swept']} process(es) running after it exited "
                     "(killed by the runner's sweep)")
    data = None
    for line in reversed(o.get("stdout", "").splitlines()):
        if line.startswith("{"):
            try:
                data = json.loads(line)
                break
            except ValueError:
                continue
    if data is None or not isinstance(data.get("facts"), dict):
        run.error = run.error or "printed no JSON facts"
        return
    if not run.error:
        run.facts = data["facts"]


# ---- verdicts ---------------------------------------------------------------------------------

def _equal(measured: Any, asserted: Any) -> bool:
    if isinstance(asserted, bool) or isinstance(measured, bool):
        return bool(measured) is bool(asserted)
    return measured == asserted


def judge(match: Match, runs: dict[str, ProbeRun], chosen: dict[str, ProbeSpec],
          skipped: dict[str, str]) -> tuple[str, dict[str, Any], float]:
    """Verdict, evidence and ms for a matched statement, from the probes' facts."""
    verdicts: list[str] = []
    facts: dict[str, Any] = {}
    reasons: list[str] = []
    probes: list[str] = []
    ms = 0.0
    for part in match.parts:
        spec = chosen.get(part.fact)
        entry: dict[str, Any] = {"asserted": part.value if part.polarity else {"not": part.value}}
        facts[part.fact] = entry
        if part.error:
            verdicts.append("inconclusive")
            reasons.append(part.error)
            continue
        if spec is None:
            verdicts.append("skipped")
            reasons.append(skipped.get(part.fact, "no probe"))
            continue
        run = runs[spec.name]
        probes.append(spec.name)
        ms = max(ms, run.ms)
        if run.error:
            verdicts.append("inconclusive")
            reasons.append(f"probe {spec.name} {run.error}")
            continue
        if run.selftest_failures:
            verdicts.append("inconclusive")
            reasons.append(f"probe {spec.name} failed its self-test: "
                           + "; ".join(run.selftest_failures))
            continue
        fact = run.facts.get(part.fact)
        if fact is None:
            verdicts.append("inconclusive")
            reasons.append(f"probe {spec.name} did not report {part.fact}")
            continue
        entry.update({k: v for k, v in (fact.get("evidence") or {}).items()
                      if k not in ("asserted", "measured", "valid")})
        entry.update(measured=fact.get("value"), valid=fact.get("valid"))
        if not fact.get("valid"):
            verdicts.append("inconclusive")
            if "disagree" in str((fact.get("evidence") or {}).get("cross_check", "")):
                reasons.append(f"{part.fact}: {fact['evidence']['cross_check']}")
            else:
                reasons.append(f"the control of {part.fact} did not behave")
            continue
        same = _equal(fact.get("value"), part.value)
        verdicts.append("verified" if same == part.polarity else "refuted")
    if "refuted" in verdicts:
        verdict = "refuted"
    elif "inconclusive" in verdicts:
        verdict = "inconclusive"
    elif "skipped" in verdicts:
        verdict = "skipped"
    else:
        verdict = "verified"
    evidence: dict[str, Any] = {"probe": ", ".join(dict.fromkeys(probes)) or None,
                                "facts": facts}
    if reasons:
        evidence["reason"] = "; ".join(dict.fromkeys(reasons))
    if match.check.host_dependent:
        evidence["host_dependent"] = match.check.host_dependent
    if verdict == "refuted" and match.check.says:
        evidence["true_statement"] = match.check.says
    return verdict, evidence, ms


def selftest_statements(catalogue: Catalogue) -> list[tuple[Any, Match | None]]:
    """Every self-test of the catalogue with the check it matches (``None``: no check, a
    catalogue bug that ``tests/test_verify_catalogue.py`` reports)."""
    out = []
    for test in catalogue.selftests:
        loc = SourceLocation("<self-test>", 0)
        st = Statement(test.text, loc, loc, (test.subject,) if test.subject else ())
        out.append((test, match_statement(st, catalogue)[0]))
    return out


def _cross_check(run: ProbeRun, witness: ProbeRun) -> None:
    """Facts two independent implementations both report must agree; a disagreement makes
    the fact invalid (inconclusive), an agreement is recorded in its evidence."""
    if run.error:
        return
    if witness.error:
        run.cross_check_note = f"{witness.spec.name} {witness.error}"
        return
    for key, fact in run.facts.items():
        other = witness.facts.get(key)
        if other is None or not other.get("valid"):
            continue
        evidence = dict(fact.get("evidence") or {})
        if other.get("value") == fact.get("value"):
            evidence["cross_check"] = f"{witness.spec.name} agrees"
            run.facts[key] = dict(fact, evidence=evidence)
        else:
            evidence["cross_check"] = (f"{witness.spec.name} measured "
                                       f"{json.dumps(other.get('value'))}: implementations "
                                       "disagree")
            run.facts[key] = dict(fact, valid=False, evidence=evidence)


def _selftest(runs: dict[str, ProbeRun], catalogue: Catalogue) -> None:
    """Run each probe family's known statements against the probe's own facts: a known-true
    statement must be verified and a known-false one refuted, else the probe is not trusted
    and all its verdicts become inconclusive. A self-test whose statement matches no check is
    a catalogue bug, not a probe failure: it is skipped (and logged)."""
    tests = selftest_statements(catalogue)
    for run in runs.values():
        if run.error:
            continue
        clean = ProbeRun(run.spec, run.outcome, run.facts)
        for test, match in tests:
            if test.family != run.spec.family:
                continue
            if match is None:
                LOG.warning("self-test %r of %s matches no check", test.text, test.family)
                continue
            if not all(run.spec.provides(p.fact) for p in match.parts):
                continue
            chosen = {p.fact: run.spec for p in match.parts}
            verdict, _, _ = judge(match, {run.spec.name: clean}, chosen, {})
            if verdict != test.expect:
                run.selftest_failures.append(
                    f"{test.text!r} gave {verdict}, expected {test.expect}")


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
            ) -> tuple[list[tuple[Statement, Match]], list[Statement], list[CodeBlock],
                       list[Diagnostic]]:
    """Every card's statements, matched: ``(matched, unchecked, code blocks, diagnostics)``."""
    index = None
    try:
        from mkdeck.vault.links import VaultIndex

        index = VaultIndex(result.vault)
    except Exception:  # links stage missing or broken: read the fields' own lines
        LOG.debug("no VaultIndex; embeds are not expanded", exc_info=True)
    matched: list[tuple[Statement, Match]] = []
    unchecked: list[Statement] = []
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
                match, unknown = match_statement(st, catalogue)
            except Exception as exc:
                LOG.exception("matching %s failed", st.location)
                diags.append(INTERNAL_ERROR.at(st.location, "mkdeck could not match this "
                                               f"statement ({type(exc).__name__}: {exc})"))
                continue
            for check_id in unknown:
                diags.append(UNKNOWN_CHECK.at(
                    st.location, f"unknown check id {check_id!r} in <!--verify: ...-->; "
                    "see mkdeck/verify/catalogue/*.yaml for the ids"))
            if match is not None:
                matched.append((st, match))
            elif st.names:
                unchecked.append(st)
    return matched, unchecked, blocks, diags


def verify_notes(result: ParseResult, *, run_code: bool = False, jobs: int | None = None,
                 env: Environment | None = None, catalogue: Catalogue | None = None,
                 probes: Sequence[ProbeSpec] = PROBES) -> VerificationReport:
    """Verify every checkable statement of the notes in ``result`` on the running kernel.

    Args:
        result: notes from ``mkdeck.app.load.load`` (``result.notes``; links resolve across
            ``result.vault``).
        run_code: compile/run fenced ``verify`` blocks (else they are only listed).
        jobs: probes run at once (default: the CPU count); timing-sensitive probes run alone.
        env: the host (default: :meth:`Environment.detect`); tests pass a changed ``PATH``.
        catalogue: default: the package's catalogue.
        probes: the probes to choose from (default: the built-in ones; tests pass
            misbehaving ones).

    Returns:
        The :class:`VerificationReport`. Never raises for bad input or a failing probe: those
        become verdicts and diagnostics.
    """
    catalogue = catalogue or default_catalogue()
    env = env or Environment.detect()
    t0 = time.monotonic()
    matched, unchecked, blocks, diags = collect(result, catalogue)
    needed = {p.fact for _, m in matched for p in m.parts}
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
    with tempfile.TemporaryDirectory(prefix="mkdeck-code-") as workdir:
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

    results: list[ClaimResult] = []
    for st, match in matched:
        verdict, evidence, ms = judge(match, runs, chosen, skipped)
        claim = to_claim(st, match, catalogue)
        results.append(ClaimResult(claim, verdict, evidence, ms))
        if verdict == "refuted":
            diags.append(REFUTED.at(st.location, f"{match.check.id}: {st.text!r} is refuted: "
                                    f"{_measured(evidence)}; the true statement: "
                                    f"{match.check.says}"))
        elif verdict == "inconclusive":
            diags.append(INCONCLUSIVE.at(st.location, f"{match.check.id}: "
                                         f"{evidence.get('reason', 'undecided')}"))
        elif verdict == "skipped":
            diags.append(SKIPPED.at(st.location, f"{match.check.id}: "
                                    f"{evidence.get('reason', 'skipped')}"))
    for st in unchecked:
        diags.append(UNCHECKED.at(st.location, f"{st.text!r} names {', '.join(st.names)} but "
                                  "matches no check in the catalogue"))
    code_results: list[CodeResult] = []
    for n, block in enumerate(blocks):
        if not run_code:
            res = CodeResult(block, "not-run", {"reason": "pass --run-code to run it"})
            diags.append(CODE_NOT_RUN.at(block.location, f"```{block.lang} verify block not "
                                         "run; pass --run-code to run it"))
        else:
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
        code_results.append(res)
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
    LOG.debug("verified %d claims in %.0f ms", len(results), (time.monotonic() - t0) * 1000)
    return VerificationReport(
        claims=tuple(results),
        unchecked=tuple(unchecked),
        host=host,
        summary={v: summary.get(v, 0) for v in VERDICTS},
        diagnostics=tuple(sorted(diags, key=Diagnostic.sort_key)),
        code_blocks=tuple(code_results),
        probes=probes_info,
    )


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
