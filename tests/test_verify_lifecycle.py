"""The lifecycle checks (catalogue/lifecycle.yaml, probes/p_life_*.py): default signal
actions, signal numbers as the kernel sends them, pending and queued signals, kill/wait/setsid/
dup3/FIFO errnos, dup sharing, PIPE_BUF, empty-pipe reads, subreapers across fork and exec,
process groups and sessions, a shell's status for a signal, credentials across fork.

Every statement below is judged by the real probe on this kernel. The true ones are verified,
the false ones (one word changed: a number, signal, errno, role, negation, quantifier or
condition) refuted; a fact whose control needs something the host may lack (a pseudo-terminal,
a PID 1 owned by another user) may be inconclusive there, never the wrong way round."""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
from pathlib import Path

import pytest

from mkdeck.verify.probeset import PROBE_DIR
from tests.conftest import verify_json

TRUE = [
    "The default action of SIGTERM is to terminate the process.",
    "SIGPIPE kills the process by default.",
    "By default, SIGCHLD is ignored.",
    "The default action of SIGTSTP is to stop the process.",
    "The default action of SIGCONT is to continue a stopped process.",
    "The default action of SIGSEGV is to terminate the process.",
    "SIGKILL is signal number 9.",
    "The signal number of SIGCHLD is 17.",
    "SIGINT is signal number 2 and SIGHUP is signal number 1.",
    "A blocked signal remains pending until it is unblocked.",
    "Standard signals are not queued.",
    "Real-time signals are queued.",
    "kill() fails with ESRCH if the process does not exist.",
    "kill() fails with EINVAL when the signal is not valid.",
    "wait() fails with ECHILD if the calling process has no children.",
    "dup() returns a new descriptor that shares the file offset with the old one.",
    "O_NONBLOCK set through one descriptor is also seen through a dup() of it.",
    "dup() returns the lowest-numbered unused descriptor.",
    "dup2(fd, fd) with a valid fd does nothing and returns fd.",
    "dup3() fails with EINVAL if oldfd equals newfd.",
    "fcntl(F_DUPFD_CLOEXEC) sets the close-on-exec flag on the new descriptor.",
    "PIPE_BUF is 4096 bytes on Linux.",
    "A FIFO created with mkfifo() has a name in the file system, unlike a pipe from pipe().",
    "Opening a FIFO for reading blocks until another process opens it for writing.",
    "Opening a FIFO write-only with O_NONBLOCK fails with ENXIO when no process has it open "
    "for reading.",
    "A read from an empty pipe blocks until data is written.",
    "With O_NONBLOCK, a read from an empty pipe fails with EAGAIN.",
    "A reader sees end of file only after every copy of the write end has been closed.",
    "The child subreaper attribute is not inherited by a child created by fork().",
    "The child subreaper attribute is preserved across execve().",
    "A subreaper receives SIGCHLD when an adopted orphan terminates.",
    "A zombie cannot be killed with SIGKILL, because it is already dead.",
    "A zombie is shown with state Z.",
    "When a process terminates, the kernel closes all of its open file descriptors.",
    "WUNTRACED makes waitpid() also report children that have stopped.",
    "WCONTINUED makes waitpid() also report stopped children resumed by SIGCONT.",
    "A shell shows exit status 143 for a child killed by SIGTERM.",
    "sigaction() on SIGKILL fails with EINVAL.",
    "setsid() fails with EPERM when the caller is already a process group leader.",
    "A child created by fork() has the same user ID as its parent.",
    "A child created by fork() belongs to the same process group as its parent.",
    "execve() keeps the process group ID and the session ID.",
    "Each thread has its own signal mask.",
    "A slow system call interrupted by a handler installed without SA_RESTART fails with EINTR.",
    "The parent receives SIGCHLD when a child is stopped.",
    "WTERMSIG(status) gives the number of the signal that killed the child.",
    "WIFEXITED(status) is true when the child exited normally.",
    "Two separate open() calls on the same file give two independent file offsets.",
    "A file stays open while any descriptor still refers to its open file description, even "
    "after its name is unlinked.",
    "A signal handler stays installed after it runs.",
    "The signal mask is preserved across execve().",
    "wait() returns the PID of the child that terminated.",
    "A pipe is unidirectional.",
    "Data written to a pipe is read in the order it was written.",
    "pipe2() with O_CLOEXEC sets close-on-exec on both ends.",
    "dup2() closes newfd first if it is open.",
    "setpgid(0, 0) makes the caller the leader of a new process group.",
    "execve() keeps the real user ID of the process.",
    "After fork(), closing a descriptor in the child does not close it in the parent.",
    "After fork(), O_NONBLOCK set by the child is seen by the parent.",
    "lseek() on a pipe fails with ESPIPE.",
    "Close-on-exec descriptors stay open when execve() fails.",
    "A child created by fork() is not a process group leader.",
    "exit() calls the functions registered with atexit(); _exit() does not.",
]
FALSE = [
    "The default action of SIGTERM is to ignore the signal.",
    "SIGCHLD terminates the process by default.",
    "The default action of SIGINT is to stop the process.",
    "SIGTERM is signal number 9.",
    "SIGINT is signal number 3 and SIGHUP is signal number 1.",
    "A blocked signal is discarded.",
    "Standard signals are queued.",
    "Real-time signals are not queued.",
    "wait() fails with ESRCH if the calling process has no children.",
    "dup() returns a new descriptor with its own file offset.",
    "dup() returns the highest-numbered unused descriptor.",
    "dup3() fails with EBADF if oldfd equals newfd.",
    "PIPE_BUF is 512 bytes on Linux.",
    "With O_NONBLOCK, a read from an empty pipe blocks until data is written.",
    "With O_NONBLOCK, a read from an empty pipe fails with EINTR.",
    "The child subreaper attribute is inherited by a child created by fork().",
    "execve() clears the child subreaper attribute.",
    "Sending SIGKILL to a zombie removes it from the process table.",
    "A zombie is shown with state S.",
    "When a process terminates, its open file descriptors stay open until its parent reaps it.",
    "A shell shows exit status 15 for a child killed by SIGTERM.",
    "sigaction() on SIGKILL fails with EPERM.",
    "setsid() succeeds when the caller is already a process group leader.",
    "A child created by fork() is in a new process group.",
    "execve() changes the process group ID.",
    "The signal mask is shared by all threads of a process.",
    "A read from a pipe blocks until the full requested count is available.",
    "Unlinking a file's name closes every descriptor open on it.",
    "WEXITSTATUS(status) gives the number of the signal that killed the child.",
    "Two separate open() calls on the same file share one file offset.",
    "Pending signals are cleared by execve().",
    "wait() returns the PID of the parent.",
    "A pipe is bidirectional.",
    "pipe2() with O_CLOEXEC sets close-on-exec on the read end only.",
    "The descriptor made by dup2() keeps the close-on-exec flag of newfd.",
    "execve() changes the real user ID of the process.",
    "After fork(), closing a descriptor in the child also closes it in the parent.",
    "After fork(), O_NONBLOCK set by the child is not seen by the parent.",
    "lseek() on a pipe fails with EINVAL.",
    "A child created by fork() is a process group leader.",
    "_exit() runs the atexit handlers.",
]
HOST = [  # need a pseudo-terminal or a PID 1 of another user: inconclusive where there is none
    ("Pressing Ctrl-C in a terminal with default settings sends SIGINT to the foreground "
     "process group.", "verified"),
    ("Ctrl-Z sends SIGTSTP to the foreground process group.", "verified"),
    ("kill() fails with EPERM when the caller has no permission to signal the target.",
     "verified"),
    ("SIGHUP is signal number 2.", "refuted"),
    ("When the controlling terminal hangs up, SIGHUP is sent to the controlling process (the "
     "session leader).", "verified"),
    # root only (CI runs as root): a child sets distinct real, effective and saved uids
    ("getuid() returns the real user ID.", "verified"),
    ("getuid() returns the effective user ID.", "refuted"),
    ("An unprivileged process can change its effective user ID only to its real user ID or its "
     "saved set-user-ID.", "verified"),
    ("An unprivileged process can change its effective user ID to any user ID.", "refuted"),
    ("A process with CAP_SETUID that calls setuid() changes its real, effective and saved "
     "set-user-IDs.", "verified"),
]
NEVER_REFUTED = [  # true, with a negation just before the key (a condition's): unchecked at worst
    "Calling kill() on a PID that does not exist fails with ESRCH.",
    "Calling wait() with no children fails with ECHILD.",
    "Opening a FIFO with no reader fails with ENXIO.",
    "PIPE_BUF is 4096 bytes, so writes of up to 4096 bytes are atomic.",
    "The session ID is inherited by a child of fork().",
]
# negations, conditions and contrasts around the key words (written to attack the reader):
# a true one is never refuted, a false one never verified
NEVER_REFUTED += [
    "A process that has no handler for SIGTERM is terminated by it.",
    "SIGCHLD does not terminate the process by default.",
    "SIGKILL is never ignored by default.",
    "A blocked signal is not discarded; it stays pending.",
    "Standard signals are not queued, unlike real-time signals.",
    "If no child exists, wait() fails with ECHILD.",
    "When the PID does not exist, kill() fails with ESRCH.",
    "dup() does not give the copy its own file offset.",
    "dup() never returns a higher number than the lowest unused descriptor.",
    "A pipe is not bidirectional.",
    "With O_NONBLOCK set, a read from an empty pipe does not block.",
    "Without O_NONBLOCK, a read from an empty pipe blocks.",
    "The subreaper attribute is not inherited by the children of fork().",
    "execve() does not clear the subreaper attribute.",
    "A zombie does not die again when sent SIGKILL.",
    "SIGKILL does not remove a zombie.",
    "The kernel does not wait for the parent to reap a process before closing its descriptors.",
    "A shell does not report 9 for a child killed by SIGKILL; it reports 137.",
    "setsid() does not succeed when the caller is a process group leader.",
    "A child created by fork() is not in a new process group.",
    "execve() does not change the process group ID.",
    "The signal mask is not shared between threads.",
    "A FIFO opened for reading without O_NONBLOCK blocks until a writer opens it.",
    "dup2() does not leave newfd open.",
    "Pending signals are not cleared by execve().",
    "A handler is not reset after it runs.",
    "Data in a pipe is never reordered.",
    "wait() does not return the PID of the parent.",
    "lseek() on a pipe does not succeed; it fails with ESPIPE.",
    "getuid() does not return the effective user ID.",
]
NEVER_VERIFIED = [  # false, and read only in part: unchecked at worst
    "Ctrl-C sends SIGTERM to the foreground process group.",
    "WCONTINUED makes waitpid() also report children that have stopped.",
    "A pipe from pipe() has a name in the file system, unlike a FIFO created with mkfifo().",
    "dup3(fd, fd, 0) with a valid fd does nothing and returns fd.",
    "The default action of SIGCHLD is to terminate the process with a core dump.",
    "A process that has no handler for SIGCHLD is terminated by it.",
    "SIGTERM does not terminate the process by default.",
    "A blocked signal is not kept pending.",
    "Standard signals are queued, like real-time signals.",
    "If no child exists, wait() returns 0.",
    "When the PID does not exist, kill() succeeds.",
    "dup() gives the copy its own file offset.",
    "A pipe is not unidirectional.",
    "With O_NONBLOCK set, a read from an empty pipe blocks.",
    "Without O_NONBLOCK, a read from an empty pipe does not block.",
    "The subreaper attribute is inherited by the children of fork().",
    "execve() does not keep the subreaper attribute.",
    "SIGKILL removes a zombie from the process table.",
    "The kernel waits for the parent to reap a process before closing its descriptors.",
    "A shell reports 9 for a child killed by SIGKILL.",
    "setsid() succeeds when the caller is a process group leader.",
    "A child created by fork() is in a new process group.",
    "execve() changes the process group ID.",
    "The signal mask is shared between threads.",
    "A FIFO opened for reading with O_NONBLOCK blocks until a writer opens it.",
    "dup2() leaves newfd open.",
    "Pending signals are cleared by execve().",
    "A handler is reset after it runs.",
    "Data in a pipe may be reordered.",
    "wait() returns the PID of the parent.",
    "lseek() on a pipe succeeds.",
    "getuid() returns the effective user ID.",
    "SIGKILL is signal number 19.",
    "The default action of SIGCHLD is to stop the process.",
    "Ctrl-Z sends SIGINT to the foreground process group.",
    "dup3() fails with EBADF when oldfd equals newfd.",
    "PIPE_BUF is 1024 bytes.",
]


@pytest.fixture(scope="module")
def verdicts(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict]:
    root = tmp_path_factory.mktemp("lifecycle")
    texts = TRUE + FALSE + [t for t, _ in HOST] + NEVER_VERIFIED + NEVER_REFUTED
    lines = ["# Anki", "", "START", "Basic", "statements", "Back:"]
    lines += [f"- {t}" for t in texts] + ["END", ""]
    (root / "life.md").write_text("\n".join(lines), encoding="utf-8")
    data = verify_json(root)
    by_line = {c["line"]: c for c in data["claims"]}
    return {t: by_line[7 + i] for i, t in enumerate(texts)}


@pytest.mark.skipif(platform.system() != "Linux", reason="Linux probes")
def test_true_statements_are_verified(verdicts: dict[str, dict]) -> None:
    wrong = {t: (verdicts[t]["verdict"], verdicts[t]["reason"]) for t in TRUE
             if verdicts[t]["verdict"] != "verified"}
    assert wrong == {}


@pytest.mark.skipif(platform.system() != "Linux", reason="Linux probes")
def test_false_statements_are_refuted_with_the_measured_value(verdicts: dict[str, dict]) -> None:
    wrong = {t: (verdicts[t]["verdict"], verdicts[t]["reason"]) for t in FALSE
             if verdicts[t]["verdict"] != "refuted"}
    assert wrong == {}
    assert "true: 15" in verdicts["SIGTERM is signal number 9."]["reason"]
    assert "'EAGAIN'" in verdicts[
        "With O_NONBLOCK, a read from an empty pipe blocks until data is written."]["reason"]


@pytest.mark.skipif(platform.system() != "Linux", reason="Linux probes")
def test_host_facts_are_right_or_inconclusive_and_partial_readings_never_mislead(
        verdicts: dict[str, dict]) -> None:
    for text, expect in HOST:
        assert verdicts[text]["verdict"] in (expect, "inconclusive"), (text, verdicts[text])
    for text in NEVER_VERIFIED:
        assert verdicts[text]["verdict"] in ("unchecked", "refuted"), (text, verdicts[text])
    for text in NEVER_REFUTED:
        assert verdicts[text]["verdict"] in ("unchecked", "verified"), (text, verdicts[text])


@pytest.mark.skipif(platform.system() != "Linux", reason="Linux probes")
def test_the_probe_measures_with_its_controls() -> None:
    """The probe's own output: every fact that needs nothing from the host is valid and has
    the value Linux gives (signal(7), dup(2), fifo(7), pipe(7), prctl(2), setsid(2))."""
    facts: dict[str, dict] = {}
    for name in ("p_life_signals.py", "p_life_fds.py", "p_life_process.py"):
        out = subprocess.run([sys.executable, "-E", "-s", "-S", str(PROBE_DIR / name)],
                             capture_output=True, text=True, timeout=60, cwd=PROBE_DIR)
        facts.update(json.loads(out.stdout)["facts"])
    host = {"signal.kill_unprivileged_errno", "signal.tty_key.ctrl_c", "signal.tty_key.ctrl_z",
            "signal.tty_key.ctrl_backslash", "signal.number.SIGINT", "signal.number.SIGQUIT",
            "signal.number.SIGTSTP", "signal.number.SIGHUP", "signal.tty_hangup",
            "session.setsid_no_controlling_terminal", "pipe.fifo_rdwr_open_does_not_block",
            "credentials.getuid_real_geteuid_effective",  # root only
            "credentials.unprivileged_seteuid_only_real_or_saved",
            "credentials.root_setuid_sets_all_three",
            # timing: an interval timer against a helper's write, a FIFO open that must wait
            "signal.interrupted_call_errno", "signal.sa_restart_restarts",
            "pipe.fifo_read_open_blocks", "pipe.empty_read_blocks"}
    invalid = sorted(k for k, v in facts.items() if not v["valid"] and k not in host)
    assert invalid == []
    value = {k: v["value"] for k, v in facts.items()}
    assert value["signal.default_action.SIGCHLD"] == "ignore"
    assert value["signal.default_action.SIGSEGV"] == "terminate"  # in a non-dumpable child
    assert value["signal.default_action.SIGTTOU"] == "stop"
    assert value["signal.default_action.SIGCONT"] == "continue"
    if platform.machine() in ("x86_64", "aarch64", "i686"):
        assert value["signal.number.SIGCHLD"] == 17 and value["signal.number.SIGSTOP"] == 19
    assert (value["signal.kill_no_process_errno"], value["wait.no_children_errno"],
            value["fd.dup3_same_errno"], value["pipe.fifo_nonblock_write_open_errno"],
            value["session.setsid_group_leader_errno"]) == (
        "ESRCH", "ECHILD", "EINVAL", "ENXIO", "EPERM")
    assert value["pipe.pipe_buf_bytes"] == 4096
    assert value["fd.dup_shares_offset"] is True and value["fd.dup_shares_cloexec"] is False
    assert value["orphan.subreaper_inherited_by_fork_child"] is False
    assert value["orphan.subreaper_kept_across_exec"] is True
    assert value["exit.shell_status.SIGKILL"] == 137
    assert value["exit.exit_runs_atexit_handlers"] is True
    assert value["signal.mask_kept_across_exec"] is True  # read in /proc by the parent
    assert value["fd.dup2_closes_newfd"] is True and value["fd.dup2_copy_cloexec"] is False
    assert not any(name.startswith("core") for name in os.listdir(PROBE_DIR))  # no core dump
    assert Path(PROBE_DIR).is_dir()
