"""Probe runs: the isolating runner, the probes' JSON, self-tests and cross-checks, and the
facts they give to verdicts (:class:`~mkdeck.verify.verdict.FactView`).

A probe's facts are trusted only when it exited cleanly, printed its JSON, left no process
behind, passed its start-up self-test (the catalogue's known-true and known-false statements
of its family) and, where an independent implementation exists, agreed with it (research 7.1).
"""

from __future__ import annotations

import json
import logging
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

from mkdeck.model import SourceLocation
from mkdeck.verify.catalogue import Catalogue
from mkdeck.verify.claims import Match, Statement, match_statement
from mkdeck.verify.probeset import Environment, ProbeSpec
from mkdeck.verify.verdict import FactView, Lookup

LOG = logging.getLogger(__name__)

RUNNER = Path(__file__).parent / "runner.py"



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



def make_lookup(runs: dict[str, ProbeRun], chosen: dict[str, ProbeSpec],
                skipped: dict[str, str]) -> Lookup:
    """``fact -> FactView`` over the probe runs. A fact of a probe that failed, failed its
    self-test or whose control did not behave is inconclusive; a fact no probe here can
    measure is skipped; a fact that is a setting of this host (the probe reports
    ``host_value``) with no general measurement is host-dependent."""
    cache: dict[str, FactView] = {}

    def lookup(fact: str) -> FactView:
        if fact not in cache:
            cache[fact] = _view(fact, runs, chosen, skipped)
        return cache[fact]
    return lookup


def _view(fact: str, runs: dict[str, ProbeRun], chosen: dict[str, ProbeSpec],
          skipped: dict[str, str]) -> FactView:
    spec = chosen.get(fact)
    if spec is None:
        return FactView("skipped", reason=skipped.get(fact, "no probe"))
    run = runs[spec.name]
    if run.error:
        return FactView("inconclusive", reason=f"probe {spec.name} {run.error}", probe=spec.name,
                        ms=run.ms)
    if run.selftest_failures:
        return FactView("inconclusive", reason=f"probe {spec.name} failed its self-test: "
                        + "; ".join(run.selftest_failures), probe=spec.name, ms=run.ms)
    got = run.facts.get(fact)
    if got is None:
        return FactView("inconclusive", reason=f"probe {spec.name} did not report {fact}",
                        probe=spec.name, ms=run.ms)
    evidence = dict(got.get("evidence") or {})
    evidence.update(measured=got.get("value"), valid=got.get("valid"))
    if not got.get("valid"):
        if "host_value" in evidence:
            return FactView("host-dependent", reason=str(evidence.get("host_dependent", "")),
                            probe=spec.name, ms=run.ms, evidence=evidence,
                            host=f"this host shows {evidence['host_value']}")
        if "disagree" in str(evidence.get("cross_check", "")):
            why = f"{fact}: {evidence['cross_check']}"
        else:
            why = f"the control of {fact} did not behave"
        return FactView("inconclusive", reason=why, probe=spec.name, ms=run.ms,
                        evidence=evidence)
    return FactView("ok", got.get("value"), probe=spec.name, ms=run.ms, evidence=evidence)
