"""Probe: what a child of fork() gets from its parent, what execve() keeps and what it resets,
and the errors execve() reports (fork(2) "The child process is an exact duplicate ... except",
execve(2) "All process attributes are preserved during an execve(), except", ERRORS).

Method, fork: the probe sets attributes to values no default has (cwd a temp folder, umask
027, RLIMIT_NOFILE soft limit 203, a pending alarm(), a locked page, a caught SIGUSR2, a
file mapping named by a marker, a MADV_DONTFORK range, some CPU time), forks, and the child
reports what it has. Controls: the parent's own view of each value, so an attribute that was
never set is not taken for one that was not inherited.

Method, exec: a child sets the same kind of values, starts a second thread, then execs
``/bin/cat`` on its own ``/proc/self/{stat,status,limits,maps}``, so every value is read by the
new program after the exec; ``/proc/PID/exe`` and ``cwd`` are read while cat waits on its
stdin. Control: the same files read by the child before the exec.

Method, errors: execve() of a missing file (ENOENT), of a file without execute permission
(EACCES, also for root: no execute bit at all), of an executable file of no known format
(ENOEXEC), and of /bin/true with an argument longer than MAX_ARG_STRLEN (E2BIG). Control: a
``#!/bin/sh`` script in the same folder runs (the folder is not mounted noexec).
"""

from __future__ import annotations

import ctypes
import errno
import json
import mmap
import os
import resource
import shutil
import signal
import tempfile
import threading
import time

from _probelib import Facts, read_all, status_field

F = Facts("inherit")
LIBC = ctypes.CDLL(None, use_errno=True)
CAT = "/bin/cat"
TRUE = shutil.which("true") or "/bin/true"
TMP = tempfile.mkdtemp(prefix="mkdeck-inherit-")
MARKER = os.path.join(TMP, "mkdeck-marker-map")
with open(MARKER, "wb") as fh:
    fh.write(b"M" * 4096)


def proc_stat(text: str) -> list[str]:
    """Fields of a ``/proc/PID/stat`` line after the command name (field 3 is index 0)."""
    return text.rsplit(")", 1)[1].split()


def sig_bit(mask_hex: str | None, sig: int) -> bool:
    return mask_hex is not None and bool(int(mask_hex, 16) >> (sig - 1) & 1)


def nofile_soft(limits: str) -> str | None:
    """The soft limit of "Max open files" in a ``/proc/PID/limits`` text."""
    for line in limits.splitlines():
        if line.startswith("Max open files"):
            return line.split()[3]
    return None


def address(m: mmap.mmap) -> int:
    return ctypes.addressof(ctypes.c_char.from_buffer(m))


def mapped(maps: str, addr: int) -> bool:
    for line in maps.splitlines():
        lo, hi = (int(x, 16) for x in line.split()[0].split("-"))
        if lo <= addr < hi:
            return True
    return False


def read(path: str) -> str:
    with open(path) as fh:
        return fh.read()


# ---- fork ----------------------------------------------------------------------------------
def on_usr2(_sig: int, _frame: object) -> None:  # a caught signal: SigCgt shows it
    pass


os.chdir(TMP)
os.umask(0o027)
nofile = resource.getrlimit(resource.RLIMIT_NOFILE)  # a soft limit no default has
nofile_set = 203 if nofile[1] == resource.RLIM_INFINITY or nofile[1] >= 203 else nofile[1] - 1
nofile_set -= 1 if nofile_set == nofile[0] else 0
resource.setrlimit(resource.RLIMIT_NOFILE, (nofile_set, nofile[1]))
signal.signal(signal.SIGUSR2, on_usr2)
signal.signal(signal.SIGALRM, signal.SIG_IGN)
signal.alarm(100)
signal.setitimer(signal.ITIMER_VIRTUAL, 100.0)
PR_SET_PDEATHSIG, PR_GET_PDEATHSIG, PR_SET_TIMERSLACK, PR_GET_TIMERSLACK = 1, 2, 29, 30
PR_SET_NO_NEW_PRIVS = 38
LIBC.prctl(PR_SET_PDEATHSIG, signal.SIGUSR1, 0, 0, 0)
LIBC.prctl(PR_SET_TIMERSLACK, 123457, 0, 0, 0)
cpus = sorted(os.sched_getaffinity(0))
if len(cpus) > 1:
    os.sched_setaffinity(0, {cpus[-1]})
wipe = mmap.mmap(-1, 4096, flags=mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS)
wipe[:4] = b"WIPE"
try:
    wipe.madvise(getattr(mmap, "MADV_WIPEONFORK", 18))
    wiped_ok = True
except OSError:
    wiped_ok = False  # a kernel before 4.14
mf = open(MARKER, "r+b")
marker_map = mmap.mmap(mf.fileno(), 4096, flags=mmap.MAP_SHARED)
lock_page = mmap.mmap(-1, 4096, flags=mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS)
lock_page[:1] = b"L"
locked = LIBC.mlock(ctypes.c_void_p(address(lock_page)), ctypes.c_size_t(4096)) == 0
dontfork = mmap.mmap(-1, 4096 * 4, flags=mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS)
dontfork.madvise(mmap.MADV_DONTFORK)
plain_map = mmap.mmap(-1, 4096 * 4, flags=mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS)
dontfork_at, plain_at = address(dontfork), address(plain_map)
t_end = time.process_time() + 0.03
while time.process_time() < t_end:
    pass
parent_cpu = sum(os.times()[:2])
parent = {"cwd": os.getcwd(), "umask": 0o027, "nofile": str(nofile_set),
          "uids": os.getresuid(), "gids": os.getresgid(), "pgid": os.getpgid(0),
          "sid": os.getsid(0), "vmlck": status_field("self", "VmLck"),
          "sigcgt": sig_bit(status_field("self", "SigCgt"), signal.SIGUSR2),
          "marker": MARKER in read("/proc/self/maps")}

def pdeathsig() -> int:
    got = ctypes.c_int(-1)
    LIBC.prctl(PR_GET_PDEATHSIG, ctypes.byref(got), 0, 0, 0)
    return got.value


parent_pdeathsig, parent_slack = pdeathsig(), LIBC.prctl(PR_GET_TIMERSLACK, 0, 0, 0, 0)
parent_itimer = signal.getitimer(signal.ITIMER_VIRTUAL)[0]
LIBC.setenv(b"MKDECK_INHERIT_ENV", b"from-parent", 1)
LIBC.getenv.restype = ctypes.c_char_p
r, w = os.pipe()
pid = os.fork()
if pid == 0:
    try:
        os.close(r)
        maps = read("/proc/self/maps")
        umask = os.umask(0)
        kid = {"cwd": os.getcwd(), "umask": umask, "nofile": nofile_soft(read("/proc/self/limits")),
               "uids": os.getresuid(), "gids": os.getresgid(), "pgid": os.getpgid(0),
               "sid": os.getsid(0), "alarm_left": signal.alarm(0),
               "vmlck": status_field("self", "VmLck"),
               "sigcgt": sig_bit(status_field("self", "SigCgt"), signal.SIGUSR2),
               "marker": MARKER in maps, "dontfork": mapped(maps, dontfork_at),
               "plain": mapped(maps, plain_at), "cpu": sum(os.times()[:2]),
               "ru": resource.getrusage(resource.RUSAGE_SELF).ru_utime,
               "itimer": signal.getitimer(signal.ITIMER_VIRTUAL)[0],
               "pdeathsig": pdeathsig(), "slack": LIBC.prctl(PR_GET_TIMERSLACK, 0, 0, 0, 0),
               "cpus": sorted(os.sched_getaffinity(0)), "wipe": bytes(wipe[:4]).decode(
                   errors="replace"),
               "env": (LIBC.getenv(b"MKDECK_INHERIT_ENV") or b"").decode()}
        os.write(w, json.dumps(kid).encode())
    finally:
        os._exit(0)
os.close(w)
raw = read_all(r)
os.waitpid(pid, 0)
alarm_left = signal.alarm(0)
signal.setitimer(signal.ITIMER_VIRTUAL, 0)
LIBC.prctl(PR_SET_PDEATHSIG, 0, 0, 0, 0)
if len(cpus) > 1:
    os.sched_setaffinity(0, set(cpus))
kid = json.loads(raw) if raw else {}
ok = bool(kid)
F.add("inherit.fork.cwd_umask", ok and kid["cwd"] == parent["cwd"] and kid["umask"] == 0o027,
      ok and parent["cwd"] != "/", child_cwd=kid.get("cwd"), parent_cwd=parent["cwd"],
      child_umask=oct(kid.get("umask", 0)), parent_umask="0o27")
F.add("inherit.fork.rlimits", ok and kid["nofile"] == parent["nofile"],
      ok and str(nofile[0]) != parent["nofile"], child_nofile_soft=kid.get("nofile"),
      parent_nofile_soft=parent["nofile"], before_the_probe_set_it=nofile[0])
F.add("inherit.fork.ids", ok and kid["uids"] == list(parent["uids"])
      and kid["gids"] == list(parent["gids"]), ok, child_uids=kid.get("uids"),
      parent_uids=parent["uids"], child_gids=kid.get("gids"), parent_gids=parent["gids"])
F.add("inherit.fork.pgid_sid", ok and kid["pgid"] == parent["pgid"]
      and kid["sid"] == parent["sid"], ok, child_pgid=kid.get("pgid"),
      parent_pgid=parent["pgid"], child_sid=kid.get("sid"), parent_sid=parent["sid"])
F.add("inherit.fork.alarm", ok and (kid["alarm_left"] > 0 or kid["itimer"] > 0),
      ok and alarm_left > 0 and parent_itimer > 0, child_alarm_left_s=kid.get("alarm_left"),
      parent_alarm_left_s=alarm_left, child_itimer_virtual_s=kid.get("itimer"),
      parent_itimer_virtual_s=parent_itimer)
F.add("inherit.fork.environment", ok and kid["env"] == "from-parent",
      ok and LIBC.getenv(b"MKDECK_INHERIT_ENV") == b"from-parent",
      child_getenv=kid.get("env"), parent_setenv="from-parent")
F.add("inherit.fork.pdeathsig", ok and kid["pdeathsig"] != 0,
      ok and parent_pdeathsig == signal.SIGUSR1, child_pdeathsig=kid.get("pdeathsig"),
      parent_pdeathsig=parent_pdeathsig)
F.add("inherit.fork.timerslack", ok and kid["slack"] == parent_slack == 123457, ok,
      child_timer_slack_ns=kid.get("slack"), parent_timer_slack_ns=parent_slack)
F.add("inherit.fork.cpu_affinity", ok and kid["cpus"] == [cpus[-1]], ok and len(cpus) > 1,
      child_cpus=kid.get("cpus"), parent_cpus=[cpus[-1]] if cpus else None,
      note="needs two CPUs to tell a set affinity from the default")
F.add("inherit.fork.wipeonfork_zeroed", ok and kid["wipe"] != "WIPE",
      ok and wiped_ok and bytes(wipe[:4]) == b"WIPE", child_sees=kid.get("wipe"),
      parent_sees=bytes(wipe[:4]).decode(errors="replace"))
vm_parent = int((parent["vmlck"] or "0").split()[0])
vm_child = int((kid.get("vmlck") or "0").split()[0])
F.add("inherit.fork.mlock", ok and vm_child > 0, ok and locked and vm_parent > 0,
      child_vmlck_kb=vm_child, parent_vmlck_kb=vm_parent, mlock_ok=locked)
F.add("inherit.fork.cpu_times", ok and kid["cpu"] >= parent_cpu / 2,
      ok and parent_cpu >= 0.02, child_cpu_s=kid.get("cpu"), parent_cpu_s=parent_cpu)
F.add("inherit.fork.handlers", ok and kid["sigcgt"], ok and parent["sigcgt"],
      child_catches_sigusr2=kid.get("sigcgt"), parent_catches_sigusr2=parent["sigcgt"])
F.add("inherit.fork.mappings", ok and kid["marker"] and kid["plain"],
      ok and parent["marker"], child_has_file_mapping=kid.get("marker"),
      child_has_anonymous_mapping=kid.get("plain"), parent_has_file_mapping=parent["marker"])
F.add("inherit.fork.dontfork_present", ok and kid["dontfork"], ok and kid["plain"],
      child_has_madv_dontfork_range=kid.get("dontfork"),
      control_child_has_plain_range=kid.get("plain"))


# ---- exec ----------------------------------------------------------------------------------
SENTINEL = os.path.join(TMP, "end")
with open(SENTINEL, "w") as fh:
    fh.write("\nMKDECK-END\n")
hold = threading.Event()
in_r, in_w = os.pipe()
out_r, out_w = os.pipe()
info_r, info_w = os.pipe()
pid = os.fork()
if pid == 0:
    try:
        for fd in (in_w, out_r, info_r):
            os.close(fd)
        os.setpriority(os.PRIO_PROCESS, 0, min(19, os.getpriority(os.PRIO_PROCESS, 0) + 3))
        os.umask(0o037)
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGUSR1, signal.SIGUSR2})
        os.kill(os.getpid(), signal.SIGUSR2)  # pending (blocked) across the exec
        LIBC.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)
        os.sched_setscheduler(0, os.SCHED_BATCH, os.sched_param(0))
        if len(cpus) > 1:
            os.sched_setaffinity(0, {cpus[0]})
        locked_x = LIBC.mlock(ctypes.c_void_p(address(lock_page)), ctypes.c_size_t(4096)) == 0
        threading.Thread(target=hold.wait, daemon=True).start()
        before = {"stat": proc_stat(read("/proc/self/stat")), "status_uid":
                  status_field("self", "Uid"), "threads": status_field("self", "Threads"),
                  "nofile": nofile_soft(read("/proc/self/limits")),
                  "marker": MARKER in read("/proc/self/maps"),
                  "exe": os.readlink("/proc/self/exe"), "cwd": os.getcwd(),
                  "status": read("/proc/self/status"), "locked": locked_x}
        os.write(info_w, json.dumps(before).encode())
        os.close(info_w)
        os.dup2(in_r, 0)
        os.dup2(out_w, 1)
        os.execv(CAT, [CAT, "/proc/self/stat", SENTINEL, "/proc/self/status", SENTINEL,
                       "/proc/self/limits", SENTINEL, "/proc/self/maps", SENTINEL, "-"])
    finally:
        os._exit(127)
for fd in (in_r, out_w, info_w):
    os.close(fd)
before = json.loads(read_all(info_r) or b"{}")
buf = b""
while buf.count(b"MKDECK-END") < 4:
    chunk = os.read(out_r, 65536)
    if not chunk:
        break
    buf += chunk
try:
    exe_after = os.readlink(f"/proc/{pid}/exe")
    cwd_after = os.readlink(f"/proc/{pid}/cwd")
except OSError:
    exe_after = cwd_after = None
os.close(in_w)
read_all(out_r)
os.waitpid(pid, 0)
parts = buf.decode(errors="replace").split("\nMKDECK-END\n")
ran = len(parts) >= 4 and bool(before) and ")" in parts[0]
if ran:
    st, status_txt, limits, maps = parts[:4]
    after = {"stat": proc_stat(st), "nofile": nofile_soft(limits), "marker": MARKER in maps,
             "uid": next((ln.split(":", 1)[1].strip() for ln in status_txt.splitlines()
                          if ln.startswith("Uid:")), None),
             "threads": next((ln.split(":", 1)[1].strip() for ln in status_txt.splitlines()
                              if ln.startswith("Threads:")), None)}
else:
    after = {"stat": [], "nofile": None, "marker": None, "uid": None, "threads": None}
b_stat, a_stat = before.get("stat", []), after["stat"]
exec_done = ran and exe_after is not None and exe_after != before.get("exe")
# stat fields (proc(5)), counted from field 3 (index 0): pgrp 5 -> 2, session 6 -> 3, nice 19 -> 16
F.add("inherit.exec.nice", exec_done and a_stat[16] == b_stat[16], exec_done,
      nice_before=b_stat[16] if b_stat else None, nice_after=a_stat[16] if a_stat else None)
F.add("inherit.exec.rlimits", exec_done and after["nofile"] == before.get("nofile") == str(nofile_set),
      exec_done and str(nofile[0]) != str(nofile_set), nofile_soft_before=before.get("nofile"),
      nofile_soft_after=after["nofile"])
F.add("inherit.exec.pgid_sid", exec_done and a_stat[2:4] == b_stat[2:4], exec_done,
      pgid_sid_before=b_stat[2:4], pgid_sid_after=a_stat[2:4])
F.add("inherit.exec.uids", exec_done and after["uid"] == before.get("status_uid"), exec_done,
      uid_before=before.get("status_uid"), uid_after=after["uid"])
F.add("inherit.exec.mappings", exec_done and after["marker"],
      exec_done and before.get("marker") is True, file_mapping_before=before.get("marker"),
      file_mapping_after=after["marker"])
F.add("inherit.exec.other_threads", exec_done and after["threads"] != "1",
      exec_done and before.get("threads") == "2", threads_before=before.get("threads"),
      threads_after=after["threads"])
F.add("inherit.exec.exe_is_new_program", exec_done and os.path.realpath(exe_after or "")
      == os.path.realpath(CAT), ran and exe_after is not None, exe_before=before.get("exe"),
      exe_after=exe_after)


def field(status_text: str, name: str) -> str | None:
    for ln in status_text.splitlines():
        if ln.startswith(name + ":"):
            return ln.split(":", 1)[1].strip()
    return None


b_st, a_st = before.get("status", ""), status_txt if ran else ""
for key, name, sig in (("mask", "SigBlk", signal.SIGUSR1), ("pending", "ShdPnd", signal.SIGUSR2)):
    was, now = sig_bit(field(b_st, name), sig), sig_bit(field(a_st, name), sig)
    if key == "pending":
        was = was or sig_bit(field(b_st, "SigPnd"), sig)
        now = now or sig_bit(field(a_st, "SigPnd"), sig)
    F.add(f"inherit.exec.signal_{key}", exec_done and now, exec_done and was,
          **{f"{key}_before": was, f"{key}_after": now, "signal": sig})
F.add("inherit.exec.umask", exec_done and field(a_st, "Umask") == "0037",
      exec_done and field(b_st, "Umask") == "0037", umask_before=field(b_st, "Umask"),
      umask_after=field(a_st, "Umask"))
F.add("inherit.exec.no_new_privs", exec_done and field(a_st, "NoNewPrivs") == "1",
      exec_done and field(b_st, "NoNewPrivs") == "1", before=field(b_st, "NoNewPrivs"),
      after=field(a_st, "NoNewPrivs"))
F.add("inherit.exec.mlock", exec_done and field(a_st, "VmLck") not in (None, "0 kB"),
      exec_done and before.get("locked") and field(b_st, "VmLck") != "0 kB",
      vmlck_before=field(b_st, "VmLck"), vmlck_after=field(a_st, "VmLck"))
F.add("inherit.exec.cpu_affinity", exec_done and field(a_st, "Cpus_allowed_list")
      == str(cpus[0]), exec_done and len(cpus) > 1, before=field(b_st, "Cpus_allowed_list"),
      after=field(a_st, "Cpus_allowed_list"))
# stat field 41 is the scheduling policy (index 38 from field 3); SCHED_BATCH is 3
F.add("inherit.exec.sched_policy", exec_done and a_stat[38] == str(os.SCHED_BATCH),
      exec_done and b_stat[38] == str(os.SCHED_BATCH), policy_before=b_stat[38] if b_stat
      else None, policy_after=a_stat[38] if a_stat else None)
F.add("inherit.exec.comm_is_filename", exec_done and "(cat)" in parts[0],
      exec_done and before.get("exe") != CAT, comm_after=parts[0].split(" ")[1] if ran
      else None)
F.add("inherit.exec.cwd", exec_done and cwd_after == before.get("cwd"), exec_done,
      cwd_before=before.get("cwd"), cwd_after=cwd_after)


# ---- execve errors -------------------------------------------------------------------------
def exec_errno(path: str, argv: list[str]) -> int:
    """errno of execve(path, argv) in a child; 0 when it ran (the child exits 0)."""
    r2, w2 = os.pipe()
    kid = os.fork()
    if kid == 0:
        try:
            os.close(r2)
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, 1)
            os.dup2(devnull, 2)
            os.set_inheritable(w2, False)
            try:
                os.execv(path, argv)
            except OSError as exc:
                os.write(w2, str(exc.errno).encode())
        finally:
            os._exit(0)
    os.close(w2)
    got = read_all(r2)
    _, st = os.waitpid(kid, 0)
    return int(got) if got else (0 if os.WIFEXITED(st) and os.WEXITSTATUS(st) == 0 else -1)


script = os.path.join(TMP, "ok.sh")
with open(script, "w") as fh:
    fh.write("#!/bin/sh\nexit 0\n")
os.chmod(script, 0o755)
noexec = os.path.join(TMP, "no-x.sh")
shutil.copy(script, noexec)
os.chmod(noexec, 0o644)
garbage = os.path.join(TMP, "garbage")
with open(garbage, "wb") as fh:
    fh.write(b"\x00\x01\x02mkdeck: no known executable format\n" * 4)
os.chmod(garbage, 0o755)
def itimer_kills_after_exec() -> tuple[int | None, bool]:
    """(the signal that ended ``sleep 5`` exec'd with a 0.2 s ITIMER_REAL pending, whether
    it was still running after 0.05 s: the exec happened before the timer fired)."""
    kid = os.fork()
    if kid == 0:
        try:
            signal.signal(signal.SIGALRM, signal.SIG_DFL)  # the probe ignores it: undo
            signal.setitimer(signal.ITIMER_REAL, 0.2)
            os.execv(SLEEP, [SLEEP, "5"])
        finally:
            os._exit(127)
    time.sleep(0.05)
    alive = os.waitpid(kid, os.WNOHANG) == (0, 0)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        done, st = os.waitpid(kid, os.WNOHANG)
        if done:
            return (os.WTERMSIG(st) if os.WIFSIGNALED(st) else None), alive
        time.sleep(0.02)
    os.kill(kid, signal.SIGKILL)
    os.waitpid(kid, 0)
    return None, alive


def environ_after_exec(env: dict[str, str]) -> list[str]:
    """The environment /bin/cat reads from its own /proc/self/environ after execve() with
    ``env`` as envp (the caller's own environment holds other variables)."""
    r2, w2 = os.pipe()
    kid = os.fork()
    if kid == 0:
        try:
            os.dup2(w2, 1)
            os.environ["MKDECK_CALLER_ONLY"] = "1"
            os.execve(CAT, [CAT, "/proc/self/environ"], env)
        finally:
            os._exit(127)
    os.close(w2)
    out = read_all(r2).decode(errors="replace")
    os.waitpid(kid, 0)
    return sorted(v for v in out.split("\0") if v)


env_after = environ_after_exec({"MKDECK_ENVP": "given"})
F.add("inherit.exec.environment_is_envp", env_after == ["MKDECK_ENVP=given"],
      bool(env_after), environment_after_exec=env_after,
      caller_environment_had="MKDECK_CALLER_ONLY=1 and the probe's own")


def libc_exec(call: str, name: str) -> int:
    """errno of libc's ``call`` ("execv" or "execvp") of a bare program name in a child with
    PATH naming /bin's folder; 0 when the program ran and exited 0."""
    r2, w2 = os.pipe()
    kid = os.fork()
    if kid == 0:
        try:
            os.close(r2)
            os.set_inheritable(w2, False)
            os.environ["PATH"] = os.path.dirname(TRUE)
            argv = (ctypes.c_char_p * 2)(name.encode(), None)
            ctypes.set_errno(0)
            fn = getattr(LIBC, call)
            fn.argtypes = (ctypes.c_char_p, ctypes.c_void_p)
            LIBC.setenv(b"PATH", os.path.dirname(TRUE).encode(), 1)
            fn(name.encode(), argv)
            os.write(w2, str(ctypes.get_errno()).encode())
        finally:
            os._exit(0)
    os.close(w2)
    got = read_all(r2)
    _, st = os.waitpid(kid, 0)
    return int(got) if got else (0 if os.WIFEXITED(st) and os.WEXITSTATUS(st) == 0 else -1)


bare = os.path.basename(TRUE)
via_execvp = libc_exec("execvp", bare)
via_execv = libc_exec("execv", bare)
F.add("inherit.exec.execvp_searches_path", via_execvp == 0 and via_execv == errno.ENOENT,
      via_execvp in (0, errno.ENOENT) and via_execv != 0, program=bare,
      execvp_errno=errno.errorcode.get(via_execvp, via_execvp),
      execv_errno=errno.errorcode.get(via_execv, via_execv),
      note="a name without a slash: execvp() looks it up in PATH, execv() takes it as a path")


SLEEP = shutil.which("sleep") or "/bin/sleep"
ended_by, ran_first = itimer_kills_after_exec()
F.add("inherit.exec.itimer_kept", ended_by == signal.SIGALRM, ran_first and ended_by is not None,
      exec_program_ended_by=ended_by, running_after_50ms=ran_first,
      method="sleep 5 exec'd with ITIMER_REAL 0.2 s: SIGALRM ends it only if the timer survived")
control = exec_errno(script, [script])
bad_interp = os.path.join(TMP, "bad-interp.sh")
with open(bad_interp, "w") as fh:
    fh.write("#!/nonexistent/mkdeck-interpreter\nexit 0\n")
os.chmod(bad_interp, 0o755)
interp_errno = exec_errno(bad_interp, [bad_interp])
# control: the kernel read the #! line (a missing interpreter there is what failed)
F.add("inherit.exec.shebang_script_runs", control == 0, interp_errno == errno.ENOENT,
      script_exit=control, script="#!/bin/sh, exit 0",
      control_missing_interpreter_errno=errno.errorcode.get(interp_errno, interp_errno))
F.add("inherit.exec.errno_ENOENT_interpreter", interp_errno == errno.ENOENT, control == 0,
      got=errno.errorcode.get(interp_errno, interp_errno), control_script_ran=control == 0)
control_true = exec_errno(TRUE, [TRUE, "short"])
errs = {"ENOENT": exec_errno(os.path.join(TMP, "missing"), ["missing"]),
        "EACCES": exec_errno(noexec, [noexec]), "ENOEXEC": exec_errno(garbage, [garbage]),
        "E2BIG": exec_errno(TRUE, [TRUE, "x" * (33 * 4096)]),
        "ENOTDIR": exec_errno(os.path.join(script, "x"), ["x"])}
busy = os.path.join(TMP, "busy")
shutil.copy(TRUE, busy)
os.chmod(busy, 0o755)
writer = os.open(busy, os.O_WRONLY)
errs["ETXTBSY"] = exec_errno(busy, [busy])
os.close(writer)
errs["EACCES_dir"] = exec_errno(TMP, [TMP])
loop = os.path.join(TMP, "loop")
os.symlink(loop, loop)
errs["ELOOP"] = exec_errno(loop, [loop])
errs["ENAMETOOLONG"] = exec_errno(os.path.join(TMP, "n" * 300), ["long"])  # NAME_MAX 255
for name, got in errs.items():
    F.add(f"inherit.exec.errno_{name}", got == getattr(errno, name.split("_")[0]),
          control == 0 and control_true == 0, got=errno.errorcode.get(got, got),
          expected=name, control_script_ran=control == 0, control_true_ran=control_true == 0)



def setuid_exec(nnp: bool) -> str | None:
    """The ``Uid:`` line (real, effective, saved, fs) of a set-user-ID copy of cat owned by
    uid 65534, exec'd by root (``nnp``: after PR_SET_NO_NEW_PRIVS)."""
    r2, w2 = os.pipe()
    kid = os.fork()
    if kid == 0:
        try:
            os.close(r2)
            os.dup2(w2, 1)
            if nnp:
                LIBC.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)
            os.execv(suid_cat, [suid_cat, "/proc/self/status"])
        finally:
            os._exit(127)
    os.close(w2)
    out = read_all(r2).decode(errors="replace")
    os.waitpid(kid, 0)
    return next((ln.split(":", 1)[1].split() for ln in out.splitlines()
                 if ln.startswith("Uid:")), None)


suid_cat = os.path.join(TMP, "suid-cat")
plain_uids = nnp_uids = None
if os.geteuid() == 0:
    try:
        os.chmod(TMP, 0o755)
        shutil.copy(CAT, suid_cat)
        os.chown(suid_cat, 65534, 65534)
        os.chmod(suid_cat, 0o4755)
        plain_uids, nnp_uids = setuid_exec(False), setuid_exec(True)
    except OSError:
        pass
honoured = plain_uids is not None and plain_uids[1] == "65534"
F.add("inherit.exec.setuid_effective_only", honoured and plain_uids[0] == "0",
      honoured, uids_after_exec=plain_uids, file_owner=65534,
      note="needs root to make a set-user-ID file of another owner, and no nosuid mount")
F.add("inherit.exec.no_new_privs_blocks_setuid", nnp_uids is not None and nnp_uids[1] == "0",
      honoured and nnp_uids is not None, uids_with_no_new_privs=nnp_uids,
      control_uids_without=plain_uids)

os.chdir("/")
shutil.rmtree(TMP, ignore_errors=True)
F.emit()
