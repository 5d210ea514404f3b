"""Probe (lifecycle, signals): default actions, signal numbers as the kernel sends them,
pending and queued signals, kill()/sigaction()/sigprocmask() errors, the signal mask per thread
and across execve, EINTR and SA_RESTART, SIGCHLD on a child's stop, a shell's status for a
child killed by a signal (signal(7), kill(2), sigaction(2), sigprocmask(2), execve(2)).

Every fact has its control; a fact whose control misbehaved is reported not valid (never used
for a verdict):
- default actions: a child with the default disposition sends the signal to itself and the
  parent's waitpid(WUNTRACED) says what happened; core-dumping signals in a child made
  non-dumpable (PR_SET_DUMPABLE 0, RLIMIT_CORE 0: no core file whatever core_pattern says), stop
  signals in a process group of its own that is not orphaned. Controls: a child ignoring
  SIGTERM survives it, SIGKILL kills.
- numbers: SIGCHLD (si_signo when a child exits), SIGALRM (ITIMER_REAL), SIGPIPE and SIGSEGV
  (what kills a writer to a readerless pipe / a reader of an unmapped page), SIGKILL and
  SIGSTOP (the two numbers no handler can be installed for), SIGTERM (the shell's kill PID),
  SIGINT, SIGQUIT, SIGTSTP and SIGHUP (Ctrl-C, Ctrl-backslash, Ctrl-Z and hangup on a
  pseudo-terminal that is a new session's controlling terminal). Control: the C library's
  numbers agree for the signals no terminal is needed for.
- queueing: sigtimedwait() counts the instances of a blocked SIGUSR1 sent three times (1) and
  of SIGRTMIN (3, the control).
- the others: see each section's comment.
"""

from __future__ import annotations

import ctypes
import errno
import fcntl
import os
import pty
import resource
import signal
import termios
import threading
import time

from _probelib import (CATCHABLE, Facts, libc, PR_SET_DUMPABLE, read_all, status_field,
                       wait_for)

F = Facts("lifecycle-signals")


# ---- default actions ----------------------------------------------------------------------
DEFAULT_TESTED = ("SIGHUP", "SIGINT", "SIGPIPE", "SIGALRM", "SIGTERM", "SIGUSR1", "SIGUSR2",
                  "SIGKILL", "SIGCHLD", "SIGURG", "SIGWINCH", "SIGSTOP", "SIGQUIT", "SIGSEGV",
                  "SIGABRT", "SIGBUS", "SIGFPE", "SIGILL", "SIGTRAP", "SIGSYS", "SIGTSTP",
                  "SIGTTIN", "SIGTTOU")


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
text = read_all(pid_r)
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
F.emit()
