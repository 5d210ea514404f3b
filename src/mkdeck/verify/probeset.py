"""The built-in probes, the host environment they need, and the C probe build cache.

Every fact key (``"clone.shares.CLONE_VM.memory"``) is provided by one or more probes, in order
of preference: a C probe first where C is more faithful, then a pure-Python fallback. A probe
whose needs the host does not meet (no C compiler, no strace, not Linux, not root) is passed
over for the next one; when none is left the fact is skipped with the reasons.
"""

from __future__ import annotations

import hashlib
import logging
import os
import platform
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Mapping, Sequence

LOG = logging.getLogger(__name__)

PROBE_DIR = Path(__file__).parent / "probes"
C_FLAGS = ("-O1", "-w")


@dataclass(frozen=True)
class ProbeSpec:
    """A built-in probe program.

    Attributes:
        name: unique name (``"clone-c"``).
        family: self-test family in the catalogue (``"clone"``).
        kind: ``"python"`` (a script in ``probes/``) or ``"c"`` (a source in ``probes/``,
            compiled at run time and cached).
        file: the script or source file name (an absolute path is used as is).
        facts: fact key prefixes the probe provides.
        args: arguments after the program.
        needs: host requirements: ``"linux"``, ``"cc"``, ``"strace"``, ``"root"``.
        timeout: seconds before the probe is killed (and its verdicts inconclusive).
        exclusive: timing-sensitive; runs alone, never beside another probe.
        timing: the measurement involves time (CPU shares, how long a call takes), so load
            can leave it undecided: the probe then reports its fact as not valid
            (inconclusive), never as the opposite; tests retry such verdicts.
        cross_check: the name of an independent implementation of the same facts; when the
            host can run it too, it runs beside this probe and every fact both report must
            agree, else the fact is inconclusive (research 7.1a: two bugs once made a single
            implementation refute true claims).
    """

    name: str
    family: str
    kind: str
    file: str
    facts: tuple[str, ...]
    args: tuple[str, ...] = ()
    needs: tuple[str, ...] = ("linux",)
    timeout: float = 10.0
    exclusive: bool = False
    timing: bool = False
    cross_check: str | None = None

    def provides(self, fact: str) -> bool:
        """Whether this probe measures ``fact``."""
        return any(fact == p or fact.startswith(p) for p in self.facts)


PROBES: tuple[ProbeSpec, ...] = (
    # listed first: their facts are more specific than the "signal.", "fd.", "pipe.", "wait."
    # and "orphan." prefixes of the probes below. timing: an interval timer must fire while a
    # read() waits (SA_RESTART, EINTR) and a FIFO open or an empty-pipe read must still wait
    # after 20 ms; under load such a fact is reported not valid, never the other way round
    ProbeSpec("lifecycle-signals", "lifecycle", "python", "p_life_signals.py", (
        "signal.default_action.", "signal.number.", "signal.tty_", "signal.blocked_stays_pending",
        "signal.standard_not_queued", "signal.realtime_queued", "signal.kill_no_process_errno",
        "signal.kill_invalid_signal_errno", "signal.kill_unprivileged_errno",
        "signal.sigaction_sigkill_errno", "signal.block_sigkill_silently_ignored",
        "signal.handler_stays_installed", "signal.interrupted_call_errno",
        "signal.sa_restart_restarts", "signal.mask_per_thread", "signal.mask_kept_across_exec",
        "signal.pending_kept_across_exec", "signal.sigchld_on_child_stop", "exit.shell_status.",
        "wait.no_children_errno"), timing=True),
    ProbeSpec("lifecycle-fds", "lifecycle", "python", "p_life_fds.py", (
        "fd.dup", "fd.lowest_free_number", "fd.child_close_keeps_parent_open",
        "fd.status_flags_shared_after_fork", "fd.fd_flags_shared_after_fork",
        "fd.cloexec_kept_when_exec_fails", "pipe.pipe_buf_bytes", "pipe.fifo_",
        "pipe.read_returns_available", "pipe.eof_only_when_all_writers_closed", "pipe.empty_",
        "pipe.one_way", "pipe.keeps_order", "pipe.pipe2_", "pipe.lseek_errno"), timing=True),
    ProbeSpec("lifecycle-process", "lifecycle", "python", "p_life_process.py", (
        "orphan.subreaper_", "wait.zombie_survives_sigkill", "wait.zombie_state_letter",
        "wait.wuntraced_", "wait.wcontinued_", "wait.returns_child_pid", "wait.status_macros_",
        "exit.fds_closed_before_reap", "fd.open_survives_unlink",
        "session.setsid_group_leader_errno",
        "session.pgid_", "session.sid_", "session.setpgid_makes_leader",
        "session.fork_child_not_group_leader", "session.setsid_no_controlling_terminal",
        "credentials.", "exit.exit_runs_atexit_handlers")),
    ProbeSpec("clone-c", "clone", "c", "clone_probe.c", ("clone.",), ("clone",),
              ("linux", "cc"), cross_check="clone-py"),
    ProbeSpec("clone-py", "clone", "python", "p_clone_libc.py", ("clone.",)),
    ProbeSpec("vfork-c", "vfork", "c", "clone_probe.c", ("vfork.", "fork.suspends_parent"),
              ("vfork",), ("linux", "cc"), exclusive=True, timing=True),
    ProbeSpec("vfork-py", "vfork", "python", "p_vfork_libc.py",
              ("vfork.", "fork.suspends_parent"), exclusive=True, timing=True),
    ProbeSpec("process", "process", "python", "p_process.py", (
        "signal.mask_inherited_over_fork", "signal.pending_cleared_in_child",
        "exec.caught_handlers_reset", "exec.ignored_signals_kept", "session.",
        "signal.sigstop_stops_sigcont_resumes", "exit.exit_flushes_stdio",
        "signal.kill0_tests_existence", "fd.rlimit_nofile_emfile", "fd.fcntl_lock_inherited",
        "fd.flock_shared_across_fork")),
    ProbeSpec("fork", "fork", "python", "p_fork.py", ("fork.",)),
    ProbeSpec("exec", "exec", "python", "p_exec.py", ("exec.",)),
    ProbeSpec("cow", "cow", "python", "p_cow.py", ("cow.",)),
    ProbeSpec("strace-threads", "strace", "python", "p_strace.py",
              ("threads.created_by_clone",), needs=("linux", "strace")),
    ProbeSpec("threads", "threads", "python", "p_threads.py", ("threads.",)),
    ProbeSpec("zombie", "zombie", "python", "p_zombie.py", ("wait.",)),
    ProbeSpec("orphan", "orphan", "python", "p_orphan.py", ("orphan.",)),
    ProbeSpec("pipe", "pipe", "python", "p_pipe.py", ("pipe.",)),
    ProbeSpec("mmap", "mmap", "python", "p_mmap.py", ("mmap.",)),
    ProbeSpec("signals", "signals", "python", "p_signals.py", ("signal.", "exit.")),
    # compares CPU shares over a budget of CPU time (not of wall time), so it may run beside
    # other probes: load makes it slower, not different
    ProbeSpec("sched", "sched", "python", "p_sched.py", ("nice.higher_means_less_cpu",),
              timing=True),
    ProbeSpec("nice", "nice", "python", "p_nice.py", ("nice.",)),
    ProbeSpec("fd", "fd", "python", "p_fd.py", ("fd.",)),
    ProbeSpec("ns", "ns", "python", "p_ns.py", ("ns.",), needs=("linux", "root")),
    ProbeSpec("inherit", "inherit", "python", "p_inherit.py", ("inherit.",)),
    ProbeSpec("priority", "priority", "python", "p_priority.py", ("priority.",)),
    ProbeSpec("tasks", "tasks", "python", "p_tasks.py", ("tasks.",)),
    ProbeSpec("maps", "maps", "python", "p_maps.py", ("maps.",)),
    # the clone() child sets its flag after 50 ms: a loaded host can leave the control open
    ProbeSpec("vfork-clone-c", "vforkc", "c", "vfork_clone.c", ("vforkc.",), needs=("linux", "cc"),
              timing=True),
    ProbeSpec("nsx", "nsx", "python", "p_nsx.py", ("nsx.",)),
)


def probe(name: str) -> ProbeSpec:
    """The built-in probe called ``name``. Raises ``KeyError`` when there is none."""
    for spec in PROBES:
        if spec.name == name:
            return spec
    raise KeyError(name)


def _which(name: str, env: Mapping[str, str]) -> str | None:
    if "/" in name:
        return name if os.access(name, os.X_OK) and os.path.isfile(name) else None
    return shutil.which(name, path=env.get("PATH", os.defpath))


@dataclass
class Environment:
    """What the host offers the probes (read from the real system and ``env``).

    Attributes:
        linux: running on Linux.
        uid: effective uid.
        kernel, arch: ``uname -r`` and ``uname -m``.
        cc: the C compiler's path (``$CC`` or ``cc``/``gcc`` on ``$PATH``), or ``None``.
        strace: strace's path on ``$PATH``, or ``None``.
        python: the interpreter that runs Python probes (``sys.executable``).
        env: the environment probes run with.
        cache_dir: where compiled C probes are cached
            (``$XDG_CACHE_HOME/mkdeck/probes``, default ``~/.cache/mkdeck/probes``).
        broken: probe name -> reason, for probes found unusable at run time (a failed build).
    """

    linux: bool
    uid: int
    kernel: str
    arch: str
    cc: str | None
    strace: str | None
    python: str
    env: dict[str, str]
    cache_dir: Path
    broken: dict[str, str] = field(default_factory=dict)

    @classmethod
    def detect(cls, env: Mapping[str, str] | None = None) -> "Environment":
        """Read the host. ``env`` defaults to ``os.environ`` (tests pass a changed PATH or
        ``CC`` to simulate a host without a compiler or strace)."""
        env = dict(os.environ if env is None else env)
        cc_name = env.get("CC")
        if cc_name:
            cc = _which(cc_name.split()[0], env)
        else:
            cc = _which("cc", env) or _which("gcc", env)
        cache_root = env.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
        return cls(
            linux=sys.platform.startswith("linux"),
            uid=os.geteuid(),
            kernel=platform.release(),
            arch=platform.machine(),
            cc=cc,
            strace=_which("strace", env),
            python=sys.executable,
            env=env,
            cache_dir=Path(cache_root) / "mkdeck" / "probes",
        )

    def missing(self, spec: ProbeSpec) -> str | None:
        """Why ``spec`` cannot run here, or ``None`` when it can."""
        if spec.name in self.broken:
            return self.broken[spec.name]
        for need in spec.needs:
            if need == "linux" and not self.linux:
                return f"{spec.name}: needs Linux (this is {sys.platform})"
            if need == "cc" and not self.cc:
                return f"{spec.name}: no C compiler ($CC or cc not found on PATH)"
            if need == "strace" and not self.strace:
                return f"{spec.name}: strace not found on PATH"
            if need == "root" and self.uid != 0:
                return f"{spec.name}: needs root (running as uid {self.uid})"
        return None

    def host(self) -> dict[str, object]:
        """The ``host`` object of the JSON report."""
        return {"kernel": self.kernel, "arch": self.arch, "uid": self.uid,
                "cc": self.cc, "strace": self.strace}


def choose(facts: Iterable[str], env: Environment, probes: Sequence[ProbeSpec] = PROBES
           ) -> tuple[dict[str, ProbeSpec], dict[str, str]]:
    """Pick a probe for every fact (from ``probes``, default the built-in ones).

    Returns:
        ``(fact -> probe, fact -> skip reason)``: the first probe providing the fact whose
        needs are met; facts no probe can measure here get the reasons of every candidate
        (or "no probe measures it").
    """
    chosen: dict[str, ProbeSpec] = {}
    skipped: dict[str, str] = {}
    for fact in sorted(set(facts)):
        reasons = []
        for spec in probes:
            if not spec.provides(fact):
                continue
            why = env.missing(spec)
            if why is None:
                chosen[fact] = spec
                break
            reasons.append(why)
        else:
            skipped[fact] = "; ".join(reasons) or f"no built-in probe measures {fact}"
    return chosen, skipped


def build_c(spec: ProbeSpec, env: Environment) -> tuple[str | None, str]:
    """Compile a C probe with the host compiler, cached by hash of source, compiler and flags.

    Returns:
        ``(binary path, "")`` or ``(None, error)``. The binary is built in a temp file in the
        cache folder and renamed into place, so a concurrent run never sees half a file.
    """
    assert env.cc is not None
    source = (PROBE_DIR / spec.file).read_bytes()  # an absolute spec.file wins
    st = os.stat(env.cc)
    key = hashlib.sha256(
        source + b"\0" + os.path.realpath(env.cc).encode() + f"\0{st.st_size}\0{st.st_mtime_ns}"
        .encode() + "\0".join(C_FLAGS).encode()
    ).hexdigest()[:20]
    out = env.cache_dir / f"{Path(spec.file).stem}-{key}"
    if out.is_file() and os.access(out, os.X_OK):
        return str(out), ""
    try:
        env.cache_dir.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".build-", dir=env.cache_dir)
        os.close(fd)
        with tempfile.TemporaryDirectory() as src_dir:
            src = Path(src_dir) / spec.file
            src.write_bytes(source)
            proc = subprocess.run([env.cc, *C_FLAGS, "-o", tmp, str(src)], capture_output=True,
                                  text=True, timeout=60, env=env.env)
        if proc.returncode != 0:
            os.unlink(tmp)
            return None, f"{spec.name}: {env.cc} failed: {proc.stderr.strip()[:300]}"
        os.chmod(tmp, 0o755)
        os.replace(tmp, out)
    except (OSError, subprocess.SubprocessError) as exc:
        return None, f"{spec.name}: cannot build with {env.cc}: {exc}"
    return str(out), ""


def argv_for(spec: ProbeSpec, env: Environment, binary: str | None = None) -> list[str]:
    """The command line that runs ``spec`` (``binary``: the built C program)."""
    if spec.kind == "c":
        assert binary is not None
        return [binary, *spec.args]
    return [env.python, "-E", "-s", "-S", str(PROBE_DIR / spec.file), *spec.args]  # abs wins
