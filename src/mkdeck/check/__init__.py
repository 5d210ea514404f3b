"""``mkdeck check``: everything that would make a bad deck or a wrong card, located.

Public API::

    from mkdeck.check import CheckOptions, check_paths
    result = check_paths(["notes/"], CheckOptions(select=("MKD2",)))
    result.diagnostics, result.exit_status()

Modules: :mod:`~mkdeck.check.registry` (rules as a registry), :mod:`~mkdeck.check.engine`
(running them, crash containment, path and code filtering), :mod:`~mkdeck.check.stages` (the
build stages' diagnostics), :mod:`~mkdeck.check.rules` (the check-only ``MKD5xx`` rules).
"""

from __future__ import annotations

from mkdeck.check import rules as _rules  # noqa: F401  (registers the MKD5xx rules)
from mkdeck.check import stages as _stages  # noqa: F401  (registers the stage rules)
from mkdeck.check.engine import (
    CheckContext,
    CheckOptions,
    CheckResult,
    check_paths,
    code_selected,
    parse_code_list,
    run_checks,
)
from mkdeck.check.registry import RULES, Rule, all_rules, rule

__all__ = [
    "RULES",
    "CheckContext",
    "CheckOptions",
    "CheckResult",
    "Rule",
    "all_rules",
    "check_paths",
    "code_selected",
    "parse_code_list",
    "rule",
    "run_checks",
]
