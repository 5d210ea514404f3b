"""Code highlighting (Pygments, CSS classes) and the CSS every mkdeck note type carries.

Anki marks night mode with the classes ``nightMode`` (desktop, AnkiMobile) and ``night_mode``
(AnkiDroid, older desktop) on an ancestor of the card; every colour below is given for both
modes, each pair chosen for a WCAG 2 contrast ratio of at least 4.5 (``tests/test_render_css.py``
computes them from :func:`note_type_css`).
"""

from __future__ import annotations

import functools
import logging
import re

from markdown_it.common.utils import escapeHtml
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexer import Lexer
from pygments.lexers import get_lexer_by_name
from pygments.style import StyleMeta
from pygments.styles import get_style_by_name
from pygments.token import STANDARD_TYPES
from pygments.util import ClassNotFound

LOG = logging.getLogger(__name__)

CODE_CLASS = "mkdeck-code"
"""Class of every ``<pre>`` of fenced code; the highlighting CSS is scoped under it."""

LIGHT_STYLE = "xcode"
"""Pygments style for Anki's light mode (every token ≥ 4.5:1 on #f6f8fa)."""

DARK_STYLE = "monokai"
"""Pygments style for Anki's night mode (every token ≥ 4.5:1 on its #272822 background)."""

NIGHT_SCOPES = (".nightMode", ".night_mode")
"""The classes Anki puts on the card's ancestors in night mode."""

_FORMATTER = HtmlFormatter(nowrap=True)
_WHITESPACE_SPAN_RE = re.compile(r'<span class="w">(\s*)</span>')  # unstyled: drop the span


@functools.lru_cache(maxsize=256)
def _lexer(lang: str) -> Lexer | None:
    try:
        return get_lexer_by_name(lang, stripnl=False, ensurenl=True)
    except ClassNotFound:
        return None


@functools.lru_cache(maxsize=2048)  # the same block recurs (embeds shared by cards)
def highlight_code(code: str, lang: str, attrs: str = "") -> str:
    """Fenced code as ``<pre class="mkdeck-code"><code class="language-L">…</code></pre>``,
    tokens wrapped in Pygments' short CSS classes (``<span class="k">``).

    Args:
        code: the block's text, ending in a newline (markdown-it's ``token.content``).
        lang: the first word of the info string (``"java"`` for both "```java" and
            "``` java"); ``""`` or an unknown language → escaped text without spans.
        attrs: the rest of the info string (unused).

    Returns:
        The HTML; never raises (markdown-it-py's ``highlight`` option signature).
    """
    del attrs
    lexer = _lexer(lang.casefold()) if lang else None
    cls = f' class="language-{escapeHtml(lang)}"' if lang else ""
    if lexer is None:
        body = escapeHtml(code)
    else:
        try:
            body = _WHITESPACE_SPAN_RE.sub(r"\1", highlight(code, lexer, _FORMATTER))
        except Exception:  # a lexer bug must not lose the card  # noqa: BLE001
            LOG.warning("pygments failed on a %s block; shown without highlighting", lang)
            body = escapeHtml(code)
    return f'<pre class="{CODE_CLASS}"><code{cls}>{body}</code></pre>'


# --- CSS ------------------------------------------------------------------------------------

LIGHT_CODE_FG = "#1f2328"
LIGHT_CODE_BG = "#f6f8fa"  # xcode's colours on a faint grey: a block apart from the card
DARK_CODE_FG = "#f8f8f2"

# callout type -> (light title colour, night title colour); Obsidian's families.
_CALLOUT_FAMILIES: dict[str, tuple[str, str]] = {
    "note": ("#0b57b5", "#8ab4f8"),
    "abstract": ("#00677a", "#7fd8e8"),
    "info": ("#0b57b5", "#8ab4f8"),
    "todo": ("#0b57b5", "#8ab4f8"),
    "tip": ("#00677a", "#7fd8e8"),
    "success": ("#146c2e", "#81c995"),
    "question": ("#8a4b00", "#fdc069"),
    "warning": ("#8a4b00", "#fdc069"),
    "failure": ("#b3261e", "#f28b82"),
    "danger": ("#b3261e", "#f28b82"),
    "bug": ("#b3261e", "#f28b82"),
    "example": ("#6b3fa0", "#c58af9"),
    "quote": ("#4a4a4a", "#c4c4c4"),
}
CALLOUT_ALIASES: dict[str, str] = {
    "summary": "abstract", "tldr": "abstract", "hint": "tip", "important": "tip",
    "check": "success", "done": "success", "help": "question", "faq": "question",
    "caution": "warning", "attention": "warning", "fail": "failure", "missing": "failure",
    "error": "danger", "cite": "quote",
}
CALLOUT_LIGHT_BG = "#f4f6f8"
CALLOUT_DARK_BG = "#23262b"
CALLOUT_LIGHT_FG = "#1f2328"
CALLOUT_DARK_FG = "#e8eaed"
MARK_LIGHT = ("#1a1a1a", "#fff3a3")  # (colour, background)
MARK_DARK = ("#ffffff", "#5c4f00")


def callout_family(kind: str) -> str:
    """The colour family of a callout type (Obsidian's aliases; unknown types are notes)."""
    kind = kind.casefold()
    kind = CALLOUT_ALIASES.get(kind, kind)
    return kind if kind in _CALLOUT_FAMILIES else "note"


def _night(selectors: str) -> str:
    """The night-mode form of a selector list: each selector under each night scope."""
    return ", ".join(f"{scope} {sel.strip()}" for sel in selectors.split(",")
                     for scope in NIGHT_SCOPES)


def _pygments_rules(style: StyleMeta, scope: str, fg: str, bg: str | None = None) -> list[str]:
    bg = bg or style.background_color
    rules = [f"{scope} {{ color: {fg}; background-color: {bg}; }}"]
    for ttype, st in style:
        cls = STANDARD_TYPES.get(ttype)
        if not cls:
            continue
        color = f"#{st['color']}" if st["color"] else fg
        back = f"#{st['bgcolor']}" if st["bgcolor"] else "transparent"
        decls = [f"color: {color}", f"background-color: {back}",
                 f"font-weight: {'bold' if st['bold'] else 'normal'}",
                 f"font-style: {'italic' if st['italic'] else 'normal'}"]
        sel = ", ".join(f"{s.strip()} .{cls}" for s in scope.split(","))
        rules.append(f"{sel} {{ {'; '.join(decls)}; }}")
    return rules


@functools.lru_cache(maxsize=1)
def note_type_css() -> str:
    """The CSS mkdeck's note types carry: highlighted code, callouts, ``<mark>``, missing-embed
    placeholders and tables, each in Anki's light and night modes; images scale down to the
    card's width, keeping their aspect ratio (an explicit ``![[pic.png|300]]`` width below the
    card's still applies).

    Returns:
        A CSS string (no ``.card`` rules: the exporter adds its own base styling before it).
    """
    out = ["/* mkdeck: rendered markdown */"]
    out.append(f".{CODE_CLASS} {{ padding: 0.6em 0.8em; border-radius: 4px; overflow-x: auto; "
               f"text-align: left; line-height: 1.35; }}")
    out.append(f".{CODE_CLASS} code {{ font-family: ui-monospace, Menlo, Consolas, monospace; "
               f"color: inherit; background: transparent; }}")
    out += _pygments_rules(get_style_by_name(LIGHT_STYLE), f".{CODE_CLASS}", LIGHT_CODE_FG,
                           LIGHT_CODE_BG)
    out += _pygments_rules(get_style_by_name(DARK_STYLE), _night(f".{CODE_CLASS}"), DARK_CODE_FG)
    # callouts
    out.append(f".callout {{ margin: 0.6em 0; padding: 0.4em 0.8em; border-left: 4px solid; "
               f"border-radius: 4px; text-align: left; color: {CALLOUT_LIGHT_FG}; "
               f"background-color: {CALLOUT_LIGHT_BG}; }}")
    out.append(f"{_night('.callout')} {{ color: {CALLOUT_DARK_FG}; "
               f"background-color: {CALLOUT_DARK_BG}; }}")
    out.append(".callout-title { font-weight: bold; margin-bottom: 0.2em; }")
    out.append(".callout-content > :first-child { margin-top: 0.2em; }")
    out.append(".callout-content > :last-child { margin-bottom: 0.2em; }")
    for kind, (light, dark) in _CALLOUT_FAMILIES.items():
        kinds = [kind, *(a for a, k in CALLOUT_ALIASES.items() if k == kind)]
        sel = ", ".join(f'.callout[data-callout="{k}"]' for k in kinds)
        title = ", ".join(f'.callout[data-callout="{k}"] > .callout-title' for k in kinds)
        out.append(f"{sel} {{ border-left-color: {light}; }}")
        out.append(f"{title} {{ color: {light}; }}")
        out.append(f"{_night(title)} {{ color: {dark}; }}")
        out.append(f"{_night(sel)} {{ border-left-color: {dark}; }}")
    out.append(f"mark {{ color: {MARK_LIGHT[0]}; background-color: {MARK_LIGHT[1]}; }}")
    out.append(f"{_night('mark')} {{ color: {MARK_DARK[0]}; background-color: {MARK_DARK[1]}; }}")
    out.append(".mkdeck-missing { color: #b3261e; border: 1px dashed #b3261e; padding: 0 0.2em; }")
    out.append(f"{_night('.mkdeck-missing')} {{ color: #f28b82; border-color: #f28b82; }}")
    out.append("table { border-collapse: collapse; margin: 0.4em auto; }")
    out.append("th, td { border: 1px solid #8c8c8c; padding: 0.2em 0.5em; }")
    out.append(".task-list-item { list-style-type: none; }")
    # a wide screenshot was cut off at the card's edge (issue 14): scale down, never up
    out.append("img { max-width: 100%; height: auto; }")
    out.append(".mkdeck-source { margin-top: 1em; font-size: 0.8em; text-align: right; }")
    return "\n".join(out) + "\n"
