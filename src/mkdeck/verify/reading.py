"""Read a statement against a check: every word into a typed slot, or not understood (issue 11).

A statement is split into *segments* (at ``, ; : ( )`` and at ``but``, ``while``, ``whereas``,
and ``and`` unless it joins two roles, "parent and child"). In each segment every token is
read one way:

- meaning-free, grammar and neutral words (``lexicon.yaml``) carry no claim;
- a role (parent, child, ...), number, errno, signal or flag becomes a *binding*
  ``cue: value``. The cue says what the value is to the statement: the noun a role owns
  ("the child's PID", "the PID of the child" -> ``pid: child``), the preposition before it
  ("in the parent" -> ``in: parent``, "with EAGAIN" -> ``with: EAGAIN``), a condition marker
  ("until its parent" -> ``until: parent``), a bound ("at most 4096" -> ``at_most: 4096``),
  or otherwise its kind (``who: child``, ``number: 0``, ``errno: EAGAIN``);
- negations are counted; quantifiers must be ones the check allows (default: always, every,
  any);
- any other word must be read by the check: matched by one of its patterns (key, also,
  assert, deny, opposite), its ``words``, or the name of one of its subjects.

The check's ``slots`` (a list of *frames*, each ``cue: allowed values``) say which bindings it
reads. A segment whose bindings all fit one frame is understood; one whose bindings name only
cues of a frame but a different value *refutes* it (the value is of a known kind and is not
the measured one); a binding whose cue no frame has is not understood. A typed value matched
by one of the check's own patterns is read by the check (a different value would not match).
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence

from mkdeck.verify.catalogue import Catalogue, Check
from mkdeck.verify.lexicon import Token, lexicon, tokenize

LOG = logging.getLogger(__name__)

TYPED = ("role", "num", "errno", "signal", "flag")
DEFAULT_QUANTIFIERS = frozenset({"always", "every", "any"})
PREPOSITIONS = frozenset({"to", "in", "into", "for", "by", "from", "with", "without", "than",
                          "as", "between", "over", "across", "like", "unlike", "at", "on",
                          "through", "via"})
# cues whose value refutes when it differs; a bare role ("who": subject or object?), "of" and
# a PPID's owner ("the parent process id of the parent") are read too loosely to refute
REFUTABLE = frozenset({"pid", "tid", "memory", "fds", "offset", "mask", "status", "nice",
                       "in", "to", "into", "from", "by", "until", "when", "after", "before",
                       "with", "without", "at_most", "at_least", "between", "for", "number",
                       "errno", "if", "once", "unless"})
SEGMENT_WORDS = frozenset({"but", "while", "whereas", "although", "though", "so", "because",
                           "since"})


@dataclass(frozen=True)
class Binding:
    """A typed value read into a slot: ``cue`` (what it is to the statement), ``kind`` and
    ``value``, and the token it came from."""

    cue: str
    kind: str
    value: Any
    token: Token
    alt: str = ""  # a bare role before ("subj") or after ("obj") the clause's first verb

    def to_dict(self) -> dict[str, Any]:
        """``{"slot": cue, "kind", "value", "word"}``."""
        return {"slot": self.cue, "kind": self.kind, "value": self.value,
                "word": self.token.text}


@dataclass
class Segment:
    """One segment of a statement as read against a check.

    Attributes:
        text: the segment's text.
        start, end: its offsets in the statement.
        bindings: the typed values read.
        negations: the negation tokens.
        unread: tokens nothing read (the statement is then not understood).
        status: ``"ok"`` (fits a frame), ``"conflict"`` (a frame's cues, other values),
            ``"unread"``.
        frame: the index of the frame it fits (or conflicts with).
        conflicts: the bindings whose value differs from the frame's.
    """

    text: str
    start: int
    end: int
    bindings: list[Binding] = field(default_factory=list)
    negations: list[Token] = field(default_factory=list)
    unread: list[Token] = field(default_factory=list)
    status: str = "ok"
    frame: int | None = None
    conflicts: list[tuple[Binding, tuple[Any, ...]]] = field(default_factory=list)
    compared: list[Binding] = field(default_factory=list)


@dataclass
class Reading:
    """How a statement was read against a check."""

    check: Check
    tokens: list[Token]
    segments: list[Segment]

    @property
    def unread(self) -> list[Token]:
        """Every token nothing read, in order."""
        return [t for s in self.segments for t in s.unread]

    def slots(self) -> list[dict[str, Any]]:
        """The bindings of every segment, for the JSON report and ``--explain``."""
        return [b.to_dict() for s in self.segments for b in s.bindings]


def check_spans(check: Check, text: str, catalogue: Catalogue,
                subjects: bool = True) -> list[tuple[int, int]]:
    """Character spans of ``text`` that the check's own patterns (and, with ``subjects``,
    its subject names) match."""
    spans: list[tuple[int, int]] = []
    pats: list[re.Pattern[str]] = []
    for part in check.parts:
        pats.append(part.key)
        pats.extend(part.also)
        pats.extend(p for p in (part.deny, part.assert_, part.opposite) if p is not None)
    if subjects:
        pats.extend(check.words)
        pats.extend(catalogue.subjects[s] for s in check.subjects if s in catalogue.subjects)
    for pat in pats:
        for m in pat.finditer(text):
            if m.end() > m.start():
                spans.extend(_narrow(text, m.start(), m.end()))
    return spans


def _narrow(text: str, start: int, end: int) -> list[tuple[int, int]]:
    r"""A long match ("closed on fork, kept across exec" for ``clos\w*.{0,60}exec``) reads only
    its first and last word: a gap in a pattern reads nothing."""
    words = list(re.finditer(r"\S+", text[start:end]))
    if len(words) <= 4:
        return [(start, end)]
    return [(start + words[0].start(), start + words[0].end()),
            (start + words[-1].start(), start + words[-1].end())]


def _inside(tok: Token, spans: Sequence[tuple[int, int]]) -> bool:
    """Whether a check pattern read the token (matched it, or a part of a phrase token:
    'memory' in "virtual memory space")."""
    return any(a < tok.end and tok.start < b for a, b in spans)


def segments_of(tokens: list[Token]) -> list[list[Token]]:
    """Split tokens into segments (see the module docstring)."""
    out: list[list[Token]] = [[]]
    listy: list[bool] = [False]  # whether the segment began at a comma, "and" or "or"
    for i, tok in enumerate(tokens):
        boundary = tok.kind == "punct" and tok.value not in ("/",)
        if tok.kind in ("grammar", "free", "word") and tok.value in SEGMENT_WORDS:
            boundary = True
        if tok.value == "and" and tok.kind == "grammar":
            before = next((t for t in reversed(tokens[:i]) if t.kind != "free"), None)
            after = next((t for t in tokens[i + 1:] if t.kind != "free"), None)
            joins = (before is not None and after is not None
                     and before.kind == after.kind and before.kind in ("role", "noun", "flag",
                                                                       "signal", "call"))
            boundary = not joins
        if boundary:
            if out[-1]:
                out.append([])
                listy.append(tok.value in (",", "and", "or"))
            continue
        out[-1].append(tok)
    merged: list[list[Token]] = []
    prefix: list[Token] = []
    for seg, after_comma in zip(out, listy):
        if not seg:
            continue
        if prefix and after_comma:
            seg, prefix = prefix + seg, []  # "with O_NONBLOCK, a write ... blocks"
        elif prefix:
            merged.append(prefix)
            prefix = []
        if _condition_only(seg):
            prefix = seg
            continue
        if merged and after_comma and seg[0].kind == "word" and any(
                t.value in ("or", "and", "nor") for t in seg) and not any(
                t.kind in ("role", "noun", "call", "flag", "signal", "errno", "num", "neutral",
                           "neg") for t in seg):
            merged[-1] = merged[-1] + seg  # "cannot be caught, blocked or ignored"
        else:
            merged.append(seg)
    if prefix:
        merged.append(prefix)
    return merged


def _condition_only(seg: list[Token]) -> bool:
    """A clause that is only a condition ("with `O_NONBLOCK`", "without CLONE_VM"): it
    belongs to the clause after its comma."""
    return (seg[0].kind in ("grammar", "cond") and seg[0].value in ("with", "without", "on",
                                                                     "under")
            and all(t.kind in ("free", "grammar", "flag", "errno", "signal") for t in seg)
            and any(t.kind in ("flag", "errno", "signal") for t in seg))

def _previous(tokens: list[Token], i: int) -> tuple[Token | None, int]:
    skip = lexicon().adjectives
    j = i - 1
    while j >= 0 and (tokens[j].kind in ("free", "neutral") or (tokens[j].kind == "word"
                                                    and tokens[j].value in skip)
                      or reference_point(tokens, j)):
        j -= 1
    return (tokens[j], j) if j >= 0 else (None, -1)


def reference_point(tokens: Sequence[Token], i: int) -> bool:
    """Whether the token at ``i`` is "the caller's" before another role ("the caller's
    parent", "its caller's child"): it says whose parent, and the caller is whom every
    statement about a call speaks of, so the role after it fills the slot. A parent's or a
    child's role before another ("the parent's parent") changes who is meant and stays read."""
    tok = tokens[i]
    if tok.kind != "role" or tok.value != "caller" or not re.search(r"['’]s?$", tok.text):
        return False
    nxt = next((t for t in tokens[i + 1:i + 4] if t.kind != "free"
                and not (t.kind == "word" and t.value in lexicon().adjectives)), None)
    return nxt is not None and nxt.kind == "role"


def _cue(tokens: list[Token], i: int) -> str:
    tok = tokens[i]
    kind_cue = {"role": "who", "num": "number", "errno": "errno", "signal": "signal",
                "flag": "flag"}[tok.kind]
    if tok.kind == "role":
        possessive = bool(re.search(r"(?:['’]s|s['’])$", tok.text))
        skip = lexicon().adjectives
        nxt = next((t for t in tokens[i + 1:i + 4]
                    if t.kind != "free" and not (t.kind == "word" and t.value in skip)), None)
        if nxt is not None and nxt.kind == "noun" and (possessive or nxt is tokens[i + 1]):
            return str(nxt.value)
    if tok.kind == "num" and i > 0 and tokens[i - 1].kind == "call" \
            and tokens[i - 1].start == tok.start:
        return "arg"  # _exit(300): the argument of a call
    if tok.kind != "role" and i + 1 < len(tokens) and tokens[i + 1].kind in ("word", "noun") \
            and tokens[i + 1].start - tok.end <= 2:
        if tok.kind == "num":
            return "count"  # "two file descriptors": how many, not the value of a slot
        return kind_cue  # "a MAP_SHARED mapping": the value names a kind of thing
    prev, j = _previous(tokens, i)
    if prev is None:
        return kind_cue
    if prev.kind == "neg":
        return "negated"  # "a pipe that has no reader": a negated role
    if prev.kind == "quant" and prev.value in ("at_most", "at_least"):
        return str(prev.value)
    if prev.kind == "grammar" and prev.value == "of":
        owner, _ = _previous(tokens, j)
        return str(owner.value) if owner is not None and owner.kind == "noun" else "of"
    if prev.kind == "cond":
        return str(prev.value)
    if prev.kind in ("grammar", "word") and prev.value in PREPOSITIONS:
        return str(prev.value)
    return kind_cue


def read(text: str, check: Check, catalogue: Catalogue) -> Reading:
    """Read ``text`` (a statement's reading text) against ``check``; see the module
    docstring. Never raises for any text."""
    tokens = tokenize(text)
    spans = check_spans(check, text, catalogue)
    keyed = check_spans(check, text, catalogue, subjects=False)
    # a negation a key spells out ("when the file does not exist": the pattern holds the
    # word "not") is the key's condition, not a negation of the statement; one a pattern's
    # gap happens to cover ("SIGCHLD does not terminate" for "SIG...[^,;]*?terminat") is not
    in_key = [span for part in check.parts for m in part.key.finditer(text)
              if m.end() > m.start() for span in _narrow(text, m.start(), m.end())
              if _spells_negation(part.key.pattern, text[span[0]:span[1]])]
    allowed_q = DEFAULT_QUANTIFIERS | set(check.quantifiers)
    segments = []
    for n, seg_tokens in enumerate(segments_of(tokens)):
        if n == 0 and is_answer(seg_tokens):
            continue  # "No: exec keeps the PID": the answer to the card's question
        seg = Segment(text[seg_tokens[0].start:seg_tokens[-1].end], seg_tokens[0].start,
                      seg_tokens[-1].end)
        for i, tok in enumerate(seg_tokens):
            if tok.kind == "grammar" and tok.value == "without" and not _inside(tok, spans):
                nxt = next((t for t in seg_tokens[i + 1:] if t.kind != "free"), None)
                if nxt is None or nxt.kind not in TYPED:
                    seg.unread.append(tok)  # "without the close-on-exec flag": a condition
                continue
            if tok.kind in ("free", "grammar", "neutral", "cond", "punct"):
                continue
            if tok.kind == "neg" and _whole(tok, in_key):
                continue
            if tok.kind == "neg":
                seg.negations.append(tok)
                if tok.text.lower() == "never" and "always" not in allowed_q \
                        and not _inside(tok, spans):
                    seg.unread.append(tok)
                continue
            if tok.kind == "quant":
                if tok.value not in allowed_q and tok.value not in ("at_most", "at_least") \
                        and not _inside(tok, spans):
                    seg.unread.append(tok)
                continue
            if tok.kind in TYPED:
                if reference_point(seg_tokens, i):
                    continue  # "the caller's parent": the parent fills the slot
                cue = _cue(seg_tokens, i)
                if cue == "negated" and seg.negations:
                    seg.negations.pop()  # "no child is created": the "no" is the role's
                alt = ""
                if cue == "who":
                    alt = "obj" if any(t.kind == "word" for t in seg_tokens[:i]) else "subj"
                seg.bindings.append(Binding(cue, tok.kind, tok.value, tok, alt))
                continue
            if tok.kind == "noun" and any(b.cue == tok.value for b in seg.bindings):
                continue
            if tok.kind == "noun" and _owned(seg_tokens, i):
                continue
            if not _inside(tok, spans):
                seg.unread.append(tok)
        _fit(seg, check, keyed, spans)
        segments.append(seg)
    return Reading(check, tokens, segments)


def _spells_negation(pattern: str, matched: str) -> bool:
    """Whether a key ``pattern`` names the negation word its ``matched`` text holds
    ("does(?: not|n.t) exist" names "not"; a gap such as ``[^,;]*?`` names none)."""
    words = re.findall(r"\b(?:not|no|never|cannot|none|nothing)\b", matched.lower())
    return bool(words) and all(re.search(rf"(?<![a-z]){w}(?![a-z])", pattern.lower())
                               for w in words)


def is_answer(seg_tokens: Sequence[Token]) -> bool:
    """A segment that is only "Yes" or "No" (the answer to the card's question: "No: exec
    keeps the PID")."""
    return len(seg_tokens) == 1 and seg_tokens[0].text.lower() in ("yes", "no")


def _owned(tokens: list[Token], i: int) -> bool:
    """Whether the noun at ``i`` is owned by a role ("PID of the child", "the child's PID")."""
    for tok in tokens[i + 1:i + 4]:
        if tok.kind == "role":
            return True
        if tok.kind not in ("free", "grammar"):
            break
    prev, _ = _previous(tokens, i)
    return prev is not None and prev.kind == "role"


def _fit(seg: Segment, check: Check, spans: Sequence[tuple[int, int]],
         words: Sequence[tuple[int, int]] = ()) -> None:
    """Compare the segment's bindings with the check's frames (sets status, frame,
    conflicts, and adds unread bindings). A binding whose cue no frame has is read only when
    one of the check's patterns matched the whole of it (the check keys on that value)."""
    frames: Sequence[Mapping[str, tuple[Any, ...]]] = check.slots or ({},)
    known = {cue for frame in frames for cue in frame if cue != "needs"}
    seg.bindings = [_with_alt(b, known) for b in seg.bindings]
    kind_cues = ("who", "number", "errno", "signal", "flag", "count")
    subjects = set(check.subjects)
    from_text = any(p.value_from_text for p in check.parts)

    def read_by_check(b: Binding) -> bool:
        """The check reads a value that names it (a subject: SIGKILL, CLONE_VM), that its
        patterns key on, or a number it compares with the measured one."""
        if b.kind == "num" and not isinstance(b.value, (int, float)):
            return _whole(b.token, words)  # "128+N": a formula the check's words name
        if b.kind == "num" and from_text and b.cue not in known:
            return True  # "a default nice value of 0": the part compares it with the measured
        if b.cue in known or b.cue not in kind_cues:
            return False
        return str(b.value) in subjects or _whole(b.token, spans)
    bound = [b for b in seg.bindings if not read_by_check(b)]
    seg.compared = list(bound)
    best: tuple[int, int] | None = None  # (conflicts, frame)
    stated = {str(b.value) for b in seg.bindings}
    for n, frame in enumerate(frames):
        if any(b.cue not in frame for b in bound):
            continue
        if not set(map(str, frame.get("needs", ()))) <= stated:
            continue  # the frame of a condition the clause does not state
        if any(not _comparable(b, frame[b.cue]) for b in bound):
            continue
        bad = [(b, frame[b.cue]) for b in bound if not _fits(b.value, frame[b.cue])]
        if not bad:
            seg.status, seg.frame, seg.conflicts = "ok", n, []
            return
        if best is None or len(bad) < best[0]:
            best = (len(bad), n)
            seg.conflicts = bad
    if best is not None and all(b.cue in REFUTABLE and _same_family(b, allowed)
                                for b, allowed in seg.conflicts):
        seg.status, seg.frame = "conflict", best[1]
        return
    if best is not None:  # a bare role (subject or object?) is not read well enough to refute
        seg.unread.extend(b.token for b, _ in seg.conflicts[:1])
        seg.conflicts = []
        seg.status = "unread"
        return
    # a binding no frame has a slot for: the reader did not understand it
    missing = [b for b in bound if b.cue not in known] or bound
    seg.unread.extend(b.token for b in missing[:1])
    seg.status = "unread"


def _with_alt(b: Binding, known: set[str]) -> Binding:
    """A bare role is read in a subject or object slot when the check has one and no
    "who" slot ("an orphan survives its parent": obj = parent)."""
    if b.alt and b.cue not in known and b.alt in known:
        return Binding(b.alt, b.kind, b.value, b.token)
    return b


def _whole(tok: Token, spans: Sequence[tuple[int, int]]) -> bool:
    return any(a <= tok.start and tok.end <= b for a, b in spans)


def _kind_of(value: Any) -> str:
    if isinstance(value, (int, float)):
        return "num"
    text = str(value)
    return "name" if text[:1].isupper() or "_" in text else "role"


def _comparable(b: Binding, allowed: tuple[Any, ...]) -> bool:
    """A binding compares with a slot only when the slot holds values of its kind (a flag
    in a slot of roles is not understood there, not refuted)."""
    if b.kind == "num" and not isinstance(b.value, (int, float)):
        return False  # "128+N" is a formula, not a value
    mine = "num" if b.kind == "num" else "role" if b.kind == "role" else "name"
    return any(_kind_of(a) == mine for a in allowed)


def _same_family(b: Binding, allowed: tuple[Any, ...]) -> bool:
    """Whether a value that differs from the slot's is another of the same kind (another
    clone flag for a clone flag): a value of another family is about something else."""
    if b.kind != "flag":
        return True
    fam = lexicon().flag_family
    mine = fam.get(str(b.value), str(b.value).split("_")[0])
    return any(fam.get(str(a), str(a).split("_")[0]) == mine for a in allowed)


def _fits(value: Any, allowed: tuple[Any, ...]) -> bool:
    if isinstance(value, str):
        return value.lower() in {str(a).lower() for a in allowed}
    return value in allowed
