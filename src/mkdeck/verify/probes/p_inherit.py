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
               "ru": resource.getrusage(resource.RUSAGE_SELF).ru_utime}
        os.write(w, json.dumps(kid).encode())
    finally:
        os._exit(0)
os.close(w)
raw = read_all(r)
os.waitpid(pid, 0)
alarm_left = signal.alarm(0)
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
F.add("inherit.fork.alarm", ok and kid["alarm_left"] > 0, ok and alarm_left > 0,
      child_alarm_left_s=kid.get("alarm_left"), parent_alarm_left_s=alarm_left)
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
        threading.Thread(target=hold.wait, daemon=True).start()
        before = {"stat": proc_stat(read("/proc/self/stat")), "status_uid":
                  status_field("self", "Uid"), "threads": status_field("self", "Threads"),
                  "nofile": nofile_soft(read("/proc/self/limits")),
                  "marker": MARKER in read("/proc/self/maps"),
                  "exe": os.readlink("/proc/self/exe"), "cwd": os.getcwd()}
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
control = exec_errno(script, [script])
control_true = exec_errno(TRUE, [TRUE, "short"])
errs = {"ENOENT": exec_errno(os.path.join(TMP, "missing"), ["missing"]),
        "EACCES": exec_errno(noexec, [noexec]), "ENOEXEC": exec_errno(garbage, [garbage]),
        "E2BIG": exec_errno(TRUE, [TRUE, "x" * (33 * 4096)])}
for name, got in errs.items():
    F.add(f"inherit.exec.errno_{name}", got == getattr(errno, name),
          control == 0 and control_true == 0, got=errno.errorcode.get(got, got),
          expected=name, control_script_ran=control == 0, control_true_ran=control_true == 0)

os.chdir("/")
shutil.rmtree(TMP, ignore_errors=True)
F.emit()
