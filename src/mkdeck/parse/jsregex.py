"""JavaScript regular expressions, translated to the ``regex`` library's syntax.

The Obsidian_to_Anki plugin compiles a user's note-style regex with ``new RegExp(source,
"gm")`` (no ``u`` flag, so the ECMAScript Annex B syntax applies). Python's regex syntax differs
in ways that change what such a pattern matches; :func:`translate` rewrites every construct
whose meaning differs, and refuses (with :class:`JsRegexError`) what JavaScript rejects or
what has no faithful translation:

=========================  ==========================================  =====================
JavaScript (flags ``gm``)  meaning there                                written here as
=========================  ==========================================  =====================
``.``                      any character but ``\\n \\r \\u2028 \\u2029``   that class
``^`` / ``$``              at a line start / end (``m``), lines ended  ``^``/``$`` (MULTILINE)
                           by any of those four                         or a look-around
``\\d \\w \\b``              ASCII only                                   ASCII classes, ASCII
``\\s``                     JavaScript's white space list               that class
``{`` not a quantifier     a literal ``{`` (``a{,3}`` too)              ``\\{``
``\\N`` to an unset group   matches the empty string                     ``(?(N)\\g<N>|)``
``(?<name>…)``, ``\\k<…>``  named group and its back-reference          ``(?P<name>…)``, ``(?P=name)``
``\\cX \\0 \\a \\e \\z``…     control char, NUL, identity escapes        the character
``[^]`` / ``[]``            any character / nothing                     ``[\\s\\S]`` / ``(?!)``
=========================  ==========================================  =====================

Rejected (JavaScript's own ``SyntaxError``): unbalanced parentheses, a quantifier with nothing
to repeat (``a**``, ``a++``: Python would read a possessive quantifier), ``{3,1}``, ``(?i)``,
``(?P<…>``, ``(?>…)``, a lone trailing backslash, a back-reference to a group the pattern does
not have. One difference remains: JavaScript counts UTF-16 code units, so ``.`` matches half of
a character outside the Basic Multilingual Plane (an emoji) where Python matches it whole.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

LOG = logging.getLogger(__name__)

# ECMAScript WhiteSpace and LineTerminator code points (ECMA-262 §12.2, §12.3): what \s means.
_JS_SPACE = "\\t\\n\\x0b\\x0c\\r \\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000\\ufeff"
_DOT = "[^\\n\\r\\u2028\\u2029]"
_LINE_START = "(?:^|(?<=[\\r\\u2028\\u2029]))"
_LINE_END = "(?:$|(?=[\\r\\u2028\\u2029]))"
_CLASS_ESCAPES = {"d": "0-9", "w": "A-Za-z0-9_", "s": _JS_SPACE}
_ATOM_ESCAPES = {
    "d": "[0-9]", "D": "[^0-9]", "w": "[A-Za-z0-9_]", "W": "[^A-Za-z0-9_]",
    "s": f"[{_JS_SPACE}]", "S": f"[^{_JS_SPACE}]", "b": "\\b", "B": "\\B",
    "t": "\\t", "n": "\\n", "v": "\\x0b", "f": "\\x0c", "r": "\\r",
}
_QUANT_RE = re.compile(r"\{(\d+)(,(\d*))?\}")
_NAME_RE = re.compile(r"[A-Za-z_$][A-Za-z0-9_$]*")


class JsRegexError(ValueError):
    """A pattern JavaScript rejects, or one without a faithful translation.

    Attributes:
        reason: what is wrong, in words (``"nothing to repeat"``).
        index: 0-based index in the pattern where it is.
    """

    def __init__(self, reason: str, index: int) -> None:
        super().__init__(f"{reason} at position {index}")
        self.reason = reason
        self.index = index


@dataclass(frozen=True, slots=True)
class Translated:
    """A translated pattern.

    Attributes:
        pattern: the pattern in the ``regex`` library's syntax; compile it with
            ``regex.MULTILINE | regex.ASCII`` (:data:`FLAGS`).
        groups: how many capture groups it has (numbered as in JavaScript).
    """

    pattern: str
    groups: int


FLAGS_NAMES = ("MULTILINE", "ASCII")
"""The ``regex`` flags a translated pattern is compiled with (``m``; ASCII ``\\b``)."""


def _count_groups(source: str) -> tuple[int, list[str]]:
    """Capture groups (and their names) of a JavaScript pattern, skipping classes and escapes."""
    count = 0
    names: list[str] = []
    i = 0
    in_class = False
    n = len(source)
    while i < n:
        c = source[i]
        if c == "\\":
            i += 2
            continue
        if in_class:
            if c == "]":
                in_class = False
        elif c == "[":
            in_class = True
        elif c == "(":
            if source.startswith("(?<", i) and i + 3 < n and source[i + 3] not in "=!":
                count += 1
                m = _NAME_RE.match(source, i + 3)
                names.append(m.group(0) if m else "")
            elif not source.startswith("(?", i):
                count += 1
        i += 1
    return count, names


def _char_escape(source: str, i: int, in_class: bool, groups: int,
                 named: bool) -> tuple[str, int, str]:
    """The escape at ``source[i] == "\\\\"``: ``(translation, next index, kind)`` with kind
    ``"atom"`` (something a quantifier may follow) or ``"assertion"``."""
    if i + 1 >= len(source):
        raise JsRegexError("\\ at end of pattern", i)
    c = source[i + 1]
    if in_class:
        if c in _CLASS_ESCAPES:
            return _CLASS_ESCAPES[c], i + 2, "atom"
        if c in "DWS":
            return "\\" + c, i + 2, "atom"
        if c == "b":
            return "\\x08", i + 2, "atom"
        if c.isdigit():
            m = re.compile(r"[0-7]{1,3}").match(source, i + 1)
            if m and c != "8" and c != "9":
                return f"\\x{int(m.group(0), 8) & 0xFF:02x}", m.end(), "atom"
            return re.escape(c), i + 2, "atom"
    else:
        if c in _ATOM_ESCAPES:
            kind = "assertion" if c in "bB" else "atom"
            return _ATOM_ESCAPES[c], i + 2, kind
        if c.isdigit() and c != "0":
            m = re.compile(r"\d+").match(source, i + 1)
            assert m is not None
            number = int(m.group(0))
            if number > groups:
                raise JsRegexError(f"back-reference \\{number} to a group the pattern does not "
                                   f"have (it has {groups})", i)
            # JavaScript: a back-reference to a group that has not matched matches ""
            return f"(?:(?({number})\\g<{number}>|))", m.end(), "atom"
        if c == "k" and named:
            m = re.compile(r"<([^>]*)>").match(source, i + 2)
            if not m:
                raise JsRegexError("invalid named reference", i)
            return f"(?P={m.group(1)})", m.end(), "atom"
    if c in "tnr":
        return "\\" + c, i + 2, "atom"
    if c == "v":
        return "\\x0b", i + 2, "atom"
    if c == "f":
        return "\\x0c", i + 2, "atom"
    if c == "0" and not source[i + 2:i + 3].isdigit():
        return "\\x00", i + 2, "atom"
    if c == "c":
        if i + 2 < len(source) and source[i + 2].isascii() and source[i + 2].isalpha():
            return f"\\x{ord(source[i + 2]) % 32:02x}", i + 3, "atom"
        return "\\\\", i + 1, "atom"  # Annex B: "\c" not before a letter is a backslash
    if c == "x":
        m = re.compile(r"[0-9A-Fa-f]{2}").match(source, i + 2)
        if m:
            return f"\\x{m.group(0)}", m.end(), "atom"
        return "x", i + 2, "atom"
    if c == "u":
        m = re.compile(r"[0-9A-Fa-f]{4}").match(source, i + 2)
        if m:
            return f"\\u{m.group(0)}", m.end(), "atom"
        return "u", i + 2, "atom"
    # identity escape: the character itself (\/ \. \a \e \z \p \A ...)
    return re.escape(c), i + 2, "atom"


def _class(source: str, i: int) -> tuple[str, int]:
    """The character class starting at ``source[i] == "["``: ``(translation, next index)``."""
    j = i + 1
    negated = source.startswith("^", j)
    if negated:
        j += 1
    parts: list[str] = []
    n = len(source)
    while True:
        if j >= n:
            raise JsRegexError("missing ] of a character class", i)
        c = source[j]
        if c == "]":
            j += 1
            break
        if c == "\\":
            text, j, _ = _char_escape(source, j, True, 0, False)
            parts.append(text)
            continue
        parts.append("\\" + c if c in "[\\^&~|" else c)
        j += 1
    if not parts:
        return ("[\\s\\S]" if negated else "(?!)"), j
    return "[" + ("^" if negated else "") + "".join(parts) + "]", j


def translate(source: str) -> Translated:
    """Translate a JavaScript regex (flags ``gm``, no ``u``) to the ``regex`` library's syntax.

    Args:
        source: the pattern as JavaScript's ``new RegExp(source, "gm")`` gets it.

    Returns:
        :class:`Translated` (compile with :data:`FLAGS_NAMES`).

    Raises:
        JsRegexError: the pattern is a ``SyntaxError`` in JavaScript, or uses a construct with
            no faithful translation; ``index`` says where.

    Rule source: ECMA-262 §22.2 (RegExp pattern syntax) and Annex B.1.2 (the web-compatible
    syntax browsers and Obsidian's Electron accept without the ``u`` flag).
    """
    groups, names = _count_groups(source)
    for name in names:
        if not name or not name.isidentifier():
            raise JsRegexError(f"group name {name!r} cannot be translated", source.find(name))
    if len(set(names)) != len(names):
        raise JsRegexError("a group name is used twice", 0)
    out: list[str] = []
    depth = 0
    last = "none"  # "atom", "quantifier", "lazy", "assertion", "none" (start, "(" or "|")
    i = 0
    n = len(source)
    while i < n:
        c = source[i]
        if c == "\\":
            text, i, kind = _char_escape(source, i, False, groups, bool(names))
            out.append(text)
            last = kind
            continue
        if c == "[":
            text, i = _class(source, i)
            out.append(text)
            last = "atom"
            continue
        if c == "(":
            if source.startswith("(?", i):
                for opener in ("(?:", "(?=", "(?!", "(?<=", "(?<!"):
                    if source.startswith(opener, i):
                        out.append(opener)
                        i += len(opener)
                        break
                else:
                    if source.startswith("(?<", i):
                        m = _NAME_RE.match(source, i + 3)
                        if m and source.startswith(">", m.end()):
                            out.append(f"(?P<{m.group(0)}>")
                            i = m.end() + 1
                        else:
                            raise JsRegexError("invalid group name", i)
                    else:
                        raise JsRegexError(f"invalid group {source[i:i + 3]!r} (JavaScript has "
                                           f"no inline flags, atomic or named-P groups)", i)
            else:
                out.append("(")
                i += 1
            depth += 1
            last = "none"
            continue
        if c == ")":
            if depth == 0:
                raise JsRegexError("unmatched )", i)
            depth -= 1
            out.append(")")
            i += 1
            last = "atom"
            continue
        if c == "|":
            out.append("|")
            i += 1
            last = "none"
            continue
        if c in "*+?" or (c == "{" and _QUANT_RE.match(source, i)):
            if c == "?" and last == "quantifier":
                out.append("?")
                i += 1
                last = "lazy"
                continue
            if last != "atom":  # ^, $, \b cannot repeat (lookaheads are groups: atoms)
                raise JsRegexError("nothing to repeat", i)
            if c == "{":
                m = _QUANT_RE.match(source, i)
                assert m is not None
                low, comma, high = m.group(1), m.group(2), m.group(3)
                if high and int(high) < int(low):
                    raise JsRegexError("numbers out of order in {} quantifier", i)
                out.append("{" + low + (("," + high) if comma else "") + "}")
                i = m.end()
            else:
                out.append(c)
                i += 1
            last = "quantifier"
            continue
        if c == ".":
            out.append(_DOT)
        elif c == "^":
            out.append(_LINE_START)
            last = "assertion"
            i += 1
            continue
        elif c == "$":
            out.append(_LINE_END)
            last = "assertion"
            i += 1
            continue
        else:
            out.append(re.escape(c))
        i += 1
        last = "atom"
    if depth:
        raise JsRegexError("missing )", n)
    return Translated("".join(out), groups)
