"""What the Obsidian_to_Anki plugin appends to a note's fields after converting them: the link
back to the file (``Add File Link``) and the heading breadcrumb (``Add Context``).

Plugin v3.6 (``src/format.ts`` ``format_note_with_url``, ``src/file.ts`` ``getContextAtIndex``,
``src/note.ts`` ``parse``; research §7.7, §7.8):

* file link: ``<br><a href="obsidian://open?vault=V&file=P" class="obsidian-link">Obsidian</a>``
  with ``V``, ``P`` the vault name and the note's vault-relative path, each URI-component
  encoded, appended to ``FILE_LINK_FIELDS[type]`` (a type without an entry gets nothing, as
  in the plugin; a data.json without the map gets each type's first field, as the plugin
  regenerates it);
* context: ``path > H1 > H2 …``, the headings above the note's first line that form a chain
  of strictly increasing level, appended with no separator to ``CONTEXT_FIELDS[type]``; a type
  without an entry there gets nothing (the plugin appends to ``fields[undefined]``).

Headings are ATX headings (``#`` to ``######`` and a space) outside code fences and the
frontmatter, as Obsidian's metadata cache lists them; the text is HTML-escaped (``&``, ``<``),
where the plugin appends it raw.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from urllib.parse import quote

from mkdeck.model import NoteType, PluginSettings

LOG = logging.getLogger(__name__)

_ATX_RE = re.compile(r" {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$")
_FENCE_RE = re.compile(r" {0,3}(`{3,}|~{3,})")


def headings(lines: Sequence[str], first: int = 0) -> list[tuple[int, int, str]]:
    """The ATX headings of a note: ``(1-based line, level, text)`` in file order.

    Args:
        lines: the note's lines (LF split).
        first: index of the first line after the frontmatter.
    """
    out: list[tuple[int, int, str]] = []
    fence: str | None = None
    for i in range(first, len(lines)):
        line = lines[i]
        m = _FENCE_RE.match(line)
        if fence is not None:
            if m and m.group(1)[0] == fence[0] and len(m.group(1)) >= len(fence) \
                    and not line.strip().strip(fence[0]):
                fence = None
            continue
        if m:
            fence = m.group(1)
            continue
        if "#" not in line[:4]:
            continue
        h = _ATX_RE.match(line)
        if h:
            out.append((i + 1, len(h.group(1)), (h.group(2) or "").strip()))
    return out


def breadcrumb(path: str, heads: Sequence[tuple[int, int, str]], line: int) -> str:
    """``path > H1 > H2 …`` for a note starting at ``line``: the plugin's context string."""
    chain: list[tuple[int, str]] = []
    for head_line, level, text in heads:
        if head_line > line:
            break
        while chain and chain[-1][0] >= level:
            chain.pop()
        chain.append((level, text))
    return " > ".join([path, *(text for _, text in chain)])


def _uri_component(text: str) -> str:
    """JavaScript's ``encodeURIComponent``."""
    return quote(text, safe="-_.!~*'()")


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;")


def context_suffixes(note_type: NoteType, path: str, line: int, plugin: PluginSettings | None,
                     vault_name: str,
                     heads: Sequence[tuple[int, int, str]]) -> dict[str, str]:
    """Field name -> the HTML the plugin appends to it, for a note of ``note_type`` at
    ``path``:``line``; empty without plugin settings or with both features off."""
    out: dict[str, str] = {}
    if plugin is None:
        return out
    if plugin.add_file_link:
        link_field = dict(plugin.file_link_fields).get(note_type.name)
        if link_field is not None and link_field in note_type.fields:
            url = (f"obsidian://open?vault={_uri_component(vault_name)}"
                   f"&file={_uri_component(path)}")
            out[link_field] = f'<br><a href="{url}" class="obsidian-link">Obsidian</a>'
    if plugin.add_context:
        field = dict(plugin.context_fields).get(note_type.name)
        if field is not None and field in note_type.fields:
            out[field] = out.get(field, "") + _escape(breadcrumb(path, heads, line))
    return out
