"""Probe: a higher nice value means a smaller share of the CPU (sched(7), CFS weights).

Two busy children pinned to the same CPU, in the probe's session (so the same autogroup), one
at nice 0 and one at nice 19, spin until together they have had BUDGET_S of CPU time (read from
/proc/<pid>/schedstat); the CPU time each got is compared. Control: two children both at nice 0
get similar shares, so a skew would be seen.

The race is measured in CPU time, not wall time: under load (other processes on the same CPU)
the pair only gets a fraction of the CPU, so a fixed wall-time window would hold only a few
scheduler slices and its ratio would be noise. Even so the verdict needs a clear result: the
nice 0 child must get at least RATIO_TRUE times the CPU of the nice 19 one for "true", at
most RATIO_FALSE times for "false"; anything between, a budget not reached within WALL_LIMIT_S,
or a skewed control is not valid (inconclusive). A race that is not valid is run again, up to
ATTEMPTS times within DEADLINE_S.
"""

from __future__ import annotations

import os
import signal
import time

from _probelib import Facts

F = Facts("sched")
BUDGET_S = 0.1       # CPU seconds the two children get together in one race
WALL_LIMIT_S = 2.0   # a race that has not used its budget by then is not valid
DEADLINE_S = 6.0     # no new race starts after this (the probe's timeout is 10 s)
RATIO_TRUE = 4.0     # nice 0 : nice 19 CPU ratio that says "a higher nice value gets less"
RATIO_FALSE = 1.5    # at most this ratio says "nice makes no difference"
CONTROL = (0.5, 2.0)  # the control pair (both nice 0) must stay within this ratio
ATTEMPTS = 3


def cpu_ns(pid: int) -> int | None:
    """CPU time of ``pid`` in ns (``/proc/<pid>/schedstat``), or ``None``."""
    try:
        with open(f"/proc/{pid}/schedstat") as fh:
            return int(fh.read().split()[0])
    except (OSError, ValueError, IndexError):
        return None


def spinner(nice: int, cpu: int, go_r: int, ready_w: int) -> int:
    pid = os.fork()
    if pid == 0:
        try:
            os.sched_setaffinity(0, {cpu})
            os.setpriority(os.PRIO_PROCESS, 0, nice)
            os.write(ready_w, b"r")
            os.read(go_r, 1)
            while True:
                pass
        finally:
            os._exit(0)
    return pid


def race(nices: tuple[int, int], limit: float) -> dict[str, object]:
    """Run one race; returns the CPU seconds of each child, the wall time and whether the
    budget was reached."""
    cpu = min(os.sched_getaffinity(0))
    go_r, go_w = os.pipe()
    ready_r, ready_w = os.pipe()
    pids = [spinner(n, cpu, go_r, ready_w) for n in nices]
    os.close(ready_w)
    try:
        got = b""
        while len(got) < len(pids):
            b = os.read(ready_r, 2)
            if not b:
                break
            got += b
        start = [cpu_ns(p) for p in pids]
        t0 = time.monotonic()
        os.write(go_w, b"x" * len(pids))
        used = [0, 0]
        reached = False
        while True:
            time.sleep(0.005)
            now = [cpu_ns(p) for p in pids]
            if None in now or None in start:
                break
            used = [a - b for a, b in zip(now, start)]  # type: ignore[operator]
            if sum(used) >= BUDGET_S * 1e9:
                reached = True
                break
            if time.monotonic() - t0 > limit:
                break
        wall = time.monotonic() - t0
    finally:
        for p in pids:
            try:
                os.kill(p, signal.SIGKILL)
            except OSError:
                pass
        for p in pids:
            os.waitpid(p, 0)
        for fd in (go_r, go_w, ready_r):
            os.close(fd)
    return {"cpu_s": [round(u / 1e9, 4) for u in used], "wall_s": round(wall, 3),
            "reached": reached}


def ratio(a: float, b: float) -> float:
    return a / b if b > 0 else float("inf")


base = os.getpriority(os.PRIO_PROCESS, 0)
attempts = []
value, valid = False, False
t_start = time.monotonic()
for _ in range(ATTEMPTS):
    left = DEADLINE_S - (time.monotonic() - t_start)
    if base > 0 or left < 2 * 0.5:  # a niced probe cannot run a nice 0 child
        break
    treatment = race((0, 19), min(WALL_LIMIT_S, left / 2))
    control = race((0, 0), min(WALL_LIMIT_S, left / 2))
    r = ratio(*treatment["cpu_s"])  # type: ignore[misc]
    c = ratio(*control["cpu_s"])  # type: ignore[misc]
    control_ok = bool(control["reached"]) and CONTROL[0] < c < CONTROL[1]
    decided = r >= RATIO_TRUE or r <= RATIO_FALSE
    attempts.append({"cpu_s_nice_0_vs_19": treatment["cpu_s"], "ratio": round(min(r, 1e6), 1),
                     "wall_s": treatment["wall_s"], "control_cpu_s_both_nice_0": control["cpu_s"],
                     "control_ratio": round(min(c, 1e6), 2), "control_wall_s": control["wall_s"]})
    if treatment["reached"] and control_ok and decided:
        value, valid = r >= RATIO_TRUE, True
        break
F.add("nice.higher_means_less_cpu", value, valid, attempts=attempts,
      budget_cpu_ms=BUDGET_S * 1000, ratio_true_at_least=RATIO_TRUE,
      ratio_false_at_most=RATIO_FALSE, probe_nice=base)
F.emit()
