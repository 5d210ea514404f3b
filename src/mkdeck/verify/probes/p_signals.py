"""Probe: SIGKILL and SIGSTOP cannot be caught, ignored or blocked; the parent gets SIGCHLD
when a child exits; only 8 bits of the exit status arrive; a shell reports 128+N for a child
killed by signal N (signal(7), wait(2), sh(1)). Controls: SIGUSR1/SIGTERM can be caught and
blocked; a child ignoring SIGTERM survives it (pipe handshake) yet dies of SIGKILL; nothing is
pending before the child exits; _exit(7) gives 7; ``exit 3`` gives 3.
"""

from __future__ import annotations

import os
import signal
import subprocess

from _probelib import Facts, status_field

F = Facts("signals")


def can_handle(sig: int, action: object) -> bool:
    old = signal.getsignal(sig)
    try:
        signal.signal(sig, action)
    except (OSError, ValueError, RuntimeError):
        return False
    signal.signal(sig, old if old is not None else signal.SIG_DFL)
    return True


def can_block(sig: int) -> tuple[bool, bool]:
    """(sig blocked, SIGUSR1 control blocked) after blocking both."""
    signal.pthread_sigmask(signal.SIG_BLOCK, {sig, signal.SIGUSR1})
    mask = int(status_field("self", "SigBlk") or "0", 16)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {sig, signal.SIGUSR1})
    return bool(mask & (1 << (sig - 1))), bool(mask & (1 << (signal.SIGUSR1 - 1)))


def handler(signum: int, frame: object) -> None:
    pass


results = {}
for name in ("SIGKILL", "SIGSTOP"):
    sig = getattr(signal, name)
    blocked, ctl_blocked = can_block(sig)
    results[name] = {"catch": can_handle(sig, handler), "ignore": can_handle(sig, signal.SIG_IGN),
                     "block": blocked, "control_usr1_blocked": ctl_blocked}
control = can_handle(signal.SIGUSR1, handler) and can_handle(signal.SIGTERM, signal.SIG_IGN) \
    and all(r["control_usr1_blocked"] for r in results.values())
# a child that ignores SIGTERM survives it but dies of SIGKILL
r1, w1 = os.pipe()
r2, w2 = os.pipe()
pid = os.fork()
if pid == 0:
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    os.write(w2, b"r")
    while True:
        if os.read(r1, 1) == b"p":
            os.write(w2, b"o")
os.read(r2, 1)
os.kill(pid, signal.SIGTERM)
os.write(w1, b"p")
alive = os.read(r2, 1) == b"o"
os.kill(pid, signal.SIGKILL)
_, st = os.waitpid(pid, 0)
died9 = os.WIFSIGNALED(st) and os.WTERMSIG(st) == signal.SIGKILL
any_kill = any(results["SIGKILL"][k] for k in ("catch", "ignore", "block"))
any_stop = any(results["SIGSTOP"][k] for k in ("catch", "ignore", "block"))
F.add("signal.sigkill_catchable", any_kill or not died9, control and alive,
      **{f"sigkill_{k}": v for k, v in results["SIGKILL"].items()},
      control_sigterm_ignored_child_survived=alive, child_died_of_sigkill=died9)
F.add("signal.sigstop_catchable", any_stop, control,
      **{f"sigstop_{k}": v for k, v in results["SIGSTOP"].items()})
F.add("signal.sigkill_sigstop_catchable", any_kill or any_stop or not died9, control and alive,
      sigkill=results["SIGKILL"], sigstop=results["SIGSTOP"])
F.add("signal.sigterm_catchable", can_handle(signal.SIGTERM, handler),
      not any(results["SIGKILL"][k] for k in ("catch", "ignore")),
      control_sigkill_catchable=results["SIGKILL"]["catch"])
# SIGCHLD on child exit
signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGCHLD})
pending_before = signal.SIGCHLD in signal.sigpending()
pid = os.fork()
if pid == 0:
    os._exit(5)
info = signal.sigtimedwait({signal.SIGCHLD}, 5)
os.waitpid(pid, 0)
signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGCHLD})
got = info is not None and info.si_pid == pid and info.si_status == 5
F.add("signal.sigchld_on_child_exit", got, not pending_before, si_pid=getattr(info, "si_pid", None),
      child_pid=pid, si_status=getattr(info, "si_status", None),
      control_pending_before=pending_before)


def exit_code(n: int) -> int:
    pid = os.fork()
    if pid == 0:
        os._exit(n & 0xFFFFFFFF if n < 0 else n)
    return os.WEXITSTATUS(os.waitpid(pid, 0)[1])


e256, e300, e7 = exit_code(256), exit_code(300), exit_code(7)
F.add("exit.status_low_8_bits", e256 == 0 and e300 == 44, e7 == 7,
      exit_256_gave=e256, exit_300_gave=e300, control_exit_7_gave=e7)
sh = "/bin/sh"
killed = subprocess.run([sh, "-c", f"{sh} -c 'kill -9 $$'; echo $?"], capture_output=True,
                        text=True, timeout=10).stdout.strip()
ctl = subprocess.run([sh, "-c", f"{sh} -c 'exit 3'; echo $?"], capture_output=True, text=True,
                     timeout=10).stdout.strip()
F.add("exit.shell_128_plus_signal", killed == "137", ctl == "3", shell_status_after_kill_9=killed,
      control_exit_3=ctl)
F.emit()
