"""A bounded run of the hostile-vault mutation fuzzer (``scripts/fuzz_vault.py``): real notes
mutated with card syntax, Unicode and size extremes, through the code the commands run, and
a few cases through the real command line. Long runs use the script itself (see its
docstring); this run keeps CI at seconds."""

from __future__ import annotations

import importlib.util
import random
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "fuzz_vault.py"


def _fuzz():
    if "fuzz_vault" in sys.modules:
        return sys.modules["fuzz_vault"]
    spec = importlib.util.spec_from_file_location("fuzz_vault", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    sys.modules["fuzz_vault"] = module  # dataclasses look their module up while it loads
    spec.loader.exec_module(module)
    return module


def test_seeds_are_the_repositorys_notes() -> None:
    fuzz = _fuzz()
    dirs = fuzz.seed_dirs([])
    assert dirs[:2] == [fuzz.REPO / "cards", fuzz.REPO / "tests" / "data" / "corpus"]
    seeds = fuzz.load_seeds(dirs)
    assert len(seeds) >= 60 and any(b"START" in s for s in seeds)


def test_mutations_are_reproducible_and_reach_the_extremes() -> None:
    fuzz = _fuzz()
    seed = b"START\nBasic\nq\nBack: a\nEND\n"
    a = [fuzz.mutate(seed, random.Random(i)) for i in range(300)]
    b = [fuzz.mutate(seed, random.Random(i)) for i in range(300)]
    assert a == b
    assert max(len(x) for x in a) > 10_000  # size extremes
    assert any(b"\xff" in x or b"\xed\xa0\x80" in x for x in a)  # bytes that are not UTF-8


def test_the_checks_catch_a_broken_promise() -> None:
    """The fuzzer's ids check fails on an ids that loses a byte or is not idempotent."""
    fuzz = _fuzz()
    with pytest.raises(fuzz.Failure, match="lost bytes"):
        fuzz.check_subsequence("START\nEND\n", "START\n<!--ID: 1-->\nEN\n")
    with pytest.raises(fuzz.Failure, match="other than ID"):
        fuzz.check_subsequence("START\nEND\n", "START\nXX\nEND\n")
    fuzz.check_subsequence("> START\n> END\n", "> START\n> <!--ID: 17-->\n> END\n")


def test_in_process_cases_hold_every_promise() -> None:
    totals = _fuzz().run(200, seed=20261204, timeout=60)
    assert totals.failed == []
    assert totals.cases == 200 and totals.cards > 100 and totals.ids > 30


def test_cli_cases_hold_every_promise() -> None:
    totals = _fuzz().run(len(_fuzz().CLI_COMMANDS), seed=20261204, cli=True, timeout=120)
    assert totals.failed == [] and totals.cases == len(_fuzz().CLI_COMMANDS)
