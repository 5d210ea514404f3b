"""Golden fixtures of the card grammar: ``tests/fixtures/parse/*.md`` hold many small cases each
(markdown-it-py's fixture format: title, ``.``, the note file's text, ``.``, what it parses to,
``.``), read by one helper; each case is a test named by its file and line.

What a case parses to is written one line per note and per finding (the file is ``n.md``, the
default deck ``Default``)::

    note LINE-END_LINE KIND TYPE deck=DECK id=ID@ID_LINE tags=(TAG, ...)
      FIELD (LINE, ...) 'MARKDOWN'
    !! CODE LINE

``python tests/test_parse_fixtures.py`` rewrites the expected parts from the inputs (review the
diff before committing)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from markdown_it.utils import read_fixture_file

from mkdeck.model import Config, NoteFile
from mkdeck.parse import parse_file

FIXTURES = Path(__file__).parent / "fixtures" / "parse"


def parse_dump(text: str) -> str:
    """The expected-output text of a case whose note file holds ``text``."""
    notes, diagnostics = parse_file(NoteFile("n.md", text), Config(deck="Default"))
    out = []
    for n in notes:
        ident = "-" if n.id is None else f"{n.id}@{n.id_line}"
        out.append(f"note {n.location.line}-{n.end_line} {n.kind} {n.note_type.name} "
                   f"deck={n.deck!r} id={ident} tags={tuple(n.tags)!r}")
        out.extend(f"  {f.name} {tuple(f.lines)!r} {f.markdown!r}" for f in n.fields)
    out.extend(f"!! {d.code} {d.location.line}" for d in diagnostics)
    return "\n".join(out) + "\n"


CASES = [
    pytest.param(path, line, title, text, expected, id=f"{path.name}:{line}")
    for path in sorted(FIXTURES.glob("*.md"))
    for line, title, text, expected in read_fixture_file(path)
]


@pytest.mark.parametrize("path, line, title, text, expected", CASES)
def test_parse_fixture(path: Path, line: int, title: str, text: str, expected: str) -> None:
    assert parse_dump(text) == expected, f"{path.name}:{line}: {title}"


def test_every_fixture_file_has_cases() -> None:
    files = sorted(FIXTURES.glob("*.md"))
    assert len(files) >= 3 and len(CASES) >= 12  # a glob that finds nothing must fail
    assert all(any(c.values[0] == p for c in CASES) for p in files)


def _rewrite(path: Path) -> None:
    """Rewrite every case's expected part of ``path`` from its input."""
    parts = []
    for _line, title, text, _expected in read_fixture_file(path):
        parts.append(f"{title}\n.\n{text}.\n{parse_dump(text)}.\n")
    path.write_text("\n".join(parts), encoding="utf-8")


if __name__ == "__main__":
    for fixture in sorted(FIXTURES.glob("*.md")) if len(sys.argv) < 2 else map(Path, sys.argv[1:]):
        _rewrite(fixture)
