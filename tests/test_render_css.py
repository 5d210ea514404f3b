"""WCAG 2 contrast of highlighted code, callouts and highlights, computed from the CSS that
``note_type_css()`` gives the note types, in Anki's light mode and night mode (``.nightMode``
on desktop/iOS, ``.night_mode`` on AnkiDroid)."""

from __future__ import annotations

import re

import pytest

from mkdeck.render import highlight_code, note_type_css

RULE_RE = re.compile(r"([^{}]+)\{([^{}]*)\}")
NIGHT = (".nightMode", ".night_mode")
MIN_RATIO = 4.5

SAMPLES = {
    "python": "import os\n@dec\ndef f(x: int = 1) -> str:\n    '''doc'''\n    # comment\n"
              "    return f\"{x!r}\" + r'\\d' if x else None\n",
    "c": "#include <stdio.h>\n/* c */ int main(void) { char c = 'x'; return 0x1F; }\n",
    "java": "@Override public static final class A<T> extends B { String s = \"x\"; }\n",
    "bash": "#!/bin/bash\nfor i in $(seq 1 3); do echo \"$i\" >&2; done # c\n",
    "cpp": "[[noreturn]] void f() noexcept; template<class T> auto g = 1.5e3;\n",
    "xml": "<?xml version=\"1.0\"?><!-- c --><a href=\"x\">&amp;</a>\n",
    "sql": "SELECT name FROM t WHERE id = 42 AND s LIKE 'a%';\n",
    "javascript": "const re = /a+b/g; let t = `x ${y}`; class A {}\n",
    "diff": "--- a\n+++ b\n@@ -1 +1 @@\n-old\n+new\n",
    "yaml": "key: [1, true, ~]  # c\n",
}


def _luminance(hex_colour: str) -> float:
    h = hex_colour.lstrip("#")
    if len(h) == 3:
        h = "".join(c * 2 for c in h)
    channels = [int(h[i:i + 2], 16) / 255 for i in (0, 2, 4)]
    lin = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def contrast(a: str, b: str) -> float:
    """WCAG 2.1 contrast ratio of two ``#rrggbb`` colours."""
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def parse_css(css: str) -> dict[str, dict[str, str]]:
    """selector -> declarations (later rules override earlier ones, as in the cascade for
    selectors of equal specificity)."""
    out: dict[str, dict[str, str]] = {}
    for selectors, body in RULE_RE.findall(css):
        decls = {}
        for decl in body.split(";"):
            if ":" in decl:
                k, v = decl.split(":", 1)
                decls[k.strip()] = v.strip()
        for sel in selectors.split(","):
            out.setdefault(" ".join(sel.split()), {}).update(decls)
    return out


CSS = parse_css(note_type_css())


def _prop(selectors: list[str], prop: str) -> str | None:
    """The value of ``prop`` from the most specific selector in ``selectors`` that sets it
    (list them least to most specific)."""
    value = None
    for sel in selectors:
        if prop in CSS.get(sel, {}):
            value = CSS[sel][prop]
    return value


def _modes() -> list[tuple[str, str]]:
    return [("light", ""), *(("night", scope + " ") for scope in NIGHT)]


def test_contrast_formula_known_values() -> None:
    assert contrast("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)


def _code_classes() -> set[str]:
    classes: set[str] = set()
    for lang, code in SAMPLES.items():
        html = highlight_code(code, lang)
        assert '<span class="' in html, f"{lang} was not highlighted"
        classes.update(re.findall(r'<span class="([^"]+)"', html))
    return classes


@pytest.mark.parametrize(("mode", "prefix"), _modes(), ids=["light", "nightMode", "night_mode"])
def test_highlighted_code_contrast(mode: str, prefix: str) -> None:
    scope = f"{prefix}.mkdeck-code"
    bg = _prop([".mkdeck-code", scope], "background-color")
    fg = _prop([".mkdeck-code", scope], "color")
    assert bg and fg and bg.startswith("#") and fg.startswith("#")
    assert contrast(fg, bg) >= MIN_RATIO
    classes = _code_classes()
    assert len(classes) >= 25  # the samples reach most token kinds
    # every class the formatter emits, plus every class the CSS styles
    styled = {sel.rsplit(".", 1)[1] for sel in CSS if sel.startswith(scope + " .")}
    low = []
    for cls in sorted(classes | styled):
        colour = _prop([f".mkdeck-code .{cls}", f"{scope} .{cls}"], "color") or fg
        back = _prop([f".mkdeck-code .{cls}", f"{scope} .{cls}"], "background-color")
        if not back or back == "transparent":
            back = bg
        ratio = contrast(colour, back)
        if ratio < MIN_RATIO:
            low.append(f".{cls} {colour} on {back}: {ratio:.2f}")
    assert not low, f"{mode}: " + "; ".join(low)


@pytest.mark.parametrize("prefix", [s + " " for s in NIGHT])
def test_night_rules_override_every_light_rule(prefix: str) -> None:
    """A light colour must never leak into night mode: each code class styled in light mode
    sets both colour and background again under each night scope."""
    light = {s.split(" .", 1)[1] for s in CSS if s.startswith(".mkdeck-code .")}
    night = {s.split(" .", 2)[2] for s in CSS if s.startswith(f"{prefix}.mkdeck-code .")}
    assert light <= night
    for cls in night:
        decls = CSS[f"{prefix}.mkdeck-code .{cls}"]
        assert "color" in decls and "background-color" in decls


CALLOUT_KINDS = ["note", "abstract", "summary", "info", "todo", "tip", "important", "success",
                 "question", "faq", "warning", "caution", "failure", "danger", "error", "bug",
                 "example", "quote", "cite"]


@pytest.mark.parametrize(("mode", "prefix"), _modes(), ids=["light", "nightMode", "night_mode"])
@pytest.mark.parametrize("kind", CALLOUT_KINDS)
def test_callout_contrast(kind: str, mode: str, prefix: str) -> None:
    bg = _prop([".callout", f"{prefix}.callout"], "background-color")
    fg = _prop([".callout", f"{prefix}.callout"], "color")
    title_sel = f'.callout[data-callout="{kind}"] > .callout-title'
    title = _prop([title_sel, f"{prefix}{title_sel}"], "color")
    assert bg and fg and title, f"{kind}: no colours in {mode} mode"
    assert contrast(fg, bg) >= MIN_RATIO
    assert contrast(title, bg) >= MIN_RATIO, f"{kind} title {title} on {bg}"


@pytest.mark.parametrize(("mode", "prefix"), _modes(), ids=["light", "nightMode", "night_mode"])
def test_mark_and_placeholder_contrast(mode: str, prefix: str) -> None:
    fg = _prop(["mark", f"{prefix}mark"], "color")
    bg = _prop(["mark", f"{prefix}mark"], "background-color")
    assert fg and bg and contrast(fg, bg) >= MIN_RATIO
    missing = _prop([".mkdeck-missing", f"{prefix}.mkdeck-missing"], "color")
    card_bg = "#ffffff" if mode == "light" else "#2f2f31"  # Anki's card backgrounds
    assert missing and contrast(missing, card_bg) >= MIN_RATIO


def test_images_scale_to_the_card_width() -> None:
    """A wide image is scaled down to the card (issue 14: it was cut off), keeping its aspect
    ratio; every note type carries the rule."""
    from mkdeck.export.notetypes import model_spec
    from mkdeck.model import NoteType

    rules = parse_css(note_type_css())
    assert rules["img"] == {"max-width": "100%", "height": "auto"}
    for base in ("Basic", "Cloze"):
        spec = model_spec(NoteType(base, ("Text", "Back Extra") if base == "Cloze"
                                   else ("Front", "Back"), base=base), note_type_css())
        assert "img { max-width: 100%; height: auto; }" in spec.css
