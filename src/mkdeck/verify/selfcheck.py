"""The self-check on every verdict (issue 11).

Before a statement is reported *verified*, it is changed in each way that changes its meaning,
one at a time: the roles swapped (parent <-> child; another role becomes the child), a
number, errno, signal or flag replaced by another of its kind, a negation added or dropped,
always <-> never. Each changed copy is read against the same check and judged against the same
measurements. If one is verified too, the word that was changed was not really read, and the
statement is reported *unchecked* naming that word.

A changed copy whose typed values were compared with a slot that lists the new value as true
too (``who: parent or child`` in "parent and child have separate memory"), or whose reading is
the same (two roles changing places in one slot), is no change of meaning by the catalogue's
own account and does not count.

Before a statement of one clause is reported *refuted*, the guard: the same statement with its
negation toggled must not be refuted too, else the refutation rests on no word of it (a deny
pattern that matched something else) and the statement is reported *unchecked* instead. A
refutation by a typed value (a role, errno, number in the wrong slot) stands: negating such a
statement does not make it true.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, replace

from mkdeck.verify.catalogue import Catalogue
from mkdeck.verify.lexicon import Token, lexicon
from mkdeck.verify.verdict import Judged, Lookup, judge_plan, plan_statement

LOG = logging.getLogger(__name__)

ROLE_WORD = re.compile(r"\b(parent|child|children|parents)(?=\b|['’])", re.I)
SWAP = {"parent": "child", "child": "parent", "parents": "children", "children": "parents"}
OTHER_ERRNO = {"EAGAIN": "ENOMEM", "EWOULDBLOCK": "ENOMEM"}
OTHER_SIGNAL = {"SIGKILL": "SIGTERM", "SIGSTOP": "SIGTSTP", "SIGCHLD": "SIGHUP",
                "SIGCONT": "SIGTERM", "SIGPIPE": "SIGURG", "SIGTERM": "SIGKILL"}
DROP_NEGATION = {"not": "", "never": "always", "cannot": "can", "no": "", "none": "all",
                 "nothing": "everything", "nobody": "everybody"}


@dataclass(frozen=True)
class Mutant:
    """A changed copy of a statement: what changed (``kind``: roles, number, errno, signal,
    flag, negation, quantifier), the word, and the new text."""

    kind: str
    word: str
    text: str


def _swap_roles(text: str) -> str:
    def sub(m: re.Match[str]) -> str:
        w = m.group(1)
        new = SWAP[w.lower()]
        return new.capitalize() if w[0].isupper() else new
    return ROLE_WORD.sub(sub, text)


def _at(text: str, tok: Token, new: str) -> str:
    return text[:tok.start] + new + text[tok.end:]


def _bump(tok: Token) -> str:
    m = re.search(r"\d+", tok.text)
    if m is None:
        return tok.text
    n = int(m.group())
    return tok.text[:m.start()] + str(n + 1 if n != 4095 else n + 2) + tok.text[m.end():]


def mutants(text: str, tokens: list[Token]) -> list[Mutant]:
    """Every meaning-changing one-step change of ``text`` (see the module docstring)."""
    lex = lexicon()
    out: list[Mutant] = []
    roles = [t for t in tokens if t.kind == "role"]
    if any(t.value in ("parent", "child") for t in roles):
        swapped = _swap_roles(text)
        if swapped != text:
            word = next(t.text for t in roles if t.value in ("parent", "child"))
            out.append(Mutant("roles", word, swapped))
    for t in roles:
        if t.value not in ("parent", "child"):
            out.append(Mutant("roles", t.text, _at(text, t, "child")))
    seen_num = set()
    for t in tokens:
        if t.kind == "num" and (t.start, t.end) not in seen_num:
            seen_num.add((t.start, t.end))
            new = _bump(t)
            if text[t.start:t.end] == t.text:
                out.append(Mutant("number", t.text, _at(text, t, new)))
            else:  # a call's argument: _exit(300)
                call = text[t.start:t.end]
                out.append(Mutant("number", t.text, text[:t.start]
                                  + call.replace(t.text, new.strip(), 1) + text[t.end:]))
        elif t.kind == "errno":
            other = OTHER_ERRNO.get(str(t.value), "EAGAIN")
            out.append(Mutant("errno", t.text, _at(text, t, other)))
        elif t.kind == "signal":
            out.append(Mutant("signal", t.text,
                              _at(text, t, OTHER_SIGNAL.get(str(t.value), "SIGKILL"))))
        elif t.kind == "flag":
            family = lex.families.get(lex.flag_family.get(str(t.value), ""), ())
            if len(family) > 1:
                other = family[(family.index(str(t.value)) + 1) % len(family)]
                out.append(Mutant("flag", t.text, _at(text, t, other)))
        elif t.kind == "neg":
            out.append(Mutant("negation", t.text, _drop_negation(text, t)))
        elif t.kind == "quant" and t.text.lower() == "always":
            out.append(Mutant("quantifier", t.text, _at(text, t, "never")))
    return [m for m in out if m.text != text]


def _drop_negation(text: str, tok: Token) -> str:
    w = tok.text
    m = re.match(r"^(\w+?)(n['’]t)$", w, re.I)
    if m:
        base = {"ca": "can", "wo": "will", "sha": "shall"}.get(m.group(1).lower(), m.group(1))
        return _at(text, tok, base)
    new = DROP_NEGATION.get(w.lower())
    if new is None:
        return text
    out = _at(text, tok, new)
    return re.sub(r"\s{2,}", " ", out).strip()


def add_negation(text: str, judged: Judged) -> Mutant | None:
    """``text`` with "not" before the first part's predicate: its assert words if it has
    some ("the memory is not shared"), else its key."""
    match = judged.plan.match
    if match is None or not match.check.parts:
        return None
    part = match.check.parts[0]
    # before the predicate: the words saying the fact ("share"), else the key
    m = part.assert_.search(text) if part.assert_ is not None else None
    if m is None or (m.start() > 0 and text[m.start() - 1].isalnum()):
        m = part.key.search(text)  # an assert word inside another ("unflushed") is no place
    if m is None:
        return None
    return Mutant("negation", "(added not)", text[:m.start()] + "not " + text[m.start():])


def self_check(judged: Judged, catalogue: Catalogue, lookup: Lookup) -> Judged:
    """Apply the self-check to a verdict (see the module docstring); returns the final
    verdict, with the changed copies tried in ``mutants``."""
    if judged.verdict not in ("verified", "refuted") or judged.check is None:
        return judged  # host-dependent: nothing measured, so every changed copy is too
    if judged.plan.explicit:
        judged.reason = judged.reason or ("judged as the check named by <!--verify: "
                                          f"{judged.check.id}-->; its words were not read")
        return judged
    st = judged.plan.statement
    tokens = judged.plan.reading.tokens if judged.plan.reading else []
    if len(tokens) > 1 and tokens[0].text.lower() in ("yes", "no") and tokens[1].kind == "punct":
        tokens = tokens[2:]  # "No: ..." answers the card's question
    if judged.verdict == "verified":
        tried = mutants(st.text, tokens)
        if not any(t.kind == "neg" for t in tokens):
            added = add_negation(st.text, judged)
            if added:
                tried.append(added)
        for mut in tried:
            verdict, equivalent = _judge_mutant(judged, mut, catalogue, lookup)
            judged.mutants.append({"kind": mut.kind, "word": mut.word, "text": mut.text,
                                   "verdict": verdict,
                                   **({"equivalent": equivalent} if equivalent else {})})
            if verdict == judged.verdict and not equivalent:
                judged.reason = (f"not understood: {mut.word} (the self-check changed it and "
                                 f"the statement was still {verdict})")
                judged.verdict = "unchecked"
                return judged
        return judged
    # refuted: the same statement with its negation toggled must not be refuted too (else the
    # refutation does not rest on what the statement says)
    toggled = [Mutant("negation", t.text, _drop_negation(st.text, t))
               for t in tokens if t.kind == "neg"][:1] or [m for m in [add_negation(
                   st.text, judged)] if m]
    if len(judged.plan.segments) > 1 or (judged.check and len(judged.check.parts) > 1):
        toggled = []  # a negation toggles one clause of several: the others still refute
    for mut in toggled:
        if mut.text == st.text:
            continue
        verdict = _judge_text(judged, mut.text, catalogue, lookup)
        judged.mutants.append({"kind": mut.kind, "word": mut.word, "text": mut.text,
                               "verdict": verdict})
        if verdict == "refuted" and not _slot_refutation(judged):
            judged.reason = ("not understood: the statement is refuted with and without its "
                             f"negation ({mut.word}), so the refutation rests on no word of "
                             "it; " + judged.reason)
            judged.verdict = "unchecked"
    return judged


def _slot_refutation(judged: Judged) -> bool:
    """A refutation by a typed value that differs from the slot's (a role, errno, number):
    negating such a statement does not make it true."""
    return any(sp.segment.status == "conflict" for sp in judged.plan.segments)


def _judge_mutant(judged: Judged, mut: Mutant, catalogue: Catalogue, lookup: Lookup
                  ) -> tuple[str, str]:
    """The changed copy's verdict, and why the change is no change of meaning by the
    catalogue's own account (``""`` when it is one): the new value was compared with a slot
    that lists it as true too ("parent and child have separate memory": who = parent or
    child)."""
    st = replace(judged.plan.statement, text=mut.text, explicit=())
    plan = plan_statement(st, catalogue, only=judged.check)
    if plan.match is None:
        return "unchecked", ""
    verdict = judge_plan(plan, lookup).verdict
    if mut.kind in ("roles", "number", "errno", "signal", "flag") and verdict == judged.verdict:
        before = sorted((b.cue, str(b.value)) for sp in judged.plan.segments
                        for b in sp.segment.compared)
        after = sorted((b.cue, str(b.value)) for sp in plan.segments
                       for b in sp.segment.compared)
        if before and before == after:  # "parent and child share" -> "child and parent share"
            return verdict, "the same reading (the roles only changed places in one slot)"
        old = set(before)
        new = [b for sp in plan.segments for b in sp.segment.compared
               if (b.cue, str(b.value)) not in old]
        if new and all(sp.segment.status == "ok" for sp in plan.segments):
            return verdict, (f"the catalogue reads {new[0].cue} = {new[0].value} as true "
                             "too")
    return verdict, ""


def _judge_text(judged: Judged, text: str, catalogue: Catalogue, lookup: Lookup) -> str:
    st = replace(judged.plan.statement, text=text, explicit=())
    check = judged.check
    plan = plan_statement(st, catalogue, only=check)
    if plan.match is None:
        return "unchecked"
    return judge_plan(plan, lookup).verdict
