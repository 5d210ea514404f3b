"""Probe: execve keeps PID and PPID, replaces the image, does not return on success.

Method: the child reports its PID and comm, then execs /bin/cat /proc/self/stat, so cat's own
stat (PID, comm, PPID) comes from after the exec. Controls: a second plain fork gets a new
PID; comm must change (the exec really happened); exec of a missing file does return.
"""

from __future__ import annotations

import json
import os

from _probelib import Facts, read_all

F = Facts("exec")
CAT = "/bin/cat"
parent = os.getpid()
info_r, info_w = os.pipe()
out_r, out_w = os.pipe()
pid = os.fork()
if pid == 0:
    try:
        os.close(info_r)
        os.close(out_r)
        with open("/proc/self/comm") as fh:
            comm = fh.read().strip()
        os.write(info_w, json.dumps({"pid": os.getpid(), "ppid": os.getppid(),
                                     "comm": comm}).encode() + b"\n")
        os.dup2(out_w, 1)
        try:
            os.execv(CAT, [CAT, "/proc/self/stat"])
        except OSError:
            pass
        os.write(info_w, b"RETURNED\n")
    finally:
        os._exit(127)
os.close(info_w)
os.close(out_w)
stat = read_all(out_r).decode(errors="replace")
info_raw = read_all(info_r).decode()
_, status = os.waitpid(pid, 0)
lines = info_raw.splitlines()
before = json.loads(lines[0]) if lines and lines[0].startswith("{") else {}
returned = "RETURNED" in lines
after_pid = after_comm = after_ppid = None
if ")" in stat:
    after_pid = int(stat.split(" ", 1)[0])
    after_comm = stat[stat.index("(") + 1: stat.rindex(")")]
    after_ppid = int(stat.rsplit(")", 1)[1].split()[1])
# control: a plain fork gets a new PID
cpid = os.fork()
if cpid == 0:
    os._exit(0)
os.waitpid(cpid, 0)
# control: exec of a missing file returns (raises) in a child
er, ew = os.pipe()
epid = os.fork()
if epid == 0:
    os.close(er)
    try:
        os.execv("/nonexistent/mkdeck-probe", ["x"])
    except OSError:
        os.write(ew, b"RETURNED")
    os._exit(0)
os.close(ew)
missing_returned = read_all(er) == b"RETURNED"
os.waitpid(epid, 0)
exec_happened = after_comm is not None and after_comm != before.get("comm")
valid = bool(before) and exec_happened and cpid != pid
F.add("exec.keeps_pid", before.get("pid") == after_pid == pid, valid,
      pid_before_exec=before.get("pid"), pid_after_exec=after_pid, waitpid=pid,
      control_fork_pid=cpid)
F.add("exec.creates_new_process", not (before.get("pid") == after_pid == pid), valid,
      pid_before_exec=before.get("pid"), pid_after_exec=after_pid, control_fork_pid=cpid)
F.add("exec.keeps_ppid", before.get("ppid") == after_ppid == parent, valid,
      ppid_before=before.get("ppid"), ppid_after=after_ppid)
F.add("exec.replaces_image", exec_happened, bool(before) and after_comm is not None,
      comm_before=before.get("comm"), comm_after=after_comm)
F.add("exec.returns_on_success", returned, missing_returned and exec_happened,
      returned_after_exec=returned, control_failed_exec_returned=missing_returned)
F.emit()
