"""Probe: mmap(2)'s rules and what copy-on-write does (mmap(2): MAP_FIXED,
MAP_FIXED_NOREPLACE, offset, EACCES, EINVAL, MAP_FAILED, "closing the file descriptor does
not unmap the region", zero-filled anonymous pages, SIGSEGV/SIGBUS; fork(2) and proc(5)
smaps: a page read after fork() stays shared, a written one is copied).

Method: libc's mmap() through ctypes (an address can be given), children that touch memory
(with no core dump), ``/proc/self/maps`` and ``/proc/self/smaps``. Controls: MAP_PRIVATE on a
read-only file works where MAP_SHARED fails; a readable page does not crash; a page inside the
file does not raise SIGBUS; after fork() a write copies the page a read left shared; a
MAP_SHARED page shows a write a MAP_PRIVATE one hides.
"""

from __future__ import annotations

import ctypes
import errno
import mmap
import os
import platform
import resource
import signal
import tempfile

from _probelib import Facts, in_child, read_all

F = Facts("maps")
LIBC = ctypes.CDLL(None, use_errno=True)
LIBC.mmap.restype = ctypes.c_void_p
LIBC.mmap.argtypes = (ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int, ctypes.c_int,
                      ctypes.c_int, ctypes.c_long)
LIBC.munmap.argtypes = (ctypes.c_void_p, ctypes.c_size_t)
PAGE = mmap.PAGESIZE
MAP_FAILED = ctypes.c_void_p(-1).value
MAP_FIXED = 0x10  # mman-common.h (the same on every Linux architecture)
MAP_FIXED_NOREPLACE = 0x100000


# ---- mmap ----------------------------------------------------------------------------------
def c_mmap(addr: int | None, length: int, prot: int, flags: int, fd: int = -1,
           off: int = 0) -> tuple[int | None, int]:
    ctypes.set_errno(0)
    got = LIBC.mmap(addr, length, prot, flags, fd, off)
    return (None, ctypes.get_errno()) if got in (None, MAP_FAILED) else (got, 0)


RW = mmap.PROT_READ | mmap.PROT_WRITE
ANON = mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS
base, _ = c_mmap(None, PAGE, RW, ANON)
replaced = noreplace_errno = None
if base is not None:
    ctypes.memset(base, 0x41, PAGE)
    again, _ = c_mmap(base, PAGE, RW, ANON | MAP_FIXED)
    replaced = again == base and ctypes.string_at(base, 1) == b"\0"
    ctypes.memset(base, 0x41, PAGE)
    nr, noreplace_errno = c_mmap(base, PAGE, RW, ANON | MAP_FIXED_NOREPLACE)
    if nr is not None and nr != base:
        LIBC.munmap(nr, PAGE)
    kept = ctypes.string_at(base, 1) == b"A"
    LIBC.munmap(base, PAGE)
F.add("maps.map_fixed_replaces", bool(replaced), base is not None,
      zero_page_after_map_fixed=replaced)
F.add("maps.map_fixed_noreplace_eexist", noreplace_errno == errno.EEXIST,
      base is not None and noreplace_errno not in (None, errno.EINVAL) and kept,
      got=errno.errorcode.get(noreplace_errno or 0, noreplace_errno), old_content_kept=kept)

fd, path = tempfile.mkstemp(prefix="mkdeck-tasks-")
os.write(fd, b"F" * (2 * PAGE))
os.close(fd)
ro = os.open(path, os.O_RDONLY)
_, off_errno = c_mmap(None, PAGE, mmap.PROT_READ, mmap.MAP_PRIVATE, ro, PAGE // 2)
ok_off, _ = c_mmap(None, PAGE, mmap.PROT_READ, mmap.MAP_PRIVATE, ro, PAGE)
F.add("maps.mmap_offset_einval", off_errno == errno.EINVAL, ok_off is not None,
      got=errno.errorcode.get(off_errno, off_errno), control_page_aligned_offset_ok=ok_off
      is not None)
shared_w, shared_errno = c_mmap(None, PAGE, RW, mmap.MAP_SHARED, ro, 0)
private_w, _ = c_mmap(None, PAGE, RW, mmap.MAP_PRIVATE, ro, 0)
F.add("maps.mmap_shared_write_readonly_eacces", shared_errno == errno.EACCES,
      private_w is not None, got=errno.errorcode.get(shared_errno, shared_errno),
      control_map_private_prot_write_ok=private_w is not None)
m = mmap.mmap(ro, PAGE, flags=mmap.MAP_SHARED, prot=mmap.PROT_READ)
os.close(ro)
still = m[:1] == b"F" and path in open("/proc/self/maps").read()
F.add("maps.close_fd_unmaps", not still, m[:1] == b"F", readable_after_close=m[:1] == b"F",
      in_proc_maps_after_close=still)
m.close()
for addr in (ok_off, shared_w, private_w):
    if addr is not None:
        LIBC.munmap(addr, PAGE)
os.unlink(path)


# ---- copy-on-write: a read shares, a write copies -------------------------------------------
def private_dirty_kb(addr: int) -> int | None:
    """Private_Dirty of the mapping that holds ``addr`` (/proc/self/smaps)."""
    hit = False
    with open("/proc/self/smaps") as fh:
        for line in fh:
            head = line.split()[0]
            if "-" in head and ":" not in head:
                lo, hi = (int(x, 16) for x in head.split("-"))
                hit = lo <= addr < hi
            elif hit and line.startswith("Private_Dirty:"):
                return int(line.split()[1])
    return None


NPAGES = 64
cow = mmap.mmap(-1, NPAGES * PAGE, flags=mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS)
for i in range(NPAGES):
    cow[i * PAGE] = 7  # dirty in the parent: after fork() every page is shared
cow_at = ctypes.addressof(ctypes.c_char.from_buffer(cow))


def cow_child() -> str:
    total = 0
    for i in range(NPAGES):
        total += cow[i * PAGE]
    after_read = private_dirty_kb(cow_at)
    for i in range(NPAGES):
        cow[i * PAGE] = 9
    return f"{total} {after_read} {private_dirty_kb(cow_at)}"


cw = in_child(cow_child).split()
cw_ok = len(cw) == 3 and cw[0] == str(7 * NPAGES) and cw[1] != "None" and cw[2] != "None"
kb = NPAGES * PAGE // 1024
F.add("maps.cow_read_copies", cw_ok and int(cw[1]) >= kb // 2,
      cw_ok and int(cw[2]) >= kb * 9 // 10, private_dirty_kb_after_reading=cw[1] if cw_ok
      else None, control_private_dirty_kb_after_writing=cw[2] if cw_ok else None,
      region_kb=kb)
cow.close()



# ---- mmap(): what a mapping gives and what touching it wrongly does --------------------------
def touch(fn) -> str:
    """The signal that ended a child running ``fn`` (``"none"``: it exited)."""
    kid = os.fork()
    if kid == 0:
        try:
            LIBC.prctl(4, 0, 0, 0, 0)  # PR_SET_DUMPABLE 0: the crash leaves no core file
            resource.setrlimit(resource.RLIMIT_CORE, (0, resource.getrlimit(
                resource.RLIMIT_CORE)[1]))
            fn()
        finally:
            os._exit(0)
    _, st = os.waitpid(kid, 0)
    return signal.Signals(os.WTERMSIG(st)).name if os.WIFSIGNALED(st) else "none"


anon = mmap.mmap(-1, 2 * PAGE, flags=mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS)
zero = bytes(anon[:]) == bytes(2 * PAGE)
anon[:4] = b"data"
F.add("maps.map_anonymous_zeroed", zero, anon[:4] == b"data", first_read_all_zero=zero)
anon.close()
none_at, _ = c_mmap(None, PAGE, 0, ANON)  # PROT_NONE
rw_at, _ = c_mmap(None, PAGE, RW, ANON)
prot_none = touch(lambda: ctypes.string_at(none_at, 1)) if none_at else None
readable = touch(lambda: ctypes.string_at(rw_at, 1)) if rw_at else None
F.add("maps.prot_none_sigsegv", prot_none == "SIGSEGV", readable == "none",
      touching_prot_none_ends_with=prot_none, control_readable_page=readable)
unmapped_at, _ = c_mmap(None, PAGE, RW, ANON)
if unmapped_at:
    LIBC.munmap(unmapped_at, PAGE)
after_munmap = touch(lambda: ctypes.string_at(unmapped_at, 1)) if unmapped_at else None
ro_at, _ = c_mmap(None, PAGE, RW, ANON)
if ro_at:
    LIBC.mprotect.argtypes = (ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int)
    protected = LIBC.mprotect(ro_at, PAGE, mmap.PROT_READ) == 0
    write_ro = touch(lambda: ctypes.memset(ro_at, 1, 1)) if protected else None
    read_ro = touch(lambda: ctypes.string_at(ro_at, 1)) if protected else None
    LIBC.munmap(ro_at, PAGE)
else:
    write_ro = read_ro = None
F.add("maps.mprotect_read_only_write_sigsegv", write_ro == "SIGSEGV", read_ro == "none",
      writing_after_mprotect_prot_read_ends_with=write_ro, control_reading_ends_with=read_ro)
F.add("maps.munmap_then_access_sigsegv", after_munmap == "SIGSEGV", readable == "none",
      touching_after_munmap_ends_with=after_munmap)
fd2, path2 = tempfile.mkstemp(prefix="mkdeck-tasks-")
os.write(fd2, b"x" * 100)
past_at, _ = c_mmap(None, 2 * PAGE, mmap.PROT_READ, mmap.MAP_SHARED, fd2, 0)
in_file = touch(lambda: ctypes.string_at(past_at, 1)) if past_at else None
beyond = touch(lambda: ctypes.string_at(past_at + PAGE, 1)) if past_at else None
F.add("maps.beyond_eof_sigbus", beyond == "SIGBUS", in_file == "none",
      touching_a_page_wholly_past_eof_ends_with=beyond, control_first_page=in_file)
_, len0 = c_mmap(None, 0, RW, ANON)
_, both_flags = c_mmap(None, PAGE, RW, mmap.MAP_SHARED | mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS)
F.add("maps.mmap_length_zero_einval", len0 == errno.EINVAL, rw_at is not None,
      got=errno.errorcode.get(len0, len0))
F.add("maps.mmap_shared_and_private_einval", both_flags == errno.EINVAL, rw_at is not None,
      got=errno.errorcode.get(both_flags, both_flags))
ctypes.set_errno(0)
raw = LIBC.mmap(None, 0, RW, ANON, -1, 0)
F.add("maps.mmap_failure_returns_map_failed", raw == MAP_FAILED, len0 != 0,
      returned=hex(raw) if raw is not None else None, map_failed=hex(MAP_FAILED))
for addr in (none_at, rw_at):
    if addr:
        LIBC.munmap(addr, PAGE)
if past_at:
    LIBC.munmap(past_at, 2 * PAGE)
os.close(fd2)
os.unlink(path2)



# ---- more of mmap(2): the address and length, munmap of a hole, MAP_SHARED across fork

one, _ = c_mmap(None, 1, RW, ANON)
range_len = None
if one:
    for line in open("/proc/self/maps"):
        lo, hi = (int(x, 16) for x in line.split()[0].split("-"))
        if lo == one:
            range_len = hi - lo
            break
F.add("maps.mmap_page_aligned_rounded_up", one is not None and one % PAGE == 0
      and range_len is not None and range_len % PAGE == 0 and range_len >= PAGE,
      one is not None and range_len is not None, address=hex(one) if one else None,
      asked_bytes=1, mapped_bytes=range_len, page=PAGE)
hole, _ = c_mmap(None, PAGE, RW, ANON)
if hole:
    LIBC.munmap(hole, PAGE)
    ctypes.set_errno(0)
    again = LIBC.munmap(hole, PAGE)
F.add("maps.munmap_unmapped_range_ok", hole is not None and again == 0, hole is not None,
      second_munmap_returned=again if hole else None)
if one:
    LIBC.munmap(one, PAGE)
shared_anon = mmap.mmap(-1, PAGE, flags=mmap.MAP_SHARED | mmap.MAP_ANONYMOUS)
private_anon = mmap.mmap(-1, PAGE, flags=mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS)


def write_both() -> str:
    shared_anon[:6] = b"CHILD!"
    private_anon[:6] = b"CHILD!"
    return "ok"


wb = in_child(write_both)
F.add("maps.map_shared_anon_seen_across_fork", shared_anon[:6] == b"CHILD!",
      wb == "ok" and private_anon[:6] != b"CHILD!", parent_sees_shared=bytes(
          shared_anon[:6]).decode(errors="replace"),
      control_parent_sees_private=bytes(private_anon[:6]).decode(errors="replace"))


def parent_write_after_fork() -> tuple[str, str]:
    """After fork() the parent writes a private and a MAP_SHARED page; the child reads both
    once the parent says it wrote. ``(private seen by the child, shared seen by the child)``."""
    private_anon[:6] = b"BEFORE"
    shared_anon[:6] = b"BEFORE"
    go_r, go_w = os.pipe()
    r2, w2 = os.pipe()
    kid = os.fork()
    if kid == 0:
        try:
            os.close(r2)
            os.close(go_w)
            os.read(go_r, 1)
            os.write(w2, bytes(private_anon[:6]) + bytes(shared_anon[:6]))
        finally:
            os._exit(0)
    os.close(w2)
    os.close(go_r)
    private_anon[:6] = b"PARENT"
    shared_anon[:6] = b"PARENT"
    os.write(go_w, b"x")
    os.close(go_w)
    seen = read_all(r2)
    os.waitpid(kid, 0)
    return seen[:6].decode(errors="replace"), seen[6:].decode(errors="replace")


seen_private, seen_shared = parent_write_after_fork()
F.add("maps.parent_write_seen_by_child", seen_private == "PARENT", seen_shared == "PARENT",
      child_sees_private=seen_private, control_child_sees_map_shared=seen_shared)
shared_anon.close()
private_anon.close()

arch = platform.machine()
F.add("maps.page_size_4096", PAGE == 4096, arch in ("x86_64", "amd64"), arch=arch,
      sysconf_page_size=os.sysconf("SC_PAGE_SIZE"),
      note="measured on this host's architecture only; valid when it is x86-64")
F.emit()
