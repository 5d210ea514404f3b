"""Probe (lifecycle, descriptors and pipes): dup()/dup2()/dup3()/F_DUPFD_CLOEXEC, PIPE_BUF,
FIFOs, what a pipe read returns, end of file with copied write ends, empty-pipe reads with and
without O_NONBLOCK, one-way ordered pipes, pipe2() flags, descriptors across fork, lseek() on a
pipe, close-on-exec after a failed execve(), files unlinked while open (dup(2), pipe(7),
fifo(7), fcntl(2), execve(2)).

Every fact has its control; a fact whose control misbehaved is reported not valid. PIPE_BUF is
measured: with one byte free a non-blocking write of 4096 bytes fails whole and one of 4097
writes a part (control: both fit whole in an empty pipe). A FIFO open that must wait is checked
after 20 ms asleep (the probe is timing-aware: under load such a fact is not valid, never the
other way round).
"""

from __future__ import annotations

import ctypes
import errno
import fcntl
import os
import select
import signal
import stat
import tempfile
import time

from _probelib import errname, F_GETPIPE_SZ, Facts, libc, proc_state, wait_for

F = Facts("lifecycle-fds")


# ---- dup ----------------------------------------------------------------------------------
tmp = tempfile.mkdtemp(prefix="mkdeck-life-")
path = os.path.join(tmp, "f")
with open(path, "wb") as fh:
    fh.write(b"0123456789")
a = os.open(path, os.O_RDONLY)
b = os.dup(a)
c = os.open(path, os.O_RDONLY)
os.lseek(a, 4, os.SEEK_SET)
dup_offset, open_offset = os.lseek(b, 0, os.SEEK_CUR), os.lseek(c, 0, os.SEEK_CUR)
fcntl.fcntl(a, fcntl.F_SETFL, fcntl.fcntl(a, fcntl.F_GETFL) | os.O_NONBLOCK)
dup_nonblock = bool(fcntl.fcntl(b, fcntl.F_GETFL) & os.O_NONBLOCK)
open_nonblock = bool(fcntl.fcntl(c, fcntl.F_GETFL) & os.O_NONBLOCK)
F.add("fd.dup_shares_offset", dup_offset == 4, open_offset == 0,
      dup_offset_after_seek_4=dup_offset, control_other_open_offset=open_offset)
F.add("fd.dup_shares_status_flags", dup_nonblock, not open_nonblock,
      dup_sees_o_nonblock=dup_nonblock, control_other_open_sees_it=open_nonblock)
fcntl.fcntl(a, fcntl.F_SETFD, fcntl.FD_CLOEXEC)
libc.dup.argtypes = [ctypes.c_int]
d = libc.dup(a)  # os.dup() would set close-on-exec on the copy itself (PEP 446)
orig_cloexec = bool(fcntl.fcntl(a, fcntl.F_GETFD) & fcntl.FD_CLOEXEC)
copy_cloexec = bool(fcntl.fcntl(d, fcntl.F_GETFD) & fcntl.FD_CLOEXEC)
F.add("fd.dup_shares_cloexec", copy_cloexec, orig_cloexec, copy_has_fd_cloexec=copy_cloexec,
      control_original_has_it=orig_cloexec)
os.close(d)
# lowest free number: close a low one, dup/open must take it
low = min(a, b, c)
os.close(low)
again = os.dup(max(a, b, c))
lowest_dup = again == low
os.close(again)
opened = os.open(path, os.O_RDONLY)
lowest_open = opened == low
F.add("fd.lowest_free_number", lowest_dup and lowest_open, opened < max(a, b, c) + 1 + 8,
      freed=low, dup_gave=again, open_gave=opened)
os.close(opened)
fd = max(a, b, c)
libc.dup2.argtypes = [ctypes.c_int, ctypes.c_int]
libc.dup3.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_int]
same2 = libc.dup2(fd, fd)
same3 = libc.dup3(fd, fd, 0)
err3 = errno.errorcode.get(ctypes.get_errno(), "none") if same3 == -1 else "none"
other3 = libc.dup3(fd, fd + 20, 0)
F.add("fd.dup2_same_returns_fd", same2 == fd, same2 != -1, dup2_fd_fd_returned=same2, fd=fd)
F.add("fd.dup3_same_errno", err3, other3 == fd + 20, dup3_fd_fd_returned=same3,
      control_dup3_to_other_returned=other3)
os.close(fd + 20)
fcntl.fcntl(fd, fcntl.F_SETFD, 0)
n3 = libc.dup3(fd, fd + 21, os.O_CLOEXEC)
new3 = bool(fcntl.fcntl(n3, fcntl.F_GETFD) & fcntl.FD_CLOEXEC) if n3 >= 0 else None
old3 = bool(fcntl.fcntl(fd, fcntl.F_GETFD) & fcntl.FD_CLOEXEC)
dc = fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 0)
dn = fcntl.fcntl(fd, fcntl.F_DUPFD, 0)
dc_set = bool(fcntl.fcntl(dc, fcntl.F_GETFD) & fcntl.FD_CLOEXEC)
dn_set = bool(fcntl.fcntl(dn, fcntl.F_GETFD) & fcntl.FD_CLOEXEC)
F.add("fd.dup3_cloexec_sets_new", bool(new3) and not old3, n3 >= 0 and not dn_set,
      new_has_cloexec=new3, old_has_cloexec=old3, control_f_dupfd_copy_has_it=dn_set)
F.add("fd.dupfd_cloexec_sets_copy", dc_set and not old3, not dn_set,
      copy_has_cloexec=dc_set, control_f_dupfd_copy_has_it=dn_set)
for x in (n3, dc, dn, a, b, c):
    try:
        os.close(x)
    except OSError:
        pass


# ---- PIPE_BUF -----------------------------------------------------------------------------


def write_with_one_byte_free(n: int) -> int | str:
    r, w = os.pipe2(os.O_NONBLOCK)
    cap = fcntl.fcntl(w, F_GETPIPE_SZ)
    done = 0
    while done < cap - 1:
        done += os.write(w, b"x" * (cap - 1 - done))
    try:
        out: int | str = os.write(w, b"y" * n)
    except BlockingIOError:
        out = "EAGAIN"
    os.close(r)
    os.close(w)
    return out


def fits_empty(n: int) -> bool:
    r, w = os.pipe2(os.O_NONBLOCK)
    ok = os.write(w, b"z" * n) == n
    os.close(r)
    os.close(w)
    return ok


w4096, w4097 = write_with_one_byte_free(4096), write_with_one_byte_free(4097)
pipe_buf = 4096 if w4096 == "EAGAIN" and isinstance(w4097, int) and w4097 < 4097 else None
F.add("pipe.pipe_buf_bytes", pipe_buf, fits_empty(4096) and fits_empty(4097),
      write_4096_one_byte_free=w4096, write_4097_one_byte_free=w4097,
      pipe_buf_header=select.PIPE_BUF)


# ---- FIFOs --------------------------------------------------------------------------------
fifo = os.path.join(tmp, "fifo")
os.mkfifo(fifo, 0o600)
is_fifo = stat.S_ISFIFO(os.stat(fifo).st_mode)
pr, pw = os.pipe()
pipe_link = os.readlink(f"/proc/self/fd/{pr}")
os.close(pr)
os.close(pw)
F.add("pipe.fifo_has_name", is_fifo, pipe_link.startswith("pipe:"),
      fifo_is_s_isfifo=is_fifo, control_pipe_fd_link=pipe_link)
try:
    os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
    enx = "none"
except OSError as exc:
    enx = errno.errorcode.get(exc.errno or 0, str(exc.errno))
rd = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)  # a non-blocking reader opens at once
nonblock_read_open_returned = rd >= 0
try:
    wr = os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
    with_reader = True
    os.close(wr)
except OSError:
    with_reader = False
os.close(rd)
F.add("pipe.fifo_nonblock_write_open_errno", enx, with_reader, control_with_a_reader=with_reader)
r, w = os.pipe()
pid = os.fork()
if pid == 0:
    os.close(r)
    os.write(w, b"b")
    f = os.open(fifo, os.O_RDONLY)
    os.write(w, b"a")
    os.close(f)
    os._exit(0)
os.close(w)
os.read(r, 1)
asleep = wait_for(lambda: proc_state(pid) == "S", 2)
time.sleep(0.05)
early = select.select([r], [], [], 0)[0] != []
wr = os.open(fifo, os.O_WRONLY)  # the reader's open returns now
late = select.select([r], [], [], 3)[0] != [] and os.read(r, 1) == b"a"
os.close(wr)
os.close(r)
os.waitpid(pid, 0)
F.add("pipe.fifo_read_open_blocks", asleep and not early, late, child_asleep_in_open=asleep,
      opened_before_a_writer=early, control_opened_once_a_writer_came=late,
      control_nonblocking_open_returned_at_once=nonblock_read_open_returned)
os.unlink(fifo)
os.unlink(path)
os.rmdir(tmp)


# ---- pipes: a read returns what is there; EOF only when every write end is closed ----------
r, w = os.pipe()
os.write(w, b"abc")
got3 = os.read(r, 100)
os.set_blocking(r, False)
try:
    os.read(r, 1)
    emptied = False
except BlockingIOError:
    emptied = True  # control: the read took all there was, and the pipe is empty now
os.close(w)
os.close(r)
F.add("pipe.read_returns_available", got3 == b"abc", emptied, asked=100, got=len(got3),
      control_pipe_empty_after=emptied)
r, w = os.pipe()
hold_r, hold_w = os.pipe()
pid = os.fork()
if pid == 0:
    os.close(r)
    os.close(hold_w)
    os.read(hold_r, 1)  # keeps its copy of the write end until told
    os._exit(0)
os.close(hold_r)
os.close(w)
eof_with_copy = select.select([r], [], [], 0.05)[0] != []
os.close(hold_w)
eof_after = select.select([r], [], [], 3)[0] != [] and os.read(r, 1) == b""
os.close(r)
os.waitpid(pid, 0)
F.add("pipe.eof_only_when_all_writers_closed", not eof_with_copy and eof_after, eof_after,
      eof_while_a_child_held_a_copy=eof_with_copy, control_eof_after_it_closed=eof_after)


# ---- pipes: an empty pipe's read with and without O_NONBLOCK -------------------------------
r, w = os.pipe()
os.set_blocking(r, False)
try:
    os.read(r, 1)
    nb_err = "none"
except OSError as exc:
    nb_err = errno.errorcode.get(exc.errno or 0, str(exc.errno))
os.write(w, b"d")
nb_data = os.read(r, 1) == b"d"  # control: with data the same read succeeds
os.set_blocking(r, True)
hold_r, hold_w = os.pipe()
pid = os.fork()
if pid == 0:
    os.close(w)
    os.write(hold_w, b"b")
    got = os.read(r, 1)
    os._exit(0 if got == b"x" else 1)
os.read(hold_r, 1)
asleep = wait_for(lambda: proc_state(pid) == "S", 2)
time.sleep(0.02)
blocked = proc_state(pid) == "S"
os.write(w, b"x")
_, st = os.waitpid(pid, 0)
woke = os.WIFEXITED(st) and os.WEXITSTATUS(st) == 0
for x in (r, w, hold_r, hold_w):
    os.close(x)
F.add("pipe.empty_nonblocking_read_errno", nb_err, nb_data, control_read_with_data=nb_data)
F.add("pipe.empty_read_blocks", asleep and blocked, woke, child_asleep_in_read=blocked,
      control_woke_when_written=woke)


# ---- a pipe is one-way and keeps the order of the data -----------------------------------------


r, w = os.pipe()
write_read_end = errname(lambda: os.write(r, b"x"))
read_write_end = errname(lambda: os.read(w, 1))
for chunk in (b"one ", b"two ", b"three"):
    os.write(w, chunk)
ordered = os.read(r, 100) == b"one two three"
os.close(r)
os.close(w)
F.add("pipe.one_way", write_read_end == "EBADF" and read_write_end == "EBADF", ordered,
      write_to_read_end=write_read_end, read_from_write_end=read_write_end)
F.add("pipe.keeps_order", ordered, write_read_end != "none", read_back="one two three")


# ---- pipe2() flags on both ends --------------------------------------------------------------
r, w = os.pipe2(os.O_CLOEXEC | os.O_NONBLOCK)
both_cloexec = all(fcntl.fcntl(x, fcntl.F_GETFD) & fcntl.FD_CLOEXEC for x in (r, w))
both_nonblock = all(fcntl.fcntl(x, fcntl.F_GETFL) & os.O_NONBLOCK for x in (r, w))
os.close(r)
os.close(w)
r, w = os.pipe2(0)
plain_cloexec = any(fcntl.fcntl(x, fcntl.F_GETFD) & fcntl.FD_CLOEXEC for x in (r, w))
plain_nonblock = any(fcntl.fcntl(x, fcntl.F_GETFL) & os.O_NONBLOCK for x in (r, w))
os.close(r)
os.close(w)
F.add("pipe.pipe2_cloexec_both_ends", bool(both_cloexec), not plain_cloexec,
      control_pipe2_without_flags_has_it=plain_cloexec)
F.add("pipe.pipe2_nonblock_both_ends", bool(both_nonblock), not plain_nonblock,
      control_pipe2_without_flags_has_it=plain_nonblock)


# ---- dup2() closes newfd first; the copy has no close-on-exec --------------------------------
pr, pw = os.pipe()
target = os.open("/dev/null", os.O_RDONLY)
libc.dup2(pw, target)  # target was /dev/null: dup2 closes it and makes it the write end
os.close(pw)
write_via_target = os.write(target, b"z") == 1 and os.read(pr, 1) == b"z"
fcntl.fcntl(target, fcntl.F_SETFD, fcntl.FD_CLOEXEC)
pr2, pw2 = os.pipe()
libc.dup2(pw2, target)  # the only write end of the first pipe was target: it is closed now
os.close(pw2)
os.set_blocking(pr, False)
try:
    closed_first = os.read(pr, 1) == b""  # end of file: no write end is left
except BlockingIOError:
    closed_first = False
dup2_cloexec = bool(fcntl.fcntl(target, fcntl.F_GETFD) & fcntl.FD_CLOEXEC)
for x in (pr, pr2, target):
    os.close(x)
F.add("fd.dup2_closes_newfd", closed_first, write_via_target,
      old_pipe_sees_eof=closed_first, control_first_dup2_wrote_through=write_via_target)
F.add("fd.dup2_copy_cloexec", dup2_cloexec, write_via_target,
      newfd_had_fd_cloexec_before=True, newfd_has_it_after=dup2_cloexec)


# ---- descriptors across fork: closing, status flags, descriptor flags ---------------------------
tmp3 = tempfile.mkdtemp(prefix="mkdeck-life-")
path3 = os.path.join(tmp3, "f")
with open(path3, "wb") as fh:
    fh.write(b"data")
fd = os.open(path3, os.O_RDONLY)
fcntl.fcntl(fd, fcntl.F_SETFD, 0)
r, w = os.pipe()
pid = os.fork()
if pid == 0:
    try:
        fcntl.fcntl(fd, fcntl.F_SETFL, fcntl.fcntl(fd, fcntl.F_GETFL) | os.O_NONBLOCK)
        fcntl.fcntl(fd, fcntl.F_SETFD, fcntl.FD_CLOEXEC)
        own = bool(fcntl.fcntl(fd, fcntl.F_GETFD) & fcntl.FD_CLOEXEC)
        os.close(fd)
        os.write(w, str(own).encode())
    finally:
        os._exit(0)
os.close(w)
os.waitpid(pid, 0)
child_set_cloexec = os.read(r, 16) == b"True"
os.close(r)
try:
    still_open = os.pread(fd, 4, 0) == b"data"
except OSError:
    still_open = False
parent_nonblock = bool(fcntl.fcntl(fd, fcntl.F_GETFL) & os.O_NONBLOCK)
parent_cloexec = bool(fcntl.fcntl(fd, fcntl.F_GETFD) & fcntl.FD_CLOEXEC)
os.close(fd)
F.add("fd.child_close_keeps_parent_open", still_open, child_set_cloexec,
      parent_reads_after_child_closed=still_open)
F.add("fd.status_flags_shared_after_fork", parent_nonblock, child_set_cloexec,
      parent_sees_o_nonblock_set_by_child=parent_nonblock)
F.add("fd.fd_flags_shared_after_fork", parent_cloexec, child_set_cloexec,
      parent_sees_fd_cloexec_set_by_child=parent_cloexec,
      control_child_saw_its_own=child_set_cloexec)

# ---- lseek() on a pipe; a FIFO opened O_RDWR --------------------------------------------------
r, w = os.pipe()
seek_err = errname(lambda: os.lseek(r, 0, os.SEEK_CUR))
file_fd = os.open(path3, os.O_RDONLY)
file_ok = os.lseek(file_fd, 0, os.SEEK_CUR) == 0
os.close(file_fd)
os.close(r)
os.close(w)
F.add("pipe.lseek_errno", seek_err, file_ok, control_lseek_on_a_file_ok=file_ok)
fifo3 = os.path.join(tmp3, "fifo")
os.mkfifo(fifo3, 0o600)
pid = os.fork()
if pid == 0:
    fd = os.open(fifo3, os.O_RDWR)  # Linux: returns at once, no other process needed
    os._exit(0 if fd >= 0 else 1)
rdwr_returned = wait_for(lambda: os.waitpid(pid, os.WNOHANG)[0] == pid, 3)
if not rdwr_returned:
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
# one-sided: an open that has not returned after 3 s (a loaded host) is inconclusive
F.add("pipe.fifo_rdwr_open_does_not_block", rdwr_returned, rdwr_returned,
      opened_and_exited=rdwr_returned)

# ---- a failed execve() leaves close-on-exec descriptors open ------------------------------------
r, w = os.pipe()
pid = os.fork()
if pid == 0:
    try:
        fd = os.open(path3, os.O_RDONLY | os.O_CLOEXEC)
        try:
            os.execv(os.path.join(tmp3, "no-such-program"), ["x"])
        except OSError as exc:
            err = errno.errorcode.get(exc.errno or 0, "?")
        try:
            ok = os.pread(fd, 4, 0) == b"data"
        except OSError:
            ok = False
        os.write(w, f"{err} {ok}".encode())
    finally:
        os._exit(0)
os.close(w)
os.waitpid(pid, 0)
exec_err, kept = (os.read(r, 64).decode().split() + ["?", "?"])[:2]
os.close(r)
F.add("fd.cloexec_kept_when_exec_fails", kept == "True", exec_err == "ENOENT",
      execve_error=exec_err, fd_readable_after=kept)
os.unlink(fifo3)
os.unlink(path3)
os.rmdir(tmp3)
F.emit()
