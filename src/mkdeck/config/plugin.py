"""The Obsidian_to_Anki plugin's settings: ``.obsidian/plugins/obsidian-to-anki-plugin/data.json``
(plugin v3.6, ``src/interfaces/settings-interface.ts``), read as the plugin reads them.

Read: ``Syntax``, ``fields_dict``, ``FOLDER_DECKS``/``FOLDER_TAGS``, ``Defaults.Deck``, the cloze
and tag toggles, ``IGNORED_FILE_GLOBS``, ``CUSTOM_REGEXPS`` (regex note styles, in key order),
``Defaults."Scan Directory"``, ``Add Context``/``CONTEXT_FIELDS``, ``Add File Link``/
``FILE_LINK_FIELDS`` and ``ID Comments``. ``Defaults.Tag`` is kept but not added (``mkdeck
check`` says so, MKD504). Every other setting is a finding that names it (MKD026).
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import replace
from pathlib import Path
from typing import Any

from mkdeck.codes import register
from mkdeck.config.notetypes import is_stock_alias
from mkdeck.config.partial import Partial
from mkdeck.config.values import SURROGATE_RE, deck_problem, read_config
from mkdeck.model import (
    Config,
    Diagnostic,
    FolderRule,
    NoteType,
    PluginSettings,
    RegexStyle,
    Severity,
    SourceLocation,
)
from mkdeck.vault import glob_problem
from mkdeck.vault.read import Refused, lone_surrogate

LOG = logging.getLogger(__name__)

PLUGIN_DATA = ".obsidian/plugins/obsidian-to-anki-plugin/data.json"

PLUGIN_DATA_BAD = register(
    "MKD023", Severity.WARNING, "plugin data.json cannot be read",
    fix="Repair or delete .obsidian/plugins/obsidian-to-anki-plugin/data.json (Obsidian rewrites "
        "it), or put the settings in mkdeck.yaml.",
)
PLUGIN_REGEX_STYLES = register(
    "MKD024", Severity.WARNING, "plugin regex note styles are not read",
    fix="No longer reported: mkdeck reads the plugin's regex note styles (CUSTOM_REGEXPS); "
        "their problems are MKD130–MKD136.",
)
PLUGIN_SETTING_UNUSED = register(
    "MKD026", Severity.INFO, "plugin setting not used by mkdeck",
    fix="Nothing to do for the plugin; the message says why mkdeck does not use the setting and "
        "what to write in mkdeck.yaml instead, where there is an equivalent.",
    bad='"Defaults": {"Scheduling Interval": 10}', good='"Defaults": {"Scheduling Interval": 0}',
)
PLUGIN_CONTEXT_NOWHERE = register(
    "MKD027", Severity.WARNING, "Add Context or Add File Link is on but names no field",
    fix="Choose the field for the context (CONTEXT_FIELDS) or the file link (FILE_LINK_FIELDS) "
        "of each note type in the plugin's settings: without one, the plugin (and mkdeck, "
        "reading it as the plugin does) adds it to no field.",
    bad='"Add Context": true, "CONTEXT_FIELDS": {}',
    good='"Add Context": true, "CONTEXT_FIELDS": {"Basic": "Back"}',
)
PLUGIN_SCAN_DIRECTORY = register(
    "MKD028", Severity.WARNING, "Scan Directory is not a folder of the vault",
    fix="Name an existing folder of the vault (its vault-relative path, e.g. Cards/Biology) as "
        "the Scan Directory, or leave it empty for the whole vault; until then mkdeck reads "
        "the whole vault.",
    bad='"Scan Directory": "Flashcards"  (no such folder)', good='"Scan Directory": "Cards"',
)

_PLUGIN_SYNTAX = {
    "Begin Note": "start", "End Note": "end", "Begin Inline Note": "start_inline",
    "End Inline Note": "end_inline", "Target Deck Line": "target_deck",
    "File Tags Line": "file_tags", "Delete Note Line": "delete", "Frozen Fields Line": "frozen",
}

def check_scan_directory(config: Config, root: Path, from_yaml: Partial, plugin: Partial,
                          diagnostics: list[Diagnostic]) -> Config:
    """The plugin syncs the whole vault when ``Scan Directory`` names nothing, and stops when
    it names a file (``main.ts`` ``scanVault``); mkdeck reads the whole vault in both cases,
    with a warning."""
    folder = root / config.scan_directory
    if folder.is_dir():
        return config
    from_plugin = from_yaml.scan_directory is None
    if from_plugin and plugin.plugin is not None and plugin.plugin.location is not None:
        where = plugin.plugin.location
        setting = 'Defaults."Scan Directory"'
    else:
        where = SourceLocation(config.source or "mkdeck.yaml", 1)
        setting = "scan_directory"
    what = "a file, not a folder" if folder.exists() else "no folder of the vault"
    effect = ("the plugin stops with \"incorrect path for scan directory\"" if folder.exists()
              else "the plugin then syncs the whole vault")
    diagnostics.append(PLUGIN_SCAN_DIRECTORY.at(
        where, f"{setting} {config.scan_directory!r} is {what} ({effect}): name an existing "
               f"folder, or leave it empty; mkdeck reads the whole vault."))
    return replace(config, scan_directory="")



# --- the plugin's data.json --------------------------------------------------------------

def _json_line(text: str, key: str) -> int:
    """1-based line of the first ``"key"`` in ``text`` (JSON has no node marks), else 1."""
    index = text.find(json.dumps(key))
    return text.count("\n", 0, index) + 1 if index >= 0 else 1


def _json_line_after(text: str, parent: str, key: str) -> int:
    """1-based line of the first ``"key":`` after ``"parent"`` in ``text``, else the parent's."""
    start = text.find(json.dumps(parent))
    if start < 0:
        return 1
    for spelling in (json.dumps(key, ensure_ascii=False), json.dumps(key)):
        m = re.compile(re.escape(spelling) + r"\s*:").search(text, start)
        if m:
            return text.count("\n", 0, m.start()) + 1
    return text.count("\n", 0, start) + 1


# plugin v3.6 settings (src/interfaces/settings-interface.ts) mkdeck reads; the others are
# reported by _report_unused
_READ_SETTINGS = ("CUSTOM_REGEXPS", "FILE_LINK_FIELDS", "CONTEXT_FIELDS", "FOLDER_DECKS",
                  "FOLDER_TAGS", "Syntax", "Defaults", "IGNORED_FILE_GLOBS")
_READ_DEFAULTS = ("Scan Directory", "Tag", "Deck", "Scheduling Interval", "Add File Link",
                  "Add Context", "CurlyCloze", "CurlyCloze - Highlights to Clozes",
                  "ID Comments", "Add Obsidian Tags")
# top-level data.json keys that are the plugin's own state, not settings
_PLUGIN_STATE = ("settings", "Added Media", "File Hashes", "fields_dict")


def _field_map(value: object) -> tuple[tuple[str, str], ...]:
    if not isinstance(value, dict):
        return ()
    return tuple((k, v) for k, v in value.items() if isinstance(k, str) and isinstance(v, str)
                 and v)


def _plugin_settings(settings: dict[str, Any], fields_dict: dict[str, Any], text: str, rel: str,
                     diagnostics: list[Diagnostic]) -> PluginSettings:
    """The ``Defaults`` switches and field maps beyond markers, decks and tags
    (``fields_dict``: the user's Anki note types and their fields).

    ``FILE_LINK_FIELDS``, when missing altogether, is what the plugin regenerates on load (each
    type's first field); a type missing from either map gets nothing (the plugin appends to
    ``fields[undefined]``), reported by MKD027."""
    defaults: dict[str, Any] = (settings["Defaults"] if isinstance(settings.get("Defaults"), dict)
                                else {})
    location = SourceLocation(rel, _json_line(text, "Defaults"))
    plugin = PluginSettings(
        add_context=defaults.get("Add Context") is True,
        context_fields=_field_map(settings.get("CONTEXT_FIELDS")),
        add_file_link=defaults.get("Add File Link") is True,
        file_link_fields=_field_map(settings["FILE_LINK_FIELDS"]) if isinstance(
            settings.get("FILE_LINK_FIELDS"), dict) else tuple(
            (str(t), f[0]) for t, f in fields_dict.items()
            if isinstance(f, list) and f and isinstance(f[0], str)),
        id_comments=defaults.get("ID Comments") is not False,
        default_tag=str(defaults["Tag"]) if isinstance(defaults.get("Tag"), str) else "",
        default_deck=str(defaults["Deck"]) if isinstance(defaults.get("Deck"), str) else None,
        location=location,
    )
    for switch, on, fields, what in (
            ("Add Context", plugin.add_context, plugin.context_fields, "CONTEXT_FIELDS"),
            ("Add File Link", plugin.add_file_link, plugin.file_link_fields,
             "FILE_LINK_FIELDS")):
        named = dict(fields)
        missing = [str(t) for t in fields_dict if t not in named] or (
            [] if named else ["any type"])
        if on and missing:
            thing = "context" if switch == "Add Context" else "file link"
            diagnostics.append(PLUGIN_CONTEXT_NOWHERE.at(
                SourceLocation(rel, _json_line_after(text, "Defaults", switch)),
                f'"{switch}" is on, but {what} names no field for '
                f"{', '.join(missing[:8])}{'…' if len(missing) > 8 else ''}: the plugin "
                f"appends the {thing} to no field of those notes (it writes to "
                f"fields[undefined]), and mkdeck, reading the setting as the plugin does, adds "
                f"none either; choose the field for the {thing} in the plugin's settings."))
    return plugin


def _report_unused(data: dict[str, Any], settings: dict[str, Any], text: str, rel: str,
                   diagnostics: list[Diagnostic]) -> None:
    """One MKD026 per plugin setting mkdeck does not use (unknown keys of a newer plugin,
    ``Scheduling Interval``), so none is ignored silently."""
    defaults: dict[str, Any] = (settings["Defaults"] if isinstance(settings.get("Defaults"), dict)
                                else {})
    interval = defaults.get("Scheduling Interval")
    if isinstance(interval, (int, float)) and not isinstance(interval, bool) and interval > 0:
        diagnostics.append(PLUGIN_SETTING_UNUSED.at(
            SourceLocation(rel, _json_line_after(text, "Defaults", "Scheduling Interval")),
            f'"Scheduling Interval" {interval:g} (minutes between the plugin\'s automatic '
            f"syncs) has no meaning for mkdeck, which builds when you run it: run mkdeck in a "
            f"pre-commit hook or CI instead."))
    for key in defaults:
        if key not in _READ_DEFAULTS:
            diagnostics.append(PLUGIN_SETTING_UNUSED.at(
                SourceLocation(rel, _json_line_after(text, "Defaults", key)),
                f"Defaults.{json.dumps(key, ensure_ascii=False)} is a plugin setting mkdeck does "
                f"not know (a newer plugin version?): mkdeck ignores it."))
    for key in settings:
        if key not in _READ_SETTINGS:
            diagnostics.append(PLUGIN_SETTING_UNUSED.at(
                SourceLocation(rel, _json_line_after(text, "settings", key)),
                f"settings.{json.dumps(key, ensure_ascii=False)} is a plugin setting mkdeck does "
                f"not know (a newer plugin version?): mkdeck ignores it."))
    for key in data:
        if key not in _PLUGIN_STATE:
            diagnostics.append(PLUGIN_SETTING_UNUSED.at(
                SourceLocation(rel, _json_line(text, key)),
                f"{json.dumps(key, ensure_ascii=False)} in data.json is not a plugin setting "
                f"mkdeck knows: mkdeck ignores it."))


def _without_surrogates(data: Any, text: str, rel: str, diagnostics: list[Diagnostic]) -> Any:
    """``data`` with each lone surrogate (``"\\ud800"`` escapes are valid JSON but no valid
    Unicode, and names cannot hold them) read as U+FFFD, reported once at the first one."""
    if lone_surrogate(data) is None:
        return data
    esc = re.search(r"\\u[dD][89a-fA-F][0-9a-fA-F]{2}", text)
    line = text.count("\n", 0, esc.start()) + 1 if esc else 1
    shown = esc.group() if esc else "a \\udXXX escape"
    diagnostics.append(PLUGIN_DATA_BAD.at(
        SourceLocation(rel, line),
        f"{rel} holds a lone surrogate escape ({shown}) at line {line}, which is not valid "
        f"Unicode: it is read as U+FFFD; fix the value in the plugin settings."))
    return json.loads(SURROGATE_RE.sub("\ufffd", json.dumps(data, ensure_ascii=False)))


def _deck(value: Any, setting: str, key: str, text: str, rel: str,
          diagnostics: list[Diagnostic]) -> str | None:
    """A deck name from data.json, or ``None`` (empty, or not a deck name: reported)."""
    if not isinstance(value, str) or not value.strip():
        return None
    problem = deck_problem(value)
    if problem is None:
        return value.strip()
    diagnostics.append(PLUGIN_DATA_BAD.at(
        SourceLocation(rel, _json_line(text, key)),
        f"{rel}: {setting} {value!r} is not a deck name ({problem}); it is not used."))
    return None


def _globs(globs: list[Any], text: str, rel: str, diagnostics: list[Diagnostic]) -> list[str]:
    """``IGNORED_FILE_GLOBS``: each pattern checked (:func:`mkdeck.vault.glob_problem`); a bad
    one is reported, and kept only when it is read literally."""
    out = []
    for g in globs:
        if not (isinstance(g, str) and g.strip()):
            continue
        problem = glob_problem(g)
        if problem is not None:
            diagnostics.append(PLUGIN_DATA_BAD.at(
                SourceLocation(rel, _json_line(text, "IGNORED_FILE_GLOBS")),
                f"{rel}: IGNORED_FILE_GLOBS pattern {g!r}: {problem}."))
        if problem is None or "literal" in problem:
            out.append(g)
    return out


def parse_plugin_data(path: Path, rel: str, diagnostics: list[Diagnostic], *,
                      root: Path | None = None) -> Partial:
    """Read the Obsidian_to_Anki plugin's ``data.json`` (plugin v3.6 layout: ``settings``
    with ``Syntax``, ``Defaults``, ``FOLDER_DECKS``, ``FOLDER_TAGS``, ``CUSTOM_REGEXPS``,
    ``IGNORED_FILE_GLOBS``; top-level ``fields_dict``) into the settings it gives. The file is
    read through the vault reader (inside ``root``, a regular file, size-limited); deck names,
    ignore globs and lone surrogate escapes are checked where they are read."""
    out = Partial()
    try:
        text = read_config(path.parent if root is None else root, path)
        data = json.loads(text)
    except (OSError, UnicodeDecodeError, ValueError, RecursionError) as exc:
        line = getattr(exc, "lineno", 0) or 0
        why = exc.message if isinstance(exc, Refused) else exc
        diagnostics.append(PLUGIN_DATA_BAD.at(
            SourceLocation(rel, line),
            f"{rel} cannot be read ({why}); the plugin's settings are not used.",
        ))
        return out
    data = _without_surrogates(data, text, rel, diagnostics)
    if not isinstance(data, dict):
        diagnostics.append(PLUGIN_DATA_BAD.at(
            SourceLocation(rel, 1), f"{rel} is not a JSON object; the plugin's settings are "
                                    f"not used."))
        return out
    settings: dict[str, Any] = (data["settings"] if isinstance(data.get("settings"), dict)
                                else {})

    syntax = settings.get("Syntax")
    if isinstance(syntax, dict):
        for plugin_key, our_key in _PLUGIN_SYNTAX.items():
            value = syntax.get(plugin_key)
            if isinstance(value, str) and value.strip() and "\n" not in value:
                out.syntax[our_key] = value.strip()

    defaults = settings.get("Defaults")
    if isinstance(defaults, dict):
        out.deck = _deck(defaults.get("Deck"), "Defaults.Deck", "Deck", text, rel, diagnostics)
        for plugin_key, our_key in (("CurlyCloze", "curly_cloze"),
                                    ("CurlyCloze - Highlights to Clozes", "highlight_cloze"),
                                    ("Add Obsidian Tags", "inline_tags")):
            if isinstance(defaults.get(plugin_key), bool):
                setattr(out, our_key, defaults[plugin_key])

    decks: dict[str, Any] = (settings["FOLDER_DECKS"]
                             if isinstance(settings.get("FOLDER_DECKS"), dict) else {})
    tags: dict[str, Any] = (settings["FOLDER_TAGS"]
                            if isinstance(settings.get("FOLDER_TAGS"), dict) else {})
    for folder in sorted(set(decks) | set(tags)):
        deck = _deck(decks.get(folder), f"FOLDER_DECKS[{folder!r}]", "FOLDER_DECKS", text, rel,
                     diagnostics)
        tag_text = tags.get(folder)
        folder_tags = tuple(tag_text.split()) if isinstance(tag_text, str) else ()
        if deck or folder_tags:
            key = folder.strip().strip("/")
            out.folders[key] = FolderRule(folder=key, deck=deck, tags=folder_tags)

    globs = settings.get("IGNORED_FILE_GLOBS")
    if isinstance(globs, list):
        out.ignore = _globs(globs, text, rel, diagnostics)

    regexps = settings.get("CUSTOM_REGEXPS")
    if isinstance(regexps, dict):
        styles = []
        for note_type, pattern in regexps.items():  # the plugin runs them in key order
            if not isinstance(pattern, str) or not pattern:
                continue  # "" switches the type's style off
            styles.append(RegexStyle(
                note_type, pattern, f"CUSTOM_REGEXPS[{json.dumps(note_type, ensure_ascii=False)}]",
                SourceLocation(rel, _json_line_after(text, "CUSTOM_REGEXPS", note_type))))
        out.regex_styles = styles
    types = data["fields_dict"] if isinstance(data.get("fields_dict"), dict) else {}
    out.plugin = _plugin_settings(settings, types, text, rel, diagnostics)
    if isinstance(defaults, dict):
        scan = defaults.get("Scan Directory")
        if isinstance(scan, str) and scan.strip().strip("/"):
            out.scan_directory = scan.strip().strip("/")
    _report_unused(data, settings, text, rel, diagnostics)

    fields_dict = data.get("fields_dict")
    if isinstance(fields_dict, dict):
        for name, fields in fields_dict.items():
            if not (isinstance(name, str) and name.strip() and isinstance(fields, list)
                    and fields and all(isinstance(f, str) and f.strip() for f in fields)):
                continue
            if is_stock_alias(name, fields):
                continue
            base = "Cloze" if "cloze" in name.casefold() else "Basic"
            out.note_types[name.strip()] = NoteType(
                name=name.strip(), fields=tuple(f.strip() for f in fields), base=base)
    return out
