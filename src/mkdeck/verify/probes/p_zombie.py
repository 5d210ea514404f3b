"""Probe: an exited child is a zombie until waited for; wait returns its status and reaps it;
with SIGCHLD ignored no zombie is left. Pipe handshakes, never sleeps, order the steps; the
child's state is polled from /proc/<pid>/stat (control: state S while it is blocked).
"""

from __future__ import annotations

import errno
import os
import signal
import time

from _probelib import Facts, proc_state, status_field

F = Facts("zombie")


def poll_state(pid: int, want: str, limit: float = 2.0) -> str | None:
    end = time.monotonic() + limit
    while time.monotonic() < end:
        s = proc_state(pid)
        if s == want or s is None:
            return s
        time.sleep(0.0005)
    return proc_state(pid)


r, w = os.pipe()
pid = os.fork()
if pid == 0:
    os.close(w)
    os.read(r, 1)
    os._exit(7)
os.close(r)
before = poll_state(pid, "S")
rss_before = status_field(pid, "VmRSS")
os.write(w, b"x")
os.close(w)
after = poll_state(pid, "Z")
rss_zombie = status_field(pid, "VmRSS")
_, status = os.waitpid(pid, 0)
gone = not os.path.exists(f"/proc/{pid}")
code = os.WEXITSTATUS(status) if os.WIFEXITED(status) else None
F.add("wait.zombie_until_wait", after == "Z", before in ("S", "R"), state_blocked=before,
      state_after_exit=after, vmrss_before=rss_before, vmrss_zombie=rss_zombie)
F.add("wait.reaps_zombie", gone, after == "Z", proc_entry_gone_after_wait=gone)
F.add("wait.zombie_releases_memory", rss_zombie is None and rss_before is not None,
      after == "Z" and rss_before is not None, vmrss_while_running=rss_before,
      vmrss_as_zombie=rss_zombie)
# wait blocks until a child exits; control: WNOHANG returns 0 at once while it runs
r, w = os.pipe()
p3 = os.fork()
if p3 == 0:
    os.close(w)
    os.read(r, 1)
    time.sleep(0.05)
    os._exit(3)
os.close(r)
nohang = os.waitpid(p3, os.WNOHANG)
os.write(w, b"x")
os.close(w)
t0 = time.monotonic()
_, st3 = os.waitpid(p3, 0)
blocked_ms = (time.monotonic() - t0) * 1000
F.add("wait.blocks_until_exit", blocked_ms >= 40 and os.WIFEXITED(st3),
      nohang == (0, 0), waitpid_returned_after_ms=round(blocked_ms, 1), child_sleep_ms=50,
      control_wnohang_while_running=list(nohang))
F.add("wait.wnohang_returns_zero", nohang == (0, 0), blocked_ms >= 40,
      wnohang_while_running=list(nohang))
F.add("wait.returns_status", code == 7, os.WIFEXITED(status), child_exit=7, wait_gave=code)
# SIGCHLD ignored: no zombie, waitpid fails with ECHILD
signal.signal(signal.SIGCHLD, signal.SIG_IGN)
r, w = os.pipe()
p2 = os.fork()
if p2 == 0:
    os._exit(0)
end = time.monotonic() + 2
while os.path.exists(f"/proc/{p2}") and time.monotonic() < end:
    time.sleep(0.0005)
try:
    os.waitpid(p2, 0)
    echild = False
except ChildProcessError as exc:
    echild = exc.errno == errno.ECHILD
signal.signal(signal.SIGCHLD, signal.SIG_DFL)
F.add("wait.sigchld_ignored_no_zombie", echild and not os.path.exists(f"/proc/{p2}"),
      after == "Z", waitpid_echild=echild)
F.emit()
