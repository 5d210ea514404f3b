"""The isolating probe runner: a dedicated process that runs probe programs safely.

This file is executed as a script (``python -E -s runner.py``) in its own process, never
imported into the CLI or test process for running probes (it uses only the standard library,
so it starts fast). It reads ``{"jobs": [...], "parallel": n}`` as JSON on stdin and writes
one JSON line per finished job on stdout.

Isolation per probe (research: live-kernel-checks.md section 6):
- the runner is a child subreaper (``PR_SET_CHILD_SUBREAPER``), so descendants that escape a
  probe's process group are re-parented to it and can be swept;
- each probe runs in its own session and process group (``setsid``), stdin ``/dev/null``,
  stdout/stderr to temp files, every other fd closed;
- rlimits: CPU (timeout + 1 s), address space, core dumps off, RLIMIT_NPROC;
- as root, a pids cgroup (v1 controller at ``/sys/fs/cgroup/pids``) caps the number of tasks,
  because RLIMIT_NPROC does not bind root;
- waits use pidfds (``os.pidfd_open`` + poll), so timing is not quantized by polling sleeps;
- at the timeout the whole group is SIGKILLed; after every probe, escaped descendants are
  found by the probe's environment token, its cgroup and the runner's children, and killed.

The runner is watched from outside: the process the CLI starts is a *watcher*, which forks
the runner as its child and does nothing else until the runner exits. A probe can kill its
runner (``setsid -f sleep 400; kill -9 $PPID``); the watcher then kills every process left in
the runner's pids cgroups and removes them, kills every process carrying one of the runner's
tokens (their prefix is the watcher's pid) and, being a child subreaper too, every orphan
re-parented to it, before it exits, so nothing outlives mkdeck. Without root (no cgroup) the
token and subreaper sweeps still run. If the watcher is killed, the runner gets SIGTERM
(``PR_SET_PDEATHSIG``) and cleans up itself.
"""

from __future__ import annotations

import ctypes
import json
import os
import resource
import select
import signal
import sys
import tempfile
import time
import traceback
import uuid

PR_SET_CHILD_SUBREAPER = 36
PR_SET_PDEATHSIG = 1
CGROUP_PIDS_V1 = "/sys/fs/cgroup/pids"
TOKEN_VAR = "MKDECK_PROBE_TOKEN"
OUTPUT_LIMIT = 1 << 20


def _prctl(option: int, value: int) -> bool:
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(option, value, 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def set_subreaper() -> bool:
    """Make this process a child subreaper (prctl(2) PR_SET_CHILD_SUBREAPER)."""
    return _prctl(PR_SET_CHILD_SUBREAPER, 1)


class PidsCgroup:
    """A v1 pids cgroup per probe, under ``/sys/fs/cgroup/pids/mkdeck-<runner pid>``."""

    def __init__(self) -> None:
        self.root: str | None = None
        self.reason = ""
        if os.geteuid() != 0:
            self.reason = "not root"
            return
        if not os.path.isfile(os.path.join(CGROUP_PIDS_V1, "cgroup.procs")):
            self.reason = f"no v1 pids controller at {CGROUP_PIDS_V1}"
            return
        path = os.path.join(CGROUP_PIDS_V1, f"mkdeck-{os.getpid()}")
        try:
            os.mkdir(path)
        except OSError as exc:
            self.reason = f"cannot create {path}: {exc.strerror}"
            return
        self.root = path

    def make(self, name: str, max_pids: int) -> str | None:
        """Create the cgroup for one probe; ``None`` when cgroups are not usable."""
        if self.root is None:
            return None
        path = os.path.join(self.root, name)
        try:
            os.mkdir(path)
            with open(os.path.join(path, "pids.max"), "w") as fh:
                fh.write(str(max_pids))
        except OSError:
            return None
        return path

    @staticmethod
    def procs(path: str) -> list[int]:
        try:
            with open(os.path.join(path, "cgroup.procs")) as fh:
                return [int(x) for x in fh.read().split()]
        except OSError:
            return []

    def remove(self, path: str | None) -> None:
        if path:
            for _ in range(100):
                try:
                    os.rmdir(path)
                    return
                except OSError:
                    time.sleep(0.002)

    def close(self) -> None:
        if self.root:
            self.remove(self.root)


def _kill(pid: int) -> bool:
    try:
        os.kill(pid, signal.SIGKILL)
        return True
    except OSError:
        return False


def _procs_with_token(token: str) -> list[int]:
    needle = f"{TOKEN_VAR}={token}".encode()
    out = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/environ", "rb") as fh:
                if needle in fh.read():
                    out.append(int(entry))
        except OSError:
            continue
    return out


def _user_tasks(uid: int) -> int:
    """Tasks (processes and threads) of ``uid`` now: RLIMIT_NPROC counts them all."""
    n = 0
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                st = os.stat(f"/proc/{entry}")
                if st.st_uid == uid:
                    n += len(os.listdir(f"/proc/{entry}/task"))
            except OSError:
                continue
    return n


def _children(pid: int) -> list[int]:
    out = []
    try:
        for tid in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{tid}/children") as fh:
                out.extend(int(x) for x in fh.read().split())
    except OSError:
        pass
    return out


class Runner:
    """Runs jobs with isolation; one instance per runner process."""

    def __init__(self, parallel: int) -> None:
        self.parallel = max(1, parallel)
        self.subreaper = set_subreaper()
        self.cgroup = PidsCgroup()
        self.statuses: dict[int, int] = {}
        self.leaders: set[int] = set()
        self.active_tokens: set[str] = set()
        self.active: dict[int, dict] = {}
        # RLIMIT_NPROC counts every task of the user, so a non-root limit is "what the user
        # already runs + the probe's allowance" (for root it is not enforced at all)
        self.nproc_base = 0 if os.geteuid() == 0 else _user_tasks(os.geteuid())
        # every token starts with the watcher's pid, so the watcher finds the probes' processes
        self.token_prefix = token_prefix(os.getppid())

    def reap(self) -> None:
        """Collect every exited child; keep statuses of probe leaders."""
        while True:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            if pid in self.leaders:
                self.statuses[pid] = status

    def start(self, job: dict) -> dict:
        out = tempfile.TemporaryFile()
        err = tempfile.TemporaryFile()
        token = f"{self.token_prefix}{uuid.uuid4().hex}"
        cg = self.cgroup.make(f"{job['name']}-{token[-8:]}", int(job.get("max_pids", 64)))
        env = dict(job.get("env") or os.environ)
        env[TOKEN_VAR] = token
        timeout = float(job.get("timeout", 10))
        argv = [str(a) for a in job["argv"]]
        t0 = time.monotonic()
        pid = os.fork()
        if pid == 0:  # pragma: no cover - the child execs or exits
            try:
                os.setsid()
                _prctl(PR_SET_PDEATHSIG, signal.SIGKILL)  # the runner died: so does the probe
                if cg:
                    with open(os.path.join(cg, "cgroup.procs"), "w") as fh:
                        fh.write(str(os.getpid()))
                cpu = int(timeout) + 1
                resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
                mem = int(job.get("max_memory", 1 << 30))
                resource.setrlimit(resource.RLIMIT_AS, (mem, mem))
                resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
                nproc = self.nproc_base + int(job.get("max_pids", 64))
                soft, hard = resource.getrlimit(resource.RLIMIT_NPROC)
                if hard != resource.RLIM_INFINITY:
                    nproc = min(nproc, hard)
                resource.setrlimit(resource.RLIMIT_NPROC, (nproc, nproc))
                for sig in (signal.SIGPIPE, signal.SIGINT, signal.SIGTERM, signal.SIGCHLD):
                    signal.signal(sig, signal.SIG_DFL)
                null = os.open("/dev/null", os.O_RDONLY)
                os.dup2(null, 0)
                os.dup2(out.fileno(), 1)
                os.dup2(err.fileno(), 2)
                os.closerange(3, 65536)
                if job.get("cwd"):
                    os.chdir(job["cwd"])
                os.execve(argv[0], argv, env)
            except BaseException:
                try:
                    os.write(2, traceback.format_exc().encode())
                finally:
                    os._exit(126)
        self.leaders.add(pid)
        self.active_tokens.add(token)
        try:
            pidfd = os.pidfd_open(pid)
        except OSError:
            pidfd = None
        return {"job": job, "pid": pid, "pidfd": pidfd, "t0": t0, "deadline": t0 + timeout,
                "out": out, "err": err, "token": token, "cgroup": cg, "timed_out": False}

    def sweep(self, run: dict) -> int:
        """Kill the probe's group, its cgroup and every process carrying its token; returns
        how many processes outside the group were killed."""
        killed: set[int] = set()
        try:
            os.killpg(run["pid"], signal.SIGKILL)
        except OSError:
            pass
        for _ in range(50):
            found = set(_procs_with_token(run["token"]))
            if run["cgroup"]:
                found.update(self.cgroup.procs(run["cgroup"]))
            found.discard(run["pid"])
            found = {p for p in found if p not in self.leaders}
            if not found:
                break
            for p in found:
                if _kill(p):
                    killed.add(p)
            time.sleep(0.001)
            self.reap()
        self.reap()
        self.cgroup.remove(run["cgroup"])
        return len(killed)

    def finish(self, run: dict) -> dict:
        """Collect a finished (or timed-out) probe: status, sweep, outputs as a result dict."""
        pid = run["pid"]
        if pid not in self.statuses:
            try:
                got, status = os.waitpid(pid, 0)
                self.statuses[pid] = status
            except ChildProcessError:
                self.statuses.setdefault(pid, 0)
        status = self.statuses.pop(pid)
        ms = (time.monotonic() - run["t0"]) * 1000
        swept = self.sweep(run)
        self.leaders.discard(pid)
        self.active_tokens.discard(run["token"])
        if run["pidfd"] is not None:
            os.close(run["pidfd"])
        outputs = []
        for fh in (run["out"], run["err"]):
            fh.seek(0)
            outputs.append(fh.read(OUTPUT_LIMIT).decode("utf-8", "replace"))
            fh.close()
        rc = os.WEXITSTATUS(status) if os.WIFEXITED(status) else None
        sig = os.WTERMSIG(status) if os.WIFSIGNALED(status) else None
        return {"name": run["job"]["name"], "rc": rc, "signal": sig,
                "timed_out": run["timed_out"], "ms": round(ms, 2), "stdout": outputs[0],
                "stderr": outputs[1], "swept": swept, "cgroup": run["cgroup"] is not None}

    def run_all(self, jobs: list[dict]) -> None:
        """Run every job, at most ``parallel`` at once (an ``exclusive`` job alone), writing
        each result as a JSON line as soon as it is done."""
        queue = list(jobs)
        active = self.active
        while queue or active:
            while queue and len(active) < self.parallel:
                job = queue[0]
                exclusive = bool(job.get("exclusive"))
                busy_exclusive = any(r["job"].get("exclusive") for r in active.values())
                if active and (exclusive or busy_exclusive):
                    break
                queue.pop(0)
                run = self.start(job)
                active[run["pid"]] = run
            now = time.monotonic()
            wait_s = max(0.0, min(r["deadline"] for r in active.values()) - now)
            fds = [r["pidfd"] for r in active.values() if r["pidfd"] is not None]
            if fds:
                poller = select.poll()
                for fd in fds:
                    poller.register(fd, select.POLLIN)
                poller.poll(min(wait_s, 0.5) * 1000)
            else:
                time.sleep(min(wait_s, 0.005))
            self.reap()
            now = time.monotonic()
            for pid, run in list(active.items()):
                done = pid in self.statuses
                if not done and now >= run["deadline"]:
                    run["timed_out"] = True
                    try:
                        os.killpg(pid, signal.SIGKILL)
                    except OSError:
                        _kill(pid)
                    done = True
                if done:
                    del active[pid]
                    sys.stdout.write(json.dumps(self.finish(run)) + "\n")
                    sys.stdout.flush()

    def close(self) -> int:
        """Kill probes still running (the runner is being stopped) and whatever is still a
        child of the runner (escaped without a token)."""
        killed = 0
        for run in list(self.active.values()):
            try:
                os.killpg(run["pid"], signal.SIGKILL)
            except OSError:
                pass
            killed += self.sweep(run)
        self.active.clear()
        for _ in range(20):
            kids = _children(os.getpid())
            if not kids:
                break
            for p in kids:
                killed += _kill(p)
            time.sleep(0.002)
            self.reap()
        self.cgroup.close()
        return killed


def _stop(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)


def token_prefix(watcher_pid: int) -> str:
    """The start of every probe token of the runner watched by ``watcher_pid``."""
    return f"w{watcher_pid}-"


def cgroup_root(runner_pid: int) -> str:
    """The pids cgroup folder of the runner ``runner_pid`` (see :class:`PidsCgroup`)."""
    return os.path.join(CGROUP_PIDS_V1, f"mkdeck-{runner_pid}")


def clean_after(runner_pid: int, watcher_pid: int) -> int:
    """Kill what a dead runner left: every process in its pids cgroups (then remove them),
    every process carrying one of its tokens, and every child of this process (a subreaper
    gets the orphans). Returns how many processes were killed."""
    killed: set[int] = set()
    root = cgroup_root(runner_pid)
    needle = token_prefix(watcher_pid)
    for _ in range(200):
        found: set[int] = set(_procs_with_token(needle))
        subs: list[str] = []
        if os.path.isdir(root):
            try:
                subs = [os.path.join(root, d) for d in os.listdir(root)
                        if os.path.isdir(os.path.join(root, d))]
            except OSError:
                subs = []
            for path in (*subs, root):
                found.update(PidsCgroup.procs(path))
        found.update(_children(os.getpid()))
        found.discard(os.getpid())
        if not found:
            break
        for pid in found:
            if _kill(pid):
                killed.add(pid)
        time.sleep(0.002)
        _reap_all()
    _reap_all()
    if os.path.isdir(root):
        for d in os.listdir(root):
            path = os.path.join(root, d)
            if os.path.isdir(path):
                _rmdir(path)
        _rmdir(root)
    return len(killed)


def _rmdir(path: str) -> None:
    for _ in range(200):  # a cgroup can be removed once its last task is reaped
        try:
            os.rmdir(path)
            return
        except FileNotFoundError:
            return
        except OSError:
            time.sleep(0.005)


def _reap_all() -> None:
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


def watch() -> int:
    """The watcher (the process the CLI starts): fork the runner, wait for it, clean up after
    it. Returns the runner's exit status, or 1 when the runner was killed."""
    set_subreaper()
    me = os.getpid()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the runner; its status reaches the watcher
        code = 1
        try:
            _prctl(PR_SET_PDEATHSIG, signal.SIGTERM)  # the watcher died: clean up
            code = run()
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
        except BaseException:
            traceback.print_exc()
        finally:
            sys.stdout.flush()
            os._exit(code)
    status = 0
    try:
        while True:
            try:
                got, status = os.waitpid(pid, 0)
            except InterruptedError:
                continue
            if got == pid:
                break
    except BaseException:  # SIGTERM: the CLI is stopping; stop the runner the same way
        try:
            os.kill(pid, signal.SIGTERM)
            deadline = time.monotonic() + 2
            while time.monotonic() < deadline and os.waitpid(pid, os.WNOHANG)[0] == 0:
                time.sleep(0.01)
        except (OSError, ChildProcessError):
            pass
        _kill(pid)
        status = -1
    killed = clean_after(pid, me)
    if status == -1 or not os.WIFEXITED(status):
        how = (f"killed by signal {os.WTERMSIG(status)}" if status != -1
               and os.WIFSIGNALED(status) else "stopped")
        sys.stdout.write(json.dumps({"done": {"runner_died": how,
                                              "killed_after_runner": killed}}) + "\n")
        sys.stdout.flush()
        print(f"runner {how}; {killed} process(es) it left were killed", file=sys.stderr)
        return 1
    return os.WEXITSTATUS(status)


def main() -> int:
    """The script's entry: the watcher, which runs :func:`run` in a child (see the module
    docstring); 0 unless stopped by a signal or the runner died."""
    signal.signal(signal.SIGTERM, _stop)
    _prctl(PR_SET_PDEATHSIG, signal.SIGTERM)  # the CLI or test process died: clean up
    if os.getppid() == 1:
        return 1
    return watch()


def run() -> int:
    """Read the request on stdin, run it, report on stdout; 0 unless stopped by a signal."""
    signal.signal(signal.SIGTERM, _stop)
    if os.getppid() == 1:
        return 1
    request = json.loads(sys.stdin.read() or "{}")
    runner = Runner(int(request.get("parallel", 1)))
    sys.stdout.write(json.dumps({"runner": {
        "pid": os.getpid(), "subreaper": runner.subreaper,
        "pids_cgroup": runner.cgroup.root is not None, "pids_cgroup_reason": runner.cgroup.reason,
    }}) + "\n")
    sys.stdout.flush()
    try:
        runner.run_all(list(request.get("jobs", [])))
    finally:
        left = runner.close()
        sys.stdout.write(json.dumps({"done": {"killed_at_exit": left}}) + "\n")
        sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
