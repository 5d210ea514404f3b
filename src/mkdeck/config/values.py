"""What the two config sources share: reading a config file through the vault reader, and the
checks of single values (deck names, sizes) that ``mkdeck.yaml`` and the plugin's
``data.json`` both need."""

from __future__ import annotations

import logging
import os
import re
from pathlib import Path
from typing import Any

import yaml

from mkdeck.vault import glob_problem
from mkdeck.vault.read import read_file

LOG = logging.getLogger(__name__)

UNREADABLE: Any = object()
"""What ``mkdeck.config._Reader.value`` gives for a node YAML cannot construct (already
reported)."""


CONFIG_LIMIT = 1024 * 1024
"""Bytes read at most from mkdeck.yaml or data.json."""


def read_config(root: Path, path: Path, explicit: bool = False) -> str:
    """A config file's text, read through :mod:`mkdeck.vault.read` (a regular file, opened
    without blocking, at most :data:`CONFIG_LIMIT` bytes; inside the vault unless it is the
    ``--config FILE`` the user named), UTF-8 with an optional BOM.

    Raises:
        OSError: the file cannot be read or is refused (:class:`~mkdeck.vault.read.Refused`).
        UnicodeDecodeError: the file is not UTF-8.
    """
    if explicit:
        real = os.path.realpath(path)
        data, _ = read_file(os.path.dirname(real), os.path.basename(real), CONFIG_LIMIT,
                            setting="(config files)")
    else:
        data, _ = read_file(root, path.relative_to(root).as_posix(), CONFIG_LIMIT,
                            setting="(config files)")
    return data.decode("utf-8-sig")


_SIZE_RE = re.compile(r"(\d+(?:\.\d+)?)\s*([kKmMgG]i?[bB]|[bB])?")
_SIZE_UNITS = {"": 1, "b": 1, "kb": 1000, "kib": 1024, "mb": 1000**2, "mib": 1024**2,
               "gb": 1000**3, "gib": 1024**3}
_MAX_SIZE = 1 << 40
SURROGATE_RE = re.compile("[\ud800-\udfff]")


def deck_problem(name: str) -> str | None:
    """Why ``name`` cannot be an Anki deck name, or ``None``: it needs a part that is not
    empty between its ``::`` separators, and no control characters (Anki's deck names are one
    line; U+001F separates fields in its database)."""
    if not any(part.strip() for part in name.split("::")):
        return "it has no name between its `::` separators"
    bad = next((c for c in name if ord(c) < 0x20 or ord(c) == 0x7F), None)
    if bad is not None:
        return f"it holds the control character U+{ord(bad):04X}"
    if SURROGATE_RE.search(name):
        return "it holds a lone surrogate, which is not valid Unicode"
    return None


def parse_size(text: str) -> int | None:
    """Bytes from ``"10485760"``, ``"10 MB"`` (10**6) or ``"512 KiB"`` (2**10), between 1 and
    1 TiB; ``None`` for anything else."""
    m = _SIZE_RE.fullmatch(text.strip())
    if not m:
        return None
    n = int(float(m.group(1)) * _SIZE_UNITS[(m.group(2) or "").lower()])
    return n if 0 < n <= _MAX_SIZE else None


# --- values of mkdeck.yaml, read with ``mkdeck.config._Reader`` (its ``string``, ``strings``,
# ``value`` and ``bad``: any reader with those four works) ---------------------------------

def read_deck(reader: Any, node: yaml.Node, what: str) -> str | None:
    """A deck name (see :func:`deck_problem`); a bad one is reported and ``None``."""
    name = reader.string(node, what)
    problem = deck_problem(name) if name is not None else None
    if problem is not None:
        reader.bad(node, f"{what} {name!r} is not a deck name: {problem}; it is ignored.")
    return None if problem else name


def read_size(reader: Any, node: yaml.Node, what: str) -> int | None:
    """A positive number of bytes (``10485760``, or with a unit: ``10 MB``, ``512 KiB``)."""
    value = reader.value(node)
    n = None if isinstance(value, (bool, list, dict)) else parse_size(str(value))
    if n is None and value is not UNREADABLE:
        reader.bad(node, f"{what} must be a number of bytes such as 10485760 or `10 MB` "
                         f"(got {value!r}); the default is used.")
    return n


def read_globs(reader: Any, node: yaml.Node) -> list[str]:
    """The ``ignore`` list; each glob is checked (:func:`mkdeck.vault.glob_problem`): a bad
    one is reported, and kept only when it is read literally."""
    values = reader.strings(node, "ignore") or []
    items = node.value if isinstance(node, yaml.SequenceNode) else [node] * len(values)
    for item, pattern in zip(items, values):
        problem = glob_problem(pattern)
        if problem is not None:
            keep = "it is read as written" if "literal" in problem else "it is ignored"
            reader.bad(item, f"ignore pattern {pattern!r}: {problem}; {keep}.")
    return [p for p in values if "literal" in (glob_problem(p) or "literal")]
