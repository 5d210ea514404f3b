"""The reader's lexicon (``verify/lexicon.yaml``) and the tokenizer that classifies every word
of a statement (issue 11).

A :class:`Token` has a *kind*: ``free`` (meaning-free), ``grammar``, ``neutral``, ``neg``,
``quant``, ``cond``, ``role``, ``noun``, ``num``, ``errno``, ``signal``, ``flag``, ``call``
(a name written as a call, ``fork()``), ``word`` (any other word: a check must read it) or
``punct`` (a clause boundary).
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

LOG = logging.getLogger(__name__)
# libyaml's safe loader when PyYAML has it (ten times faster), else the pure-Python one
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

LEXICON_FILE = Path(__file__).parent / "lexicon.yaml"
UNITS = {"kib": 1024, "kb": 1024, "k": 1024, "mib": 1 << 20, "mb": 1 << 20, "m": 1 << 20,
         "gib": 1 << 30, "byte": 1, "bytes": 1, "b": 1, "page": 4096, "pages": 4096}
# calls whose argument is a number people write (exit(1) is a status, fork(2) a section)
EXIT_CALLS = frozenset({"exit", "_exit", "_Exit", "exit_group", "sleep", "alarm", "close",
                        "dup", "kill", "nice"})
NUMBER_WORDS = {"zero": 0, "two": 2, "eight": 8, "sixteen": 16}
TOKEN = re.compile(
    r"(?P<call>[A-Za-z_][A-Za-z0-9_]*\((?:[^()]{0,40})\))"
    r"|(?P<num>(?<![\w.])[-+−]?\d(?:[\d_]|,(?=\d{3}))*(?:\.\d+)?(?:\s*\+\s*N\b)?"
    r"(?:\s*(?:KiB|KB|kB|MiB|MB|GiB|bytes?|pages?|K|M|B)\b)?)"
    r"|(?P<word>[A-Za-z][A-Za-z0-9_]*(?:[-'’–][A-Za-z0-9_]+)*(?:['’]s?)?)"
    r"|(?P<punct>[,;:()!?]|\.(?=\s|$)|\s[-–—]\s|/)")
FLAG_FORM = re.compile(r"^(?:CLONE|O|MAP|SA|F|PR|FD|W|SIG_|RLIMIT|CAP)_?[A-Z0-9_]+$")
NEG_CONTRACTION = re.compile(r"^(\w+)n['’]t$", re.I)


@dataclass(frozen=True)
class Token:
    """One word (or phrase) of a statement.

    Attributes:
        text: the words as written.
        kind: see the module docstring.
        value: the normalized value: a role, noun or quantifier name, an int (numbers, in
            bytes when a unit says so), an upper-case name (errno, signal, flag, call), or the
            lower-case word.
        start, end: character offsets in the statement text.
    """

    text: str
    kind: str
    value: Any
    start: int
    end: int


@dataclass(frozen=True)
class Lexicon:
    """``lexicon.yaml`` as lookup tables (all keys lower case, except typed names)."""

    meaning_free: frozenset[str]
    grammar: frozenset[str]
    neutral: frozenset[str]
    negations: frozenset[str]
    quantifiers: dict[str, str]
    conditions: frozenset[str]
    phrases: dict[tuple[str, ...], tuple[str, str]]  # words -> (kind, value)
    spelling: dict[str, str]
    errno: frozenset[str]
    signals: frozenset[str]
    flag_family: dict[str, str]
    families: dict[str, tuple[str, ...]]
    longest: int
    adjectives: frozenset[str] = frozenset()


def _words(items: Any) -> list[str]:
    return [str(i).lower() for i in items or []]


@lru_cache(maxsize=1)
def lexicon() -> Lexicon:
    """The package's lexicon, loaded once."""
    raw = yaml.load(LEXICON_FILE.read_text(encoding="utf-8"), Loader=_LOADER)
    phrases: dict[tuple[str, ...], tuple[str, str]] = {}
    for kind in ("roles", "nouns"):
        for name, forms in (raw.get(kind) or {}).items():
            for form in _words(forms):
                phrases[tuple(_split(form))] = (kind[:-1], str(name))
    quantifiers = {str(k).lower(): str(v) for k, v in raw["quantifiers"].items()}
    for form, value in quantifiers.items():
        if " " in form:
            phrases[tuple(form.split())] = ("quant", value)
    conditions = frozenset(_words(raw["conditions"]))
    for form in conditions:
        if " " in form:
            phrases[tuple(form.split())] = ("cond", form)
    families = {str(k): tuple(str(f) for f in v) for k, v in raw["flag_families"].items()}
    return Lexicon(
        meaning_free=frozenset(_words(raw["meaning_free"])),
        grammar=frozenset(_words(raw["grammar"])),
        neutral=frozenset(_words(raw["neutral"])),
        negations=frozenset(_words(raw["negations"])),
        quantifiers=quantifiers,
        conditions=conditions,
        phrases=phrases,
        spelling={str(k).lower(): str(v).lower() for k, v in raw["spelling"].items()},
        errno=frozenset(str(e) for e in raw["errno"]),
        signals=frozenset(str(s) for s in raw["signals"]),
        flag_family={f: fam for fam, flags in families.items() for f in flags},
        families=families,
        longest=max(len(p) for p in phrases),
        adjectives=frozenset(_words(raw.get("adjectives"))),
    )


def _split(form: str) -> list[str]:
    return [w for w in re.split(r"\s+", form.strip()) if w]


def number_value(text: str) -> int | None:
    """``"64 KiB"`` -> 65536, ``"16 pages"`` -> 65536, ``"-20"`` -> -20; ``None`` for a form
    that is not a whole number (``"128+N"``, ``"2.6"``)."""
    m = re.match(r"^([-+−]?)(\d[\d,_]*)(?:\s*([A-Za-z]+))?$", text.strip())
    if not m:
        return None
    n = int(m.group(2).replace(",", "").replace("_", ""))
    if m.group(1) in ("-", "−"):
        n = -n
    unit = (m.group(3) or "").lower()
    return n * UNITS.get(unit, 1)


def _raw_tokens(text: str) -> list[tuple[str, str, int, int]]:
    out = []
    for m in TOKEN.finditer(text):
        kind = m.lastgroup or "word"
        out.append((kind, m.group(), m.start(), m.end()))
    return out


def _typed_name(word: str, lex: Lexicon) -> tuple[str, str] | None:
    if word in lex.errno or (re.fullmatch(r"E[A-Z0-9]{3,}", word) and word not in ("EOF",)):
        return "errno", word
    if word in lex.signals or re.fullmatch(r"SIG[A-Z0-9]{2,}", word):
        return "signal", word
    if word in lex.flag_family or (FLAG_FORM.fullmatch(word) and "_" in word):
        return "flag", word
    return None


def tokenize(text: str) -> list[Token]:
    """Classify every word of ``text``; multi-word roles, nouns, quantifiers and conditions
    become one token; ``N pages of M KiB`` becomes one number (N * M bytes). A new list each
    call; the tokens (frozen) of a text are computed once: the reader, the matcher and the
    self-check tokenize the same clauses many times (one check after another)."""
    return list(_tokenize(text))


@lru_cache(maxsize=8192)
def _tokenize(text: str) -> tuple[Token, ...]:
    lex = lexicon()
    raw = _raw_tokens(text)
    tokens: list[Token] = []
    i = 0
    while i < len(raw):
        kind, word, start, end = raw[i]
        if kind == "punct":
            tokens.append(Token(word, "punct", word.strip(), start, end))
            i += 1
            continue
        if kind == "num":
            value = number_value(word)
            # "16 pages of 4 KiB": a count of pages of a size
            if (value is not None and i + 2 < len(raw) and raw[i + 1][1].lower() == "of"
                    and raw[i + 2][0] == "num" and re.search(r"pages?$", word)):
                size = number_value(raw[i + 2][1])
                if size is not None:
                    count = number_value(re.sub(r"\s*pages?$", "", word)) or 0
                    tokens.append(Token(text[start:raw[i + 2][3]], "num", count * size, start,
                                        raw[i + 2][3]))
                    i += 3
                    continue
            tokens.append(Token(word, "num", value if value is not None else word, start, end))
            i += 1
            continue
        if kind == "call":
            name = word[:word.index("(")]
            args = word[word.index("(") + 1:-1].strip()
            tokens.append(Token(word, "call", name, start, end))
            if re.fullmatch(r"[1-8]", args) and name not in EXIT_CALLS:
                pass  # fork(2): the manual's section, not an argument
            elif re.fullmatch(r"\d+", args):  # _exit(300): the argument is a number of its own
                tokens.append(Token(args, "num", int(args), start, end))
            i += 1
            continue
        typed = _typed_name(word, lex) if re.fullmatch(r"[A-Z][A-Z0-9_]+", word) else None
        if typed:
            tokens.append(Token(word, typed[0], typed[1], start, end))
            i += 1
            continue
        # longest phrase of the lexicon starting here
        words = []
        for j in range(i, min(len(raw), i + lex.longest)):
            if raw[j][0] != "word":
                break
            words.append(_norm(raw[j][1], lex))
        matched = False
        for n in range(len(words), 0, -1):
            key = tuple(words[:n])
            hit = lex.phrases.get(key)
            if hit is None and n == 1 and words[0].endswith("'s"):
                hit = lex.phrases.get((words[0][:-2],))
            if hit:
                kind2, value = hit
                tokens.append(Token(text[start:raw[i + n - 1][3]], kind2, value, start,
                                    raw[i + n - 1][3]))
                i += n
                matched = True
                break
        if matched:
            continue
        tokens.append(_word_token(word, start, end, lex))
        i += 1
    return tuple(tokens)


def fix_spelling(text: str) -> str:
    """``text`` with the lexicon's known misspellings corrected (``conent`` -> ``content``),
    so a note's typo never changes its reading."""
    lex = lexicon()
    return re.sub(r"[A-Za-z]+", lambda m: _respell(m.group(), lex), text)


def _respell(word: str, lex: Lexicon) -> str:
    fixed = lex.spelling.get(word.lower())
    if fixed is None or fixed == word.lower():
        return word
    return fixed.capitalize() if word[0].isupper() else fixed


def _norm(word: str, lex: Lexicon) -> str:
    w = word.lower().replace("’", "'")
    return lex.spelling.get(w, w)


def _word_token(word: str, start: int, end: int, lex: Lexicon) -> Token:
    w = _norm(word, lex)
    base = w[:-2] if w.endswith("'s") else w.rstrip("'")
    if w in lex.negations or NEG_CONTRACTION.match(w) or w in ("cannot",):
        return Token(word, "neg", "not", start, end)
    if base in lex.quantifiers:
        return Token(word, "quant", lex.quantifiers[base], start, end)
    if base in lex.conditions:
        return Token(word, "cond", base, start, end)
    if base in NUMBER_WORDS:
        return Token(word, "num", NUMBER_WORDS[base], start, end)
    for kind, table in (("free", lex.meaning_free), ("grammar", lex.grammar),
                        ("neutral", lex.neutral)):
        if base in table:
            return Token(word, kind, base, start, end)
    return Token(word, "word", base, start, end)


PRONOUN = re.compile(r"^(?:\W*(?:yes|no)\W+)?(?:it|its|they|their|this|these)\b", re.I)


def pronoun_referent(text: str, context: str) -> str:
    """What a statement that opens with a pronoun refers to: the card's question side
    (``context``) for "its memory is released" under "zombie process" or "it starts with only
    a loopback interface" under "a new network namespace"; ``""`` for a statement without
    such a pronoun (it names its own topic)."""
    return context if context and PRONOUN.search(text) else ""
