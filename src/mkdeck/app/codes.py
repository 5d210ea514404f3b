"""Every diagnostic code mkdeck can report, from the modules that declare them.

The list of modules is explicit (flake8's plugin finder, without discovery): a module that
declares codes with :func:`mkdeck.codes.register` is imported here by name, so a broken
import fails loudly instead of dropping codes from ``docs/codes.md``. The test
``tests/test_report_docs.py`` checks that every ``register("MKDnnn", …)`` in the sources is
listed.
"""

from __future__ import annotations

from mkdeck import codes, config, render, vault, verify
from mkdeck.app import build, ids, load
from mkdeck.check import rules as check_rules
from mkdeck.config import notetypes
from mkdeck.config import plugin as config_plugin
from mkdeck.export import identity, matching, plan
from mkdeck.export import state as sync_state
from mkdeck.parse import finish, grammar, regex_notes, state
from mkdeck.parse.rules import block, delete, frontmatter, frozen, inline, spaced_repetition
from mkdeck.render import fieldenv
from mkdeck.render.plugins import sanitize
from mkdeck.vault import embeds, links
from mkdeck.vault import read as vault_read

# The modules whose import registers codes, in data-flow order.
CODE_MODULES = (
    codes, vault, vault_read, links, embeds, config, config_plugin, notetypes,
    state, frontmatter, block, inline, frozen, delete, spaced_repetition, finish, regex_notes,
    grammar,
    fieldenv, sanitize, render, identity, plan, sync_state, matching, build, ids, load, verify,
    check_rules,
)


def all_codes() -> list[codes.Code]:
    """Every registered code (of :data:`CODE_MODULES`), sorted by code."""
    return sorted(codes.REGISTRY.values(), key=lambda c: c.code)


def code_table() -> dict[str, codes.Code]:
    """:func:`all_codes` by code: what ``mkdeck.report.Report.codes`` holds."""
    return {c.code: c for c in all_codes()}
