"""The verification catalogue: statement shapes mapped to live kernel checks.

The catalogue is data shipped in the package (``mkdeck/verify/catalogue/*.yaml``, every file
loaded in name order, so the shipped ``cards/`` vault can add ``cards_*.yaml``). The format is
documented at the top of ``catalogue/core.yaml``. This module only reads and validates it; the
matching of statements against it lives in :mod:`mkdeck.verify.claims`.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

LOG = logging.getLogger(__name__)
# libyaml's safe loader when PyYAML has it (ten times faster), else the pure-Python one
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

CATALOGUE_DIR = Path(__file__).parent / "catalogue"
FLAGS = re.IGNORECASE | re.ASCII
_ID_RE = re.compile(r"^[a-z][a-z0-9_]*(?:\.[a-z0-9][a-z0-9_-]*)+$")
VALUE_FROM_TEXT = ("bytes", "int", "range")


class CatalogueError(ValueError):
    """A catalogue file is malformed. The message names the file and the entry."""


# A match never starts or ends inside an identifier joined with underscores: `threads?` is not
# found in CLONE_THREAD, `shared?` not in MAP_SHARED, `exit` not in _exit or exit_group; a
# pattern that spells the identifier out (`CLONE_THREAD`, `_exit`, `exit_group`) still matches.
_NOT_AFTER_UNDERSCORE = r"(?:(?![A-Za-z0-9])|(?<!_))"
_NOT_BEFORE_UNDERSCORE = r"(?:(?<![A-Za-z0-9])|(?!_))"


def compile_pattern(pattern: str, where: str) -> re.Pattern[str]:
    """Compile a catalogue pattern (case-insensitive, ASCII word rules; a match does not start
    or end inside an identifier joined with underscores).

    Raises:
        CatalogueError: the pattern is not a valid regular expression.
    """
    try:
        return _compiled(pattern)
    except re.error as exc:
        raise CatalogueError(f"{where}: bad pattern {pattern!r}: {exc}") from None


@lru_cache(maxsize=None)
def _compiled(pattern: str) -> re.Pattern[str]:
    re.compile(pattern, FLAGS)
    return re.compile(f"{_NOT_AFTER_UNDERSCORE}(?:{pattern}){_NOT_BEFORE_UNDERSCORE}", FLAGS)


def subject_pattern(pattern: str, where: str) -> re.Pattern[str]:
    """A subject name pattern wrapped in ASCII word boundaries (``fork`` is not in ``vfork``,
    ``clone`` is not in ``CLONE_FS``)."""
    return compile_pattern(rf"(?<![A-Za-z0-9_])(?:{pattern})(?![A-Za-z0-9_])", where)


@dataclass(frozen=True)
class Part:
    """One assertion inside a check: a keyed clause, its polarity words and the fact it states.

    Attributes:
        key: located in one clause of the statement; polarity is read in that clause.
        also: patterns that must match somewhere in the statement.
        unless: patterns that must not match anywhere in the statement (the statement is
            about something else: "ignoring SIGCHLD means no zombies" is not a zombie check).
        deny: words saying the opposite (each flips polarity, as does a negation).
        assert_: with ``require_polar``, words saying the fact itself.
        require_polar: the clause (or failing that, the statement) must contain an assert or
            deny word, else the part does not match.
        fact: the measured fact key (``"fork.returns_child_pid"``).
        value: the value the statement asserts (in positive polarity).
        value_from_text: ``"bytes"``, ``"int"`` or ``"range"``: the asserted value is read
            from the statement's text instead.
        opposite: names what the fact is *not* about (``_exit`` for exit's flushing): a key
            clause about it ("`_exit()` does not flush") flips polarity, a contrasted mention
            ("unlike `_exit()`") does not.
    """

    key: re.Pattern[str]
    fact: str
    value: Any = True
    also: tuple[re.Pattern[str], ...] = ()
    unless: tuple[re.Pattern[str], ...] = ()
    deny: re.Pattern[str] | None = None
    assert_: re.Pattern[str] | None = None
    require_polar: bool = False
    value_from_text: str | None = None
    opposite: re.Pattern[str] | None = None


@dataclass(frozen=True)
class Check:
    """A catalogue check.

    Attributes:
        id: stable id (``"fork.returns-child-pid"``).
        subjects: subject names the statement must be about (``"*"``: any).
        says: the true statement in words.
        parts: every part must match for the check to apply.
        host_dependent: why the literal statement depends on the host, or ``""``.
        source: catalogue file the check came from.
        flag_table: for checks generated from a flag table, the table name.
        words: patterns of the other words the check reads (issue 11: a word no pattern,
            word list or lexicon entry reads makes a statement unchecked).
        slots: the typed slots the check reads, as frames: each maps a cue ("pid", "in",
            "who", "number", "with", ...) to the values that are true there
            (:mod:`mkdeck.verify.reading`).
        slot_facts: per frame, ``(fact, value)`` when a statement read in that frame asserts
            another measured fact than the parts' (``"0 in the child"``), else ``None``.
        quantifiers: quantifiers the check reads beyond always/every/any ("only").
        host_rule: for a host-dependent fact, how the general statement is judged (see
            ``nice.default``): ``""`` or the name of the rule.
    """

    id: str
    subjects: tuple[str, ...]
    says: str
    parts: tuple[Part, ...]
    host_dependent: str = ""
    source: str = ""
    flag_table: str | None = None
    words: tuple[re.Pattern[str], ...] = ()
    slots: tuple[dict[str, tuple[Any, ...]], ...] = ()
    slot_facts: tuple[tuple[str, Any] | None, ...] = ()
    quantifiers: tuple[str, ...] = ()

    @property
    def facts(self) -> tuple[str, ...]:
        """The fact keys this check needs, in part order."""
        return tuple(p.fact for p in self.parts)


@dataclass(frozen=True)
class FlagTable:
    """A flag table: ``FLAG resource shared|not shared`` statements.

    Attributes:
        name: table name (``"clone"``).
        fact_prefix: facts are ``f"{fact_prefix}.{FLAG}.{resource}"``.
        subjects: the subject the flags belong to.
        flags: flag name -> (its own resource, its check id).
        says: flag name -> the true statement about it.
        resources: resource name -> pattern, in matching order.
        assert_: words saying "shared"; deny: words saying "not shared".
    """

    name: str
    fact_prefix: str
    subjects: tuple[str, ...]
    flags: dict[str, tuple[str, str]]
    resources: tuple[tuple[str, re.Pattern[str]], ...]
    assert_: re.Pattern[str]
    deny: re.Pattern[str]
    source: str = ""
    says: dict[str, str] = field(default_factory=dict)
    words: tuple[re.Pattern[str], ...] = ()


@dataclass(frozen=True)
class SelfTest:
    """A statement with its known verdict, run against a probe family's own output."""

    family: str
    text: str
    expect: str
    subject: str | None = None


@dataclass(frozen=True)
class Catalogue:
    """Everything the catalogue files say, merged.

    Attributes:
        subjects: subject name -> word-bounded pattern.
        checks: every check, in file then file order (flag-table checks included).
        flag_tables: every flag table.
        selftests: every self-test statement.
        files: the catalogue files read.
        by_id: check id -> check.
        named: text -> the subjects named in it (``subjects_at``'s memory; a catalogue made
            from another with the same subjects may share it).
    """

    subjects: dict[str, re.Pattern[str]]
    checks: tuple[Check, ...]
    flag_tables: tuple[FlagTable, ...]
    selftests: tuple[SelfTest, ...]
    files: tuple[str, ...] = ()
    by_id: dict[str, Check] = field(default_factory=dict)
    named: dict[str, tuple[tuple[int, str], ...]] = field(default_factory=dict, repr=False,
                                                         compare=False)

    def check(self, check_id: str) -> Check | None:
        """The check with id ``check_id``, or ``None``."""
        return self.by_id.get(check_id)

    def subjects_at(self, text: str) -> tuple[tuple[int, str], ...]:
        """``(offset, name)`` of each subject named in ``text``. Computed once per text and
        catalogue (kept in ``named``, at most 20000 texts): the matcher asks for the same
        statements and clauses once per check, mutant and segment."""
        hit = self.named.get(text)
        if hit is None:
            if len(self.named) > 20000:
                self.named.clear()
            hit = self.named[text] = tuple((m.start(), name) for name, pat in
                                           self.subjects.items() if (m := pat.search(text)))
        return hit


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, (list, tuple)) else [value]


def _part(raw: Any, where: str) -> Part:
    if not isinstance(raw, dict) or "key" not in raw or "fact" not in raw:
        raise CatalogueError(f"{where}: a part needs 'key' and 'fact'")
    unknown = set(raw) - {"key", "also", "unless", "deny", "assert", "require_polar", "fact",
                          "value", "opposite",
                          "value_from_text"}
    if unknown:
        raise CatalogueError(f"{where}: unknown part keys {sorted(unknown)}")
    vft = raw.get("value_from_text")
    if vft is not None and vft not in VALUE_FROM_TEXT:
        raise CatalogueError(f"{where}: value_from_text must be one of {VALUE_FROM_TEXT}")
    return Part(
        key=compile_pattern(str(raw["key"]), where),
        fact=str(raw["fact"]),
        value=raw.get("value", True),
        also=tuple(compile_pattern(str(p), where) for p in _as_list(raw.get("also"))),
        unless=tuple(compile_pattern(str(p), where) for p in _as_list(raw.get("unless"))),
        deny=compile_pattern(str(raw["deny"]), where) if raw.get("deny") else None,
        assert_=compile_pattern(str(raw["assert"]), where) if raw.get("assert") else None,
        require_polar=bool(raw.get("require_polar", False)),
        value_from_text=vft,
        opposite=compile_pattern(str(raw["opposite"]), where) if raw.get("opposite") else None,
    )


def _check(raw: Any, source: str) -> Check:
    where = f"{source}: check {raw.get('id') if isinstance(raw, dict) else repr(raw)}"
    if not isinstance(raw, dict) or not raw.get("id") or not raw.get("parts"):
        raise CatalogueError(f"{where}: a check needs 'id' and 'parts'")
    check_id = str(raw["id"])
    if not _ID_RE.match(check_id):
        raise CatalogueError(f"{where}: id must look like 'family.some-name'")
    parts = tuple(_part(p, f"{where} part {i + 1}") for i, p in enumerate(raw["parts"]))
    unknown = set(raw) - {"id", "subject", "says", "parts", "host_dependent", "words", "slots",
                          "quantifiers"}
    if unknown:
        raise CatalogueError(f"{where}: unknown check keys {sorted(unknown)}")
    slots, slot_facts = _slots(raw.get("slots"), where)
    return Check(
        id=check_id,
        subjects=tuple(str(s) for s in _as_list(raw.get("subject")) or ["*"]),
        says=str(raw.get("says", "")),
        parts=parts,
        host_dependent=str(raw.get("host_dependent", "") or ""),
        source=source,
        words=_words(raw.get("words"), where),
        slots=slots,
        slot_facts=slot_facts,
        quantifiers=tuple(str(q) for q in _as_list(raw.get("quantifiers"))),
    )


def _words(raw: Any, where: str) -> tuple[re.Pattern[str], ...]:
    """A check's ``words``: each a word or phrase (``know``, ``find out``) read with its
    common endings (-s, -es, -ed, -d, -ing, -'s), or a pattern. Plain words become one
    pattern (an alternation), each other pattern one of its own."""
    plain, other = [], []
    for w in _as_list(raw):
        text = str(w)
        if re.fullmatch(r"[A-Za-z][A-Za-z' -]*", text):
            plain.append(re.escape(text).replace(r"\ ", r"\s+"))
        else:
            other.append(compile_pattern(text, where))
    if plain:
        alternation = "|".join(sorted(set(plain), key=lambda p: (-len(p), p)))
        other.insert(0, compile_pattern(
            rf"\b(?:{alternation})(?:s|es|ed|d|ing|'s)?\b", where))
    return tuple(other)


def _slot_value(v: Any) -> Any:
    return v if isinstance(v, (int, float)) and not isinstance(v, bool) else str(v)


def _slots(raw: Any, where: str) -> tuple[tuple[dict[str, tuple[Any, ...]], ...],
                                         tuple[tuple[str, Any] | None, ...]]:
    frames, facts = [], []
    for frame in _as_list(raw):
        if not isinstance(frame, dict):
            raise CatalogueError(f"{where}: a slots frame must be a mapping, not {frame!r}")
        if any(not isinstance(k, str) for k in frame):
            raise CatalogueError(f"{where}: a slot name must be a word (quote YAML's no, on, yes)")
        cues = {str(k): tuple(_slot_value(v) for v in _as_list(val))
                for k, val in frame.items() if k not in ("fact", "value", "invert")}
        # needs: values the clause must state for this frame to read it (its condition)
        frames.append(cues)
        if "fact" in frame:
            facts.append((str(frame["fact"]), frame.get("value", True),
                          bool(frame.get("invert", False))))
        else:
            facts.append(None)
    return tuple(frames), tuple(facts)


def _flag_table(raw: Any, source: str) -> FlagTable:
    where = f"{source}: flag table {raw.get('name') if isinstance(raw, dict) else repr(raw)}"
    try:
        flags = {str(f): (str(v["resource"]), str(v["check"])) for f, v in raw["flags"].items()}
        resources = tuple(
            (str(name), compile_pattern(str(pat), where)) for name, pat in raw["resources"].items()
        )
        table = FlagTable(
            name=str(raw["name"]),
            fact_prefix=str(raw["fact_prefix"]),
            subjects=tuple(str(s) for s in _as_list(raw.get("subject"))),
            flags=flags,
            resources=resources,
            assert_=compile_pattern(str(raw["assert"]), where),
            deny=compile_pattern(str(raw["deny"]), where),
            source=source,
            says={str(f): str(v.get("says", "")) for f, v in raw["flags"].items()},
            words=_words(raw.get("words"), where),
        )
    except (KeyError, TypeError, AttributeError) as exc:
        raise CatalogueError(f"{where}: malformed ({exc!r})") from None
    names = {n for n, _ in resources}
    for flag, (res, _) in flags.items():
        if res not in names:
            raise CatalogueError(f"{where}: flag {flag} names unknown resource {res!r}")
    return table


def _table_checks(table: FlagTable) -> list[Check]:
    """One check per flag: the flag shares its own resource (facts for other resources are
    read at match time from the same table)."""
    out = []
    for flag, (resource, check_id) in table.flags.items():
        part = Part(
            key=re.compile(re.escape(flag), FLAGS),
            fact=f"{table.fact_prefix}.{flag}.{resource}",
            value=True,
            deny=table.deny,
            assert_=table.assert_,
            require_polar=True,
        )
        says = table.says.get(flag) or f"{flag} shares the {resource}"
        roles = ("parent", "child", "caller", "thread")
        frame = {"flag": (flag,), "with": (flag,), "without": (flag,), "who": roles,
                 "between": roles, "with_role": roles}
        words = tuple(p for _, p in table.resources) + table.words
        out.append(Check(check_id, table.subjects + (flag,), says,
                         (part,), source=table.source, flag_table=table.name, words=words,
                         slots=(frame,), slot_facts=(None,)))
    return out


def load_catalogue(paths: list[Path] | None = None) -> Catalogue:
    """Read and merge catalogue files (default: every ``*.yaml`` in the package's folder).

    Returns:
        The merged :class:`Catalogue`.

    Raises:
        CatalogueError: a file is not valid YAML, an entry is malformed, or a check id is
            defined twice.
    """
    files = sorted(paths) if paths is not None else sorted(CATALOGUE_DIR.glob("*.yaml"))
    subjects: dict[str, re.Pattern[str]] = {}
    checks: list[Check] = []
    tables: list[FlagTable] = []
    selftests: list[SelfTest] = []
    readings: dict[str, Any] = {}
    subject_words: dict[str, list[Any]] = {}
    for path in files:
        source = path.name
        try:
            raw = yaml.load(path.read_text(encoding="utf-8"), Loader=_LOADER) or {}
        except (OSError, yaml.YAMLError) as exc:
            raise CatalogueError(f"{source}: cannot read: {exc}") from None
        if not isinstance(raw, dict):
            raise CatalogueError(f"{source}: top level must be a mapping")
        for name, pattern in (raw.get("subjects") or {}).items():
            subjects[str(name)] = subject_pattern(str(pattern), f"{source}: subject {name}")
        for t in raw.get("flag_tables") or []:
            table = _flag_table(t, source)
            tables.append(table)
            checks.extend(_table_checks(table))
        for c in raw.get("checks") or []:
            checks.append(_check(c, source))
        for check_id, reading in (raw.get("readings") or {}).items():
            readings[str(check_id)] = (reading, source)
        for subject, words in (raw.get("subject_words") or {}).items():
            subject_words.setdefault(str(subject), []).extend(_as_list(words))
        for family, items in (raw.get("selftests") or {}).items():
            for item in items or []:
                if not isinstance(item, dict) or item.get("expect") not in ("verified", "refuted"):
                    raise CatalogueError(f"{source}: self-test {item!r} needs text and expect")
                selftests.append(SelfTest(str(family), str(item["text"]), str(item["expect"]),
                                          item.get("subject")))
    checks = _apply_readings(checks, readings, subject_words, tables)
    by_id: dict[str, Check] = {}
    for check in checks:
        if check.id in by_id:
            raise CatalogueError(
                f"{check.source}: check id {check.id} already defined in {by_id[check.id].source}"
            )
        by_id[check.id] = check
        for s in check.subjects:
            if s != "*" and s not in subjects and not s.isupper():
                raise CatalogueError(f"{check.source}: check {check.id}: unknown subject {s!r}")
    return Catalogue(subjects, tuple(checks), tuple(tables), tuple(selftests),
                     tuple(p.name for p in files), by_id)


def _apply_readings(checks: list[Check], readings: dict[str, Any],
                    subject_words: dict[str, list[Any]], tables: list[FlagTable]
                    ) -> list[Check]:
    """Add each check's reading (``readings:``: words, slots, quantifiers) and the words of
    its subjects (``subject_words:``). Raises ``CatalogueError`` for a reading of no check."""
    from dataclasses import replace

    ids = {c.id for c in checks}
    for check_id, (_, source) in readings.items():
        if check_id not in ids:
            raise CatalogueError(f"{source}: reading for unknown check {check_id!r}")
    out = []
    for check in checks:
        words = list(check.words) + list(_says_words(check.says))
        for subject in check.subjects:
            words.extend(_words(subject_words.get(subject), f"subject_words {subject}"))
        slots, facts, quants = check.slots, check.slot_facts, check.quantifiers
        if check.id in readings:
            raw, source = readings[check.id]
            where = f"{source}: reading {check.id}"
            if not isinstance(raw, dict) or set(raw) - {"words", "slots", "quantifiers"}:
                raise CatalogueError(f"{where}: a reading has words, slots and quantifiers")
            words.extend(_words(raw.get("words"), where))
            if raw.get("slots") is not None:
                extra, extra_facts = _slots(raw.get("slots"), where)
                if check.flag_table and slots:
                    extra = tuple({**slots[0], **f} for f in extra)
                slots, facts = extra, extra_facts
            quants = quants + tuple(str(q) for q in _as_list(raw.get("quantifiers")))
        out.append(replace(check, words=tuple(words), slots=slots, slot_facts=facts,
                           quantifiers=quants))
    return out


def _says_words(says: str) -> tuple[re.Pattern[str], ...]:
    """The plain lower-case words of a check's ``says`` (its true statement, written by the
    catalogue's author): the check reads them. Names, numbers and short words are left to
    the typed slots and the lexicon."""
    words = [w for w in re.findall(r"[A-Za-z][a-z]+(?:-[a-z]+)*", says)
             if len(w) > 3 and w.islower() and w not in _SAYS_SKIP]
    return _words(sorted(set(words)), "says") if words else ()


# words of a check's ``says`` that change a meaning (read by the typed slots instead)
_SAYS_SKIP = frozenset({"only", "never", "always", "every", "unless", "without", "parent",
                        "child", "children", "caller", "init", "none", "nothing", "cannot"})


@lru_cache(maxsize=1)
def default_catalogue() -> Catalogue:
    """The package's catalogue, loaded once per process."""
    return load_catalogue()
