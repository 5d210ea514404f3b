"""Probe: MAP_SHARED writes are seen by other processes and reach the file; MAP_PRIVATE
writes are neither (mmap(2)). Each flag is the other's control.
"""

from __future__ import annotations

import mmap
import os
import tempfile

from _probelib import Facts

F = Facts("mmap")


def anon_over_fork(flags: int) -> bool:
    m = mmap.mmap(-1, 4096, flags=flags | mmap.MAP_ANONYMOUS)
    m[:4] = b"PARE"
    pid = os.fork()
    if pid == 0:
        m[:4] = b"CHLD"
        os._exit(0)
    os.waitpid(pid, 0)
    return bytes(m[:4]) == b"CHLD"


def file_write(flags: int) -> bool:
    with tempfile.TemporaryFile() as fh:
        fh.write(b"A" * 4096)
        fh.flush()
        m = mmap.mmap(fh.fileno(), 4096, flags=flags)
        m[:4] = b"BBBB"
        m.flush() if flags == mmap.MAP_SHARED else None
        on_disk = os.pread(fh.fileno(), 4, 0)
        m.close()
        return on_disk == b"BBBB"


sv, pv = anon_over_fork(mmap.MAP_SHARED), anon_over_fork(mmap.MAP_PRIVATE)
sf, pf = file_write(mmap.MAP_SHARED), file_write(mmap.MAP_PRIVATE)
F.add("mmap.shared_writes_visible", sv and sf, not pv and not pf,
      shared_child_write_seen=sv, shared_write_reached_file=sf,
      control_private_seen=pv, control_private_reached_file=pf)
F.add("mmap.private_writes_private", not pv and not pf, sv and sf,
      private_child_write_seen=pv, private_write_reached_file=pf,
      control_shared_seen=sv, control_shared_reached_file=sf)
F.emit()
