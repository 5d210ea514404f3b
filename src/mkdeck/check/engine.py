"""Run every registered check rule over a parsed vault and collect the findings.

``mkdeck check`` = :func:`check_paths`: read and parse the vault (``mkdeck.app.load.load``),
run each rule (:mod:`mkdeck.check.registry`) and keep the findings that are in the files the
user named (whole-vault rules such as duplicate ids read every note, but report only there),
filtered by ``--select``/``--ignore``. A rule that raises becomes one ``MKD001`` finding naming
the file and the rule; the other rules and files still run (flake8's plugin-failure design).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from mkdeck import codes
from mkdeck.check.registry import Rule, all_rules
from mkdeck.model import Diagnostic, Note, NoteFile, ParseResult, Severity, SourceLocation
from mkdeck.report import FileSummary, sorted_diagnostics

LOG = logging.getLogger(__name__)

_CODE_PREFIX_RE = re.compile(r"^MKD\d{0,3}$")
_LINE_RE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n|$)")


def parse_code_list(text: str) -> tuple[str, ...]:
    """``"MKD1,MKD502"`` → ``("MKD1", "MKD502")``: comma- or space-separated code prefixes,
    upper-cased (flake8's ``--select`` syntax: a prefix selects every code it begins).

    Raises:
        ValueError: for an entry that is not ``MKD`` followed by up to three digits, or that
            no registered code begins with (a typo such as ``MKD999`` in CI would otherwise
            silently select nothing and pass).
    """
    from mkdeck.codes import all_codes

    known = [c.code for c in all_codes()]
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


@dataclass(frozen=True, slots=True)
class CheckOptions:
    """What the user asked ``check`` for.

    Attributes:
        verify: also verify the cards' claims on the running kernel (``--verify``).
        run_code: with ``verify``, also run code blocks marked ``verify`` (``--run-code``).
        jobs: processes for rendering and verification (``None``: each stage decides).
        select: code prefixes to report (empty: all).
        ignore: code prefixes not to report.
        config: ``--config FILE`` given to the loader, or ``None``.
        deck: ``--deck NAME`` given to the loader, or ``None``.
    """

    verify: bool = False
    run_code: bool = False
    jobs: int | None = None
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    config: str | Path | None = None
    deck: str | None = None


Loader = Callable[..., ParseResult]


@dataclass
class CheckContext:
    """What a rule may look at. Built once per run by :func:`run_checks`.

    Attributes:
        result: the parse of the paths the user named: ``result.vault`` holds every note file
            of the vault, ``result.notes`` the notes of the selected files.
        options: the :class:`CheckOptions`.
        loader: ``mkdeck.app.load.load`` (or ``None``: then :meth:`vault_result` parses
            nothing more and returns ``result``).
    """

    result: ParseResult
    options: CheckOptions = field(default_factory=CheckOptions)
    loader: Loader | None = None
    cache: dict[str, object] = field(default_factory=dict)
    """Stage results shared between rules of one run (the rendered notes)."""
    _full: ParseResult | None = None
    _raw: dict[str, list[str]] = field(default_factory=dict)
    _notes_by_path: dict[str, list[Note]] | None = None

    @property
    def selected(self) -> list[NoteFile]:
        """The note files the user named, in vault order."""
        return [f for f in self.result.vault.files if f.selected]

    def notes_in(self, path: str) -> list[Note]:
        """The parsed notes of the selected file ``path``, in document order."""
        if self._notes_by_path is None:
            by_path: dict[str, list[Note]] = {}
            for note in self.result.notes:
                by_path.setdefault(note.location.path, []).append(note)
            self._notes_by_path = by_path
        return self._notes_by_path.get(path, [])

    def vault_result(self) -> ParseResult:
        """The parse of the *whole* vault (every file selected), for rules that compare notes
        across files (duplicate ids). Parsed on first use, only when the user named a part
        of the vault; the same config and deck options apply."""
        if self._full is None:
            if all(f.selected for f in self.result.vault.files) or self.loader is None:
                self._full = self.result
            else:
                self._full = self.loader(
                    [self.result.vault.root], config=self.options.config,
                    deck=self.options.deck,
                )
        return self._full

    def raw_lines(self, path: str) -> list[str]:
        """The lines of note file ``path`` as stored on disk, each with its line terminator
        (``"\\r\\n"``, ``"\\r"``, ``"\\n"`` or none for a last line without one), decoded as
        UTF-8 with undecodable bytes replaced and a BOM dropped. Line ``n`` of the file is
        element ``n - 1``, as in :class:`~mkdeck.model.NoteFile`. Empty when the file cannot
        be read any more."""
        cached = self._raw.get(path)
        if cached is None:
            try:
                data = (Path(self.result.vault.root) / path).read_bytes()
            except OSError as exc:
                LOG.debug("cannot re-read %s: %s", path, exc)
                data = b""
            text = data.decode("utf-8", errors="replace").removeprefix("\ufeff")
            cached = [m.group(0) for m in _LINE_RE.finditer(text)]
            if cached and cached[-1] == "":
                cached.pop()
            self._raw[path] = cached
        return cached


@dataclass(frozen=True, slots=True)
class CheckResult:
    """What a check found.

    Attributes:
        diagnostics: the reported findings, sorted (:func:`mkdeck.report.sorted_diagnostics`),
            vault-relative paths.
        files: every selected note file with its note count.
        vault_root: absolute path of the vault root.
    """

    diagnostics: tuple[Diagnostic, ...]
    files: tuple[FileSummary, ...]
    vault_root: str

    def exit_status(self, strict: bool = False) -> int:
        """0 when clean, 1 when a finding is an error (with ``strict``, a warning too)."""
        failing = {Severity.ERROR, Severity.WARNING} if strict else {Severity.ERROR}
        return 1 if any(d.severity in failing for d in self.diagnostics) else 0


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


def run_rules(ctx: CheckContext, rules: Iterable[Rule] | None = None) -> list[Diagnostic]:
    """Run ``rules`` (default: every registered rule) over ``ctx``; a rule that raises gives
    an ``MKD001`` finding (at the file for file rules, at ``"."`` for vault rules) instead.

    Returns:
        Every finding, unfiltered and unsorted.
    """
    found: list[Diagnostic] = []
    for r in all_rules() if rules is None else rules:
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
               loader: Loader | None = None,
               rules: Iterable[Rule] | None = None) -> CheckResult:
    """Check a parsed vault.

    Args:
        result: the parse of what the user named (``mkdeck.app.load.load(paths)``).
        options: see :class:`CheckOptions`.
        loader: the loader, used to parse the whole vault when only some files are selected.
        rules: the rules to run (default: all registered).

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


def check_paths(paths: Sequence[str | Path], options: CheckOptions | None = None) -> CheckResult:
    """``mkdeck check PATH...``: load the vault around ``paths`` and check it.

    Raises:
        mkdeck.vault.VaultError: when a PATH is missing or unreadable (the CLI exits 2).
    """
    from mkdeck.app.load import load

    options = options or CheckOptions()
    try:
        result = load(paths, config=options.config, deck=options.deck)
    except OSError:
        raise
    except Exception as exc:  # noqa: BLE001 - a crashed stage is a finding, not a traceback
        LOG.debug("loading %s crashed", paths, exc_info=True)
        first = Path(paths[0]).resolve()
        root = first if first.is_dir() else first.parent
        crash = codes.INTERNAL_ERROR.at(
            SourceLocation(".", 0),
            f"check rule 'parse' crashed on the vault ({type(exc).__name__}: {exc}); no other "
            "rule could run. This is a bug in mkdeck: please report it with the vault.",
        )
        return CheckResult((crash,), (), str(root))
    return run_checks(result, options, loader=load)
