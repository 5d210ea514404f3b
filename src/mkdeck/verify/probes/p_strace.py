"""Probe (needs strace): threads are created by clone/clone3 with CLONE_VM|CLONE_THREAD.

strace -f follows a Python workload that starts a thread and forks. Control: the fork's
clone must lack CLONE_VM, so the parser can see a flag being absent.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile

from _probelib import Facts

F = Facts("strace-threads")
WORK = ("import os, threading\n"
        "t = threading.Thread(target=lambda: None); t.start(); t.join()\n"
        "pid = os.fork()\n"
        "os._exit(0) if pid == 0 else os.waitpid(pid, 0)\n")
strace = shutil.which("strace")
with tempfile.TemporaryDirectory() as d:
    log = os.path.join(d, "trace")
    proc = subprocess.run([strace, "-f", "-qq", "-o", log, "-e", "trace=clone,clone3,fork,vfork",
                           sys.executable, "-E", "-s", "-S", "-c", WORK],
                          capture_output=True, text=True, timeout=20)
    text = open(log).read() if os.path.exists(log) else ""
calls = [ln for ln in text.splitlines() if re.search(r"\b(clone3?|v?fork)\(", ln)]
thread_calls = [c for c in calls if "CLONE_THREAD" in c]
fork_calls = [c for c in calls if "CLONE_THREAD" not in c and "resumed" not in c]
thread_ok = any("CLONE_VM" in c and re.search(r"\bclone3?\(", c) for c in thread_calls)
control = any("CLONE_VM" not in c for c in fork_calls)
F.add("threads.created_by_clone", thread_ok, proc.returncode == 0 and control,
      thread_syscall=(thread_calls[0][:200] if thread_calls else None),
      control_fork_syscall=(fork_calls[0][:200] if fork_calls else None))
F.emit()
