"""Rule ``block``: a ``START`` … ``END`` card (also inside callouts, ``%% %%`` and ```` ```anki ````
fences): its note type, fields, ``Tags:`` line, ``<!--ID: n-->`` and in-block ``TARGET DECK``."""

from __future__ import annotations

import logging
import re
from dataclasses import replace

from mkdeck.codes import register
from mkdeck.config.notetypes import name_key
from mkdeck.model import (
    Diagnostic,
    NoteType,
    Severity,
)
from mkdeck.parse.rules.deck import read_deck_line
from mkdeck.parse.state import (
    BAD_TAGS_LINE,
    EMPTY_DECK,
    PREFIX_RE,
    TRAILING_SPACE,
    UNKNOWN_NOTE_TYPE,
    ParseState,
    Pending,
    clean_deck,
    is_end,
    strip_quote,
)
from mkdeck.parse.tags import split_tags
from mkdeck.scan import (
    FENCE_FIRST,
    ID_BARE_RE,
    ID_COMMENT_RE,
    ID_START_RE,
    ID_TRAILING_RE,
    Fence,
    fence_closes,
    fence_open,
)

LOG = logging.getLogger(__name__)


def fence_is_code(state: ParseState, i: int, ends_too: bool) -> bool:
    """Whether a START (``ends_too=False``) or END (``ends_too=True``) at line index ``i``,
    inside a fence opened in a card, is code: yes when a fence line comes before the next
    START (or, for END, the next START or END) below it."""
    if state._lookahead is None:
        n = len(state.lines)
        next_fence = [n] * (n + 1)
        next_start = [n] * (n + 1)
        next_marker = [n] * (n + 1)
        syntax = state.syntax
        for k in range(n - 1, -1, -1):
            _, content = strip_quote(state.lines[k])
            s = content.rstrip()
            t = s.lstrip(" \t")
            next_fence[k] = k if t.startswith(("```", "~~~")) else next_fence[k + 1]
            is_start = s == syntax.start
            next_start[k] = k if is_start else next_start[k + 1]
            next_marker[k] = k if is_start or is_end(s, syntax.end) else next_marker[k + 1]
        state._lookahead = (next_fence, next_start, next_marker)
    next_fence, next_start, next_marker = state._lookahead
    limit = (next_marker if ends_too else next_start)[i + 1]
    return next_fence[i + 1] < limit


def read_block(state: ParseState, i: int, depth: int) -> int:
    """Parse the block whose START is at line index ``i``; return the index to go on at."""
    syntax = state.syntax
    lines = state.lines
    n = len(lines)
    start_line = i + 1
    fenced: set[int] = set()  # body indexes (0 = the line after START) in or at a fence
    fence: Fence | None = None
    glued_end: int | None = None
    j = i + 1
    end_index: int | None = None
    start_marker = syntax.start
    end_marker = syntax.end
    end_len = len(end_marker)
    while j < n:
        content = lines[j]
        if depth or content[:1] == " ":
            content = strip_quote(content, depth)[1]
        s = content.rstrip()
        if fence is not None:
            if fence_closes(content, fence):
                fence = None
                fenced.add(j - i - 1)
                j += 1
                continue
            if s == syntax.start and not fence_is_code(state, j, ends_too=False):
                break
            if is_end(s, syntax.end) and not fence_is_code(state, j, ends_too=True):
                state.report(FENCE_LEFT_OPEN, fence.line,
                            f"the code fence opened at line {fence.line} is not closed before "
                            f"{syntax.end} at line {j + 1}: close it with a ``` line; the card "
                            f"ends at line {j + 1}.")
                end_index = j
                break
            fenced.add(j - i - 1)
            j += 1
            continue
        opened = fence_open(content) if content[:1] in FENCE_FIRST else None
        if opened is not None:
            fence = replace(opened, line=j + 1)
            fenced.add(j - i - 1)
            j += 1
            continue
        if s == start_marker:
            break
        if s.startswith(end_marker) and is_end(s, end_marker):
            end_index = j
            break
        if glued_end is None and s.endswith(end_marker) and len(s) > end_len \
                and not s[-end_len - 1].isspace() and not s[-end_len - 1].isalnum():
            glued_end = j + 1
        j += 1
    if end_index is None:
        why = f"the next {syntax.start} at line {j + 1}" if j < n else "the end of the file"
        hint = ""
        if glued_end is not None:
            hint = (f" ({syntax.end} glued to the text of line {glued_end} is not a marker: "
                    f"put it on its own line)")
        elif fence is not None:
            hint = f" (the code fence opened at line {fence.line} is never closed)"
        state.report(UNCLOSED_BLOCK, start_line,
                    f"{syntax.start} at line {start_line} is not closed by {syntax.end} "
                    f"before {why}{hint}: add an {syntax.end} line; this card is skipped.")
        return j
    body = lines[i + 1:end_index]
    if depth:
        body = [strip_quote(line, depth)[1] for line in body]
    state.blocked_lines.append((start_line, end_index + 1))
    build_block(state, start_line, end_index + 1, body, fenced,
                      start_trailing=strip_quote(lines[i], depth)[1] != syntax.start)
    return end_index + 1


def _note_type_line(state: ParseState, start_line: int, body: list[str], fenced: set[int],
                    start_trailing: bool) -> tuple[int, NoteType, list[Diagnostic]] | None:
    """The note-type line of a block: ``(index in body, note type, trailing-space warnings)``,
    or ``None`` (reported) when the block is empty or names no known note type."""
    syntax = state.syntax
    k = 0
    while k < len(body) and not body[k].strip():
        k += 1
    if k == len(body):
        state.report(EMPTY_BLOCK, start_line,
                    f"the card at line {start_line} is empty: write a note type (e.g. Basic) "
                    f"and fields between {syntax.start} and {syntax.end}, or delete it.")
        return None
    type_line, type_text, type_in_fence = start_line + 1 + k, body[k], k in fenced
    written = type_text.strip()
    note_type = None if type_in_fence else state.index.resolve(written)
    if note_type is None:
        known = ", ".join(state.index.names())
        if written.startswith("{") and written.endswith("}"):
            msg = (f"{written!r} at line {type_line} is a template placeholder, not a note "
                   f"type: replace it with one of {known}; this card is skipped.")
        else:
            msg = (f"unknown note type {written!r} at line {type_line}: use one of {known}, "
                   f"or declare it in mkdeck.yaml under note_types with its fields; this "
                   f"card is skipped.")
        state.report(UNKNOWN_NOTE_TYPE, type_line, msg)
        return None
    warnings: list[Diagnostic] = []
    if start_trailing:
        warnings.append(TRAILING_SPACE.at(
            state.loc(start_line),
            f"{syntax.start} at line {start_line} ends with spaces: the Obsidian_to_Anki "
            f"plugin would ignore this card; remove them."))
    if type_text != type_text.rstrip():
        warnings.append(TRAILING_SPACE.at(
            state.loc(type_line),
            f"the note-type line {type_line} ends with spaces: the Obsidian_to_Anki plugin "
            f"would not recognise {written!r}; remove them."))

    return k, note_type, warnings


def _field_prefix(state: ParseState, note_type: NoteType, content: str, lineno: int,
                  warnings: list[Diagnostic]) -> tuple[str, str] | None:
    """A ``Name:`` line that switches field (decision 5): ``(field, text after the prefix)``,
    or ``None`` when the line is text. A field of another note type goes to the last field,
    with a warning appended to ``warnings``."""
    m = PREFIX_RE.match(content) if ":" in content[:65] else None
    if m is None:
        return None
    last_field = note_type.fields[-1]
    name = m.group(1)
    target = state.index.field_name(note_type, name)
    if target is None and name_key(name) in state.index.foreign_fields:
        target = last_field
        warnings.append(FOREIGN_FIELD.at(
            state.loc(lineno),
            f"{name.strip()}: at line {lineno} is not a field of {note_type.name} "
            f"(its fields: {', '.join(note_type.fields)}): its text went to "
            f"{last_field}; write {last_field}: instead."))
    if target is None:
        return None
    return target, content[m.end():].removeprefix(" ")


def build_block(state: ParseState, start_line: int, end_line: int, body: list[str],
                fenced: set[int], start_trailing: bool) -> None:
    """Build the note of a block: ``body`` holds the lines between START and END (quote
    prefixes stripped; ``body[k]`` is file line ``start_line + 1 + k``), ``fenced`` the
    indexes of those inside code fences."""
    syntax = state.syntax
    found = _note_type_line(state, start_line, body, fenced, start_trailing)
    if found is None:
        return
    k, note_type, warnings = found

    fields: dict[str, list[tuple[int, str]]] = {f: [] for f in note_type.fields}
    field_starts: dict[str, int] = {}
    current = note_type.fields[0]
    tags: list[str] = []
    note_id: int | None = None
    id_line: int | None = None
    block_decks: list[str | None] = []
    skipping_comment = False
    # a bare `ID: n` counts only as the card's last line (after any Tags: line), as in
    # the plugin; elsewhere it is text
    last_content = len(body) - 1
    while last_content > k and (not body[last_content].strip()
                                or _TAGS_RE.match(body[last_content])):
        last_content -= 1
    first_line = start_line + 1  # file line of body[0]
    m_index = k + 1
    n_body = len(body)
    while m_index < n_body:
        content = body[m_index]
        lineno = first_line + m_index
        m_index += 1
        if skipping_comment:
            if "-->" in content:
                skipping_comment = False
            continue
        if fenced and m_index - 1 in fenced:
            fields[current].append((lineno, content))
            continue
        s = content.rstrip()
        # ID lines (decision 8)
        m = None
        if "ID:" in s:
            m = ID_COMMENT_RE.fullmatch(s) or (
                ID_BARE_RE.fullmatch(s) if m_index - 1 == last_content else None)
        if m:
            if note_id is None:
                note_id, id_line = int(m.group(1)), lineno
            else:
                warnings.append(DUPLICATE_ID.at(
                    state.loc(lineno),
                    f"second ID {m.group(1)} at line {lineno} in the card at line "
                    f"{start_line} (first: {note_id} at line {id_line}): keep one; the "
                    f"first is used."))
            continue
        if "<!--" in s and ID_START_RE.match(s):
            warnings.append(MALFORMED_ID.at(
                state.loc(lineno),
                f"malformed ID comment at line {lineno}: write <!--ID: digits--> on its own "
                f"line or delete it; the card has no ID and the comment is left out."))
            if "-->" not in s:
                skipping_comment = True
            continue
        trailing = ID_TRAILING_RE.search(s) if "ID:" in s else None
        if trailing:
            # the plugin writes the ID on a line of its own; one joined to a field line is
            # text to mkdeck, so `mkdeck ids` would give the card a second ID
            warnings.append(MALFORMED_ID.at(
                state.loc(lineno),
                f"the ID comment {trailing.group(0).strip()} at the end of line {lineno} is "
                f"not on a line of its own, so the card has no ID: move it to its own line "
                f"above {syntax.end}."))
        if s.startswith(syntax.target_deck):
            before = len(block_decks)
            consumed = deck_line_in_block(state, body, fenced, m_index - 1, lineno, content, s,
                                                block_decks)
            if consumed:
                m_index += consumed - 1
                continue
            del block_decks[before:]
        if s == syntax.delete or (s.startswith(syntax.delete) and "ID:" in s):
            warnings.append(DELETE_IN_BLOCK.at(
                state.loc(lineno),
                f"{syntax.delete} at line {lineno} is inside the card at line {start_line}: "
                f"it deletes nothing (an .apkg cannot delete) and the card is still "
                f"exported; remove the line."))
            continue
        m = _TAGS_RE.match(s) if s[:1] in "Tt" else None
        if m and state.index.field_name(note_type, "Tags") is None:
            found, bad = split_tags(m.group(1))
            if not bad:
                tags.extend(found)
                continue
            warnings.append(BAD_TAGS_LINE.at(
                state.loc(lineno),
                f"the Tags: line {lineno} holds {', '.join(repr(b) for b in bad[:3])}, which "
                f"cannot be tags: it stays in the {current} field as text; write only "
                f"space-separated tags after Tags:."))
            fields[current].append((lineno, content))
            continue
        if "Tags:" in s and _GLUED_TAGS_RE.search(s):
            warnings.append(GLUED_TAGS.at(
                state.loc(lineno),
                f"`Tags:` is glued to the end of line {lineno}, so it is text, not tags: "
                f"put Tags: at the start of its own line."))
        switch = _field_prefix(state, note_type, content, lineno, warnings)
        if switch is not None:
            current, after = switch
            field_starts.setdefault(current, lineno)
            fields[current].append((lineno, after))
            continue
        fields[current].append((lineno, content))
    deck = None
    if block_decks:
        deck = block_decks[-1] or state.fallback_deck()
    state.pending.append(Pending(
        location=state.loc(start_line), note_type=note_type, fields=fields,
        field_starts=field_starts, tags=tags, id=note_id, kind="block", end_line=end_line,
        id_line=id_line, deck=deck, deck_state=len(state.decks) - 1, warnings=warnings))


def deck_line_in_block(state: ParseState, body: list[str], fenced: set[int], index: int,
                       lineno: int, content: str, s: str, block_decks: list[str | None]) -> int:
    """A TARGET DECK line inside a card (sets that card's deck; decision 9)."""
    marker = state.syntax.target_deck
    tail = s[len(marker):]
    if tail.startswith(":") or tail[:1] in (" ", "\t"):
        return 1 if read_deck_line(state, lineno - 1, content, s, in_block=block_decks) else 0
    if tail == "":
        value = ""
        consumed = 1
        if index + 1 < len(body) and index + 1 not in fenced:
            nxt = body[index + 1].strip()
            if nxt and not state.is_marker(nxt):
                value = nxt
                consumed = 2
        deck = clean_deck(value)
        if not deck:
            state.report(EMPTY_DECK, lineno,
                        f"{marker} at line {lineno} names no deck: write `{marker}: Deck` "
                        f"(or the name on the next line); this card goes to the default "
                        f"deck.")
        block_decks.append(deck or None)
        return consumed
    return 0


UNCLOSED_BLOCK = register(
    "MKD101", Severity.ERROR, "START without END",
    fix="Add an END line (alone on its line) after the card's last field; the card is skipped "
        "until then.",
    bad="START\nBasic\nfront\nBack: back\n\nSTART\n…", good="START\nBasic\nfront\nBack: back\nEND",
)


EMPTY_BLOCK = register(
    "MKD104", Severity.ERROR, "card without note type",
    fix="Write the note type on the line after START, then the fields; or delete the empty card.",
    bad="START\nEND", good="START\nBasic\nfront\nBack: back\nEND",
)


FOREIGN_FIELD = register(
    "MKD106", Severity.WARNING, "field prefix of another note type",
    fix="Use one of this note type's field names (the message lists them); the text went to "
        "its last field.",
    bad="START\nCloze\nText: {{c1::x}}\nBack: y\nEND", good="START\nCloze\nText: {{c1::x}}\nBack Extra: y\nEND",
)


MALFORMED_ID = register(
    "MKD107", Severity.WARNING, "malformed ID comment",
    fix="Write the ID as <!--ID: digits--> on its own line, or delete the comment so the card "
        "is exported without an ID.",
    bad="<!--ID: 17169334814For some…", good="<!--ID: 1716933481434-->",
)


DUPLICATE_ID = register(
    "MKD108", Severity.WARNING, "card has two IDs",
    fix="Keep one <!--ID: n--> line per card (the first one is used).",
)


GLUED_TAGS = register(
    "MKD109", Severity.WARNING, "Tags: glued to the end of a line",
    fix="Put `Tags:` at the start of its own line; glued to other text it stays text.",
    bad="![img](a.png)Tags: x", good="![img](a.png)\nTags: x",
)


FENCE_LEFT_OPEN = register(
    "MKD118", Severity.WARNING, "code fence in a card not closed before END",
    fix="Close the code fence (```) before the card's END line.",
)


DELETE_IN_BLOCK = register(
    "MKD122", Severity.WARNING, "DELETE inside a card",
    fix="Replace the whole card (START…END) by the two lines DELETE and <!--ID: n-->; a DELETE "
        "inside a card deletes nothing and the card is still exported.",
)


_TAGS_RE = re.compile(r"(?:Tags|TAGS|tags):(.*)", re.DOTALL)


_GLUED_TAGS_RE = re.compile(r"[^\w\s]Tags:(?:\s|$)")


def block_rule(state: ParseState, i: int, raw: str, depth: int, content: str, s: str) -> int:
    """A ``START`` line: the whole card; returns the lines consumed (0: not a START)."""
    if s != state.syntax.start:
        return 0
    return read_block(state, i, depth) - i
