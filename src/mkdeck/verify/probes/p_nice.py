"""Probe: nice values are clamped to -20..19, inherited over fork, and an unprivileged
process can raise but not lower its nice value (setpriority(2), RLIMIT_NICE 0). As root the
unprivileged part runs in a child that drops to uid/gid 65534; control: root can lower.
"""

from __future__ import annotations

import errno
import os
import resource

from _probelib import Facts, in_child

F = Facts("nice")
WHO = os.PRIO_PROCESS




def clamp() -> str:
    os.setpriority(WHO, 0, 100)
    hi = os.getpriority(WHO, 0)
    lo = None
    try:
        os.setpriority(WHO, 0, -100)
        lo = os.getpriority(WHO, 0)
    except OSError:
        pass
    return f"{lo if lo is not None else 99}{hi:+d}"


def clamp_pair() -> tuple[int | None, int]:
    data = in_child(clamp)
    lo, hi = data.rsplit("+", 1) if "+" in data[1:] else (data, "0")
    return (None if lo == "99" else int(lo)), int(hi)


def child_int(fn) -> int:
    """``fn()`` run in a forked child, as an int; -999 when the child failed."""
    out = in_child(fn)
    return int(out) if out.lstrip("-").isdigit() else -999


def inherited() -> int:
    os.setpriority(WHO, 0, 7)
    return child_int(lambda: os.getpriority(WHO, 0))


def unprivileged() -> int:
    """0: raising 5 -> 10 works and lowering 10 -> 5 fails with EACCES/EPERM; 1: lowering works."""
    if os.geteuid() == 0:
        os.setgroups([])
        os.setgid(65534)
        os.setuid(65534)
    resource.setrlimit(resource.RLIMIT_NICE, (0, 0)) if os.geteuid() != 0 else None
    os.setpriority(WHO, 0, max(os.getpriority(WHO, 0), 5))
    os.setpriority(WHO, 0, 10)
    if os.getpriority(WHO, 0) != 10:
        return 2
    try:
        os.setpriority(WHO, 0, 5)
    except OSError as exc:
        return 0 if exc.errno in (errno.EACCES, errno.EPERM) else 3
    return 1


lo, hi = clamp_pair()
root = os.geteuid() == 0
F.add("nice.range", [lo, hi] if lo is not None else [None, hi], hi == 19 and lo is not None,
      set_100_gave=hi, set_minus_100_gave=lo)
child_nice = child_int(inherited)
F.add("nice.inherited", child_nice == 7, child_nice != -999, parent_nice=7,
      child_nice=child_nice)
u = child_int(unprivileged)
root_lowers = child_int(lambda: (os.setpriority(WHO, 0, 10), os.setpriority(WHO, 0, 5),
                                os.getpriority(WHO, 0))[-1]) if root else None
F.add("nice.unprivileged_can_lower", u == 1, u in (0, 1) and (root_lowers in (5, None)),
      result_code=u, dropped_to_uid=65534 if root else os.geteuid(),
      control_root_can_lower=root_lowers)
SCHED_RESET_ON_FORK = getattr(os, "SCHED_RESET_ON_FORK", 0x40000000)


def pid1_nice() -> int | None:
    """PID 1's nice value, from ``/proc/1/stat`` (field 19), or from the file named by
    ``MKDECK_PROBE_PID1_STAT`` (tests fake a host whose PID 1 runs at nice -10)."""
    path = os.environ.get("MKDECK_PROBE_PID1_STAT") or "/proc/1/stat"
    try:
        with open(path) as fh:
            return int(fh.read().rsplit(")", 1)[1].split()[16])
    except (OSError, ValueError, IndexError):
        return None


def default_nice(reset: bool) -> int:
    """The nice value a child gets from a parent at nice -5: with SCHED_RESET_ON_FORK the
    kernel gives it the default (sched(7): a negative nice value is reset to the default in
    the child), without it the child inherits -5 (the control)."""
    os.setpriority(WHO, 0, -5)
    if reset:
        os.sched_setscheduler(0, os.SCHED_OTHER | SCHED_RESET_ON_FORK, os.sched_param(0))
    return child_int(lambda: os.getpriority(WHO, 0))


# nice.default: the kernel's default, measured independently of this host's settings (the
# nice value of PID 1, of the session, of the verifier itself). Needs the right to lower the
# nice value (root or RLIMIT_NICE); otherwise only this host's value is shown.
host_value = pid1_nice()
reset_child = child_int(lambda: default_nice(True))
inherit_child = child_int(lambda: default_nice(False))
measured_ok = inherit_child == -5 and -20 <= reset_child <= 19
F.add("nice.default", reset_child if measured_ok else None, measured_ok,
      child_with_reset_on_fork=reset_child, control_child_without_reset=inherit_child,
      host_value=f"PID 1 runs at nice {host_value}" if host_value is not None else "unknown",
      host_dependent="a process inherits its parent's nice value; PID 1 and the session may "
                     "run at any nice value")
F.emit()
