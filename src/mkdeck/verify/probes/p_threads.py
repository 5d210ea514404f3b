"""Probe: threads share the PID and memory, each has its own TID; a thread is a task of the
process's thread group (what clone(CLONE_THREAD) creates). Control: a fork child has a new
PID and its TID equals its PID.
"""

from __future__ import annotations

import os
import threading

from _probelib import Facts, status_field

F = Facts("threads")
pid = os.getpid()
box: dict[str, object] = {}
shared = [0]


def body() -> None:
    box["pid"] = os.getpid()
    box["tid"] = threading.get_native_id()
    box["tgid"] = status_field("thread-self", "Tgid")
    box["listed"] = str(box["tid"]) in os.listdir(f"/proc/{pid}/task")
    shared[0] = 42


t = threading.Thread(target=body)
t.start()
t.join()
r, w = os.pipe()
child = os.fork()
if child == 0:
    os.write(w, f"{os.getpid()} {threading.get_native_id()}".encode())
    os._exit(0)
os.close(w)
cpid, ctid = (int(x) for x in os.read(r, 100).split())
os.waitpid(child, 0)
control = cpid != pid and cpid == ctid
F.add("threads.share_pid", box.get("pid") == pid and str(pid) == box.get("tgid"), control,
      thread_getpid=box.get("pid"), process_pid=pid, thread_tgid=box.get("tgid"),
      control_fork_child_pid=cpid)
F.add("threads.own_tid", box.get("tid") != pid, control, thread_tid=box.get("tid"),
      main_tid=threading.get_native_id())
F.add("threads.share_memory", shared[0] == 42, box.get("tid") is not None,
      main_thread_sees_write=shared[0] == 42)
F.add("threads.created_by_clone", bool(box.get("listed")) and str(pid) == box.get("tgid"),
      control, method="fallback without strace: the thread is a task in the process's thread "
      "group (/proc/<pid>/task, Tgid), which only clone(CLONE_THREAD) creates",
      tid_listed_in_task=box.get("listed"))
F.emit()
