"""Raw HTML the author wrote, sanitized with nh3 (the Ammonia sanitizer) to what Obsidian shows.

Obsidian sanitizes the HTML of a note before showing it; Anki shows a field's HTML as it is and
runs its scripts, so a shared vault could run code in a reviewer's Anki. mkdeck keeps what a
note may show (formatting, tables, images, audio and video, SVG and MathML, ``style`` and
``class``) and removes:

- scripts and other active elements: ``script``, ``style`` (a stylesheet can hide the card),
  ``iframe``/``frame``/``frameset``/``object``/``embed``/``applet``, ``form`` and its controls,
  ``base``/``meta``/``link``, ``noscript``/``template``; the content of ``script``, ``style``,
  ``iframe``, ``noscript``, ``template``, ``textarea`` and ``select`` goes with them;
- event handler attributes (``onerror=``, ``onclick=``, …) and any attribute not listed below;
- URLs whose scheme is not ``http``, ``https``, ``mailto``, ``obsidian`` (``javascript:``,
  ``vbscript:``, ``data:`` outside an ``<img src>``, …).

Only the author's raw HTML (markdown-it's ``html_block`` and ``html_inline`` tokens) is
touched; mkdeck's own markup (highlighting, callouts, media, math) is written by its render
rules and never passes through here. A fragment nothing is removed from keeps its bytes. Each
removal is a finding at its line naming ``html: raw`` (the setting that keeps raw HTML as
written). Public API: :func:`sanitize_fragment`, :func:`sanitize_plugin`, :data:`HTML_REMOVED`.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from typing import Any

import nh3
from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.token import Token

from mkdeck.codes import register
from mkdeck.model import Severity
from mkdeck.render.plugins.html import escape_unknown_tags

LOG = logging.getLogger(__name__)

HTML_REMOVED = register(
    "MKD240", Severity.WARNING, "unsafe HTML removed",
    fix="Remove the script, event handler, javascript: URL, frame or form from the note (Obsidian "
        "does not show them either); or, if you trust every reviewer's copy of the vault, set "
        "`html: raw` in mkdeck.yaml to keep raw HTML as written.",
    bad='START\nBasic\nWhat is this?\nBack: <img src="https://example.org/a.png" '
        'onerror="alert(1)">\nEND',
    good='START\nBasic\nWhat is this?\nBack: <img src="https://example.org/a.png">\nEND',
)

#: Elements removed with their content (Ammonia's ``clean_content_tags``).
DROPPED_WITH_CONTENT = frozenset(
    {"script", "style", "iframe", "noscript", "template", "textarea", "select"})
#: Elements removed, their content kept.
DROPPED = frozenset({
    "frame", "frameset", "object", "embed", "applet", "form", "input", "button", "option",
    "optgroup", "datalist", "output", "base", "meta", "link", "head", "html", "body", "title",
    "param", "dialog", "portal",
})

_HTML_TAGS = frozenset("""
a abbr acronym address area article aside audio b bdi bdo big blockquote br caption center cite
code col colgroup data dd del details dfn div dl dt em figcaption figure font footer h1 h2 h3 h4
h5 h6 header hgroup hr i img ins kbd label legend li main map mark meter nav nobr ol p picture
pre progress q rp rt rtc ruby s samp section small source span strike strong sub summary sup
table tbody td tfoot th thead time tr track tt u ul var video wbr fieldset
svg g path circle ellipse line polyline polygon rect text tspan defs use symbol marker
lineargradient radialgradient stop clippath mask pattern title desc
math mi mn mo ms mtext mrow msup msub msubsup mfrac msqrt mroot mtable mtr mtd mspace mover
munder munderover annotation semantics
""".split()) - DROPPED  # noqa: SIM905

_GENERIC_ATTRS = frozenset({
    "class", "id", "title", "style", "lang", "dir", "align", "valign", "width", "height",
    "color", "bgcolor", "border", "cellpadding", "cellspacing", "colspan", "rowspan", "span",
    "scope", "headers", "abbr", "alt", "src", "srcset", "sizes", "href", "name", "start",
    "reversed", "type", "value", "open", "cite", "datetime", "face", "size", "hidden",
    "controls", "loop", "muted", "poster", "preload", "autoplay", "kind", "label", "srclang",
    "media", "min", "max", "low", "high", "optimum", "usemap", "shape", "coords", "target",
    # SVG and MathML presentation
    "viewbox", "viewBox", "d", "fill", "stroke", "stroke-width", "stroke-linecap",
    "stroke-linejoin", "stroke-dasharray", "fill-opacity", "stroke-opacity", "opacity",
    "transform", "x", "y", "x1", "y1", "x2", "y2", "cx", "cy", "r", "rx", "ry", "points",
    "xmlns", "version", "preserveAspectRatio", "font-size", "font-family", "text-anchor",
    "dominant-baseline", "offset", "stop-color", "gradientUnits", "mathvariant",
    "display", "xlink:href",
})
_URL_SCHEMES = frozenset({"http", "https", "mailto", "obsidian"})
_URL_ATTRS = frozenset({"href", "src", "xlink:href", "cite", "poster", "srcset"})

_TAG_RE = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9:-]*)((?:[^>\"']|\"[^\"]*\"|'[^']*')*)>", re.S)
_ATTR_RE = re.compile(
    r"""([^\s"'>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+)))?""", re.S)
_SCHEME_RE = re.compile(r"^\s*([a-zA-Z][a-zA-Z0-9+.-]*):")
_CLOSER_RE = re.compile(r"</([A-Za-z][A-Za-z0-9:-]*)>$")


def _attribute_filter(tag: str, attr: str, value: str) -> str | None:
    """``data:`` URLs only as an image's source (pasted images); none elsewhere."""
    if attr in _URL_ATTRS:
        m = _SCHEME_RE.match(value)
        if m and m.group(1).lower() == "data":
            if not (tag == "img" and attr == "src" and value.lstrip()[5:].startswith("image/")):
                return None
    return value


def _custom(fragment: str) -> set[str]:
    """Custom elements the fragment uses (a hyphen in the name: Anki's ``<anki-mathjax>``)."""
    return {m.group(2).lower() for m in _TAG_RE.finditer(fragment) if "-" in m.group(2)}


def _clean(fragment: str) -> str:
    return nh3.clean(
        fragment, tags=set(_HTML_TAGS) | _custom(fragment),
        clean_content_tags=set(DROPPED_WITH_CONTENT),
        attributes={"*": set(_GENERIC_ATTRS)}, url_schemes=set(_URL_SCHEMES) | {"data"},
        attribute_filter=_attribute_filter, link_rel=None, strip_comments=False,
        generic_attribute_prefixes={"data-", "aria-"})


def _as_is(fragment: str) -> str:
    """nh3 with everything the fragment holds allowed: how it serializes the fragment."""
    # the policy's elements too: the HTML parser adds some (a table's <tbody>)
    names = {m.group(2).lower() for m in _TAG_RE.finditer(fragment)} | _HTML_TAGS
    attrs = {a.group(1) for m in _TAG_RE.finditer(fragment)
             for a in _ATTR_RE.finditer(m.group(3))}
    schemes = {s.group(1).lower() for s in re.finditer(r"([a-zA-Z][a-zA-Z0-9+.-]*):", fragment)}
    return nh3.clean(fragment, tags=names, clean_content_tags=set(), attributes={"*": attrs},
                     url_schemes=schemes, link_rel=None, strip_comments=False)


@dataclass(frozen=True, slots=True)
class Removal:
    """One thing the sanitizer removed: ``offset`` into the fragment, and what it was."""

    offset: int
    what: str


def _removals(fragment: str) -> list[Removal]:
    """What the policy removes from ``fragment``, each with its offset (for its line)."""
    out: list[Removal] = []
    for m in _TAG_RE.finditer(fragment):
        if m.group(1):
            continue
        name = m.group(2).lower()
        if name in DROPPED_WITH_CONTENT or name in DROPPED or (
                name not in _HTML_TAGS and "-" not in name):
            out.append(Removal(m.start(), f"the <{name}> element"))
            continue
        for a in _ATTR_RE.finditer(m.group(3)):
            attr = a.group(1)
            value = next((v for v in a.group(2, 3, 4) if v is not None), "")
            if attr.lower().startswith("on"):
                out.append(Removal(m.start(), f"the event handler {attr}= of <{name}>"))
            elif attr not in _GENERIC_ATTRS and not attr.lower().startswith(("data-", "aria-")):
                out.append(Removal(m.start(), f"the attribute {attr}= of <{name}>"))
            elif attr.lower() in _URL_ATTRS:
                sm = _SCHEME_RE.match(value)
                scheme = sm.group(1).lower() if sm else ""
                if sm and scheme not in _URL_SCHEMES and not (
                        scheme == "data" and _attribute_filter(name, attr.lower(), value)):
                    out.append(Removal(m.start(), f"the {sm.group(1).lower()}: URL in {attr}= "
                                                  f"of <{name}>"))
    return out


def sanitize_fragment(fragment: str) -> tuple[str, list[Removal]]:
    """Sanitize one piece of raw HTML as written in a note.

    Args:
        fragment: an HTML block or a single inline tag (it may open or close an element that
            continues in another fragment: ``<div align="center">``).

    Returns:
        ``(html, removals)``: ``fragment`` itself when nothing is removed, else nh3's cleaned
        HTML (without the end tags nh3 adds to close elements the fragment leaves open), and
        what was removed, in order.
    """
    cleaned = _clean(fragment)
    if cleaned == _as_is(fragment):
        return fragment, []
    lowered = fragment.lower()
    while True:  # nh3 closes what the fragment leaves open; the element goes on elsewhere
        m = _CLOSER_RE.search(cleaned)
        if m is None or cleaned.lower().count(m.group(0).lower()) <= lowered.count(
                m.group(0).lower()):
            break
        cleaned = cleaned[:m.start()]
    removals = _removals(fragment) or [Removal(0, "HTML the sanitizer does not allow")]
    return cleaned, removals


# --- the markdown-it plugin -----------------------------------------------------------------


def _sanitize(state: StateCore) -> None:
    """Core rule: sanitize the raw HTML tokens of a field (unless ``html: raw``), report each
    removal at its line, and drop the text between an inline ``<script>``/``<style>`` pair."""
    fenv = state.env.get("field")
    if fenv is None or fenv.config.html == "raw" or "<" not in state.src:
        return
    for token in state.tokens:
        if token.type == "html_block":
            line = token.map[0] if token.map else fenv.line
            # `<int>` in `<div>vector<int></div>` is text, not an element to remove
            token.content = _report(escape_unknown_tags(token.content), fenv, line)
        elif token.type == "inline" and token.children:
            if any(c.type == "html_inline" for c in token.children):
                token.children = _sanitize_inline(token.children, fenv)


def _report(content: str, fenv: Any, line: int) -> str:
    cleaned, removals = sanitize_fragment(content)
    for r in removals:
        at = fenv.location(line + content.count("\n", 0, r.offset))
        fenv.diagnostics.append(HTML_REMOVED.at(
            at, f"{r.what} was removed: Obsidian does not run or show it, and Anki would; "
                f"delete it from the note, or set `html: raw` in mkdeck.yaml to keep raw HTML "
                f"as written"))
    return cleaned


def _sanitize_inline(children: list[Token], fenv: Any) -> list[Token]:
    out: list[Token] = []
    skipping: str | None = None
    for child in children:
        if child.type != "html_inline":
            if skipping is None:
                out.append(child)
            continue
        m = _TAG_RE.match(child.content)
        name = m.group(2).lower() if m else ""
        if skipping is not None:
            if m and m.group(1) and name == skipping:
                skipping = None
            continue
        line = (child.meta or {}).get("line", fenv.line)
        if m and not m.group(1) and name in DROPPED_WITH_CONTENT \
                and f"</{name}" not in child.content.lower():
            _report(child.content, fenv, line)
            skipping = name
            continue
        if m and m.group(1) and (name in DROPPED_WITH_CONTENT or name in DROPPED):
            continue  # the end tag of an element already reported
        child.content = _report(child.content, fenv, line)
        out.append(child)
    return out


def sanitize_plugin(md: MarkdownIt) -> None:
    """Add the ``sanitize_html`` core rule (after ``image_locations`` of
    :mod:`~mkdeck.render.plugins.links`, which gives inline HTML its line; before rendering,
    where media in ``<img src>`` are collected)."""
    md.core.ruler.after("image_locations", "sanitize_html", _sanitize)
