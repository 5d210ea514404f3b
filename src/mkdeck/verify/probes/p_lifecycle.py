"""Probe: facts of a process's life around signals, descriptors, pipes, FIFOs, waiting and
subreapers that the other probes do not measure (signal(7), dup(2), pipe(7), fifo(7),
wait(2), kill(2), prctl(2)). Every fact has its control; a fact whose control misbehaved is
reported not valid (never used for a verdict).

- Default actions: a child with the signal's default disposition sends it to itself; the
  parent's ``waitpid(WUNTRACED)`` says whether it was killed by it, stopped or survived.
  Signals whose default also dumps core are not sent (a core dump is a side effect on the
  host). Controls: a child that ignores SIGTERM survives it, one sent SIGKILL dies of it.
- Signal numbers, as the kernel sends them: the signal a parent gets when its child exits
  (SIGCHLD), the one that kills a writer to a pipe with no reader (SIGPIPE), the one that
  ends an interval timer (SIGALRM), the two that cannot be caught (one kills: SIGKILL, one
  stops: SIGSTOP), the ones a terminal's line discipline sends for Ctrl-C, Ctrl-Z, Ctrl-\\
  and on hangup (SIGINT, SIGTSTP, SIGQUIT, SIGHUP; a pseudo-terminal in a new session), and
  the one the shell's ``kill PID`` sends (SIGTERM). Control: the number each name has in this
  interpreter's signal module agrees for the signals no terminal is needed for.
- A blocked signal stays pending until unblocked; a standard signal sent three times while
  blocked is delivered once (control: a real-time signal sent three times arrives three times).
- kill() of a PID no process has fails with ESRCH (control: the same PID while its process
  lived succeeds); wait() without children fails with ECHILD (control: with one it succeeds).
- dup(): the copy shares the file offset and the status flags (O_NONBLOCK), not the
  close-on-exec flag, and is the lowest free number (controls: two open() calls have
  independent offsets and flags; the original keeps FD_CLOEXEC); dup2(fd, fd) returns fd,
  dup3(fd, fd, 0) fails with EINVAL; dup3(..., O_CLOEXEC) and F_DUPFD_CLOEXEC set
  close-on-exec on the new descriptor only (control: F_DUPFD does not).
- PIPE_BUF: with one byte free, a non-blocking write of 4096 bytes fails whole (EAGAIN) and
  one of 4097 bytes writes a part (control: both fit whole in an empty pipe).
- FIFOs: mkfifo() makes a name in the file system (a pipe() has none: its /proc link is
  ``pipe:[N]``); a non-blocking write-only open without a reader fails with ENXIO (control:
  with a reader it opens); a blocking read-only open waits for a writer (control: it returns
  once one opens; a non-blocking one returns at once).
- Subreapers: the attribute is not inherited by a child of fork() and is kept across
  execve() (control: the setter reads it back as 1).
- A zombie survives SIGKILL (control: its parent's wait() then reaps it); the kernel closes a
  process's descriptors when it exits, before its parent reaps it (control: while it runs the
  reader sees no end of file).
- waitpid() with WUNTRACED reports a stopped child and with WCONTINUED a continued one
  (control: with WNOHANG alone neither is reported); the parent gets SIGCHLD (CLD_STOPPED)
  when a child stops.
- A shell's status for a child killed by SIGHUP/SIGINT/SIGKILL/SIGTERM (control: ``exit 3``
  gives 3); sigaction() on SIGKILL fails with EINVAL and blocking it is silently ignored
  (control: SIGUSR1 can be handled and blocked); setsid() by a group leader fails with EPERM
  (control: a non-leader's succeeds); kill() of an invalid signal fails with EINVAL and, by
  an unprivileged process (root drops to nobody in a child), of PID 1 with EPERM.
- Credentials, process group and session: a child of fork() has its parent's uids, gids,
  process group and session (controls: /proc/PID/status; setpgid(0, 0) gives a group of its
  own); execve() keeps the process group and session.
- The signal mask is per thread (a thread's block is not the main thread's); real-time
  signals are queued; Ctrl-C, Ctrl-Z and Ctrl-\ on a pseudo-terminal deliver SIGINT, SIGTSTP
  and SIGQUIT; a read() interrupted by a handler without SA_RESTART fails with EINTR and with
  SA_RESTART resumes (control: the handler ran); an empty pipe's read blocks, or with
  O_NONBLOCK fails with EAGAIN; a read returns what the pipe holds; a reader sees EOF only
  when every copy of the write end is closed; a zombie's state is Z; a file unlinked while
  open stays readable.
"""

from __future__ import annotations

import ctypes
import errno
import fcntl
import os
import pty
import resource
import select
import signal
import stat
import sys
import tempfile
import termios
import threading
import time

from _probelib import Facts, proc_state, status_field

F = Facts("lifecycle")
libc = ctypes.CDLL(None, use_errno=True)
F_GETPIPE_SZ = 1032
PR_SET_CHILD_SUBREAPER = 36
PR_GET_CHILD_SUBREAPER = 37
CATCHABLE = [s for s in range(1, 32) if s not in (signal.SIGKILL, signal.SIGSTOP)]


def wait_for(pred, limit: float = 3.0) -> bool:
    end = time.monotonic() + limit
    while time.monotonic() < end:
        if pred():
            return True
        time.sleep(0.0005)
    return pred()


# ---- default actions ----------------------------------------------------------------------
DEFAULT_TESTED = ("SIGHUP", "SIGINT", "SIGPIPE", "SIGALRM", "SIGTERM", "SIGUSR1", "SIGUSR2",
                  "SIGKILL", "SIGCHLD", "SIGURG", "SIGWINCH", "SIGSTOP", "SIGQUIT", "SIGSEGV",
                  "SIGABRT", "SIGBUS", "SIGFPE", "SIGILL", "SIGTRAP", "SIGSYS", "SIGTSTP",
                  "SIGTTIN", "SIGTTOU")
PR_SET_DUMPABLE = 4


def default_action(sig: int, ignore_first: bool = False) -> str:
    """What the default disposition of ``sig`` did to a child that sent it to itself."""
    pid = os.fork()
    if pid == 0:
        try:
            # never a core dump (a side effect on the host), whatever core_pattern says; a
            # process group of its own that is not orphaned, so SIGTSTP/SIGTTIN/SIGTTOU stop it
            libc.prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)
            resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
            os.setpgid(0, 0)
            if sig not in (signal.SIGKILL, signal.SIGSTOP):
                signal.signal(sig, signal.SIG_IGN if ignore_first else signal.SIG_DFL)
            signal.pthread_sigmask(signal.SIG_UNBLOCK, {sig})
            os.kill(os.getpid(), sig)
        finally:
            os._exit(0)
    _, st = os.waitpid(pid, os.WUNTRACED)
    if os.WIFSTOPPED(st):
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        return "stop"
    if os.WIFSIGNALED(st):
        return "terminate" if os.WTERMSIG(st) == sig else f"killed by {os.WTERMSIG(st)}"
    return "ignore" if os.WIFEXITED(st) and os.WEXITSTATUS(st) == 0 else f"status {st}"


actions = {name: default_action(getattr(signal, name)) for name in DEFAULT_TESTED}


def sigcont_default() -> str:
    """What SIGCONT's default disposition does to a stopped child: ``continue`` when waitpid()
    reports it continued and it then runs to its end."""
    go_r, go_w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(go_w)
        signal.signal(signal.SIGCONT, signal.SIG_DFL)
        os.kill(os.getpid(), signal.SIGSTOP)
        os.read(go_r, 1)  # runs on, and ends only once the parent has seen it continue
        os._exit(0)
    os.close(go_r)
    _, st = os.waitpid(pid, os.WUNTRACED)
    if not os.WIFSTOPPED(st):
        os.close(go_w)
        return f"status {st}"
    os.kill(pid, signal.SIGCONT)
    _, st = os.waitpid(pid, os.WCONTINUED)
    cont = os.WIFCONTINUED(st)
    os.close(go_w)
    _, st = os.waitpid(pid, 0)
    return "continue" if cont and os.WIFEXITED(st) else f"status {st}"


actions["SIGCONT"] = sigcont_default()
ctl_ignored = default_action(signal.SIGTERM, ignore_first=True) == "ignore"
ctl_killed = actions["SIGKILL"] == "terminate"
for name, act in actions.items():
    F.add(f"signal.default_action.{name}", act, ctl_ignored and ctl_killed,
          control_sigterm_ignored_survives=ctl_ignored, control_sigkill_kills=ctl_killed)

# ---- signal numbers as the kernel sends them ------------------------------------------------
numbers: dict[str, int | None] = {}
# SIGCHLD: what a parent gets when its child exits
signal.pthread_sigmask(signal.SIG_BLOCK, set(CATCHABLE))
pid = os.fork()
if pid == 0:
    os._exit(0)
info = signal.sigtimedwait(set(CATCHABLE), 5)
os.waitpid(pid, 0)
numbers["SIGCHLD"] = info.si_signo if info is not None and info.si_pid == pid else None
# SIGALRM: what an expired ITIMER_REAL sends
signal.setitimer(signal.ITIMER_REAL, 0.001)
info = signal.sigtimedwait(set(CATCHABLE), 5)
numbers["SIGALRM"] = info.si_signo if info is not None else None
signal.pthread_sigmask(signal.SIG_UNBLOCK, set(CATCHABLE))

# SIGPIPE: what kills a writer to a pipe with no reader
r, w = os.pipe()
os.close(r)
pid = os.fork()
if pid == 0:
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    try:
        os.write(w, b"x")
    finally:
        os._exit(0)
os.close(w)
_, st = os.waitpid(pid, 0)
numbers["SIGPIPE"] = os.WTERMSIG(st) if os.WIFSIGNALED(st) else None


# SIGSEGV: what kills a process that reads unmapped address 16 (made non-dumpable: no core dump)
pid = os.fork()
if pid == 0:
    try:
        libc.prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        signal.signal(signal.SIGSEGV, signal.SIG_DFL)
        ctypes.string_at(16, 1)  # an unmapped page (ctypes refuses NULL itself)
    finally:
        os._exit(0)
_, st = os.waitpid(pid, 0)
numbers["SIGSEGV"] = os.WTERMSIG(st) if os.WIFSIGNALED(st) else None


# the two signals no handler can be installed for: one kills, one stops
def catchable(sig: int) -> bool:
    try:
        old = signal.signal(sig, signal.SIG_IGN)
    except OSError:
        return False
    signal.signal(sig, old if old is not None else signal.SIG_DFL)
    return True


uncatchable = [s for s in range(1, 32) if not catchable(s)]
for s in uncatchable:
    act = default_action(s)
    if act == "terminate":
        numbers["SIGKILL"] = s
    elif act == "stop":
        numbers["SIGSTOP"] = s

# SIGTERM: what the shell's `kill PID` sends
pid = os.fork()
if pid == 0:
    try:
        os.execv("/bin/sh", ["sh", "-c", 'kill "$$"; sleep 5'])
    finally:
        os._exit(127)
_, st = os.waitpid(pid, 0)
numbers["SIGTERM"] = os.WTERMSIG(st) if os.WIFSIGNALED(st) else None


def tty_signal(keys: bytes | None) -> int | None:
    """The first signal a session leader on a pseudo-terminal receives when ``keys`` are typed
    (``None``: the terminal hangs up)."""
    master, slave = pty.openpty()
    slave_name = os.ttyname(slave)
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        try:
            os.close(master)
            os.close(r)
            os.setsid()
            fd = os.open(slave_name, os.O_RDWR)  # the controlling terminal of the new session
            fcntl.ioctl(fd, termios.TIOCSCTTY, 0)
            got: list[int] = []
            for s in CATCHABLE:
                signal.signal(s, lambda n, f: got.append(n))
            os.write(w, b"r")
            end = time.monotonic() + 5
            while not got and time.monotonic() < end:
                time.sleep(0.001)
            os.write(w, str(got[0] if got else 0).encode())
        finally:
            os._exit(0)
    os.close(w)
    os.close(slave)
    ready = os.read(r, 1) == b"r"
    if keys is None:
        os.close(master)
    else:
        os.write(master, keys)
    out = os.read(r, 8)
    os.close(r)
    if keys is not None:
        os.close(master)
    os.waitpid(pid, 0)
    return int(out) if ready and out.isdigit() and int(out) else None


try:
    numbers["SIGINT"] = tty_signal(b"\x03")
    numbers["SIGQUIT"] = tty_signal(b"\x1c")
    numbers["SIGTSTP"] = tty_signal(b"\x1a")
    numbers["SIGHUP"] = tty_signal(None)
    hangup = numbers["SIGHUP"]
except OSError as exc:  # no pseudo-terminals on this host
    numbers.update(SIGINT=None, SIGQUIT=None, SIGTSTP=None, SIGHUP=None, pty_error=repr(exc))
    hangup = None
F.add("signal.tty_hangup", signal.Signals(hangup).name if hangup else None, bool(hangup),
      first_signal_of_the_session_leader_on_hangup=hangup)
for key, name in (("ctrl_c", "SIGINT"), ("ctrl_backslash", "SIGQUIT"), ("ctrl_z", "SIGTSTP")):
    n = numbers.get(name)
    F.add(f"signal.tty_key.{key}", signal.Signals(n).name if n else None, bool(n),
          number_received=n)
# control: the measured number of each signal no terminal was needed for is the one this
# interpreter's signal module (the C library's) names
ctl_numbers = all(numbers.get(n) == getattr(signal, n)
                  for n in ("SIGCHLD", "SIGALRM", "SIGPIPE", "SIGKILL", "SIGSTOP", "SIGTERM",
                            "SIGSEGV"))
for name in ("SIGHUP", "SIGINT", "SIGQUIT", "SIGKILL", "SIGSEGV", "SIGPIPE", "SIGALRM",
             "SIGTERM", "SIGCHLD", "SIGSTOP", "SIGTSTP"):
    F.add(f"signal.number.{name}", numbers.get(name), ctl_numbers and numbers.get(name),
          measured=numbers, control_module_numbers_agree=ctl_numbers)

# ---- pending and queueing -----------------------------------------------------------------
got: list[int] = []
signal.signal(signal.SIGUSR1, lambda n, f: got.append(n))
os.kill(os.getpid(), signal.SIGUSR1)
unblocked_at_once = got == [signal.SIGUSR1]
got.clear()
signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGUSR1, signal.SIGRTMIN})
for _ in range(3):
    os.kill(os.getpid(), signal.SIGUSR1)
    os.kill(os.getpid(), signal.SIGRTMIN)
pending = signal.SIGUSR1 in signal.sigpending()
before_unblock = list(got)


def instances(sig: int) -> int:
    """How many instances of the blocked ``sig`` are pending (each taken with sigtimedwait)."""
    n = 0
    while signal.sigtimedwait({sig}, 0) is not None:
        n += 1
    return n


n_usr1, n_rt = instances(signal.SIGUSR1), instances(signal.SIGRTMIN)
signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGUSR1, signal.SIGRTMIN})
signal.signal(signal.SIGUSR1, signal.SIG_DFL)
signal.signal(signal.SIGRTMIN, signal.SIG_DFL)
F.add("signal.blocked_stays_pending", pending and not before_unblock and n_usr1 >= 1,
      unblocked_at_once, pending_while_blocked=pending, delivered_while_blocked=before_unblock,
      control_unblocked_delivered_at_once=unblocked_at_once)
F.add("signal.realtime_queued", n_rt == 3, n_usr1 == 1 and pending,
      sigrtmin_sent=3, sigrtmin_delivered=n_rt, control_sigusr1_delivered=n_usr1)
F.add("signal.standard_not_queued", n_usr1 == 1, n_rt == 3 and pending,
      sigusr1_sent=3, sigusr1_delivered=n_usr1, control_sigrtmin_sent=3,
      control_sigrtmin_delivered=n_rt)

# ---- kill() ESRCH, wait() ECHILD -----------------------------------------------------------
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
    kill_err = "none"
except OSError as exc:
    kill_err = errno.errorcode.get(exc.errno or 0, str(exc.errno))
F.add("signal.kill_no_process_errno", kill_err, alive_ok, pid=pid,
      control_kill_while_alive_succeeded=alive_ok)


def wait_errno() -> str:
    try:
        os.wait()
        return "none"
    except OSError as exc:
        return errno.errorcode.get(exc.errno or 0, str(exc.errno))


no_child = wait_errno()
pid = os.fork()
if pid == 0:
    os._exit(0)
with_child = wait_errno()
F.add("wait.no_children_errno", no_child, with_child == "none",
      control_wait_with_a_child=with_child)

# ---- dup ----------------------------------------------------------------------------------
tmp = tempfile.mkdtemp(prefix="mkdeck-life-")
path = os.path.join(tmp, "f")
with open(path, "wb") as fh:
    fh.write(b"0123456789")
a = os.open(path, os.O_RDONLY)
b = os.dup(a)
c = os.open(path, os.O_RDONLY)
os.lseek(a, 4, os.SEEK_SET)
dup_offset, open_offset = os.lseek(b, 0, os.SEEK_CUR), os.lseek(c, 0, os.SEEK_CUR)
fcntl.fcntl(a, fcntl.F_SETFL, fcntl.fcntl(a, fcntl.F_GETFL) | os.O_NONBLOCK)
dup_nonblock = bool(fcntl.fcntl(b, fcntl.F_GETFL) & os.O_NONBLOCK)
open_nonblock = bool(fcntl.fcntl(c, fcntl.F_GETFL) & os.O_NONBLOCK)
F.add("fd.dup_shares_offset", dup_offset == 4, open_offset == 0,
      dup_offset_after_seek_4=dup_offset, control_other_open_offset=open_offset)
F.add("fd.dup_shares_status_flags", dup_nonblock, not open_nonblock,
      dup_sees_o_nonblock=dup_nonblock, control_other_open_sees_it=open_nonblock)
fcntl.fcntl(a, fcntl.F_SETFD, fcntl.FD_CLOEXEC)
libc.dup.argtypes = [ctypes.c_int]
d = libc.dup(a)  # os.dup() would set close-on-exec on the copy itself (PEP 446)
orig_cloexec = bool(fcntl.fcntl(a, fcntl.F_GETFD) & fcntl.FD_CLOEXEC)
copy_cloexec = bool(fcntl.fcntl(d, fcntl.F_GETFD) & fcntl.FD_CLOEXEC)
F.add("fd.dup_shares_cloexec", copy_cloexec, orig_cloexec, copy_has_fd_cloexec=copy_cloexec,
      control_original_has_it=orig_cloexec)
os.close(d)
# lowest free number: close a low one, dup/open must take it
low = min(a, b, c)
os.close(low)
again = os.dup(max(a, b, c))
lowest_dup = again == low
os.close(again)
opened = os.open(path, os.O_RDONLY)
lowest_open = opened == low
F.add("fd.lowest_free_number", lowest_dup and lowest_open, opened < max(a, b, c) + 1 + 8,
      freed=low, dup_gave=again, open_gave=opened)
os.close(opened)
fd = max(a, b, c)
libc.dup2.argtypes = [ctypes.c_int, ctypes.c_int]
libc.dup3.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_int]
same2 = libc.dup2(fd, fd)
same3 = libc.dup3(fd, fd, 0)
err3 = errno.errorcode.get(ctypes.get_errno(), "none") if same3 == -1 else "none"
other3 = libc.dup3(fd, fd + 20, 0)
F.add("fd.dup2_same_returns_fd", same2 == fd, same2 != -1, dup2_fd_fd_returned=same2, fd=fd)
F.add("fd.dup3_same_errno", err3, other3 == fd + 20, dup3_fd_fd_returned=same3,
      control_dup3_to_other_returned=other3)
os.close(fd + 20)
fcntl.fcntl(fd, fcntl.F_SETFD, 0)
n3 = libc.dup3(fd, fd + 21, os.O_CLOEXEC)
new3 = bool(fcntl.fcntl(n3, fcntl.F_GETFD) & fcntl.FD_CLOEXEC) if n3 >= 0 else None
old3 = bool(fcntl.fcntl(fd, fcntl.F_GETFD) & fcntl.FD_CLOEXEC)
dc = fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 0)
dn = fcntl.fcntl(fd, fcntl.F_DUPFD, 0)
dc_set = bool(fcntl.fcntl(dc, fcntl.F_GETFD) & fcntl.FD_CLOEXEC)
dn_set = bool(fcntl.fcntl(dn, fcntl.F_GETFD) & fcntl.FD_CLOEXEC)
F.add("fd.dup3_cloexec_sets_new", bool(new3) and not old3, n3 >= 0 and not dn_set,
      new_has_cloexec=new3, old_has_cloexec=old3, control_f_dupfd_copy_has_it=dn_set)
F.add("fd.dupfd_cloexec_sets_copy", dc_set and not old3, not dn_set,
      copy_has_cloexec=dc_set, control_f_dupfd_copy_has_it=dn_set)
for x in (n3, dc, dn, a, b, c):
    try:
        os.close(x)
    except OSError:
        pass

# ---- PIPE_BUF -----------------------------------------------------------------------------


def write_with_one_byte_free(n: int) -> int | str:
    r, w = os.pipe2(os.O_NONBLOCK)
    cap = fcntl.fcntl(w, F_GETPIPE_SZ)
    done = 0
    while done < cap - 1:
        done += os.write(w, b"x" * (cap - 1 - done))
    try:
        out: int | str = os.write(w, b"y" * n)
    except BlockingIOError:
        out = "EAGAIN"
    os.close(r)
    os.close(w)
    return out


def fits_empty(n: int) -> bool:
    r, w = os.pipe2(os.O_NONBLOCK)
    ok = os.write(w, b"z" * n) == n
    os.close(r)
    os.close(w)
    return ok


w4096, w4097 = write_with_one_byte_free(4096), write_with_one_byte_free(4097)
pipe_buf = 4096 if w4096 == "EAGAIN" and isinstance(w4097, int) and w4097 < 4097 else None
F.add("pipe.pipe_buf_bytes", pipe_buf, fits_empty(4096) and fits_empty(4097),
      write_4096_one_byte_free=w4096, write_4097_one_byte_free=w4097,
      pipe_buf_header=select.PIPE_BUF)

# ---- FIFOs --------------------------------------------------------------------------------
fifo = os.path.join(tmp, "fifo")
os.mkfifo(fifo, 0o600)
is_fifo = stat.S_ISFIFO(os.stat(fifo).st_mode)
pr, pw = os.pipe()
pipe_link = os.readlink(f"/proc/self/fd/{pr}")
os.close(pr)
os.close(pw)
F.add("pipe.fifo_has_name", is_fifo, pipe_link.startswith("pipe:"),
      fifo_is_s_isfifo=is_fifo, control_pipe_fd_link=pipe_link)
try:
    os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
    enx = "none"
except OSError as exc:
    enx = errno.errorcode.get(exc.errno or 0, str(exc.errno))
rd = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)  # a non-blocking reader opens at once
nonblock_read_open_returned = rd >= 0
try:
    wr = os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
    with_reader = True
    os.close(wr)
except OSError:
    with_reader = False
os.close(rd)
F.add("pipe.fifo_nonblock_write_open_errno", enx, with_reader, control_with_a_reader=with_reader)
r, w = os.pipe()
pid = os.fork()
if pid == 0:
    os.close(r)
    os.write(w, b"b")
    f = os.open(fifo, os.O_RDONLY)
    os.write(w, b"a")
    os.close(f)
    os._exit(0)
os.close(w)
os.read(r, 1)
asleep = wait_for(lambda: proc_state(pid) == "S", 2)
time.sleep(0.05)
early = select.select([r], [], [], 0)[0] != []
wr = os.open(fifo, os.O_WRONLY)  # the reader's open returns now
late = select.select([r], [], [], 3)[0] != [] and os.read(r, 1) == b"a"
os.close(wr)
os.close(r)
os.waitpid(pid, 0)
F.add("pipe.fifo_read_open_blocks", asleep and not early, late, child_asleep_in_open=asleep,
      opened_before_a_writer=early, control_opened_once_a_writer_came=late,
      control_nonblocking_open_returned_at_once=nonblock_read_open_returned)
os.unlink(fifo)
os.unlink(path)
os.rmdir(tmp)

# ---- subreaper across fork and exec --------------------------------------------------------
libc.prctl.argtypes = [ctypes.c_int, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong,
                       ctypes.c_ulong]


def get_subreaper() -> int:
    v = ctypes.c_int(-1)
    libc.prctl(PR_GET_CHILD_SUBREAPER, ctypes.addressof(v), 0, 0, 0)
    return v.value


r, w = os.pipe()
pid = os.fork()
if pid == 0:
    libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
    me = get_subreaper()
    g = os.fork()
    if g == 0:
        os.write(w, f"{me} {get_subreaper()} ".encode())
        os._exit(0)
    os.waitpid(g, 0)
    code = ("import ctypes,os;l=ctypes.CDLL(None);v=ctypes.c_int(-1);"
            f"l.prctl({PR_GET_CHILD_SUBREAPER},ctypes.byref(v),0,0,0);"
            f"os.write({w},str(v.value).encode())")
    os.set_inheritable(w, True)
    try:
        os.execv(sys.executable, [sys.executable, "-E", "-s", "-S", "-c", code])
    finally:
        os._exit(127)
os.close(w)
os.waitpid(pid, 0)
out = os.read(r, 64).decode().split()
os.close(r)
setter, child_of_fork, after_exec = (out + ["?", "?", "?"])[:3]
F.add("orphan.subreaper_inherited_by_fork_child", child_of_fork == "1", setter == "1",
      setter_reads=setter, child_of_fork_reads=child_of_fork)
F.add("orphan.subreaper_kept_across_exec", after_exec == "1", setter == "1",
      setter_reads=setter, after_execve_reads=after_exec)

# ---- zombies and exit ----------------------------------------------------------------------
r, w = os.pipe()
pid = os.fork()
if pid == 0:
    os.close(r)
    os.read(os.open("/dev/null", os.O_RDONLY), 1)
    time.sleep(0.05)
    os._exit(0)
os.close(w)
eof_while_alive = select.select([r], [], [], 0)[0] != []
zombie = wait_for(lambda: proc_state(pid) == "Z", 3)
eof_at_exit = select.select([r], [], [], 0)[0] != [] and os.read(r, 1) == b""
os.close(r)
os.kill(pid, signal.SIGKILL)
still_zombie = proc_state(pid) == "Z"
reaped = os.waitpid(pid, 0)[0] == pid
F.add("exit.fds_closed_before_reap", zombie and eof_at_exit, not eof_while_alive and zombie,
      child_was_zombie=zombie, reader_saw_eof_before_wait=eof_at_exit,
      control_no_eof_while_alive=not eof_while_alive)
F.add("wait.zombie_survives_sigkill", still_zombie, zombie and reaped,
      zombie_after_sigkill=still_zombie, control_wait_reaped_it=reaped)

# ---- WUNTRACED / WCONTINUED ------------------------------------------------------------------
pid = os.fork()
if pid == 0:
    time.sleep(5)
    os._exit(0)
os.kill(pid, signal.SIGSTOP)
wait_for(lambda: proc_state(pid) == "T", 3)
plain = os.waitpid(pid, os.WNOHANG)[0]
p, st = os.waitpid(pid, os.WUNTRACED)
stopped = p == pid and os.WIFSTOPPED(st)
os.kill(pid, signal.SIGCONT)
wait_for(lambda: proc_state(pid) in ("S", "R"), 3)
plain2 = os.waitpid(pid, os.WNOHANG)[0]
p, st = os.waitpid(pid, os.WCONTINUED)
continued = p == pid and os.WIFCONTINUED(st)
os.kill(pid, signal.SIGKILL)
os.waitpid(pid, 0)
F.add("wait.wuntraced_reports_stopped", stopped, plain == 0, control_wnohang_alone=plain)
F.add("wait.wcontinued_reports_continued", continued, plain2 == 0, control_wnohang_alone=plain2)

# ---- a shell's status for a child killed by a signal ------------------------------------------
script = ('for s in HUP INT KILL TERM; do /bin/sh -c "kill -$s \\$\\$"; echo "$s $?"; done;'
          ' /bin/sh -c "exit 3"; echo "control $?"')
out = {}
pid_r, pid_w = os.pipe()
pid = os.fork()
if pid == 0:
    os.dup2(pid_w, 1)
    os.dup2(os.open("/dev/null", os.O_WRONLY), 2)  # "Killed", "Terminated" notices
    try:
        os.execv("/bin/sh", ["sh", "-c", script])
    finally:
        os._exit(127)
os.close(pid_w)
text = b""
while True:
    chunk = os.read(pid_r, 4096)
    if not chunk:
        break
    text += chunk
os.close(pid_r)
os.waitpid(pid, 0)
for line in text.decode().splitlines():
    name, _, code = line.partition(" ")
    out[name] = int(code) if code.isdigit() else None
for name in ("HUP", "INT", "KILL", "TERM"):
    F.add(f"exit.shell_status.SIG{name}", out.get(name), out.get("control") == 3,
          shell_statuses=out)

# ---- sigaction() and sigprocmask() on SIGKILL -------------------------------------------------
try:
    signal.signal(signal.SIGKILL, signal.SIG_IGN)
    act_err = "none"
except OSError as exc:
    act_err = errno.errorcode.get(exc.errno or 0, str(exc.errno))
try:
    old_usr1 = signal.signal(signal.SIGUSR1, signal.SIG_IGN)
    signal.signal(signal.SIGUSR1, old_usr1)
    usr1_ok = True
except OSError:
    usr1_ok = False
F.add("signal.sigaction_sigkill_errno", act_err, usr1_ok, control_sigaction_sigusr1_ok=usr1_ok)
try:
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGKILL, signal.SIGUSR1})
    block_err = "none"
except OSError as exc:
    block_err = errno.errorcode.get(exc.errno or 0, str(exc.errno))
blk = int(status_field("self", "SigBlk") or "0", 16)
kill_blocked = bool(blk & (1 << (signal.SIGKILL - 1)))
usr1_blocked = bool(blk & (1 << (signal.SIGUSR1 - 1)))
signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGUSR1})
F.add("signal.block_sigkill_silently_ignored", block_err == "none" and not kill_blocked,
      usr1_blocked, sigprocmask_error=block_err, sigkill_in_sigblk=kill_blocked,
      control_sigusr1_in_sigblk=usr1_blocked)

# ---- setsid() by a process group leader --------------------------------------------------------


def setsid_errno(leader: bool) -> str:
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        try:
            if leader:
                os.setpgid(0, 0)
            try:
                os.setsid()
                res = "none"
            except OSError as exc:
                res = errno.errorcode.get(exc.errno or 0, str(exc.errno))
            os.write(w, res.encode())
        finally:
            os._exit(0)
    os.close(w)
    res = os.read(r, 32).decode()
    os.close(r)
    os.waitpid(pid, 0)
    return res


leader_err, plain_err = setsid_errno(True), setsid_errno(False)
F.add("session.setsid_group_leader_errno", leader_err, plain_err == "none",
      control_non_leader_setsid=plain_err)

# ---- credentials across fork ---------------------------------------------------------------------
r, w = os.pipe()
hold_r, hold_w = os.pipe()
pid = os.fork()
if pid == 0:
    try:
        os.close(hold_w)
        os.write(w, repr((os.getresuid(), os.getresgid())).encode())
        os.read(hold_r, 1)  # alive until the parent has read its /proc status
    finally:
        os._exit(0)
os.close(w)
os.close(hold_r)
child_ids = os.read(r, 256).decode()
uid_line = status_field(pid, "Uid") or ""
os.close(hold_w)
os.close(r)
os.waitpid(pid, 0)
mine = repr((os.getresuid(), os.getresgid()))
proc_uids = uid_line.split()[:3]
# control: the kernel's own record of the child's uids (/proc/PID/status) says what the child
# said
F.add("credentials.inherited_by_fork_child", child_ids == mine,
      bool(uid_line) and repr(tuple(int(u) for u in proc_uids)) in child_ids,
      parent_ids=mine, child_ids=child_ids, child_proc_status_uid=uid_line)

# ---- SIGCHLD to a subreaper when an adopted orphan ends ----------------------------------------
r, w = os.pipe()
pid = os.fork()
if pid == 0:
    try:
        libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
        signal.pthread_sigmask(signal.SIG_BLOCK, set(CATCHABLE))
        gr, gw = os.pipe()
        mid = os.fork()
        if mid == 0:
            g = os.fork()
            if g == 0:
                os.read(gr, 1)  # the orphan waits until it has been adopted
                os._exit(0)
            os.write(w, f"{g} ".encode())
            os._exit(0)
        os.waitpid(mid, 0)
        while signal.sigtimedwait({signal.SIGCHLD}, 0) is not None:
            pass  # the middle process's own SIGCHLD
        os.write(gw, b"go")
        info = signal.sigtimedwait(set(CATCHABLE), 5)
        got = f"{info.si_signo} {info.si_pid}" if info is not None else "none 0"
        os.waitpid(-1, 0)
        os.write(w, got.encode())
    finally:
        os._exit(0)
os.close(w)
os.waitpid(pid, 0)
words = (os.read(r, 128).decode().split() + ["?", "?", "?"])[:3]
os.close(r)
orphan_pid, signo, from_pid = words
F.add("orphan.subreaper_gets_sigchld", signo == str(signal.SIGCHLD), from_pid == orphan_pid,
      orphan=orphan_pid, signal_number=signo, si_pid=from_pid)

# ---- the signal mask is per thread ---------------------------------------------------------
seen: dict[str, bool] = {}


def blocker() -> None:
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGUSR2})
    seen["thread_blocked"] = signal.SIGUSR2 in signal.pthread_sigmask(signal.SIG_BLOCK, set())


t = threading.Thread(target=blocker)
t.start()
t.join()
main_blocked = signal.SIGUSR2 in signal.pthread_sigmask(signal.SIG_BLOCK, set())
F.add("signal.mask_per_thread", seen.get("thread_blocked", False) and not main_blocked,
      seen.get("thread_blocked", False), thread_blocked_sigusr2=seen.get("thread_blocked"),
      main_thread_has_it_blocked=main_blocked)

# ---- EINTR and SA_RESTART: a blocking wait() interrupted by a handler -------------------------
libc.waitpid.argtypes = [ctypes.c_int, ctypes.c_void_p, ctypes.c_int]
libc.read.argtypes = [ctypes.c_int, ctypes.c_void_p, ctypes.c_size_t]


def interrupted_read(restart: bool) -> tuple[str, bool]:
    """A read() of an empty pipe, interrupted by a SIGALRM handler installed with or without
    SA_RESTART (through the C library, so Python does not retry it). Returns (the read's
    outcome, whether the handler ran). With SA_RESTART the read resumes and gets the byte a
    helper writes 0.15 s later."""
    ran: list[int] = []
    signal.signal(signal.SIGALRM, lambda n, f: ran.append(n))
    signal.siginterrupt(signal.SIGALRM, not restart)
    r, w = os.pipe()
    helper = os.fork()
    if helper == 0:
        time.sleep(0.15)
        os.write(w, b"x")
        os._exit(0)
    signal.setitimer(signal.ITIMER_REAL, 0.02)
    buf = ctypes.create_string_buffer(1)
    n = libc.read(r, buf, 1)
    err = ctypes.get_errno()
    signal.setitimer(signal.ITIMER_REAL, 0)
    os.kill(helper, signal.SIGKILL)  # its byte is needed only by a read that resumed
    os.waitpid(helper, 0)
    os.close(r)
    os.close(w)
    signal.signal(signal.SIGALRM, signal.SIG_DFL)
    return (errno.errorcode.get(err, str(err)) if n < 0 else f"read {n}"), bool(ran)


no_restart, ran1 = interrupted_read(False)
with_restart, ran2 = interrupted_read(True)
F.add("signal.interrupted_call_errno", no_restart, ran1, without_sa_restart=no_restart,
      handler_ran=ran1)
F.add("signal.sa_restart_restarts", with_restart == "read 1", ran2, with_sa_restart=with_restart,
      handler_ran=ran2)

# ---- pipes: a read returns what is there; EOF only when every write end is closed ----------
r, w = os.pipe()
os.write(w, b"abc")
got3 = os.read(r, 100)
os.set_blocking(r, False)
try:
    os.read(r, 1)
    emptied = False
except BlockingIOError:
    emptied = True  # control: the read took all there was, and the pipe is empty now
os.close(w)
os.close(r)
F.add("pipe.read_returns_available", got3 == b"abc", emptied, asked=100, got=len(got3),
      control_pipe_empty_after=emptied)
r, w = os.pipe()
hold_r, hold_w = os.pipe()
pid = os.fork()
if pid == 0:
    os.close(r)
    os.close(hold_w)
    os.read(hold_r, 1)  # keeps its copy of the write end until told
    os._exit(0)
os.close(hold_r)
os.close(w)
eof_with_copy = select.select([r], [], [], 0.05)[0] != []
os.close(hold_w)
eof_after = select.select([r], [], [], 3)[0] != [] and os.read(r, 1) == b""
os.close(r)
os.waitpid(pid, 0)
F.add("pipe.eof_only_when_all_writers_closed", not eof_with_copy and eof_after, eof_after,
      eof_while_a_child_held_a_copy=eof_with_copy, control_eof_after_it_closed=eof_after)

# ---- a zombie's state letter; a file unlinked while open ----------------------------------------
pid = os.fork()
if pid == 0:
    os._exit(0)
zstate = proc_state(pid) if wait_for(lambda: proc_state(pid) == "Z", 3) else proc_state(pid)
live = proc_state(os.getpid())
os.waitpid(pid, 0)
F.add("wait.zombie_state_letter", zstate, live in ("R", "S"), control_running_state=live)
tmp2 = tempfile.mkdtemp(prefix="mkdeck-life-")
name = os.path.join(tmp2, "gone")
fd = os.open(name, os.O_RDWR | os.O_CREAT, 0o600)
os.write(fd, b"kept")
os.unlink(name)
os.lseek(fd, 0, os.SEEK_SET)
still = os.read(fd, 4) == b"kept"
nlink = os.fstat(fd).st_nlink
os.close(fd)
os.rmdir(tmp2)
F.add("fd.open_survives_unlink", still, nlink == 0 and not os.path.exists(name),
      read_after_unlink=still, links_left=nlink)

# ---- process group and session across fork and exec -----------------------------------------
r, w = os.pipe()
pid = os.fork()
if pid == 0:
    try:
        os.write(w, f"{os.getpgrp()} {os.getsid(0)} ".encode())
        new_group = os.fork()
        if new_group == 0:
            os.setpgid(0, 0)  # control: a process that moved has a group of its own
            os.write(w, f"{os.getpgrp() == os.getpid()} ".encode())
            os._exit(0)
        os.waitpid(new_group, 0)
        os.set_inheritable(w, True)
        # fields 5 and 6 of /proc/PID/stat: the process group and session of the new program
        os.execv("/bin/sh", ["sh", "-c", f'echo "$(cut -d" " -f5,6 /proc/$$/stat)" >&{w}'])
    finally:
        os._exit(127)
os.close(w)
os.waitpid(pid, 0)
out = os.read(r, 256).decode().split()
os.close(r)
mine = [str(os.getpgrp()), str(os.getsid(0))]
F.add("session.pgid_inherited_by_fork_child", out[0:1] == mine[0:1], out[2:3] == ["True"],
      parent_pgid=mine[0], child_pgid=out[0:1], control_setpgid_made_own_group=out[2:3])
F.add("session.sid_inherited_by_fork_child", out[1:2] == mine[1:2], out[2:3] == ["True"],
      parent_sid=mine[1], child_sid=out[1:2])
F.add("session.pgid_sid_kept_across_exec", out[3:5] == mine, out[0:2] == mine,
      after_execve_pgid_sid=out[3:5], before=mine)

# ---- pipes: an empty pipe's read with and without O_NONBLOCK -------------------------------
r, w = os.pipe()
os.set_blocking(r, False)
try:
    os.read(r, 1)
    nb_err = "none"
except OSError as exc:
    nb_err = errno.errorcode.get(exc.errno or 0, str(exc.errno))
os.write(w, b"d")
nb_data = os.read(r, 1) == b"d"  # control: with data the same read succeeds
os.set_blocking(r, True)
hold_r, hold_w = os.pipe()
pid = os.fork()
if pid == 0:
    os.close(w)
    os.write(hold_w, b"b")
    got = os.read(r, 1)
    os._exit(0 if got == b"x" else 1)
os.read(hold_r, 1)
asleep = wait_for(lambda: proc_state(pid) == "S", 2)
time.sleep(0.02)
blocked = proc_state(pid) == "S"
os.write(w, b"x")
_, st = os.waitpid(pid, 0)
woke = os.WIFEXITED(st) and os.WEXITSTATUS(st) == 0
for x in (r, w, hold_r, hold_w):
    os.close(x)
F.add("pipe.empty_nonblocking_read_errno", nb_err, nb_data, control_read_with_data=nb_data)
F.add("pipe.empty_read_blocks", asleep and blocked, woke, child_asleep_in_read=blocked,
      control_woke_when_written=woke)

# ---- kill(): EINVAL for an invalid signal, EPERM without permission ---------------------------
try:
    os.kill(os.getpid(), 99999)
    inval = "none"
except OSError as exc:
    inval = errno.errorcode.get(exc.errno or 0, str(exc.errno))
try:
    os.kill(os.getpid(), 0)
    self_ok = True  # control: the same target with signal 0 is accepted
except OSError:
    self_ok = False
F.add("signal.kill_invalid_signal_errno", inval, self_ok, signal_number=99999,
      control_signal_0_accepted=self_ok)
pid1_uid = (status_field(1, "Uid") or "").split()[:1]
r, w = os.pipe()
pid = os.fork()
if pid == 0:
    try:
        if os.geteuid() == 0:
            os.setgroups([])
            os.setgid(65534)
            os.setuid(65534)  # an unprivileged user (nobody)
        try:
            os.kill(1, 0)
            res = "none"
        except OSError as exc:
            res = errno.errorcode.get(exc.errno or 0, str(exc.errno))
        own = "ok"
        try:
            os.kill(os.getpid(), 0)  # control: the same call on its own process succeeds
        except OSError:
            own = "fail"
        os.write(w, f"{res} {own} {os.geteuid()}".encode())
    finally:
        os._exit(0)
os.close(w)
os.waitpid(pid, 0)
res, own, euid = (os.read(r, 64).decode().split() + ["?", "?", "?"])[:3]
os.close(r)
F.add("signal.kill_unprivileged_errno", res, own == "ok" and pid1_uid != [euid] and euid != "0",
      kill_pid_1_as_uid=euid, pid1_uid=pid1_uid, control_kill_own_process=own)

# ---- SIGCHLD when a child stops -----------------------------------------------------------------
signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGCHLD})
pid = os.fork()
if pid == 0:
    os.kill(os.getpid(), signal.SIGSTOP)
    os._exit(0)
info = signal.sigtimedwait({signal.SIGCHLD}, 5)
stopped_code = info.si_code if info is not None else None
os.kill(pid, signal.SIGKILL)
os.waitpid(pid, 0)
while signal.sigtimedwait({signal.SIGCHLD}, 0) is not None:
    pass
signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGCHLD})
CLD_STOPPED = 5
F.add("signal.sigchld_on_child_stop", stopped_code == CLD_STOPPED,
      info is not None and info.si_pid == pid,
      si_code=stopped_code, expected_cld_stopped=CLD_STOPPED)

# ---- the wait status macros on a real status ------------------------------------------------
pid = os.fork()
if pid == 0:
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    os.kill(os.getpid(), signal.SIGTERM)
    os._exit(0)
_, killed = os.waitpid(pid, 0)
pid = os.fork()
if pid == 0:
    os._exit(3)
_, exited = os.waitpid(pid, 0)
F.add("wait.status_macros_read_a_kill",
      os.WIFSIGNALED(killed) and os.WTERMSIG(killed) == signal.SIGTERM
      and not os.WIFEXITED(killed),
      os.WIFEXITED(exited) and not os.WIFSIGNALED(exited), raw_status=killed,
      control_raw_status_of_exit_3=exited)
F.add("wait.status_macros_read_an_exit",
      os.WIFEXITED(exited) and os.WEXITSTATUS(exited) == 3 and not os.WIFSIGNALED(exited),
      os.WIFSIGNALED(killed) and not os.WIFEXITED(killed), raw_status=exited,
      control_raw_status_of_sigterm=killed)

# ---- a handler stays installed; the mask and pending signals across execve --------------------
signal.signal(signal.SIGUSR1, lambda n, f: None)
os.kill(os.getpid(), signal.SIGUSR1)
caught = int(status_field("self", "SigCgt") or "0", 16)
stays = bool(caught & (1 << (signal.SIGUSR1 - 1)))
signal.signal(signal.SIGUSR1, signal.SIG_DFL)
after_dfl = bool(int(status_field("self", "SigCgt") or "0", 16) & (1 << (signal.SIGUSR1 - 1)))
F.add("signal.handler_stays_installed", stays, not after_dfl,
      sigcgt_has_sigusr1_after_it_ran=stays, control_after_sig_dfl=after_dfl)
sleep = "/bin/sleep" if os.path.exists("/bin/sleep") else "/usr/bin/sleep"
pid = os.fork()
if pid == 0:
    try:
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGUSR1, signal.SIGUSR2})
        os.kill(os.getpid(), signal.SIGUSR2)  # pending (blocked) when execve() runs
        os.execv(sleep, ["sleep", "5"])  # a program that leaves its signal mask alone
    finally:
        os._exit(127)
# the parent reads the new program's /proc status: the kernel's record, not the program's
execd = wait_for(lambda: status_field(pid, "Name") == "sleep", 3)
fields = {k: status_field(pid, k) or "0" for k in ("SigBlk", "SigPnd", "ShdPnd")}
os.kill(pid, signal.SIGKILL)
os.waitpid(pid, 0)
blk = int(fields["SigBlk"], 16)
pnd = int(fields["SigPnd"], 16) | int(fields["ShdPnd"], 16)
mine = int(status_field("self", "SigBlk") or "0", 16)
F.add("signal.mask_kept_across_exec", bool(blk & (1 << (signal.SIGUSR1 - 1))),
      execd and not mine & (1 << (signal.SIGUSR1 - 1)),
      sigblk_after_execve=hex(blk), control_execve_done=execd,
      control_probe_itself_does_not_block_it=hex(mine))
F.add("signal.pending_kept_across_exec", bool(pnd & (1 << (signal.SIGUSR2 - 1))), execd,
      pending_after_execve=hex(pnd), control_execve_done=execd)

# ---- wait() returns the child's PID ----------------------------------------------------------
pid = os.fork()
if pid == 0:
    os._exit(0)
got_pid, _ = os.wait()
F.add("wait.returns_child_pid", got_pid == pid, got_pid != os.getpid(), forked=pid,
      wait_returned=got_pid)

# ---- a pipe is one-way and keeps the order of the data -----------------------------------------


def errname(fn) -> str:
    try:
        fn()
        return "none"
    except OSError as exc:
        return errno.errorcode.get(exc.errno or 0, str(exc.errno))


r, w = os.pipe()
write_read_end = errname(lambda: os.write(r, b"x"))
read_write_end = errname(lambda: os.read(w, 1))
for chunk in (b"one ", b"two ", b"three"):
    os.write(w, chunk)
ordered = os.read(r, 100) == b"one two three"
os.close(r)
os.close(w)
F.add("pipe.one_way", write_read_end == "EBADF" and read_write_end == "EBADF", ordered,
      write_to_read_end=write_read_end, read_from_write_end=read_write_end)
F.add("pipe.keeps_order", ordered, write_read_end != "none", read_back="one two three")

# ---- pipe2() flags on both ends --------------------------------------------------------------
r, w = os.pipe2(os.O_CLOEXEC | os.O_NONBLOCK)
both_cloexec = all(fcntl.fcntl(x, fcntl.F_GETFD) & fcntl.FD_CLOEXEC for x in (r, w))
both_nonblock = all(fcntl.fcntl(x, fcntl.F_GETFL) & os.O_NONBLOCK for x in (r, w))
os.close(r)
os.close(w)
r, w = os.pipe2(0)
plain_cloexec = any(fcntl.fcntl(x, fcntl.F_GETFD) & fcntl.FD_CLOEXEC for x in (r, w))
plain_nonblock = any(fcntl.fcntl(x, fcntl.F_GETFL) & os.O_NONBLOCK for x in (r, w))
os.close(r)
os.close(w)
F.add("pipe.pipe2_cloexec_both_ends", bool(both_cloexec), not plain_cloexec,
      control_pipe2_without_flags_has_it=plain_cloexec)
F.add("pipe.pipe2_nonblock_both_ends", bool(both_nonblock), not plain_nonblock,
      control_pipe2_without_flags_has_it=plain_nonblock)

# ---- dup2() closes newfd first; the copy has no close-on-exec --------------------------------
pr, pw = os.pipe()
target = os.open("/dev/null", os.O_RDONLY)
libc.dup2(pw, target)  # target was /dev/null: dup2 closes it and makes it the write end
os.close(pw)
write_via_target = os.write(target, b"z") == 1 and os.read(pr, 1) == b"z"
fcntl.fcntl(target, fcntl.F_SETFD, fcntl.FD_CLOEXEC)
pr2, pw2 = os.pipe()
libc.dup2(pw2, target)  # the only write end of the first pipe was target: it is closed now
os.close(pw2)
os.set_blocking(pr, False)
try:
    closed_first = os.read(pr, 1) == b""  # end of file: no write end is left
except BlockingIOError:
    closed_first = False
dup2_cloexec = bool(fcntl.fcntl(target, fcntl.F_GETFD) & fcntl.FD_CLOEXEC)
for x in (pr, pr2, target):
    os.close(x)
F.add("fd.dup2_closes_newfd", closed_first, write_via_target,
      old_pipe_sees_eof=closed_first, control_first_dup2_wrote_through=write_via_target)
F.add("fd.dup2_copy_cloexec", dup2_cloexec, write_via_target,
      newfd_had_fd_cloexec_before=True, newfd_has_it_after=dup2_cloexec)

# ---- setpgid(0, 0); credentials across execve ---------------------------------------------------
r, w = os.pipe()
pid = os.fork()
if pid == 0:
    try:
        before = os.getpgrp() == os.getpid()
        os.setpgid(0, 0)
        os.write(w, f"{before} {os.getpgrp() == os.getpid()}".encode())
    finally:
        os._exit(0)
os.close(w)
os.waitpid(pid, 0)
was, now = (os.read(r, 64).decode().split() + ["?", "?"])[:2]
os.close(r)
F.add("session.setpgid_makes_leader", now == "True", was == "False",
      leader_before=was, leader_after=now)
r, w = os.pipe()
pid = os.fork()
if pid == 0:
    try:
        os.dup2(w, 1)
        os.execv("/bin/sh", ["sh", "-c", "grep -E '^(Uid|Gid)' /proc/$$/status"])
    finally:
        os._exit(127)
os.close(w)
text = b""
while True:
    chunk = os.read(r, 4096)
    if not chunk:
        break
    text += chunk
os.close(r)
os.waitpid(pid, 0)
ids = {k: v.split()[:3] for k, v in (line.split(":", 1) for line in text.decode().splitlines())}
expect_u, expect_g = [str(x) for x in os.getresuid()], [str(x) for x in os.getresgid()]
sh_mode = os.stat("/bin/sh").st_mode
F.add("credentials.kept_across_exec", ids.get("Uid") == expect_u and ids.get("Gid") == expect_g,
      bool(ids) and not sh_mode & (stat.S_ISUID | stat.S_ISGID),
      after_execve=ids, before={"Uid": expect_u, "Gid": expect_g},
      control_program_not_set_user_id=not sh_mode & stat.S_ISUID)

# ---- descriptors across fork: closing, status flags, descriptor flags ---------------------------
tmp3 = tempfile.mkdtemp(prefix="mkdeck-life-")
path3 = os.path.join(tmp3, "f")
with open(path3, "wb") as fh:
    fh.write(b"data")
fd = os.open(path3, os.O_RDONLY)
fcntl.fcntl(fd, fcntl.F_SETFD, 0)
r, w = os.pipe()
pid = os.fork()
if pid == 0:
    try:
        fcntl.fcntl(fd, fcntl.F_SETFL, fcntl.fcntl(fd, fcntl.F_GETFL) | os.O_NONBLOCK)
        fcntl.fcntl(fd, fcntl.F_SETFD, fcntl.FD_CLOEXEC)
        own = bool(fcntl.fcntl(fd, fcntl.F_GETFD) & fcntl.FD_CLOEXEC)
        os.close(fd)
        os.write(w, str(own).encode())
    finally:
        os._exit(0)
os.close(w)
os.waitpid(pid, 0)
child_set_cloexec = os.read(r, 16) == b"True"
os.close(r)
try:
    still_open = os.pread(fd, 4, 0) == b"data"
except OSError:
    still_open = False
parent_nonblock = bool(fcntl.fcntl(fd, fcntl.F_GETFL) & os.O_NONBLOCK)
parent_cloexec = bool(fcntl.fcntl(fd, fcntl.F_GETFD) & fcntl.FD_CLOEXEC)
os.close(fd)
F.add("fd.child_close_keeps_parent_open", still_open, child_set_cloexec,
      parent_reads_after_child_closed=still_open)
F.add("fd.status_flags_shared_after_fork", parent_nonblock, child_set_cloexec,
      parent_sees_o_nonblock_set_by_child=parent_nonblock)
F.add("fd.fd_flags_shared_after_fork", parent_cloexec, child_set_cloexec,
      parent_sees_fd_cloexec_set_by_child=parent_cloexec,
      control_child_saw_its_own=child_set_cloexec)

# ---- lseek() on a pipe; a FIFO opened O_RDWR --------------------------------------------------
r, w = os.pipe()
seek_err = errname(lambda: os.lseek(r, 0, os.SEEK_CUR))
file_fd = os.open(path3, os.O_RDONLY)
file_ok = os.lseek(file_fd, 0, os.SEEK_CUR) == 0
os.close(file_fd)
os.close(r)
os.close(w)
F.add("pipe.lseek_errno", seek_err, file_ok, control_lseek_on_a_file_ok=file_ok)
fifo3 = os.path.join(tmp3, "fifo")
os.mkfifo(fifo3, 0o600)
pid = os.fork()
if pid == 0:
    fd = os.open(fifo3, os.O_RDWR)  # Linux: returns at once, no other process needed
    os._exit(0 if fd >= 0 else 1)
rdwr_returned = wait_for(lambda: os.waitpid(pid, os.WNOHANG)[0] == pid, 3)
if not rdwr_returned:
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
# one-sided: an open that has not returned after 3 s (a loaded host) is inconclusive
F.add("pipe.fifo_rdwr_open_does_not_block", rdwr_returned, rdwr_returned,
      opened_and_exited=rdwr_returned)

# ---- a failed execve() leaves close-on-exec descriptors open ------------------------------------
r, w = os.pipe()
pid = os.fork()
if pid == 0:
    try:
        fd = os.open(path3, os.O_RDONLY | os.O_CLOEXEC)
        try:
            os.execv(os.path.join(tmp3, "no-such-program"), ["x"])
        except OSError as exc:
            err = errno.errorcode.get(exc.errno or 0, "?")
        try:
            ok = os.pread(fd, 4, 0) == b"data"
        except OSError:
            ok = False
        os.write(w, f"{err} {ok}".encode())
    finally:
        os._exit(0)
os.close(w)
os.waitpid(pid, 0)
exec_err, kept = (os.read(r, 64).decode().split() + ["?", "?"])[:2]
os.close(r)
F.add("fd.cloexec_kept_when_exec_fails", kept == "True", exec_err == "ENOENT",
      execve_error=exec_err, fd_readable_after=kept)
os.unlink(fifo3)
os.unlink(path3)
os.rmdir(tmp3)

# ---- a child of fork() is no group leader; setsid() leaves no controlling terminal ------------
r, w = os.pipe()
pid = os.fork()
if pid == 0:
    try:
        leader = os.getpgrp() == os.getpid()
        master, slave = pty.openpty()
        name = os.ttyname(slave)
        os.setsid()
        tty_after_setsid = int(open("/proc/self/stat").read().rsplit(")", 1)[1].split()[4])
        fd = os.open(name, os.O_RDWR)
        fcntl.ioctl(fd, termios.TIOCSCTTY, 0)
        tty_after_acquire = int(open("/proc/self/stat").read().rsplit(")", 1)[1].split()[4])
        os.write(w, f"{leader} {tty_after_setsid} {tty_after_acquire}".encode())
    except OSError as exc:
        os.write(w, f"{leader} error {exc.errno}".encode())
    finally:
        os._exit(0)
os.close(w)
os.waitpid(pid, 0)
leader, t_setsid, t_acq = (os.read(r, 64).decode().split() + ["?", "?", "?"])[:3]
os.close(r)
F.add("session.fork_child_not_group_leader", leader == "False", os.getpgrp() > 0,
      child_was_leader=leader)
F.add("session.setsid_no_controlling_terminal", t_setsid == "0",
      t_acq.isdigit() and int(t_acq) != 0, tty_nr_after_setsid=t_setsid,
      control_tty_nr_after_tiocsctty=t_acq)

# ---- getuid()/geteuid() and setuid() as root (credentials(7)); needs root ---------------------
r, w = os.pipe()
pid = os.fork()
if pid == 0:
    try:
        if os.geteuid() != 0:
            os.write(w, b"not-root")
        else:
            os.setgroups([])
            os.setresuid(1000, 2000, 3000)
            ids = f"{os.getuid()} {os.geteuid()} {os.getresuid()[2]}"
            up = errname(lambda: os.seteuid(3000))  # to the saved set-user-ID: allowed
            other = errname(lambda: os.seteuid(4000))  # to any other: not for the unprivileged
            os.write(w, f"{ids} {up} {other}".encode())
    finally:
        os._exit(0)
os.close(w)
os.waitpid(pid, 0)
cred = os.read(r, 128).decode().split()
os.close(r)
root = cred[:1] != ["not-root"] and len(cred) == 5
F.add("credentials.getuid_real_geteuid_effective", root and cred[0:2] == ["1000", "2000"],
      root,
      getuid_geteuid_saved_after_setresuid_1000_2000_3000=cred[0:3])
F.add("credentials.unprivileged_seteuid_only_real_or_saved",
      root and cred[3:5] == ["none", "EPERM"],
      root and cred[3] == "none", seteuid_to_saved=cred[3:4], seteuid_to_other=cred[4:5])
r, w = os.pipe()
pid = os.fork()
if pid == 0:
    try:
        if os.geteuid() != 0:
            os.write(w, b"not-root")
        else:
            os.setgroups([])
            os.setuid(1000)
            os.write(w, " ".join(map(str, os.getresuid())).encode())
    finally:
        os._exit(0)
os.close(w)
os.waitpid(pid, 0)
after = os.read(r, 64).decode().split()
os.close(r)
F.add("credentials.root_setuid_sets_all_three", after == ["1000", "1000", "1000"],
      len(after) == 3, resuid_after_setuid_1000=after)
F.emit()
