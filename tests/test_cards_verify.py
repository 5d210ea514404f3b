"""The shipped vault proves what it says on this kernel: ``mkdeck verify cards/`` refutes
nothing, leaves no statement that names a syscall, flag or signal unchecked, has no
inconclusive verdict, every card carries at least one verified claim, and every card whose
claim depends on the host says so."""

from __future__ import annotations

import io
import json
import re
from collections import defaultdict
from pathlib import Path

import pytest

from mkdeck.cli import main
from mkdeck.verify.catalogue import default_catalogue

ROOT = Path(__file__).resolve().parent.parent
CARDS = ROOT / "cards"


@pytest.fixture(scope="module")
def report() -> dict:
    out, err = io.StringIO(), io.StringIO()
    status = main(["verify", str(CARDS), "--format", "json"], stdout=out, stderr=err)
    data = json.loads(out.getvalue())
    data["_status"] = status
    data["_stderr"] = err.getvalue()
    return data


@pytest.fixture(scope="module")
def cards() -> list[dict]:
    out, err = io.StringIO(), io.StringIO()
    assert main(["dump", str(CARDS)], stdout=out, stderr=err) == 0, err.getvalue()
    return json.loads(out.getvalue())["notes"]


def _describe(claims: list[dict]) -> str:
    return "\n".join(
        f"{c['path']}:{c['line']}: {c['verdict']} {c['check']}: {c['text']} {c.get('evidence')}"
        for c in claims
    )


def test_nothing_refuted_unchecked_or_inconclusive(report: dict) -> None:
    bad = [c for c in report["claims"] if c["verdict"] != "verified"]
    assert bad == [], _describe(bad)
    assert report["unchecked"] == [], "\n".join(
        f"{u['path']}:{u['line']}: {u['text']}" for u in report["unchecked"]
    )
    assert set(report["summary"]) <= {"verified"} or all(
        n == 0 for verdict, n in report["summary"].items() if verdict != "verified"
    ), report["summary"]
    assert report["_status"] == 0, report["_stderr"]


def test_every_card_carries_a_verified_claim(report: dict, cards: list[dict]) -> None:
    verified = defaultdict(list)
    for claim in report["claims"]:
        if claim["verdict"] == "verified":
            verified[(claim["path"], claim["card_line"])].append(claim["check"])
    missing = [
        f"{c['source']['path']}:{c['source']['line']}"
        for c in cards
        if not verified[(c["source"]["path"], c["source"]["line"])]
    ]
    assert missing == [], "cards without a verified claim:\n" + "\n".join(missing)
    assert len(report["claims"]) >= len(cards)


def test_checks_used_are_many_and_from_the_catalogue(report: dict) -> None:
    catalogue = default_catalogue()
    used = {c["check"] for c in report["claims"]}
    assert all(catalogue.check(check_id) is not None for check_id in used), used
    assert len(used) >= 35, sorted(used)


def test_host_dependent_facts_are_labelled_on_the_card(report: dict, cards: list[dict]) -> None:
    catalogue = default_catalogue()
    text_of = {
        (c["source"]["path"], c["source"]["line"]): "\n".join(c["fields"].values()) for c in cards
    }
    for claim in report["claims"]:
        check = catalogue.check(claim["check"])
        if check is not None and check.host_dependent:
            card = text_of[(claim["path"], claim["card_line"])]
            assert re.search(r"host-dependent|on this host|depends on the host", card, re.I), (
                f"{claim['path']}:{claim['line']}: {check.id} is host-dependent "
                f"({check.host_dependent}) but the card does not say so"
            )
