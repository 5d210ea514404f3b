"""Probe (pure Python): vfork suspends the parent and shares its memory.

glibc clone(usleep, CLONE_VM|CLONE_VFORK) runs usleep(50 ms) in the child with no Python in it
(the libc-clone trick); the parent's clone() must not return before that. Control: the same
clone without CLONE_VFORK returns at once. Memory: clone(time, CLONE_VM|CLONE_VFORK) writes
the parent's variable; control: CLONE_VFORK alone does not (os.vfork does not exist).
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


vfork_ms, p1 = timed("usleep", 50000, CLONE_VM | CLONE_VFORK)
plain_ms, p2 = timed("usleep", 50000, CLONE_VM)
x = ctypes.c_long(0)
timed("time", ctypes.addressof(x), CLONE_VM | CLONE_VFORK)
seen = x.value != 0
x.value = 0
timed("time", ctypes.addressof(x), CLONE_VFORK)
control_seen = x.value != 0
F.add("vfork.suspends_parent", vfork_ms >= 45, plain_ms < 45 and p1 > 0 and p2 > 0,
      vfork_returned_after_ms=round(vfork_ms, 1), child_sleep_ms=50,
      control_clone_vm_returned_after_ms=round(plain_ms, 1))
F.add("fork.suspends_parent", plain_ms >= 45, vfork_ms >= 45 and p2 > 0,
      clone_without_vfork_returned_after_ms=round(plain_ms, 1), child_sleep_ms=50,
      control_vfork_returned_after_ms=round(vfork_ms, 1))
F.add("vfork.shares_memory", seen, not control_seen, child_write_seen=seen,
      control_without_clone_vm_seen=control_seen)
F.emit()
