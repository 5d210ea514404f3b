"""What one configuration source says (``mkdeck.yaml`` or the plugin's ``data.json``), before
the sources are merged into a :class:`~mkdeck.model.Config` (:func:`mkdeck.config.load_config`)."""

from __future__ import annotations

from dataclasses import dataclass, field

from mkdeck.model import FolderRule, NoteType, PluginSettings, RegexStyle


@dataclass
class Partial:
    """Settings one source gives (``None``/empty: the source says nothing)."""

    deck: str | None = None
    note_types: dict[str, NoteType] = field(default_factory=dict)
    syntax: dict[str, str] = field(default_factory=dict)
    folders: dict[str, FolderRule] = field(default_factory=dict)
    links: str | None = None
    curly_cloze: bool | None = None
    highlight_cloze: bool | None = None
    inline_tags: bool | None = None
    ignore: list[str] = field(default_factory=list)
    regex_styles: list[RegexStyle] | None = None
    scan_directory: str | None = None
    tags: list[str] | None = None
    plugin: PluginSettings | None = None
    choices: dict[str, str] = field(default_factory=dict)
    link_prefix: list[str] | None = None
    spaced_repetition: bool | None = None
    max_note_size: int | None = None
    max_media_size: int | None = None
