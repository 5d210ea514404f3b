"""mkdeck.yaml, --config and the plugin's data.json: what each key does, precedence, and the
warnings (with the key's line) for unknown keys and bad values."""

from __future__ import annotations

import json

import pytest

from mkdeck.config import PLUGIN_DATA
from mkdeck.model import FolderRule, NoteType, Syntax
from mkdeck.app.load import load
from mkdeck.vault import VaultError

CARD = "START\nBasic\nq\nBack: a\nEND\n"


def codes(result) -> list[tuple[str, str, int]]:
    return [(d.code, d.location.path, d.location.line) for d in result.diagnostics]


def test_full_mkdeck_yaml(make_vault) -> None:
    yaml_text = (
        "deck: Linux\n"
        "note_types:\n"
        "  FIT-Card: {fields: [Front, Back]}\n"
        "  Cloze Hide All: {fields: [Text, Extra]}\n"
        "  Vocab:\n"
        "    fields: [Word, Meaning]\n"
        "    base: Basic (and reversed card)\n"
        "    aliases: [Slovíčko]\n"
        "syntax: {start: START_CARD, end: END_CARD}\n"
        "folders:\n"
        "  sub: {deck: Linux::Sub, tags: [s1, s2]}\n"
        "  other/: {tags: 'o1 o2'}\n"
        "links: obsidian\n"
        "curly_cloze: true\n"
        "highlight_cloze: true\n"
        "inline_tags: true\n"
        "ignore: [templates/**]\n"
    )
    root = make_vault({"mkdeck.yaml": yaml_text, "a.md": CARD})
    cfg = load([root]).vault.config
    assert cfg.deck == "Linux"
    assert cfg.note_types == (
        NoteType("FIT-Card", ("Front", "Back"), "Basic"),
        NoteType("Cloze Hide All", ("Text", "Extra"), "Cloze"),
        NoteType("Vocab", ("Word", "Meaning"), "Basic (and reversed card)", ("Slovíčko",)),
    )
    assert cfg.syntax == Syntax(start="START_CARD", end="END_CARD")
    assert cfg.folders == (FolderRule("other", None, ("o1", "o2")),
                           FolderRule("sub", "Linux::Sub", ("s1", "s2")))
    assert (cfg.links, cfg.curly_cloze, cfg.highlight_cloze, cfg.inline_tags) == (
        "obsidian", True, True, True)
    assert cfg.ignore == ("templates/**",)
    assert cfg.source == "mkdeck.yaml"
    assert cfg.vault_name == "vault"


def test_default_deck_precedence(make_vault) -> None:
    root = make_vault({"a.md": CARD}, name="My Vault")
    assert load([root]).notes[0].deck == "My Vault"
    (root / "mkdeck.yaml").write_text("deck: FromYaml\n")
    assert load([root]).notes[0].deck == "FromYaml"
    assert load([root], deck="FromFlag").notes[0].deck == "FromFlag"


def test_unknown_keys_and_bad_values_warn_at_their_line(make_vault) -> None:
    yaml_text = (
        "decks: X\n"                       # 1 unknown
        "curly_cloze: maybe\n"             # 2 bad bool
        "links: html\n"                    # 3 bad choice
        "syntax:\n"
        "  begin: S\n"                     # 5 unknown under syntax
        "  end: ''\n"                      # 6 empty marker
        "note_types:\n"
        "  NoFields: {base: Basic}\n"      # 8 fields missing
        "  Bad: {fields: [A, A]}\n"        # 9 duplicate field
        "  Odd: {fields: [X], base: Nope, color: red}\n"  # 10 bad base, unknown key
        "deck: A\n"
        "deck: B\n"                        # 12 duplicate key
        "note_types:\n"
        "  Str: {fields: Front Back}\n"    # 14 a string, not a list
    )
    root = make_vault({"mkdeck.yaml": yaml_text, "a.md": CARD})
    result = load([root])
    got = [(c, line) for c, p, line in codes(result) if p == "mkdeck.yaml"]
    # the first note_types mapping is dropped (YAML keeps the last duplicate key), so its
    # entries are never read
    assert got == [("MKD021", 1), ("MKD022", 2), ("MKD022", 3), ("MKD021", 5), ("MKD022", 6),
                   ("MKD025", 12), ("MKD025", 13), ("MKD022", 14)]
    assert result.vault.config.deck == "B"
    assert result.vault.config.note_types == ()
    assert "known keys are deck" in result.diagnostics[0].message


def test_bad_note_types_warn_at_their_line(make_vault) -> None:
    yaml_text = (
        "note_types:\n"
        "  NoFields: {base: Basic}\n"      # 2 fields missing
        "  Bad: {fields: [A, A]}\n"        # 3 duplicate field
        "  Odd: {fields: [X], base: Nope, color: red}\n"  # 4 bad base, unknown key
        "  Basic: {base: Cloze}\n"         # 5 stock name: fields default to the stock ones
    )
    root = make_vault({"mkdeck.yaml": yaml_text, "a.md": CARD})
    result = load([root])
    assert [(c, line) for c, p, line in codes(result) if p == "mkdeck.yaml"] == [
        ("MKD022", 2), ("MKD022", 3), ("MKD021", 4), ("MKD022", 4)]
    # the card's Basic is now the config's Cloze-based Basic, which needs a deletion
    assert [(c, p) for c, p, _ in codes(result) if p != "mkdeck.yaml"] == [("MKD112", "a.md")]
    assert result.vault.config.note_types == (
        NoteType("Odd", ("X",), "Basic"), NoteType("Basic", ("Front", "Back"), "Cloze"))


def test_yaml_syntax_error_is_an_error_and_the_file_is_ignored(make_vault) -> None:
    root = make_vault({"mkdeck.yaml": "deck: A\nnote_types: {x: [\n", "a.md": CARD})
    result = load([root])
    assert codes(result)[0][0] == "MKD020"
    assert result.diagnostics[0].severity.value == "error"
    assert result.vault.config.deck == "vault"
    assert len(result.notes) == 1


def test_config_option_replaces_vault_yaml(make_vault, tmp_path) -> None:
    root = make_vault({"mkdeck.yaml": "deck: Vault\n", "a.md": CARD})
    other = tmp_path / "other.yaml"
    other.write_text("deck: Other\n")
    result = load([root], config=other)
    assert result.notes[0].deck == "Other"
    assert result.vault.config.source == str(other.resolve())
    with pytest.raises(VaultError):
        load([root], config=tmp_path / "missing.yaml")


def plugin_data(**settings) -> str:
    base = {
        "settings": {
            "CUSTOM_REGEXPS": {"Basic": "", "Cloze": ""},
            "FOLDER_DECKS": {}, "FOLDER_TAGS": {},
            "Syntax": {"Begin Note": "START", "End Note": "END", "Begin Inline Note": "STARTI",
                       "End Inline Note": "ENDI", "Target Deck Line": "TARGET DECK",
                       "File Tags Line": "FILE TAGS", "Delete Note Line": "DELETE",
                       "Frozen Fields Line": "FROZEN"},
            "Defaults": {"Tag": "Obsidian_to_Anki", "Deck": "Default", "CurlyCloze": False,
                         "CurlyCloze - Highlights to Clozes": False, "Add Obsidian Tags": False},
            "IGNORED_FILE_GLOBS": ["**/*.excalidraw.md"],
        },
        "Added Media": [], "File Hashes": {},
        "fields_dict": {"Basic": ["Front", "Back"], "Cloze": ["Text", "Back Extra"]},
    }
    for key, value in settings.items():
        if key == "fields_dict":
            base["fields_dict"].update(value)
        elif isinstance(value, dict) and isinstance(base["settings"].get(key), dict):
            base["settings"][key].update(value)
        else:
            base["settings"][key] = value
    return json.dumps(base, indent=2, ensure_ascii=False)


def test_plugin_data_json_fills_what_yaml_leaves_out(make_vault) -> None:
    data = plugin_data(
        Syntax={"Begin Note": "BEGIN_CARD", "End Note": "END_CARD"},
        Defaults={"Deck": "PluginDeck", "CurlyCloze": True},
        FOLDER_DECKS={"bio": "Biology", "chem": ""},
        FOLDER_TAGS={"bio": "cells exam", "chem": "chem"},
        fields_dict={"FIT-Card": ["Front", "Back"], "问答题": ["正面", "背面"]},
    )
    files = {
        ".obsidian/plugins/obsidian-to-anki-plugin/data.json": data,
        "bio/a.md": "BEGIN_CARD\nFIT-Card\nq\nBack: a\nEND_CARD\n",
        "chem/b.md": "BEGIN_CARD\nCloze\n{x}\nEND_CARD\n",
        "c.excalidraw.md": "BEGIN_CARD\nBasic\nignored\nEND_CARD\n",
    }
    root = make_vault(files)
    result = load([root])
    assert result.diagnostics == ()
    cfg = result.vault.config
    assert cfg.syntax.start == "BEGIN_CARD" and cfg.syntax.start_inline == "STARTI"
    assert [t.name for t in cfg.note_types] == ["FIT-Card"]  # 问答题 is stock Basic
    assert cfg.source == PLUGIN_DATA
    got = [(n.location.path, n.deck, n.tags, n.fields[0].markdown) for n in result.notes]
    assert got == [("bio/a.md", "Biology", ("cells", "exam"), "q"),
                   ("chem/b.md", "PluginDeck", ("chem",), "{{c1::x}}")]
    # the default tag Obsidian_to_Anki is not added: mkdeck adds no tags of its own
    (root / "mkdeck.yaml").write_text("deck: Yaml\nsyntax: {start: START}\n"
                                      "folders: {bio: {deck: YamlBio}}\ncurly_cloze: false\n")
    (root / "bio/a.md").write_text("START\nFIT-Card\nq\nBack: a\nEND_CARD\n")
    (root / "chem/b.md").write_text("START\nCloze\n{x}\nEND_CARD\n")
    result = load([root])
    assert [(n.deck, n.tags) for n in result.notes] == [("YamlBio", ("cells", "exam"))]
    assert [(d.code, d.location.path) for d in result.diagnostics] == [
        ("MKD112", "chem/b.md")]  # curly cloze is off in mkdeck.yaml


def test_plugin_regex_styles_are_read(make_vault) -> None:
    """CUSTOM_REGEXPS was MKD024 ("not read"); the styles now make notes (see
    tests/test_plugin_styles.py for every style of the plugin's wiki)."""
    data = plugin_data(CUSTOM_REGEXPS={"Basic": "^Q: (.*)\\nA: (.*)"})
    root = make_vault({".obsidian/plugins/obsidian-to-anki-plugin/data.json": data,
                       "a.md": CARD + "\nQ: two?\nA: 2\n"})
    result = load([root])
    assert result.diagnostics == ()
    assert [(n.kind, n.fields[0].markdown) for n in result.notes][-1] == ("regex", "two?")


def test_broken_plugin_data_warns(make_vault) -> None:
    root = make_vault({".obsidian/plugins/obsidian-to-anki-plugin/data.json": "{not json",
                       "a.md": CARD})
    result = load([root])
    assert [d.code for d in result.diagnostics] == ["MKD023"]
    assert len(result.notes) == 1


def test_control_character_in_yaml_is_a_located_error(make_vault) -> None:
    """Found by the property test: PyYAML's reader rejects control characters before parsing."""
    root = make_vault({"mkdeck.yaml": "deck: A\nlinks: text\x1f\n", "a.md": CARD})
    result = load([root])
    assert codes(result) == [("MKD020", "mkdeck.yaml", 2)]


def test_yaml_values_that_cannot_be_constructed_are_located_warnings(make_vault) -> None:
    """`deck: !!python/name:os.system`, `!!timestamp 2020-13-45`: PyYAML's constructor raised
    and `mkdeck build`/`dump`/`ids` died with a traceback."""
    yaml_text = (
        "deck: !!python/name:os.system\n"                       # 1 unknown tag
        "links: !!python/object:x {}\n"                         # 2
        "note_types:\n"
        "  A: {fields: !!python/tuple [a]}\n"                   # 4 (and the type has no fields)
        "!!python/name:y : 1\n"                                 # 5 a key
        "folders: {x: {deck: !!timestamp 2020-13-45}}\n"        # 6 read as written
        "curly_cloze: !!bool x\n"                               # 7 a KeyError in PyYAML
    )
    root = make_vault({"mkdeck.yaml": yaml_text, "a.md": CARD})
    result = load([root])
    assert codes(result) == [("MKD022", "mkdeck.yaml", 1), ("MKD022", "mkdeck.yaml", 2),
                             ("MKD022", "mkdeck.yaml", 4), ("MKD022", "mkdeck.yaml", 4),
                             ("MKD022", "mkdeck.yaml", 5), ("MKD022", "mkdeck.yaml", 7)]
    assert "cannot be read" in result.diagnostics[0].message
    assert result.vault.config.deck == "vault"
    assert result.vault.config.folders == (FolderRule("x", "2020-13-45", ()),)
    assert len(result.notes) == 1


def test_yaml_numbers_and_dates_are_names_as_written(make_vault) -> None:
    """`deck: 1.10` was the deck "1.1", `deck: 010` the deck "8", `deck: 2024-01-01` an error."""
    root = make_vault({"mkdeck.yaml": "deck: 1.10\nfolders: {s: {deck: 010, tags: [2024-01-01, "
                                      "1e3]}}\n", "a.md": CARD, "s/b.md": CARD})
    result = load([root])
    assert codes(result) == []
    assert [(n.deck, n.tags) for n in result.notes] == [
        ("1.10", ()), ("010", ("2024-01-01", "1e3"))]


def test_a_config_that_is_not_a_mapping_names_the_file(make_vault) -> None:
    root = make_vault({"mkdeck.yaml": "- deck: A\n", "a.md": CARD})
    result = load([root])
    assert [d.message for d in result.diagnostics] == [
        "mkdeck.yaml must be a mapping of `key: value` lines; it is ignored."]


def test_deeply_nested_config_is_a_located_error_not_a_crash(make_vault) -> None:
    """PyYAML's composer and json.loads recurse per level: `deck: [[[[…` in mkdeck.yaml and
    `[[[[…` in data.json raised RecursionError out of `mkdeck build`."""
    root = make_vault({"mkdeck.yaml": "deck: " + "[" * 5000 + "]" * 5000 + "\n",
                       ".obsidian/plugins/obsidian-to-anki-plugin/data.json": "[" * 100000,
                       "a.md": CARD})
    result = load([root])
    assert [(c, p) for c, p, _ in codes(result)] == [
        ("MKD023", ".obsidian/plugins/obsidian-to-anki-plugin/data.json"),
        ("MKD020", "mkdeck.yaml")]
    assert "nested too deeply" in result.diagnostics[1].message
    assert len(result.notes) == 1


def test_yaml_lines_are_file_lines_despite_unicode_line_breaks(make_vault) -> None:
    """PyYAML also breaks lines at NEL / U+2028 / U+2029; the property test found an MKD020 at
    line 4 of a 2-line file. Lines are counted as files count them (LF, CRLF, CR)."""
    from mkdeck.app.load import load

    text = "deck: a\u2028b\x85c\u2029d\ncurly_cloze: [\n"
    root = make_vault({"mkdeck.yaml": text, "a.md": "START\nBasic\nq\nEND\n"})
    diags = [d for d in load([root]).diagnostics if d.location.path == "mkdeck.yaml"]
    assert [(d.code, d.location.line) for d in diags] == [("MKD020", 1)]  # YAML says line 3
    text = "deck: a #\u2028\ndeck: c\n"
    root = make_vault({"mkdeck.yaml": text, "a.md": "START\nBasic\nq\nEND\n"}, name="dup")
    diags = [d for d in load([root]).diagnostics if d.location.path == "mkdeck.yaml"]
    assert [(d.code, d.location.line) for d in diags] == [("MKD025", 2)]
    assert "(first at line 1)" in diags[0].message


@pytest.mark.parametrize("deck", ["", " ", "::", "a\nb"])
def test_deck_option_that_names_no_deck_is_a_usage_error(make_vault, deck) -> None:
    """`--deck ''` silently meant the vault's name; `--deck $'a\\nb'` a deck Anki renames."""
    root = make_vault({"a.md": CARD})
    with pytest.raises(VaultError, match="is not a deck name"):
        load([root], deck=deck)
    assert load([root], deck="a::").notes[0].deck == "a::"  # fixed (with MKD310) on export
