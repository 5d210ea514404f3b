"""Probe: who may lower a nice value and how far, the errors setpriority() and nice() report,
nice values per thread, and what a nice step means to the scheduler (setpriority(2), nice(2),
getrlimit(2) RLIMIT_NICE, sched(7), capabilities(7) CAP_SYS_NICE).

Method: each measurement runs in a forked child. The unprivileged ones drop to uid/gid 65534
when the probe runs as root; as another user they run as that user. Controls: raising the
value works where lowering fails (so a failure is about lowering, not about setpriority);
the thread whose value changed shows the change; the kernel's priority (``/proc/self/stat``
field 18) and load weight (``/proc/self/sched``, when the kernel has it) move with the value.
A measurement that needs a right the probe does not have (CAP_SYS_NICE; an RLIMIT_NICE hard
limit above 1, or CAP_SYS_RESOURCE to set one) is reported as not valid, never as false.
"""

from __future__ import annotations

import ctypes
import errno
import os
import resource
import threading

from _probelib import Facts, in_child

F = Facts("priority")
WHO = os.PRIO_PROCESS
ROOT = os.geteuid() == 0
LIBC = ctypes.CDLL(None, use_errno=True)


def drop() -> None:
    """Become unprivileged (uid/gid 65534) when root."""
    if os.geteuid() == 0:
        os.setgroups([])
        os.setgid(65534)
        os.setuid(65534)


def lower_errno(call: str) -> str:
    """In a child at RLIMIT_NICE 0: ``"<raise worked> <errno of lowering>"``."""
    if os.geteuid() == 0:
        resource.setrlimit(resource.RLIMIT_NICE, (0, 0))
    drop()
    resource.setrlimit(resource.RLIMIT_NICE, (0, resource.getrlimit(resource.RLIMIT_NICE)[1]))
    os.setpriority(WHO, 0, max(os.getpriority(WHO, 0), 5))
    os.setpriority(WHO, 0, 10)
    raised = os.getpriority(WHO, 0) == 10
    if call == "setpriority":
        try:
            os.setpriority(WHO, 0, 5)
            return f"{raised} 0"
        except OSError as exc:
            return f"{raised} {exc.errno}"
    ctypes.set_errno(0)
    got = LIBC.nice(-1)
    return f"{raised} {ctypes.get_errno() if got == -1 else 0}"


def pair(text: str) -> tuple[bool, int]:
    parts = text.split()
    return (len(parts) == 2 and parts[0] == "True",
            int(parts[1]) if len(parts) == 2 and parts[1].lstrip("-").isdigit() else -1)


raised, sp_errno = pair(in_child(lambda: lower_errno("setpriority")))
F.add("priority.setpriority_lower_errno_EACCES", sp_errno == errno.EACCES,
      raised and sp_errno > 0, got=errno.errorcode.get(sp_errno, sp_errno),
      control_raise_worked=raised, rlimit_nice=0)
raised2, nice_errno = pair(in_child(lambda: lower_errno("nice")))
F.add("priority.nice_lower_errno_EPERM", nice_errno == errno.EPERM,
      raised2 and nice_errno > 0, got=errno.errorcode.get(nice_errno, nice_errno),
      control_raise_worked=raised2, method="libc nice(-1) at nice 10, RLIMIT_NICE 0")


def cap_sys_nice() -> bool:
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith("CapEff:"):
                    return bool(int(line.split()[1], 16) >> 23 & 1)
    except OSError:
        pass
    return False


def privileged_lower() -> str:
    os.setpriority(WHO, 0, 10)
    os.setpriority(WHO, 0, 3)
    return str(os.getpriority(WHO, 0))


has_cap = cap_sys_nice()
cap_lowered = in_child(privileged_lower) if has_cap else "not measured"
F.add("priority.cap_sys_nice_can_lower", cap_lowered == "3", has_cap and cap_lowered != "",
      lowered_10_to=cap_lowered, has_cap_sys_nice=has_cap)


def rlimit_nice() -> str:
    """``"<floor> <lowering to the floor worked> <lowering one below worked>"``: RLIMIT_NICE
    r allows an unprivileged process nice values down to 20 - r."""
    if os.geteuid() == 0:
        try:
            resource.setrlimit(resource.RLIMIT_NICE, (25, 25))
        except (OSError, ValueError):
            pass  # no CAP_SYS_RESOURCE (a container): the hard limit decides below
        drop()
    hard = resource.getrlimit(resource.RLIMIT_NICE)[1]
    r = 25 if hard == resource.RLIM_INFINITY or hard >= 25 else hard
    if r < 2:
        return "none"
    resource.setrlimit(resource.RLIMIT_NICE, (r, hard))
    floor = 20 - r
    os.setpriority(WHO, 0, 19)
    os.setpriority(WHO, 0, floor)
    to_floor = os.getpriority(WHO, 0) == floor
    try:
        os.setpriority(WHO, 0, floor - 1)
        below = os.getpriority(WHO, 0) == floor - 1
    except OSError:
        below = False
    return f"{floor} {to_floor} {below}"


rl = in_child(rlimit_nice).split()
rl_ok = len(rl) == 3 and rl[1] in ("True", "False")
F.add("priority.rlimit_nice_allows_lowering", rl_ok and rl[1] == "True", rl_ok,
      ceiling=rl[0] if rl_ok else None, lowered_to_ceiling=rl[1] if rl_ok else None,
      rlimit_nice=25, method="uid 65534 at nice 19, RLIMIT_NICE 25 (ceiling 20 - 25 = -5)")
F.add("priority.rlimit_nice_lower_below", rl_ok and rl[2] == "True",
      rl_ok and rl[1] == "True", lowered_below_ceiling=rl[2] if rl_ok else None,
      control_lowered_to_ceiling=rl[1] if rl_ok else None)


def per_thread() -> str:
    """``"<thread's value changed> <main thread's value changed>"`` after the thread raised
    its own nice value by 2 with setpriority(PRIO_PROCESS, gettid())."""
    main_tid = threading.get_native_id()
    before = os.getpriority(WHO, main_tid)
    seen: list[int] = []

    def worker() -> None:
        tid = threading.get_native_id()
        os.setpriority(WHO, tid, min(19, os.getpriority(WHO, tid) + 2))
        seen.append(os.getpriority(WHO, tid))

    t = threading.Thread(target=worker)
    t.start()
    t.join()
    return f"{bool(seen) and seen[0] != before} {os.getpriority(WHO, main_tid) != before}"


pt = in_child(per_thread).split()
pt_ok = len(pt) == 2 and pt[0] == "True"
F.add("priority.per_thread", pt_ok and pt[1] == "False", pt_ok,
      thread_changed=pt[0] if pt else None, other_thread_changed=pt[1] if len(pt) > 1 else None)


def kernel_view(nice: int) -> str:
    """``"<nice> <stat priority> <load weight or none>"`` after setting ``nice``."""
    os.setpriority(WHO, 0, nice)
    with open("/proc/self/stat") as fh:
        fields = fh.read().rsplit(")", 1)[1].split()
    weight = "none"
    try:
        with open("/proc/self/sched") as fh:
            for line in fh:
                if line.startswith("se.load.weight"):
                    weight = line.split(":")[1].strip()
    except OSError:
        pass
    return f"{fields[16]} {fields[15]} {weight}"


views = {}
for n in (-20, 0, 1, 5, 6, 19):
    got = in_child(lambda n=n: kernel_view(n)).split()
    if len(got) == 3 and got[0] == str(n):
        views[n] = (int(got[1]), None if got[2] == "none" else int(got[2]))
prio = {n: v[0] for n, v in views.items()}
F.add("priority.19_lowest_minus20_highest",
      -20 in prio and 19 in prio and prio[19] == max(prio.values())
      and prio[-20] == min(prio.values()), len(prio) == 6 and len(set(prio.values())) == 6,
      kernel_priority_by_nice=prio,
      note="proc(5) stat field 18: a smaller value is a higher scheduling priority")
weights = {n: v[1] for n, v in views.items() if v[1]}
steps = [weights[a] / weights[b] for a, b in ((0, 1), (5, 6)) if a in weights and b in weights]
F.add("priority.step_weight_factor_1_25", bool(steps) and all(1.2 <= s <= 1.3 for s in steps),
      len(steps) == 2 and weights[0] > weights[19], load_weight_by_nice=weights,
      ratios=[round(s, 3) for s in steps], source="/proc/self/sched se.load.weight")


def nice_call() -> str:
    """``"<nice before> <what nice(3) returned> <nice after>"`` for nice(3)."""
    before = os.getpriority(WHO, 0)
    if before > 15:
        os.setpriority(WHO, 0, 10)
        before = 10
    ctypes.set_errno(0)
    got = LIBC.nice(3)
    return f"{before} {got} {os.getpriority(WHO, 0)}"


nc = in_child(nice_call).split()
nc_ok = len(nc) == 3 and all(x.lstrip("-").isdigit() for x in nc)
F.add("priority.nice_adds_and_returns_new_value", nc_ok and int(nc[2]) == int(nc[0]) + 3
      == int(nc[1]), nc_ok and int(nc[2]) != int(nc[0]), before=nc[0] if nc_ok else None,
      nice_3_returned=nc[1] if nc_ok else None, after=nc[2] if nc_ok else None)


def clamp_high() -> str:
    os.setpriority(WHO, 0, 100)
    return str(os.getpriority(WHO, 0))


ch = in_child(clamp_high)
F.add("priority.above_19_clamped_to_19", ch == "19", ch.lstrip("-").isdigit(),
      setpriority_100_gave=ch)


def fifo_ignores_nice() -> str:
    """Under SCHED_FIFO the kernel priority (stat field 18) does not follow the nice value;
    ``"<fifo before> <fifo after nice 10> <other before> <other after nice 10>"``."""
    def prio() -> str:
        with open("/proc/self/stat") as fh:
            return fh.read().rsplit(")", 1)[1].split()[15]
    os.setpriority(WHO, 0, 0)
    other0 = prio()
    os.setpriority(WHO, 0, 10)
    other10 = prio()
    os.setpriority(WHO, 0, 0)
    os.sched_setscheduler(0, os.SCHED_FIFO, os.sched_param(1))
    fifo0 = prio()
    os.setpriority(WHO, 0, 10)
    return f"{fifo0} {prio()} {other0} {other10}"


def pgrp() -> str:
    """A new process group of this child and a grandchild: setpriority(PRIO_PGRP, 0, 7) sets
    both; then, with the grandchild at 9, getpriority(PRIO_PGRP, 0) gives the lowest value.
    ``"<grandchild after PRIO_PGRP> <getpriority of the group> <own>"``."""
    os.setpgid(0, 0)
    base = max(os.getpriority(WHO, 0), 0)
    os.setpriority(WHO, 0, base)
    r, w = os.pipe()
    go_r, go_w = os.pipe()
    back_r, back_w = os.pipe()
    kid = os.fork()
    if kid == 0:
        os.read(go_r, 1)
        os.write(w, str(os.getpriority(WHO, 0)).encode() + b"\n")
        os.setpriority(WHO, 0, max(base + 2, 9))
        os.write(w, b"raised\n")
        os.read(back_r, 1)
        os._exit(0)
    os.setpriority(os.PRIO_PGRP, 0, max(base, 7))
    os.write(go_w, b"x")
    lines = b""
    while lines.count(b"\n") < 2:
        chunk = os.read(r, 64)
        if not chunk:
            break
        lines += chunk
    group = os.getpriority(os.PRIO_PGRP, 0)
    own = os.getpriority(WHO, 0)
    os.write(back_w, b"x")
    os.waitpid(kid, 0)
    return f"{lines.split()[0].decode() if lines else '?'} {group} {own}"


pg = in_child(pgrp).split()
pg_ok = len(pg) == 3 and all(x.lstrip("-").isdigit() for x in pg)
F.add("priority.prio_pgrp_sets_group", pg_ok and pg[0] == pg[2], pg_ok,
      grandchild_after_prio_pgrp=pg[0] if pg_ok else None, caller=pg[2] if pg_ok else None)
F.add("priority.getpriority_group_lowest", pg_ok and int(pg[1]) == min(int(pg[2]), 9)
      and int(pg[2]) < 9, pg_ok and int(pg[2]) < 9, getpriority_prio_pgrp=pg[1] if pg_ok
      else None, members=[pg[2], 9] if pg_ok else None)

def levels() -> str:
    """How many distinct nice values setpriority() accepts between -100 and 100."""
    seen = set()
    for v in range(-30, 31):
        try:
            os.setpriority(WHO, 0, v)
        except OSError:
            continue
        seen.add(os.getpriority(WHO, 0))
    return f"{len(seen)} {min(seen) if seen else 0} {max(seen) if seen else 0}"


lv = in_child(levels).split() if has_cap else []
lv_ok = len(lv) == 3 and lv[1] == "-20"
F.add("priority.forty_levels", lv_ok and lv[0] == "40", lv_ok, distinct_values=lv[0] if lv
      else None, lowest=lv[1] if lv else None, highest=lv[2] if lv else None,
      note="needs CAP_SYS_NICE to reach -20")


def nice_command() -> str:
    """The nice value of ``nice CMD`` (coreutils, no -n) run from here: ``"<ours> <its>"``."""
    import shutil
    import subprocess
    tool = shutil.which("nice")
    if tool is None:
        return "none"
    os.setpriority(WHO, 0, 0 if os.getpriority(WHO, 0) <= 0 else os.getpriority(WHO, 0))
    out = subprocess.run([tool, "/bin/cat", "/proc/self/stat"], capture_output=True,
                         text=True, timeout=10).stdout
    return f"{os.getpriority(WHO, 0)} {out.rsplit(')', 1)[1].split()[16] if ')' in out else '?'}"


nc2 = in_child(nice_command).split()
nc2_ok = len(nc2) == 2 and nc2[1].lstrip("-").isdigit() and int(nc2[0]) <= 9
F.add("priority.nice_command_adds_10", nc2_ok and int(nc2[1]) == int(nc2[0]) + 10, nc2_ok,
      our_nice=nc2[0] if nc2_ok else None, nice_of_the_command_it_ran=nc2[1] if nc2_ok else None,
      tool="nice(1) without -n")

ff = in_child(fifo_ignores_nice).split() if has_cap else []
ff_ok = len(ff) == 4
F.add("priority.nice_no_effect_on_fifo", ff_ok and ff[0] == ff[1],
      ff_ok and ff[2] != ff[3], fifo_priority_at_nice_0=ff[0] if ff_ok else None,
      fifo_priority_at_nice_10=ff[1] if ff_ok else None,
      control_other_priority_at_nice_0_and_10=ff[2:4] if ff_ok else None,
      note="needs CAP_SYS_NICE (and RT time) for SCHED_FIFO")
F.emit()
