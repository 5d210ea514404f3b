"""A vault's configuration: ``mkdeck.yaml`` (or ``--config FILE``), filled in from the
Obsidian_to_Anki plugin's ``.obsidian/plugins/obsidian-to-anki-plugin/data.json``.

``mkdeck.yaml`` (every key optional)::

    deck: Linux                 # default deck (else data.json's Defaults.Deck, else vault name)
    note_types:
      FIT-Card: {fields: [Front, Back], base: Basic}
    syntax: {start: START_CARD, end: END_CARD, target_deck: TARGET_DECK}
    folders:
      "Linux/Processes": {deck: "Linux::Processes", tags: [linux, processes]}
    links: text                 # or obsidian
    html: sanitize              # or raw: the notes' raw HTML as written (scripts included)
    link_text: name             # or alias: a link shows the target note's first alias
    link_prefix: ["li "]        # removed from the start of shown note names
    deck_from: config           # or folders: Parent::Child decks from the folder path
    note_link: none             # or back: an obsidian:// link to the note under the back
    spaced_repetition: false    # also read obsidian-spaced-repetition cards (::, ?, …)
    curly_cloze: false
    highlight_cloze: false
    inline_tags: false
    ignore: ["templates/**"]
    regex_styles:               # regex note styles, run in this order (replaces CUSTOM_REGEXPS)
      - question-answer         # a style of the plugin's wiki, on its note type
      - {style: ruled, note_type: "Basic (and reversed card)"}
      - {regex: '^(.+) => (.+)$', note_type: Basic}  # your own (JavaScript syntax)
    scan_directory: Cards       # only notes under this folder give cards ("" = whole vault)
    tags: [Obsidian_to_Anki]    # tags every note gets (the plugin's Defaults.Tag)

Precedence: ``--deck`` > ``mkdeck.yaml`` > ``data.json`` > defaults. Unknown keys and bad
values are warnings at the key's line (PyYAML node marks); a YAML syntax error is an error and
the file is then ignored. ``data.json`` gives the markers (``settings.Syntax``), note types'
field lists (``fields_dict``), ``FOLDER_DECKS``/``FOLDER_TAGS``, ``Defaults.Deck``, the cloze
and tag toggles, ``IGNORED_FILE_GLOBS``, ``CUSTOM_REGEXPS`` (regex note styles),
``Defaults."Scan Directory"``, ``Add Context``/``CONTEXT_FIELDS``, ``Add File Link``/
``FILE_LINK_FIELDS`` and ``ID Comments``. ``Defaults.Tag`` is kept (:class:`PluginSettings`)
but not added: mkdeck adds no tags of its own (``mkdeck check`` says so, once). Any other
setting, and any setting whose value mkdeck cannot honour (``Scheduling Interval``), is a
finding that names it.

Note types: :mod:`~mkdeck.config.notetypes` (Anki's stock types and the lookup of a note-type
line), with the localized-name tables in :mod:`~mkdeck.config.localized`; the plugin's
``data.json``: :mod:`~mkdeck.config.plugin`; the wiki's regex styles:
:mod:`~mkdeck.config.wiki_styles`.
"""

from __future__ import annotations

import logging
import os
import re
from pathlib import Path
from typing import Any

import yaml

from mkdeck.codes import register
from mkdeck.config.notetypes import STOCK_FIELDS, NoteTypeIndex, name_key
from mkdeck.config.partial import Partial
from mkdeck.config.plugin import PLUGIN_DATA, check_scan_directory, parse_plugin_data
from mkdeck.config.values import UNREADABLE as _UNREADABLE
from mkdeck.config.values import read_config, read_deck, read_globs, read_size
from mkdeck.config.wiki_styles import BY_NAME as WIKI_STYLES
from mkdeck.config.wiki_styles import style_names
from mkdeck.model import (
    Config,
    Diagnostic,
    FolderRule,
    NoteType,
    RegexStyle,
    Severity,
    SourceLocation,
    Syntax,
)
from mkdeck.parse.tags import split_tags
from mkdeck.vault import VaultError
from mkdeck.vault.read import DEFAULT_MEDIA_LIMIT, DEFAULT_NOTE_LIMIT, Refused, lone_surrogate

LOG = logging.getLogger(__name__)

CONFIG_NAME = "mkdeck.yaml"

CONFIG_SYNTAX = register(
    "MKD020", Severity.ERROR, "config file is not valid YAML",
    fix="Fix the YAML syntax at the line named (a `key: value` mapping); until then the file "
        "is ignored.",
    bad="note_types:\n  FIT-Card: {fields: [Front, Back]", good="note_types:\n  FIT-Card: {fields: [Front, Back]}",
)
CONFIG_UNKNOWN_KEY = register(
    "MKD021", Severity.WARNING, "unknown config key",
    fix="Remove the key or correct its spelling; the message lists the keys mkdeck reads.",
    bad="decks: Linux", good="deck: Linux",
)
CONFIG_BAD_VALUE = register(
    "MKD022", Severity.WARNING, "bad config value",
    fix="Give the key a value of the type the message names; the bad value is ignored.",
    bad="curly_cloze: maybe", good="curly_cloze: true",
)
CONFIG_DUPLICATE_KEY = register(
    "MKD025", Severity.WARNING, "duplicate config key",
    fix="Keep one of the two keys: YAML keeps only the last one.",
)
_TOP_KEYS = ("deck", "note_types", "syntax", "folders", "links", "curly_cloze",
             "highlight_cloze", "inline_tags", "ignore", "regex_styles", "scan_directory",
             "tags", "html", "link_text", "link_prefix", "deck_from", "note_link",
             "spaced_repetition", "max_note_size", "max_media_size")
#: the keys that choose one of a few words, and their words (the first is the default)
_CHOICES = {"html": ("sanitize", "raw"), "link_text": ("name", "alias"),
            "deck_from": ("config", "folders"), "note_link": ("none", "back")}
_SYNTAX_KEYS = ("start", "end", "start_inline", "end_inline", "target_deck", "file_tags",
                "delete", "frozen")
_STOCK_BASES = tuple(STOCK_FIELDS)


def load_config(root: Path, config_file: str | Path | None = None,
                deck: str | None = None) -> tuple[Config, list[Diagnostic]]:
    """The merged :class:`~mkdeck.model.Config` of the vault at ``root``.

    Args:
        root: the vault root (absolute).
        config_file: ``--config FILE``, read instead of ``<root>/mkdeck.yaml``.
        deck: ``--deck NAME``, the default deck above every config.

    Returns:
        ``(config, diagnostics)``.

    Raises:
        VaultError: when ``config_file`` is given but missing or unreadable, or ``deck`` is
            not a one-line name (``--deck ''`` silently meant the vault's name).
    """
    if deck is not None and (not deck.strip(" \t:") or "\n" in deck or "\r" in deck
                             or lone_surrogate(deck) is not None):
        raise VaultError(f"--deck {deck!r} is not a deck name: give one such as "
                         f"--deck 'Linux::Syscalls', or leave --deck out")
    diagnostics: list[Diagnostic] = []
    yaml_path: Path | None
    if config_file is not None:
        yaml_path = Path(config_file).expanduser()
        if not yaml_path.exists():
            raise VaultError(f"{config_file}: no such config file")
    else:
        yaml_path = root / CONFIG_NAME
        if not os.path.lexists(yaml_path):
            yaml_path = None
    from_yaml = Partial()
    source: str | None = None
    if yaml_path is not None:
        source = _display_path(yaml_path, root)
        try:
            text = read_config(root, yaml_path, explicit=config_file is not None)
        except (OSError, UnicodeDecodeError) as exc:
            why = exc.message if isinstance(exc, Refused) else str(exc)
            if config_file is not None:
                raise VaultError(f"{config_file}: {why}") from None
            diagnostics.append(CONFIG_SYNTAX.at(
                SourceLocation(source, 0), f"{source} cannot be read ({why}); it is ignored."))
        else:
            from_yaml = parse_config_yaml(text, source, diagnostics)
    data_path = root / PLUGIN_DATA
    from_plugin = Partial()
    if os.path.lexists(data_path):
        from_plugin = parse_plugin_data(data_path, PLUGIN_DATA, diagnostics, root=root)
        if source is None:
            source = PLUGIN_DATA
    config = _merge(from_yaml, from_plugin, deck, root, source)
    if config.scan_directory:
        config = check_scan_directory(config, root, from_yaml, from_plugin, diagnostics)
    return config, diagnostics


def _display_path(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root).as_posix()
    except ValueError:
        return str(path)


def _merge(primary: Partial, plugin: Partial, deck: str | None, root: Path,
           source: str | None) -> Config:
    note_types = dict(plugin.note_types)
    note_types.update(primary.note_types)
    syntax = dict(plugin.syntax)
    syntax.update(primary.syntax)
    folders = dict(plugin.folders)
    for key, rule in primary.folders.items():
        fill = folders.get(key)
        if fill is not None:
            rule = FolderRule(key, rule.deck or fill.deck, rule.tags or fill.tags)
        folders[key] = rule
    ignore = list(dict.fromkeys([*primary.ignore, *plugin.ignore]))

    def pick(name: str, default: Any) -> Any:
        value = getattr(primary, name)
        if value is None:
            value = getattr(plugin, name)
        return default if value is None else value

    return Config(
        deck=deck or primary.deck or plugin.deck or root.name or "Default",
        note_types=tuple(note_types.values()),
        syntax=Syntax(**syntax),
        folders=tuple(sorted(folders.values(), key=lambda r: r.folder)),
        links=pick("links", "text"),
        curly_cloze=pick("curly_cloze", False),
        highlight_cloze=pick("highlight_cloze", False),
        inline_tags=pick("inline_tags", False),
        ignore=tuple(ignore),
        vault_name=root.name,
        source=source,
        regex_styles=tuple(primary.regex_styles if primary.regex_styles is not None
                           else plugin.regex_styles or ()),
        scan_directory=pick("scan_directory", ""),
        tags=tuple(primary.tags or ()),
        plugin=plugin.plugin,
        link_prefix=tuple(primary.link_prefix or ()),
        spaced_repetition=bool(primary.spaced_repetition),
        **{k: primary.choices.get(k, words[0]) for k, words in _CHOICES.items()},
        max_note_size=primary.max_note_size or DEFAULT_NOTE_LIMIT,
        max_media_size=primary.max_media_size or DEFAULT_MEDIA_LIMIT,
    )


# --- mkdeck.yaml ------------------------------------------------------------------------


_AS_WRITTEN_TAGS = frozenset(
    f"tag:yaml.org,2002:{t}" for t in ("int", "float", "timestamp")
)


def _numbers_as_written(root: yaml.Node) -> None:
    """Read numbers and dates as the text written: every value mkdeck.yaml holds is a name
    (``deck: 1.10`` is the deck "1.10", not 1.1; ``tags: [2024-01-01]`` a tag, not a date)."""
    seen: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:  # anchors and aliases share nodes, and may form cycles
            continue
        seen.add(id(node))
        if isinstance(node, yaml.ScalarNode):
            if node.tag in _AS_WRITTEN_TAGS:
                node.tag = "tag:yaml.org,2002:str"
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
        elif isinstance(node, yaml.MappingNode):
            stack.extend(n for pair in node.value for n in pair)


_LINE_END = re.compile(r"\r\n|\r|\n")
def mark_line(text: str, mark: yaml.Mark) -> int:
    """The 1-based file line of a PyYAML mark.

    PyYAML also breaks lines at NEL, LINE SEPARATOR and PARAGRAPH SEPARATOR (YAML 1.1 §5.4),
    so ``mark.line`` can run past the file's real lines; mkdeck's lines end only at LF, CRLF
    or CR (see ``SourceLocation``), counted here up to the mark's character index."""
    index = min(max(mark.index, 0), len(text))
    return len(_LINE_END.findall(text, 0, index)) + 1


class _Reader:
    """Walks a composed YAML tree, turning nodes into values and reporting with lines."""

    def __init__(self, text: str, path: str, diagnostics: list[Diagnostic]) -> None:
        self.loader = yaml.SafeLoader(text)
        self.text = text
        self.path = path
        self.diagnostics = diagnostics

    def loc(self, node: yaml.Node) -> SourceLocation:
        return SourceLocation(self.path, mark_line(self.text, node.start_mark))

    def value(self, node: yaml.Node) -> Any:
        """The node as Python data, or :data:`_UNREADABLE` (reported here) when YAML cannot
        construct it (``!!int x``, ``!!timestamp 2020-13-45``, ``!!python/name:…``)."""
        try:
            value = self.loader.construct_object(node, deep=True)
        except (yaml.YAMLError, ValueError, KeyError, TypeError, OverflowError,
                RecursionError) as exc:
            problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
            self.bad(node, f"this value cannot be read ({problem}); it is ignored.")
            return _UNREADABLE
        bad = lone_surrogate(value)
        if bad is not None:
            self.bad(node, f"this value holds {bad}, a lone surrogate (written as a \\u escape), "
                           f"which is not valid Unicode and cannot be a name; it is ignored.")
            return _UNREADABLE
        return value

    def bad(self, node: yaml.Node, message: str) -> None:
        self.diagnostics.append(CONFIG_BAD_VALUE.at(self.loc(node), message))

    def unknown(self, node: yaml.Node, where: str, known: tuple[str, ...]) -> None:
        key = node.value if isinstance(node, yaml.ScalarNode) else self.value(node)
        self.diagnostics.append(CONFIG_UNKNOWN_KEY.at(
            self.loc(node),
            f"unknown key {key!r}{where}: it is ignored; known keys are "
            f"{', '.join(known)}.",
        ))

    def items(self, node: yaml.Node, what: str) -> list[tuple[yaml.Node, str, yaml.Node]]:
        """``(key node, key string, value node)`` of a mapping node; other nodes are reported."""
        if not isinstance(node, yaml.MappingNode):
            if isinstance(node, yaml.ScalarNode) and node.value in ("", "~", "null"):
                return []
            self.bad(node, f"{what} must be a mapping of `key: value` lines; it is ignored.")
            return []
        out = []
        seen: dict[str, int] = {}
        for key_node, value_node in node.value:
            key = self.value(key_node)
            if key is _UNREADABLE:
                continue
            key = str(key) if key is not None else ""
            if key in seen:
                self.diagnostics.append(CONFIG_DUPLICATE_KEY.at(
                    self.loc(key_node),
                    f"key {key!r}{what and ' in ' + what} is given twice (first at line "
                    f"{seen[key]}): YAML keeps only this one; remove one of them.",
                ))
            seen[key] = mark_line(self.text, key_node.start_mark)
            out.append((key_node, key, value_node))
        # like YAML itself, the last of duplicate keys wins
        last = {key: index for index, (_, key, _) in enumerate(out)}
        return [item for index, item in enumerate(out) if last[item[1]] == index]

    def string(self, node: yaml.Node, what: str) -> str | None:
        value = self.value(node)
        if value is _UNREADABLE:
            return None
        if isinstance(value, (str, int, float)) and not isinstance(value, bool):
            text = str(value).strip()
            if text and "\n" not in text:
                return text
        self.bad(node, f"{what} must be a non-empty one-line string; it is ignored.")
        return None

    def boolean(self, node: yaml.Node, what: str) -> bool | None:
        value = self.value(node)
        if value is _UNREADABLE:
            return None
        if isinstance(value, bool):
            return value
        self.bad(node, f"{what} must be true or false (got {value!r}); it is ignored.")
        return None

    def strings(self, node: yaml.Node, what: str, split: bool = False) -> list[str] | None:
        """A list of strings; a single string is one item (or split on whitespace)."""
        value = self.value(node)
        if value is _UNREADABLE:
            return None
        if value is None:
            return []
        if isinstance(value, str):
            return value.split() if split else [value]
        if isinstance(value, list) and all(
            isinstance(v, (str, int, float)) and not isinstance(v, bool) for v in value
        ):
            return [str(v) for v in value]
        self.bad(node, f"{what} must be a list of strings; it is ignored.")
        return None


def parse_config_yaml(text: str, path: str, diagnostics: list[Diagnostic]) -> Partial:
    """Read ``mkdeck.yaml`` text into the settings it gives, reporting into ``diagnostics``.

    Args:
        text: the file's text.
        path: its path for diagnostics (vault-relative when inside the vault).
        diagnostics: list the findings are appended to.
    """
    out = Partial()
    try:
        reader = _Reader(text, path, diagnostics)
        root = reader.loader.get_single_node()
    except (yaml.YAMLError, RecursionError) as exc:  # PyYAML's composer recurses per level
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        if mark is not None:
            line = mark_line(text, mark)
        elif isinstance(getattr(exc, "position", None), int):  # yaml.reader.ReaderError
            line = text.count("\n", 0, exc.position) + 1  # type: ignore[attr-defined]
        else:
            line = 1
        problem = ("values nested too deeply" if isinstance(exc, RecursionError)
                   else getattr(exc, "problem", None) or str(exc).splitlines()[0])
        diagnostics.append(CONFIG_SYNTAX.at(
            SourceLocation(path, line),
            f"{path} is not valid YAML ({problem} at line {line}); fix it; until then the "
            f"whole file is ignored.",
        ))
        return out
    if root is None:
        return out
    _numbers_as_written(root)
    for key_node, key, value_node in reader.items(root, path):
        if key == "deck":
            out.deck = read_deck(reader, value_node, "deck")
        elif key == "note_types":
            _read_note_types(reader, value_node, out)
        elif key == "syntax":
            for k_node, k, v_node in reader.items(value_node, "syntax"):
                if k not in _SYNTAX_KEYS:
                    reader.unknown(k_node, " under syntax", _SYNTAX_KEYS)
                    continue
                marker = reader.string(v_node, f"syntax.{k}")
                if marker is not None:
                    out.syntax[k] = marker
        elif key == "folders":
            _read_folders(reader, value_node, out)
        elif key == "links":
            value = reader.value(value_node)
            if value in ("text", "obsidian"):
                out.links = value
            elif value is not _UNREADABLE:
                reader.bad(value_node, f"links must be `text` or `obsidian` (got {value!r}); "
                                       f"it is ignored.")
        elif key in ("curly_cloze", "highlight_cloze", "inline_tags", "spaced_repetition"):
            setattr(out, key, reader.boolean(value_node, key))
        elif key in _CHOICES:
            value = reader.value(value_node)
            if value in _CHOICES[key]:
                out.choices[key] = value
            elif value is not _UNREADABLE:
                words = " or ".join(f"`{w}`" for w in _CHOICES[key])
                reader.bad(value_node, f"{key} must be {words} (got {value!r}); it is ignored.")
        elif key == "link_prefix":
            prefixes = reader.strings(value_node, "link_prefix")
            out.link_prefix = [p for p in prefixes or [] if p.strip()]
        elif key == "ignore":
            out.ignore = read_globs(reader, value_node)
        elif key in ("max_note_size", "max_media_size"):
            setattr(out, key, read_size(reader, value_node, key))
        elif key == "regex_styles":
            out.regex_styles = _read_regex_styles(reader, value_node)
        elif key == "scan_directory":
            value = reader.value(value_node)
            if value is None or value == "":
                out.scan_directory = ""
            else:
                folder = reader.string(value_node, "scan_directory")
                if folder is not None:
                    out.scan_directory = folder.strip("/")
        elif key == "tags":
            tags = reader.strings(value_node, "tags", split=True)
            if tags is not None:
                good, bad = split_tags(" ".join(tags))
                if bad:
                    reader.bad(value_node, f"tags {', '.join(repr(b) for b in bad)} cannot be "
                                           f"Anki tags; they are left out.")
                out.tags = good
        else:
            reader.unknown(key_node, "", _TOP_KEYS)
    return out


def _read_note_types(reader: _Reader, node: yaml.Node, out: Partial) -> None:
    stock = NoteTypeIndex()
    for name_node, name, spec_node in reader.items(node, "note_types"):
        name = name.strip()
        if not name:
            reader.bad(name_node, "a note type needs a name; this entry is ignored.")
            continue
        fields: list[str] | None = None
        base: str | None = None
        aliases: list[str] = []
        for k_node, k, v_node in reader.items(spec_node, f"note_types.{name}"):
            if k == "fields":
                if isinstance(v_node, yaml.ScalarNode):
                    reader.bad(v_node, f"note_types.{name}.fields must be a list such as "
                                       f"[Front, Back]; the type is ignored.")
                    base = "invalid"
                    continue
                fields = reader.strings(v_node, f"note_types.{name}.fields")
                if fields is not None:
                    fields = [f.strip() for f in fields]
                    if not fields or any(not f or ":" in f for f in fields):
                        reader.bad(v_node, f"note_types.{name}.fields must list field names "
                                           f"(no empty names, no `:`); the type is ignored.")
                        fields = None
                        base = "invalid"
                    elif len({name_key(f) for f in fields}) != len(fields):
                        reader.bad(v_node, f"note_types.{name}.fields names a field twice; "
                                           f"the type is ignored.")
                        fields = None
                        base = "invalid"
            elif k == "base":
                written = reader.string(v_node, f"note_types.{name}.base")
                resolved = stock.resolve(written) if written else None
                if resolved is None or resolved.name not in _STOCK_BASES:
                    reader.bad(v_node, f"note_types.{name}.base must be one of "
                                       f"{', '.join(_STOCK_BASES)}; using the default.")
                else:
                    base = resolved.name
            elif k == "aliases":
                aliases = reader.strings(v_node, f"note_types.{name}.aliases") or []
            else:
                reader.unknown(k_node, f" under note_types.{name}", ("fields", "base", "aliases"))
        if base == "invalid":
            continue
        stock_match = stock.resolve(name)
        if fields is None:
            if stock_match is not None and stock_match.name in STOCK_FIELDS:
                fields = list(stock_match.fields)
            else:
                reader.bad(spec_node if isinstance(spec_node, yaml.Node) else name_node,
                           f"note type {name!r} needs `fields: [..]` (its Anki field names in "
                           f"order); the type is ignored.")
                continue
        if base is None:
            if stock_match is not None and stock_match.name in STOCK_FIELDS:
                base = stock_match.name
            else:
                base = "Cloze" if "cloze" in name.casefold() else "Basic"
        out.note_types[name] = NoteType(name=name, fields=tuple(fields), base=base,
                                        aliases=tuple(aliases))


def _read_regex_styles(reader: _Reader, node: yaml.Node) -> list[RegexStyle] | None:
    """``regex_styles:``: a list of wiki style names, ``{style: name, note_type: T}`` or
    ``{regex: '…', note_type: T}`` entries (see :mod:`mkdeck.parse.wiki_styles`)."""
    if isinstance(node, yaml.ScalarNode) and node.value in ("", "~", "null"):
        return []
    if not isinstance(node, yaml.SequenceNode):
        reader.bad(node, "regex_styles must be a list (e.g. [question-answer, "
                         "cloze-paragraph]); it is ignored.")
        return None
    known = ", ".join(style_names())
    out: list[RegexStyle] = []
    for number, item in enumerate(node.value):
        setting = f"regex_styles[{number}]"
        loc = reader.loc(item)
        name: str | None = None
        pattern: str | None = None
        note_type: str | None = None
        if isinstance(item, yaml.ScalarNode):
            name = reader.string(item, setting)
        elif isinstance(item, yaml.MappingNode):
            for k_node, k, v_node in reader.items(item, setting):
                if k == "style":
                    name = reader.string(v_node, f"{setting}.style")
                elif k == "regex":
                    value = reader.value(v_node)
                    if isinstance(value, str) and value:
                        pattern = value
                    elif value is not _UNREADABLE:
                        reader.bad(v_node, f"{setting}.regex must be a non-empty string (quote "
                                           f"it in single quotes); the entry is ignored.")
                elif k == "note_type":
                    note_type = reader.string(v_node, f"{setting}.note_type")
                else:
                    reader.unknown(k_node, f" under {setting}", ("style", "regex", "note_type"))
        else:
            reader.bad(item, f"{setting} must be a style name or a mapping with style or regex; "
                             f"it is ignored.")
            continue
        if name is not None and pattern is not None:
            reader.bad(item, f"{setting} gives both style and regex: give one; the entry is "
                             f"ignored.")
            continue
        if name is not None:
            wiki = WIKI_STYLES.get(name.strip().lower())
            if wiki is None:
                reader.bad(item, f"{setting}: {name!r} is not a style of the plugin's wiki; "
                                 f"known styles: {known}; the entry is ignored.")
                continue
            out.append(RegexStyle(note_type or wiki.note_type, wiki.pattern, setting, loc,
                                  wiki.name))
        elif pattern is not None:
            if note_type is None:
                reader.bad(item, f"{setting} needs note_type: the note type its matches "
                                 f"become; the entry is ignored.")
                continue
            out.append(RegexStyle(note_type, pattern, setting, loc))
        else:
            reader.bad(item, f"{setting} names no style and no regex; it is ignored.")
    return out


def _read_folders(reader: _Reader, node: yaml.Node, out: Partial) -> None:
    for folder_node, folder, spec_node in reader.items(node, "folders"):
        folder = folder.strip().strip("/")
        deck: str | None = None
        tags: list[str] = []
        for k_node, k, v_node in reader.items(spec_node, f"folders.{folder}"):
            if k == "deck":
                deck = read_deck(reader, v_node, f"folders.{folder}.deck")
            elif k == "tags":
                tags = reader.strings(v_node, f"folders.{folder}.tags", split=True) or []
            else:
                reader.unknown(k_node, f" under folders.{folder}", ("deck", "tags"))
        out.folders[folder] = FolderRule(folder=folder, deck=deck, tags=tuple(tags))


