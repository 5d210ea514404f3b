"""Rule ``frontmatter``: the YAML frontmatter's ``tags`` and target deck (read as Obsidian
reads it: numbers and dates stay text), its ``FILE TAGS`` lines (as the plugin finds them, by
line) and the deck keys of other tools (reported). Returns the first line of the body."""

from __future__ import annotations

import logging

import yaml

from mkdeck.codes import register
from mkdeck.model import (
    Severity,
)
from mkdeck.parse.rules.file_tags import read_file_tags
from mkdeck.parse.state import BAD_FILE_TAG, ParseState
from mkdeck.parse.tags import split_tags
from mkdeck.scan import (
    frontmatter_end,
)
from mkdeck.vault.read import lone_surrogate

LOG = logging.getLogger(__name__)


def read_frontmatter(state: ParseState) -> int:
    """Read the YAML frontmatter's tags and target deck; return the first body index."""
    lines = state.lines
    first_body = frontmatter_end(lines)
    if not first_body:
        return 0
    end = first_body - 1
    text = "\n".join(lines[1:end])
    if not text.strip():
        state.blocked_lines.append((1, end + 1))
        return end + 1
    try:
        data = yaml.load(text, Loader=_FrontmatterLoader)  # a SafeLoader subclass
    except (yaml.YAMLError, ValueError, KeyError, TypeError, OverflowError,
            RecursionError) as exc:
        # ValueError & co.: a value YAML parses but cannot construct (`!!bool x`);
        # RecursionError: PyYAML recurses once per nesting level (`tags: [[[[…`)
        mark = getattr(exc, "problem_mark", None)
        if mark is not None:
            line = mark.line + 2
        elif isinstance(getattr(exc, "position", None), int):  # yaml.reader.ReaderError
            line = text.count("\n", 0, exc.position) + 2  # type: ignore[attr-defined]
        else:
            line = 1
        if isinstance(exc, RecursionError):
            problem = "values nested too deeply"
        else:
            problem = (getattr(exc, "problem", None)
                       or (str(exc).splitlines()[0] if not isinstance(exc, yaml.YAMLError)
                           else "invalid YAML"))
        state.report(FRONTMATTER_INVALID, min(line, end),
                    f"the frontmatter is not valid YAML ({problem}): fix it; until then its "
                    f"tags and target-deck are not read.")
        return 0  # its lines are still scanned, so no card inside is lost
    if not isinstance(data, dict):
        # `---` ... `---` around text that is not a mapping: thematic breaks, not
        # frontmatter; cards between them count.
        return 0
    bad = lone_surrogate(data)
    if bad is not None:
        state.report(FRONTMATTER_INVALID, 1,
                     f"the frontmatter holds {bad}, a lone surrogate escape, which is not "
                     f"valid Unicode: fix the value; until then its tags and target-deck are "
                     f"not read.")
        return end + 1
    tags_line = 1
    for j in range(1, end):
        if lines[j].lower().startswith("tags:"):
            tags_line = j + 1
            break
    raw_tags = data.get("tags", data.get("Tags"))
    tokens: list[str] = []
    dropped: list[object] = []
    if isinstance(raw_tags, str):
        tokens = raw_tags.replace(",", " ").split()
    elif isinstance(raw_tags, list):
        tokens = [t for t in raw_tags if isinstance(t, str)]
        dropped = [t for t in raw_tags if not isinstance(t, str) and t is not None]
    elif raw_tags is not None:
        dropped = [raw_tags]
    for value in dropped:
        # a mapping, a nested list or true/false: not a tag, and not silently lost
        state.report(BAD_FILE_TAG, tags_line,
                    f"frontmatter tags hold {value!r}, which is not a tag: write "
                    f"`tags: [a, b/c]`; it is left out.")
    for token in tokens:
        tags, bad = split_tags(token)
        state.frontmatter_tags.extend(tags)
        for b in bad:
            state.report(BAD_FILE_TAG, tags_line,
                        f"frontmatter tag {b!r} cannot be an Anki tag (no brackets, quotes "
                        f"or `|`): it is left out.")
    for key, value in data.items():
        if (isinstance(key, str) and key.strip().lower() in _FRONTMATTER_DECK_KEYS
                and isinstance(value, str) and value.strip()):
            state.frontmatter_deck = value.strip()
        elif (isinstance(key, str) and key.strip().lower() in FOREIGN_DECK_KEYS
                and isinstance(value, str) and value.strip()):
            line = next((j + 1 for j in range(1, end)
                         if lines[j].lstrip().lower().startswith(key.strip().lower())), 1)
            state.foreign_deck = (key.strip(), value.strip(), line)
    # the plugin finds `FILE TAGS: a b` by its line anywhere in the file, frontmatter
    # included (research §6.2): read it there as on any other line
    marker = state.syntax.file_tags
    for j in range(1, end):
        if lines[j].startswith(marker):
            read_file_tags(state, j, lines[j], lines[j].rstrip())
    state.blocked_lines.append((1, end + 1))
    return end + 1


def report_foreign_deck(state: ParseState, fallback: str) -> None:
    """MKD150 for another tool's frontmatter deck key (``cards-deck:``, ``deck:``) in a note
    that has cards and no deck of its own in the frontmatter."""
    if state.foreign_deck is None or not state.pending or state.frontmatter_deck is not None:
        return
    key, deck, line = state.foreign_deck
    goes = ("the TARGET DECK lines of the note" if state.decks
            else f"the default deck {fallback!r}")
    state.report(FOREIGN_DECK_KEY, line,
                 f"frontmatter `{key}: {deck}` is the deck key of "
                 f"{FOREIGN_DECK_KEYS[key.lower()]}, which mkdeck does not read; its cards go to "
                 f"{goes}: write `target-deck: {deck}` (or a line "
                 f"`{state.syntax.target_deck}: {deck}`) to send them to {deck!r}.")


FRONTMATTER_INVALID = register(
    "MKD123", Severity.WARNING, "frontmatter is not valid YAML",
    fix="Fix the YAML between the --- lines; until then its tags and target-deck are not read.",
)


class _FrontmatterLoader(yaml.SafeLoader):
    """YAML for frontmatter: numbers and dates are read as written, since every value read
    from it is a name (``target-deck: 1.10`` is the deck "1.10", ``tags: 2024`` the tag)."""


for _tag in ("int", "float", "timestamp"):
    _FrontmatterLoader.add_constructor(f"tag:yaml.org,2002:{_tag}",
                                       _FrontmatterLoader.construct_yaml_str)


_FRONTMATTER_DECK_KEYS = ("target-deck", "target_deck", "target deck")
#: frontmatter deck keys of other tools: flashcards-obsidian's ``cards-deck``, the ``deck`` of
#: yanki and several sync scripts (reported, never read: their meaning is the other tool's)
FOREIGN_DECK_KEYS = {"cards-deck": "the Flashcards plugin (flashcards-obsidian)",
                     "deck": "yanki and other Anki sync tools"}

FOREIGN_DECK_KEY = register(
    "MKD150", Severity.WARNING, "deck key of another tool in the frontmatter",
    fix="Write the deck the Obsidian_to_Anki way, `TARGET DECK: Name` (a line of the note or of "
        "its frontmatter) or `target-deck: Name` in the frontmatter; mkdeck does not read the "
        "other tool's key, so the cards go to the default deck meanwhile.",
    bad="---\ncards-deck: Linux::Signals\n---\nSTART\nBasic\nq\nBack: a\nEND",
    good="---\ntarget-deck: Linux::Signals\n---\nSTART\nBasic\nq\nBack: a\nEND",
)
