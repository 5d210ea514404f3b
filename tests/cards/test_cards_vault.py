"""The shipped vault ``cards/`` as a vault: the user's note repaired byte-exactly, every note
of the seed's links present, notes in the user's style citing their man pages, every link and
embed resolving, and the parser reading every card without a diagnostic."""

from __future__ import annotations

import importlib.util
import io
import json
import re
import shutil
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path

import ftfy
import pytest

from conftest import SEED
from mkdeck.cli import main
from mkdeck.scan import code_spans
from mkdeck.vault.links import VaultIndex, find_links
from mkdeck.app.load import load

ROOT = Path(__file__).resolve().parents[2]
CARDS = ROOT / "cards"

# Every note the user's ``li clone`` links to (and li clone itself).
SEED_LINKS = {
    "li clone", "li fork", "li syscall", "li process", "li parent process", "li child process",
    "li process id", "li thread", "li virtual memory", "li memory paging", "li fork–exec",
    "li process image", "linux",
}
# The neighbourhood issue 6 asks for, by the note that covers it.
TOPICS = {
    "li execve", "li wait", "li zombie process", "li orphan process", "li subreaper",
    "li vfork", "li exit status", "li signal", "li SIGCHLD", "li pipe", "li PIPE_BUF",
    "li file descriptor", "li close-on-exec", "li mmap", "li nice", "li namespaces", "li session",
}
MAN_REF = re.compile(r"\b[a-z_][a-z0-9_]*\((?:[1-8])\)")


def _dump() -> dict:
    out, err = io.StringIO(), io.StringIO()
    status = main(["dump", str(CARDS)], stdout=out, stderr=err)
    assert status == 0, err.getvalue()
    return json.loads(out.getvalue())


@pytest.fixture(scope="module")
def dump() -> dict:
    return _dump()


@pytest.fixture(scope="module")
def parsed():
    return load([CARDS])


def _load_repair():
    spec = importlib.util.spec_from_file_location("repair_encoding",
                                                  ROOT / "scripts" / "repair_encoding.py")
    module = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    spec.loader.exec_module(module)
    return module


def test_li_clone_is_the_seed_with_only_the_mojibake_repaired() -> None:
    seed = SEED.read_bytes()
    shipped = (CARDS / "li clone.md").read_bytes()
    bad, good = "forkâ€“exec".encode(), "fork–exec".encode()
    assert seed.count(bad) == 1
    assert shipped == seed.replace(bad, good)
    assert ftfy.fix_encoding(seed.decode("utf-8")).encode("utf-8") == shipped


def test_repair_script_reports_exactly_the_changed_line(tmp_path: Path) -> None:
    repair = _load_repair()
    fixed, changed = repair.repair(SEED.read_bytes())
    assert fixed == (CARDS / "li clone.md").read_bytes()
    assert [number for number, _, _ in changed] == [40]
    assert changed[0][2].startswith(b"- often used as [[li fork\xe2\x80\x93exec]]")
    crlf = tmp_path / "crlf.md"
    crlf.write_bytes(SEED.read_bytes().replace(b"\n", b"\r\n"))
    assert repair.main([str(crlf)]) == 0
    assert crlf.read_bytes() == (CARDS / "li clone.md").read_bytes().replace(b"\n", b"\r\n")


def test_vault_root_and_config_exist() -> None:
    assert json.loads((CARDS / ".obsidian" / "app.json").read_text(encoding="utf-8"))
    assert (CARDS / "mkdeck.yaml").is_file()


def test_every_linked_concept_and_topic_has_a_note() -> None:
    stems = {p.stem for p in CARDS.glob("*.md")}
    assert SEED_LINKS <= stems, SEED_LINKS - stems
    assert TOPICS <= stems, TOPICS - stems
    assert len(stems) >= 25


def test_li_fork_has_the_heading_the_seed_embed_points_at(parsed) -> None:
    index = VaultIndex(parsed.vault)
    assert index.resolve("li fork", "li clone.md").path == "li fork.md"
    section = index.section("li fork.md", "li fork fork")
    assert section is not None
    assert index.lines("li fork.md")[section[0] - 1] == "## [[li fork|fork]]"


def test_every_note_we_wrote_cites_a_man_page_outside_its_cards() -> None:
    for path in sorted(CARDS.glob("*.md")):
        if path.name == "li clone.md":
            continue  # the user's own words
        prose = path.read_text(encoding="utf-8").split("\n# Anki\n")[0]
        assert MAN_REF.search(prose), f"{path.name} cites no man page (like fork(2))"


def test_every_link_and_embed_resolves(parsed) -> None:
    index = VaultIndex(parsed.vault)
    embedded: set[str] = set()
    count = 0
    for note_file in parsed.vault.files:
        lines = note_file.text.split("\n")
        spans = code_spans(lines)
        for number, line in enumerate(lines, start=1):
            for _, link in find_links(line, spans[number - 1]):
                count += 1
                where = f"{note_file.path}:{number}: {link.raw}"
                res = index.resolve(link.target, note_file.path)
                assert res.path is not None and not res.ambiguous, where
                if link.subpath:
                    assert index.section(res.path, link.subpath) is not None, where
                if link.embed and not res.path.endswith(".md"):
                    embedded.add(res.path)
    assert count > 300
    svgs = {p.relative_to(CARDS).as_posix() for p in CARDS.rglob("*.svg")}
    assert len(svgs) >= 3 and embedded == svgs, (embedded, svgs)


@pytest.mark.parametrize("svg", sorted(p.name for p in (CARDS / "attachments").glob("*.svg")))
def test_diagrams_are_well_formed_svg_with_a_title(svg: str) -> None:
    root = ET.parse(CARDS / "attachments" / svg).getroot()
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert root.find("{http://www.w3.org/2000/svg}title").text.strip()
    assert int(root.get("width")) > 0 and int(root.get("height")) > 0


def test_parser_reads_every_card_without_a_diagnostic(dump: dict) -> None:
    assert dump["diagnostics"] == []
    blocks = sum(p.read_text(encoding="utf-8").count("\nSTART\n") for p in CARDS.glob("*.md"))
    assert len(dump["notes"]) == blocks >= 60


def test_cards_use_basic_reversed_and_cloze(dump: dict) -> None:
    types = Counter(n["note_type"] for n in dump["notes"])
    assert set(types) == {"Basic", "Basic (and reversed card)", "Cloze"}
    assert min(types.values()) >= 10, types


def test_decks_are_linux_subdecks_by_topic(dump: dict) -> None:
    decks = Counter(n["deck"] for n in dump["notes"])
    assert set(decks) == {
        "Linux::Processes", "Linux::Memory", "Linux::Reaping", "Linux::Signals",
        "Linux::Pipes", "Linux::Files", "Linux::Scheduling", "Linux::Namespaces",
    }
    clone = [n for n in dump["notes"] if n["source"]["path"] == "li clone.md"]
    assert [n["deck"] for n in clone] == ["Linux::Processes"]


def test_every_card_has_tags_and_a_unique_13_digit_id(dump: dict) -> None:
    ids = [n["id"] for n in dump["notes"]]
    assert all(isinstance(i, int) and len(str(i)) == 13 for i in ids)
    assert len(set(ids)) == len(ids)
    assert all("linux" in n["tags"] for n in dump["notes"])


def test_mkdeck_check_strict_with_verify_finds_nothing() -> None:
    out, err = io.StringIO(), io.StringIO()
    status = main(["check", str(CARDS), "--strict", "--verify", "--format", "json"],
                  stdout=out, stderr=err)
    diagnostics = json.loads(out.getvalue())["diagnostics"]
    # issue 11: a statement the verifier reads only in part is an informational MKD405 that
    # names the words it did not understand; nothing else is found
    assert [d for d in diagnostics if d["code"] != "MKD405"] == []
    assert all(d["severity"] == "info" and "not understood" in d["message"]
               for d in diagnostics)
    assert status == 0, err.getvalue()


def test_mkdeck_ids_has_nothing_to_add(tmp_path: Path) -> None:
    copy = tmp_path / "cards"
    shutil.copytree(CARDS, copy)
    out, err = io.StringIO(), io.StringIO()
    assert main(["ids", str(copy)], stdout=out, stderr=err) == 0, err.getvalue()
    for path in CARDS.rglob("*"):
        if path.is_file():
            assert (copy / path.relative_to(CARDS)).read_bytes() == path.read_bytes(), path


def test_every_note_is_linked_from_another_note(parsed) -> None:
    index = VaultIndex(parsed.vault)
    linked_from: dict[str, set[str]] = {f.path: set() for f in parsed.vault.files}
    for note_file in parsed.vault.files:
        lines = note_file.text.split("\n")
        spans = code_spans(lines)
        for number, line in enumerate(lines, start=1):
            for _, link in find_links(line, spans[number - 1]):
                target = index.resolve(link.target, note_file.path).path
                if target in linked_from and target != note_file.path:
                    linked_from[target].add(note_file.path)
    lonely = sorted(path for path, sources in linked_from.items() if not sources)
    assert lonely == []
    assert "li clone.md" in linked_from["li fork.md"]  # the user's note links into ours
    assert len(linked_from["li clone.md"]) >= 3  # and ours link back to it
