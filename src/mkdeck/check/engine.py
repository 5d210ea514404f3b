"""Run check rules over a parsed vault and collect the findings.

:func:`run_checks` runs the rules it is given (``mkdeck.app.check`` lists them all: the build
stages' and :data:`mkdeck.check.rules.FILE_RULES`) and keeps the findings that are in the files the
user named (whole-vault rules such as duplicate ids read every note, but report only there),
filtered by ``--select``/``--ignore``. A rule that raises becomes one ``MKD001`` finding naming
the file and the rule; the other rules and files still run (flake8's plugin-failure design).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Sequence

from mkdeck import codes
from mkdeck.check.context import CheckContext, CheckOptions, CheckResult, Loader
from mkdeck.check.registry import Rule
from mkdeck.model import Diagnostic, ParseResult, SourceLocation
from mkdeck.report.findings import FileSummary, sorted_diagnostics

LOG = logging.getLogger(__name__)

_CODE_PREFIX_RE = re.compile(r"^MKD\d{0,3}$")


def parse_code_list(text: str, known: Sequence[str]) -> tuple[str, ...]:
    """``"MKD1,MKD502"`` → ``("MKD1", "MKD502")``: comma- or space-separated code prefixes,
    upper-cased (flake8's ``--select`` syntax: a prefix selects every code it begins).
    ``known`` is every registered code (``mkdeck.app.codes.all_codes()``).

    Raises:
        ValueError: for an entry that is not ``MKD`` followed by up to three digits, or that
            no registered code begins with (a typo such as ``MKD999`` in CI would otherwise
            silently select nothing and pass).
    """
    out = []
    for item in re.split(r"[,\s]+", text.strip()):
        if not item:
            continue
        item = item.upper()
        if not _CODE_PREFIX_RE.match(item):
            raise ValueError(f"{item!r} is not a code or code prefix like MKD101 or MKD1")
        if not any(code.startswith(item) for code in known):
            raise ValueError(f"no diagnostic code begins with {item!r}; the codes are listed in "
                             f"docs/codes.md")
        out.append(item)
    return tuple(out)


def code_selected(code: str, select: Sequence[str], ignore: Sequence[str]) -> bool:
    """Whether ``code`` is reported under ``--select``/``--ignore`` (flake8's decision: the
    longer matching prefix wins; a tie ignores; no ``--select`` selects everything).

    >>> code_selected("MKD102", ["MKD102"], ["MKD1"])
    True
    >>> code_selected("MKD102", [], ["MKD1"])
    False
    """
    sel = max((len(p) for p in select if code.startswith(p)), default=-1)
    if not select:
        sel = 0
    if sel < 0:
        return False
    ign = max((len(p) for p in ignore if code.startswith(p)), default=-1)
    return ign < sel or ign < 0


def _crash(rule: Rule, path: str, exc: BaseException) -> Diagnostic:
    where = "this file" if path != "." else "the vault"
    return codes.INTERNAL_ERROR.at(
        SourceLocation(path, 0),
        f"check rule '{rule.name}' crashed on {where} ({type(exc).__name__}: {exc}); "
        "the other rules still ran. This is a bug in mkdeck: please report it with this file.",
    )


def _rule_wanted(rule: Rule, options: CheckOptions) -> bool:
    if rule.needs_verify and not options.verify:
        return False
    if not rule.codes:
        return True
    return any(code_selected(c, options.select, options.ignore) for c in rule.codes)


def run_rules(ctx: CheckContext, rules: Iterable[Rule]) -> list[Diagnostic]:
    """Run ``rules`` (``mkdeck.app.check.all_rules()`` for every rule) over ``ctx``; a rule
    that raises gives an ``MKD001`` finding (at the file for file rules, at ``"."`` for vault
    rules) instead.

    Returns:
        Every finding, unfiltered and unsorted.
    """
    found: list[Diagnostic] = []
    for r in rules:
        if not _rule_wanted(r, ctx.options):
            continue
        if r.scope == "vault":
            try:
                found.extend(r.func(ctx))
            except Exception as exc:  # noqa: BLE001 - a crashed rule is a finding
                LOG.debug("rule %s crashed", r.name, exc_info=True)
                found.append(_crash(r, ".", exc))
            continue
        for nf in ctx.selected:
            try:
                found.extend(r.func(nf, ctx))
            except Exception as exc:  # noqa: BLE001 - a crashed rule is a finding
                LOG.debug("rule %s crashed on %s", r.name, nf.path, exc_info=True)
                found.append(_crash(r, nf.path, exc))
    return found


def run_checks(result: ParseResult, options: CheckOptions | None = None, *,
               rules: Iterable[Rule], loader: Loader | None = None) -> CheckResult:
    """Check a parsed vault.

    Args:
        result: the parse of what the user named (``mkdeck.app.load.load(paths)``).
        options: see :class:`CheckOptions`.
        loader: the loader, used to parse the whole vault when only some files are selected.
        rules: the rules to run (``mkdeck.app.check.all_rules()``).

    Returns:
        The findings in the selected files (and those about no note file, such as the
        config), after ``--select``/``--ignore``, sorted; plus the file summaries.
    """
    options = options or CheckOptions()
    ctx = CheckContext(result, options, loader)
    found = run_rules(ctx, rules)
    note_paths = {f.path for f in result.vault.files}
    selected = {f.path for f in result.vault.files if f.selected}
    kept = [
        d for d in found
        if (d.location.path in selected or d.location.path not in note_paths)
        and code_selected(d.code, options.select, options.ignore)
    ]
    files = tuple(FileSummary(f.path, len(ctx.notes_in(f.path))) for f in ctx.selected)
    return CheckResult(sorted_diagnostics(kept), files, result.vault.root)
