"""Regex note styles: notes written in a user's own syntax, found by a regular expression.

The Obsidian_to_Anki plugin's ``CUSTOM_REGEXPS`` (``src/file.ts`` ``AllFile.search``, research
§5) and ``regex_styles:`` in ``mkdeck.yaml`` give, per note type, a JavaScript regex. Its
semantics, kept here:

* the regex runs with JavaScript's ``gm`` flags (translated by :mod:`mkdeck.parse.jsregex`);
* capture group *i* is field *i* of the note type, trimmed; a group that did not take part
  is ``""``; groups beyond the note type's fields are dropped (reported at the setting);
* four variants run, most specific first: the regex followed directly by ``(Tags: .*)`` and
  ``\\n?(?:<!--)?(?:ID: (\\d+).*)``; by the ID part only; by the Tags part only; alone;
* styles run in order (``data.json`` key order, ``regex_styles:`` list order), after the
  START/END and STARTI/ENDI notes; a match lying inside (±1 character) a card, a FROZEN block,
  a TARGET DECK or FILE TAGS line, math (``$…$``, ``$$…$$``), code (`` `…` ``, fences) or an
  earlier match is skipped, as the plugin skips it; mkdeck also skips (and reports) a match
  that only partly overlaps a card or an earlier match, where the plugin would make a note
  of the overlapping text; the frontmatter is never searched;
* a match of a Cloze note type without a cloze deletion is dropped and its text released for
  later styles (the plugin's ``CLOZE_ERROR``); mkdeck reports it as information.

Every search runs under a time limit (:data:`TIME_LIMIT` seconds of CPU time per style and
file, the ``regex`` library's ``timeout=``, which counts the process's CPU time): a
catastrophic pattern such as ``(a+)+$`` on a long line becomes a finding at the setting, never
a hang. CPU time, not wall time, so whether a file times out does not depend on how busy the
machine is; on an idle machine the finding comes within a second (benchmarks/bench_regex.py).
"""

from __future__ import annotations

import bisect
import logging
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import regex  # type: ignore[import-untyped]

from mkdeck.codes import register
from mkdeck.config.notetypes import NoteTypeIndex
from mkdeck.config.wiki_styles import BY_PATTERN
from mkdeck.model import Config, Diagnostic, NoteType, RegexStyle, Severity, SourceLocation
from mkdeck.parse.jsregex import JsRegexError, translate

LOG = logging.getLogger(__name__)

TIME_LIMIT = 0.5
"""CPU seconds one style may search one file (all four variants together)."""

MAX_TIMEOUTS = 3
"""After this many files timed out, a style is not run on the vault's other files."""

# the plugin's suffixes (src/note.ts TAG_REGEXP_STR, ID_REGEXP_STR), JavaScript syntax
TAGS_SUFFIX = r"(Tags: .*)"
ID_SUFFIX = r"\n?(?:<!--)?(?:ID: (\d+).*)"

# what the plugin never searches (src/constants.ts OBS_*_REGEXP), JavaScript syntax; found by
# code_spans without running them
CODE_AND_MATH = (
    r"(?<!\$)\$(?=[\S])(?=[^$])[\s\S]*?\S\$",
    r"\$\$[\s\S]*?\$\$",
    r"(?<!`)`(?=[^`])[\s\S]*?`",
    r"```[\s\S]*?```",
)

REGEX_INVALID = register(
    "MKD130", Severity.ERROR, "regex note style cannot be used",
    fix="Correct the regex at the setting named (the message says what JavaScript, which the "
        "Obsidian_to_Anki plugin uses, rejects in it), or name a wiki style in mkdeck.yaml "
        "(regex_styles: [question-answer]); until then the style makes no notes.",
    bad='CUSTOM_REGEXPS: {"Basic": "^Q: (.*)\\\\nA: (.*"}',
    good='CUSTOM_REGEXPS: {"Basic": "^Q: (.*)\\\\nA: (.*)"}',
)
REGEX_TIMEOUT = register(
    "MKD131", Severity.ERROR, "regex note style too slow",
    fix="Rewrite the regex at the setting named without nested repetition such as (a+)+ "
        "(each character should be matched one way only); the file named gets no notes of "
        "this style until then.",
    bad="regex_styles:\n  - {regex: '^((?:a+)+)$', note_type: Basic}",
    good="regex_styles:\n  - {regex: '^(a+)$', note_type: Basic}",
)
REGEX_OVERLAP = register(
    "MKD132", Severity.WARNING, "regex match overlaps a card",
    fix="Leave a blank line between the text the regex style matches and the card (or the "
        "earlier match) named: the plugin would make one note of both; mkdeck skips the "
        "match.",
    bad="Q: What is 2+2?\nA: 4\nSTART\nBasic\nfront\nBack: back\nEND",
    good="Q: What is 2+2?\nA: 4\n\nSTART\nBasic\nfront\nBack: back\nEND",
)
REGEX_CLOZE_DROPPED = register(
    "MKD133", Severity.INFO, "regex match without cloze deletion",
    fix="Nothing to do if the paragraph is not meant as a card (the plugin drops it too); "
        "else mark a deletion ({text} with curly_cloze, {{c1::text}} always).",
    bad="The set {1, 2} has two elements.", good="The set $\\{1, 2\\}$ has {two} elements.",
)
REGEX_GROUPS = register(
    "MKD134", Severity.WARNING, "regex style has more groups than the note type has fields",
    fix="Make the extra groups non-capturing, (?:…), or use a note type with that many "
        "fields: the text of the extra groups is dropped, as the plugin drops it.",
    bad='CUSTOM_REGEXPS: {"Basic": "^(.+)::(.+)::(.+)$"}',
    good='CUSTOM_REGEXPS: {"Basic": "^(.+)::(.+)(?:::.+)?$"}',
)
REGEX_UNKNOWN_TYPE = register(
    "MKD135", Severity.ERROR, "regex style for an unknown note type",
    fix="Name a known note type for the style (Basic, Cloze, … or one declared under "
        "note_types in mkdeck.yaml); until then it makes no notes.",
    bad="regex_styles:\n  - {style: ruled, note_type: Flashcard}",
    good="regex_styles:\n  - {style: ruled, note_type: Basic}",
)
REGEX_NEEDS_SWITCH = register(
    "MKD136", Severity.WARNING, "regex style needs a cloze switch",
    fix="Turn on the switch named (curly_cloze or highlight_cloze in mkdeck.yaml, CurlyCloze "
        "in the plugin's settings): without it no match has a cloze deletion, so the style "
        "makes no notes.",
    bad="regex_styles: [cloze-paragraph]", good="curly_cloze: true\nregex_styles: [cloze-paragraph]",
)


@dataclass(frozen=True, slots=True)
class RegexMatch:
    """One match of a style that is a note candidate.

    Attributes:
        style: the style that matched.
        note_type: its resolved note type.
        start: offset of the match in the file's text; ``end``: offset just after it.
        groups: per field of the note type that a group fills: ``(text, offset)`` of the
            group (``("", start)`` for a group that did not take part).
        tags: the text after ``Tags: `` when the Tags variant matched, else ``None``.
        note_id: the ID when the ID variant matched, else ``None``.
    """

    style: RegexStyle
    note_type: NoteType
    start: int
    end: int
    groups: tuple[tuple[str, int], ...]
    tags: str | None
    note_id: int | None


@dataclass
class _Compiled:
    style: RegexStyle
    note_type: NoteType
    variants: list[tuple[regex.Pattern[str], bool, bool]]
    user_groups: int
    timeouts: int = 0


class _Spans:
    """Half-open ``[start, end)`` spans, asked whether they contain (±1) or cross a span."""

    def __init__(self, spans: Iterable[tuple[int, int]]) -> None:
        ordered = sorted(spans)
        self.starts = [s for s, _ in ordered]
        self.ends = [e for _, e in ordered]
        self.max_end: list[int] = []
        top = -1
        for e in self.ends:
            top = max(top, e)
            self.max_end.append(top)

    def contains(self, start: int, end: int) -> bool:
        """Whether a span holds ``[start, end)`` with one character of leeway each side (the
        plugin's ``contained_in``)."""
        k = bisect.bisect_right(self.starts, start + 1) - 1
        return k >= 0 and self.max_end[k] >= end - 1

    def crosses(self, start: int, end: int) -> int | None:
        """The start of a span sharing a character with ``[start, end)``, else ``None``."""
        k = bisect.bisect_left(self.starts, end) - 1
        if k < 0 or self.max_end[k] <= start:
            return None
        while self.ends[k] <= start:  # the prefix maximum says one of these reaches in
            k -= 1
        return self.starts[k]


class _Matches:
    """The accepted matches of a file: pairwise disjoint spans, kept sorted."""

    def __init__(self) -> None:
        self.starts: list[int] = []
        self.ends: list[int] = []

    def add(self, start: int, end: int) -> None:
        k = bisect.bisect_left(self.starts, start)
        self.starts.insert(k, start)
        self.ends.insert(k, end)

    def contains(self, start: int, end: int) -> bool:
        k = bisect.bisect_right(self.starts, start + 1) - 1
        return k >= 0 and self.ends[k] >= end - 1

    def crosses(self, start: int, end: int) -> int | None:
        k = bisect.bisect_left(self.starts, end) - 1
        if k >= 0 and self.ends[k] > start:
            return self.starts[k]
        return None


def _js_compile(source: str) -> tuple[regex.Pattern[str], int]:
    translated = translate(source)
    return regex.compile(translated.pattern, regex.MULTILINE | regex.ASCII), translated.groups


def code_spans(text: str) -> list[tuple[int, int]]:
    """``[start, end)`` spans of math and code in ``text`` exactly as the plugin's
    ``OBS_INLINE_MATH_REGEXP``, ``OBS_DISPLAY_MATH_REGEXP``, ``OBS_CODE_REGEXP`` and
    ``OBS_DISPLAY_CODE_REGEXP`` (:data:`CODE_AND_MATH`, run with ``matchAll``) find them, in
    linear time: those lazy patterns rescan the rest of the text from every unclosed ``$``
    or backtick (quadratic on a line of ``$a $b $c …``); here each closing delimiter is looked
    up once."""
    out: list[tuple[int, int]] = []
    n = len(text)
    if "$" in text:
        # $…$: a "$" not after "$", before a character that is neither space nor "$"; it
        # ends at the first "$" two or more characters on that follows a non-space
        closes = [p for p in _positions(text, "$") if p >= 2 and not text[p - 1].isspace()]
        at = text.find("$")
        while at != -1:
            if (at == 0 or text[at - 1] != "$") and at + 1 < n and text[at + 1] != "$" \
                    and not text[at + 1].isspace():
                k = bisect.bisect_left(closes, at + 2)
                if k == len(closes):
                    break  # no later start can close either
                out.append((at, closes[k] + 1))
                at = text.find("$", closes[k] + 1)
            else:
                at = text.find("$", at + 1)
        out.extend(_delimited(text, "$$"))
    if "`" in text:
        at = text.find("`")
        while at != -1:
            if (at == 0 or text[at - 1] != "`") and at + 1 < n and text[at + 1] != "`":
                close = text.find("`", at + 1)
                if close == -1:
                    break
                out.append((at, close + 1))
                at = text.find("`", close + 1)
            else:
                at = text.find("`", at + 1)
        out.extend(_delimited(text, "```"))
    return out


def _positions(text: str, char: str) -> list[int]:
    """Every index of ``char`` in ``text`` (``str.find`` steps: C speed between hits)."""
    out = []
    at = text.find(char)
    while at != -1:
        out.append(at)
        at = text.find(char, at + 1)
    return out


def _delimited(text: str, mark: str) -> list[tuple[int, int]]:
    """Spans of ``mark…mark`` (``\\$\\$[\\s\\S]*?\\$\\$``, ``` ```[\\s\\S]*?``` ```), left to right."""
    out = []
    at = text.find(mark)
    while at != -1:
        close = text.find(mark, at + len(mark))
        if close == -1:
            break
        out.append((at, close + len(mark)))
        at = text.find(mark, close + len(mark))
    return out


def style_label(style: RegexStyle) -> str:
    """How a finding names a style: its setting, and its wiki name when it is a wiki style."""
    wiki = style.name or (BY_PATTERN[style.pattern].name if style.pattern in BY_PATTERN else "")
    return f"{style.setting} ({wiki} style)" if wiki else style.setting


class RegexRunner:
    """The regex styles of a vault, compiled once per run, and their searches.

    Args:
        config: the vault's config (``regex_styles``, cloze switches).
        index: the note-type index that resolves each style's note type.

    Attributes:
        diagnostics: findings about the styles themselves (invalid regex, unknown note type,
            extra groups, a missing cloze switch, timeouts), each at its setting, once per
            run. The caller reports them once.
    """

    def __init__(self, config: Config, index: NoteTypeIndex) -> None:
        self.diagnostics: list[Diagnostic] = []
        self.styles: list[_Compiled] = []
        for style in config.regex_styles:
            compiled = self._compile(style, config, index)
            if compiled is not None:
                self.styles.append(compiled)

    def _compile(self, style: RegexStyle, config: Config,
                 index: NoteTypeIndex) -> _Compiled | None:
        label = style_label(style)
        note_type = index.resolve(style.note_type)
        if note_type is None:
            self.diagnostics.append(REGEX_UNKNOWN_TYPE.at(
                style.location,
                f"{label} is for note type {style.note_type!r}, which mkdeck does not know: "
                f"use one of {', '.join(index.names())}, or declare it in mkdeck.yaml under "
                f"note_types; the style makes no notes."))
            return None
        variants = []
        user_groups = 0
        suffixes = ((True, True), (False, True), (True, False), (False, False))
        for has_tags, has_id in suffixes:
            source = style.pattern + (TAGS_SUFFIX if has_tags else "") + (
                ID_SUFFIX if has_id else "")
            try:
                pattern, groups = _js_compile(source)
            except (JsRegexError, regex.error) as exc:
                where = ""
                if isinstance(exc, JsRegexError) and exc.index < len(style.pattern):
                    where = f" (at character {exc.index + 1}: {style.pattern[exc.index:][:12]!r})"
                reason = exc.reason if isinstance(exc, JsRegexError) else str(exc)
                self.diagnostics.append(REGEX_INVALID.at(
                    style.location,
                    f"{label}: the regex {style.pattern!r} cannot be used: {reason}{where}. "
                    f"Correct it; the style makes no notes until then."))
                return None
            if not has_tags and not has_id:
                user_groups = groups
            variants.append((pattern, has_tags, has_id))
        fields = note_type.fields
        if user_groups > len(fields):
            self.diagnostics.append(REGEX_GROUPS.at(
                style.location,
                f"{label} has {user_groups} capture groups but {note_type.name} has "
                f"{len(fields)} fields ({', '.join(fields)}): the text of groups "
                f"{len(fields) + 1}–{user_groups} is dropped, as the plugin drops it; make "
                f"them non-capturing, (?:…)."))
        wiki = BY_PATTERN.get(style.pattern)
        needs = wiki.needs if wiki else ""
        if note_type.kind == "cloze" and needs and not getattr(config, needs):
            switch = ("curly_cloze: true (the plugin's CurlyCloze)" if needs == "curly_cloze"
                      else "highlight_cloze: true (the plugin's CurlyCloze - Highlights to "
                           "Clozes)")
            self.diagnostics.append(REGEX_NEEDS_SWITCH.at(
                style.location,
                f"{label} needs {switch}, which is off: its matches have no cloze deletion, "
                f"so it makes no notes; turn the switch on."))
        return _Compiled(style, note_type, variants, user_groups)

    def scan(self, path: str, text: str, blocked: Sequence[tuple[int, int]],
             accept: Callable[[RegexMatch], bool],
             line_of: Callable[[int], int]) -> tuple[list[RegexMatch], list[Diagnostic]]:
        """Find the notes of every style in one file.

        Args:
            path: the file's vault-relative path (for findings).
            text: its text (LF line endings).
            blocked: ``[start, end)`` offsets of cards, FROZEN blocks, TARGET DECK and FILE
                TAGS lines and the frontmatter: a match inside one is skipped, one crossing
                one is skipped and reported.
            accept: called for each candidate; ``False`` drops it (a cloze match without
                a deletion) and releases its text for later styles.
            line_of: 1-based line of an offset.

        Returns:
            ``(matches, diagnostics)``: accepted matches in search order, and the findings
            located in the file. Never raises; a style that exceeds :data:`TIME_LIMIT` adds a
            finding to :attr:`diagnostics` and contributes no match in this file.
        """
        matches: list[RegexMatch] = []
        diags: list[Diagnostic] = []
        active = [c for c in self.styles if c.timeouts < MAX_TIMEOUTS]
        if not active or not text:
            return matches, diags
        code = _Spans(code_spans(text))
        cards = _Spans(blocked)
        taken = _Matches()
        for compiled in active:
            found: list[RegexMatch] = []
            found_diags: list[Diagnostic] = []
            deadline = time.process_time() + TIME_LIMIT
            try:
                for pattern, has_tags, has_id in compiled.variants:
                    remaining = deadline - time.process_time()
                    if remaining <= 0:
                        raise TimeoutError
                    for m in pattern.finditer(text, timeout=remaining):
                        start, end = m.span()
                        if start == end:
                            continue  # an empty match holds no text: no note, nothing lost
                        if (code.contains(start, end) or cards.contains(start, end)
                                or taken.contains(start, end)):
                            continue
                        other = cards.crosses(start, end)
                        what = "the card"
                        if other is None:
                            other = taken.crosses(start, end)
                            what = "the earlier regex match"
                        if other is not None:
                            found_diags.append(REGEX_OVERLAP.at(
                                SourceLocation(path, line_of(start)),
                                f"{style_label(compiled.style)} matches lines "
                                f"{line_of(start)}–{line_of(max(start, end - 1))}, which "
                                f"overlap {what} at line {line_of(other)}: the plugin would "
                                f"make a note of all of it; mkdeck skips this match. Leave "
                                f"a blank line between them."))
                            continue
                        candidate = self._candidate(compiled, m, has_tags, has_id)
                        if not accept(candidate):
                            found_diags.append(REGEX_CLOZE_DROPPED.at(
                                SourceLocation(path, line_of(start)),
                                f"{style_label(compiled.style)} matches lines "
                                f"{line_of(start)}–{line_of(max(start, end - 1))}, which hold "
                                f"no cloze deletion: not a note (the plugin drops it too)."))
                            continue
                        taken.add(start, end)
                        found.append(candidate)
            except TimeoutError:
                for candidate in found:  # a partial result would depend on the machine
                    self._release(taken, candidate)
                compiled.timeouts += 1
                count = compiled.timeouts
                stop = (f" It timed out in {count} file{'s' if count > 1 else ''}, so it is "
                        f"not run on the vault's other files."
                        if compiled.timeouts >= MAX_TIMEOUTS else "")
                self.diagnostics.append(REGEX_TIMEOUT.at(
                    compiled.style.location,
                    f"{style_label(compiled.style)} took longer than {TIME_LIMIT:g} s (CPU) on "
                    f"{path} and was stopped, so that file gets no notes of this style: "
                    f"rewrite the regex without nested repetition such as (a+)+.{stop}"))
                continue
            matches.extend(found)
            diags.extend(found_diags)
        return matches, diags

    @staticmethod
    def _release(taken: _Matches, candidate: RegexMatch) -> None:
        k = bisect.bisect_left(taken.starts, candidate.start)
        if k < len(taken.starts) and taken.starts[k] == candidate.start:
            del taken.starts[k]
            del taken.ends[k]

    @staticmethod
    def _candidate(compiled: _Compiled, m: regex.Match[str], has_tags: bool,
                   has_id: bool) -> RegexMatch:
        count = len(m.groups())
        id_group = count if has_id else None
        tags_group = (count - 1 if has_id else count) if has_tags else None
        groups = []
        for g in range(1, min(compiled.user_groups, len(compiled.note_type.fields)) + 1):
            value = m.group(g)
            groups.append((value, m.start(g)) if value is not None else ("", m.start()))
        tags = None
        if tags_group is not None:
            tags = (m.group(tags_group) or "")[len("Tags: "):]
        note_id = int(m.group(id_group)) if id_group is not None and m.group(id_group) else None
        return RegexMatch(compiled.style, compiled.note_type, m.start(), m.end(),
                          tuple(groups), tags, note_id)

