"""The issue's "done when" cases through the public interface: ``mkdeck dump`` JSON (``html``,
``media``, render diagnostics at the line where the link is written)."""

from __future__ import annotations

import io
import json
from pathlib import Path

from mkdeck.cli import main

SEED = Path(__file__).parent / "data" / "seed" / "li clone.md"

LI_FORK = """# li fork

## [[li fork|fork]]
- [[linux]] [[li syscall]] for creating a new process by duplicating the calling process
- `fork()` returns the child's pid in the parent and 0 in the child

## see also
- [[li clone]]
"""

CARD = """TARGET DECK: Linux

START
Basic
What does fork do?
Back: ![[li fork#li fork fork]]
![[diagram.png|300]]
Tags: linux
END
"""


def dump(path: Path) -> dict:
    out, err = io.StringIO(), io.StringIO()
    status = main(["dump", str(path)], stdout=out, stderr=err)
    assert status in (0, 1), err.getvalue()
    return json.loads(out.getvalue())


def test_li_fork_embed_through_dump(make_vault) -> None:
    root = make_vault({"li fork.md": LI_FORK, "cards/fork.md": CARD,
                       "attachments/diagram.png": b"\x89PNG\r\n\x1a\n"})
    doc = dump(root)
    (note,) = doc["notes"]
    assert note["html"]["Front"] == "What does fork do?"
    assert note["html"]["Back"] == (
        "<h2>fork</h2>\n<ul>\n<li>linux li syscall for creating a new process by duplicating "
        "the calling process</li>\n<li><code>fork()</code> returns the child's pid in the "
        "parent and 0 in the child</li>\n</ul>\n"
        '<p><img src="diagram.png" width="300"></p>')
    assert note["media"] == [{"name": "diagram.png", "path": "attachments/diagram.png"}]
    render = [d for d in doc["diagnostics"] if d["code"].startswith("MKD2")]
    # the unresolved links of the embedded section are reported in li fork.md, where written
    assert sorted((d["path"], d["line"], d["code"]) for d in render) == [
        ("li fork.md", 4, "MKD201"), ("li fork.md", 4, "MKD201")]
    assert {d["message"].split("'")[1] for d in render} == {"linux", "li syscall"}


def test_seed_through_dump(make_vault) -> None:
    root = make_vault({"li clone.md": SEED.read_bytes()})
    doc = dump(root)
    (note,) = doc["notes"]
    assert note["source"] == {"path": "li clone.md", "line": 17}
    back = note["html"]["Back"]
    assert "shared between the parent and child processes</li>" in back
    assert "li process|processes" not in back
    moji = [d for d in doc["diagnostics"] if "fork–exec" in d["message"]]
    assert [(d["path"], d["line"], d["code"], d["severity"]) for d in moji] == [
        ("li clone.md", 40, "MKD201", "warning")]
    assert "ftfy repairs it to 'li fork–exec'" in moji[0]["message"]
