"""The regex note styles of the Obsidian_to_Anki plugin's wiki, as data.

``mkdeck.yaml`` names them (``regex_styles: [question-answer, cloze-paragraph]``) instead of
pasting their regexes; a ``data.json`` that holds one of these regexes in ``CUSTOM_REGEXPS`` is
recognised by it (so findings can name the style).

Each regex is the one the wiki's style page gives for the plugin (JavaScript syntax, compiled
by the plugin with the ``gm`` flags; research/obsidian-to-anki-syntax.md §5.2). They are
patterns, i.e. facts about the plugin's input format, written out here from the wiki's pages:
``Regex.md`` and the pages it lists (wiki mirror ``ShootingKing-AM/Obsidian_to_Anki_wiki``).
"""

from __future__ import annotations

from dataclasses import dataclass

# A paragraph's next line: 1-3 characters, or 4+ not starting with "<!--" (an ID comment ends
# the paragraph). The wiki recommends it for every paragraph style.
_PARA = r"(?:\n(?:^.{1,3}$|^.{4}(?<!<!--).*))"


@dataclass(frozen=True, slots=True)
class WikiStyle:
    """One style of the wiki.

    Attributes:
        name: the name ``regex_styles:`` uses (``"question-answer"``).
        title: the wiki page's title.
        note_type: the note type the wiki puts the regex on.
        pattern: the regex, JavaScript syntax.
        needs: a ``mkdeck.yaml`` switch the style needs to make notes (``"curly_cloze"``,
            ``"highlight_cloze"``), or ``""``.
        example: a small input in the style (for docs and tests).
    """

    name: str
    title: str
    note_type: str
    pattern: str
    needs: str = ""
    example: str = ""


def _header(level: int) -> str:
    hashes = "#+" if level <= 1 else f"#{{{level},}}"
    return hashes + r"(.+)\n*((?:\n(?:^[^\n#].{0,2}$|^[^\n#].{3}(?<!<!--).*))+)"


STYLES: tuple[WikiStyle, ...] = (
    WikiStyle("remnote", "RemNote single-line style", "Basic",
              r"^(.*[^\n:]{1}):{2}([^\n:]{1}.*)",
              example="Capital of Peru::Lima"),
    WikiStyle("header-paragraph", "Header paragraph style", "Basic", "^" + _header(1),
              example="## Osmosis\nWater moves across a membrane."),
    *(WikiStyle(f"header-paragraph-{n}", f"Subheader paragraph style ({n} or more #)",
                "Basic", "^" + _header(n), example=f"{'#' * n} Osmosis\nWater moves.")
      for n in range(2, 7)),
    WikiStyle("question-answer", "Question answer style", "Basic",
              r"^Q: ((?:.+\n)*)\n*A: (.+" + _PARA + "*)",
              example="Q: Boiling point of water?\nA: 100 °C"),
    WikiStyle("neuracache", "Neuracache flashcard style", "Basic",
              r"((?:[^\n][\n]?)+) #flashcard ?\n*(" + _PARA + "+)",
              example="Why is the sky blue? #flashcard\nRayleigh scattering."),
    WikiStyle("ruled", "Ruled style", "Basic",
              r"((?:[^\n][\n]?)+\n)-{3,}(" + _PARA + "*)",
              example="Front of the card\n---\nBack of the card"),
    WikiStyle("markdown-table", "Markdown table style", "Basic",
              r"\|([^\n|]+)\|\n\|(?:[^\n|]+)\|\n\|([^\n|]+)\|\n?",
              example="| Front |\n| --- |\n| Back |"),
    WikiStyle("cloze-paragraph", "Cloze paragraph style", "Cloze",
              r"((?:.+\n)*(?:.*{.*)" + _PARA + "*)", needs="curly_cloze",
              example="The {mitochondrion} makes {2:ATP}."),
    WikiStyle("highlight-cloze", "Highlight cloze paragraph style", "Cloze",
              r"((?:.+\n)*(?:.*==.*)" + _PARA + "*)", needs="highlight_cloze",
              example="The ==mitochondrion== makes ATP."),
    WikiStyle("callout-qa", "Callout question-answer style (community)", "Basic",
              r"^> \[!qa\] (.+)\n> (.+" + _PARA + "*)",
              example="> [!qa] Capital of Peru?\n> Lima"),
)

BY_NAME: dict[str, WikiStyle] = {s.name: s for s in STYLES}
BY_PATTERN: dict[str, WikiStyle] = {}
for _style in STYLES:
    BY_PATTERN.setdefault(_style.pattern, _style)
# the wiki's older Neuracache regex (no optional space before the newline)
BY_PATTERN.setdefault(r"((?:[^\n][\n]?)+) #flashcard\n*(" + _PARA + "+)", BY_NAME["neuracache"])


def style_names() -> list[str]:
    """Every style name ``regex_styles:`` accepts, in wiki order."""
    return [s.name for s in STYLES]
