"""The dependency graph of a build: which vault files each note's output depends on.

A note's Anki content (its rendered fields, hence its digest in the sync state and its entry
in a render cache) depends on:

* its own file (the note's markdown, deck line, file tags);
* every note it embeds (``![[note#heading]]``, expanded offline, nested up to
  :data:`mkdeck.vault.embeds.MAX_EMBED_DEPTH` deep): the text under the heading is in its fields;
* every link target (``[[note]]``): whether the target exists decides the rendered text and,
  with ``links: obsidian``, its path is in the ``obsidian://`` URI; an unresolved target is
  recorded as ``"?<target>"`` so that creating the note is a change too;
* the bytes of every media file it uses.

This module is the one place that computes those edges. The sync state
(:mod:`mkdeck.export.state`) digests media bytes through :meth:`DependencyGraph.media_digest`;
an incremental build (issue 15) asks :meth:`DependencyGraph.dependents` which notes a changed
file touches. Edges through embeds and links are computed per note on first use (most builds
never ask), from the same :class:`~mkdeck.vault.links.VaultIndex` rules the renderer uses.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass

from mkdeck.model import ParseResult, RenderedNote
from mkdeck.scan import code_spans
from mkdeck.vault.embeds import expand_lines, field_lines
from mkdeck.vault import read as vault_read
from mkdeck.vault.links import VaultIndex, find_links

LOG = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class NoteDeps:
    """What one note's output depends on.

    Attributes:
        path: the note's own file (vault-relative POSIX path).
        embeds: vault files whose lines are embedded in its fields (transitively).
        links: resolved targets of its links and embeds (vault-relative paths; an embed
            whose heading or block is missing embeds nothing, yet depends on the target's
            headings), and ``"?<target>"`` for targets that resolve to nothing.
        media: vault-relative paths of the media files its fields use, in order of first use.
    """

    path: str
    embeds: frozenset[str]
    links: frozenset[str]
    media: tuple[str, ...]

    @property
    def files(self) -> frozenset[str]:
        """Every vault path the note depends on (own file, embeds, resolved links, media)."""
        return frozenset({self.path, *self.embeds, *self.media,
                          *(p for p in self.links if not p.startswith("?"))})


class DependencyGraph:
    """Notes of one build and the files their output depends on.

    Build it with :meth:`build`; notes are addressed by their index in ``rendered`` (vault
    order). Reading a media file for its digest happens at most once per path.
    """

    def __init__(self, result: ParseResult, rendered: Sequence[RenderedNote]) -> None:
        self._result = result
        self._rendered = tuple(rendered)
        self._root = result.vault.root
        self._index: VaultIndex | None = None
        self._deps: dict[int, NoteDeps] = {}
        self._media: dict[str, str | None] = {}

    @classmethod
    def build(cls, result: ParseResult, rendered: Sequence[RenderedNote]) -> DependencyGraph:
        """The graph of ``rendered`` (``render_notes(result)[0]``, same order).

        Args:
            result: the parse result the notes come from (its vault resolves links).
            rendered: the rendered notes.
        Returns:
            A :class:`DependencyGraph`; nothing is read from disk until asked.
        """
        return cls(result, rendered)

    def __len__(self) -> int:
        return len(self._rendered)

    def _vault_index(self) -> VaultIndex:
        if self._index is None:
            self._index = VaultIndex(self._result.vault)
        return self._index

    def deps(self, i: int) -> NoteDeps:
        """The dependencies of note ``i`` (computed once). Raises ``IndexError`` for a bad
        index."""
        done = self._deps.get(i)
        if done is not None:
            return done
        item = self._rendered[i]
        note = item.note
        embeds: set[str] = set()
        links: set[str] = set()
        index: VaultIndex | None = None
        for f in note.fields:
            if "[[" not in f.markdown and "](" not in f.markdown:
                continue
            index = index or self._vault_index()
            lines = field_lines(f)
            if "![[" in f.markdown:
                lines = expand_lines(lines, index)
            embeds.update(loc.path for _, loc in lines if loc.path != note.location.path)
            texts = [t for t, _ in lines]
            for (text, loc), spans in zip(lines, code_spans(texts), strict=True):
                for _m, link in find_links(text, spans):
                    if not link.target:
                        continue
                    res = index.resolve(link.target, loc.path)
                    if link.embed:
                        # a note's embed is a link too: when its heading or block is missing,
                        # nothing of the note is in the lines above, yet the placeholder and
                        # its MKD203 depend on the note's headings (media are in item.media)
                        if res.path is not None and res.path.endswith(".md"):
                            links.add(res.path)
                        continue
                    links.add(res.path if res.path is not None else "?" + link.target)
        deps = NoteDeps(note.location.path, frozenset(embeds), frozenset(links),
                        tuple(dict.fromkeys(m.path for m in item.media)))
        self._deps[i] = deps
        return deps

    def dependents(self, path: str) -> tuple[int, ...]:
        """Indexes of the notes whose output depends on vault file ``path`` (its own notes,
        the notes embedding or linking it, the notes using it as media), ascending."""
        return tuple(i for i in range(len(self._rendered)) if path in self.deps(i).files)

    def media_digest(self, path: str) -> str | None:
        """SHA-256 (hex) of the bytes of media file ``path`` (vault-relative), read once per
        build; ``None`` when it cannot be read (the exporter reports that as MKD306)."""
        if path in self._media:
            return self._media[path]
        digest: str | None
        try:  # through the vault reader: a regular file inside the vault, in chunks
            h = hashlib.sha256()
            for part in vault_read.iter_chunks(self._root, path):
                h.update(part)
            digest = h.hexdigest()
        except OSError as exc:  # Refused too (a link out, a FIFO, over the size limit)
            LOG.debug("media %s unreadable: %s", path, exc)
            digest = None
        self._media[path] = digest
        return digest
