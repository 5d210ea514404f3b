"""Rule ``deck``: a ``TARGET DECK`` line (the plugin's ``TARGET DECK: name``, or the name on
the next line); the nearest one above a card is its deck."""

from __future__ import annotations

import logging

from mkdeck.parse.state import EMPTY_DECK, ParseState, clean_deck

LOG = logging.getLogger(__name__)


def read_deck_line(state: ParseState, i: int, content: str, s: str,
                   in_block: list[str | None] | None) -> int:
    marker = state.syntax.target_deck
    consumed, value = state.directive_value(i, content, s, marker, "deck name")
    if not consumed:
        return 0
    deck = clean_deck(value or "")
    if not deck:
        state.report(EMPTY_DECK, i + 1,
                    f"{marker} at line {i + 1} names no deck: write `{marker}: Deck::Sub` "
                    f"(or the name on the next line); cards below it go to the default deck "
                    f"{state.fallback_deck()!r}.")
        deck = None
    if in_block is not None:
        in_block.append(deck)
    else:
        state.decks.append(deck)
        state.deck_lines.append(i + 1)
        state.blocked_lines.append((i + 1, i + consumed))
    return consumed


def deck_rule(state: ParseState, i: int, raw: str, depth: int, content: str, s: str) -> int:
    """A ``TARGET DECK`` line outside cards; returns the lines consumed (0: none)."""
    if not s.startswith(state.syntax.target_deck):
        return 0
    return read_deck_line(state, i, content, s, in_block=None)
