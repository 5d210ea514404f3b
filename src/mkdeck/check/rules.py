"""The rules only ``mkdeck check`` runs: things that make a wrong card or that the
Obsidian_to_Anki plugin would read differently, which no build stage reports (codes ``MKD5xx``),
and links in a note's prose outside its cards, which no build stage reads (the link codes
``MKD2xx`` of :mod:`mkdeck.vault.links`). (Empty first
fields, cloze notes without deletions, unknown note types and fields are the parser's and
exporter's findings: :mod:`mkdeck.app.check` passes those on.)

Each rule declares its codes next to it with :func:`mkdeck.codes.register`, and is listed in
:data:`FILE_RULES` at the end of this module.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator

import ftfy

from mkdeck.check.context import CheckContext
from mkdeck.check.registry import Rule, rule
from mkdeck.codes import register
from mkdeck.model import Diagnostic, NoteFile, Severity, SourceLocation
from mkdeck.scan import Fence, code_spans, fence_closes, fence_open, frontmatter_end
from mkdeck.vault.links import (
    MEDIA_MISSING,
    VaultIndex,
    find_links,
    is_note_target,
    link_diagnostics,
)

LOG = logging.getLogger(__name__)

MOJIBAKE = register(
    "MKD501",
    Severity.WARNING,
    "mojibake (text decoded with the wrong encoding)",
    fix="Replace the damaged text with the repaired text the message shows (ftfy's "
    "`fix_encoding` repair of the line); until then, links to the damaged name do not reach "
    "the note they mean.",
    bad="- often used as [[li forkâ€“exec]] combination",
    good="- often used as [[li fork–exec]] combination",
)

CRLF_MARKER = register(
    "MKD502",
    Severity.WARNING,
    "CRLF line endings hide blocks from the Obsidian plugin",
    fix="Save the file with LF line endings (`dos2unix FILE`, or the line-ending setting of "
    "your editor); mkdeck reads both, but the Obsidian_to_Anki plugin only finds a block "
    "whose START is followed by LF.",
    bad="START\\r\\nBasic\\r\\nfront\\r\\nBack: back\\r\\nEND\\r\\n",
    good="START\nBasic\nfront\nBack: back\nEND\n",
)

# ftfy's encoding repair only: no quote uncurling, HTML unescaping, width or ligature
# changes, normalization or control-character removal (those are not damage in a note).
_FTFY_CONFIG = ftfy.TextFixerConfig(
    unescape_html=False,
    remove_terminal_escapes=False,
    fix_latin_ligatures=False,
    fix_character_width=False,
    uncurl_quotes=False,
    fix_line_breaks=False,
    remove_control_chars=False,
    normalization=None,
    explain=True,
)

_ENCODING_NAMES = {
    "sloppy-windows-1252": "Windows-1252",
    "windows-1252": "Windows-1252",
    "latin-1": "Latin-1",
    "iso-8859-1": "Latin-1",
    "sloppy-windows-1251": "Windows-1251",
    "windows-1251": "Windows-1251",
    "sloppy-windows-1250": "Windows-1250",
    "macroman": "Mac Roman",
    "cp437": "code page 437",
}


def _wordish(ch: str) -> bool:
    return ch.isalnum() or ch in "-_.'’" or ord(ch) > 0x7F and not ch.isspace()


def _changed_span(old: str, new: str) -> tuple[int, str, str]:
    """Where ``old`` and ``new`` first differ: ``(0-based column in old, the damaged word(s)
    of old, the same word(s) of new)``, widened to whole words."""
    p = 0
    limit = min(len(old), len(new))
    while p < limit and old[p] == new[p]:
        p += 1
    s = 0
    while s < limit - p and old[len(old) - 1 - s] == new[len(new) - 1 - s]:
        s += 1
    start = p
    while start > 0 and _wordish(old[start - 1]):
        start -= 1
    end_old, end_new = len(old) - s, len(new) - s
    while end_old < len(old) and _wordish(old[end_old]):
        end_old += 1
        end_new += 1
    return p, old[start:end_old], new[start:end_new]


def _how(explanation: list[tuple[str, str]] | None) -> str:
    """``[("encode", "sloppy-windows-1252"), ("decode", "utf-8")]`` → ``"UTF-8 text read as
    Windows-1252"``."""
    for step, arg in explanation or ():
        if step == "encode":
            return f"UTF-8 text read as {_ENCODING_NAMES.get(arg, arg)}"
    return "text decoded with the wrong encoding"


def check_mojibake(file: NoteFile, ctx: CheckContext) -> Iterator[Diagnostic]:
    """Text damaged by a wrong decoding (``â€“`` for ``–``), found and repaired with ftfy."""
    for number, line in enumerate(file.text.split("\n"), 1):
        if line.isascii():
            continue
        fixed, explanation = ftfy.fix_and_explain(line, config=_FTFY_CONFIG)
        if fixed == line:
            continue
        column, bad, good = _changed_span(line, fixed)
        yield MOJIBAKE.at(
            SourceLocation(file.path, number, column + 1),
            f"mojibake ({_how(explanation)}): '{bad}' should read '{good}'; replace it with "
            "the repaired text.",
        )


def check_crlf_markers(file: NoteFile, ctx: CheckContext) -> Iterator[Diagnostic]:
    """Blocks whose START line ends in CRLF or CR: the Obsidian plugin's ``^START\\n`` misses
    them (research: obsidian-to-anki-syntax §2.2)."""
    raw = ctx.raw_lines(file.path)
    hit = []
    for note in ctx.notes_in(file.path):
        if note.kind != "block":
            continue
        index = note.location.line - 1
        if 0 <= index < len(raw) and raw[index].endswith(("\r\n", "\r")):
            hit.append(note)
    if not hit:
        return
    first = hit[0]
    n = len(hit)
    several = f"it and {n - 1} more block{'s' if n > 2 else ''} of this file" if n > 1 else "it"
    yield CRLF_MARKER.at(
        first.location,
        f"START line ends with a Windows line ending (CRLF): the Obsidian_to_Anki plugin would "
        f"not find {several}; mkdeck reads it. Save the file with LF line endings "
        "(dos2unix, or your editor's line-ending setting).",
    )


CASE_MISMATCH = register(
    "MKD503",
    Severity.WARNING,
    "note type or field name in another case than the note type's",
    fix="Write the note type and the field prefixes exactly as the note type names them "
    "(`Basic`, `Back:`): mkdeck matches them in any case, but the Obsidian_to_Anki plugin "
    "compares them exactly and would skip the card or keep the line in the wrong field.",
    bad="START\nBASIC\nWhat does fork() return?\nBACK: the child's PID\nEND",
    good="START\nBasic\nWhat does fork() return?\nBack: the child's PID\nEND",
)

_CALLOUT_PREFIX_RE = re.compile(r"^[ \t]*(?:>[ \t]?)+")
_PREFIX_RE = re.compile(r"^([^\s:][^:]*?):")


def check_exact_names(file: NoteFile, ctx: CheckContext) -> Iterator[Diagnostic]:
    """Block notes whose note-type line or field prefixes match only case-insensitively: the
    Obsidian plugin looks note types up exactly and switches fields on ``line.startsWith(
    name + ":")`` (research: obsidian-to-anki-syntax §2.2, §2.3)."""
    lines = file.text.split("\n")
    for note in ctx.notes_in(file.path):
        if note.kind != "block":
            continue
        start, end = note.location.line - 1, min(note.end_line - 1, len(lines))
        if not 0 <= start < end:
            continue
        in_callout = bool(_CALLOUT_PREFIX_RE.match(lines[start]) and
                          lines[start].lstrip().startswith(">"))

        def body(i: int, in_callout: bool = in_callout) -> str:
            text = lines[i]
            return _CALLOUT_PREFIX_RE.sub("", text, count=1) if in_callout else text

        i = start + 1
        while i < end and not body(i).strip():
            i += 1
        if i >= end:
            continue
        written = body(i).strip()
        name = note.note_type.name
        if written != name and written.casefold() == name.casefold():
            yield CASE_MISMATCH.at(
                SourceLocation(file.path, i + 1),
                f"note type '{written}' is written in another case than '{name}': the "
                f"Obsidian_to_Anki plugin would not recognise it and skip the card; write "
                f"'{name}'.",
            )
        fields = {f.casefold(): f for f in note.note_type.fields}
        fence: Fence | None = None
        for j in range(i + 1, end):
            text = body(j)
            if fence is not None:
                if fence_closes(text, fence):
                    fence = None
                continue
            fence = fence_open(text)
            if fence is not None:
                continue
            p = _PREFIX_RE.match(text)
            if p is None:
                continue
            prefix = p.group(1)
            wanted = fields.get(prefix.casefold())
            if wanted is None or prefix == wanted or prefix.rstrip() != prefix:
                continue
            yield CASE_MISMATCH.at(
                SourceLocation(file.path, j + 1),
                f"field prefix '{prefix}:' is written in another case than '{wanted}:': the "
                f"Obsidian_to_Anki plugin would not switch to the {wanted} field here; write "
                f"'{wanted}:'.",
            )


def check_links_outside_cards(file: NoteFile, ctx: CheckContext) -> Iterator[Diagnostic]:
    """Wikilinks, embeds and media in a note's prose, outside its cards, that do not resolve
    (the renderer reports the ones inside cards). Obsidian shows them as dead links, and
    embedding that section into a card would carry them into the deck. Same codes and
    resolution as inside cards (:mod:`mkdeck.vault.links`); nothing in code, math, ``%%``
    comments or frontmatter counts."""
    index = ctx.cache.get("links.index")
    if not isinstance(index, VaultIndex):
        index = ctx.cache["links.index"] = VaultIndex(ctx.result.vault)
    in_cards: set[int] = set()
    for note in ctx.notes_in(file.path):
        # a regex note's end_line is the line after its match when the match took its newline
        last = note.end_line - 1 if note.kind == "regex" and note.end_column == 1 else \
            note.end_line
        in_cards.update(range(note.location.line, max(last, note.location.line) + 1))
    lines = file.text.split("\n")
    first = frontmatter_end(lines)
    spans = code_spans(lines)
    for i, line in enumerate(lines):
        number = i + 1
        if i < first or number in in_cards or "[[" not in line:
            continue
        for match, link in find_links(line, spans[i]):
            at = SourceLocation(file.path, number, match.start() + 1)
            res = index.resolve(link.target, file.path)
            if link.embed and not is_note_target(link.target):
                if res.path is None and not res.outside:
                    yield MEDIA_MISSING.at(
                        at, f"embedded file {link.target!r} is not in the vault; add it (any "
                            f"folder) or fix the name")
                    continue
                yield from link_diagnostics(index, link, res, at, "media")
            else:
                yield from link_diagnostics(index, link, res, at,
                                            "embed" if link.embed else "link")


PLUGIN_DEFAULTS_DIFFER = register(
    "MKD504",
    Severity.INFO,
    "mkdeck's defaults differ from the plugin's",
    fix="Nothing is wrong; to get the plugin's behaviour, add what the message names to "
    "mkdeck.yaml (`tags: [Obsidian_to_Anki]` for the plugin's default tag, `deck: Default` "
    "for its default deck).",
    # examples: the plugin's data.json (mkdeck.yaml `tags: [Obsidian_to_Anki]` also silences it)
    bad='{"settings": {"Defaults": {"Tag": "Obsidian_to_Anki", "Deck": "Default"}}}',
    good='{"settings": {"Defaults": {"Tag": "", "Deck": "Default"}}}',
)


def check_plugin_defaults(ctx: CheckContext) -> Iterator[Diagnostic]:
    """Once per vault with the plugin's data.json: where mkdeck's deliberate defaults (no tag of
    its own, the vault's name as the default deck) give other notes than the plugin."""
    config = ctx.result.vault.config
    plugin = config.plugin
    if plugin is None or plugin.location is None:
        return
    differences = []
    tag = plugin.default_tag.strip()
    if tag and not any(t.casefold() == tag.casefold() for t in config.tags):
        differences.append(
            f"the plugin adds the tag {tag!r} (Defaults.Tag) to every note, mkdeck adds no tag "
            f"of its own: write `tags: [{tag}]` in mkdeck.yaml for the plugin's behaviour")
    if plugin.default_deck is None or not plugin.default_deck.strip():
        differences.append(
            f"the plugin puts notes without TARGET DECK or folder deck into 'Default' "
            f"(Defaults.Deck is not set), mkdeck into {config.deck!r}: write `deck: Default` "
            f"in mkdeck.yaml for the plugin's behaviour")
    if differences:
        yield PLUGIN_DEFAULTS_DIFFER.at(
            plugin.location,
            "mkdeck reads the plugin's settings but differs on purpose: " + "; ".join(
                differences) + ".")


# The check-only rules, in the order they are listed (they run sorted by order, then name).
FILE_RULES: tuple[Rule, ...] = (
    rule(check_mojibake, "mojibake", scope="file", codes=(MOJIBAKE.code,)),
    rule(check_crlf_markers, "crlf-markers", scope="file", codes=(CRLF_MARKER.code,)),
    rule(check_exact_names, "plugin-exact-names", scope="file", codes=(CASE_MISMATCH.code,)),
    rule(check_links_outside_cards, "links-outside-cards", scope="file",
         codes=("MKD201", "MKD202", "MKD203", "MKD204", "MKD207", "MKD210")),
    rule(check_plugin_defaults, "plugin-defaults", scope="vault",
         codes=(PLUGIN_DEFAULTS_DIFFER.code,)),
)
