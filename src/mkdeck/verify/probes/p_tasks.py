"""Probe: what threads of one process share and what each has (pthreads(7), clone(2)
CLONE_FILES / CLONE_SIGHAND, signal(7) "signal mask is per-thread", nptl(7) setuid), process
IDs (getpid(2), proc(5) PPid), RLIMIT_NPROC (getrlimit(2)), and mmap()'s rules (mmap(2):
MAP_FIXED, MAP_FIXED_NOREPLACE, offset, EACCES; "closing the file descriptor does not unmap").

Method: the facts are read from the kernel's own view, ``/proc/self/task/TID/status`` and
``/proc/self/fd``, and from libc calls through ctypes (mmap with an address, setuid).
Controls: a forked child doing the same thing is not seen by the parent (so "shared" is not
"visible anyway"); a raw setuid syscall in one thread changes that thread only (so glibc's
change of every thread is glibc's); MAP_PRIVATE on a read-only file works where MAP_SHARED
fails; a larger RLIMIT_NPROC lets every thread start.
"""

from __future__ import annotations

import ctypes
import errno
import mmap
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
LIBC.mmap.restype = ctypes.c_void_p
LIBC.mmap.argtypes = (ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int, ctypes.c_int,
                      ctypes.c_int, ctypes.c_long)
LIBC.munmap.argtypes = (ctypes.c_void_p, ctypes.c_size_t)
PAGE = mmap.PAGESIZE
MAP_FAILED = ctypes.c_void_p(-1).value
MAP_FIXED = 0x10  # mman-common.h (the same on every Linux architecture)
MAP_FIXED_NOREPLACE = 0x100000
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


# ---- mmap ----------------------------------------------------------------------------------
def c_mmap(addr: int | None, length: int, prot: int, flags: int, fd: int = -1,
           off: int = 0) -> tuple[int | None, int]:
    ctypes.set_errno(0)
    got = LIBC.mmap(addr, length, prot, flags, fd, off)
    return (None, ctypes.get_errno()) if got in (None, MAP_FAILED) else (got, 0)


RW = mmap.PROT_READ | mmap.PROT_WRITE
ANON = mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS
base, _ = c_mmap(None, PAGE, RW, ANON)
replaced = noreplace_errno = None
if base is not None:
    ctypes.memset(base, 0x41, PAGE)
    again, _ = c_mmap(base, PAGE, RW, ANON | MAP_FIXED)
    replaced = again == base and ctypes.string_at(base, 1) == b"\0"
    ctypes.memset(base, 0x41, PAGE)
    nr, noreplace_errno = c_mmap(base, PAGE, RW, ANON | MAP_FIXED_NOREPLACE)
    if nr is not None and nr != base:
        LIBC.munmap(nr, PAGE)
    kept = ctypes.string_at(base, 1) == b"A"
    LIBC.munmap(base, PAGE)
F.add("tasks.map_fixed_replaces", bool(replaced), base is not None,
      zero_page_after_map_fixed=replaced)
F.add("tasks.map_fixed_noreplace_eexist", noreplace_errno == errno.EEXIST,
      base is not None and noreplace_errno not in (None, errno.EINVAL) and kept,
      got=errno.errorcode.get(noreplace_errno or 0, noreplace_errno), old_content_kept=kept)

fd, path = tempfile.mkstemp(prefix="mkdeck-tasks-")
os.write(fd, b"F" * (2 * PAGE))
os.close(fd)
ro = os.open(path, os.O_RDONLY)
_, off_errno = c_mmap(None, PAGE, mmap.PROT_READ, mmap.MAP_PRIVATE, ro, PAGE // 2)
ok_off, _ = c_mmap(None, PAGE, mmap.PROT_READ, mmap.MAP_PRIVATE, ro, PAGE)
F.add("tasks.mmap_offset_einval", off_errno == errno.EINVAL, ok_off is not None,
      got=errno.errorcode.get(off_errno, off_errno), control_page_aligned_offset_ok=ok_off
      is not None)
shared_w, shared_errno = c_mmap(None, PAGE, RW, mmap.MAP_SHARED, ro, 0)
private_w, _ = c_mmap(None, PAGE, RW, mmap.MAP_PRIVATE, ro, 0)
F.add("tasks.mmap_shared_write_readonly_eacces", shared_errno == errno.EACCES,
      private_w is not None, got=errno.errorcode.get(shared_errno, shared_errno),
      control_map_private_prot_write_ok=private_w is not None)
m = mmap.mmap(ro, PAGE, flags=mmap.MAP_SHARED, prot=mmap.PROT_READ)
os.close(ro)
still = m[:1] == b"F" and path in open("/proc/self/maps").read()
F.add("tasks.close_fd_unmaps", not still, m[:1] == b"F", readable_after_close=m[:1] == b"F",
      in_proc_maps_after_close=still)
m.close()
for addr in (ok_off, shared_w, private_w):
    if addr is not None:
        LIBC.munmap(addr, PAGE)
os.unlink(path)


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


# ---- copy-on-write: a read shares, a write copies -------------------------------------------
def private_dirty_kb(addr: int) -> int | None:
    """Private_Dirty of the mapping that holds ``addr`` (/proc/self/smaps)."""
    hit = False
    with open("/proc/self/smaps") as fh:
        for line in fh:
            head = line.split()[0]
            if "-" in head and ":" not in head:
                lo, hi = (int(x, 16) for x in head.split("-"))
                hit = lo <= addr < hi
            elif hit and line.startswith("Private_Dirty:"):
                return int(line.split()[1])
    return None


NPAGES = 64
cow = mmap.mmap(-1, NPAGES * PAGE, flags=mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS)
for i in range(NPAGES):
    cow[i * PAGE] = 7  # dirty in the parent: after fork() every page is shared
cow_at = ctypes.addressof(ctypes.c_char.from_buffer(cow))


def cow_child() -> str:
    total = 0
    for i in range(NPAGES):
        total += cow[i * PAGE]
    after_read = private_dirty_kb(cow_at)
    for i in range(NPAGES):
        cow[i * PAGE] = 9
    return f"{total} {after_read} {private_dirty_kb(cow_at)}"


cw = in_child(cow_child).split()
cw_ok = len(cw) == 3 and cw[0] == str(7 * NPAGES) and cw[1] != "None" and cw[2] != "None"
kb = NPAGES * PAGE // 1024
F.add("tasks.cow_read_copies", cw_ok and int(cw[1]) >= kb // 2,
      cw_ok and int(cw[2]) >= kb * 9 // 10, private_dirty_kb_after_reading=cw[1] if cw_ok
      else None, control_private_dirty_kb_after_writing=cw[2] if cw_ok else None,
      region_kb=kb)
cow.close()



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


# ---- mmap(): what a mapping gives and what touching it wrongly does --------------------------
def touch(fn) -> str:
    """The signal that ended a child running ``fn`` (``"none"``: it exited)."""
    kid = os.fork()
    if kid == 0:
        try:
            LIBC.prctl(4, 0, 0, 0, 0)  # PR_SET_DUMPABLE 0: the crash leaves no core file
            resource.setrlimit(resource.RLIMIT_CORE, (0, resource.getrlimit(
                resource.RLIMIT_CORE)[1]))
            fn()
        finally:
            os._exit(0)
    _, st = os.waitpid(kid, 0)
    return signal.Signals(os.WTERMSIG(st)).name if os.WIFSIGNALED(st) else "none"


anon = mmap.mmap(-1, 2 * PAGE, flags=mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS)
zero = bytes(anon[:]) == bytes(2 * PAGE)
anon[:4] = b"data"
F.add("tasks.map_anonymous_zeroed", zero, anon[:4] == b"data", first_read_all_zero=zero)
anon.close()
none_at, _ = c_mmap(None, PAGE, 0, ANON)  # PROT_NONE
rw_at, _ = c_mmap(None, PAGE, RW, ANON)
prot_none = touch(lambda: ctypes.string_at(none_at, 1)) if none_at else None
readable = touch(lambda: ctypes.string_at(rw_at, 1)) if rw_at else None
F.add("tasks.prot_none_sigsegv", prot_none == "SIGSEGV", readable == "none",
      touching_prot_none_ends_with=prot_none, control_readable_page=readable)
unmapped_at, _ = c_mmap(None, PAGE, RW, ANON)
if unmapped_at:
    LIBC.munmap(unmapped_at, PAGE)
after_munmap = touch(lambda: ctypes.string_at(unmapped_at, 1)) if unmapped_at else None
F.add("tasks.munmap_then_access_sigsegv", after_munmap == "SIGSEGV", readable == "none",
      touching_after_munmap_ends_with=after_munmap)
fd2, path2 = tempfile.mkstemp(prefix="mkdeck-tasks-")
os.write(fd2, b"x" * 100)
past_at, _ = c_mmap(None, 2 * PAGE, mmap.PROT_READ, mmap.MAP_SHARED, fd2, 0)
in_file = touch(lambda: ctypes.string_at(past_at, 1)) if past_at else None
beyond = touch(lambda: ctypes.string_at(past_at + PAGE, 1)) if past_at else None
F.add("tasks.beyond_eof_sigbus", beyond == "SIGBUS", in_file == "none",
      touching_a_page_wholly_past_eof_ends_with=beyond, control_first_page=in_file)
_, len0 = c_mmap(None, 0, RW, ANON)
_, both_flags = c_mmap(None, PAGE, RW, mmap.MAP_SHARED | mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS)
F.add("tasks.mmap_length_zero_einval", len0 == errno.EINVAL, rw_at is not None,
      got=errno.errorcode.get(len0, len0))
F.add("tasks.mmap_shared_and_private_einval", both_flags == errno.EINVAL, rw_at is not None,
      got=errno.errorcode.get(both_flags, both_flags))
ctypes.set_errno(0)
raw = LIBC.mmap(None, 0, RW, ANON, -1, 0)
F.add("tasks.mmap_failure_returns_map_failed", raw == MAP_FAILED, len0 != 0,
      returned=hex(raw) if raw is not None else None, map_failed=hex(MAP_FAILED))
for addr in (none_at, rw_at):
    if addr:
        LIBC.munmap(addr, PAGE)
if past_at:
    LIBC.munmap(past_at, 2 * PAGE)
os.close(fd2)
os.unlink(path2)



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
one, _ = c_mmap(None, 1, RW, ANON)
range_len = None
if one:
    for line in open("/proc/self/maps"):
        lo, hi = (int(x, 16) for x in line.split()[0].split("-"))
        if lo == one:
            range_len = hi - lo
            break
F.add("tasks.mmap_page_aligned_rounded_up", one is not None and one % PAGE == 0
      and range_len is not None and range_len % PAGE == 0 and range_len >= PAGE,
      one is not None and range_len is not None, address=hex(one) if one else None,
      asked_bytes=1, mapped_bytes=range_len, page=PAGE)
hole, _ = c_mmap(None, PAGE, RW, ANON)
if hole:
    LIBC.munmap(hole, PAGE)
    ctypes.set_errno(0)
    again = LIBC.munmap(hole, PAGE)
F.add("tasks.munmap_unmapped_range_ok", hole is not None and again == 0, hole is not None,
      second_munmap_returned=again if hole else None)
if one:
    LIBC.munmap(one, PAGE)
shared_anon = mmap.mmap(-1, PAGE, flags=mmap.MAP_SHARED | mmap.MAP_ANONYMOUS)
private_anon = mmap.mmap(-1, PAGE, flags=mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS)


def write_both() -> str:
    shared_anon[:6] = b"CHILD!"
    private_anon[:6] = b"CHILD!"
    return "ok"


wb = in_child(write_both)
F.add("tasks.map_shared_anon_seen_across_fork", shared_anon[:6] == b"CHILD!",
      wb == "ok" and private_anon[:6] != b"CHILD!", parent_sees_shared=bytes(
          shared_anon[:6]).decode(errors="replace"),
      control_parent_sees_private=bytes(private_anon[:6]).decode(errors="replace"))
shared_anon.close()
private_anon.close()

arch = platform.machine()
F.add("tasks.page_size_4096", PAGE == 4096, arch in ("x86_64", "amd64"), arch=arch,
      sysconf_page_size=os.sysconf("SC_PAGE_SIZE"),
      note="measured on this host's architecture only; valid when it is x86-64")
F.emit()
