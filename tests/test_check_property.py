"""Property: ``check`` never crashes and never points outside the file, whatever the notes say.

Vaults are built from mixes of the card grammar's tokens (markers, note types, fields, tags,
IDs, decks, links, embeds, media, fences, callouts, clozes, CRLF, trailing spaces, mojibake);
every stage runs (parse, render, export validation, identity, the MKD5xx rules). A crashed
rule would show as MKD001; every finding must name a file of the vault (or the vault / its
config) and a line that exists in it.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mkdeck.app.check import check_paths

TOKENS = [
    "START", "END", "START  ", "END> %%", "ENDgame", "STARTI [Basic] q Back: a ENDI",
    "STARTI [Cloze] {{c1::x}} ENDI", "Basic", "BASIC ", "Cloze", "Basic (and reversed card)",
    "{Note Type}", "MCQ", "Front: f", "Back:", "Back: b", "Text: t", "Extra: e",
    "Back Extra: x", "Tags: a b/c", "Tags:", "Tags: [[Truth tables]]", "<!--ID: 1701613701250-->",
    "<!--ID: 17016137O1250-->", "ID: 1701613701251", "TARGET DECK: A::B", "TARGET DECK",
    "TARGET DECK:", "FILE TAGS: x y", "FROZEN - Basic:", "DELETE", "{{c1::hidden}}",
    "{{c2::a::hint}}", "[[other]]", "[[other#Head]]", "[[other#^blk]]", "![[other]]",
    "![[other#Head]]", "![[self]]", "![[pic.png]]", "![[pic.png|300]]", "![](../../out.png)",
    "![[missing.png]]", "[[li forkâ€“exec]]", "forkâ€“exec", "```", "```anki", "```c",
    "~~~", "> [!note] Title", "> START", "> Basic", "> END", "%%", "%% START", "---",
    "tags: [x, y]", "# Head", "## Head", "- item", "1. item", "$x^2$", "$$", "\\$5",
    "`[[no]]`", "| a | b |", "\ufeff", "\x1f", "\x00", "", "", "", "text", "more text",
]

line = (st.lists(st.sampled_from(TOKENS), min_size=0, max_size=3).map(" ".join)
        | st.sampled_from(TOKENS))
# well-formed blocks too, so notes reach rendering, export validation and identity
block = st.tuples(st.sampled_from(["Basic", "Cloze", "Basic (and reversed card)", "basic"]),
                  st.lists(line, min_size=0, max_size=6)).map(
    lambda t: "\n".join(["START", t[0], *t[1], "END"]))
body = st.lists(line | block, min_size=0, max_size=25)
newline = st.sampled_from(["\n", "\n", "\n", "\r\n", "\r"])


@settings(max_examples=int(os.environ.get("MKDECK_PROPERTY_EXAMPLES", "60")), deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(files=st.lists(st.tuples(body, newline), min_size=1, max_size=3), select_one=st.booleans())
def test_check_never_crashes_and_locates_every_finding(files, select_one) -> None:
    root = Path(tempfile.mkdtemp(prefix="mkdeck-prop-"))
    try:
        (root / ".obsidian").mkdir()
        (root / "pic.png").write_bytes(b"\x89PNG\r\n\x1a\n")
        (root / "other.md").write_text("# Head\n\ntext ^blk\n", encoding="utf-8")
        texts = {}
        for i, (lines, nl) in enumerate(files):
            name = "self.md" if i == 0 else f"n{i}.md"
            data = nl.join(lines)
            (root / name).write_bytes(data.encode("utf-8", "surrogatepass"))
            texts[name] = data
        paths = [root / "self.md"] if select_one else [root]
        result = check_paths(paths)
        for d in result.diagnostics:
            assert d.code != "MKD001", d
            path = d.location.path
            if path in (".", "mkdeck.yaml"):
                continue
            assert path in texts or path == "other.md", d
            if path in texts:
                normalized = texts[path].replace("\r\n", "\n").replace("\r", "\n")
                assert 0 <= d.location.line <= normalized.count("\n") + 1, d
            if select_one:
                assert path == "self.md", d
    finally:
        shutil.rmtree(root)
