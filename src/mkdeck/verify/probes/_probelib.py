"""Shared helpers for mkdeck's probe programs (run as scripts: ``python -E -s -S p_x.py``).

A probe prints exactly one JSON line on stdout:
``{"probe": name, "facts": {key: {"value", "valid", "evidence"}}, "t_ms": float}``.
``valid`` says whether the probe's control behaved, so the measurement could tell the cases
apart; a fact with ``valid`` false is never used for a verdict.
"""

from __future__ import annotations

import ctypes
import errno
import json
import os
import signal
import sys
import time
from collections.abc import Callable

T0 = time.monotonic()


class Facts:
    """Collects facts and prints them as the probe's single JSON line."""

    def __init__(self, probe: str) -> None:
        self.probe = probe
        self.facts: dict[str, dict[str, object]] = {}

    def add(self, key: str, value: object, valid: object, **evidence: object) -> None:
        """Record fact ``key`` = ``value``; ``valid`` is whether its control behaved."""
        self.facts[key] = {"value": value, "valid": bool(valid), "evidence": evidence}

    def emit(self) -> None:
        """Print the JSON line and flush."""
        out = {"probe": self.probe, "facts": self.facts,
               "t_ms": round((time.monotonic() - T0) * 1000, 2)}
        sys.stdout.write(json.dumps(out, sort_keys=True, default=str) + "\n")
        sys.stdout.flush()


def read_all(fd: int) -> bytes:
    """Read ``fd`` to end of file and close it."""
    chunks = []
    while True:
        b = os.read(fd, 65536)
        if not b:
            break
        chunks.append(b)
    os.close(fd)
    return b"".join(chunks)


def in_child(fn: Callable[[], object]) -> str:
    """Run ``fn`` in a forked child and return ``str(fn())`` as the child wrote it to a pipe;
    ``"error <repr>"`` when it raised (the child never raises past ``os._exit``)."""
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        try:
            os.write(w, str(fn()).encode())
        except BaseException as exc:  # report, never raise in the child
            os.write(w, f"error {exc!r}".encode())
        finally:
            os._exit(0)
    os.close(w)
    out = read_all(r).decode()
    os.waitpid(pid, 0)
    return out


def status_field(pid: int | str, name: str) -> str | None:
    """The value of ``name:`` in ``/proc/<pid>/status`` (``"self"`` allowed), or ``None``."""
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith(name + ":"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        return None
    return None


def proc_state(pid: int) -> str | None:
    """The one-letter state from ``/proc/<pid>/stat`` (``"S"``, ``"Z"``…), or ``None``."""
    try:
        with open(f"/proc/{pid}/stat") as fh:
            data = fh.read()
    except OSError:
        return None
    return data.rsplit(")", 1)[1].split()[0]


def wait_status(pid: int) -> int:
    """``waitpid`` and return the raw status."""
    return os.waitpid(pid, 0)[1]


# ---- shared by the lifecycle probes (p_life_*.py) -----------------------------------------
libc = ctypes.CDLL(None, use_errno=True)
libc.prctl.argtypes = [ctypes.c_int, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong,
                       ctypes.c_ulong]
F_GETPIPE_SZ = 1032
PR_SET_CHILD_SUBREAPER = 36
PR_GET_CHILD_SUBREAPER = 37
PR_SET_DUMPABLE = 4
CATCHABLE = [s for s in range(1, 32) if s not in (signal.SIGKILL, signal.SIGSTOP)]


def wait_for(pred, limit: float = 3.0) -> bool:
    """Poll ``pred()`` every 0.5 ms for up to ``limit`` seconds; its last value."""
    end = time.monotonic() + limit
    while time.monotonic() < end:
        if pred():
            return True
        time.sleep(0.0005)
    return pred()


def errname(fn) -> str:
    """The errno name ``fn()`` failed with, or ``"none"``."""
    try:
        fn()
        return "none"
    except OSError as exc:
        return errno.errorcode.get(exc.errno or 0, str(exc.errno))
