"""``mkdeck build``: vault → parse → render → (verify) → validated package, with a cache.

Gathers everything first (every note parsed, rendered and validated, every diagnostic
collected), then decides, then writes once: with errors the package still holds every valid
note; with ``strict`` any warning or error means nothing is written. The CLI
(``mkdeck.cli.build``) prints; this module only returns data. The package itself is
written by :mod:`mkdeck.export`, the notes rendered by :mod:`mkdeck.render.parallel`.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mkdeck import __version__
from mkdeck.codes import register
from mkdeck.export import cache
from mkdeck.model import Diagnostic, ParseResult, Severity, SourceLocation

if TYPE_CHECKING:
    from mkdeck.export.notetypes import ModelSpec
    from mkdeck.export.plan import ExportPlan
    from mkdeck.app.incremental import BuildStats
    from mkdeck.app.session import BuildSession
    from mkdeck.export.sync import SyncReport

LOG = logging.getLogger(__name__)

# Bumped when the cached output of the same inputs would differ for another reason.
CACHE_FORMAT = "1"


@dataclass(frozen=True, slots=True)
class BuildOutcome:
    """What a build did.

    Attributes:
        out: the package path asked for.
        written: whether the package was written (or copied from the cache).
        notes, cards, decks, media: counts in the package (what it would hold if not written).
        skipped: notes left out of the package because of export errors.
        diagnostics: every diagnostic of every stage, sorted by file and line.
        from_cache: the package came from the build cache.
        verification: the verifier's summary dict when ``verify`` ran, else ``None``.
        stats: what the incremental build reused and redid
            (:class:`mkdeck.app.incremental.BuildStats`); ``None`` with ``use_cache=False``
            or when the build cache served the package.
        sync: what the sync state did (:class:`mkdeck.export.sync.SyncReport`), ``None``
            with ``use_state=False`` or when the state file could not be used.
    """

    out: str
    written: bool
    notes: int = 0
    cards: int = 0
    decks: int = 0
    media: int = 0
    skipped: int = 0
    diagnostics: tuple[Diagnostic, ...] = ()
    from_cache: bool = False
    verification: dict[str, int] | None = field(default=None)
    sync: SyncReport | None = field(default=None)
    stats: BuildStats | None = field(default=None)

    @property
    def errors(self) -> int:
        """Number of error diagnostics."""
        return sum(d.severity is Severity.ERROR for d in self.diagnostics)

    @property
    def refuted(self) -> int:
        """Claims (or verify code blocks) the verifier refuted; 0 without ``verify``."""
        return int((self.verification or {}).get("refuted", 0))

    @property
    def warnings(self) -> int:
        """Number of warning diagnostics."""
        return sum(d.severity is Severity.WARNING for d in self.diagnostics)


def _summary_dict(outcome: BuildOutcome) -> dict[str, Any]:
    return {
        "notes": outcome.notes, "cards": outcome.cards, "decks": outcome.decks,
        "media": outcome.media, "skipped": outcome.skipped,
        "diagnostics": [d.to_dict() for d in outcome.diagnostics],
        "verification": outcome.verification,
    }


def _from_summary(out: str, data: dict[str, Any]) -> BuildOutcome:
    diags = tuple(
        Diagnostic(d["code"], Severity(d["severity"]),
                   SourceLocation(d["path"], d["line"], d.get("column")), d["message"])
        for d in data.get("diagnostics", [])
    )
    return BuildOutcome(
        out=out, written=True, notes=int(data["notes"]), cards=int(data["cards"]),
        decks=int(data["decks"]), media=int(data["media"]), skipped=int(data["skipped"]),
        diagnostics=diags, from_cache=True, verification=data.get("verification"),
    )


_STAMPED = ("genanki", "markdown_it_py", "mdit_py_plugins", "pygments", "ftfy", "pyyaml",
            "rich")


def code_stamp() -> str:
    """What the output depends on besides the vault: mkdeck's own files (size and mtime, so
    an edited checkout misses the cache) and the installed versions of the libraries that
    render and write (their ``*.dist-info`` folder names), in one cheap string."""
    import sysconfig

    import mkdeck

    parts = []
    package = Path(mkdeck.__file__).parent
    for folder, dirs, files in os.walk(package):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        for name in sorted(files):
            if name.endswith((".py", ".yaml", ".css", ".json", ".c")):
                st = os.stat(os.path.join(folder, name))
                parts.append(f"{os.path.relpath(os.path.join(folder, name), package)}:"
                             f"{st.st_size}:{st.st_mtime_ns}")
    try:
        for name in sorted(os.listdir(sysconfig.get_paths()["purelib"])):
            if name.endswith(".dist-info") and name.lower().startswith(_STAMPED):
                parts.append(name)
    except OSError:
        parts.append("no-site-packages")
    return "\n".join(parts)


def build(
    paths: Sequence[str | Path],
    out: str | Path,
    *,
    config: str | Path | None = None,
    deck: str | None = None,
    strict: bool = False,
    verify: bool = False,
    use_cache: bool = True,
    jobs: int | None = None,
    progress: Callable[[str], None] | None = None,
    environ: Mapping[str, str] | None = None,
    use_state: bool = True,
    cached_sync: bool = True,
    write_state: bool = True,
    session: BuildSession | None = None,
) -> BuildOutcome:
    """Build the package ``out`` from the vault ``paths``.

    Args:
        paths: PATH arguments (folders or notes of one vault).
        out: the ``.apkg`` to write.
        config: an explicit config file (``--config``).
        deck: default deck (``--deck``).
        strict: warnings count as failures: nothing is written unless the build is clean.
        verify: run the claim verifier (``mkdeck.verify.verify_notes``); its findings join
            the diagnostics (a refuted claim is an error).
        use_cache: reuse or fill the build cache in ``$XDG_CACHE_HOME/mkdeck``.
        jobs: processes rendering notes (default: ``render.parallel.default_jobs``: the CPUs
            free now, at most 4).
        progress: called with a stage name ("parse", "render", "verify", "write").
        environ: environment (``SOURCE_DATE_EPOCH``, ``XDG_CACHE_HOME``); default os.environ.
        use_state: read the vault's sync state (``.mkdeck-state``) for identities and mod
            times, and write it back after writing the package (:mod:`mkdeck.export.state`);
            ``False`` is ``--no-state``: neither read nor written.
        cached_sync: when the build cache serves the package, still read the state back
            for ``outcome.sync`` (0.39 s of the 0.47 s CPU of such a build at 10,000 cards,
            issue 15); the CLI, which prints no part of it, passes ``False`` (``sync`` is
            then ``None`` on a cache hit).
        write_state: ``False``: the state is read, never written, and the package cache is
            neither read nor filled (push --dry-run).
        session: what the previous build of the same vault in this process kept in memory
            (:class:`mkdeck.app.session.BuildSession`, ``mkdeck watch``): used and updated
            with ``use_cache=True``; the package is the same bytes without it.
    Returns:
        A :class:`BuildOutcome`.
    Raises:
        mkdeck.vault.VaultError: a PATH is missing or unreadable.
        OSError: the package cannot be written (nothing is left behind).
    """
    from mkdeck.vault import find_root, resolve_paths

    env = os.environ if environ is None else environ
    step = progress or (lambda _stage: None)
    out_path = Path(out)

    key = base_key = None
    # a session (mkdeck watch) rebuilds after a change: the package cache would only cost
    # (fingerprint, state bytes hashed twice, package copied) and hardly ever serve
    if use_cache and not verify and (write_state or not use_state) and session is None:
        root = find_root(resolve_paths(paths))
        base_key = _base_key(paths, root, config, deck, strict, env, use_state,
                             session.code_stamp(code_stamp) if session is not None else None)
        if base_key is not None:
            key = _with_state(base_key, root if use_state else None)
            hit = cache.load(key, env)
            if hit is not None:
                step("write")
                outcome = _from_summary(str(out_path), hit[1])
                if use_state and cached_sync:
                    outcome = dataclasses.replace(outcome, sync=_cached_sync(root))
                if strict and (outcome.errors or outcome.warnings):
                    return _replace_written(outcome, False)
                cache.copy_out(hit[0], out_path)
                return outcome

    from mkdeck.app.load import gc_paused

    with gc_paused():
        return _build_uncached(paths, out_path, config=config, deck=deck, strict=strict,
                               verify=verify, jobs=jobs, step=step, env=env,
                               base_key=base_key, use_state=use_state, use_cache=use_cache,
                               write_state=write_state,
                               session=session if use_cache else None)


def _build_uncached(paths: Sequence[str | Path], out_path: Path, *, config: str | Path | None,
                    deck: str | None, strict: bool, verify: bool, jobs: int | None,
                    step: Callable[[str], None], env: Mapping[str, str],
                    base_key: str | None, use_state: bool, use_cache: bool,
                    write_state: bool = True,
                    session: BuildSession | None = None) -> BuildOutcome:
    """The build when the build cache did not serve it (see :func:`build`)."""
    # the later stages, imported here: a build served from the cache never loads them
    from mkdeck.app.load import load, no_cards_diagnostics
    from mkdeck.export.apkg import write_package
    from mkdeck.export.plan import plan_export, time_cap
    from mkdeck.render import note_type_css
    from mkdeck.render.parallel import render_parallel

    incremental = None
    if use_cache:
        from mkdeck.app.incremental import IncrementalCache
        from mkdeck.vault import find_root, resolve_paths

        root = find_root(resolve_paths(paths))
        incremental = (session.open_cache(root, session.code_stamp(code_stamp), env)
                       if session is not None else IncrementalCache.open(root, code_stamp(), env))
    memo = session.memo if session is not None else None
    if memo is not None:
        memo.start()
    step("parse")
    result = load(list(paths), config=config, deck=deck,
                  parse=incremental.parse_file if incremental else None, pack_texts=True)
    step("render")
    if incremental is not None:
        rendered, render_diags = incremental.render(result, jobs=jobs)
        if session is not None:  # the session saves it now and then (and when closed)
            session.built(result.vault.root, incremental)
        else:
            incremental.save()  # keyed by content: valid whatever the rest of the build does
    else:
        rendered, render_diags = render_parallel(result, jobs=jobs)
    css = note_type_css()
    plan = plan_export(rendered, vault=result.vault, css=css, environ=dict(env), memo=memo)
    diags: list[Diagnostic] = [*result.diagnostics, *render_diags, *plan.diagnostics,
                               *no_cards_diagnostics(result)]
    sync = None
    if use_state:
        from mkdeck.export.sync import reconcile

        plan, sync, state_diags = reconcile(
            result, rendered, plan, css=css, build_time=time_cap(environ=dict(env)),
            graph=incremental.graph if incremental else None, memo=memo,
            read=session.state_read(result.vault.root) if session is not None else None)
        diags.extend(state_diags)
    if memo is not None:
        memo.finish()
    known = cache.load_schemas(out_path, env)
    diags.extend(schema_changes(plan, known, result.vault.config.source))
    plan = bump_model_mod(plan, known, time_cap(environ=dict(env)))
    verification = None
    if verify:
        step("verify")
        from mkdeck.verify import verify_notes

        report = verify_notes(result)
        diags.extend(report.diagnostics)
        verification = dict(report.summary)
        verification["refuted"] = max(int(verification.get("refuted", 0)),
                                      int(report.refuted))
    diags.sort(key=Diagnostic.sort_key)
    outcome = BuildOutcome(
        out=str(out_path), written=False, notes=len(plan.notes), cards=plan.card_count,
        decks=len(plan.decks), media=len(plan.media),
        skipped=plan.skipped + len(_lost_in_parse(result)),
        diagnostics=tuple(diags), verification=verification,
        stats=incremental.stats if incremental else None,
    )
    if strict and (outcome.errors or outcome.warnings):
        return outcome
    step("write")
    write_package(plan, out_path)
    outcome = _replace_written(outcome, True)
    if sync is not None and write_state:
        outcome, saved = _save_state(outcome, sync, result.vault.root)
        if session is not None:
            session.state_written(result.vault.root, outcome.sync if saved else None)
    known.update({m.name: {"fields": list(m.fields), "hash": model_hash(m),
                           "mod": plan.model_mod} for m in plan.models})
    cache.store_schemas(out_path, known, env)
    if base_key is not None:
        key = _with_state(base_key, result.vault.root if use_state else None)
        cache.store(key, out_path, _summary_dict(outcome), env)
    return outcome


def _base_key(paths: Sequence[str | Path], root: Path, config: str | Path | None,
              deck: str | None, strict: bool, env: Mapping[str, str],
              use_state: bool, stamp: str | None = None) -> str | None:
    """The build cache's fingerprint of the vault's files and the build's options (the state
    file's bytes are added by :func:`_with_state`); ``None``: not cacheable. ``stamp``:
    :func:`code_stamp` when known already."""
    from mkdeck.vault import resolve_paths

    extra = [CACHE_FORMAT, __version__, stamp or code_stamp(), str(root),
             *(str(p) for p in resolve_paths(paths)), str(config or ""), deck or "",
             str(strict), env.get("SOURCE_DATE_EPOCH", ""), f"state={use_state}"]
    if config is not None:
        try:
            st = os.stat(config)
            extra.append(f"{st.st_size}:{st.st_mtime_ns}")
        except OSError:
            pass
    return cache.fingerprint(root, extra)


def _save_state(outcome: BuildOutcome, sync: SyncReport, root: str,
                ) -> tuple[BuildOutcome, bool]:
    """``(outcome, saved)`` after writing the sync state into the vault (the package is
    written): with ``sync`` as written, and the MKD335 warning when the vault cannot be
    written (``saved`` is then ``False``: the file does not hold ``sync.state``)."""
    from mkdeck.export.sync import save_state

    sync, failed = save_state(root, sync)
    return dataclasses.replace(
        outcome, sync=sync,
        diagnostics=tuple(sorted([*outcome.diagnostics, *failed], key=Diagnostic.sort_key)),
    ), not failed


def _with_state(base_key: str, root: str | Path | None) -> str:
    """The cache key of a build: ``base_key`` (the vault's files and the options) and the
    state file (which the fingerprint leaves out: the build writes it) by its ``lstat``
    (type, size, mtime and ctime in ns, device, inode: how the fingerprint knows every other
    file; reading and hashing its bytes, 16 MB at 10,000 notes, cost a rebuild 0.04 s),
    or nothing of it for ``root=None`` (``--no-state``)."""
    import hashlib

    from mkdeck.export.state import STATE_FILE

    h = hashlib.sha256(base_key.encode("ascii"))
    if root is not None:
        try:
            st = os.stat(os.path.join(root, STATE_FILE), follow_symlinks=False)
            h.update(f"state\x00{st.st_mode}\x00{st.st_size}\x00{st.st_mtime_ns}\x00"
                     f"{st.st_ctime_ns}\x00{st.st_dev}\x00{st.st_ino}".encode("ascii"))
        except OSError:
            h.update(b"no state")
    return h.hexdigest()


def _cached_sync(root: str | Path) -> SyncReport | None:
    """The sync report of a build served from the cache: the state file is what that build
    left (the cache key holds its ``lstat``), nothing to write."""
    from mkdeck.export.state import read_state
    from mkdeck.export.sync import SyncReport

    read = read_state(root)
    if read.state is None:
        return None
    return SyncReport(state=read.state, previous=read.state, removed=read.state.removed(),
                      moved=read.state.moved(), written=False, path=read.path)


def _lost_in_parse(result: ParseResult) -> set[tuple[str, int]]:
    """Cards the parser dropped: the places of its error diagnostics in notes that are not
    the START of a parsed note (the parser reports a skipped card at its START line)."""
    starts = {(n.location.path, n.location.line) for n in result.notes}
    return {
        (d.location.path, d.location.line)
        for d in result.diagnostics
        if d.severity is Severity.ERROR and d.location.line > 0
        and d.location.path.lower().endswith(".md")
        and (d.location.path, d.location.line) not in starts
    }


NOTE_TYPE_CHANGED = register(
    "MKD308",
    Severity.WARNING,
    "note type's fields changed since the last build",
    fix="Keep the note type's old field list; or, when importing, tick \"Merge note types\" "
    "and set \"Update notes\" to \"Always\" in Anki's import dialog, else Anki adds a copy of "
    "the type named with a '+' and skips every existing note.",
)


def model_hash(model: ModelSpec) -> str:
    """A digest of a note type's templates and CSS (what Anki replaces on an update)."""
    import hashlib

    text = json.dumps([model.fields, model.templates, model.css])
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def bump_model_mod(plan: ExportPlan, known: Mapping[str, Mapping[str, Any]],
                   cap: int) -> ExportPlan:
    """``plan`` with a note-type mtime above the one last written to the same package when a
    note type's templates or CSS changed (a new mkdeck, an edited config): Anki replaces a
    note type on import only when the package's is newer (research §4). Capped at ``cap``
    (now or ``SOURCE_DATE_EPOCH``). Once bumped, later builds keep that mtime (so rebuilding
    the same vault still gives the same bytes); a machine without that memory writes the
    lower, vault-derived one, which Anki then ignores as older."""
    floor = 0
    for model in plan.models:
        old = known.get(model.name)
        if old:  # never below what Anki already has; above it when the type changed
            changed = old.get("hash") != model_hash(model)
            floor = max(floor, int(old.get("mod", 0)) + int(changed))
    if floor > plan.model_mod:
        return dataclasses.replace(plan, model_mod=min(floor, cap))
    return plan


def schema_changes(plan: ExportPlan, known: Mapping[str, Mapping[str, Any]],
                   config_source: str | None) -> list[Diagnostic]:
    """MKD308 warnings for note types whose fields differ from those last written to the same
    package (Anki treats that as a new note type: research §0.3, §5 c2)."""
    out = []
    for model in plan.models:
        old = (known.get(model.name) or {}).get("fields")
        if old is not None and list(old) != list(model.fields):
            out.append(NOTE_TYPE_CHANGED.at(
                SourceLocation(config_source or ".", 0),
                f"note type {model.name!r} had fields {list(old)} in the last build of this "
                f"deck and now has {list(model.fields)}: Anki will not update existing notes "
                f"of it unless you import with \"Merge note types\" and \"Update notes: "
                f"Always\"."))
    return out


def _replace_written(outcome: BuildOutcome, written: bool) -> BuildOutcome:
    return dataclasses.replace(outcome, written=written)
