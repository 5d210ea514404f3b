"""From a statement to one verdict: match, read every word, compare every slot with the
measured facts, then the self-check (issue 11).

Verdicts: ``verified`` (every segment read and every fact it asserts measured as it says),
``refuted`` (a fully read segment says what a valid measurement contradicts), ``inconclusive``
(a probe or its control failed), ``skipped`` (the host cannot run the probe),
``host-dependent`` (the fact is a setting of this host, not of Linux), ``unchecked`` (with the
reason: a word not understood, no check, or a self-check that failed).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace
from typing import Any, Callable, Mapping

from mkdeck.verify.catalogue import Catalogue, Check
from mkdeck.verify.claims import Match, PartMatch, Statement, clauses, match_part, \
    match_statement, read_polarity, subjects_in
from mkdeck.verify.reading import Reading, Segment, read

LOG = logging.getLogger(__name__)

VERDICTS = ("verified", "refuted", "inconclusive", "host-dependent", "skipped", "unchecked")


@dataclass(frozen=True)
class FactView:
    """What the probes say about one fact.

    Attributes:
        state: ``"ok"`` (measured, control valid), ``"inconclusive"`` or ``"skipped"``.
        value: the measured value (``state == "ok"``).
        reason: why it is not ok.
        probe: the probe that measured it; ms: its wall time in milliseconds.
        evidence: the probe's evidence for the fact (measured, valid, controls, ...).
        host: for a host-dependent fact, what this host shows (``""`` otherwise).
    """

    state: str
    value: Any = None
    reason: str = ""
    probe: str | None = None
    ms: float = 0.0
    evidence: Mapping[str, Any] = field(default_factory=dict)
    host: str = ""


Lookup = Callable[[str], FactView]


@dataclass
class SegmentPlan:
    """A segment and the check that reads it (the statement's check, or its own)."""

    segment: Segment
    check: Check | None
    match: Match | None
    reading: Reading | None


@dataclass
class Plan:
    """How a statement is read: its check, its reading, and a plan per segment."""

    statement: Statement
    match: Match | None
    reading: Reading | None
    segments: list[SegmentPlan]
    explicit: bool = False

    def facts(self) -> set[str]:
        """Every fact a verdict on this statement needs."""
        out: set[str] = set()
        if self.match is not None:
            out.update(p.fact for p in self.match.parts)
        for sp in self.segments:
            if sp.check is None:
                continue
            out.update(p.fact for p in sp.check.parts)
            out.update(f[0] for f in sp.check.slot_facts if f)
        return out


@dataclass
class Judged:
    """A verdict with everything that explains it."""

    verdict: str
    plan: Plan
    reason: str = ""
    facts: dict[str, dict[str, Any]] = field(default_factory=dict)
    probes: list[str] = field(default_factory=list)
    ms: float = 0.0
    mutants: list[dict[str, Any]] = field(default_factory=list)
    host: str = ""

    @property
    def check(self) -> Check | None:
        """The statement's check (``None``: no check reads it)."""
        return self.plan.match.check if self.plan.match else None

    @property
    def judged_by(self) -> Check | None:
        """The check that judged the statement: the one every read segment was judged by,
        else the statement's own check."""
        ids = {sp.check.id: sp.check for sp in self.plan.segments if sp.check is not None}
        if len(ids) == 1:
            return next(iter(ids.values()))
        return self.check

    def slots(self) -> list[dict[str, Any]]:
        """The typed values read, per segment, with the check that read them."""
        out = []
        for sp in self.plan.segments:
            seg = sp.segment
            out.append({"segment": seg.text, "check": sp.check.id if sp.check else None,
                        "slots": [b.to_dict() for b in seg.bindings],
                        "negations": len(seg.negations), "status": seg.status,
                        **({"not_understood": [t.text for t in seg.unread]}
                           if seg.unread else {})})
        return out


def plan_statement(st: Statement, catalogue: Catalogue, match: Match | None = None,
                   only: Check | None = None) -> Plan:
    """Match ``st`` (unless ``match`` is given), read it, and give each segment that the
    statement's check does not read a chance with its own check. ``only``: read against this
    check alone (the self-check reads a changed statement with the original's check)."""
    if match is None:
        if only is not None:
            match = _forced(st, only, catalogue)
        else:
            match = match_statement(st, catalogue)[0]
    text = st.text
    if match is None:
        return Plan(st, None, None, _own_segments(st, catalogue, None) if only is None else [])
    if only is None and any(catalogue.check(i) is match.check for i in st.explicit):
        # <!--verify: id-->: the author says what the words mean; the check's facts decide
        whole = Segment(text, 0, len(text))
        return Plan(st, match, None, [SegmentPlan(whole, match.check, match, None)],
                    explicit=True)
    reading = read(text, match.check, catalogue)
    segs = []
    for seg in reading.segments:
        if seg.status != "unread" and not seg.unread:
            segs.append(SegmentPlan(seg, match.check, match, reading))
            continue
        own = None if only is not None else _segment_check(st, seg, catalogue, match.check)
        segs.append(own or SegmentPlan(seg, match.check, match, reading))
    return Plan(st, match, reading, segs)


def _forced(st: Statement, check: Check, catalogue: Catalogue) -> Match | None:
    """``st`` matched against ``check`` only (``None`` when a part does not apply)."""
    sub = Catalogue(catalogue.subjects, (check,), tuple(
        t for t in catalogue.flag_tables if check.flag_table == t.name), (), (),
        {check.id: check}, catalogue.named)
    m = match_statement(st, sub)[0]
    return m if m is not None and m.check.id == check.id else None


def _segment_check(st: Statement, seg: Segment, catalogue: Catalogue,
                   main: Check | None) -> SegmentPlan | None:
    # the statement names the subject a segment is about ("fork duplicates the caller; the
    # child has its own PID"): it is the segment's nearest heading
    sub = replace(st, text=seg.text, explicit=(),
                  headings=(" ".join((st.text, *st.headings[:1])), *st.headings))
    if main is not None:  # another check than the statement's
        catalogue = Catalogue(catalogue.subjects,
                              tuple(c for c in catalogue.checks if c.id != main.id),
                              catalogue.flag_tables, (), (),
                              {k: v for k, v in catalogue.by_id.items() if k != main.id},
                              catalogue.named)
    m = match_statement(sub, catalogue)[0]
    if m is None:
        return None
    named = set(subjects_in(st.text, catalogue))
    if "*" not in m.check.subjects and not named & set(m.check.subjects) and not (
            main is not None and set(main.subjects) & set(m.check.subjects)):
        return None  # a segment is read by a check about what the statement names
    r = read(seg.text, m.check, catalogue)
    if r.unread or any(s.status == "unread" for s in r.segments):
        return None
    one = r.segments[0] if len(r.segments) == 1 else None
    if one is None:
        return None
    one = replace(one, start=seg.start, end=seg.end)
    return SegmentPlan(one, m.check, m, r)


def _own_segments(st: Statement, catalogue: Catalogue, main: Check | None) -> list[SegmentPlan]:
    """No check reads the whole statement: each segment on its own, or unread."""
    from mkdeck.verify.lexicon import tokenize
    from mkdeck.verify.reading import segments_of

    out = []
    for toks in segments_of(tokenize(st.text)):
        seg = Segment(st.text[toks[0].start:toks[-1].end], toks[0].start, toks[-1].end)
        sp = _segment_check(st, seg, catalogue, main) if main is None else None
        if sp is None:
            seg.status = "unread"
            sp = SegmentPlan(seg, None, None, None)
        out.append(sp)
    return out


# ---- judging ----------------------------------------------------------------------------------

def _parts_in(seg: Segment, match: Match, text: str) -> list[PartMatch]:
    out = []
    for pm in match.parts:
        at = text.find(pm.clause) if pm.clause else -1
        if at < 0:
            continue
        if at < seg.end and seg.start < at + len(pm.clause):
            out.append(pm)
    return out


def _segment_part(sp: SegmentPlan, text: str, prev: Segment | None = None,
                  whole: bool = False) -> list[tuple[Any, ...]]:
    """(fact, asserted value, polarity[, "weak"]) for each fact the segment asserts; "weak":
    read from the part's predicate words in a clause without its key."""
    seg, check, match = sp.segment, sp.check, sp.match
    assert check is not None and match is not None
    parity = len(seg.negations) % 2 == 0
    if not whole and _condition(seg) and text[seg.end:].lstrip("`*_ ").startswith(","):
        return []  # "after its parent dies, ...": a condition asserts nothing of its own
    if seg.frame is not None and seg.frame < len(check.slot_facts) and check.slot_facts[seg.frame]:
        fact, value, invert = check.slot_facts[seg.frame]  # type: ignore[misc]
        if invert:  # under this frame's condition the fact holds the other way round
            own = [pm for pm in (match_part(p, seg.text, clauses(seg.text), forced=True)
                                 for p in check.parts if p.fact == fact) if pm]
            polarity = own[0].polarity if own else parity
            return [(fact, value, not polarity)]
        return [(fact, value, parity)]
    if match.check.id != check.id or sp.reading is None or whole:
        return [(p.fact, p.value, p.polarity) for p in match.parts]
    parts = _parts_in(seg, match, text)
    if parts:
        return [(p.fact, p.value, _seg_polarity(p, seg, check)) for p in parts]
    own = [pm for pm in (match_part(p, seg.text, clauses(seg.text)) for p in check.parts) if pm]
    if own:
        return [(p.fact, p.value, p.polarity) for p in own]
    # a clause with the part's predicate words but not its key ("MAP_PRIVATE: writes ... do
    # not reach the file"): the part's fact, with the polarity read in the clause
    pred = [p for p in check.parts if (p.deny and p.deny.search(seg.text))
            or (p.assert_ and p.assert_.search(seg.text))]
    if pred and len(check.parts) == 1 and (seg.negations or not (seg.bindings or _nouns(seg))):
        p = pred[0]
        return [(p.fact, p.value, read_polarity(p.deny, seg.text, (p.key, p.deny, p.assert_)),
                 "weak")]
    if _elliptical(seg) and prev is not None:
        # "exit() flushes the buffers; _exit() does not": the previous segment's predicate
        words = prev.text.split(None, 1)
        full = f"{seg.text} {words[1] if len(words) > 1 else ''}"
        own = [pm for pm in (match_part(p, full, clauses(full)) for p in check.parts) if pm]
        return [(p.fact, p.value, p.polarity) for p in own]
    return []


def _nouns(seg: Segment) -> bool:
    from mkdeck.verify.lexicon import tokenize

    return any(t.kind == "noun" for t in tokenize(seg.text))


def _condition(seg: Segment) -> bool:
    from mkdeck.verify.lexicon import tokenize

    toks = tokenize(seg.text)
    first = next((t for t in toks if t.kind != "free"), None)
    # "after its parent dies": a marker and one verb; "when fork fails it returns -1" has
    # its main clause too
    return (first is not None and first.kind == "cond"
            and sum(t.kind == "word" for t in toks) <= 1)


def _elliptical(seg: Segment) -> bool:
    from mkdeck.verify.lexicon import tokenize

    toks = tokenize(seg.text)
    return bool(toks) and all(t.kind in ("call", "noun", "role", "grammar", "free", "neg",
                                         "neutral") for t in toks)


def _seg_polarity(pm: PartMatch, seg: Segment, check: Check) -> bool:
    """A part's polarity in a segment: as the matcher read it in its clause, unless the
    segment is smaller than that clause (then read in the segment alone)."""
    part = next((p for p in check.parts if p.fact == pm.fact), None)
    if part is None or seg.text in pm.clause and seg.text != pm.clause:
        re_read = match_part(part, seg.text, clauses(seg.text), forced=True) if part else None
        return re_read.polarity if re_read is not None else pm.polarity
    return pm.polarity


def _equal(measured: Any, asserted: Any) -> bool:
    if isinstance(asserted, bool) or isinstance(measured, bool):
        return bool(measured) is bool(asserted)
    return measured == asserted


def judge_plan(plan: Plan, lookup: Lookup) -> Judged:
    """The verdict of a planned statement from the facts ``lookup`` gives (no self-check)."""
    st = plan.statement
    judged = Judged("verified", plan)
    if plan.match is None and not any(sp.check for sp in plan.segments):
        judged.verdict = "unchecked"
        words = [t.text for sp in plan.segments for t in _content(sp.segment.text)]
        judged.reason = ("no check reads this statement"
                         + (f" (not understood: {', '.join(words[:4])})" if words else ""))
        return judged
    if "?" in st.text.rstrip("?. "):
        judged.verdict = "unchecked"
        judged.reason = "not understood: a question inside the statement"
        return judged
    seg_verdicts: list[str] = []
    unread: list[str] = []
    reasons: list[str] = []
    prev: Segment | None = None
    for sp in plan.segments:
        prev, seg_prev = sp.segment, prev
        seg = sp.segment
        if seg.status == "conflict" and sp.check is not None and len(seg.negations) % 2:
            unread.extend(b.token.text for b, _ in seg.conflicts[:1])
            seg_verdicts.append("unchecked")
            continue
        if sp.check is None or seg.unread or seg.status == "unread":
            unread.extend(t.text for t in (seg.unread or _content(seg.text)[:3]))
            seg_verdicts.append("unchecked")
            continue
        if seg.status == "conflict":
            v, why = _conflict_verdict(sp, lookup, judged)
            seg_verdicts.append(v)
            reasons.append(why)
            continue
        asserted = _segment_part(sp, st.text, seg_prev, whole=len(plan.segments) == 1)
        if not asserted and seg.negations:
            unread.append(seg.negations[0].text)
            seg_verdicts.append("unchecked")
            continue
        if not asserted:
            seg_verdicts.append("read")  # read, asserting no measured fact of its own
        for fact, value, polarity, *weak in asserted:
            view = lookup(fact)
            _record(judged, fact, value, polarity, view)
            if view.state != "ok":
                seg_verdicts.append(view.state)
                reasons.append(view.reason)
                if view.host:
                    judged.host = view.host
                continue
            same = _equal(view.value, value)
            v = "verified" if same == polarity else "refuted"
            if v == "refuted" and weak:
                # a clause read by the predicate words alone (no key) never refutes
                unread.append(f"{seg.text!r} (read without the check's key)")
                v = "unchecked"
            if v == "refuted":
                reasons.append(f"measured {fact} = {view.value!r}; the statement says "
                               f"{'' if polarity else 'not '}{value!r}")
            seg_verdicts.append(v)
    judged.verdict = _combine(seg_verdicts)
    if judged.verdict == "unchecked" and not unread:
        unread.append("no clause asserts a fact the check measures")
    if judged.verdict == "unchecked":
        judged.reason = f"not understood: {', '.join(dict.fromkeys(unread))}"
    elif reasons:
        judged.reason = "; ".join(dict.fromkeys(r for r in reasons if r))
    return judged


def _content(text: str) -> list[Any]:
    from mkdeck.verify.lexicon import tokenize

    return [t for t in tokenize(text) if t.kind in ("word", "noun", "role", "call", "num",
                                                      "errno", "signal", "flag")]


def _combine(verdicts: list[str]) -> str:
    for v in ("refuted", "unchecked", "inconclusive", "skipped", "host-dependent"):
        if v in verdicts:
            return v
    return "verified" if "verified" in verdicts else "unchecked"


def _record(judged: Judged, fact: str, value: Any, polarity: bool, view: FactView) -> None:
    entry: dict[str, Any] = {"asserted": value if polarity else {"not": value}}
    entry.update({k: v for k, v in view.evidence.items()
                  if k not in ("asserted", "measured", "valid")})
    if view.state == "ok" or "measured" in view.evidence:
        entry.update(measured=view.value if view.state == "ok" else view.evidence.get("measured"),
                     valid=view.evidence.get("valid", view.state == "ok"))
    judged.facts[fact] = entry
    if view.probe and view.probe not in judged.probes:
        judged.probes.append(view.probe)
    judged.ms = max(judged.ms, view.ms)


def _conflict_verdict(sp: SegmentPlan, lookup: Lookup, judged: Judged) -> tuple[str, str]:
    """A fully read segment whose typed value differs from the check's slot: refuted when the
    facts that make the slot true were measured as the check says (else inconclusive)."""
    seg, check = sp.segment, sp.check
    assert check is not None and sp.match is not None
    if len(seg.negations) % 2:
        # "fork() does not return the parent's PID": it denies a value the check says is not
        # the true one; true, but it does not say what is, so it is not checked
        return "unchecked", ""
    facts: list[tuple[str, Any]] = []
    if seg.frame is not None and seg.frame < len(check.slot_facts) and check.slot_facts[seg.frame]:
        facts.append(check.slot_facts[seg.frame][:2])  # type: ignore[index]
    else:
        facts.extend((p.fact, p.value) for p in check.parts)
    for fact, value in facts:
        view = lookup(fact)
        _record(judged, fact, value, True, view)
        if view.state != "ok":
            return view.state, view.reason
        if not _equal(view.value, value):
            return "unchecked", f"measured {fact} = {view.value!r}, not what {check.id} expects"
    said = "; ".join(f"{b.cue} {b.token.text!r} (true: {', '.join(map(str, allowed))})"
                     for b, allowed in seg.conflicts)
    return "refuted", f"{said}: {check.says}"
