"""The user's own note, tests/data/seed/li clone.md (byte-exact copy of the sacred input):
exactly one Basic note, default deck, tags code and linux, ID 1701613701250, Front the four
lines from `[[li clone]]` to `- flags (4)`, Back from `## [[li clone]]` to the last bullet
before `Tags:` (issue 2, "Done when")."""

from __future__ import annotations

import io
import json
from pathlib import Path

from mkdeck.cli import main
from mkdeck.app.load import load

SEED = Path(__file__).parent / "data" / "seed" / "li clone.md"


def seed_lines() -> list[str]:
    return SEED.read_bytes().decode("utf-8").split("\n")


def test_seed_parses_to_exactly_one_basic_note(make_vault) -> None:
    root = make_vault({"li clone.md": SEED.read_bytes()}, name="Linux")
    result = load([root])
    assert result.diagnostics == ()
    assert len(result.notes) == 1
    note = result.notes[0]
    lines = seed_lines()
    assert note.note_type.name == "Basic"
    assert note.kind == "block"
    assert note.deck == "Linux"  # the default deck: the vault folder's name
    assert note.tags == ("code", "linux")
    assert note.id == 1701613701250
    assert (note.location.path, note.location.line) == ("li clone.md", 17)
    assert lines[note.location.line - 1] == "START"
    assert lines[note.end_line - 1] == "END"
    assert lines[note.id_line - 1] == "<!--ID: 1701613701250-->"

    front = note.field("Front")
    start = lines.index("START")
    first = lines.index("[[li clone]]", start)
    last = lines.index("- flags (4)", start)
    assert front.markdown == "\n".join(lines[first:last + 1])
    assert front.markdown.split("\n") == ["[[li clone]]", "- concept",
                                          "- difference to [[li fork]]", "- flags (4)"]
    assert front.lines == (19, 20, 21, 22)

    back = note.field("Back")
    begin = lines.index("## [[li clone]]", start)
    tags_line = lines.index("Tags: code linux")
    end = max(i for i in range(begin, tags_line) if lines[i].startswith("- "))
    assert back.markdown == "\n".join(lines[begin:end + 1])
    assert back.lines == tuple(range(begin + 1, end + 2))
    assert back.markdown.endswith("performed by the [[li virtual memory]] management")


def test_seed_with_deck_option(make_vault) -> None:
    root = make_vault({"li clone.md": SEED.read_bytes()})
    assert load([root], deck="Linux::Syscalls").notes[0].deck == "Linux::Syscalls"


def test_seed_dump_json(make_vault) -> None:
    root = make_vault({"li clone.md": SEED.read_bytes()}, name="Linux")
    out, err = io.StringIO(), io.StringIO()
    status = main(["dump", str(root / "li clone.md")], stdout=out, stderr=err)
    assert status == 0, err.getvalue()
    data = json.loads(out.getvalue())
    [note] = data["notes"]
    assert note["source"] == {"path": "li clone.md", "line": 17}
    assert note["note_type"] == "Basic"
    assert note["deck"] == "Linux"
    assert note["tags"] == ["code", "linux"]
    assert note["id"] == 1701613701250
    assert note["fields"]["Front"].split("\n")[0] == "[[li clone]]"
    assert set(note["fields"]) == {"Front", "Back"}
    assert all(d["severity"] != "error" for d in data["diagnostics"])
