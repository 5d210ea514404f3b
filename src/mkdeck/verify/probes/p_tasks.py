"""Probe: what threads of one process share and what each has (pthreads(7), clone(2)
CLONE_FILES / CLONE_FS / CLONE_SIGHAND, signal(7) "signal mask is per-thread", process- and
thread-directed signals, nptl(7) setuid, pthread_exit(3)), process IDs (getpid(2), proc(5)
PPid), RLIMIT_NPROC (getrlimit(2), fork(2) EAGAIN). mmap(2) is probe ``maps`` (p_maps.py).

Method: the facts are read from the kernel's own view, ``/proc/self/task/TID/status`` and
``/proc/self/fd``, and from libc calls through ctypes (setuid, pthread_exit, fork).
Controls: a forked child doing the same thing is not seen by the parent (so "shared" is not
"visible anyway"); a raw setuid syscall in one thread changes that thread only (so glibc's
change of every thread is glibc's); a larger RLIMIT_NPROC lets every thread start; a signal
every thread blocks stays pending.
"""

from __future__ import annotations

import ctypes
import errno
import os
import platform
import resource
import signal
import tempfile
import threading
import time

from _probelib import Facts, in_child, read_all, status_field

F = Facts("tasks")
LIBC = ctypes.CDLL(None, use_errno=True)
SYS_SETUID = {"x86_64": 105, "aarch64": 146}.get(platform.machine())


def task_status(tid: int, name: str) -> str | None:
    return status_field(f"{os.getpid()}/task/{tid}", name)


def with_thread(fn_in_thread, fn_in_main):
    """Run ``fn_in_thread`` in a second thread, then ``fn_in_main(tid)`` while it waits;
    returns (thread result, main result)."""
    ready, done = threading.Event(), threading.Event()
    box: dict[str, object] = {}

    def worker() -> None:
        box["tid"] = threading.get_native_id()
        box["thread"] = fn_in_thread()
        ready.set()
        done.wait(10)

    t = threading.Thread(target=worker, daemon=True)
    t.start()
    ready.wait(10)
    try:
        main = fn_in_main(box.get("tid"))
    finally:
        done.set()
        t.join()
    return box.get("thread"), main


# ---- threads share the descriptor table and signal dispositions, not the mask ------------
MARK = os.path.abspath(__file__)  # a file no other descriptor of the probe refers to


def open_mark() -> int:
    return os.open(MARK, os.O_RDONLY)


def fds_on_mark() -> list[int]:
    """This process's descriptors that refer to ``MARK`` (from ``/proc/self/fd``)."""
    out = []
    for name in os.listdir("/proc/self/fd"):
        try:
            if os.readlink(f"/proc/self/fd/{name}") == MARK:
                out.append(int(name))
        except OSError:
            pass
    return out


box_fd: list[int] = []
_, fd_seen = with_thread(lambda: box_fd.append(open_mark()),
                         lambda tid: bool(box_fd) and box_fd[0] in fds_on_mark())
for fd in box_fd:
    os.close(fd)
child_fd = in_child(lambda: (open_mark(), "opened")[1])
control_fd = child_fd == "opened" and fds_on_mark() == []
F.add("tasks.threads_share_fd_table", bool(fd_seen), bool(box_fd) and control_fd,
      fd_opened_in_thread=box_fd[0] if box_fd else None, seen_by_main_thread=fd_seen,
      control_fd_opened_in_fork_child_seen_by_parent=not control_fd)


def block_in_thread() -> None:
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGUSR1})


def masks(tid: int) -> tuple[str | None, str | None]:
    return task_status(tid, "SigBlk"), task_status(threading.get_native_id(), "SigBlk")


_, (blk_thread, blk_main) = with_thread(block_in_thread, masks)


def bit(mask: str | None, sig: int) -> bool | None:
    return None if mask is None else bool(int(mask, 16) >> (sig - 1) & 1)


USR1 = signal.SIGUSR1
F.add("tasks.threads_own_signal_mask", bit(blk_thread, USR1) is True
      and bit(blk_main, USR1) is False, bit(blk_thread, USR1) is True,
      thread_blocks_sigusr1=bit(blk_thread, USR1), main_blocks_sigusr1=bit(blk_main, USR1))

old = signal.signal(signal.SIGUSR2, signal.SIG_IGN)
_, ign_thread = with_thread(lambda: None, lambda tid: bit(task_status(tid, "SigIgn"),
                                                          signal.SIGUSR2))
signal.signal(signal.SIGUSR2, old)
child_ign = in_child(lambda: signal.signal(signal.SIGWINCH, signal.SIG_IGN) and "set")
parent_ign = bit(status_field("self", "SigIgn"), signal.SIGWINCH)
F.add("tasks.threads_share_dispositions", ign_thread is True, parent_ign is False,
      other_thread_ignores_sigusr2=ign_thread,
      control_parent_ignores_what_a_fork_child_ignored=parent_ign)

# ---- thread ids live in the PID number space ---------------------------------------------


def tids() -> str:
    _, tid = with_thread(lambda: None, lambda t: t)
    return f"{os.getpid()} {tid}"


mine, tgid = with_thread(lambda: None, lambda t: (t, status_field(str(t), "Tgid")))[1]
theirs = in_child(tids).split()
other_tid = int(theirs[1]) if len(theirs) == 2 else None
tid_ok = mine is not None and mine != os.getpid()
F.add("tasks.tid_system_unique", mine is not None and other_tid is not None
      and mine != other_tid and mine not in (int(theirs[0]), os.getpid())
      and tgid == str(os.getpid()), mine is not None and other_tid is not None,
      tid_here=mine, tid_in_other_process=other_tid, proc_tid_tgid=tgid,
      note="a TID is found at /proc/TID like a PID: one number space")

# ---- getpid, PPid --------------------------------------------------------------------------
rp, wp = os.pipe()
kid = os.fork()
if kid == 0:
    os.close(rp)
    os.write(wp, f"{os.getpid()} {os.getppid()} {status_field('self', 'PPid')}".encode())
    os._exit(0)
os.close(wp)
got = read_all(rp).decode().split()
os.waitpid(kid, 0)
F.add("tasks.getpid_is_callers_pid", len(got) == 3 and int(got[0]) == kid,
      len(got) == 3 and int(got[0]) != os.getpid(), child_getpid=got[0] if got else None,
      fork_returned=kid, parent_pid=os.getpid())
F.add("tasks.status_ppid_is_parent", len(got) == 3 and got[2] == got[1] == str(os.getpid()),
      len(got) == 3 and got[2] != got[0], child_status_ppid=got[2] if len(got) == 3 else None,
      child_getppid=got[1] if len(got) == 3 else None)


# ---- RLIMIT_NPROC counts threads -----------------------------------------------------------
def nproc_threads(extra: int) -> str:
    """As an unprivileged user, with RLIMIT_NPROC = tasks of that user + ``extra``: how many
    of 6 threads start."""
    if os.geteuid() == 0:
        os.setgroups([])
        os.setgid(65534)
        os.setuid(65534)
    uid = str(os.getuid())
    mine = 0
    for pid in os.listdir("/proc"):
        if pid.isdigit():
            uids = status_field(pid, "Uid")
            if uids and uids.split()[0] == uid:
                mine += int(status_field(pid, "Threads") or 0)
    resource.setrlimit(resource.RLIMIT_NPROC, (mine + extra, resource.RLIM_INFINITY)
                       if resource.getrlimit(resource.RLIMIT_NPROC)[1]
                       == resource.RLIM_INFINITY else (mine + extra,) * 2)
    gate = threading.Event()
    started = 0
    threads = []
    for _ in range(6):
        try:
            t = threading.Thread(target=gate.wait, daemon=True)
            t.start()
            threads.append(t)
            started += 1
        except RuntimeError:
            break
    gate.set()
    for t in threads:
        t.join()
    return str(started)


tight = in_child(lambda: nproc_threads(2))
loose = in_child(lambda: nproc_threads(40))
F.add("tasks.rlimit_nproc_counts_threads", tight.isdigit() and int(tight) < 6,
      tight.isdigit() and loose == "6", threads_started_at_tasks_plus_2=tight,
      control_threads_started_at_tasks_plus_40=loose)


# ---- glibc setuid() changes every thread ---------------------------------------------------
def setuid_threads(raw: bool) -> str:
    """Uid of the other thread after setuid(65534) in the main thread (``raw``: the bare
    syscall, which changes the calling thread only)."""
    def in_main(tid: int) -> str | None:
        if raw:
            LIBC.syscall(SYS_SETUID, 65534)
        else:
            LIBC.setuid(65534)
        return (task_status(tid, "Uid") or "").split()[0]
    return str(with_thread(lambda: None, in_main)[1])


if os.geteuid() == 0 and SYS_SETUID is not None:
    glibc_other = in_child(lambda: setuid_threads(False))
    raw_other = in_child(lambda: setuid_threads(True))
else:
    glibc_other = raw_other = "not measured (needs root)"
F.add("tasks.glibc_setuid_all_threads", glibc_other == "65534",
      raw_other == "0" and glibc_other in ("0", "65534"), other_thread_uid=glibc_other,
      control_raw_syscall_other_thread_uid=raw_other)


# ---- a signal sent to the process goes to a thread that does not block it -----------------
def delivery() -> str:
    """``"<pending while only the main thread blocks it> <pending while both block it>"``,
    from ``ShdPnd`` (the process-wide pending set) after kill(getpid(), SIGUSR1)."""
    signal.signal(signal.SIGUSR1, lambda *_: None)
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGUSR1})  # the main thread blocks it

    def in_main(tid: int) -> str:
        os.kill(os.getpid(), signal.SIGUSR1)
        time.sleep(0.05)
        return str(bit(status_field("self", "ShdPnd"), signal.SIGUSR1))
    # a new thread starts with its creator's mask: this one unblocks the signal
    _, one = with_thread(lambda: signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGUSR1}),
                         in_main)
    _, both = with_thread(lambda: None, in_main)
    return f"{one} {both}"


dl = in_child(delivery).split()
F.add("tasks.signal_to_unblocking_thread", dl[:1] == ["False"], dl[1:2] == ["True"],
      pending_when_another_thread_does_not_block=dl[0] if dl else None,
      control_pending_when_every_thread_blocks=dl[1] if len(dl) > 1 else None)


# ---- pthread_exit() ends the calling thread only -------------------------------------------
def pthread_exit_one() -> str:
    """A thread calls pthread_exit(); ``"<process still running> <threads before> <after>"``."""
    gate = threading.Event()
    helper = threading.Thread(target=gate.wait, daemon=True)
    helper.start()
    before = int(status_field("self", "Threads") or 0)
    LIBC.pthread_exit.argtypes = (ctypes.c_void_p,)
    t = threading.Thread(target=lambda: LIBC.pthread_exit(None), daemon=True)
    t.start()
    deadline = time.monotonic() + 2
    while time.monotonic() < deadline and int(status_field("self", "Threads") or 0) >= before + 1:
        time.sleep(0.01)
    after = int(status_field("self", "Threads") or 0)
    gate.set()
    return f"True {before} {after}"


pe = in_child(pthread_exit_one).split()
pe_ok = len(pe) == 3 and pe[0] == "True"
F.add("tasks.pthread_exit_ends_caller_only", pe_ok and int(pe[2]) == int(pe[1]) >= 2,
      pe_ok and int(pe[1]) >= 2, threads_before=pe[1] if pe_ok else None,
      threads_after_pthread_exit=pe[2] if pe_ok else None, child_said=" ".join(pe[:1]))


# ---- fork() under RLIMIT_NPROC: EAGAIN ------------------------------------------------------
def fork_eagain() -> str:
    if os.geteuid() == 0:
        os.setgroups([])
        os.setgid(65534)
        os.setuid(65534)
    resource.setrlimit(resource.RLIMIT_NPROC, (0, 0))
    LIBC.fork.restype = ctypes.c_int
    ctypes.set_errno(0)
    got = LIBC.fork()
    if got == 0:
        os._exit(0)
    return f"{got} {ctypes.get_errno()}"


fe = in_child(fork_eagain).split()
fe_ok = len(fe) == 2 and fe[0] == "-1"
F.add("tasks.fork_rlimit_nproc_eagain", fe_ok and int(fe[1]) == errno.EAGAIN, fe_ok,
      fork_returned=fe[0] if fe else None,
      errno=errno.errorcode.get(int(fe[1]), fe[1]) if len(fe) == 2 else None,
      method="libc fork() as an unprivileged user at RLIMIT_NPROC 0")


# ---- what else threads share (CLONE_FS, signal.h rlimits) and what each has ----------------
def thread_changes() -> str:
    """A second thread changes cwd, umask, RLIMIT_NOFILE and its own CPU affinity; the main
    thread reports what it sees, and whether its own TID is the PID."""
    tmp = tempfile.mkdtemp(prefix="mkdeck-thr-")
    core = resource.getrlimit(resource.RLIMIT_NOFILE)  # lowered by one: any host can
    new_core = core[0] - 1 if core[0] > 64 else None
    cpus = sorted(os.sched_getaffinity(0))

    def in_thread() -> None:
        os.chdir(tmp)
        os.umask(0o077)
        if new_core is not None:
            resource.setrlimit(resource.RLIMIT_NOFILE, (new_core, core[1]))
        if len(cpus) > 1:
            os.sched_setaffinity(0, {cpus[0]})  # 0: the calling thread

    def in_main(tid: int) -> str:
        aff_thread = sorted(os.sched_getaffinity(tid)) if len(cpus) > 1 else None
        return (f"{os.getcwd() == tmp} {os.umask(0o022) == 0o077} "
                f"{None if new_core is None else resource.getrlimit(resource.RLIMIT_NOFILE)[0] == new_core} "
                f"{None if aff_thread is None else sorted(os.sched_getaffinity(0)) == cpus} "
                f"{aff_thread == [cpus[0]] if aff_thread is not None else None} "
                f"{threading.get_native_id() == os.getpid()}")
    out = with_thread(in_thread, in_main)[1]
    os.chdir("/")
    os.rmdir(tmp)
    return str(out)


tc = in_child(thread_changes).split()
tc_ok = len(tc) == 6
F.add("tasks.threads_share_cwd_umask", tc_ok and tc[0] == tc[1] == "True", tc_ok,
      main_sees_cwd_the_thread_set=tc[0] if tc_ok else None,
      main_sees_umask_the_thread_set=tc[1] if tc_ok else None)
F.add("tasks.threads_share_rlimits", tc_ok and tc[2] == "True", tc_ok and tc[2] != "None",
      main_sees_rlimit_the_thread_set=tc[2] if tc_ok else None)
F.add("tasks.threads_own_affinity", tc_ok and tc[3] == "True",
      tc_ok and tc[4] == "True", main_affinity_unchanged=tc[3] if tc_ok else None,
      control_thread_affinity_changed=tc[4] if tc_ok else None,
      note="needs two CPUs to tell a set affinity from the default")
F.add("tasks.main_thread_tid_is_pid", tc_ok and tc[5] == "True", tc_ok and tid_ok,
      main_thread_tid_equals_pid=tc[5] if tc_ok else None,
      control_other_thread_tid_differs=tid_ok)


# ---- more of pthreads(7), signal(7), proc(5) and mmap(2) -----------------------------------
def thread_directed() -> str:
    """SIGUSR2 blocked everywhere, sent with pthread_kill() (tgkill) to the second thread:
    ``"<pending for that thread> <pending for the main thread> <pending process-wide>
    <the thread's getppid() equals the main thread's>"``."""
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGUSR2})

    def in_main(tid: int) -> str:
        target = next(t for t in threading.enumerate() if t.native_id == tid)
        signal.pthread_kill(target.ident, signal.SIGUSR2)
        time.sleep(0.02)
        return (f"{bit(task_status(tid, 'SigPnd'), signal.SIGUSR2)} "
                f"{bit(task_status(threading.get_native_id(), 'SigPnd'), signal.SIGUSR2)} "
                f"{bit(status_field('self', 'ShdPnd'), signal.SIGUSR2)}")
    ppid_thread, out = with_thread(os.getppid, in_main)
    return f"{out} {ppid_thread == os.getppid()}"


td = in_child(thread_directed).split()
td_ok = len(td) == 4
F.add("tasks.thread_directed_signal_pending_for_that_thread_only",
      td_ok and td[0] == "True" and td[1] == "False" and td[2] == "False",
      td_ok and td[0] in ("True", "False"), pending_for_target_thread=td[0] if td_ok else None,
      pending_for_main_thread=td[1] if td_ok else None,
      pending_process_wide=td[2] if td_ok else None)
F.add("tasks.threads_share_ppid", td_ok and td[3] == "True", td_ok,
      thread_getppid_equals_main=td[3] if td_ok else None)


F.emit()
