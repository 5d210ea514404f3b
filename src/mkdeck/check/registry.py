"""The registry of check rules (flake8's design: checks are registered, findings are data).

A rule is a function with one of two shapes:

* ``scope="file"``: ``check(file: NoteFile, ctx: CheckContext) -> Iterable[Diagnostic]``,
  run once per selected note file;
* ``scope="vault"``: ``check(ctx: CheckContext) -> Iterable[Diagnostic]``, run once (the
  stages: parse, render, identity, verify).

Rules register with :func:`rule`; :func:`all_rules` lists them sorted by name, so a run is
deterministic. The engine (:mod:`mkdeck.check.engine`) turns an exception raised by a rule into
an ``MKD001`` finding that names the file and the rule.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from mkdeck.model import Diagnostic

if TYPE_CHECKING:
    pass

LOG = logging.getLogger(__name__)

Scope = Literal["file", "vault"]


@dataclass(frozen=True, slots=True)
class Rule:
    """A registered check.

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
    func: Callable[..., Iterable[Diagnostic]]
    needs_verify: bool = False
    description: str = ""
    order: int = 100


RULES: dict[str, Rule] = {}


CheckFunc = Callable[..., Iterable[Diagnostic]]


def rule(name: str, *, scope: Scope, codes: tuple[str, ...] = (), needs_verify: bool = False,
         order: int = 100) -> Callable[[CheckFunc], CheckFunc]:
    """Decorator registering a check function as rule ``name``.

    Raises:
        ValueError: when ``name`` is already registered by another function.
    """

    def wrap(func: CheckFunc) -> CheckFunc:
        old = RULES.get(name)
        if old is not None and old.func.__qualname__ != func.__qualname__:
            raise ValueError(f"check rule {name!r} registered twice")
        doc = (func.__doc__ or "").strip().split("\n", 1)[0]
        RULES[name] = Rule(name, scope, codes, func, needs_verify, doc, order)
        return func

    return wrap


def all_rules() -> list[Rule]:
    """Every registered rule, sorted by ``order`` then name."""
    import mkdeck.check.rules  # noqa: F401  (registers the check-only rules)
    import mkdeck.check.stages  # noqa: F401  (registers the stage rules)

    return sorted(RULES.values(), key=lambda r: (r.order, r.name))
