"""The dependency graph: what each note's output depends on (own file, embeds, link targets,
media), the one place the sync state and incremental builds read it from."""

from __future__ import annotations

import hashlib

from mkdeck.app.load import load
from mkdeck.render import render_notes
from mkdeck.vault.graph import DependencyGraph, NoteDeps


def test_deps_and_dependents(make_vault):
    vault = make_vault({
        "card.md": "START\nBasic\nq [[li fork]] and [[nowhere]]\nBack: ![[li fork#Returns]]\n"
                   "![[pic.png]]\n`[[in code]]`\nEND\n\n"
                   "START\nBasic\nplain\nBack: b\nEND\n",
        "li fork.md": "# li fork\n\n## Returns\n![[deep#Part]]\n",
        "deep.md": "# Part\ndeep text [[other]]\n",
        "other.md": "x\n",
        "pic.png": b"\x89PNG bytes",
    })
    result = load([vault])
    rendered, _ = render_notes(result)
    graph = DependencyGraph.build(result, rendered)
    assert len(graph) == 2
    first = graph.deps(0)
    assert first == NoteDeps(
        path="card.md", embeds=frozenset({"li fork.md", "deep.md"}),
        links=frozenset({"li fork.md", "?nowhere", "other.md"}), media=("pic.png",))
    assert first.files == {"card.md", "li fork.md", "deep.md", "other.md", "pic.png"}
    assert graph.deps(1) == NoteDeps("card.md", frozenset(), frozenset(), ())
    assert graph.dependents("deep.md") == (0,)
    assert graph.dependents("card.md") == (0, 1)
    assert graph.dependents("other.md") == (0,)
    assert graph.media_digest("pic.png") == hashlib.sha256(b"\x89PNG bytes").hexdigest()
    assert graph.media_digest("missing.png") is None
