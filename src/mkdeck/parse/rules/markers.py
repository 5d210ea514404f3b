"""Custom markers: lines such as ``%%START`` … ``END%%`` that look like the card markers with
punctuation glued to them. When an ``END%%`` closes no card, the finding names the ``syntax``
setting that would read these markers (the plugin's "Begin Note"/"End Note" settings)."""

from __future__ import annotations

import logging

from mkdeck.parse.state import ParseState

LOG = logging.getLogger(__name__)


def marker_like(line: str, marker: str) -> bool:
    """``True`` when ``line`` is ``marker`` with only punctuation glued to it (``%%START``,
    ``END%%``, ``<!--START-->``): a custom marker, not prose that mentions the word."""
    if marker not in line or len(line) > len(marker) + 8:
        return False
    rest = line.replace(marker, "", 1)
    return bool(rest) and not any(c.isalnum() or c.isspace() for c in rest)


def _yaml_str(text: str) -> str:
    """``text`` as a YAML flow scalar (quoted when it holds YAML's special characters)."""
    return f"'{text}'" if any(c in text for c in "%:#{}[],&*!|>'\"@`") else text


def note_start_like(state: ParseState, s: str) -> None:
    """Remember a line like ``%%START`` (for the hint of an END that closes no card)."""
    start = state.syntax.start
    if start in s and s != start and marker_like(s, start):
        state.start_like = s


def marker_hint(state: ParseState, end_line: str) -> str:
    """For an END that closes no card: the ``syntax`` setting that would read the markers this
    file seems to use (``%%START`` … ``END%%``), or ``""``."""
    syntax = state.syntax
    start = state.start_like
    end = end_line if end_line != syntax.end and marker_like(end_line, syntax.end) else None
    if start is None and end is None:
        return ""
    parts = []
    if start is not None:
        parts.append(f"start: {_yaml_str(start)}")
    parts.append(f"end: {_yaml_str(end or syntax.end)}")
    shown = f"`{start}` … `{end or syntax.end}`" if start else f"`{end}`"
    return (f"; if this file's cards are written {shown}, set `syntax: "
            f"{{{', '.join(parts)}}}` in mkdeck.yaml (the plugin's custom markers)")
