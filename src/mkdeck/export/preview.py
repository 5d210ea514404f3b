"""The preview page: every card of a package as Anki shows it, on one offline HTML page.

``preview_cards(plan)`` renders each planned card with Anki's template rules
(:mod:`mkdeck.export.templates`); ``write_preview(...)`` writes ``DIR/index.html`` with every
card's front and back in the page's own DOM, the note types' CSS, the media copied beside it
and the page's scripts under ``DIR/_mkdeck/``. The page needs no network: MathJax comes from
the ``django-static-mathjax`` package (MathJax 3.2.2,
mkdeck's ``preview`` extra) when it is installed, else every ``\\(…\\)`` and
``\\[…\\]`` is shown as marked TeX source.

What Anki's reviewer adds to a rendered card is done here, as the reviewer does it:
``[[type:Field]]`` becomes a text box on the front and the expected answer on the back
(``aqt/reviewer.py``: ``typeAnsQuestionFilter``/``typeAnsAnswerFilter``), ``[sound:x]`` a
player, media names in ``src`` are percent-encoded (``escape_media_filenames``), and night mode
puts the classes ``nightMode night_mode`` on the card's element.

Each card is ``<article class="mkdeck-card" data-guid="…" data-ord="N">``; its sides are
``.mkdeck-front`` and ``.mkdeck-back``, each holding ``<div class="card cardN">`` inside a
wrapper that scopes its note type's CSS (CSS nesting). ``index.html?card=GUID:ORD&side=answer``
shows that one card alone (``scripts/screenshot.py`` uses it); ``?night=1`` starts in night mode.
"""

from __future__ import annotations

import html
import logging
import os
import re
import secrets
import shutil
import urllib.parse
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from mkdeck.export.plan import ExportPlan, PlannedNote
from mkdeck.export.templates import card_sides, cloze_for_typing, strip_html
from mkdeck.model import Diagnostic

LOG = logging.getLogger(__name__)

ASSETS = "_mkdeck"
"""Folder of the page's own files inside DIR (media names never contain a '/')."""

MATHJAX_FILE = "tex-svg-full.js"


@dataclass(frozen=True, slots=True)
class Verdict:
    """A verified claim shown on its card: ``text`` of the statement, ``verdict``
    (verified | refuted | inconclusive | skipped), ``check`` id and a one-line ``detail``."""

    text: str
    verdict: str
    check: str = ""
    detail: str = ""


@dataclass(frozen=True, slots=True)
class PreviewCard:
    """One card of the page.

    Attributes:
        guid: the note's Anki guid.
        ord: 0-based template or cloze ordinal.
        deck: deck name as Anki stores it.
        note_type: the note type's name in Anki (``"Basic (mkdeck)"``).
        model_id: the note type's id (scopes its CSS).
        template: the card template's name (``"Card 2"``, ``"Cloze"``).
        question, answer: Anki's rendering (``card.question()``/``card.answer()`` without
            their ``<style>``).
        path, line: the note's source file (vault-relative) and START line.
        tags: the note's tags.
        fields: field name -> HTML (for the type-in answer).
        cloze: the note type is a cloze type.
    """

    guid: str
    ord: int
    deck: str
    note_type: str
    model_id: int
    template: str
    question: str
    answer: str
    path: str
    line: int
    tags: tuple[str, ...]
    fields: Mapping[str, str] = field(default_factory=dict)
    cloze: bool = False


def preview_cards(plan: ExportPlan) -> list[PreviewCard]:
    """Every card of ``plan`` rendered as Anki renders it, in vault order (a note's cards by
    ordinal).

    Returns:
        One :class:`PreviewCard` per card of the package (``plan.card_count`` of them)."""
    out = []
    for note in plan.notes:
        for card in note.cards:
            out.append(_preview_card(note, card.ord))
    return out


def _preview_card(note: PlannedNote, ordinal: int) -> PreviewCard:
    model = note.model
    sides = card_sides(kind=model.kind, templates=model.templates, field_names=model.fields,
                       field_values=note.fields, ordinal=ordinal, tags=note.tags,
                       deck=note.deck, note_type=model.name)
    loc = note.rendered.note.location
    return PreviewCard(
        guid=note.guid, ord=ordinal, deck=note.deck, note_type=model.name,
        model_id=model.model_id, template=sides.template, question=sides.question,
        answer=sides.answer, path=loc.path, line=loc.line, tags=note.tags,
        fields=dict(zip(model.fields, note.fields)), cloze=model.kind == "cloze")


# --- what the reviewer adds -----------------------------------------------------------------

_TYPE_RE = re.compile(r"\[\[type:(.+?)\]\]")
_SOUND_RE = re.compile(r"\[sound:(.+?)\]")
_SRC_RE = re.compile(r'(\ssrc=)("[^"]*"|\'[^\']*\'|[^\s>]+)', re.IGNORECASE)
_TEX_RE = re.compile(r"\\\((.*?)\\\)|\\\[(.*?)\\\]", re.DOTALL)
_TAG_OR_TEXT_RE = re.compile(r"(<[^>]*>)", re.DOTALL)


def _expected_answer(card: PreviewCard, spec: str) -> str:
    """The text a type-in field expects: the field without HTML, or for ``cloze:Field`` the
    active deletions of this card (``aqt/reviewer.py``: ``typeAnsAnswerFilter``)."""
    kind, _, name = spec.rpartition(":")
    value = card.fields.get(name, "")
    if kind == "cloze":
        value = cloze_for_typing(value, card.ord + 1)
    return strip_html(value)


def reviewer_html(text: str, card: PreviewCard, *, question: bool) -> str:
    """``text`` (one side of ``card``) with what Anki's reviewer adds: the type-in box or the
    expected answer, a player for ``[sound:x]``, percent-encoded media names in ``src``."""
    def typed(m: re.Match[str]) -> str:
        if question:
            return ('<center><input type="text" class="mkdeck-typeans" '
                    f'aria-label="type the answer ({html.escape(m.group(1))})" '
                    'placeholder="type the answer"></center>')
        expected = html.escape(_expected_answer(card, m.group(1)), quote=False)
        return f'<div><code id="typeans" class="mkdeck-typeans">{expected}</code></div>'

    text = _TYPE_RE.sub(typed, text)
    text = _SOUND_RE.sub(
        lambda m: (f'<audio class="mkdeck-sound" controls preload="none" '
                   f'src="{_media_url(m.group(1))}"></audio>'), text)
    parts = _TAG_OR_TEXT_RE.split(text)  # even: text, odd: a tag; only tags have a src
    for i in range(1, len(parts), 2):
        parts[i] = _SRC_RE.sub(lambda m: m.group(1) + _quoted_src(m.group(2)), parts[i])
    return "".join(parts)


def _media_url(name: str) -> str:
    return html.escape(urllib.parse.quote(html.unescape(name), safe="/"), quote=True)


def _quoted_src(value: str) -> str:
    raw = value[1:-1] if value[:1] in "\"'" else value
    plain = html.unescape(raw)
    if ":" in plain or plain.startswith(("/", "#")) or plain.startswith(ASSETS + "/"):
        return value
    return '"' + _media_url(raw) + '"'


def mark_tex(text: str) -> str:
    """``text`` with every ``\\(…\\)`` / ``\\[…\\]`` outside tags wrapped in
    ``<span class="mkdeck-tex" title="TeX source (MathJax is not installed)">``: how the page
    shows math without MathJax."""
    parts = _TAG_OR_TEXT_RE.split(text)
    for i in range(0, len(parts), 2):
        parts[i] = _TEX_RE.sub(
            lambda m: ('<span class="mkdeck-tex" title="TeX source: MathJax is not installed '
                       '(install mkdeck\'s preview extra)">' + m.group(0) + "</span>"),
            parts[i])
    return "".join(parts)


# --- MathJax ----------------------------------------------------------------------------------


def mathjax_path() -> Path | None:
    """The MathJax 3 bundle ``tex-svg-full.js`` of the installed ``django-static-mathjax``
    package (one file, fonts included as SVG paths: nothing else to load), or ``None``."""
    try:
        import mathjax  # django-static-mathjax: a package of MathJax's files, no code
    except ImportError:
        return None
    for folder in getattr(mathjax, "__path__", ()):
        candidate = Path(folder) / "static" / "mathjax" / "es5" / MATHJAX_FILE
        if candidate.is_file():
            return candidate
    return None


# Anki's reviewer configuration (ts/lib/mathjax): \( \) inline, \[ \] display, no $.
_MATHJAX_CONFIG = """window.MathJax = {
  tex: {inlineMath: [["\\\\(", "\\\\)"]], displayMath: [["\\\\[", "\\\\]"]],
        processEscapes: false, processEnvironments: false, processRefs: false},
  options: {ignoreHtmlClass: "tex2jax_ignore", processHtmlClass: "tex2jax_process"},
  svg: {fontCache: "global"}
};"""


# --- the page ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PreviewResult:
    """What :func:`write_preview` wrote: ``index`` path, counts, and whether MathJax is in."""

    index: str
    cards: int
    decks: int
    media: int
    mathjax: bool


def _atomic_write(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    try:
        with open(tmp, "xb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _atomic_copy(source: Path, target: Path) -> None:
    tmp = target.with_name(f".{target.name}.{secrets.token_hex(4)}.tmp")
    try:
        shutil.copyfile(source, tmp)
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def source_href(path: str, line: int, *, vault_root: str, out_dir: Path,
                source_url: str | None) -> str:
    """The link of a card's source: ``source_url`` with ``{path}`` and ``{line}`` filled in
    (``https://host/repo/blob/SHA/{path}#L{line}``), else the note file relative to the page."""
    if source_url:
        return source_url.replace("{path}", urllib.parse.quote(path)).replace(
            "{line}", str(line))
    full = os.path.join(vault_root, path)
    rel = os.path.relpath(full, out_dir.resolve())
    return urllib.parse.quote(rel.replace(os.sep, "/")) + f"#L{line}"


def write_preview(plan: ExportPlan, out_dir: str | os.PathLike[str], *, vault_root: str,
                  title: str, diagnostics: Sequence[Diagnostic] = (),
                  verdicts: Mapping[tuple[str, int], Sequence[Verdict]] | None = None,
                  source_url: str | None = None, use_mathjax: bool = True) -> PreviewResult:
    """Write the preview page of ``plan`` into ``out_dir`` (created if missing).

    Args:
        plan: the package's plan (``mkdeck.export.plan_export``).
        out_dir: the folder to write ``index.html``, ``_mkdeck/`` and the media into. Files
            already there are replaced one by one (atomically), others are left alone.
        vault_root: absolute vault root (source links, media).
        title: the page's title (the vault's name).
        diagnostics: findings to list at the top of the page.
        verdicts: ``(path, START line)`` of a note -> its claims' verdicts (``--verify``).
        source_url: link template for sources (see :func:`source_href`).
        use_mathjax: include MathJax when it is installed (``False``: TeX source).
    Returns:
        A :class:`PreviewResult`.
    Raises:
        OSError: the folder or a file cannot be written, or a media file cannot be read.
        ValueError: a media file is named ``index.html`` or ``_mkdeck`` (it would replace the
            page).
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    for media in plan.media:
        if media.name in ("index.html", ASSETS):
            raise ValueError(f"a media file is named {media.name!r}; rename it: the preview "
                             f"page uses that name")
    mathjax = mathjax_path() if use_mathjax else None
    cards = preview_cards(plan)
    page = render_page(cards, plan=plan, title=title, diagnostics=diagnostics,
                       verdicts=verdicts or {}, mathjax=mathjax is not None,
                       href=lambda p, n: source_href(p, n, vault_root=vault_root,
                                                     out_dir=out, source_url=source_url))
    (out / ASSETS).mkdir(exist_ok=True)
    if mathjax is not None:
        (out / ASSETS / "mathjax").mkdir(exist_ok=True)
        _atomic_copy(mathjax, out / ASSETS / "mathjax" / MATHJAX_FILE)
    for media in plan.media:
        _atomic_copy(Path(media.source), out / media.name)
    index = out / "index.html"
    _atomic_write(index, page.encode("utf-8"))
    return PreviewResult(index=str(index), cards=len(cards), decks=len(plan.decks),
                         media=len(plan.media), mathjax=mathjax is not None)


_PAGE_CSS = """
:root { color-scheme: light; --fg: #1f2328; --bg: #f4f5f7; --panel: #fff; --line: #d0d7de;
  --muted: #57606a; --link: #0969da; }
body.mkdeck-night { color-scheme: dark; --fg: #e6edf3; --bg: #161b22; --panel: #22272e;
  --line: #444c56; --muted: #9da7b3; --link: #58a6ff; }
html, body { margin: 0; }
body.mkdeck-page { font: 15px/1.45 system-ui, sans-serif; color: var(--fg); background: var(--bg); }
.mkdeck-top { position: sticky; top: 0; z-index: 2; display: flex; gap: 1em; align-items: center;
  flex-wrap: wrap; padding: .6em 1.2em; background: var(--panel);
  border-bottom: 1px solid var(--line); }
.mkdeck-top h1 { font-size: 1.15em; margin: 0; }
.mkdeck-top button { font: inherit; }
.mkdeck-main { max-width: 1180px; margin: 0 auto; padding: 1em 1.2em 3em; }
.mkdeck-main a { color: var(--link); }
.mkdeck-toc { columns: 2; font-size: .95em; }
.mkdeck-findings { font: 13px/1.4 ui-monospace, monospace; white-space: pre-wrap;
  background: var(--panel); border: 1px solid var(--line); padding: .6em; }
.mkdeck-deck > h2 { font-size: 1.1em; border-bottom: 1px solid var(--line); padding-bottom: .2em; }
.mkdeck-card { background: var(--panel); border: 1px solid var(--line); border-radius: 6px;
  margin: 0 0 1.2em; }
.mkdeck-meta { display: flex; flex-wrap: wrap; gap: .3em 1em; padding: .4em .8em;
  font-size: .85em; color: var(--muted); border-bottom: 1px solid var(--line); }
.mkdeck-meta .mkdeck-tag { border: 1px solid var(--line); border-radius: 9px; padding: 0 .5em; }
.mkdeck-verdict { border-radius: 3px; padding: 0 .4em; color: #fff; background: #57606a; }
.mkdeck-verdict.verified { background: #1a7f37; } .mkdeck-verdict.refuted { background: #cf222e; }
.mkdeck-verdict.inconclusive { background: #9a6700; }
.mkdeck-sides { display: grid; grid-template-columns: 1fr 1fr; }
.mkdeck-side { min-width: 0; border-right: 1px solid var(--line); display: flex;
  flex-direction: column; }
.mkdeck-side > div { flex: 1; display: flex; flex-direction: column; }
.mkdeck-side:last-child { border-right: 0; }
.mkdeck-side > h3 { margin: 0; padding: .2em .8em; font-size: .75em; font-weight: normal;
  text-transform: uppercase; letter-spacing: .05em; color: var(--muted); }
.mkdeck-side .card { flex: 1; padding: 12px 16px 16px; overflow-x: auto; min-height: 2em; }
.mkdeck-tex { font-family: ui-monospace, monospace; background: #fff8c5; color: #3b2300;
  border: 1px dashed #9a6700; padding: 0 .2em; }
.mkdeck-tex::before { content: "TeX "; font-size: .7em; font-weight: bold; }
body.mkdeck-hide-answers .mkdeck-back { visibility: hidden; }
@media (max-width: 760px) { .mkdeck-sides { grid-template-columns: 1fr; }
  .mkdeck-side { border-right: 0; } }
body.mkdeck-solo .mkdeck-top, body.mkdeck-solo .mkdeck-intro, body.mkdeck-solo .mkdeck-deck > h2,
body.mkdeck-solo .mkdeck-card:not(.mkdeck-chosen), body.mkdeck-solo .mkdeck-meta,
body.mkdeck-solo .mkdeck-side > h3 { display: none; }
body.mkdeck-solo .mkdeck-main { padding: 0; max-width: none; }
body.mkdeck-solo .mkdeck-card { border: 0; margin: 0; border-radius: 0; }
body.mkdeck-solo .mkdeck-sides { display: block; }
body.mkdeck-solo.mkdeck-solo-question .mkdeck-back,
body.mkdeck-solo.mkdeck-solo-answer .mkdeck-front { display: none; }
body.mkdeck-solo .mkdeck-side .card { padding: 16px 20px; }
"""

_PAGE_JS = """(function () {
  var body = document.body;
  function night(on) {
    body.classList.toggle("mkdeck-night", on);
    document.querySelectorAll(".mkdeck-side .card").forEach(function (el) {
      el.classList.toggle("nightMode", on); el.classList.toggle("night_mode", on);
    });
    var b = document.getElementById("mkdeck-night"); if (b) b.setAttribute("aria-pressed", on);
  }
  var q = new URLSearchParams(location.search);
  night(q.get("night") === "1");
  var nb = document.getElementById("mkdeck-night");
  if (nb) nb.addEventListener("click", function () {
    night(!body.classList.contains("mkdeck-night"));
  });
  var hb = document.getElementById("mkdeck-hide");
  if (hb) hb.addEventListener("change", function () {
    body.classList.toggle("mkdeck-hide-answers", hb.checked);
  });
  var solo = q.get("card");
  if (solo) {
    var at = solo.lastIndexOf(":"), guid = solo.slice(0, at), ord = solo.slice(at + 1);
    document.querySelectorAll(".mkdeck-card").forEach(function (el) {
      if (el.getAttribute("data-guid") === guid && el.getAttribute("data-ord") === ord) {
        el.classList.add("mkdeck-chosen");
        el.closest(".mkdeck-deck").classList.add("mkdeck-chosen-deck");
      }
    });
    document.querySelectorAll(".mkdeck-deck:not(.mkdeck-chosen-deck)").forEach(function (el) {
      el.style.display = "none";
    });
    body.classList.add("mkdeck-solo", "mkdeck-solo-" + (q.get("side") || "answer"));
  }
  function measured() {
    // for scripts and tests: the height of what is shown, and how many pictures loaded
    var el = solo ? document.querySelector(".mkdeck-chosen") : document.documentElement;
    var imgs = Array.prototype.slice.call(document.querySelectorAll(".mkdeck-card img"));
    var ok = imgs.filter(function (i) { return i.complete && i.naturalWidth > 0; }).length;
    document.title = "height=" + (el ? Math.ceil(el.getBoundingClientRect().height) : 0) +
      " images=" + ok + "/" + imgs.length;
  }
  if (window.MathJax && MathJax.startup && MathJax.startup.promise) {
    MathJax.startup.promise.then(measured);
  } else { window.addEventListener("load", measured); }
})();"""


def _e(text: str) -> str:
    return html.escape(text, quote=True)


def _style_text(css: str) -> str:
    return css.replace("</", "<\\/")


def render_page(cards: Sequence[PreviewCard], *, plan: ExportPlan, title: str,
                diagnostics: Sequence[Diagnostic], verdicts: Mapping[tuple[str, int],
                Sequence[Verdict]], mathjax: bool,
                href: Callable[[str, int], str]) -> str:
    """The ``index.html`` text for ``cards`` (see the module docstring for its structure).

    ``href(path, line) -> str`` makes a card's source link."""
    models = {m.model_id: m for m in plan.models}
    parts: list[str] = [
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">",
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        # nothing may leave the page: no fetch, no font, no image from elsewhere
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'self' data: "
        "blob:; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data: blob:; media-src 'self' data: blob:; font-src 'self' data:\">",
        f"<title>{_e(title)}</title>",
        f"<style>{_PAGE_CSS}</style>",
    ]
    for model_id in sorted(models):
        parts.append(f'<style data-note-type="{_e(models[model_id].name)}">'
                     f".mkdeck-nt-{model_id} {{\n{_style_text(models[model_id].css)}\n}}"
                     "</style>")
    if mathjax:
        parts.append(f"<script>{_MATHJAX_CONFIG}</script>")
        parts.append(f'<script defer src="{ASSETS}/mathjax/{MATHJAX_FILE}"></script>')
    by_deck: dict[str, list[PreviewCard]] = {}
    for card in cards:
        by_deck.setdefault(card.deck, []).append(card)
    notes = len({c.guid for c in cards})
    errors = sum(1 for d in diagnostics if d.severity.value == "error")
    warnings = sum(1 for d in diagnostics if d.severity.value == "warning")
    parts.append('</head>\n<body class="mkdeck-page">')
    parts.append(
        f'<div class="mkdeck-top"><h1>{_e(title)}</h1><span>{notes} notes, {len(cards)} '
        f"cards, {len(by_deck)} decks; {errors} errors, {warnings} warnings</span>"
        '<button type="button" id="mkdeck-night" aria-pressed="false">night mode</button>'
        '<label><input type="checkbox" id="mkdeck-hide"> hide answers</label>'
        + ("" if mathjax else '<span class="mkdeck-tex">math shown as source</span>')
        + "</div>")
    parts.append('<main class="mkdeck-main"><div class="mkdeck-intro">')
    if diagnostics:
        lines = "\n".join(f"{d.location.path}:{d.location.line}: {d.code} {d.message}"
                          for d in diagnostics)
        parts.append(f'<details{" open" if len(diagnostics) <= 20 else ""}><summary>'
                     f'{len(diagnostics)} findings</summary>'
                     f'<pre class="mkdeck-findings">{_e(lines)}</pre></details>')
    parts.append('<nav class="mkdeck-toc"><ul>')
    deck_names = sorted(by_deck, key=str.casefold)
    for i, deck in enumerate(deck_names):
        parts.append(f'<li><a href="#deck-{i}">{_e(deck)}</a> ({len(by_deck[deck])})</li>')
    parts.append("</ul></nav></div>")
    for i, deck in enumerate(deck_names):
        parts.append(f'<section class="mkdeck-deck" id="deck-{i}" data-deck="{_e(deck)}">'
                     f"<h2>{_e(deck)}</h2>")
        for card in by_deck[deck]:
            parts.append(_card_html(card, href, verdicts.get((card.path, card.line), ()),
                                    mathjax))
        parts.append("</section>")
    parts.append(f"</main>\n<script>{_PAGE_JS}</script>\n</body></html>\n")
    return "".join(parts)


def _card_html(card: PreviewCard, link: Callable[[str, int], str], verdicts: Sequence[Verdict],
               mathjax: bool) -> str:
    loc = f"{card.path}:{card.line}"
    kind = f"{card.template} {card.ord + 1}" if card.cloze else card.template
    meta = [
        f'<span class="mkdeck-type">{_e(card.note_type)} · {_e(kind)}</span>',
        f'<a class="mkdeck-source" href="{_e(link(card.path, card.line))}">{_e(loc)}</a>',
    ]
    meta.extend(f'<span class="mkdeck-tag">{_e(t)}</span>' for t in card.tags)
    for v in verdicts:
        tip = f"{v.check}: {v.detail}" if v.detail else v.check
        meta.append(f'<span class="mkdeck-verdict {_e(v.verdict)}" title="{_e(tip)}">'
                    f"{_e(v.verdict)}: {_e(v.text)}</span>")
    sides = []
    for side, text, label in (("front", card.question, "Front"),
                              ("back", card.answer, "Back")):
        body = reviewer_html(text, card, question=side == "front")
        if not mathjax:
            body = mark_tex(body)
        sides.append(f'<section class="mkdeck-side mkdeck-{side}"><h3>{label}</h3>'
                     f'<div class="mkdeck-nt-{card.model_id}"><div class="card card{card.ord + 1}">'
                     f"{body}</div></div></section>")
    return (f'<article class="mkdeck-card" data-guid="{_e(card.guid)}" data-ord="{card.ord}" '
            f'data-source="{_e(loc)}"><div class="mkdeck-meta">{"".join(meta)}</div>'
            f'<div class="mkdeck-sides">{"".join(sides)}</div></article>')
