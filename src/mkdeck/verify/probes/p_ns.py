"""Probe (root): namespaces. unshare(CLONE_NEWPID) then fork: the child is PID 1;
unshare(CLONE_NEWUTS) then sethostname: the parent's hostname is unchanged;
unshare(CLONE_NEWNET): only the loopback interface. Controls: without the flag the child's
PID is not 1, and the host has interfaces beside lo or the same hostname is visible.
"""

from __future__ import annotations

import ctypes
import os
import socket

from _probelib import Facts, in_child

F = Facts("ns")
libc = ctypes.CDLL(None, use_errno=True)
CLONE_NEWUTS, CLONE_NEWPID, CLONE_NEWNET = 0x04000000, 0x20000000, 0x40000000


def newpid(flag: int) -> str:
    if flag and libc.unshare(flag) != 0:
        return f"errno {ctypes.get_errno()}"
    return in_child(lambda: os.getpid())


def newuts() -> str:
    if libc.unshare(CLONE_NEWUTS) != 0:
        return f"errno {ctypes.get_errno()}"
    name = b"mkdeck-probe"
    libc.sethostname(name, len(name))
    return socket.gethostname()


def interfaces(flag: int) -> str:
    if flag and libc.unshare(flag) != 0:
        return f"errno {ctypes.get_errno()}"
    with open("/proc/net/dev") as fh:
        return ",".join(sorted(line.split(":")[0].strip() for line in fh if ":" in line))


host = socket.gethostname()
inner = in_child(lambda: newpid(CLONE_NEWPID))
outer = in_child(lambda: newpid(0))
F.add("ns.newpid_first_is_pid1", inner == "1", outer not in ("1", "") and outer.isdigit(),
      child_pid_in_new_namespace=inner, control_child_pid=outer)
uts = in_child(newuts)
F.add("ns.newuts_hostname_private", uts == "mkdeck-probe" and socket.gethostname() == host,
      not uts.startswith("errno"), hostname_inside=uts, hostname_outside=socket.gethostname())
net_in = in_child(lambda: interfaces(CLONE_NEWNET))
net_out = interfaces(0)
F.add("ns.newnet_only_loopback", net_in == "lo", not net_in.startswith("errno") and net_out != "",
      interfaces_inside=net_in, control_interfaces_outside=net_out)
F.emit()
