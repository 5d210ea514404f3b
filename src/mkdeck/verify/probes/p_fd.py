"""Probe: file descriptors across fork and exec: inherited copies share the file offset (one
open file description); O_CLOEXEC descriptors close on exec, others stay open. High fd
numbers (200, 201) avoid the reuse bug of research 7.1. Controls: the child's own open() of
the same file does not move the parent's offset; the exec really listed its fds.
"""

from __future__ import annotations

import os
import tempfile

from _probelib import Facts, read_all

F = Facts("fd")
with tempfile.NamedTemporaryFile(delete=False) as fh:
    fh.write(b"0123456789" * 20)
    path = fh.name
fd = os.open(path, os.O_RDONLY)
pid = os.fork()
if pid == 0:
    os.read(fd, 10)
    own = os.open(path, os.O_RDONLY)
    os.read(own, 50)
    os._exit(0)
os.waitpid(pid, 0)
offset = os.lseek(fd, 0, os.SEEK_CUR)
# control: a separately opened description has its own offset
fd2 = os.open(path, os.O_RDONLY)
pid = os.fork()
if pid == 0:
    other = os.open(path, os.O_RDONLY)
    os.read(other, 50)
    os._exit(0)
os.waitpid(pid, 0)
ctl_offset = os.lseek(fd2, 0, os.SEEK_CUR)
F.add("fd.offset_shared_after_fork", offset == 10, ctl_offset == 0,
      parent_offset_after_child_read_10=offset, control_offset_own_open=ctl_offset)
F.add("fd.own_open_own_offset", ctl_offset == 0, offset == 10,
      parent_offset_after_child_read_50_own_open=ctl_offset,
      control_inherited_fd_offset=offset)
inh = os.fork()
if inh == 0:
    try:
        os.fstat(fd)
        os._exit(0)
    except OSError:
        os._exit(1)
inherited = os.WEXITSTATUS(os.waitpid(inh, 0)[1]) == 0
F.add("fd.inherited_across_fork", inherited, True, child_could_use_parent_fd=inherited)
# exec: fd 200 with O_CLOEXEC, fd 201 without
a = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
b = os.open(path, os.O_RDONLY)
os.dup2(a, 200, inheritable=False)
os.dup2(b, 201, inheritable=True)
r, w = os.pipe()
pid = os.fork()
if pid == 0:
    os.dup2(w, 1)
    os.execv("/bin/ls", ["/bin/ls", "/proc/self/fd"])
os.close(w)
listed = read_all(r).decode().split()
os.waitpid(pid, 0)
os.unlink(path)
has200, has201 = "200" in listed, "201" in listed
F.add("fd.cloexec_closed_on_exec", not has200, "0" in listed and has201,
      fds_after_exec=listed, cloexec_fd_200_open=has200, plain_fd_201_open=has201)
F.add("fd.kept_across_exec", has201, "0" in listed and not has200, fds_after_exec=listed)
F.emit()
