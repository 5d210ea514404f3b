"""Rule ``frontmatter``: the YAML frontmatter's ``tags`` and target deck (read as Obsidian
reads it: numbers and dates stay text). Returns the first line of the body."""

from __future__ import annotations

import logging

import yaml

from mkdeck.codes import register
from mkdeck.model import (
    Severity,
)
from mkdeck.parse.state import BAD_FILE_TAG, ParseState
from mkdeck.parse.tags import split_tags
from mkdeck.scan import (
    frontmatter_end,
)

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
    state.blocked_lines.append((1, end + 1))
    return end + 1


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
