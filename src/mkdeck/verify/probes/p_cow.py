"""Probe: fork copies no pages; a page is copied when written (copy-on-write).

Method: a 16 MiB MAP_PRIVATE region filled by the parent; three children: one writes a byte
per page, one reads a byte per page (control), one idles (interpreter noise). Evidence: the
region's Shared_Dirty/Private_Dirty in /proc/self/smaps right after fork and after the loop,
and the minor-fault deltas (compared as ratios, never absolute counts).
"""

from __future__ import annotations

import ctypes
import json
import mmap
import os
import resource

from _probelib import Facts, read_all

F = Facts("cow")
PAGE = mmap.PAGESIZE
SIZE = 16 << 20
NPAGES = SIZE // PAGE
region = mmap.mmap(-1, SIZE, flags=mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS)
for i in range(0, SIZE, PAGE):
    region[i] = 7
addr = ctypes.addressof(ctypes.c_char.from_buffer(region))


def smaps(start: int) -> dict[str, int]:
    out: dict[str, int] = {}
    found = False
    with open("/proc/self/smaps") as fh:
        for line in fh:
            head = line.split(" ", 1)[0]
            if "-" in head and not line.startswith(("Shared", "Private")) and ":" not in head:
                if found:
                    break
                found = int(head.split("-")[0], 16) == start
                continue
            if found and ":" in line:
                k, v = line.split(":", 1)
                if v.strip().endswith("kB"):
                    out[k] = int(v.split()[0])
    return out


def child(mode: str, w: int) -> None:
    at_fork = smaps(addr)
    f0 = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    acc = 0
    if mode == "write":
        for i in range(0, SIZE, PAGE):
            region[i] = 9
    elif mode == "read":
        for i in range(0, SIZE, PAGE):
            acc += region[i]
    else:
        for i in range(0, SIZE, PAGE):
            acc += i
    f1 = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    after = smaps(addr)
    os.write(w, json.dumps({"faults": f1 - f0, "at_fork": at_fork, "after": after}).encode())


res = {}
for mode in ("write", "read", "idle"):
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        try:
            os.close(r)
            child(mode, w)
        finally:
            os._exit(0)
    os.close(w)
    raw = read_all(r)
    os.waitpid(pid, 0)
    res[mode] = json.loads(raw) if raw else {}
kb = SIZE // 1024
ok = all(res.get(m) for m in ("write", "read", "idle"))
wr, rd, idle = res.get("write", {}), res.get("read", {}), res.get("idle", {})
at_fork = wr.get("at_fork", {})
shared_at_fork = at_fork.get("Shared_Dirty", 0)
private_at_fork = at_fork.get("Private_Dirty", -1)
no_copy = ok and private_at_fork < kb // 20 and shared_at_fork >= kb * 9 // 10
copied_after_write = wr.get("after", {}).get("Private_Dirty", 0) >= kb * 9 // 10
read_stays_shared = rd.get("after", {}).get("Private_Dirty", kb) < kb // 20
wf, rf, nf = wr.get("faults", 0), rd.get("faults", 0), idle.get("faults", 0)
controls = ok and read_stays_shared and rf < NPAGES // 10 and nf < NPAGES // 10
evidence = dict(region_kib=kb, pages=NPAGES, at_fork_shared_dirty_kb=shared_at_fork,
                at_fork_private_dirty_kb=private_at_fork,
                after_write_private_dirty_kb=wr.get("after", {}).get("Private_Dirty"),
                after_read_private_dirty_kb=rd.get("after", {}).get("Private_Dirty"),
                minflt_write=wf, minflt_read=rf, minflt_idle=nf)
F.add("cow.copy_on_write", no_copy and copied_after_write and wf >= NPAGES * 9 // 10,
      controls and shared_at_fork > 0, **evidence)
F.add("cow.copies_at_fork", not no_copy, ok and (shared_at_fork > 0 or private_at_fork > 0),
      **evidence)
F.emit()
