"""Process attributes across fork() and execve(), execve()'s errors, nice values, threads,
mappings and namespaces (catalogue/process.yaml, probes p_inherit.py ...): each probe measures
what the man pages say, with its control, and statements of our own wording (not the
labelled set's) get the verdict of the measured fact."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from mkdeck.verify.probeset import PROBE_DIR
from tests.conftest import verify_json


def run_probe(name: str) -> dict[str, dict]:
    """The facts a Python probe prints (``{key: {"value", "valid", "evidence"}}``)."""
    out = subprocess.run([sys.executable, "-E", "-s", "-S", str(PROBE_DIR / name)],
                         capture_output=True, text=True, timeout=60, check=True).stdout
    return json.loads(out)["facts"]


def test_the_inherit_probe_measures_what_fork_2_and_execve_2_say() -> None:
    facts = run_probe("p_inherit.py")
    # set-user-ID files of another owner need root; an affinity needs two CPUs to be told
    # from the default
    optional = {"inherit.exec.setuid_effective_only", "inherit.exec.no_new_privs_blocks_setuid",
                "inherit.fork.cpu_affinity", "inherit.exec.cpu_affinity"}
    assert {k for k, v in facts.items() if not v["valid"]} <= optional
    if os.geteuid() == 0:
        assert facts["inherit.exec.setuid_effective_only"]["valid"]
    assert {k: v["value"] for k, v in facts.items() if v["valid"]} == {k: v for k, v in {
        # fork(2): the child gets these from its parent ...
        "inherit.fork.cwd_umask": True, "inherit.fork.rlimits": True,
        "inherit.fork.ids": True, "inherit.fork.pgid_sid": True,
        "inherit.fork.handlers": True, "inherit.fork.mappings": True,
        # ... and not these
        "inherit.fork.alarm": False, "inherit.fork.mlock": False,
        "inherit.fork.cpu_times": False, "inherit.fork.dontfork_present": False,
        # execve(2): preserved ...
        "inherit.exec.nice": True, "inherit.exec.rlimits": True,
        "inherit.exec.pgid_sid": True, "inherit.exec.uids": True, "inherit.exec.cwd": True,
        "inherit.exec.exe_is_new_program": True,
        # ... and not
        "inherit.exec.mappings": False, "inherit.exec.other_threads": False,
        # execve(2) ERRORS
        "inherit.exec.errno_ENOENT": True, "inherit.exec.errno_EACCES": True,
        "inherit.exec.errno_ENOEXEC": True, "inherit.exec.errno_E2BIG": True,
        "inherit.exec.errno_ENOTDIR": True, "inherit.exec.errno_ETXTBSY": True,
        "inherit.exec.errno_EACCES_dir": True, "inherit.exec.errno_ELOOP": True,
        "inherit.exec.errno_ENAMETOOLONG": True, "inherit.fork.environment": True,
        # fork(2), more of its list
        "inherit.fork.pdeathsig": False, "inherit.fork.timerslack": True,
        "inherit.fork.cpu_affinity": True, "inherit.fork.wipeonfork_zeroed": True,
        # execve(2), more of its list
        "inherit.exec.signal_mask": True, "inherit.exec.signal_pending": True,
        "inherit.exec.umask": True, "inherit.exec.no_new_privs": True,
        "inherit.exec.mlock": False, "inherit.exec.cpu_affinity": True,
        "inherit.exec.sched_policy": True, "inherit.exec.comm_is_filename": True,
        "inherit.exec.itimer_kept": True, "inherit.exec.setuid_effective_only": True,
        "inherit.exec.no_new_privs_blocks_setuid": True,
        "inherit.exec.environment_is_envp": True, "inherit.exec.shebang_script_runs": True,
        "inherit.exec.errno_ENOENT_interpreter": True, "inherit.exec.execvp_searches_path": True,
    }.items() if facts[k]["valid"]}


def test_the_priority_probe_measures_what_setpriority_2_and_nice_2_say() -> None:
    """Facts that need a right this host may not give (CAP_SYS_NICE, CAP_SYS_RESOURCE for
    RLIMIT_NICE, /proc/PID/sched) may be not valid; a valid one has the man pages' value."""
    facts = run_probe("p_priority.py")
    expected = {
        "priority.setpriority_lower_errno_EACCES": True, "priority.nice_lower_errno_EPERM": True,
        "priority.per_thread": True, "priority.cap_sys_nice_can_lower": True,
        "priority.rlimit_nice_allows_lowering": True, "priority.rlimit_nice_lower_below": False,
        "priority.19_lowest_minus20_highest": True, "priority.step_weight_factor_1_25": True,
        "priority.nice_adds_and_returns_new_value": True,
        "priority.above_19_clamped_to_19": True, "priority.nice_no_effect_on_fifo": True,
        "priority.prio_pgrp_sets_group": True, "priority.getpriority_group_lowest": True,
        "priority.forty_levels": True, "priority.nice_command_adds_10": True,
    }
    assert set(facts) == set(expected)
    assert {k: v["value"] for k, v in facts.items() if v["valid"]} == {
        k: v for k, v in expected.items() if facts[k]["valid"]}
    # measurable as any user: an unprivileged child is made by dropping to uid 65534 as root
    for key in ("priority.setpriority_lower_errno_EACCES", "priority.nice_lower_errno_EPERM",
                "priority.per_thread", "priority.nice_adds_and_returns_new_value",
                "priority.above_19_clamped_to_19"):
        assert facts[key]["valid"], facts[key]


def test_the_tasks_probe_measures_threads_and_ids_as_the_man_pages_say() -> None:
    facts = run_probe("p_tasks.py")
    # glibc's setuid() needs root to be seen; an affinity needs two CPUs to be seen
    optional = {"tasks.glibc_setuid_all_threads", "tasks.threads_own_affinity"}
    assert {k for k, v in facts.items() if not v["valid"]} <= optional
    assert {k: v["value"] for k, v in facts.items() if v["valid"]} == {k: v for k, v in {
        "tasks.threads_share_fd_table": True, "tasks.threads_own_signal_mask": True,
        "tasks.threads_share_dispositions": True, "tasks.tid_system_unique": True,
        "tasks.getpid_is_callers_pid": True, "tasks.status_ppid_is_parent": True,
        "tasks.rlimit_nproc_counts_threads": True, "tasks.glibc_setuid_all_threads": True,
        "tasks.signal_to_unblocking_thread": True, "tasks.pthread_exit_ends_caller_only": True,
        "tasks.fork_rlimit_nproc_eagain": True,
        "tasks.threads_share_cwd_umask": True, "tasks.threads_share_rlimits": True,
        "tasks.threads_own_affinity": True, "tasks.main_thread_tid_is_pid": True,
        "tasks.thread_directed_signal_pending_for_that_thread_only": True,
        "tasks.threads_share_ppid": True,
    }.items() if facts[k]["valid"]}


def test_the_maps_probe_measures_mmap_and_copy_on_write_as_the_man_pages_say() -> None:
    facts = run_probe("p_maps.py")
    # the page size is judged on x86-64 only
    assert {k for k, v in facts.items() if not v["valid"]} <= {"maps.page_size_4096"}
    assert {k: v["value"] for k, v in facts.items() if v["valid"]} == {k: v for k, v in {
        "maps.map_fixed_replaces": True, "maps.map_fixed_noreplace_eexist": True,
        "maps.mmap_offset_einval": True, "maps.mmap_shared_write_readonly_eacces": True,
        "maps.close_fd_unmaps": False, "maps.page_size_4096": True,
        "maps.cow_read_copies": False, "maps.map_anonymous_zeroed": True,
        "maps.prot_none_sigsegv": True, "maps.munmap_then_access_sigsegv": True,
        "maps.beyond_eof_sigbus": True, "maps.mmap_length_zero_einval": True,
        "maps.mmap_shared_and_private_einval": True,
        "maps.mmap_failure_returns_map_failed": True,
        "maps.mmap_page_aligned_rounded_up": True, "maps.munmap_unmapped_range_ok": True,
        "maps.map_shared_anon_seen_across_fork": True, "maps.parent_write_seen_by_child": False,
        "maps.mprotect_read_only_write_sigsegv": True,
    }.items() if facts[k]["valid"]}


def test_the_nsx_probe_measures_namespaces_as_the_man_pages_say() -> None:
    """unshare(CLONE_NEWPID / CLONE_NEWNET) needs CAP_SYS_ADMIN: as root every fact is valid;
    as another user a fact may be not valid, never the other value."""
    facts = run_probe("p_nsx.py")
    assert facts["nsx.proc_ns_symlinks"]["valid"]
    if os.geteuid() == 0:
        assert {k for k, v in facts.items() if not v["valid"]} == set(), facts
    assert {k: v["value"] for k, v in facts.items() if v["valid"]} == {k: v for k, v in {
        "nsx.proc_ns_symlinks": True, "nsx.userns_overflow_uid": True,
        "nsx.newpid_caller_stays": True, "nsx.newpid_next_child_pid1": True,
        "nsx.pid1_exit_kills_others": True, "nsx.pid1_only_handled_signals": True,
        "nsx.child_ns_cannot_see_parent_ns": True, "nsx.newnet_lo_down": True,
        "nsx.userns_creator_full_caps": True, "nsx.newpid_needs_cap_sys_admin": True,
        "nsx.same_namespace_same_link": True, "nsx.pid_in_each_ancestor_namespace": True,
    }.items() if facts[k]["valid"]}


def test_the_vfork_clone_probe_measures_what_vfork_2_and_clone_2_say(tmp_path: Path) -> None:
    from mkdeck.verify.probeset import Environment, build_c, probe

    env = Environment.detect({**os.environ, "XDG_CACHE_HOME": str(tmp_path)})
    if env.cc is None:
        pytest.skip("no C compiler: the probe is skipped by mkdeck too")
    binary, error = build_c(probe("vfork-clone-c"), env)
    assert binary, error
    facts = json.loads(subprocess.run([binary], capture_output=True, text=True, timeout=60,
                                      check=True).stdout)["facts"]
    assert {k: v["value"] for k, v in facts.items() if v["valid"]} == {k: v for k, v in {
        "vforkc.returns_zero_in_child": True, "vforkc.returns_child_pid": True,
        "vforkc.child_own_pid": True, "vforkc.clone_vfork_suspends": True,
        "vforkc.clone_vm_alone_suspends": False, "vforkc.like_clone_vm_vfork_sigchld": True,
        "vforkc.clone_thread_own_tid": True, "vforkc.clone_thread_same_pid": True,
        "vforkc.clone_thread_same_ppid": True, "vforkc.clone_thread_sends_sigchld": False,
        "vforkc.clone_thread_waitable": False, "vforkc.clone_exit_signal_to_parent": True,
    }.items() if facts[k]["valid"]}
    # only the 50 ms control of the clone() children may be left open by a loaded host
    assert {k for k, v in facts.items() if not v["valid"]} <= {
        "vforkc.clone_vfork_suspends", "vforkc.clone_vm_alone_suspends",
        "vforkc.like_clone_vm_vfork_sigchld"}


# (statement of our own wording, the check that reads it, the verdict)
STATEMENTS = [
    ("The resource limits of the parent are inherited by the child of fork().",
     "fork.rlimits-inherited", "verified"),
    ("The child of fork() does not inherit the parent's resource limits.",
     "fork.rlimits-inherited", "refuted"),
    ("A pending alarm() of the parent is not inherited by the child of fork().",
     "fork.alarm-not-inherited", "verified"),
    ("A pending alarm() of the parent is inherited by the child of fork().",
     "fork.alarm-not-inherited", "refuted"),
    ("Memory locks set with mlock() are not inherited by the child of fork().",
     "fork.mlock-not-inherited", "verified"),
    ("The child of fork() inherits the memory locks of its parent.",
     "fork.mlock-not-inherited", "refuted"),
    ("Signal handlers installed by the parent are inherited by the child of fork().",
     "fork.handlers-inherited", "verified"),
    ("Signal handlers installed by the parent are not inherited by the child of fork().",
     "fork.handlers-inherited", "refuted"),
    ("After fork(), the CPU times of the child start at zero.",
     "fork.cpu-times-reset", "verified"),
    # recall2's lifecycle.yaml reads these too (same facts, measured by its own probes)
    ("The child of fork() is in the same session as its parent.",
     "session.pgid-sid-inherited", "verified"),
    ("The child of fork() is put in a new session.", "fork.pgid-sid-same", "refuted"),
    ("Memory mappings of the parent are not inherited by the child of fork().",
     "fork.mappings-inherited", "refuted"),
    ("execve() keeps the nice value.", "exec.nice-kept", "verified"),
    ("The nice value is reset by execve().", "exec.nice-kept", "refuted"),
    ("Resource limits survive execve().", "exec.rlimits-kept", "verified"),
    ("execve() keeps the current working directory.", "exec.cwd-kept", "verified"),
    ("execve() changes the current working directory.", "exec.cwd-kept", "refuted"),
    ("execve() preserves the memory mappings of the process.", "exec.mappings-replaced",
     "refuted"),
    ("All other threads are destroyed when a thread calls execve().",
     "exec.other-threads-destroyed", "verified"),
    ("Signals being caught are reset to their default action by execve().",
     "exec.caught-signals-reset", "verified"),
    ("execve() fails with ENOENT when the file does not exist.",
     "exec.fails-enoent-missing", "verified"),
    ("execve() fails with E2BIG when the argument list is too long.",
     "exec.fails-e2big-arguments", "verified"),
    ("execve() fails with ENOMEM when the argument list is too long.",
     "exec.fails-e2big-arguments", "refuted"),
    ("execve() fails with ENOEXEC when the executable format is not recognized.",
     "exec.fails-enoexec-format", "verified"),
    ("execve() fails with EACCES when the executable format is not recognized.",
     "exec.fails-enoexec-format", "refuted"),
    ("setpriority() fails with EPERM when an unprivileged process tries to lower its nice "
     "value.", "nice.setpriority-lower-eacces", "refuted"),
    ("The nice value is per thread on Linux: changing it for one thread does not affect the "
     "other threads.", "nice.per-thread", "verified"),
    ("Changing the nice value of one thread changes it for all threads of the process.",
     "nice.per-thread", "refuted"),
    # two ends of the scale: two segments, each read by its own check
    ("nice: -20 is most favourable, 19 least favourable.", "nice.19-lowest-priority",
     "verified"),
    ("nice: 19 is most favourable, -20 least favourable.", "nice.19-lowest-priority",
     "refuted"),
    ("Nice -20 gives the lowest priority.", "nice.19-lowest-priority", "unchecked"),
    ("Every thread of a process uses the same file descriptor table.",
     "threads.share-fd-table", "verified"),
    ("The signal mask is shared by all threads of a process.", "signal.mask-per-thread",
     "refuted"),
    ("Each thread keeps its own signal dispositions.", "threads.share-dispositions",
     "refuted"),
    ("RLIMIT_NPROC limits threads and processes alike, since it counts threads too.",
     "threads.rlimit-nproc-counts-threads", "verified"),
    ("getpid() returns the PID of the caller.", "process.getpid-callers-pid", "verified"),
    ("getpid() returns the PID of the parent.", "process.getpid-callers-pid", "refuted"),
    ("With MAP_FIXED, mmap() discards an existing mapping in that range.",
     "mmap.fixed-replaces", "verified"),
    ("An mmap() offset that is not a multiple of the page size fails with EFAULT.",
     "mmap.offset-page-multiple", "refuted"),
    ("Closing the descriptor unmaps a mapping made with mmap().",
     "mmap.close-fd-keeps-mapping", "refuted"),
    ("The parent death signal set with PR_SET_PDEATHSIG is reset to 0 in the child of fork().",
     "fork.pdeathsig-reset", "verified"),
    ("The child of fork() inherits the parent death signal set with PR_SET_PDEATHSIG.",
     "fork.pdeathsig-reset", "refuted"),
    ("After fork(), memory marked MADV_WIPEONFORK keeps its content in the child.",
     "fork.wipeonfork-zeroed", "refuted"),
    ("execve() clears the signal mask.", "signal.mask-pending-kept-across-exec", "refuted"),
    ("Pending signals are preserved across execve().", "signal.mask-pending-kept-across-exec",
     "verified"),
    ("Memory locks set with mlock() are preserved across execve().", "exec.mlock-not-kept",
     "refuted"),
    ("execve() cancels a pending alarm().", "exec.itimer-kept", "refuted"),
    ("execve() fails with ENOENT when a component of the path prefix is not a directory.",
     "exec.fails-enotdir", "refuted"),
    ("execve() fails with ETXTBSY when the executable is open for writing.",
     "exec.fails-etxtbsy", "verified"),
    ("execve() of a directory fails with EISDIR.", "exec.fails-eacces-directory", "refuted"),
    ("The child of vfork() gets a PID of its own.", "vfork.child-own-pid", "verified"),
    ("vfork() behaves like clone() with CLONE_VM, CLONE_VFORK and SIGCHLD.",
     "vfork.like-clone-vm-vfork", "verified"),
    ("vfork() behaves like clone() with CLONE_FILES, CLONE_VFORK and SIGCHLD.",
     "vfork.like-clone-vm-vfork", "refuted"),
    ("With CLONE_VFORK, the caller is suspended until the child calls execve() or _exit().",
     "clone.vfork-flag-suspends", "verified"),
    ("sethostname() in a new UTS namespace changes the hostname of the host too.",
     "ns.sethostname-stays-inside", "refuted"),
    ("A process's namespaces appear as symbolic links in /proc/PID/fd.", None, "unchecked"),
    ("Other processes inside a PID namespace can kill its PID 1 with SIGKILL.",
     "ns.pid-namespace-pid1", "unchecked"),
    # the copy is in another clause than the read: not read, never refuted
    ("After fork(), a page that is read but never written is not copied.",
     "fork.copy-on-write", "unchecked"),
    ("After fork(), reading a page does not copy it.", "cow.read-does-not-copy", "verified"),
    ("After fork(), the kernel copies a page as soon as the child reads it.",
     "cow.read-does-not-copy", "refuted"),
    ("After fork(), pages are not shared until the parent or the child writes to them.",
     "cow.shared-until-write", "refuted"),
    ("fork() fails with EAGAIN when the caller has reached its RLIMIT_NPROC limit.",
     "fork.fails-eagain-nproc", "verified"),
    ("fork() fails with ENOMEM when the caller has reached its RLIMIT_NPROC limit.",
     "fork.fails-eagain-nproc", "refuted"),
    ("pthread_exit() ends all threads of the process.", "threads.pthread-exit-caller-only",
     "refuted"),
    ("A signal sent to a process with kill() is delivered to a thread that does not block "
     "it, not always to the main thread.", "threads.signal-to-unblocking-thread", "unchecked"),
    ("With CLONE_FS, a chdir() in the parent changes the child's working directory too.",
     "clone.fs-chdir-seen", "verified"),
    ("Without CLONE_FILES, a descriptor the child opens is also valid in the parent.",
     "clone.files-fd-seen", "refuted"),
    ("With CLONE_VM, a write to memory by the child is not seen by the parent.",
     "clone.vm-write-seen", "refuted"),
    ("Each thread has its own current working directory.", "threads.share-cwd-umask",
     "refuted"),
    ("The TID of the main thread is equal to the PID of the process.",
     "threads.main-tid-is-pid", "verified"),
    ("Memory from MAP_ANONYMOUS contains garbage until written.", "mmap.anonymous-zeroed",
     "refuted"),
    ("Accessing a page mapped PROT_NONE raises SIGSEGV.", "mmap.prot-none-sigsegv",
     "verified"),
    ("mmap() with a length of 0 fails with ENOMEM.", "mmap.length-zero-einval", "refuted"),
    ("On error, mmap() returns NULL.", "mmap.failure-returns-map-failed", "refuted"),
    # a signal named by a bare kind cue is not read well enough to refute
    ("Accessing a page mapped PROT_NONE raises SIGBUS.", "mmap.prot-none-sigsegv",
     "unchecked"),
    ("nice() returns 0 on success.", "nice.nice-call-adds", "refuted"),
    ("setpriority() with a value above 19 silently sets 19.", "nice.clamped-to-range",
     "verified"),
    ("The nice value does not affect threads scheduled with SCHED_RR.",
     "nice.no-effect-on-fifo", "verified"),
    ("The nice value affects threads scheduled with SCHED_FIFO.", "nice.no-effect-on-fifo",
     "refuted"),
    # another policy named: not read (a SCHED_* name is no typed value to compare)
    ("The nice value has no effect on threads scheduled with SCHED_OTHER.", None,
     "unchecked"),
    ("A program started by execve() gets the envp array passed to it as its environment.",
     "exec.environment-envp", "verified"),
    ("The child starts at the beginning of main() after fork().",
     "fork.child-continues-after-fork", "refuted"),
    ("A signal sent with pthread_kill() is delivered to any thread of the process.",
     "threads.thread-directed-signal", "refuted"),
    ("Each thread has its own parent process ID.", "threads.share-ppid", "refuted"),
    ("munmap() of a range that holds no mapping is not an error.", "mmap.munmap-unmapped-ok",
     "verified"),
    ("A MAP_SHARED mapping made before fork() is shared with the child.",
     "mmap.shared-anon-across-fork", "verified"),
    ("execve() fails with ENOENT when the interpreter named by the script does not exist.",
     "exec.fails-enoent-interpreter", "verified"),
    # "PID 1" and "is 1" are both a bare number: no check reads a PID 1's PPID
    ("The PPID of PID 1 is 1.", None, "unchecked"),
    ("A task made with CLONE_THREAD gets a thread ID of its own.", "clone.thread-own-tid",
     "verified"),
    ("When a thread created with CLONE_THREAD exits, SIGCHLD is not sent to its creator.",
     "clone.thread-no-sigchld", "verified"),
    ("When a thread created with CLONE_THREAD ends, SIGCHLD is sent to its creator.",
     "clone.thread-no-sigchld", "refuted"),
    ("A thread created with CLONE_THREAD can be reaped with waitpid().",
     "clone.thread-not-waitable", "refuted"),
    ("After fork(), a write by the parent to a global variable also changes the child's "
     "copy.", "fork.duplicates-caller", "refuted"),
    ("The low byte of clone()'s flags is the signal sent to the child when the parent "
     "terminates.", "clone.exit-signal-low-byte", "refuted"),
    ("Unlike fork(), vfork() lets the child borrow the parent's address space.",
     "vfork.shares-memory", "verified"),
    ("execvp() searches the directories in PATH for the program; execv() does not.",
     "exec.execvp-searches-path", "verified"),
    ("execv() searches the directories in PATH for the program.",
     "exec.execvp-searches-path", "refuted"),
    ("execve() fails with ENOENT when too many symbolic links are met resolving the path.",
     "exec.fails-eloop", "refuted"),
    ("execve() fails with E2BIG when the path name is too long.", "exec.fails-enametoolong",
     "refuted"),
    ("The child of fork() starts with an empty environment.", "fork.environment-inherited",
     "refuted"),
    ("A write to a page made read-only with mprotect() raises SIGSEGV.",
     "mmap.mprotect-read-only-sigsegv", "verified"),
    ("There are 40 nice values.", "nice.forty-levels", "verified"),
    ("The nice command adds 5 to the nice value by default.", "nice.command-adds-10",
     "refuted"),
    ("A process in a new user namespace has no capabilities at all.",
     "ns.userns-creator-full-caps", "refuted"),
    ("An unprivileged caller of unshare(CLONE_NEWPID) gets EINVAL.",
     "ns.newpid-needs-cap-sys-admin", "refuted"),
    ("Creating a PID namespace needs no privilege.", "ns.newpid-needs-cap-sys-admin",
     "refuted"),
    ("A process in a nested PID namespace has a PID in each ancestor namespace.",
     "ns.pid-in-each-ancestor", "verified"),
    ("When PID 1 of a PID namespace exits, the other processes there keep running.",
     "ns.pid1-exit-kills-others", "refuted"),
    ("unshare(CLONE_NEWPID) puts the caller itself in the new PID namespace.",
     "ns.unshare-newpid-caller-stays", "refuted"),
    # readings.yaml: the words of core checks for these families
    ("execve() returns only on error, with -1 and errno set.", "exec.no-return", "verified"),
    ("execve() gives the caller a new PID.", "exec.keeps-pid", "refuted"),
    ("getppid() returns the process ID of the caller's own first child.", "fork.knows-ppid",
     "refuted"),
    # the roles swapped: neither the key nor its `also` reads it
    ("When execve() honours a set-user-ID bit, it changes the real user ID and leaves the "
     "effective user ID unchanged.", None, "unchecked"),
]


@pytest.fixture(scope="module")
def verdicts(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict]:
    root = tmp_path_factory.mktemp("process")
    lines = ["# Anki", "", "START", "Basic", "statements", "Back:"]
    lines += [f"- {text}" for text, _, _ in STATEMENTS] + ["END", ""]
    (root / "p.md").write_text("\n".join(lines), encoding="utf-8")
    data = verify_json(root)
    return {c["text"]: c for c in data["claims"]}


# facts that need CAP_SYS_NICE (nice -20): without it the verdict is inconclusive, never the
# other one
def _cap_sys_nice() -> bool:
    with open("/proc/self/status") as fh:
        caps = next(line for line in fh if line.startswith("CapEff:"))
    return bool(int(caps.split()[1], 16) >> 23 & 1)


def _host_lacks(fact: str) -> bool:
    """Whether this host may leave ``fact`` unmeasured (inconclusive or skipped, never the
    other value): what the probe needs and this host does not have."""
    from mkdeck.verify.probeset import Environment

    if fact in ("priority.19_lowest_minus20_highest", "priority.cap_sys_nice_can_lower",
                "priority.nice_no_effect_on_fifo", "priority.forty_levels"):
        return not _cap_sys_nice()
    if fact.startswith(("nsx.", "ns.", "inherit.exec.setuid", "inherit.exec.no_new_privs_bl",
                        "tasks.glibc_setuid")):
        return os.geteuid() != 0  # unshare(), set-user-ID files of another owner, setuid()
    if fact.startswith("vforkc."):
        return Environment.detect().cc is None
    return False


# a timing control (vfork-clone-c, 50 ms) may be left open on a loaded host: inconclusive
TIMING = {"vforkc.clone_vfork_suspends", "vforkc.like_clone_vm_vfork_sigchld"}


@pytest.mark.parametrize("text,check,verdict", STATEMENTS, ids=[s[0][:60] for s in STATEMENTS])
def test_statements_of_our_own_wording_get_the_measured_verdict(verdicts, text, check,
                                                                verdict) -> None:
    claim = verdicts[text]
    facts = claim["evidence"].get("facts", {})
    if claim["verdict"] in ("inconclusive", "skipped") and facts and all(
            _host_lacks(f) for f in facts):
        return  # only a host without the right, the compiler or the feature leaves it open
    if claim["verdict"] == "inconclusive" and set(facts) <= TIMING:
        return
    assert (claim["check"], claim["verdict"]) == (check, verdict), claim


def test_dropping_a_keys_own_negation_is_not_verified(verdicts) -> None:
    """The self-check drops the "not" of "does not exist": the copy is about an existing file,
    which no check reads, so it is never verified."""
    claim = verdicts["execve() fails with ENOENT when the file does not exist."]
    copies = {m["word"]: m["verdict"] for m in claim["evidence"]["self_check"]}
    assert copies.get("not") not in (None, "verified"), claim["evidence"]["self_check"]
