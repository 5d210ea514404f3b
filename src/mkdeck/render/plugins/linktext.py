"""What a wikilink shows on the card.

Obsidian shows ``[[target#heading|alias]]`` as ``alias``, else ``target > heading``, else
``target`` (:attr:`~mkdeck.links.LinkTarget.display`). On top of that, for a link written
without ``|alias``:

- a target that is not found and that ftfy repairs (mojibake: ``[[li forkâ€“exec]]`` written
  for the note ``li fork–exec``) shows the repaired name, the text its author typed; the link
  keeps its warning (MKD201 names the repair and whether it resolves), so the source gets
  fixed;
- ``link_text: alias`` shows the target note's first frontmatter alias (``aliases:`` or
  ``alias:``), when it has one;
- ``link_prefix: ["li "]`` removes a naming prefix from the start of the shown note name, so
  "the li clone syscall" reads "the clone syscall" (the first prefix that matches; a name that
  is only the prefix is kept).

An explicit ``|alias`` always wins. Public API: :func:`link_text`, :func:`first_alias`.
"""

from __future__ import annotations

import functools
import logging

import yaml

from mkdeck.vault.links import LinkTarget, Resolution, VaultIndex
from mkdeck.model import Config

LOG = logging.getLogger(__name__)


@functools.lru_cache(maxsize=4096)
def _repaired(text: str) -> str:
    import ftfy  # here: only an unresolved link needs it (45 ms of every build's imports)

    return ftfy.fix_text(text)


def repaired_target(link: LinkTarget, res: Resolution) -> str | None:
    """The ftfy-repaired target of an unresolved link whose text is mojibake, else ``None``."""
    if res.path is not None or res.outside or not link.target:
        return None
    fixed = _repaired(link.target)
    return None if fixed == link.target else fixed


@functools.lru_cache(maxsize=4096)
def _aliases(text: str) -> tuple[str, ...]:
    lines = text.split("\n")
    if not lines or lines[0].rstrip() != "---":
        return ()
    for end in range(1, len(lines)):
        if lines[end].rstrip() in ("---", "..."):
            break
    else:
        return ()
    try:
        data = yaml.safe_load("\n".join(lines[1:end]))
    except (yaml.YAMLError, ValueError, TypeError, RecursionError):
        return ()  # reported by the parser when the note has cards
    if not isinstance(data, dict):
        return ()
    value = data.get("aliases", data.get("alias"))
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list):
        return ()
    return tuple(str(v).strip() for v in value
                 if isinstance(v, (str, int, float)) and str(v).strip())


def first_alias(index: VaultIndex, path: str) -> str | None:
    """The first frontmatter alias of note ``path`` (``aliases: [a, b]``, ``aliases: a`` or
    ``alias: a``), or ``None``."""
    if index.note(path) is None:
        return None
    found = _aliases(_front_matter(index.text(path)))
    return found[0] if found else None


def _front_matter(text: str) -> str:
    """``text`` up to the end of its front matter's closing line (``---`` or ``...``), or
    ``""`` without front matter: all :func:`_aliases` reads, and all its cache keeps."""
    end = text.find("\n")
    if end < 0 or text[:end].rstrip() != "---":
        return ""
    while end >= 0:
        start = end + 1
        end = text.find("\n", start)
        line = text[start:] if end < 0 else text[start:end]
        if line.rstrip() in ("---", "..."):
            return text if end < 0 else text[:end]
    return ""


def _strip_prefix(name: str, prefixes: tuple[str, ...]) -> str:
    for prefix in prefixes:
        if name.startswith(prefix) and name[len(prefix):].strip():
            return name[len(prefix):]
    return name


def link_text(index: VaultIndex, link: LinkTarget, res: Resolution, from_path: str,
              config: Config) -> str:
    """The text a wikilink shows on the card (plain text, not yet HTML-escaped).

    Args:
        index: the vault's link index.
        link: the parsed link.
        res: ``index.resolve(link.target, from_path)``.
        from_path: the note the link is written in.
        config: ``link_text`` and ``link_prefix``.
    """
    if link.alias is not None and link.alias.strip():
        return link.alias.strip()
    target = link.target
    fixed = repaired_target(link, res)
    path = res.path
    if fixed is not None:
        target = fixed
        path = index.resolve(fixed, from_path).path
    if config.link_text == "alias" and path is not None and target and not link.subpath:
        alias = first_alias(index, path)
        if alias:
            return alias
    if target and config.link_prefix:
        folder, sep, name = target.rpartition("/")
        target = folder + sep + _strip_prefix(name, config.link_prefix)
    shown = LinkTarget(link.raw, target, link.subpath, None, link.embed)
    return shown.display
