"""benchmarks/gen_vault.py writes the shape issue 2 describes, deterministically, and mkdeck
parses every card of it without a diagnostic."""

from __future__ import annotations

import re
import sys
from pathlib import Path

from mkdeck.app.load import load

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
import gen_vault


def snapshot(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*.md"))}


def test_same_seed_same_bytes_other_seed_other_bytes(tmp_path) -> None:
    a = snapshot(gen_vault.generate(tmp_path / "a", cards=250, seed=7))
    b = snapshot(gen_vault.generate(tmp_path / "b", cards=250, seed=7))
    c = snapshot(gen_vault.generate(tmp_path / "c", cards=250, seed=8))
    assert a == b
    assert a != c
    assert len(a) == 13  # 12 files of 20 cards and one of 10
    # regenerating smaller in the same folder leaves no stale notes
    assert len(snapshot(gen_vault.generate(tmp_path / "a", cards=40, seed=7))) == 2


def test_shape(tmp_path) -> None:
    cards = 2000
    root = gen_vault.generate(tmp_path / "v", cards=cards, seed=0)
    result = load([root])
    assert result.diagnostics == ()
    assert len(result.notes) == cards
    per_file: dict[str, int] = {}
    stems = {p.stem for p in root.rglob("*.md")}
    code = link = block = math = 0
    for note in result.notes:
        per_file[note.location.path] = per_file.get(note.location.path, 0) + 1
        front, back = note.fields[0].markdown, note.fields[1].markdown
        assert "\n" not in front
        bullets = [line for line in back.split("\n") if line.startswith("- ")]
        assert 2 <= len(bullets) <= 6
        code += "`" in front
        links = re.findall(r"\[\[([^\]]+)\]\]", front)
        assert all(target in stems for target in links)
        link += bool(links)
        if "```c" in back:
            block += 1
            body = back.split("```c\n", 1)[1].split("\n```", 1)[0].split("\n")
            assert 3 <= len(body) <= 8
        math += "$" in back
        assert note.deck.startswith("Bench::Topic ")
        assert note.tags[0] == "bench" and note.id is not None
    assert set(per_file.values()) == {20}
    # the proportions, within sampling error for 2000 cards
    assert abs(code / cards - 0.80) < 0.04
    assert abs(link / cards - 0.65) < 0.04
    assert abs(block / cards - 0.30) < 0.04
    assert abs(math / cards - 0.25) < 0.04
