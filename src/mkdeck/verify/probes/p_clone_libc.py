"""Probe (pure Python): what each clone flag shares, with glibc's clone() via ctypes.

The libc-clone trick (research: live-kernel-checks.md section 4): the child runs one libc
function taking one argument (time, chdir, close, sigignore) on its own stack, then glibc's
wrapper exits with its return value, so no Python code ever runs in the child, which makes
CLONE_VM and CLONE_SIGHAND safe to test. Every flag F is tested for every resource R with
and without F (the control); CLONE_SIGHAND needs CLONE_VM in both runs.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import signal
import tempfile

from _probelib import Facts, status_field

F = Facts("clone-py")
libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
libc.clone.restype = ctypes.c_int
libc.clone.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_int, ctypes.c_void_p]
CLONE_VM, CLONE_FS, CLONE_FILES, CLONE_SIGHAND = 0x100, 0x200, 0x400, 0x800
CLONE_THREAD = 0x10000
SIGCHLD = int(signal.SIGCHLD)
FLAGS = {"CLONE_VM": CLONE_VM, "CLONE_FS": CLONE_FS, "CLONE_FILES": CLONE_FILES,
         "CLONE_SIGHAND": CLONE_SIGHAND}
BASE = {"CLONE_SIGHAND": CLONE_VM}
STACK_SIZE = 256 * 1024
stack = ctypes.create_string_buffer(STACK_SIZE)
stack_top = (ctypes.addressof(stack) + STACK_SIZE - 64) & ~0xF
PROBE_FD = 301
SIG = int(signal.SIGUSR2)
tmpdir = os.path.realpath(tempfile.mkdtemp(prefix="mkdeck-clone-"))
home = os.getcwd()
tmp_c = ctypes.create_string_buffer(tmpdir.encode())
x = ctypes.c_long(0)


def fnptr(name: str) -> int:
    return ctypes.cast(getattr(libc, name), ctypes.c_void_p).value


def run(fn: str, arg: int, flags: int) -> tuple[int, int]:
    """clone(fn, arg) with ``flags``; returns (pid or -errno, raw wait status or -1)."""
    pid = libc.clone(fnptr(fn), stack_top, flags | SIGCHLD, arg)
    if pid < 0:
        return -ctypes.get_errno(), -1
    return pid, os.waitpid(pid, 0)[1]


def sig_ignored() -> bool:
    return bool(int(status_field("self", "SigIgn") or "0", 16) & (1 << (SIG - 1)))


def shared(resource: str, flags: int) -> tuple[bool, bool]:
    """(resource changed in the parent after the child changed it, child call succeeded).
    File-system information is cwd and umask: both must move together."""
    os.dup2(os.open("/dev/null", os.O_RDONLY), PROBE_FD)
    os.chdir(home)
    os.umask(0o022)
    signal.signal(SIG, signal.SIG_DFL)
    x.value = 0
    if resource == "memory":
        pid, st = run("time", ctypes.addressof(x), flags)
        seen, ok = x.value != 0, pid > 0
    elif resource == "fs":
        pid, st = run("chdir", ctypes.addressof(tmp_c), flags)
        pid2, _ = run("umask", 0o077, flags)
        now = os.umask(0o022)
        cwd_seen, umask_seen = os.getcwd() == tmpdir, now == 0o077
        seen = cwd_seen and umask_seen
        ok = pid > 0 and st == 0 and pid2 > 0 and cwd_seen == umask_seen
    elif resource == "files":
        pid, st = run("close", PROBE_FD, flags)
        try:
            os.fstat(PROBE_FD)
            seen = False
        except OSError:
            seen = True
        ok = pid > 0 and st == 0  # close() returned 0: the child had the fd (a copy)
    else:
        pid, st = run("sigignore", SIG, flags)
        seen, ok = sig_ignored(), pid > 0 and st == 0
    os.chdir(home)
    os.umask(0o022)
    signal.signal(SIG, signal.SIG_DFL)
    return seen, ok


RESOURCES = ("memory", "fs", "files", "sighand")
OWN = {"CLONE_VM": "memory", "CLONE_FS": "fs", "CLONE_FILES": "files",
       "CLONE_SIGHAND": "sighand"}
matrix: dict[str, dict[str, tuple[bool, bool]]] = {}
all_ok = True
for name, flag in FLAGS.items():
    base = BASE.get(name, 0)
    matrix[name] = {}
    for res in RESOURCES:
        with_f, ok1 = shared(res, base | flag)
        without, ok2 = shared(res, base)
        all_ok = all_ok and ok1 and ok2
        matrix[name][res] = (with_f, without)
own_ok = all(matrix[f][OWN[f]] == (True, False) for f in FLAGS)
for name in FLAGS:
    for res in RESOURCES:
        with_f, without = matrix[name][res]
        F.add(f"clone.shares.{name}.{res}", with_f and not without, all_ok and own_ok,
              shared_with_flag=with_f, shared_without_flag=without,
              base_flags="CLONE_VM" if name in BASE else "none")
plain = {res: shared(res, 0) for res in RESOURCES}
vm_control = shared("memory", CLONE_VM)[0]
plain_pid, _ = run("time", ctypes.addressof(x), 0)
F.add("clone.no_flags_like_fork",
      not any(s for s, _ in plain.values()) and plain_pid > 0 and plain_pid != os.getpid(),
      all(ok for _, ok in plain.values()) and vm_control,
      shared_without_flags={r: s for r, (s, _) in plain.items()}, child_pid=plain_pid,
      control_clone_vm_shares_memory=vm_control)
F.add("clone.controls_sharing", own_ok, all_ok,
      per_flag={f: {"with": matrix[f][OWN[f]][0], "without": matrix[f][OWN[f]][1]}
                for f in FLAGS})
F.add("clone.creates_process", plain_pid > 0 and plain_pid != os.getpid(), all_ok,
      child_pid=plain_pid, parent_pid=os.getpid())
e_sighand, _ = run("time", ctypes.addressof(x), CLONE_SIGHAND)
c_sighand, _ = run("time", ctypes.addressof(x), CLONE_SIGHAND | CLONE_VM)
e_thread, _ = run("time", ctypes.addressof(x), CLONE_THREAD | CLONE_VM)
F.add("clone.sighand_requires_vm", e_sighand == -22, c_sighand > 0,
      sighand_without_vm=e_sighand, control_sighand_with_vm=c_sighand)
F.add("clone.thread_requires_sighand", e_thread == -22, c_sighand > 0,
      thread_without_sighand=e_thread)
os.rmdir(tmpdir)
F.emit()
