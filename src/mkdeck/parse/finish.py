"""Finishing a file's notes: pending notes → :class:`~mkdeck.model.Note` objects, with their
deck (TARGET DECK, frontmatter, folder, default), tags, FROZEN fields and trimmed fields."""

from __future__ import annotations

import logging

from mkdeck.codes import register
from mkdeck.model import (
    Config,
    Field,
    Note,
    Severity,
    SourceLocation,
)
from mkdeck.parse.cloze import convert_shorthand
from mkdeck.parse.context import context_suffixes, headings
from mkdeck.parse.rules.frontmatter import report_foreign_deck
from mkdeck.parse.state import (
    ParseState,
    Pending,
    matching_rules,
    shared_line,
    shared_numbers,
)
from mkdeck.parse.tags import merge_tags, split_tags
from mkdeck.scan import (
    has_cloze,
)

LOG = logging.getLogger(__name__)


def finish_notes(state: ParseState) -> list[Note]:
    """Turn the pending notes into :class:`Note` objects (decks, tags, FROZEN, clozes)."""
    out: list[Note] = []
    first_deck = state.decks[0] if state.decks else None
    folder_tags = _folder_tags(state.path, state.config)
    fallback = state.fallback_deck()
    report_foreign_deck(state, fallback)
    file_level_tags = merge_tags(state.config.tags, folder_tags, state.frontmatter_tags,
                                 state.file_tags)
    for p in state.pending:
        if p.deck is not None:
            deck = p.deck
        elif p.deck_state >= 0:
            deck = state.decks[p.deck_state] or fallback
        else:
            deck = first_deck or fallback
        built = note_fields(state, p)
        state.diagnostics.extend(p.warnings)
        if not built[0].markdown:
            state.report(EMPTY_FIRST_FIELD, p.location.line,
                        f"the card at line {p.location.line} has an empty "
                        f"{p.note_type.fields[0]} field: write it after the note-type line; "
                        f"Anki refuses such a note, so it is skipped.",
                        column=p.location.column)
            continue
        if p.note_type.kind == "cloze" and not any(has_cloze(f.markdown) for f in built):
            state.report(CLOZE_WITHOUT_DELETION, p.location.line,
                        f"the {p.note_type.name} card at line {p.location.line} has no cloze "
                        f"deletion: {_cloze_fix(built, state.config)} (Anki makes no card "
                        f"without one); it is skipped.", column=p.location.column)
            continue
        # Obsidian #tags in fields (config.inline_tags) are collected by mkdeck.render from
        # the rendered token stream, where code and links are already known.
        tags = list(file_level_tags) + p.tags
        out.append(Note(
            location=p.location, note_type=p.note_type, fields=tuple(built), deck=deck,
            tags=merge_tags(tags), id=p.id, kind=p.kind,  # type: ignore[arg-type]
            end_line=shared_line(p.end_line),
            id_line=None if p.id_line is None else shared_line(p.id_line),
            end_column=p.end_column))
    return out


def note_fields(state: ParseState, p: Pending) -> list[Field]:
    note_type = p.note_type
    texts: list[tuple[str, tuple[int, ...]]] = [_trim(p.fields[f]) for f in note_type.fields]
    if note_type.kind == "cloze" and (state.config.curly_cloze or state.config.highlight_cloze):
        converted = convert_shorthand([t for t, _ in texts], curly=state.config.curly_cloze,
                                      highlight=state.config.highlight_cloze)
        texts = [(c, lines) for c, (_, lines) in zip(converted, texts, strict=True)]
    frozen = state.frozen.get(note_type.name)
    suffixes: dict[str, str] = {}
    plugin = state.config.plugin
    if plugin is not None and (plugin.add_context or plugin.add_file_link):
        if state.headings is None:
            state.headings = headings(state.lines, state.body_start)
        suffixes = context_suffixes(note_type, state.path, p.location.line, plugin,
                                    state.config.vault_name, state.headings)
    out = []
    for name, (markdown, lines) in zip(note_type.fields, texts, strict=True):
        if frozen and frozen.get(name):
            extra, extra_lines = _trim(frozen[name])
            if extra:
                markdown = f"{markdown}\n{extra}" if markdown else extra
                lines = lines + extra_lines
        if lines:
            line = lines[0]
        else:
            line = p.field_starts.get(name, p.location.line)
        column = p.location.column if p.kind == "inline" else None
        out.append(Field(name=name, markdown=markdown,
                         location=SourceLocation(state.path, line, column), lines=lines,
                         html_suffix=suffixes.get(name, "")))
    return out


CLOZE_WITHOUT_DELETION = register(
    "MKD112", Severity.ERROR, "cloze note without cloze deletion",
    fix="Mark at least one deletion as {{c1::text}} (Anki makes no card without one), or use a "
        "Basic note type.",
    bad="START\nCloze\nThe sky is blue.\nEND", good="START\nCloze\nThe sky is {{c1::blue}}.\nEND",
)


EMPTY_FIRST_FIELD = register(
    "MKD113", Severity.ERROR, "first field is empty",
    fix="Write the card's first field (its question) after the note-type line; Anki refuses a "
        "note whose first field is empty.",
    bad="START\nBasic\nBack: answer\nEND", good="START\nBasic\nquestion\nBack: answer\nEND",
)


def _cloze_fix(fields: list[Field], config: Config) -> str:
    """How to give a Cloze card its deletions: the setting that reads the shorthand its fields
    already hold (``{a}`` → ``curly_cloze: true``, ``==a==`` → ``highlight_cloze: true``), else
    Anki's own syntax."""
    texts = [f.markdown for f in fields]
    for setting, curly, shown in (("curly_cloze", True, "{text}"),
                                  ("highlight_cloze", False, "==text==")):
        if getattr(config, setting):
            continue
        converted = convert_shorthand(texts, curly=curly, highlight=not curly)
        if any(has_cloze(t) for t in converted):
            return (f"its {shown} marks are clozes only with `{setting}: true` in mkdeck.yaml "
                    f"(the Obsidian_to_Anki plugin's "
                    f"{'CurlyCloze' if curly else 'Highlights to Clozes'} setting): set it, or "
                    f"write {{{{c1::text}}}}")
    return "mark one as {{c1::text}}"


def _trim(lines: list[tuple[int, str]]) -> tuple[str, tuple[int, ...]]:
    """Join a field's lines, dropping blank lines at both ends and trimming the text."""
    start = 0
    end = len(lines)
    while start < end and not lines[start][1].strip():
        start += 1
    while end > start and not lines[end - 1][1].strip():
        end -= 1
    if start == end:
        return "", ()
    numbers, texts = zip(*lines[start:end])
    texts = list(texts)
    texts[0] = texts[0].lstrip()
    texts[-1] = texts[-1].rstrip()
    return "\n".join(texts), shared_numbers(numbers)


def _folder_tags(path: str, config: Config) -> list[str]:
    """Tags of every folder rule holding ``path``, outermost first."""
    out: list[str] = []
    rules = sorted(matching_rules(path, config), key=lambda r: len(r.folder.strip("/")))
    for rule in rules:
        for token in rule.tags:
            tags, _ = split_tags(token)
            out.extend(tags)
    return out
