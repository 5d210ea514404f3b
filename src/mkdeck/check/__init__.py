"""``mkdeck check``'s own stage: the check-only rules and the engine that runs rules.

Modules: :mod:`~mkdeck.check.context` (what a rule sees, what the user asked, what was found),
:mod:`~mkdeck.check.registry` (what a rule is), :mod:`~mkdeck.check.engine` (running rules,
crash containment, path and code filtering), :mod:`~mkdeck.check.rules` (the check-only
``MKD5xx`` rules, listed in ``FILE_RULES``). The build stages' rules and the command's flow
(``check_paths``) are in :mod:`mkdeck.app.check`, where the stages meet::

    from mkdeck.app.check import check_paths
    result = check_paths(["notes/"], CheckOptions(select=("MKD2",)))
    result.diagnostics, result.exit_status()
"""

from __future__ import annotations

from mkdeck.check.context import CheckContext, CheckOptions, CheckResult
from mkdeck.check.engine import code_selected, run_rules
from mkdeck.check.registry import Rule, rule, sorted_rules
from mkdeck.check.rules import FILE_RULES

__all__ = [
    "FILE_RULES",
    "CheckContext",
    "CheckOptions",
    "CheckResult",
    "Rule",
    "code_selected",
    "rule",
    "run_rules",
    "sorted_rules",
]
