"""mkdeck: turn an Obsidian vault of Obsidian_to_Anki notes into Anki decks, and prove what
the cards claim."""

from __future__ import annotations

__version__ = "0.1.0"
