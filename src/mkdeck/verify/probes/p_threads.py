"""Probe: threads share the PID and memory, each has its own TID; a thread is a task of the
process's thread group (what clone(CLONE_THREAD) creates). Control: a fork child has a new
PID and its TID equals its PID.
"""

from __future__ import annotations

import os
import threading
import time

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
# _exit()/exit_group from any thread ends the whole process; control: a thread that returns
r2, w2 = os.pipe()
pid2 = os.fork()
if pid2 == 0:
    os.close(r2)
    done = threading.Thread(target=lambda: None)
    done.start()
    done.join()
    os.write(w2, b"after-return ")  # control: still running after a thread returned
    ender = threading.Thread(target=lambda: os._exit(9))
    ender.start()
    ender.join()
    time.sleep(1)
    os.write(w2, b"still-running")
    os._exit(0)
os.close(w2)
seen = os.read(r2, 100)
while True:
    more = os.read(r2, 100)
    if not more:
        break
    seen += more
os.close(r2)
_, st2 = os.waitpid(pid2, 0)
ended = os.WIFEXITED(st2) and os.WEXITSTATUS(st2) == 9 and b"still-running" not in seen
F.add("threads.exit_ends_process", ended, seen.startswith(b"after-return"),
      process_exit_status=os.WEXITSTATUS(st2) if os.WIFEXITED(st2) else None,
      output=seen.decode())
F.emit()
