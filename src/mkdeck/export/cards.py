"""Which cards Anki makes for a note: a faithful port of Anki's card generation.

Anki does not generate cards when it imports a package: it takes the package's ``cards``
table as it is, and only "Check Database" adds the cards that should exist. genanki's own
generator is wrong for several inputs (clozes without deletions, nested clozes, ``c1,2``,
``{{^Field}}``), so mkdeck computes the cards the way Anki does:

* standard note types: a card for every template whose question renders with some non-empty
  field (``rslib/src/template.rs``: ``renders_with_fields`` / ``template_is_empty``); when none
  does, card 0 (``rslib/src/notetype/cardgen.rs``, ``ensure_not_empty``);
* cloze note types: a card for every cloze number found in any field
  (``rslib/src/cloze.rs``: nested clozes count only when every enclosing cloze is closed,
  ``c1,2`` counts 1 and 2, ``c0`` and numbers above 65535 do not).

A field is empty when it holds nothing but ASCII whitespace and ``<br>``/``<div>`` tags
(``rslib/src/notes/mod.rs``: ``field_is_empty``).
"""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

LOG = logging.getLogger(__name__)

_CLOZE_TOKEN_RE = re.compile(r"\{\{c([0-9,]+)::|\}\}")
_U16_MAX = 65535


def _open_numbers(spec: str) -> list[int] | None:
    """The numbers of an opening ``{{cN,M::`` or ``None`` when Anki would not read it as a
    cloze (no part is a number 0..65535)."""
    nums = []
    for part in spec.split(","):
        if part and len(part) <= 5 and int(part) <= _U16_MAX:
            nums.append(int(part))
    return nums or None


def cloze_numbers(text: str) -> set[int]:
    """The cloze numbers (1-based) Anki finds in one field's HTML ``text``.

    Rule source: ``rslib/src/cloze.rs`` (tokenizer + ``parse_text_with_clozes``), checked
    against ``Collection._backend.cloze_numbers_in_note`` of Anki 26.9.3 in the tests."""
    found: set[int] = set()
    # stack of (own numbers, numbers of closed children)
    stack: list[tuple[list[int], set[int]]] = []
    for match in _CLOZE_TOKEN_RE.finditer(text):
        spec = match.group(1)
        if spec is not None:
            nums = _open_numbers(spec)
            if nums is not None:
                stack.append((nums, set()))
            continue
        if not stack:
            continue
        own, children = stack.pop()
        closed = children | {n for n in own if n > 0}
        if stack:
            stack[-1][1].update(closed)
        else:
            found |= closed
    return found


# rslib/src/notes/mod.rs: field_is_empty, r"(?xsi)^(?:[[:space:]]|</?(?:br|div)\ ?/?>)*$"
_EMPTY_FIELD_RE = re.compile(r"^(?:[ \t\n\r\x0b\x0c]|</?(?:br|div) ?/?>)*$", re.IGNORECASE)


def field_is_empty(field_html: str) -> bool:
    """``True`` when Anki treats the field as empty: nothing but ASCII whitespace and
    ``<br>``/``<div>`` tags (``&nbsp;``, a comment or ``<b> </b>`` make a field non-empty).

    Rule source: ``rslib/src/notes/mod.rs`` ``field_is_empty``; checked against Anki 26.9.3
    in the tests."""
    return _EMPTY_FIELD_RE.match(field_html) is not None


# --- templates ------------------------------------------------------------------------------

_MUSTACHE_RE = re.compile(r"\{\{(.*?)\}\}", re.DOTALL)


@dataclass(frozen=True, slots=True)
class _Node:
    kind: str  # "text", "replacement", "cond", "negcond"
    key: str = ""
    children: tuple[_Node, ...] = ()


@functools.lru_cache(maxsize=64)
def _parse_template(template: str) -> tuple[_Node, ...]:
    """Parse an Anki card template into nodes (``rslib/src/template.rs`` ``parse_inner``).

    Raises:
        ValueError: for an unclosed or mismatched ``{{#X}}``/``{{^X}}`` section."""
    root: list[_Node] = []
    stack: list[tuple[str, str, list[_Node]]] = []
    current = root
    for match in _MUSTACHE_RE.finditer(template):
        tag = match.group(1).strip()
        if tag.startswith("!"):
            continue
        if tag.startswith(("#", "^")):
            stack.append((tag[0], tag[1:].strip(), current))
            current = []
        elif tag.startswith("/"):
            if not stack:
                raise ValueError(f"template closes {tag[1:]!r} that was never opened")
            kind, key, parent = stack.pop()
            if key != tag[1:].strip():
                raise ValueError(f"template closes {tag[1:]!r} but {key!r} is open")
            parent.append(_Node("cond" if kind == "#" else "negcond", key, tuple(current)))
            current = parent
        else:
            # "filter:filter:Field" -> the field is the last part
            key = tag.rsplit(":", 1)[-1].strip()
            current.append(_Node("replacement", key))
    if stack:
        raise ValueError(f"template leaves {stack[-1][1]!r} open")
    return tuple(root)


def _template_is_empty(nonempty: set[str], nodes: Sequence[_Node]) -> bool:
    for node in nodes:
        if node.kind == "replacement":
            if node.key in nonempty:
                return False
        elif node.kind == "cond":
            if node.key in nonempty and not _template_is_empty(nonempty, node.children):
                return False
        elif node.kind == "negcond":
            # {{^X}}…{{/X}} renders nothing when X is not empty (Anki's card generation uses
            # renders_with_fields, i.e. check_negated = true; found comparing with Anki)
            if node.key not in nonempty and not _template_is_empty(nonempty, node.children):
                return False
    return True


def template_renders(qfmt: str, nonempty_fields: set[str]) -> bool:
    """Whether a card of the template with question ``qfmt`` exists for a note whose
    non-empty fields are ``nonempty_fields`` (``rslib/src/template.rs``
    ``renders_with_fields``; ``{{FrontSide}}`` and special fields never count)."""
    return not _template_is_empty(nonempty_fields, _parse_template(qfmt))


def standard_card_ords(qfmts: Sequence[str], fields: Mapping[str, str]) -> list[int]:
    """0-based template ordinals of the cards Anki makes for a standard note.

    Args:
        qfmts: question templates, in template order.
        fields: field name -> HTML.
    Returns:
        Sorted ordinals; ``[0]`` when no template renders (``ensure_not_empty``)."""
    nonempty = {name for name, value in fields.items() if not field_is_empty(value)}
    ords = [i for i, qfmt in enumerate(qfmts) if template_renders(qfmt, nonempty)]
    return ords or [0]


def cloze_card_ords(fields: Mapping[str, str]) -> list[int]:
    """0-based ordinals (cloze number - 1) of the cards Anki makes for a cloze note: the cloze
    numbers of every field. ``[0]`` when there is none (Anki's ``ensure_not_empty``; mkdeck
    refuses such notes before this matters)."""
    numbers: set[int] = set()
    for value in fields.values():
        numbers |= cloze_numbers(value)
    return sorted(n - 1 for n in numbers) or [0]
