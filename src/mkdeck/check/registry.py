"""What a check rule is (flake8's design: checks are listed, findings are data).

A rule is a function with one of two shapes:

* ``scope="file"``: ``check(file: NoteFile, ctx: CheckContext) -> Iterable[Diagnostic]``,
  run once per selected note file;
* ``scope="vault"``: ``check(ctx: CheckContext) -> Iterable[Diagnostic]``, run once (the
  stages: parse, render, export, identity, verify).

The rules are listed, not discovered: :data:`mkdeck.check.rules.FILE_RULES` holds the
check-only rules, ``mkdeck.app.check.STAGE_RULES`` the build stages, and
``mkdeck.app.check.all_rules()`` both, sorted by :func:`sorted_rules` so a run is
deterministic. The engine (:mod:`mkdeck.check.engine`) turns an exception raised by a rule
into an ``MKD001`` finding that names the file and the rule.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Literal

from mkdeck.model import Diagnostic

LOG = logging.getLogger(__name__)

Scope = Literal["file", "vault"]

CheckFunc = Callable[..., Iterable[Diagnostic]]


@dataclass(frozen=True, slots=True)
class Rule:
    """A check.

    Attributes:
        name: short stable name, used in ``MKD001`` messages (``"mojibake"``).
        scope: ``"file"`` or ``"vault"`` (see the module docstring).
        codes: the codes the rule reports, or ``()`` when it passes on another stage's many
            codes (then it always runs; with codes, it is skipped when ``--select``/``--ignore``
            excludes all of them).
        func: the check function.
        needs_verify: run only with ``--verify``.
        description: one line for ``--help``-like listings (the function's docstring's first
            line).
        order: rules run by ``order``, then name (the stages in pipeline order: parse,
            render, export, identity, verify; the check-only rules after them).
    """

    name: str
    scope: Scope
    codes: tuple[str, ...]
    func: CheckFunc
    needs_verify: bool = False
    description: str = ""
    order: int = 100


def rule(func: CheckFunc, name: str, *, scope: Scope, codes: tuple[str, ...] = (),
         needs_verify: bool = False, order: int = 100) -> Rule:
    """The :class:`Rule` ``name`` running ``func``; its description is the first line of
    ``func``'s docstring."""
    doc = (func.__doc__ or "").strip().split("\n", 1)[0]
    return Rule(name, scope, codes, func, needs_verify, doc, order)


def sorted_rules(rules: Iterable[Rule]) -> list[Rule]:
    """``rules`` sorted by ``order`` then name.

    Raises:
        ValueError: when two rules share a name.
    """
    out = sorted(rules, key=lambda r: (r.order, r.name))
    names = [r.name for r in out]
    for name in set(names):
        if names.count(name) > 1:
            raise ValueError(f"check rule {name!r} listed twice")
    return out
