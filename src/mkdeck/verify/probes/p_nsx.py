"""Probe: namespaces as pid_namespaces(7), user_namespaces(7), network_namespaces(7) and
namespaces(7) describe them: /proc/PID/ns links, the overflow UID in a new user namespace,
unshare(CLONE_NEWPID) and its next child, PID 1 of a namespace (signals it has no handler for,
what its exit does to the others), what a process in a child PID namespace can see, and the
loopback interface of a new network namespace.

Method: each measurement runs in a forked child that calls unshare(2) through libc. The PID
and network ones need CAP_SYS_ADMIN (root here; a host without it reports them not valid);
the user namespace one needs unprivileged user namespaces or root. Controls: the same
observation outside the new namespace (PID before unshare, lo in the host's namespace, a
signal PID 1 has a handler for is delivered, the parent namespace sees the child's process).
"""

from __future__ import annotations

import ctypes
import errno
import fcntl
import os
import select
import signal
import socket
import struct
import time

from _probelib import Facts, in_child, read_all

F = Facts("nsx")
LIBC = ctypes.CDLL(None, use_errno=True)
CLONE_NEWUSER, CLONE_NEWPID, CLONE_NEWNET = 0x10000000, 0x20000000, 0x40000000


def unshare(flags: int) -> int:
    """0, or the errno of unshare(2)."""
    return 0 if LIBC.unshare(flags) == 0 else ctypes.get_errno()


# ---- /proc/PID/ns ----------------------------------------------------------------------------
links = {}
for name in sorted(os.listdir("/proc/self/ns")):
    path = f"/proc/self/ns/{name}"
    links[name] = os.readlink(path) if os.path.islink(path) else None
fd_targets = [os.readlink(f"/proc/self/fd/{n}") for n in os.listdir("/proc/self/fd")
              if os.path.islink(f"/proc/self/fd/{n}")]
F.add("nsx.proc_ns_symlinks", bool(links) and all(
    t is not None and t.startswith(f"{n.replace('_for_children', '')}:[") for n, t in links.items()),
    "pid" in links and not any(t.startswith("pid:[") for t in fd_targets),
    links=links, control_fd_targets_are_not_namespaces=True)


# ---- user namespace: the overflow UID --------------------------------------------------------
def overflow() -> str:
    before = os.getuid()
    err = unshare(CLONE_NEWUSER)
    return f"{before} {err} {os.getuid()}"


with open("/proc/sys/kernel/overflowuid") as fh:
    overflowuid = int(fh.read())
u = in_child(overflow).split()
u_ok = len(u) == 3 and u[1] == "0" and int(u[0]) != overflowuid
F.add("nsx.userns_overflow_uid", u_ok and int(u[2]) == overflowuid, u_ok,
      uid_before=u[0] if u else None, uid_in_new_user_namespace=u[2] if len(u) == 3 else None,
      overflowuid=overflowuid, unshare_errno=u[1] if len(u) > 1 else None)


# ---- PID namespace ------------------------------------------------------------------------------
def newpid() -> str:
    """``"<errno> <pid before> <pid after unshare> <pid of the next child there>"``."""
    before = os.getpid()
    err = unshare(CLONE_NEWPID)
    if err:
        return f"{err} {before} 0 0"
    after = os.getpid()
    r, w = os.pipe()
    kid = os.fork()
    if kid == 0:
        os.write(w, str(os.getpid()).encode())
        os._exit(0)
    os.close(w)
    got = read_all(r).decode() or "0"
    os.waitpid(kid, 0)
    return f"0 {before} {after} {got}"


p = in_child(newpid).split()
p_ok = len(p) == 4 and p[0] == "0"
F.add("nsx.newpid_caller_stays", p_ok and p[1] == p[2], p_ok and p[3] == "1",
      pid_before=p[1] if p_ok else None, pid_after_unshare=p[2] if p_ok else None,
      next_child_pid_there=p[3] if p_ok else None, unshare_errno=p[0] if p else None)
F.add("nsx.newpid_next_child_pid1", p_ok and p[3] == "1", p_ok and p[1] != "1",
      next_child_pid_there=p[3] if p_ok else None)


def in_new_pidns(init_body) -> str:
    """unshare(CLONE_NEWPID), then fork PID 1 of the new namespace, which runs
    ``init_body(w)`` with a pipe's write end; returns what it wrote."""
    if unshare(CLONE_NEWPID):
        return "no-unshare"
    r, w = os.pipe()
    init = os.fork()
    if init == 0:
        os.close(r)
        try:
            init_body(w)
        except BaseException as exc:  # report, never raise in the child
            os.write(w, f" error {exc!r}".encode())
        finally:
            os._exit(0)
    os.close(w)
    out = read_all(r).decode()
    os.waitpid(init, 0)
    return out


def pid1_exit() -> str:
    """``"<killed> <seconds>"``: whether the holder died once PID 1 exited."""
    if unshare(CLONE_NEWPID):
        return "no-unshare"
    r, w = os.pipe()
    init = os.fork()
    if init == 0:
        os.close(r)
        r2, w2 = os.pipe()
        holder = os.fork()
        if holder == 0:
            os.close(r2)
            signal.signal(signal.SIGTERM, signal.SIG_IGN)
            os.dup2(w, 201)  # the holder keeps the caller's pipe open while it lives
            os.write(w2, b"r")
            time.sleep(30)
            os._exit(0)
        os.close(w2)
        os.read(r2, 1)
        os.write(w, b"ready")
        os._exit(0)  # PID 1 exits; the holder lives on only if the kernel lets it
    os.close(w)
    got = os.read(r, 5)
    t0 = time.monotonic()
    os.waitpid(init, 0)
    ready, _, _ = select.select([r], [], [], 5)
    eof = bool(ready) and os.read(r, 1) == b""
    return f"{got == b'ready'} {eof} {time.monotonic() - t0:.2f}"


k = in_child(pid1_exit).split()
k_ok = len(k) == 3 and k[0] == "True"
F.add("nsx.pid1_exit_kills_others", k_ok and k[1] == "True", k_ok,
      holder_gone=k[1] if k_ok else None, seconds=k[2] if k_ok else None,
      note="the holder ignores SIGTERM, so what ended it is SIGKILL")


def pid1_signals() -> str:
    """In a new PID namespace, PID 1 (no handler for SIGTERM, a handler for SIGUSR1) is
    sent SIGTERM and SIGKILL, then SIGUSR1, by a process of its namespace."""
    def body(w: int) -> None:
        got = []
        signal.signal(signal.SIGUSR1, lambda *_: got.append("usr1"))
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        sender = os.fork()
        if sender == 0:
            os.kill(1, signal.SIGTERM)
            os.kill(1, signal.SIGKILL)
            time.sleep(0.05)
            os.kill(1, signal.SIGUSR1)
            os._exit(0)
        os.waitpid(sender, 0)
        deadline = time.monotonic() + 2
        while not got and time.monotonic() < deadline:
            time.sleep(0.01)
        os.write(w, f"{os.getpid()} alive {got == ['usr1']}".encode())
    return in_new_pidns(body)


s = in_child(pid1_signals).split()
s_ok = len(s) == 3 and s[0] == "1"
F.add("nsx.pid1_only_handled_signals", s_ok and s[1] == "alive", s_ok and s[2] == "True",
      pid1_after_sigterm_and_sigkill=s[1] if s_ok else None,
      control_handled_sigusr1_delivered=s[2] if s_ok else None)


def visibility() -> str:
    """Whether PID 1 of a new namespace sees its parent (outside): getppid() and kill(pid, 0);
    and whether the parent sees PID 1 by the PID clone returned."""
    outside = os.getpid()
    if unshare(CLONE_NEWPID):
        return "no-unshare"
    r, w = os.pipe()
    go_r, go_w = os.pipe()
    init = os.fork()
    if init == 0:
        os.close(r)
        try:
            os.kill(outside, 0)
            seen = "seen"
        except OSError as exc:
            seen = "ESRCH" if exc.errno == errno.ESRCH else str(exc.errno)
        os.write(w, f"{os.getppid()} {seen}".encode())
        os.close(w)
        os.read(go_r, 1)
        os._exit(0)
    os.close(w)
    got = read_all(r).decode()
    try:
        os.kill(init, 0)
        parent_sees = True
    except OSError:
        parent_sees = False
    os.write(go_w, b"x")
    os.waitpid(init, 0)
    return f"{got} {parent_sees}"


v = in_child(visibility).split()
v_ok = len(v) == 3
F.add("nsx.child_ns_cannot_see_parent_ns", v_ok and v[0] == "0" and v[1] == "ESRCH",
      v_ok and v[2] == "True", pid1_getppid=v[0] if v_ok else None,
      pid1_kill_outside_parent=v[1] if v_ok else None,
      control_parent_sees_child_ns_process=v[2] if v_ok else None)


# ---- more of namespaces(7), user_namespaces(7), pid_namespaces(7) ----------------------------
def userns_caps() -> str:
    """CapEff before and after unshare(CLONE_NEWUSER), as uid 65534 when root (so the full
    set inside is the namespace's, not root's)."""
    if os.geteuid() == 0:
        os.setgroups([])
        os.setgid(65534)
        os.setuid(65534)

    def capeff() -> str:
        with open("/proc/self/status") as fh:
            return next(ln.split()[1] for ln in fh if ln.startswith("CapEff:"))
    before = capeff()
    err = unshare(CLONE_NEWUSER)
    return f"{before} {err} {capeff()}"


uc = in_child(userns_caps).split()
uc_ok = len(uc) == 3 and uc[1] == "0" and int(uc[0], 16) == 0
F.add("nsx.userns_creator_full_caps", uc_ok and int(uc[2], 16) >> 21 & 1 == 1
      and int(uc[2], 16) >= 0x1ffffffff, uc_ok, capeff_before=uc[0] if uc else None,
      capeff_in_new_user_namespace=uc[2] if len(uc) == 3 else None,
      note="as uid 65534: no capability before, CAP_SYS_ADMIN (bit 21) and the rest inside")


def unprivileged_newpid() -> str:
    if os.geteuid() == 0:
        os.setgroups([])
        os.setgid(65534)
        os.setuid(65534)
    return str(unshare(CLONE_NEWPID))


up = in_child(unprivileged_newpid)
F.add("nsx.newpid_needs_cap_sys_admin", up == str(errno.EPERM), up.isdigit()
      and p_ok, unprivileged_unshare_errno=errno.errorcode.get(int(up), up) if up.isdigit()
      else up, control_privileged_unshare_worked=p_ok)


def same_ns() -> str:
    """``"<child's uts link == parent's> <after unshare(CLONE_NEWUTS) == parent's>"``."""
    mine = os.readlink("/proc/self/ns/uts")
    parent = os.readlink(f"/proc/{os.getppid()}/ns/uts")
    err = unshare(0x04000000)  # CLONE_NEWUTS
    return f"{mine == parent} {err == 0 and os.readlink('/proc/self/ns/uts') == parent}"


sn = in_child(same_ns).split()
sn_ok = len(sn) == 2
F.add("nsx.same_namespace_same_link", sn_ok and sn[0] == "True", sn_ok and sn[1] == "False",
      child_and_parent_same_uts_link=sn[0] if sn_ok else None,
      control_after_unshare_same=sn[1] if sn_ok else None)


def nspid() -> str:
    """The NSpid line of PID 1 of a new PID namespace: one PID per level."""
    def body(w: int) -> None:
        with open("/proc/self/status") as fh:
            line = next((ln for ln in fh if ln.startswith("NSpid:")), "NSpid:")
        os.write(w, " ".join(line.split()[1:]).encode() or b"none")
    return in_new_pidns(body)


npd = in_child(nspid).split()
npd_ok = bool(npd) and npd[0] not in ("none", "no-unshare") and npd[-1] == "1"
F.add("nsx.pid_in_each_ancestor_namespace", npd_ok and len(npd) >= 2 and npd[0] != "1",
      npd_ok, nspid_of_init_of_the_new_namespace=npd)


# ---- network namespace: lo ------------------------------------------------------------------
SIOCGIFFLAGS, IFF_UP = 0x8913, 0x1


def lo_up() -> str:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sk:
        got = fcntl.ioctl(sk.fileno(), SIOCGIFFLAGS, struct.pack("16sH14s", b"lo", 0, b""))
    return "up" if struct.unpack("16sH14s", got)[1] & IFF_UP else "down"


def new_net_lo() -> str:
    err = unshare(CLONE_NEWNET)
    return lo_up() if not err else f"errno {err}"


host_lo = in_child(lo_up)
new_lo = in_child(new_net_lo)
F.add("nsx.newnet_lo_down", new_lo == "down", new_lo in ("up", "down") and host_lo == "up",
      lo_in_new_namespace=new_lo, control_lo_in_host_namespace=host_lo)
F.emit()
