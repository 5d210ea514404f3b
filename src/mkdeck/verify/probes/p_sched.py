"""Probe: a higher nice value means a smaller share of the CPU (sched(7), CFS weights).

Two busy children pinned to the same CPU, in the probe's session (so the same autogroup),
spin for 100 ms of wall time; one at nice 0 and one at nice 19. The CPU time each got is
compared. Control: two children both at nice 0 get similar shares, so a skew would be seen.
"""

from __future__ import annotations

import os
import resource
import time

from _probelib import Facts, read_all

F = Facts("sched")
SPIN_S = 0.1


def spinner(nice: int, cpu: int, go_r: int, w: int) -> int:
    pid = os.fork()
    if pid == 0:
        try:
            os.sched_setaffinity(0, {cpu})
            os.setpriority(os.PRIO_PROCESS, 0, nice)
            os.read(go_r, 1)
            end = time.monotonic() + SPIN_S
            n = 0
            while time.monotonic() < end:
                n += 1
            ru = resource.getrusage(resource.RUSAGE_SELF)
            os.write(w, f"{nice} {ru.ru_utime + ru.ru_stime:.6f}\n".encode())
        finally:
            os._exit(0)
    return pid


def race(nices: tuple[int, int]) -> list[float]:
    cpu = min(os.sched_getaffinity(0))
    go_r, go_w = os.pipe()
    r, w = os.pipe()
    pids = [spinner(n, cpu, go_r, w) for n in nices]
    os.close(w)
    os.write(go_w, b"xx")
    data = read_all(r).decode().split("\n")
    for p in pids:
        os.waitpid(p, 0)
    os.close(go_r)
    os.close(go_w)
    times = {}
    for line in data:
        if line:
            nice, cpu_s = line.split()
            times.setdefault(int(nice), []).append(float(cpu_s))
    return [times[n].pop(0) for n in nices]


base = os.getpriority(os.PRIO_PROCESS, 0)
fast, slow = race((0, 19)) if base <= 0 else (0.0, 0.0)
a, b = race((0, 0))
ratio = fast / slow if slow > 0 else float("inf")
control_ratio = a / b if b > 0 else float("inf")
F.add("nice.higher_means_less_cpu", ratio > 3, 0.5 < control_ratio < 2 and base <= 0,
      cpu_s_nice_0=round(fast, 4), cpu_s_nice_19=round(slow, 4), ratio=round(ratio, 1),
      control_cpu_s_both_nice_0=[round(a, 4), round(b, 4)], spin_ms=SPIN_S * 1000)
F.emit()
