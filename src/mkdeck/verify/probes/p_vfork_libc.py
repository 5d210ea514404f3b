"""Probe (pure Python): vfork suspends the parent and shares its memory.

glibc clone(usleep, CLONE_VM|CLONE_VFORK) runs usleep(50 ms) in the child with no Python in it
(the libc-clone trick); the parent's clone() must not return before that sleep is over. A
suspended parent can never return earlier, whatever the load; so the control, the same clone
without CLONE_VFORK, gives its child a long sleep (0.9 s, killed once clone() has returned):
it must return before that, and load would have to keep the parent off the CPU for the whole
0.9 s to fake a suspension. Memory: clone(time, CLONE_VM|CLONE_VFORK) writes the parent's
variable; control: CLONE_VFORK alone does not (os.vfork does not exist).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import signal
import time

from _probelib import Facts

F = Facts("vfork-py")
libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
libc.clone.restype = ctypes.c_int
libc.clone.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_int, ctypes.c_void_p]
CLONE_VM, CLONE_VFORK = 0x100, 0x4000
SIGCHLD = int(signal.SIGCHLD)
STACK = 256 * 1024
stack = ctypes.create_string_buffer(STACK)
top = (ctypes.addressof(stack) + STACK - 64) & ~0xF


def timed(fn: str, arg: int, flags: int) -> tuple[float, int]:
    ptr = ctypes.cast(getattr(libc, fn), ctypes.c_void_p).value
    t0 = time.monotonic()
    pid = libc.clone(ptr, top, flags | SIGCHLD, arg)
    ms = (time.monotonic() - t0) * 1000
    if pid > 0:
        os.waitpid(pid, 0)
    return ms, pid


def suspended(flags: int, sleep_us: int) -> tuple[int, float]:
    """1: clone() returned only after the child's sleep was over (the parent was suspended),
    0: before it, -1: no child. A child still sleeping when clone() returned is killed."""
    ptr = ctypes.cast(libc.usleep, ctypes.c_void_p).value
    t0 = time.monotonic()
    pid = libc.clone(ptr, top, flags | SIGCHLD, sleep_us)
    ms = (time.monotonic() - t0) * 1000
    if pid <= 0:
        return -1, ms
    if os.waitpid(pid, os.WNOHANG)[0] == 0:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    return (1 if ms >= 0.9 * sleep_us / 1000 else 0), ms


v, vfork_ms = suspended(CLONE_VM | CLONE_VFORK, 50000)
f, plain_ms = suspended(CLONE_VM, 900000)
x = ctypes.c_long(0)
timed("time", ctypes.addressof(x), CLONE_VM | CLONE_VFORK)
seen = x.value != 0
x.value = 0
timed("time", ctypes.addressof(x), CLONE_VFORK)
control_seen = x.value != 0
METHOD = "does clone() return before the child's sleep is over"
F.add("vfork.suspends_parent", v == 1, v >= 0 and f == 0, method=METHOD,
      vfork_returned_after_ms=round(vfork_ms, 1), child_sleep_ms=50,
      control_clone_vm_returned_after_ms=round(plain_ms, 1), control_child_sleep_ms=900)
F.add("fork.suspends_parent", f == 1, f >= 0 and v == 1, method=METHOD,
      clone_without_vfork_returned_after_ms=round(plain_ms, 1), child_sleep_ms=900,
      control_vfork_returned_after_ms=round(vfork_ms, 1), control_child_sleep_ms=50)
F.add("vfork.shares_memory", seen, not control_seen, child_write_seen=seen,
      control_without_clone_vm_seen=control_seen)
F.emit()
