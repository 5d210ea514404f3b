"""Probe: pipe capacity, PIPE_BUF atomicity, F_SETPIPE_SZ, blocking writes into a full pipe,
EOF without writers, SIGPIPE/EPIPE without readers (pipe(7)). Controls: after F_SETPIPE_SZ
to 131072 the measured capacity follows; a write of 50 bytes fits where a 200-byte
(<= PIPE_BUF) write must fail whole.
"""

from __future__ import annotations

import errno
import fcntl
import os
import select
import signal
import time

from _probelib import Facts, proc_state

F = Facts("pipe")
F_SETPIPE_SZ = 1031
F_GETPIPE_SZ = 1032
PIPE_BUF = select.PIPE_BUF


def fill(w: int, chunk: int) -> int:
    total = 0
    data = b"x" * chunk
    while True:
        try:
            n = os.write(w, data)
        except BlockingIOError:
            return total
        total += n


r, w = os.pipe2(os.O_NONBLOCK)
cap = fill(w, 4096)
reported = fcntl.fcntl(w, F_GETPIPE_SZ)
os.close(r)
os.close(w)
r, w = os.pipe2(os.O_NONBLOCK)
cap1 = fill(w, 1)
os.close(r)
os.close(w)
r, w = os.pipe2(os.O_NONBLOCK)
try:
    fcntl.fcntl(w, F_SETPIPE_SZ, 131072)
    bigger = fill(w, 4096)
except OSError:
    bigger = None
os.close(r)
os.close(w)
F.add("pipe.capacity", cap, cap == cap1 == reported and bigger == 131072,
      bytes_written_4k_chunks=cap, bytes_written_1b_chunks=cap1, f_getpipe_sz=reported,
      control_after_setpipe_sz_131072=bigger,
      host_dependent="unprivileged users over pipe-user-pages-soft get one-page pipes")
F.add("pipe.setpipe_sz_changes_capacity", bigger == 131072 and reported == cap,
      cap == cap1, f_getpipe_sz=reported, bytes_written=cap, after_setpipe_sz_131072=bigger)
# atomicity: 15 full page slots + 4000 bytes in the 16th
r, w = os.pipe2(os.O_NONBLOCK)
for _ in range(15):
    os.write(w, b"a" * 4096)
os.write(w, b"b" * 4000)
try:
    n200 = os.write(w, b"c" * 200)
except BlockingIOError:
    n200 = -errno.EAGAIN
try:
    n50 = os.write(w, b"d" * 50)
except BlockingIOError:
    n50 = -errno.EAGAIN
os.close(r)
os.close(w)
r, w = os.pipe2(os.O_NONBLOCK)
for _ in range(15):
    os.write(w, b"a" * 4096)
try:
    n8192 = os.write(w, b"e" * 8192)
except BlockingIOError:
    n8192 = -errno.EAGAIN
os.close(r)
os.close(w)
F.add("pipe.pipe_buf_atomic", n200 == -errno.EAGAIN, n50 == 50 and 0 < n8192 < 8192,
      pipe_buf=PIPE_BUF, write_200_into_96_free=n200, control_write_50=n50,
      control_write_8192_into_one_slot=n8192)
F.add("pipe.pipe_buf_write_split", n200 != -errno.EAGAIN, n50 == 50 and 0 < n8192 < 8192,
      pipe_buf=PIPE_BUF, write_200_into_96_free=n200, control_write_50=n50,
      control_write_8192_into_one_slot=n8192,
      meaning="a write of at most PIPE_BUF bytes is never split, so it cannot interleave")
# a write bigger than PIPE_BUF into less room is split: 8192 bytes into one free slot
F.add("pipe.bigger_write_split", 0 < n8192 < 8192, n200 == -errno.EAGAIN and n50 == 50,
      pipe_buf=PIPE_BUF, write_8192_into_one_slot=n8192,
      control_write_200_into_96_free=n200)
# a blocking write into a full pipe waits until a reader makes room
r, w = os.pipe()
pid = os.fork()
if pid == 0:
    os.close(r)
    os.write(w, b"f" * 65536)  # fills the pipe
    os.write(w, b"g" * 10)     # must block here
    os._exit(0)
os.close(w)
state = None
end = time.monotonic() + 2
while time.monotonic() < end:
    state = proc_state(pid)
    if state == "S":
        break
    time.sleep(0.0005)
still_alive = os.waitpid(pid, os.WNOHANG) == (0, 0)
got = 0
while True:
    chunk = os.read(r, 65536)
    if not chunk:
        break
    got += len(chunk)
os.close(r)
os.waitpid(pid, 0)
F.add("pipe.write_blocks_when_full", state == "S" and still_alive and got == 65546,
      got == 65546, writer_state_when_full=state, writer_alive_before_read=still_alive,
      bytes_read=got)
# EOF without writers
r, w = os.pipe()
os.close(w)
eof = os.read(r, 10) == b""
os.close(r)
r, w = os.pipe()
os.write(w, b"z")
ctl = os.read(r, 10) == b"z"
os.close(r)
os.close(w)
F.add("pipe.eof_without_writers", eof, ctl, read_returned_empty=eof)
# SIGPIPE without readers: a child with default SIGPIPE dies of it; ignored -> EPIPE
r, w = os.pipe()
os.close(r)
pid = os.fork()
if pid == 0:
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    try:
        os.write(w, b"x")
    except OSError:
        os._exit(3)
    os._exit(0)
_, st = os.waitpid(pid, 0)
killed = os.WIFSIGNALED(st) and os.WTERMSIG(st) == signal.SIGPIPE
signal.signal(signal.SIGPIPE, signal.SIG_IGN)
try:
    os.write(w, b"x")
    epipe = False
except BrokenPipeError:
    epipe = True
os.close(w)
r, w = os.pipe()
try:
    ok = os.write(w, b"x") == 1
finally:
    os.close(r)
    os.close(w)
F.add("pipe.sigpipe_without_readers", killed and epipe, ok, child_killed_by_sigpipe=killed,
      epipe_when_ignored=epipe, control_write_with_reader=ok)
F.emit()
