"""Vaults synced with the Obsidian_to_Anki plugin, read as the plugin reads them: every regex
note style of the plugin's wiki and every setting of its data.json (research §5, §6.5, §7.7,
§7.8). The inputs are our own; the expected notes are what the plugin makes of them (its
regexes run with JavaScript's ``gm`` flags, capture groups as fields, trimmed).

Each case also has a golden dump in ``tests/golden/plugin/<case>.json`` (fields, HTML, deck,
tags, IDs, findings); rewrite them with ``MKDECK_UPDATE_GOLDEN=1`` after an intended change,
and review the diff. ``test_cases_import_into_anki`` imports every case into real Anki."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from conftest import write_vault

from mkdeck.app.dump import dump_document
from mkdeck.app.load import load
from mkdeck.config.wiki_styles import BY_NAME

DATA_JSON = ".obsidian/plugins/obsidian-to-anki-plugin/data.json"
GOLDEN = Path(__file__).parent / "golden" / "plugin"
UPDATE = os.environ.get("MKDECK_UPDATE_GOLDEN") == "1"


def data_json(regexps: dict[str, str] | None = None, **defaults: Any) -> str:
    """A plugin v3.6 data.json with its default settings, ``CUSTOM_REGEXPS`` and
    ``Defaults`` overridden; ``defaults`` keys given with ``_`` for spaces."""
    top = {k: v for k, v in defaults.items() if k.isupper() or k == "Syntax"}
    plain = {k.replace("_", " "): v for k, v in defaults.items() if k not in top}
    settings: dict[str, Any] = {
        # the plugin runs the styles in key order: the given ones first
        "CUSTOM_REGEXPS": {**(regexps or {}), **{
            t: "" for t in ("Basic", "Basic (and reversed card)", "Cloze")
            if t not in (regexps or {})}},
        "FILE_LINK_FIELDS": {"Basic": "Front", "Cloze": "Text"},
        "CONTEXT_FIELDS": {},
        "FOLDER_DECKS": {}, "FOLDER_TAGS": {},
        "Syntax": {"Begin Note": "START", "End Note": "END", "Begin Inline Note": "STARTI",
                   "End Inline Note": "ENDI", "Target Deck Line": "TARGET DECK",
                   "File Tags Line": "FILE TAGS", "Delete Note Line": "DELETE",
                   "Frozen Fields Line": "FROZEN"},
        "Defaults": {"Scan Directory": "", "Tag": "Obsidian_to_Anki", "Deck": "Default",
                     "Scheduling Interval": 0, "Add File Link": False, "Add Context": False,
                     "CurlyCloze": False, "CurlyCloze - Highlights to Clozes": False,
                     "ID Comments": True, "Add Obsidian Tags": False, **plain},
        "IGNORED_FILE_GLOBS": ["**/*.excalidraw.md"],
    }
    settings.update(top)
    return json.dumps({
        "settings": settings, "Added Media": [], "File Hashes": {},
        "fields_dict": {"Basic": ["Front", "Back"],
                        "Basic (and reversed card)": ["Front", "Back"],
                        "Cloze": ["Text", "Back Extra"]},
    }, indent=2, ensure_ascii=False)


def style(name: str) -> dict[str, str]:
    """``CUSTOM_REGEXPS`` holding the wiki style ``name`` on its note type, pasted as a user
    pastes it from the wiki."""
    s = BY_NAME[name]
    return {s.note_type: s.pattern}


# Each case: files of the vault, and the notes the plugin makes: (note type, fields, deck,
# tags without the plugin's default tag, which mkdeck does not add; see MKD504).
CASES: dict[str, tuple[dict[str, str], list[tuple[str, dict[str, str], str, list[str]]]]] = {
    "remnote": ({
        DATA_JSON: data_json(style("remnote")),
        "geo.md": "TARGET DECK: Geography\n"
                  "Capital of Peru::Lima\n"
                  "Prose without a double colon.\n"
                  "Largest ocean::Pacific Tags: oceans water\n"
                  "```\ncode::not a card\n```\n",
    }, [
        ("Basic", {"Front": "Capital of Peru", "Back": "Lima"}, "Geography", []),
        ("Basic", {"Front": "Largest ocean", "Back": "Pacific"}, "Geography",
         ["oceans", "water"]),
    ]),
    "header-paragraph": ({
        DATA_JSON: data_json(style("header-paragraph")),
        "cells.md": "# Cell biology\n"
                    "## Osmosis\n"
                    "Water crosses a membrane\n"
                    "toward the higher solute concentration.\n"
                    "\n"
                    "## Diffusion\n"
                    "\n"
                    "Particles spread from high to low concentration.\n",
    }, [
        ("Basic", {"Front": "Osmosis", "Back": "Water crosses a membrane\ntoward the higher "
                                               "solute concentration."}, "Default", []),
        ("Basic", {"Front": "Diffusion", "Back": "Particles spread from high to low "
                                                 "concentration."}, "Default", []),
    ]),
    "header-paragraph-3": ({
        DATA_JSON: data_json(style("header-paragraph-3")),
        "membranes.md": "## Membranes\n"
                    "Level two: no card in this style.\n"
                    "\n"
                    "### Osmosis\n"
                    "Water follows the solutes.\n",
    }, [
        ("Basic", {"Front": "Osmosis", "Back": "Water follows the solutes."}, "Default", []),
    ]),
    "question-answer": ({
        DATA_JSON: data_json(style("question-answer")),
        "physics.md": "FILE TAGS: physics\n"
                      "Q: Boiling point of water at sea level?\n"
                      "A: 100 °C Tags: water\n"
                      "\n"
                      "Q: Which gas do plants\n"
                      "take in for photosynthesis?\n"
                      "\n"
                      "A: Carbon dioxide,\n"
                      "through the stomata\n",
    }, [
        ("Basic", {"Front": "Boiling point of water at sea level?", "Back": "100 °C"},
         "Default", ["physics", "water"]),
        ("Basic", {"Front": "Which gas do plants\ntake in for photosynthesis?",
                   "Back": "Carbon dioxide,\nthrough the stomata"}, "Default", ["physics"]),
    ]),
    "neuracache": ({
        DATA_JSON: data_json(style("neuracache")),
        "sky.md": "Why is the sky blue? #flashcard\n"
                  "Sunlight scatters off air molecules,\n"
                  "blue light the most.\n"
                  "\n"
                  "What carries oxygen in blood? #flashcard\n"
                  "\n"
                  "Haemoglobin in red blood cells.\n",
    }, [
        ("Basic", {"Front": "Why is the sky blue?",
                   "Back": "Sunlight scatters off air molecules,\nblue light the most."},
         "Default", []),
        ("Basic", {"Front": "What carries oxygen in blood?",
                   "Back": "Haemoglobin in red blood cells."}, "Default", []),
    ]),
    "ruled": ({
        DATA_JSON: data_json(style("ruled")),
        "ruled.md": "How do you use ruled style?\n"
                    "---\n"
                    "Front above, back below.\n"
                    "\n"
                    "Can the front\n"
                    "span lines?\n"
                    "-----\n"
                    "Yes, and so\n"
                    "can the back.\n",
    }, [
        ("Basic", {"Front": "How do you use ruled style?", "Back": "Front above, back below."},
         "Default", []),
        ("Basic", {"Front": "Can the front\nspan lines?", "Back": "Yes, and so\ncan the back."},
         "Default", []),
    ]),
    "markdown-table": ({
        DATA_JSON: data_json(style("markdown-table")),
        "tables.md": "| Speed of light |\n"
                     "| --- |\n"
                     "| 299 792 km/s |\n"
                     "\n"
                     "| Two | columns |\n"
                     "| --- | --- |\n"
                     "| are | ignored |\n",
    }, [
        ("Basic", {"Front": "Speed of light", "Back": "299 792 km/s"}, "Default", []),
    ]),
    "cloze-paragraph": ({
        DATA_JSON: data_json(style("cloze-paragraph"), CurlyCloze=True),
        "cell.md": "The {mitochondrion} is the site of {2:oxidative phosphorylation}.\n"
                   "\n"
                   "Math such as $\\frac{1}{2}$ is no cloze, so this paragraph is no note.\n"
                   "\n"
                   "Anki's own {{c1::syntax}} works too.\n",
    }, [
        ("Cloze", {"Text": "The {{c1::mitochondrion}} is the site of "
                           "{{c2::oxidative phosphorylation}}.", "Back Extra": ""},
         "Default", []),
        ("Cloze", {"Text": "Anki's own {{c1::syntax}} works too.", "Back Extra": ""},
         "Default", []),
    ]),
    "highlight-cloze": ({
        DATA_JSON: data_json(style("highlight-cloze"), CurlyCloze=True,
                             **{"CurlyCloze_-_Highlights_to_Clozes": True}),
        "atp.md": "The ==mitochondrion== makes ==2:ATP==.\n"
                  "\n"
                  "A paragraph without highlights.\n",
    }, [
        ("Cloze", {"Text": "The {{c1::mitochondrion}} makes {{c2::ATP}}.", "Back Extra": ""},
         "Default", []),
    ]),
    "callout-qa": ({
        DATA_JSON: data_json(style("callout-qa")),
        "peru.md": "> [!qa] Capital of Peru?\n"
                   "> Lima\n",
    }, [
        ("Basic", {"Front": "Capital of Peru?", "Back": "Lima"}, "Default", []),
    ]),
    # a folder scan that uses a style: only notes under the Scan Directory give cards
    "scan-directory": ({
        DATA_JSON: data_json(style("remnote"), Scan_Directory="Cards",
                             FOLDER_DECKS={"Cards/Chem": "Chemistry"},
                             FOLDER_TAGS={"Cards": "cards", "Cards/Chem": "chem"}),
        "Cards/Chem/acids.md": "pH of pure water::7\n",
        "Cards/top.md": "Symbol of gold::Au\n",
        "Drafts/elsewhere.md": "Not synced::by the plugin\n",
    }, [
        ("Basic", {"Front": "pH of pure water", "Back": "7"}, "Chemistry", ["cards", "chem"]),
        ("Basic", {"Front": "Symbol of gold", "Back": "Au"}, "Default", ["cards"]),
    ]),
    # every other setting of the settings table at once
    "settings": ({
        DATA_JSON: data_json(
            {"Basic (and reversed card)": BY_NAME["question-answer"].pattern},
            Deck="Inbox", Add_File_Link=True, Add_Context=True, CurlyCloze=True,
            Add_Obsidian_Tags=True, ID_Comments=False,
            CONTEXT_FIELDS={"Basic": "Back", "Basic (and reversed card)": "Back",
                            "Cloze": "Back Extra"},
            FILE_LINK_FIELDS={"Basic": "Back", "Cloze": "Text"},
            IGNORED_FILE_GLOBS=["Templates/**"],
            Syntax={"Begin Note": "BEGIN", "End Note": "FINISH", "Begin Inline Note": "STARTI",
                    "End Inline Note": "ENDI", "Target Deck Line": "DECK",
                    "File Tags Line": "TAGS", "Delete Note Line": "DELETE",
                    "Frozen Fields Line": "FROZEN"}),
        "mkdeck.yaml": "tags: [Obsidian_to_Anki]\n",
        "Bio/notes.md": "TAGS: bio\n"
                        "# Cells\n"
                        "## Organelles\n"
                        "BEGIN\n"
                        "Basic\n"
                        "What makes ATP? #energy\n"
                        "Back: the mitochondrion\n"
                        "FINISH\n"
                        "\n"
                        "Q: Plant organelle of photosynthesis?\n"
                        "A: the chloroplast\n"
                        "\n"
                        "BEGIN\n"
                        "Cloze\n"
                        "Ribosomes make {proteins}.\n"
                        "FINISH\n",
        "Templates/card.md": "BEGIN\nBasic\ntemplate\nFINISH\n",
    }, [
        ("Basic", {"Front": "What makes ATP? #energy", "Back": "the mitochondrion"}, "Inbox",
         ["Obsidian_to_Anki", "bio", "energy"]),
        ("Basic (and reversed card)", {"Front": "Plant organelle of photosynthesis?",
                                       "Back": "the chloroplast"}, "Inbox",
         ["Obsidian_to_Anki", "bio"]),
        ("Cloze", {"Text": "Ribosomes make {{c1::proteins}}.", "Back Extra": ""}, "Inbox",
         ["Obsidian_to_Anki", "bio"]),
    ]),
}


def make_case(root: Path, name: str) -> Path:
    files, _ = CASES[name]
    return write_vault(root / name, files, mtime=1_780_000_000)


def golden_document(root: Path) -> dict[str, Any]:
    """The case's dump, reduced to what the plugin decides (no guids, no line maps)."""
    document, _ = dump_document(load([root]))
    notes = [{k: n[k] for k in ("source", "kind", "note_type", "deck", "fields", "html",
                                "tags", "id")} for n in document["notes"]]
    return {"notes": notes, "diagnostics": document["diagnostics"]}


@pytest.mark.parametrize("name", sorted(CASES))
def test_case_gives_the_plugins_notes(tmp_path: Path, name: str) -> None:
    doc = golden_document(make_case(tmp_path, name))
    got = [(n["note_type"], n["fields"], n["deck"], n["tags"]) for n in doc["notes"]]
    assert got == CASES[name][1]


@pytest.mark.parametrize("name", sorted(CASES))
def test_case_golden_dump(tmp_path: Path, name: str) -> None:
    doc = golden_document(make_case(tmp_path, name))
    golden = GOLDEN / f"{name}.json"
    text = json.dumps(doc, ensure_ascii=False, indent=1, sort_keys=True) + "\n"
    if UPDATE:
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(text, encoding="utf-8")
    assert golden.exists(), f"no golden file {golden.name}: run with MKDECK_UPDATE_GOLDEN=1"
    assert text == golden.read_text(encoding="utf-8")


def test_settings_case_appends_link_and_context_as_the_plugin_does(tmp_path: Path) -> None:
    doc = golden_document(make_case(tmp_path, "settings"))
    basic, reversed_, cloze = doc["notes"]
    link = ('<br><a href="obsidian://open?vault=settings&file=Bio%2Fnotes.md" '
            'class="obsidian-link">Obsidian</a>')
    # FILE_LINK_FIELDS[Basic] = Back, then the context (CONTEXT_FIELDS[Basic] = Back)
    assert basic["html"]["Back"] == f"the mitochondrion{link}Bio/notes.md > Cells > Organelles"
    # the type has no FILE_LINK_FIELDS entry: the plugin appends the link to fields[undefined],
    # i.e. nowhere, and says nothing; mkdeck does the same and says so (MKD027)
    assert link not in "".join(reversed_["html"].values())
    assert reversed_["html"]["Back"] == "the chloroplastBio/notes.md > Cells > Organelles"
    assert cloze["html"]["Text"].endswith(link)
    assert cloze["html"]["Back Extra"] == "Bio/notes.md > Cells > Organelles"
    [d] = doc["diagnostics"]
    assert d["code"] == "MKD027" and "FILE_LINK_FIELDS names no field for Basic (and reversed " \
        "card)" in d["message"]


def test_file_link_fields_missing_altogether_are_each_types_first_field(tmp_path: Path) -> None:
    """The plugin regenerates a missing FILE_LINK_FIELDS map with each type's first field."""
    data = json.loads(data_json(Add_File_Link=True))
    del data["settings"]["FILE_LINK_FIELDS"]
    root = write_vault(tmp_path / "v", {DATA_JSON: json.dumps(data),
                                        "a.md": "START\nCloze\n{{c1::x}}\nEND\n"})
    result = load([root])
    [note] = result.notes
    assert note.fields[0].html_suffix.startswith('<br><a href="obsidian://open?vault=v&file=a.md"')
    assert result.diagnostics == ()


def test_context_without_context_fields_adds_nothing_and_says_so(tmp_path: Path) -> None:
    root = write_vault(tmp_path / "v", {
        DATA_JSON: data_json(Add_Context=True),
        "a.md": "# Heading\nSTART\nBasic\nfront\nBack: back\nEND\n",
    })
    result = load([root])
    [note] = result.notes
    assert all(f.html_suffix == "" for f in note.fields)
    [d] = result.diagnostics
    assert (d.code, d.location.path) == ("MKD027", DATA_JSON)
    assert "Basic, Basic (and reversed card), Cloze" in d.message
    line = (root / DATA_JSON).read_text().split("\n")[d.location.line - 1]
    assert '"Add Context"' in line


def test_context_is_the_chain_of_headings_above(tmp_path: Path) -> None:
    text = ("---\ntitle: x\n---\n# A\n## B\n### C\n## D\n```\n# not a heading\n```\n"
            "x::y\n")
    root = write_vault(tmp_path / "v", {
        DATA_JSON: data_json(style("remnote"), Add_Context=True,
                             CONTEXT_FIELDS={"Basic": "Front"}),
        "n.md": text,
    })
    [note] = load([root]).notes
    assert note.fields[0].html_suffix == "n.md > A > D"


def test_scan_directory_that_is_no_folder_is_reported(tmp_path: Path) -> None:
    root = write_vault(tmp_path / "v", {
        DATA_JSON: data_json(style("remnote"), Scan_Directory="Flashcards"),
        "a.md": "a::b\n",
    })
    result = load([root])
    assert [n.fields[0].markdown for n in result.notes] == ["a"]
    [d] = result.diagnostics
    assert d.code == "MKD028" and "'Flashcards' is no folder of the vault" in d.message


def test_a_file_named_outside_the_scan_directory_is_read(tmp_path: Path) -> None:
    root = make_case(tmp_path, "scan-directory")
    result = load([root / "Drafts" / "elsewhere.md"])
    assert [n.fields[0].markdown for n in result.notes] == ["Not synced"]


def test_unused_settings_are_named(tmp_path: Path) -> None:
    data = json.loads(data_json(Scheduling_Interval=10, Some_Future_Switch=True))
    data["settings"]["NEW_MAP"] = {}
    data["Unknown top"] = 1
    root = write_vault(tmp_path / "v", {DATA_JSON: json.dumps(data, indent=2), "a.md": ""})
    messages = [(d.code, d.message.split(" ", 1)[0]) for d in load([root]).diagnostics]
    assert messages == [("MKD026", '"Scheduling'), ("MKD026", 'Defaults."Some'),
                        ("MKD026", 'settings."NEW_MAP"'), ("MKD026", '"Unknown')]


def test_check_says_once_how_mkdeck_differs(tmp_path: Path) -> None:
    from mkdeck.app.check import check_paths

    root = make_case(tmp_path, "remnote")
    report = check_paths([root])
    found = [d for d in report.diagnostics if d.code == "MKD504"]
    assert len(found) == 1
    assert found[0].location.path == DATA_JSON
    assert "tags: [Obsidian_to_Anki]" in found[0].message
    assert "'Default'" not in found[0].message  # Defaults.Deck is set: no deck difference
    (root / "mkdeck.yaml").write_text("tags: [Obsidian_to_Anki]\n")
    report = check_paths([root])
    assert not [d for d in report.diagnostics if d.code == "MKD504"]


def test_cases_import_into_anki(tmp_path: Path) -> None:
    """Every case built into a package and imported into real Anki: Anki holds the notes the
    plugin makes (their fields as the dump renders them, deck, tags), and makes a card for each
    (a cloze note without a deletion would make none)."""
    from anki_oracle import AnkiOracle

    from mkdeck.app.build import build

    with AnkiOracle() as anki:
        for name in sorted(CASES):
            root = make_case(tmp_path, name)
            expected = golden_document(root)["notes"]
            package = tmp_path / f"{name}.apkg"
            outcome = build([root], package, use_cache=False, jobs=1,
                            environ={"SOURCE_DATE_EPOCH": "1780000000"})
            assert outcome.written, (name, outcome.diagnostics)
            before = {n.note_id for n in anki.notes()}
            log = anki.import_apkg(package)
            assert log["new"] == len(expected), name
            held = [n for n in anki.notes() if n.note_id not in before]
            got = sorted((n.note_type.rsplit(" (mkdeck)", 1)[0],
                          n.fields[next(iter(n.fields))], n.cards[0].deck,
                          tuple(sorted(n.tags))) for n in held)
            want = sorted((e["note_type"], next(iter(e["html"].values())), e["deck"],
                           tuple(sorted(e["tags"]))) for e in expected)
            assert got == want, name
            for note in held:
                plugin_fields = {f: h for e in expected for f, h in e["html"].items()
                                 if next(iter(e["html"].values())) == next(
                                     iter(note.fields.values()))}
                assert note.fields == plugin_fields, name
                assert note.cards, name
