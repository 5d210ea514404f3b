"""Card templates rendered the way Anki renders them: the question and answer HTML of a card.

A port of Anki 26.9's backend renderer, the text ``card.question()`` / ``card.answer()`` return
(without their leading ``<style>`` element):

* templates (``rslib/src/template.rs``): ``{{Field}}``, ``{{#Field}}…{{/Field}}``,
  ``{{^Field}}…{{/Field}}``, ``{{filter:filter:Field}}``, ``{{FrontSide}}``, ``<!--…-->``
  comments passed through untouched, the legacy ``{{=<% %>=}}`` syntax; the special fields
  ``Tags``, ``Type``, ``Deck``, ``Subdeck``, ``Card``, ``CardFlag`` and ``cN``
  (``rslib/src/notetype/render.rs``);
* filters (``rslib/src/template_filters.rs``): ``text``, ``hint``, ``type`` (and
  ``type:cloze``, ``type:nc``), ``cloze``, ``cloze-only``, ``furigana``, ``kana``, ``kanji``,
  ``tts``; an unknown filter stops the chain, as in Anki without add-ons;
* clozes (``rslib/src/cloze.rs``): one card per cloze number; on the question the active
  deletions become ``<span class="cloze" data-cloze="…" data-ordinal="N">[…]</span>`` (hint in
  the brackets), on the answer ``<span class="cloze" data-ordinal="N">text</span>``, and the
  others ``<span class="cloze-inactive" data-ordinal="N">text</span>``; nested and ``c1,2``
  clozes; HTML tags inside ``\\(…\\)`` and ``\\[…\\]`` are removed.

What the reviewer does afterwards (the type-in box, sound buttons, MathJax) is not done here:
``[[type:Field]]`` and ``[sound:x]`` stay in the text, as in ``card.question()``.
The one known difference: the ``hint`` filter's element id hashes the text with SHA-256 where
Anki uses BLAKE3 (not in Python's standard library); the id only has to be unique in the page.
"""

from __future__ import annotations

import hashlib
import html
import logging
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from mkdeck.export.cards import field_is_empty

LOG = logging.getLogger(__name__)

__all__ = [
    "CardSides",
    "TemplateError",
    "card_sides",
    "cloze_for_typing",
    "cloze_reveal",
    "encode_attribute",
    "parse_template",
    "render_template",
    "strip_html",
]

_ALT_SYNTAX = "{{=<% %>=}}"
_SPECIAL_FIELDS = ("Tags", "Type", "Deck", "Subdeck", "CardFlag", "Card")


class TemplateError(ValueError):
    """A template that Anki cannot render (unbalanced conditional, unknown field).

    ``str(error)`` is the message Anki shows in place of the card."""


# --- parsing (template.rs: tokens, classify_handle, parse_inner) ----------------------------


@dataclass(frozen=True, slots=True)
class _Node:
    kind: str  # text | comment | replacement | cond | negcond
    text: str = ""  # text, comment, or the key of a replacement/conditional
    filters: tuple[str, ...] = ()  # in the order they apply
    children: tuple[_Node, ...] = ()


def _tokens(template: str) -> list[tuple[str, str]]:
    """``(kind, text)`` tokens: text, comment, handle (the inside of ``{{…}}``)."""
    start, end = "{{", "}}"
    stripped = template.lstrip()
    if stripped.startswith(_ALT_SYNTAX):
        while stripped.startswith(_ALT_SYNTAX):
            stripped = stripped[len(_ALT_SYNTAX):]
        template, start, end = stripped, "<%", "%>"
    out: list[tuple[str, str]] = []
    pos = 0
    while pos < len(template):
        # the first "{{" with a "}}" after it, or "<!--" with a "-->" after it; when the
        # first candidate has no closer, no later one has
        h = template.find(start, pos)
        if h != -1 and template.find(end, h + len(start)) == -1:
            h = -1
        c = template.find("<!--", pos)
        if c != -1 and template.find("-->", c + 4) == -1:
            c = -1
        found = [i for i in (h, c) if i != -1]
        if not found:
            out.append(("text", template[pos:]))
            break
        at = min(found)
        if at > pos:
            out.append(("text", template[pos:at]))
        if at == h:
            close = template.find(end, h + len(start))
            out.append(("handle", template[h + len(start):close]))
            pos = close + len(end)
        else:
            close = template.find("-->", c + 4)
            out.append(("comment", template[c + 4:close]))
            pos = close + 3
    return out


def _classify(handle: str) -> tuple[str, str]:
    s = handle.lstrip("{").strip()
    if len(s.encode("utf-8")) < 2:
        return "replacement", s
    if s[0] == "#":
        return "open", s[1:].lstrip()
    if s[0] == "/":
        return "close", s[1:].lstrip()
    if s[0] == "^":
        return "negopen", s[1:].lstrip()
    return "replacement", s


def parse_template(template: str) -> tuple[_Node, ...]:
    """Parse an Anki card template into nodes.

    Raises:
        TemplateError: a ``{{/X}}`` that closes nothing or the wrong section, or a section
            left open (Anki's messages, in English)."""
    root: list[_Node] = []
    stack: list[tuple[str, str, list[_Node]]] = []
    current = root
    for kind, text in _tokens(template):
        if kind == "text":
            current.append(_Node("text", text))
        elif kind == "comment":
            current.append(_Node("comment", text))
            continue
        else:
            what, key = _classify(text)
            if what == "replacement":
                parts = key.split(":")
                current.append(_Node("replacement", parts[-1], tuple(reversed(parts[:-1]))))
            elif what in ("open", "negopen"):
                stack.append(("cond" if what == "open" else "negcond", key, current))
                current = []
            else:
                if not stack or stack[-1][1] != key:
                    if stack:
                        raise TemplateError(f"Found '{{{{/{key}}}}}', but expected "
                                            f"'{{{{/{stack[-1][1]}}}}}'")
                    raise TemplateError(f"Found '{{{{/{key}}}}}', but missing "
                                        f"'{{{{#{key}}}}}' or '{{{{^{key}}}}}'")
                cond, open_key, parent = stack.pop()
                parent.append(_Node(cond, open_key, (), tuple(current)))
                current = parent
    if stack:
        raise TemplateError(f"Missing '{{{{/{stack[-1][1]}}}}}'")
    return tuple(root)


def _renders(nodes: Sequence[_Node], nonempty: set[str]) -> bool:
    """``not template_is_empty(nonempty, nodes, check_negated=True)``."""
    for node in nodes:
        if node.kind == "replacement":
            if node.text in nonempty:
                return True
        elif node.kind == "cond":
            if node.text in nonempty and _renders(node.children, nonempty):
                return True
        elif node.kind == "negcond":
            if node.text not in nonempty and _renders(node.children, nonempty):
                return True
    return False


# --- text helpers (rslib/src/text.rs, htmlescape) ---------------------------------------------

_HTML_RE = re.compile(r"<!--.*?-->|<.*?>", re.DOTALL)
_MINIMAL = {'"': "&quot;", "&": "&amp;", "'": "&#x27;", "<": "&lt;", ">": "&gt;"}


def strip_html(text: str) -> str:
    """Anki's ``strip_html``: comments and tags removed, then entities decoded, a no-break
    space becoming a space (``rslib/src/text.rs``)."""
    stripped = _HTML_RE.sub("", text)
    if "&" in stripped:
        stripped = html.unescape(stripped).replace("\xa0", " ")
    return stripped


def encode_attribute(text: str) -> str:
    """htmlescape's ``encode_attribute`` (how Anki writes ``data-cloze``): ``"&'<>`` as
    entities, every other character below U+0100 that is not an ASCII letter or digit as
    ``&#xHH;``, the rest as is."""
    out = []
    for ch in text:
        entity = _MINIMAL.get(ch)
        if entity is not None:
            out.append(entity)
        elif ord(ch) < 256 and (ord(ch) > 127 or not (ch.isascii() and ch.isalnum())):
            out.append(f"&#x{ord(ch):02X};")
        else:
            out.append(ch)
    return "".join(out)


# --- clozes (rslib/src/cloze.rs) --------------------------------------------------------------

_MAX_OPEN_CLOZES = 10


@dataclass(slots=True)
class _Cloze:
    ordinals: tuple[int, ...]
    nodes: list[str | _Cloze]
    hint: str | None = None

    def text(self) -> str:
        return "".join(n if isinstance(n, str) else n.text() for n in self.nodes)


def _open_ordinals(spec: str) -> tuple[int, ...] | None:
    nums = {int(p) for p in spec.split(",") if p and int(p) <= 65535}
    return tuple(sorted(nums)) or None


_CLOZE_TOKEN_RE = re.compile(r"\{\{c([0-9,]*)::|\}\}")


def _parse_clozes(text: str) -> list[str | _Cloze]:
    """``parse_text_with_clozes``: text and (nested) clozes; at most 10 open at once."""
    output: list[str | _Cloze] = []
    open_clozes: list[_Cloze] = []
    pos = 0

    def add_text(chunk: str) -> None:
        if not chunk:
            return
        if open_clozes:
            cloze = open_clozes[-1]
            head, sep, tail = chunk.partition("::")
            if sep:
                chunk, cloze.hint = head, tail
            cloze.nodes.append(chunk)
        else:
            output.append(chunk)

    for m in _CLOZE_TOKEN_RE.finditer(text):
        spec = m.group(1)
        ords = _open_ordinals(spec) if spec is not None else None
        if spec is not None and ords is None:
            continue  # "{{c::" or "{{c,::": plain text
        add_text(text[pos:m.start()])
        pos = m.end()
        if ords is not None:
            if len(open_clozes) < _MAX_OPEN_CLOZES:
                open_clozes.append(_Cloze(ords, []))
        elif open_clozes:
            done = open_clozes.pop()
            (open_clozes[-1].nodes if open_clozes else output).append(done)
        else:
            output.append("}}")
    add_text(text[pos:])
    return output


def _reveal(cloze: _Cloze, ordinal: int, question: bool, found: list[bool]) -> str:
    active = ordinal in cloze.ordinals
    found[0] |= active
    ords = ",".join(str(o) for o in cloze.ordinals)
    if question and active:
        inner = "".join(
            n if isinstance(n, str) else _reveal(n, ordinal, question, found)
            for n in cloze.nodes)
        hint = cloze.hint if cloze.hint is not None else "..."
        return (f'<span class="cloze" data-cloze="{encode_attribute(inner)}" '
                f'data-ordinal="{ords}">[{hint}]</span>')
    cls = "cloze" if active else "cloze-inactive"
    inner = "".join(
        n if isinstance(n, str) else _reveal(n, ordinal, question, found) for n in cloze.nodes)
    return f'<span class="{cls}" data-ordinal="{ords}">{inner}</span>'


def cloze_reveal(text: str, ordinal: int, question: bool) -> str:
    """A field's ``text`` with the clozes of card ``ordinal`` (1-based cloze number) hidden
    (``question``) or revealed; ``""`` when the field holds no cloze of that number
    (``reveal_cloze_text``)."""
    found = [False]
    out = "".join(n if isinstance(n, str) else _reveal(n, ordinal, question, found)
                  for n in _parse_clozes(text))
    return out if found[0] else ""


def _cloze_only(text: str, ordinal: int, question: bool) -> str:
    out: list[str] = []

    def walk(node: str | _Cloze) -> None:
        if isinstance(node, _Cloze):
            if ordinal in node.ordinals:
                out.append((node.hint if node.hint is not None else "...") if question
                           else node.text())
            for child in node.nodes:
                walk(child)

    for node in _parse_clozes(text):
        walk(node)
    return ", ".join(out)


def cloze_for_typing(text: str, ordinal: int) -> str:
    """What a type-in cloze (``{{type:cloze:Text}}``) expects for card ``ordinal`` (1-based):
    the text of its active deletions, once when they are all the same, else joined by
    ``", "`` (``extract_cloze_for_typing``)."""
    found: list[str] = []

    def walk(node: str | _Cloze) -> None:
        if isinstance(node, _Cloze):
            if ordinal in node.ordinals:
                found.append(node.text())
            for child in node.nodes:
                walk(child)

    for node in _parse_clozes(text):
        walk(node)
    if found and min(found) == max(found):
        return found[-1]
    return ", ".join(found)


def cloze_numbers(text: str) -> set[int]:
    """Cloze numbers (not 0) of a field, nested ones included (``cloze_numbers_in_string``)."""
    found: set[int] = set()

    def walk(node: str | _Cloze) -> None:
        if isinstance(node, _Cloze):
            found.update(o for o in node.ordinals if o)
            for child in node.nodes:
                walk(child)

    for node in _parse_clozes(text):
        walk(node)
    return found


_MATHJAX_RE = re.compile(r"(\\[(\[])(.*?)(\\[)\]])", re.DOTALL)


def _strip_html_inside_mathjax(text: str) -> str:
    return _MATHJAX_RE.sub(lambda m: m.group(1) + _HTML_RE.sub("", m.group(2)) + m.group(3),
                           text)


# --- filters (rslib/src/template_filters.rs) --------------------------------------------------

_FURIGANA_RE = re.compile(r" ?([^ >]+?)\[(.+?)\]")


def _ruby(text: str, mode: str) -> str:
    def sub(m: re.Match[str]) -> str:
        if m.group(2).startswith("sound:"):
            return m.group(0)
        if mode == "kana":
            return m.group(2)
        if mode == "kanji":
            return m.group(1)
        return f"<ruby><rb>{m.group(1)}</rb><rt>{m.group(2)}</rt></ruby>"

    return _FURIGANA_RE.sub(sub, text.replace("&nbsp;", " "))


def _hint(text: str, field_name: str) -> str:
    if not text.strip():
        return text
    dom_id = hashlib.sha256((text + field_name).encode("utf-8")).hexdigest()[:16]
    return (f'\n<a class=hint href="#"\nonclick="this.style.display=\'none\';\n'
            f"document.getElementById('hint{dom_id}').style.display='block';\n"
            f'return false;" draggable=false>\n{field_name}</a>\n'
            f'<div id="hint{dom_id}" class=hint style="display: none">{text}</div>\n')


def _apply_filters(text: str, filters: tuple[str, ...], field_name: str, ordinal: int,
                   question: bool) -> str:
    if filters == ("cloze", "type"):
        filters = ("type-cloze",)
    elif filters == ("nc", "type"):
        filters = ("type-nc",)
    elif filters and filters[-1] == "type":
        filters = ("type",)
    for name in filters:
        if name == "text":
            text = strip_html(text)
        elif name in ("furigana", "kana", "kanji"):
            text = _ruby(text, name)
        elif name == "type":
            text = f"[[type:{field_name}]]"
        elif name == "type-cloze":
            text = f"[[type:cloze:{field_name}]]"
        elif name == "type-nc":
            text = f"[[type:nc:{field_name}]]"
        elif name == "hint":
            text = _hint(text, field_name)
        elif name == "cloze":
            text = _strip_html_inside_mathjax(cloze_reveal(text, ordinal + 1, question))
        elif name == "cloze-only":
            text = _cloze_only(text, ordinal + 1, question)
        elif name == "":
            pass
        elif name.startswith("tts "):
            text = f"[anki:tts lang={name[4:]}]{text}[/anki:tts]"
        else:  # unknown: Anki hands the rest to add-ons; without add-ons nothing changes
            break
    return text


# --- rendering --------------------------------------------------------------------------------


def render_template(nodes: Sequence[_Node], fields: Mapping[str, str], *, ordinal: int,
                    frontside: str | None) -> str:
    """Render parsed ``nodes`` with ``fields`` (note fields and special fields).

    Args:
        nodes: :func:`parse_template`'s output.
        fields: field name -> HTML, special fields included.
        ordinal: the card's 0-based template or cloze ordinal.
        frontside: ``None`` on the question; the rendered question on the answer.
    Raises:
        TemplateError: a field or conditional names no field."""
    nonempty = {k for k, v in fields.items() if not field_is_empty(v)}
    out: list[str] = []
    _render_into(out, nodes, fields, nonempty, ordinal, frontside)
    return "".join(out)


def _is_cloze_conditional(key: str) -> bool:
    return key[:1] == "c" and key[1:].isascii() and key[1:].isdigit()


def _render_into(out: list[str], nodes: Sequence[_Node], fields: Mapping[str, str],
                 nonempty: set[str], ordinal: int, frontside: str | None) -> None:
    for node in nodes:
        if node.kind == "text":
            out.append(node.text)
        elif node.kind == "comment":
            out.append(f"<!--{node.text}-->")
        elif node.kind == "replacement":
            key = node.text
            if key == "FrontSide":
                out.append(frontside or "")
            elif key == "" and node.filters:
                continue  # a filter with no field: only add-ons' filters add text
            elif key not in fields:
                shown = ":".join((*reversed(node.filters), key))
                raise TemplateError(f"Found '{{{{{shown}}}}}', but there is no field called "
                                    f"'{key}'")
            else:
                out.append(_apply_filters(fields[key], node.filters, key, ordinal,
                                          frontside is None))
        else:
            key = node.text
            if key in nonempty:
                value = True
            elif key in fields or _is_cloze_conditional(key):
                value = False
            else:
                prefix = "#" if node.kind == "cond" else "^"
                raise TemplateError(f"Found '{{{{{prefix}{key}}}}}', but there is no field "
                                    f"called '{key}'")
            if node.kind == "negcond":
                value = not value
            # like Anki, render the skipped branch too, so its errors are found
            _render_into(out if value else [], node.children, fields, nonempty, ordinal,
                         frontside)


@dataclass(frozen=True, slots=True)
class CardSides:
    """One card as Anki renders it.

    Attributes:
        question: the question HTML (``card.question()`` without its ``<style>``).
        answer: the answer HTML (``card.answer()`` without its ``<style>``).
        template: the card template's name (``"Card 1"``, ``"Cloze"``).
        empty: Anki would show the card as blank (its front renders no field).
    """

    question: str
    answer: str
    template: str
    empty: bool = False


_EMPTY_FRONT = ("<div>The front of this card is blank.<br><a href='https://docs.ankiweb.net/"
                "templates/errors.html#front-of-card-is-blank'>More information</a></div>")
_MISSING_CLOZE = ("<div>No cloze {n} found on card. Please either add a cloze deletion, or use "
                  "the Empty Cards tool.<br><a href='https://docs.ankiweb.net/templates/"
                  "errors.html#no-cloze-filter-on-cloze-note-type'>More information</a></div>")


def card_sides(*, kind: str, templates: Sequence[tuple[str, str, str]],
               field_names: Sequence[str], field_values: Sequence[str], ordinal: int,
               tags: Sequence[str] = (), deck: str = "", note_type: str = "",
               flags: int = 0) -> CardSides:
    """Render card ``ordinal`` of a note: what Anki's ``render_existing_card`` gives.

    Args:
        kind: ``"standard"`` or ``"cloze"`` (cloze types render every card from their first
            template).
        templates: the note type's ``(name, qfmt, afmt)`` in order.
        field_names, field_values: the note's fields, in the note type's order.
        ordinal: 0-based template ordinal, or cloze number - 1.
        tags, deck, note_type, flags: what the special fields ``{{Tags}}`` (sorted ignoring
            case, as Anki stores them), ``{{Deck}}``, ``{{Subdeck}}``, ``{{Type}}`` and
            ``{{CardFlag}}`` show.
    Returns:
        :class:`CardSides`. A template error becomes the card's text on both sides, as in
        Anki (``"Front template has a problem:<br>…"``).
    Raises:
        IndexError: ``ordinal`` names no template of a standard note type.
    """
    name, qfmt, afmt = templates[0] if kind == "cloze" else templates[ordinal]
    fields: dict[str, str] = dict(zip(field_names, field_values))
    specials = {
        "Tags": " ".join(sorted(tags, key=str.casefold)), "Type": note_type, "Deck": deck,
        "Subdeck": deck.rsplit("::", 1)[-1], "CardFlag": f"flag{flags}", "Card": name,
    }
    for key in _SPECIAL_FIELDS:
        fields.setdefault(key, specials[key])
    fields.setdefault(f"c{ordinal + 1}", "1")
    try:
        qnodes = parse_template(qfmt)
        question = render_template(qnodes, fields, ordinal=ordinal, frontside=None)
    except TemplateError as exc:
        text = _template_problem(exc, front=True)
        return CardSides(text, text, name, empty=True)
    message = None
    if kind == "cloze":
        numbers: set[int] = set()
        for value in fields.values():
            numbers |= cloze_numbers(value)
        if ordinal + 1 not in numbers:
            message = _MISSING_CLOZE.format(n=ordinal + 1)
    elif not _renders(qnodes, {k for k, v in fields.items() if not field_is_empty(v)}):
        message = _EMPTY_FRONT
    if message is not None:
        return CardSides(question + message, message, name, empty=True)
    try:
        answer = render_template(parse_template(afmt), fields, ordinal=ordinal,
                                 frontside=question)
    except TemplateError as exc:
        text = _template_problem(exc, front=False)
        return CardSides(text, text, name, empty=True)
    return CardSides(question, answer, name)


def _template_problem(exc: TemplateError, front: bool) -> str:
    side = "Front" if front else "Back"
    return (f"{side} template has a problem:<br>{html.escape(str(exc), quote=False)}<br>"
            f"<a href='https://docs.ankiweb.net/templates/errors.html#template-syntax-error'>"
            f"More information</a>")
