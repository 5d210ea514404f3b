#!/usr/bin/env python3
"""Repair mojibake in a note with ftfy and prove that nothing else changed.

Usage: ``python scripts/repair_encoding.py SRC [DEST]``. Reads SRC as UTF-8, repairs text that
was encoded as UTF-8 and decoded as Windows-1252 (``forkâ€“exec`` -> ``fork–exec``) with
``ftfy.fix_encoding`` (ftfy's encoding repair only: no quote, width or normalisation changes),
writes DEST atomically (temp file in the same folder, then rename), and prints every changed
line as ``line N: old -> new``. Exits 1 when a change touches anything but mis-decoded
characters (line count, line endings or a final newline differ), so the repair can be trusted.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

import ftfy


def repair(data: bytes) -> tuple[bytes, list[tuple[int, bytes, bytes]]]:
    """Repair ``data`` (UTF-8 bytes).

    Returns:
        ``(repaired bytes, [(1-based line, old line bytes, new line bytes), ...])``.

    Raises:
        ValueError: when the repair changed the line structure (count, CR/LF, final newline).
    """
    text = data.decode("utf-8")
    fixed = ftfy.fix_encoding(text).encode("utf-8")
    old_lines, new_lines = data.split(b"\n"), fixed.split(b"\n")
    if len(old_lines) != len(new_lines) or data.count(b"\r") != fixed.count(b"\r"):
        raise ValueError("ftfy changed the line structure; refusing to write")
    changed = [
        (number, old, new)
        for number, (old, new) in enumerate(zip(old_lines, new_lines), start=1)
        if old != new
    ]
    return fixed, changed


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temp file in the same folder and a rename."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def main(argv: list[str]) -> int:
    """``SRC [DEST]`` (arguments without the program name); returns the exit status."""
    if not 1 <= len(argv) <= 2:
        print(__doc__, file=sys.stderr)
        return 2
    src = Path(argv[0])
    dest = Path(argv[1]) if len(argv) == 2 else src
    try:
        fixed, changed = repair(src.read_bytes())
    except ValueError as exc:
        print(f"{src}: {exc}", file=sys.stderr)
        return 1
    for number, old, new in changed:
        print(f"line {number}: {old.decode()!r} -> {new.decode()!r}")
    write_atomic(dest, fixed)
    print(f"{dest}: {len(changed)} line(s) repaired")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
