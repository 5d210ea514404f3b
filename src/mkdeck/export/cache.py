"""The build cache: a finished package, reused when nothing it was built from has changed.

It lives only in the user cache folder (``$XDG_CACHE_HOME/mkdeck``, default
``~/.cache/mkdeck``; XDG Base Directory spec), never in the vault or next to the output.
An entry is keyed by a fingerprint of everything a build reads: mkdeck's and genanki's
versions, the command's options, ``SOURCE_DATE_EPOCH``, and every file under the vault root
(path, size, mtime, and the inode number and ctime in ns, except ``.git``/``.trash`` and
``.apkg`` files). ctime is part of the key because no tool can set it: an edit whose mtime was
put back (``touch -d``, ``cp -p``, ``rsync -t``, ``tar x``) still changes ctime, as it does for
git's index, so a cached package is never returned for files that changed. A build with a file
dated in the future is never cached (its note mtimes depend on the clock).

An entry is ``<key>.apkg`` (the package bytes) and ``<key>.json`` (the build's summary and
diagnostics); both are written atomically, and at most :data:`KEEP` entries are kept.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import time
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from mkdeck.vault.read import remove_leftovers, temp_name

LOG = logging.getLogger(__name__)

KEEP = 8
_SKIP_DIRS = frozenset({".git", ".trash", ".hg", ".svn", "__pycache__"})


def cache_dir(environ: Mapping[str, str] | None = None) -> Path:
    """``$XDG_CACHE_HOME/mkdeck`` (``~/.cache/mkdeck`` when unset or not absolute)."""
    env = os.environ if environ is None else environ
    base = env.get("XDG_CACHE_HOME", "")
    root = Path(base) if base and os.path.isabs(base) else Path.home() / ".cache"
    return root / "mkdeck" / "builds"


def fingerprint(root: Path, extra: Iterable[str], *, now: float | None = None) -> str | None:
    """A key for a build of the vault at ``root`` with options ``extra``; ``None`` when the
    build must not be cached (a file dated in the future, or the vault cannot be walked)."""
    h = hashlib.sha256()
    for item in extra:
        h.update(item.encode("utf-8", "surrogateescape") + b"\x00")
    limit = (time.time() if now is None else now) * 1e9
    # An explicit stack, not os.walk: os.walk recurses once per folder level before Python
    # 3.12, so a tree 1,000 folders deep raised RecursionError. Folders are visited in sorted
    # order (deepest-first by name), which is all the key needs: the same tree, the same key.
    stack = [""]
    try:
        while stack:
            prefix = stack.pop()
            with os.scandir(os.path.join(root, prefix) if prefix else root) as it:
                entries = sorted(it, key=lambda e: e.name)
            subdirs = []
            for entry in entries:
                name = entry.name
                if entry.is_dir(follow_symlinks=False):
                    if name not in _SKIP_DIRS:
                        subdirs.append(prefix + name + "/")
                    continue
                # the sync state is written by the build: its bytes enter the key apart
                if name.endswith(".apkg") or name.endswith(".tmp") or name == ".mkdeck-state":
                    continue
                # the file's own stat (a link's target included), without opening it: a FIFO
                # or device is only stat()ed; a dangling link keeps its lstat
                try:
                    st = entry.stat()
                except OSError:
                    st = entry.stat(follow_symlinks=False)
                if st.st_mtime_ns > limit:
                    return None
                rel = prefix + name
                h.update(f"{rel}\x00{st.st_size}\x00{st.st_mtime_ns}\x00{st.st_ctime_ns}"
                         f"\x00{st.st_dev}\x00{st.st_ino}\x00".encode("utf-8", "surrogateescape"))
            stack.extend(reversed(subdirs))
    except OSError as exc:
        LOG.debug("not caching: %s", exc)
        return None
    return h.hexdigest()


def load(key: str, environ: Mapping[str, str] | None = None) -> tuple[Path, dict[str, Any]] | None:
    """``(package path, summary)`` of a cached build, or ``None``."""
    folder = cache_dir(environ)
    pkg, meta = folder / f"{key}.apkg", folder / f"{key}.json"
    try:
        summary = json.loads(meta.read_text("utf-8"))
        if not pkg.is_file():
            return None
        os.utime(meta)  # most recently used
    except (OSError, ValueError):
        return None
    return pkg, summary


def _atomic_write(path: Path, data: bytes) -> None:
    tmp = path.with_name(temp_name(path.name))
    try:
        tmp.write_bytes(data)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def store(key: str, package: Path, summary: dict[str, Any],
          environ: Mapping[str, str] | None = None) -> None:
    """Keep ``package`` and ``summary`` under ``key``; drop the oldest entries beyond
    :data:`KEEP`. Failures are logged, never raised (a cache is optional)."""
    folder = cache_dir(environ)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        remove_leftovers(folder, f"{key}.apkg")
        tmp = folder / temp_name(f"{key}.apkg")
        try:
            shutil.copyfile(package, tmp)
            os.replace(tmp, folder / f"{key}.apkg")
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        _atomic_write(folder / f"{key}.json", json.dumps(summary).encode("utf-8"))
        metas = sorted(folder.glob("*.json"), key=lambda p: p.stat().st_mtime, reverse=True)
        for old in metas[KEEP:]:
            old.unlink(missing_ok=True)
            old.with_suffix(".apkg").unlink(missing_ok=True)
    except OSError as exc:
        LOG.warning("build cache not written: %s", exc)


def copy_out(cached: Path, out: Path) -> int:
    """Copy a cached package to ``out`` atomically (temp file in ``out``'s folder, renamed);
    return its size in bytes."""
    folder = out.parent if str(out.parent) else Path(".")
    remove_leftovers(folder, out.name)
    tmp = folder / temp_name(out.name)
    try:
        shutil.copyfile(cached, tmp)
        os.replace(tmp, out)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return out.stat().st_size


def _schemas_file(environ: Mapping[str, str] | None = None) -> Path:
    return cache_dir(environ).parent / "notetypes.json"


def load_schemas(out: Path, environ: Mapping[str, str] | None = None) -> dict[str, dict[str, Any]]:
    """What was last written to the package ``out`` (by absolute path) on this machine, per
    note type name: ``{"fields": [...], "hash": "<templates and CSS>", "mod": int}``; empty
    when unknown or unreadable."""
    try:
        data = json.loads(_schemas_file(environ).read_text("utf-8"))
        entry = data.get(str(out.resolve()), {})
        return {str(k): dict(v) for k, v in entry.items() if isinstance(v, dict)}
    except (OSError, ValueError, AttributeError, TypeError):
        return {}


def store_schemas(out: Path, schemas: Mapping[str, Mapping[str, Any]],
                  environ: Mapping[str, str] | None = None) -> None:
    """Remember the note types written to ``out`` (see :func:`load_schemas`); failures are
    logged, never raised."""
    path = _schemas_file(environ)
    try:
        try:
            data = json.loads(path.read_text("utf-8"))
            if not isinstance(data, dict):
                data = {}
        except (OSError, ValueError):
            data = {}
        data[str(out.resolve())] = {k: dict(v) for k, v in schemas.items()}
        path.parent.mkdir(parents=True, exist_ok=True)
        _atomic_write(path, json.dumps(data, sort_keys=True).encode("utf-8"))
    except OSError as exc:
        LOG.warning("note types not remembered: %s", exc)
