"""Probe (lifecycle, processes): subreapers across fork and execve and the SIGCHLD they get,
zombies (state Z, SIGKILL, descriptors closed at exit), WUNTRACED/WCONTINUED, wait() errors,
returned PID and status macros, setsid()/setpgid(), process group and session across fork and
execve, credentials across fork and execve and, as root only, getuid()/geteuid(), seteuid()
and setuid() (prctl(2), wait(2), setsid(2), setpgid(2), credentials(7), setuid(2)).

Every fact has its control; a fact whose control misbehaved is reported not valid. The root-only
facts are not valid where the probe does not run as root (their verdicts are inconclusive).
"""

from __future__ import annotations

import ctypes
import errno
import fcntl
import os
import pty
import select
import signal
import stat
import sys
import tempfile
import termios
import time

from _probelib import (CATCHABLE, errname, Facts, in_child, libc, PR_GET_CHILD_SUBREAPER,
                       PR_SET_CHILD_SUBREAPER, proc_state, read_all, status_field, wait_for)

F = Facts("lifecycle-process")


# ---- subreaper across fork and exec --------------------------------------------------------


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


# ---- wait() returns the child's PID ----------------------------------------------------------
pid = os.fork()
if pid == 0:
    os._exit(0)
got_pid, _ = os.wait()
F.add("wait.returns_child_pid", got_pid == pid, got_pid != os.getpid(), forked=pid,
      wait_returned=got_pid)


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
text = read_all(r)
os.waitpid(pid, 0)
ids = {k: v.split()[:3] for k, v in (line.split(":", 1) for line in text.decode().splitlines())}
expect_u, expect_g = [str(x) for x in os.getresuid()], [str(x) for x in os.getresgid()]
sh_mode = os.stat("/bin/sh").st_mode
F.add("credentials.kept_across_exec", ids.get("Uid") == expect_u and ids.get("Gid") == expect_g,
      bool(ids) and not sh_mode & (stat.S_ISUID | stat.S_ISGID),
      after_execve=ids, before={"Uid": expect_u, "Gid": expect_g},
      control_program_not_set_user_id=not sh_mode & stat.S_ISUID)


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


def seteuid_as_unprivileged() -> str:
    """In a child: real, effective, saved uid after setresuid(1000, 2000, 3000), then the errno
    of seteuid() to the saved uid and to another one; ``"not-root"`` without root."""
    if os.geteuid() != 0:
        return "not-root"
    os.setgroups([])
    os.setresuid(1000, 2000, 3000)
    ids = f"{os.getuid()} {os.geteuid()} {os.getresuid()[2]}"
    up = errname(lambda: os.seteuid(3000))  # to the saved set-user-ID: allowed
    other = errname(lambda: os.seteuid(4000))  # to any other: not for the unprivileged
    return f"{ids} {up} {other}"


def root_setuid() -> str:
    """In a child: real, effective, saved uid after root's setuid(1000); ``"not-root"``."""
    if os.geteuid() != 0:
        return "not-root"
    os.setgroups([])
    os.setuid(1000)
    return " ".join(map(str, os.getresuid()))


cred = in_child(seteuid_as_unprivileged).split()
root = cred[:1] != ["not-root"] and len(cred) == 5
F.add("credentials.getuid_real_geteuid_effective", root and cred[0:2] == ["1000", "2000"],
      root,
      getuid_geteuid_saved_after_setresuid_1000_2000_3000=cred[0:3])
F.add("credentials.unprivileged_seteuid_only_real_or_saved",
      root and cred[3:5] == ["none", "EPERM"],
      root and cred[3] == "none", seteuid_to_saved=cred[3:4], seteuid_to_other=cred[4:5])
after = in_child(root_setuid).split()
F.add("credentials.root_setuid_sets_all_three", after == ["1000", "1000", "1000"],
      len(after) == 3, resuid_after_setuid_1000=after)

# ---- exit() runs the handlers registered with atexit(); _exit() does not (exit(3), _exit(2)) ----
EXIT_HANDLER = ctypes.CFUNCTYPE(None, ctypes.c_void_p)


def exit_handler_ran(how: str) -> bool | None:
    """Whether a handler registered with the C library's atexit machinery (__cxa_atexit, which
    atexit() is in glibc; atexit() itself elsewhere) ran when a child ended with ``how``
    (``"exit"`` or ``"_exit"``); ``None`` when neither can be registered."""
    register = getattr(libc, "__cxa_atexit", None)
    if register is None:
        return None
    register.argtypes = [EXIT_HANDLER, ctypes.c_void_p, ctypes.c_void_p]
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        try:
            os.close(r)
            handler = EXIT_HANDLER(lambda _: os.write(w, b"1"))
            register(handler, None, None)
            getattr(libc, how)(0)
        finally:
            os._exit(0)
    os.close(w)
    os.waitpid(pid, 0)
    out = os.read(r, 8)
    os.close(r)
    return out == b"1"


by_exit, by_underscore_exit = exit_handler_ran("exit"), exit_handler_ran("_exit")
# each is the other's control: the handler runs in one way of ending and not in the other
F.add("exit.exit_runs_atexit_handlers", by_exit is True and by_underscore_exit is False,
      by_exit is not None and by_exit != by_underscore_exit,
      handler_ran_at_exit=by_exit, handler_ran_at__exit=by_underscore_exit)
F.emit()
