"""Probe: process attributes across fork and exec, sessions, stop/continue, stdio at exit,
kill(pid, 0), RLIMIT_NOFILE, and file locks across fork (research section 8).

Every fact has a control run in the same process: the parent's own mask and pending set,
the handler table before exec, the session before setsid(), the state before SIGSTOP, the
same printf with exit() vs _exit(), kill(pid, 0) before the child is reaped, a limit one
higher, and a lock taken through a separately opened file.
"""

from __future__ import annotations

import ctypes
import errno
import fcntl
import os
import resource
import signal
import tempfile
import time

from _probelib import Facts, in_child, proc_state, read_all, status_field

F = Facts("process")
libc = ctypes.CDLL(None, use_errno=True)


def bit(mask_hex: str | None, sig: int) -> bool:
    return bool(int(mask_hex or "0", 16) & (1 << (sig - 1)))


# --- signal mask inherited, pending signals cleared ------------------------------------
signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGUSR1})
os.kill(os.getpid(), signal.SIGUSR1)  # pending in the parent (blocked)
parent_blk = bit(status_field("self", "SigBlk"), signal.SIGUSR1)
parent_pnd = bit(status_field("self", "ShdPnd"), signal.SIGUSR1) or \
    bit(status_field("self", "SigPnd"), signal.SIGUSR1)


def _mask_and_pending() -> str:
    blocked = bit(status_field("self", "SigBlk"), signal.SIGUSR1)
    pending = bit(status_field("self", "ShdPnd"), signal.SIGUSR1) or \
        bit(status_field("self", "SigPnd"), signal.SIGUSR1)
    return f"{int(blocked)}{int(pending)}"


child = in_child(_mask_and_pending)
signal.signal(signal.SIGUSR1, signal.SIG_IGN)  # discard the pending signal
signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGUSR1})
signal.signal(signal.SIGUSR1, signal.SIG_DFL)
F.add("signal.mask_inherited_over_fork", child[:1] == "1", parent_blk,
      parent_blocks_sigusr1=parent_blk, child_blocks_sigusr1=child[:1] == "1")
F.add("signal.pending_cleared_in_child", child[1:2] == "0", parent_pnd,
      parent_has_pending_sigusr1=parent_pnd, child_has_pending_sigusr1=child[1:2] == "1")

# --- exec resets caught handlers, keeps ignored ones -----------------------------------
def _handler(signum: int, frame: object) -> None:
    pass


signal.signal(signal.SIGUSR1, _handler)
signal.signal(signal.SIGUSR2, signal.SIG_IGN)
before_cgt = bit(status_field("self", "SigCgt"), signal.SIGUSR1)
before_ign = bit(status_field("self", "SigIgn"), signal.SIGUSR2)
r, w = os.pipe()
pid = os.fork()
if pid == 0:
    os.dup2(w, 1)
    try:
        os.execv("/bin/cat", ["/bin/cat", "/proc/self/status"])
    finally:
        os._exit(127)
os.close(w)
after = dict(line.split(":", 1) for line in read_all(r).decode().splitlines() if ":" in line)
os.waitpid(pid, 0)
signal.signal(signal.SIGUSR1, signal.SIG_DFL)
signal.signal(signal.SIGUSR2, signal.SIG_DFL)
after_cgt = bit(after.get("SigCgt", "0").strip(), signal.SIGUSR1)
after_ign = bit(after.get("SigIgn", "0").strip(), signal.SIGUSR2)
ok = before_cgt and before_ign and "SigCgt" in after
F.add("exec.caught_handlers_reset", not after_cgt, ok, sigusr1_caught_before=before_cgt,
      sigusr1_caught_after_exec=after_cgt)
F.add("exec.ignored_signals_kept", after_ign, ok, sigusr2_ignored_before=before_ign,
      sigusr2_ignored_after_exec=after_ign)

# --- setsid: a new session and process group led by the caller -------------------------
def _setsid() -> str:
    before = (os.getsid(0), os.getpgid(0), os.getpid())
    os.setsid()
    return f"{before[0]} {before[1]} {os.getsid(0)} {os.getpgid(0)} {os.getpid()}"


sid_b, pgid_b, sid_a, pgid_a, cpid = (int(x) for x in in_child(_setsid).split())
F.add("session.setsid_new_session", sid_a == pgid_a == cpid, sid_b != cpid and pgid_b != cpid,
      session_before=sid_b, pgid_before=pgid_b, session_after=sid_a, pgid_after=pgid_a,
      pid=cpid)

# --- SIGSTOP stops (state T), SIGCONT resumes -----------------------------------------
r, w = os.pipe()
pid = os.fork()
if pid == 0:
    os.close(w)
    os.read(r, 1)
    os._exit(0)
os.close(r)


def wait_state(p: int, want: str) -> str | None:
    end = time.monotonic() + 2
    while time.monotonic() < end:
        s = proc_state(p)
        if s == want:
            return s
        time.sleep(0.0005)
    return proc_state(p)


s0 = wait_state(pid, "S")
os.kill(pid, signal.SIGSTOP)
s1 = wait_state(pid, "T")
os.kill(pid, signal.SIGCONT)
s2 = wait_state(pid, "S")
os.write(w, b"x")
os.close(w)
os.waitpid(pid, 0)
F.add("signal.sigstop_stops_sigcont_resumes", s1 == "T" and s2 in ("S", "R"), s0 in ("S", "R"),
      state_before=s0, state_after_sigstop=s1, state_after_sigcont=s2)

# --- exit() flushes stdio buffers, _exit() does not -------------------------------------
def stdio_exit(fn: str) -> bytes:
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.dup2(w, 1)
        libc.printf(b"buffered")
        getattr(libc, fn)(0)
    os.close(w)
    out = read_all(r)
    os.waitpid(pid, 0)
    return out


flushed, lost = stdio_exit("exit"), stdio_exit("_exit")
F.add("exit.exit_flushes_stdio", flushed == b"buffered", lost == b"",
      printf_then_exit=flushed.decode(), control_printf_then__exit=lost.decode())

# --- kill(pid, 0) tests existence --------------------------------------------------------
pid = os.fork()
if pid == 0:
    time.sleep(5)
    os._exit(0)
try:
    os.kill(pid, 0)
    alive_ok = True
except OSError:
    alive_ok = False
os.kill(pid, signal.SIGKILL)
os.waitpid(pid, 0)
try:
    os.kill(pid, 0)
    gone_err = 0
except ProcessLookupError:
    gone_err = errno.ESRCH
except OSError as exc:
    gone_err = exc.errno or -1
F.add("signal.kill0_tests_existence", alive_ok and gone_err == errno.ESRCH, alive_ok,
      kill0_on_live_child=alive_ok, kill0_after_reaped_errno=gone_err)

# --- RLIMIT_NOFILE: open() fails with EMFILE at the limit --------------------------------
def _nofile(limit: int) -> str:
    resource.setrlimit(resource.RLIMIT_NOFILE, (limit, limit))
    last = -1
    try:
        while True:
            last = os.open("/dev/null", os.O_RDONLY)
    except OSError as exc:  # no fd is left to list /proc/self/fd: report the last one
        return f"{exc.errno} {last}"


e16, high16 = (int(x) for x in in_child(lambda: _nofile(16)).split())
e32, high32 = (int(x) for x in in_child(lambda: _nofile(32)).split())
F.add("fd.rlimit_nofile_emfile", e16 == errno.EMFILE and high16 < 16, high32 > high16,
      errno_at_limit_16=e16, highest_fd_with_limit_16=high16,
      control_highest_fd_with_limit_32=high32)

# --- file locks across fork: fcntl locks are not inherited, flock locks are shared --------
with tempfile.NamedTemporaryFile() as tmp:
    fd = os.open(tmp.name, os.O_RDWR)
    fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # a POSIX (fcntl) lock

    def _try_fcntl() -> str:
        try:
            fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return "got"
        except OSError as exc:
            return f"blocked {exc.errno}"

    fc = in_child(_try_fcntl)
    fcntl.lockf(fd, fcntl.LOCK_UN)
    fc_ctl = in_child(_try_fcntl)  # control: with the parent's lock gone the child gets it
    fd2 = os.open(tmp.name, os.O_RDWR)
    fcntl.flock(fd2, fcntl.LOCK_EX | fcntl.LOCK_NB)  # a BSD (flock) lock

    def _try_flock(own: bool) -> str:
        target = os.open(tmp.name, os.O_RDWR) if own else fd2
        try:
            fcntl.flock(target, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return "got"
        except OSError as exc:
            return f"blocked {exc.errno}"

    fl_inherited = in_child(lambda: _try_flock(False))
    fl_own = in_child(lambda: _try_flock(True))
    fcntl.flock(fd2, fcntl.LOCK_UN)
    os.close(fd)
    os.close(fd2)
F.add("fd.fcntl_lock_inherited", fc == "got", fc_ctl == "got",
      child_lockf_on_inherited_fd=fc, control_child_lockf_after_parent_unlocked=fc_ctl)
F.add("fd.flock_shared_across_fork", fl_inherited == "got", fl_own.startswith("blocked"),
      child_flock_on_inherited_fd=fl_inherited, control_child_flock_own_open=fl_own)
F.emit()
