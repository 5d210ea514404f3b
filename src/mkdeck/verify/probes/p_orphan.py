"""Probe: an orphan is re-parented to the nearest child subreaper ancestor, or to PID 1 of
its PID namespace (prctl(2) PR_SET_CHILD_SUBREAPER). The literal "adopted by init" depends
on the host: mkdeck's own runner is a subreaper, as are systemd user managers and container
inits, so the general rule is what is checked. Control: the grandchild first records its
PPID (the middle process) through a pipe handshake, then sees it change.
"""

from __future__ import annotations

import ctypes
import os
import time

from _probelib import Facts, status_field

F = Facts("orphan")
libc = ctypes.CDLL(None, use_errno=True)
PR_SET_CHILD_SUBREAPER = 36


def ancestors(pid: int) -> list[int]:
    out = []
    while pid > 1:
        ppid = int(status_field(pid, "PPid") or 0)
        out.append(ppid)
        pid = ppid
    return out


def orphan_once() -> tuple[int, int, int]:
    """Returns (middle pid, grandchild's PPID before, after the middle process exited)."""
    r, w = os.pipe()
    middle = os.fork()
    if middle == 0:
        gr, gw = os.pipe()
        g = os.fork()
        if g == 0:
            os.close(gr)
            before = os.getppid()
            os.write(gw, b"1")
            end = time.monotonic() + 3
            while os.getppid() == before and time.monotonic() < end:
                time.sleep(0.0002)
            os.write(w, f"{before} {os.getppid()}".encode())
            os._exit(0)
        os.close(gw)
        os.read(gr, 1)  # the grandchild has recorded its PPID
        os._exit(0)
    os.close(w)
    os.waitpid(middle, 0)
    data = b""
    while True:
        b = os.read(r, 100)
        if not b:
            break
        data += b
    os.close(r)
    before, after = (int(x) for x in data.split())
    return middle, before, after


me = os.getpid()
libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
m1, b1, a1 = orphan_once()
time.sleep(0.001)
try:
    while os.waitpid(-1, os.WNOHANG)[0]:
        pass
except ChildProcessError:
    pass
F.add("orphan.adopted_by_subreaper", a1 == me, b1 == m1, adopter=a1, probe_pid=me,
      ppid_before=b1)
libc.prctl(PR_SET_CHILD_SUBREAPER, 0, 0, 0, 0)
m2, b2, a2 = orphan_once()
chain = ancestors(me)
with open(f"/proc/{a2}/comm") if os.path.exists(f"/proc/{a2}/comm") else open(os.devnull) as fh:
    comm = fh.read().strip()
F.add("orphan.adopted_by_init_or_subreaper", a2 in chain, b2 == m2 and a2 != m2,
      adopter=a2, adopter_comm=comm, adopter_is_pid_1=a2 == 1, probe_ancestors=chain,
      host_dependent="the adopter is PID 1 only when no ancestor is a child subreaper")
F.emit()
