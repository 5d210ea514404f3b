"""Probe: fork() duplicates the caller, returns the child's PID / 0, PPID, separate memory.

Controls: a MAP_SHARED page the child writes must be visible (so a missed write is not taken
for separation); the parent's own PID/PPID must differ (so equality would be detected).
"""

from __future__ import annotations

import json
import mmap
import os
import threading

from _probelib import Facts, read_all, status_field

F = Facts("fork")
parent = os.getpid()
shared = mmap.mmap(-1, 4096, flags=mmap.MAP_SHARED | mmap.MAP_ANONYMOUS)
private = mmap.mmap(-1, 4096, flags=mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS)
private[:8] = b"PATTERN1"
shared[:8] = b"PARENT00"
heap = bytearray(b"HEAPDATA")
fd_probe = os.open("/dev/null", os.O_RDONLY)
hold = threading.Event()
extra = threading.Thread(target=hold.wait, daemon=True)
extra.start()
parent_tasks = len(os.listdir("/proc/self/task"))
r, w = os.pipe()
ret = os.fork()
if os.getpid() != parent:  # the child, detected without trusting the return value
    try:
        os.close(r)
        try:
            os.fstat(fd_probe)
            fd_ok = True
        except OSError:
            fd_ok = False
        info = {
            "ret": ret, "pid": os.getpid(), "ppid": os.getppid(),
            "status_ppid": int(status_field("self", "PPid") or -1),
            "private_seen": bytes(private[:8]).decode(), "heap_seen": bytes(heap).decode(),
            "fd_inherited": fd_ok, "cwd": os.getcwd(),
            "tasks": len(os.listdir("/proc/self/task")),
        }
        private[:8] = b"CHILDWRT"
        heap[:] = b"CHILDHEP"
        shared[:8] = b"CHILDSHR"
        os.write(w, json.dumps(info).encode())
    finally:
        os._exit(0)
os.close(w)
raw = read_all(r)
_, status = os.waitpid(ret, 0)
hold.set()
ran = bool(raw) and os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0
c = json.loads(raw) if raw else {}
own = os.getpid() == parent and os.getppid() != parent
shared_seen = bytes(shared[:8]).decode()
F.add("fork.returns_child_pid", ran and ret == c.get("pid"), ran and c.get("pid") != parent,
      parent_got=ret, child_getpid=c.get("pid"), parent_pid=parent)
F.add("fork.returns_zero_in_child", ran and c.get("ret") == 0, ran and ret != 0,
      child_got=c.get("ret"), parent_got=ret)
F.add("fork.child_pid_differs", ran and c.get("pid") != parent, ran and own,
      child_pid=c.get("pid"), parent_pid=parent)
F.add("fork.child_knows_ppid", ran and c.get("ppid") == parent == c.get("status_ppid"),
      ran and os.getppid() != parent, child_getppid=c.get("ppid"),
      child_status_ppid=c.get("status_ppid"), parent_pid=parent)
F.add("fork.memory_same_content",
      ran and c.get("private_seen") == "PATTERN1" and c.get("heap_seen") == "HEAPDATA",
      ran, child_saw_private=c.get("private_seen"), child_saw_heap=c.get("heap_seen"))
sep = bytes(private[:8]) == b"PATTERN1" and bytes(heap) == b"HEAPDATA"
F.add("fork.memory_separate", ran and sep, ran and shared_seen == "CHILDSHR",
      parent_sees_private=bytes(private[:8]).decode(), parent_sees_heap=bytes(heap).decode(),
      control_map_shared_sees=shared_seen)
F.add("fork.child_writes_visible", ran and not sep, ran and shared_seen == "CHILDSHR",
      parent_sees_private=bytes(private[:8]).decode(), parent_sees_heap=bytes(heap).decode(),
      control_map_shared_sees=shared_seen)
F.add("fork.duplicates_caller",
      ran and c.get("pid") != parent and c.get("private_seen") == "PATTERN1"
      and c.get("fd_inherited") is True and c.get("cwd") == os.getcwd(),
      ran and shared_seen == "CHILDSHR",
      child_pid=c.get("pid"), memory_copied=c.get("private_seen") == "PATTERN1",
      fd_inherited=c.get("fd_inherited"), cwd_same=c.get("cwd") == os.getcwd())
F.add("fork.only_calling_thread", ran and c.get("tasks") == 1, parent_tasks >= 2,
      child_threads=c.get("tasks"), parent_threads=parent_tasks)


def failing_fork(limit: int | None) -> tuple[int, int]:
    """In a child: libc fork() under RLIMIT_NPROC ``limit`` (as uid 65534 when root, since
    the limit does not bind root). Returns (fork's return value, errno)."""
    import ctypes
    import errno
    import resource

    r2, w2 = os.pipe()
    pid = os.fork()
    if pid == 0:
        try:
            if os.geteuid() == 0:
                os.setgroups([])
                os.setgid(65534)
                os.setuid(65534)
            if limit is not None:
                resource.setrlimit(resource.RLIMIT_NPROC, (limit, limit))
            libc = ctypes.CDLL(None, use_errno=True)
            got = libc.fork()
            if got == 0:
                os._exit(0)
            err = ctypes.get_errno() if got < 0 else 0
            if got > 0:
                os.waitpid(got, 0)
            os.write(w2, f"{got} {err}".encode())
        except OSError as exc:
            os.write(w2, f"-999 {exc.errno or errno.EPERM}".encode())
        finally:
            os._exit(0)
    os.close(w2)
    data = read_all(r2).split()
    os.waitpid(pid, 0)
    return (int(data[0]), int(data[1])) if len(data) == 2 else (-999, 0)


fail_ret, fail_errno = failing_fork(0)
ok_ret, _ = failing_fork(None)  # control: the limit the probe runs with
F.add("fork.returns_minus_one_on_failure", fail_ret == -1 and fail_errno != 0,
      ok_ret > 0 and fail_ret != -999, failed_fork_returned=fail_ret, errno=fail_errno,
      control_fork_returned=ok_ret,
      method="libc fork() as uid 65534 under RLIMIT_NPROC 0 (the limit does not bind root)")
F.emit()
