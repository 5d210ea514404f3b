"""Find the checkable statements in cards and match them against the catalogue.

A *statement* is a list item, a table row (cells joined) or a sentence of a paragraph in a
card's field, read after embeds are expanded (``mkdeck.vault.embeds.expand_embeds``), so a statement
that reaches the card through an embed keeps the path and line of the note it is written in.
Wikilinks are reduced to their display text; fenced code is not prose (``verify`` blocks are
collected for ``--run-code``). The subject comes from the statement's own words or, failing
that, from the nearest enclosing heading that names one (a bullet under ``## [[li fork|fork]]``
is about fork).
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field, replace
from typing import Any, Sequence

from mkdeck.model import Claim, Note, SourceLocation
from mkdeck.verify.catalogue import FLAGS, Catalogue, Check, Part
from mkdeck.verify.lexicon import fix_spelling, pronoun_referent

LOG = logging.getLogger(__name__)

NEGATION = re.compile(r"\b(?:not|never|cannot|neither|nor|no longer|impossible|unable)\b|"
                      r"n't\b|n’t\b", FLAGS)
CONTRAST = re.compile(r"\b(?:unlike|in contrast to|as opposed to)\s+[^,;]+[,;]", FLAGS)
CLAUSE_SPLIT = re.compile(
    r"[,;]|:\s|\s(?:but|and|while|whereas|although|though|so|which|because|since)\s|\s[-–—]\s",
    FLAGS
)
WIKILINK = re.compile(r"(!?)\[\[([^\]|]*?)(?:\|([^\]]*))?\]\]")
MDLINK = re.compile(r"(!?)\[([^\]]*)\]\([^)]*\)")
VERIFY_COMMENT = re.compile(r"<!--\s*verify:\s*([^>]*?)\s*-->", re.I)
HTML_COMMENT = re.compile(r"<!--.*?-->|%%.*?%%", re.S)
CLOZE = re.compile(r"\{\{c\d+::(.*?)(?:::[^}]*)?\}\}", re.S)
ALTERNATIVE = re.compile(r"\b(?:instead of|rather than)\b.*", FLAGS | re.S)  # the rejected option
# "(and 0 in the child)": an aside in parentheses is a clause of its own ("fork()" is no aside)
ASIDE = re.compile(r"(?:^|(?<=\s))\(([^()]*)\)")
# "... when its parent dies": a condition (a subordinate clause with its own subject) that
# follows the main clause says nothing about the statement's fact, so its words ("dies") do
# not count for polarity ("after fork()" has no subject: it is not one)
CONDITION = re.compile(r"\b(?:when|whenever|after|once|if|as soon as|even (?:if|when|after))\s+"
                       r"(?:its|the|their|his|her|a|an|this|that|these|those|it|they|he|she|"
                       r"some|any|every|all|no|one)\b", FLAGS)
# "..., and neither does the parent PID": an elliptical clause that repeats the previous
# clause's predicate (with its negation) for another subject; "nor the parent PID" too
ELLIPSIS = re.compile(
    r"^(?:(?:and|but)\s+)?(?:(?P<neg>neither|nor)|(?P<pos>so))\s+(?:does|do|did|is|are|was|"
    r"were|has|have|had|can|could|will|would|should|must)\b\s*(?P<rest>.*)$|"
    r"^(?:(?:and|but)\s+)?(?P<nor>nor)\s+(?P<rest2>.*)$", FLAGS | re.S)
# "unlike _exit()": a contrasted name is not what the clause is about
CONTRASTED = re.compile(
    r"\b(?:unlike|in contrast to|as opposed to|instead of|rather than|than)\b.*", FLAGS | re.S)
NEGATION_WINDOW = 4  # a negation applies to an anchor word at most this many words after it
HTML_TAG = re.compile(r"</?[A-Za-z][^>]*>")
HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
LIST_ITEM = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+(?:\[[ xX]\]\s+)?(.*)$")
TABLE_ROW = re.compile(r"^\s*\|(.*)\|\s*$")
TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(?:\|\s*:?-{2,}:?\s*)*\|?\s*$")
FENCE = re.compile(r"^\s{0,3}(`{3,}|~{3,})\s*(.*)$")
SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z`\[(\"'])")
# Names: name(), name(2), a code span, or a constant of a known family (issue 5).
NAME_CALL = re.compile(r"(?<![A-Za-z0-9_.])([A-Za-z_][A-Za-z0-9_]+)\((?:\d[a-z]?)?\)")  # not O(1)
CODE_SPAN = re.compile(r"`([^`]+)`")
CONSTANT = re.compile(r"(?<![A-Za-z0-9_])(?:CLONE_[A-Z0-9_]+|O_[A-Z0-9_]+|SIG(?!NALS?\b)[A-Z0-9]+|"
                      r"MAP_[A-Z0-9_]+|PR_[A-Z0-9_]+)(?![A-Za-z0-9_])")
NUMBER_UNIT = re.compile(
    r"(?<![\w.])(\d[\d,_]*)\s*(KiB|KB|kB|K|k|MiB|MB|M|bytes?|B|pages?)?(?![\w])"
)
RANGE = re.compile(r"([-+−]?\d+)\s*(?:to|through|\.\.|–|—|-|and)\s*([-+−]?\d+)")
UNITS = {"kib": 1024, "kb": 1024, "k": 1024, "mib": 1 << 20, "mb": 1 << 20, "m": 1 << 20,
         "byte": 1, "bytes": 1, "b": 1, "page": 4096, "pages": 4096}


@dataclass(frozen=True)
class Statement:
    """A candidate statement of a card.

    Attributes:
        text: plain text (wikilinks reduced, markers stripped, whitespace collapsed).
        location: where it is written (through an embed: the embedded note).
        card_location: the card's START line.
        headings: enclosing heading texts, innermost first (plain text).
        explicit: check ids given with ``<!--verify: id-->`` on the line.
        names: syscall, flag and signal names found in the statement.
        context: the card's question side (first field of a non-cloze note), plain text: a
            subject named there ("`SIGSTOP`") is the subject of the answer's statements.
        display: the text as Obsidian shows it (a link without alias shows its note name,
            ``li parent process``); ``text`` is what is read: the same, with a note-name
            prefix (``li ``) of such links dropped, so it never changes the reading.
    """

    text: str
    location: SourceLocation
    card_location: SourceLocation
    headings: tuple[str, ...] = ()
    explicit: tuple[str, ...] = ()
    names: tuple[str, ...] = ()
    context: str = ""
    display: str = ""


@dataclass(frozen=True)
class CodeBlock:
    """A fenced ``verify`` block (```` ```c verify ````) and the ```` ```output ```` after it."""

    lang: str
    code: str
    location: SourceLocation
    card_location: SourceLocation
    expected: str | None = None


@dataclass(frozen=True)
class PartMatch:
    """How one part of a check matched: the fact, the asserted value, the polarity."""

    fact: str
    value: Any
    polarity: bool
    clause: str
    error: str = ""


@dataclass(frozen=True)
class Match:
    """A statement matched to a check."""

    check: Check
    parts: tuple[PartMatch, ...]
    score: int
    subject: str | None

    @property
    def polarity(self) -> bool:
        return all(p.polarity for p in self.parts)


@dataclass
class CardText:
    """What :func:`read_card` finds in one note."""

    statements: list[Statement] = field(default_factory=list)
    code_blocks: list[CodeBlock] = field(default_factory=list)


NOTE_PREFIX = re.compile(r"^([a-z]{1,3})\s+(?=\S)")
NOT_A_PREFIX = frozenset({"a", "an", "the", "of", "to", "in", "on", "and", "or", "for", "by",
                          "no", "not", "new", "old", "all", "any", "one", "two", "why", "how",
                          "is", "it", "its", "at", "as", "pid", "tid", "fd", "vm", "fs", "cow"})


def link_reading(page: str) -> str:
    """How a link's note name is read: without a note-name prefix (``li parent process`` ->
    ``parent process``), a leading word of one to three lower-case letters that is no
    English word (a vault's naming convention, issue 11)."""
    m = NOTE_PREFIX.match(page)
    if m and m.group(1) not in NOT_A_PREFIX:
        return page[m.end():]
    return page


def plain(text: str, reading: bool = False) -> str:
    """Markdown line -> plain text: wikilinks to display text (with ``reading``: a note-name
    prefix of an unaliased link dropped, :func:`link_reading`), links to their text,
    comments, HTML tags, emphasis markers and embeds dropped, whitespace collapsed."""

    def wl(m: re.Match[str]) -> str:
        if m.group(1):  # an embed that was not expanded
            return ""
        if m.group(3) is not None:
            return m.group(3)
        target = m.group(2)
        page, _, sub = target.partition("#")
        shown = page or sub.lstrip("^")
        return link_reading(shown) if reading else shown

    text = HTML_COMMENT.sub(" ", text)
    text = CLOZE.sub(lambda m: m.group(1), text)
    text = WIKILINK.sub(wl, text)
    text = MDLINK.sub(lambda m: "" if m.group(1) else m.group(2), text)
    text = HTML_TAG.sub(" ", text)
    text = re.sub(r"\*\*|__(?=\w)|(?<=\w)__|==", "", text)
    return re.sub(r"\s+", " ", text).strip()


def find_names(text: str) -> tuple[str, ...]:
    """Syscall, flag and signal names in ``text``: ``name()``, ``name(2)``, code spans and
    ``CLONE_*``/``O_*``/``SIG*``/``MAP_*``/``PR_*`` constants (issue 5); plain words are not."""
    names: list[str] = []
    for m in CODE_SPAN.finditer(text):
        names.append(m.group(1).strip())
    for m in NAME_CALL.finditer(text):
        names.append(m.group(0))
    for m in CONSTANT.finditer(text):
        names.append(m.group(0))
    seen: dict[str, None] = {}
    for n in names:
        if n:
            seen.setdefault(n, None)
    return tuple(seen)


def read_card(note: Note, lines_of_field: Sequence[Sequence[tuple[str, SourceLocation]]]
              ) -> CardText:
    """Split a note's fields (each a list of ``(markdown line, location)``) into statements
    and ``verify`` code blocks.

    The first field of a non-cloze note is the card's question side (Anki's Front): its
    lines are prompts, not assertions, so they give context (subjects) to the other fields'
    statements instead of being checked. Cloze notes are statements throughout."""
    out = CardText()
    card = note.location
    skip_first = note.note_type.kind != "cloze" and len(lines_of_field) > 1
    context = plain(" ".join(t for t, _ in lines_of_field[0])) if skip_first else ""
    first_field_ends = 0  # statements of the first field (of a cloze note)
    for number, lines in enumerate(lines_of_field):
        if number == 1:
            first_field_ends = len(out.statements)
        if skip_first and number == 0:
            continue
        headings: list[tuple[int, str]] = []
        para: list[tuple[str, SourceLocation, tuple[str, ...]]] = []
        fence: tuple[str, str, SourceLocation, list[str]] | None = None
        pending_verify: CodeBlock | None = None

        def flush(para: list[tuple[str, SourceLocation, tuple[str, ...]]],
                  headings: list[tuple[int, str]]) -> None:
            if not para:
                return
            _paragraph(para, card, [h for _, h in reversed(headings)], out)
            para.clear()

        for number_in_field, (raw, loc) in enumerate(lines):
            if fence is not None:
                marker, info, start, body = fence
                closing = raw.strip()
                if closing.startswith(marker[0] * len(marker)) and not closing.strip(marker[0]):
                    fence = None
                    words = info.split()
                    code = "\n".join(body) + ("\n" if body else "")
                    if words and words[0] == "output" and pending_verify is not None:
                        out.code_blocks[-1] = CodeBlock(pending_verify.lang, pending_verify.code,
                                                        pending_verify.location, card, code)
                        pending_verify = None
                    elif "verify" in words[1:] or (len(words) > 1 and words[-1] == "verify"):
                        block = CodeBlock(words[0], code, start, card)
                        out.code_blocks.append(block)
                        pending_verify = block
                    else:
                        pending_verify = None
                else:
                    body.append(raw)
                continue
            m = FENCE.match(raw)
            if m:
                flush(para, headings)
                fence = (m.group(1), m.group(2).strip(), loc, [])
                continue
            if not raw.strip():
                flush(para, headings)
                continue
            pending_verify = None
            text = re.sub(r"^\s*(?:>\s?)+", "", raw)  # blockquotes and callouts
            if re.match(r"^\s*\[!\w+\]", text):  # a callout's title line stands alone
                flush(para, headings)
                title = re.sub(r"^\s*\[!\w+\][+-]?\s*", "", text)
                if title.strip():
                    _emit(title, loc, card, [h for _, h in reversed(headings)], (), out)
                continue
            h = HEADING.match(text)
            if h:
                flush(para, headings)
                level = len(h.group(1))
                headings = [(lv, t) for lv, t in headings if lv < level]
                headings.append((level, plain(h.group(2))))
                continue
            explicit = tuple(
                i.strip() for m2 in VERIFY_COMMENT.finditer(text) for i in m2.group(1).split(",")
                if i.strip()
            )
            if TABLE_RULE.match(text):
                continue
            following = lines[number_in_field + 1][0] if number_in_field + 1 < len(lines) else ""
            if TABLE_ROW.match(text) and TABLE_RULE.match(re.sub(r"^\s*(?:>\s?)+", "", following)):
                continue  # a table's header row names columns, it asserts nothing
            t = TABLE_ROW.match(text)
            li = LIST_ITEM.match(text)
            if t or li:
                flush(para, headings)
                body = " ".join(c.strip() for c in t.group(1).split("|")) if t else li.group(1)
                _emit(body, loc, card, [h for _, h in reversed(headings)], explicit, out)
                continue
            para.append((text, loc, explicit))
        flush(para, headings)
    if context:
        out.statements = [replace(st, context=context) for st in out.statements]
    elif first_field_ends and lines_of_field[0]:
        # a cloze note's extra fields speak about its text ("in the parent it returns the
        # child's PID" under "In the child, `fork()` returns 0"): the text is their context
        text = plain(" ".join(t for t, _ in lines_of_field[0]))
        out.statements[first_field_ends:] = [replace(st, context=text)
                                             for st in out.statements[first_field_ends:]]
    return out


def _emit(markdown: str, loc: SourceLocation, card: SourceLocation, headings: list[str],
          explicit: tuple[str, ...], out: CardText) -> None:
    text = plain(markdown)
    if not text or (text.endswith("?") and not explicit):
        return
    if not re.search(r"[A-Za-z]", WIKILINK.sub("", HTML_COMMENT.sub("", markdown))):
        return  # only links ("[[li wait]], [[li zombie process]]"): a see-also list
    out.statements.append(Statement(fix_spelling(plain(markdown, reading=True)), loc, card,
                                    tuple(headings),
                                    explicit, find_names(HTML_COMMENT.sub(" ", markdown)),
                                    display=text))


def _paragraph(para: list[tuple[str, SourceLocation, tuple[str, ...]]], card: SourceLocation,
               headings: list[str], out: CardText) -> None:
    """Split a paragraph into sentences, each located at the line it starts on."""
    joined = ""
    starts: list[tuple[int, SourceLocation, tuple[str, ...]]] = []
    for text, loc, explicit in para:
        if joined:
            joined += " "
        starts.append((len(joined), loc, explicit))
        joined += text.strip()
    pos = 0
    pieces = SENTENCE_END.split(joined)
    for piece in pieces:
        at = joined.find(piece, pos)
        pos = at + len(piece)
        loc, explicit = starts[0][1], starts[0][2]
        for offset, l2, e2 in starts:
            if offset <= at:
                loc, explicit = l2, e2
        _emit(piece, loc, card, headings, explicit, out)


# ---- matching ---------------------------------------------------------------------------------

def clauses(text: str) -> list[str]:
    """The statement's clauses (split at , ; : and but/and/while/whereas/…; an aside in
    parentheses is a clause of its own)."""
    text = ASIDE.sub(lambda m: f" ; {m.group(1)} ; ", text)
    return [c for c in (s.strip() for s in CLAUSE_SPLIT.split(text)) if c] or [text]


def main_clause(clause: str) -> str:
    """The clause without a condition that follows it ("an orphan keeps running after its
    parent dies" -> "an orphan keeps running"); "" when the clause is a condition."""
    m = CONDITION.search(clause)
    return clause[:m.start()].strip() if m else clause


def subjects_in(text: str, catalogue: Catalogue) -> list[str]:
    """Catalogue subjects named in ``text``, in order of first appearance, plus flag names."""
    found = list(catalogue.subjects_at(text))
    for m in CONSTANT.finditer(text):
        found.append((m.start(), m.group(0)))
    return [n for _, n in sorted(found)]


def context_subjects(statement: Statement, catalogue: Catalogue) -> list[str]:
    """Subjects of the nearest enclosing heading that names one, else of the card's
    question side."""
    for heading in statement.headings:
        found = subjects_in(heading, catalogue)
        if found:
            return found
    return subjects_in(statement.context, catalogue) if statement.context else []


def value_from_text(kind: str, clause: str, text: str) -> tuple[Any, str]:
    """Read an asserted value of ``kind`` (bytes | int | range) from the clause, else the
    statement. Returns ``(value, error)``."""
    for source in (clause, text):
        source = re.sub(r"\s+\([^()]*\)", "", source)  # "-20 (highest priority) to 19"
        if kind == "range":
            m = RANGE.search(source.replace("−", "-"))
            if m:
                return [int(m.group(1)), int(m.group(2))], ""
            continue
        if kind == "int":
            m = re.search(r"(?<![\w.])([-+−]?\d+)(?![\w.])", source)
            if m:
                return int(m.group(1).replace("−", "-")), ""
            continue
        m = NUMBER_UNIT.search(source)
        if m:
            n = int(m.group(1).replace(",", "").replace("_", ""))
            if kind == "bytes" and m.group(2):
                n *= UNITS[m.group(2).lower()]
            return n, ""
    return None, f"no {kind} value in the statement"


def read_polarity(deny: re.Pattern[str] | None, scope: str,
                  anchors: Sequence[re.Pattern[str] | None] = ()) -> bool:
    """``True`` (the statement asserts the fact) unless an odd number of flips: a deny word
    in ``scope``, and a negation followed within four words by an anchor (the part's key,
    deny or assert words), so "has not been waited for stays a zombie" is not negated."""
    scope = ALTERNATIVE.sub("", scope)
    flips = 0
    if deny is not None and deny.search(scope):
        flips += 1
    for neg in NEGATION.finditer(scope):
        words = list(re.finditer(r"\S+", scope[neg.end():]))[:NEGATION_WINDOW]
        window = " ".join(w.group() for w in words)
        end = neg.end() + (words[-1].end() if words else 0)
        # "does not copy pages until they are written" says when, not whether
        spans_on = not re.search(r"\buntil\b", scope[neg.end():])
        # an anchor inside the window, or one that starts there ("not closes the descriptor
        # when ... exec" for a key spanning words)
        if not anchors or any(a is not None and (a.search(window) or (
                spans_on and _starts_in(a, scope, neg.end(), end))) for a in anchors):
            flips += 1
            break
    return flips % 2 == 0


def _starts_in(pattern: re.Pattern[str], text: str, start: int, end: int) -> bool:
    m = pattern.search(text, start)
    return m is not None and m.start() < end


def _about_opposite(part: Part, clause: str, primary: Sequence[re.Pattern[str]]) -> bool:
    """Whether the clause is about the part's ``opposite`` ("`_exit()` does not flush") rather
    than its own subject: the opposite is named (not only contrasted: "unlike `_exit()`")
    before any other mention of the check's subject."""
    if part.opposite is None:
        return False
    text = CONTRASTED.sub("", clause)
    spans = [m.span() for m in part.opposite.finditer(text)]
    if not spans:
        return False
    own = [m.start() for p in primary for m in p.finditer(text)
           if not any(a < m.end() and m.start() < b for a, b in spans)]
    return not own or spans[0][0] < min(own)


def match_part(part: Part, statement: str, parts_of: list[str], forced: bool = False,
               primary: Sequence[re.Pattern[str]] = (), referent: str = "") -> PartMatch | None:
    """Match one part against a statement's clauses; ``forced`` (explicit ids) accepts a
    statement where the key is absent, reading polarity from the whole statement.
    ``primary``: the patterns of the check's subjects (for ``opposite``). ``referent``: what a
    pronoun stands for (``pronoun_referent``): an ``also`` pattern may match there."""
    clause = next((c for c in parts_of if part.key.search(main_clause(c))), None)
    if clause is None:
        clause = next((c for c in parts_of if part.key.search(c)), None)
    if clause is None and part.key.search(statement):
        clause = statement  # the key spans a clause break ("kill(pid, 0)")
    if clause is None:
        if not forced:
            return None
        clause = statement
    if not forced and not all(p.search(statement) or (referent and p.search(referent))
                              for p in part.also):
        return None
    if not forced and any(p.search(statement) for p in part.unless):
        return None
    main = main_clause(clause)
    scope = main if part.key.search(main) else clause
    if part.require_polar or part.assert_ is not None:
        def polar(s: str) -> bool:
            return bool((part.assert_ and part.assert_.search(s)) or
                        (part.deny and part.deny.search(s)))
        if not polar(scope):
            # "the memory of parent and child is not separate": the words that say it may
            # follow in the next clauses (never the ones before the key)
            at = parts_of.index(clause) if clause in parts_of else len(parts_of)
            scope = " ".join([scope, *(main_clause(c) for c in parts_of[at + 1:])])
            if not polar(scope) and part.require_polar and not forced:
                return None
    anchors = (part.key, part.deny, part.assert_)
    polarity = read_polarity(part.deny, scope, anchors)
    ellipsis = ELLIPSIS.match(clause)
    at = parts_of.index(clause) if clause in parts_of else 0
    if ellipsis and at > 0:
        negative = bool(ellipsis.group("neg") or ellipsis.group("nor"))
        rest = ellipsis.group("rest") if ellipsis.group("rest") is not None \
            else ellipsis.group("rest2")
        if (part.deny and part.deny.search(rest)) or (part.assert_ and part.assert_.search(rest)):
            # "neither does the parent PID change": its own predicate, negated
            polarity = read_polarity(part.deny, rest, anchors) != negative
        else:
            # "neither does the parent PID": the previous clause's predicate, as said there
            polarity = read_polarity(part.deny, main_clause(parts_of[at - 1]))
    if _about_opposite(part, clause, primary):
        polarity = not polarity
    value, error = part.value, ""
    if part.value_from_text:
        value, error = value_from_text(part.value_from_text, clause, statement)
        if error and not forced:
            return None
    return PartMatch(part.fact, value, polarity, clause, error)


def _match_flag_table(statement: Statement, catalogue: Catalogue, cls: list[str],
                      only: str | None = None) -> Match | None:
    for table in catalogue.flag_tables:
        named = [(m.start(), f) for f in table.flags
                 for m in [re.search(rf"(?<![A-Za-z0-9_]){re.escape(f)}(?![A-Za-z0-9_])",
                                     statement.text)] if m]
        if not named:
            continue
        flag = sorted(named)[0][1]
        own_resource, check_id = table.flags[flag]
        if only is not None and only != check_id:
            continue
        rest = statement.text
        for res, pat in table.resources:
            clause = next((c for c in cls if pat.search(c)), None)
            if clause is None:
                continue
            scope = clause if (table.assert_.search(clause) or table.deny.search(clause)) else rest
            if not (table.assert_.search(scope) or table.deny.search(scope)):
                return None
            polarity = read_polarity(table.deny, scope, (table.deny, table.assert_, pat))
            if re.search(rf"\bwithout\s+(?:the\s+)?`?{re.escape(flag)}", statement.text, re.I):
                polarity = not polarity  # "without CLONE_VM, the child gets its own copy"
            check = catalogue.by_id.get(check_id)
            if check is None:
                return None
            pm = PartMatch(f"{table.fact_prefix}.{flag}.{res}", True, polarity, clause)
            return Match(check, (pm,), 17, flag)
    return None


def match_statement(statement: Statement, catalogue: Catalogue) -> tuple[Match | None, list[str]]:
    """The best catalogue check for a statement.

    Returns:
        ``(match or None, unknown explicit ids)``. Explicit ``<!--verify: id-->`` ids win over
        matching; otherwise the applicable check with the most parts wins (ties: catalogue
        order). Score: 10 per part, 1 per ``also`` pattern, 5 when a subject of the check is
        named in the statement, 2 when it is the statement's first subject; a flag-table
        reading scores 17.
    """
    cls = clauses(statement.text)
    # "Unlike vfork(), fork() ..." is about fork: a contrasted name is not a subject
    text_subjects = subjects_in(CONTRAST.sub(" ", statement.text), catalogue)
    ctx = context_subjects(statement, catalogue)
    unknown = [i for i in statement.explicit if catalogue.check(i) is None]
    for check_id in statement.explicit:
        check = catalogue.check(check_id)
        if check is None:
            continue
        if check.flag_table:
            m = _match_flag_table(statement, catalogue, cls, only=check_id)
            if m:
                return m, unknown
        primary = [catalogue.subjects[s] for s in check.subjects if s in catalogue.subjects]
        parts = tuple(match_part(p, statement.text, cls, forced=True, primary=primary)
                      for p in check.parts)
        subject = next((s for s in check.subjects if s in text_subjects + ctx), None)
        return Match(check, parts, 1000, subject), unknown  # type: ignore[arg-type]

    best: Match | None = _match_flag_table(statement, catalogue, cls)
    referent = pronoun_referent(statement.text, statement.context)
    subjects = set(text_subjects) | set(ctx)
    for check in catalogue.checks:
        if check.flag_table:
            continue
        if "*" not in check.subjects and not subjects & set(check.subjects):
            continue
        parts = []
        primary = [catalogue.subjects[s] for s in check.subjects if s in catalogue.subjects]
        for part in check.parts:
            pm = match_part(part, statement.text, cls, primary=primary, referent=referent)
            if pm is None:
                break
            parts.append(pm)
        else:
            in_text = any(s in text_subjects for s in check.subjects)
            first = (text_subjects or ctx or [None])[0]
            score = (10 * len(parts) + sum(len(p.also) for p in check.parts)
                     + (5 if in_text else 0) + (2 if first in check.subjects else 0))
            if best is None or score > best.score:
                subject = next((s for s in check.subjects if s in text_subjects), None) or next(
                    (s for s in check.subjects if s in ctx), None)
                best = Match(check, tuple(parts), score, subject)
    return best, unknown


def to_claim(statement: Statement, match: Match | None, catalogue: Catalogue) -> Claim:
    """The model's :class:`~mkdeck.model.Claim` for a statement and its match."""
    subject = match.subject if match else None
    if subject is None:
        found = subjects_in(statement.text, catalogue) or context_subjects(statement, catalogue)
        subject = found[0] if found else None
    return Claim(statement.location, statement.card_location, statement.text, subject,
                 match.check.id if match else None, match.polarity if match else True)
