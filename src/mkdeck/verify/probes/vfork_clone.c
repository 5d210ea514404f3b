/* Probe (C): what vfork() returns and to whom, the vfork child's own PID, and what
 * CLONE_VFORK and CLONE_VM each do (vfork(2), clone(2): "vfork() is equivalent to
 * clone(CLONE_VM | CLONE_VFORK | SIGCHLD)"; CLONE_VFORK suspends the caller until the child
 * releases its memory by execve() or _exit(); CLONE_VM alone does not suspend it).
 *
 * Method: the vfork child stores what vfork() returned and its getpid() in memory it shares
 * with the parent, then _exit()s. A child of clone() sleeps 50 ms and then sets a flag in a
 * MAP_SHARED page: the flag is already set when clone() returns only if the caller was
 * suspended until the child exited. Controls: a plain fork() child's write is not seen (so a
 * seen write is the shared memory); clone() without CLONE_VFORK returns before the flag is set
 * (so a set flag is the suspension, not a slow parent).
 * Prints one JSON line: {"probe", "facts": {key: {"value", "valid", "evidence"}}}.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <sys/syscall.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static volatile pid_t child_ret = -99, child_pid = -99;
static volatile int *flag;
static int plain_var;

static volatile pid_t thr_tid = -1, thr_pid = -1, thr_ppid = -1;
static volatile int sigchld_count;

static void on_chld(int sig) { (void)sig; sigchld_count++; }
static volatile int sigusr1_count;
static void on_usr1(int sig) { (void)sig; sigusr1_count++; }
static int quick_exit_fn(void *arg) { (void)arg; _exit(0); }

static int thread_fn(void *arg) {
    (void)arg;
    thr_tid = (pid_t)syscall(SYS_gettid);
    thr_pid = getpid();
    thr_ppid = getppid();
    syscall(SYS_exit, 0);  /* ends this thread only */
    return 0;
}

static void nap(long ms) {
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static int late_flag(void *arg) {
    (void)arg;
    nap(50);
    *flag = 1;
    plain_var = 1;
    _exit(0);
}

/* clone() with `flags`; returns 1 when the flag was set when clone() returned, 0 when not,
 * -1 on error; *shared_mem: whether the child's write to an ordinary variable was seen. */
static int suspended(int flags, int *shared_mem, int *reaped) {
    size_t size = 256 * 1024;
    char *stack = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (stack == MAP_FAILED) return -1;
    *flag = 0;
    plain_var = 0;
    pid_t pid = clone(late_flag, stack + size, flags, NULL);
    if (pid < 0) { munmap(stack, size); return -1; }
    int at_return = *flag;
    int status = 0;
    *reaped = waitpid(pid, &status, 0) == pid;  /* no __WALL: an exit signal of SIGCHLD */
    *shared_mem = plain_var == 1;
    munmap(stack, size);
    return at_return;
}

int main(void) {
    flag = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (flag == MAP_FAILED) return 1;
    pid_t parent = getpid();
    pid_t ret = vfork();
    if (ret == 0) {
        child_ret = 0;
        child_pid = getpid();
        _exit(0);
    }
    int st = 0;
    if (ret > 0) waitpid(ret, &st, 0);
    int ran = ret > 0 && child_pid > 0;
    /* control: a fork() child's write to an ordinary variable is not seen */
    plain_var = 0;
    pid_t f = fork();
    if (f == 0) { plain_var = 1; _exit(0); }
    if (f > 0) waitpid(f, &st, 0);
    int fork_write_seen = plain_var == 1;

    int sm1 = 0, sm2 = 0, sm3 = 0, r1 = 0, r2 = 0, r3 = 0;
    int vfork_only = suspended(CLONE_VFORK | SIGCHLD, &sm1, &r1);
    int vm_only = suspended(CLONE_VM | SIGCHLD, &sm2, &r2);
    int both = suspended(CLONE_VM | CLONE_VFORK | SIGCHLD, &sm3, &r3);
    int control_ok = vm_only == 0;  /* without CLONE_VFORK clone() returned first */

    /* CLONE_THREAD (clone(2)): its TID, PID, PPID; SIGCHLD and wait when it ends.
     * Controls: a fork() child's exit does raise SIGCHLD and is waitable. */
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_chld;
    sigaction(SIGCHLD, &sa, NULL);
    size_t tsize = 256 * 1024;
    char *tstack = mmap(NULL, tsize, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    volatile pid_t ctid = 0;
    sigchld_count = 0;
    pid_t t = -1;
    int thr_ended = 0, thr_wait = 0, thr_wait_errno = 0;
    if (tstack != MAP_FAILED) {
        t = clone(thread_fn, tstack + tsize, CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND |
                  CLONE_THREAD | CLONE_SYSVSEM | CLONE_PARENT_SETTID | CLONE_CHILD_CLEARTID,
                  NULL, (pid_t *)&ctid, NULL, (pid_t *)&ctid);
        for (int i = 0; t > 0 && i < 2000 && (ctid != 0 || thr_tid == -1); i++) nap(1);
        thr_ended = t > 0 && ctid == 0 && thr_tid != -1;
        nap(20);
        int st2 = 0;
        errno = 0;
        thr_wait = t > 0 ? waitpid(t, &st2, WNOHANG) : -2;
        thr_wait_errno = errno;
    }
    int chld_after_thread = sigchld_count;
    pid_t f2 = fork();
    if (f2 == 0) _exit(0);
    int f2_reaped = 0;
    for (int i = 0; f2 > 0 && i < 2000 && !f2_reaped; i++) {
        int st3 = 0;
        f2_reaped = waitpid(f2, &st3, WNOHANG) == f2;
        if (!f2_reaped) nap(1);
    }
    for (int i = 0; i < 200 && sigchld_count == chld_after_thread; i++) nap(1);
    int chld_control = sigchld_count > chld_after_thread;
    int thr_ok = thr_ended;

    /* the low byte of clone()'s flags is the signal the parent gets when the child ends:
     * SIGUSR1 here; control: no SIGCHLD for that child */
    struct sigaction su;
    memset(&su, 0, sizeof su);
    su.sa_handler = on_usr1;
    sigaction(SIGUSR1, &su, NULL);
    sigusr1_count = 0;
    int chld_before = sigchld_count;
    pid_t es = tstack != MAP_FAILED ? clone(quick_exit_fn, tstack + tsize, SIGUSR1, NULL) : -1;
    int es_reaped = 0;
    for (int i = 0; es > 0 && i < 2000 && !es_reaped; i++) {
        int st4 = 0;
        es_reaped = waitpid(es, &st4, WNOHANG | __WALL) == es;
        if (!es_reaped) nap(1);
    }
    for (int i = 0; i < 200 && sigusr1_count == 0; i++) nap(1);
    int es_chld = sigchld_count - chld_before;

    printf("{\"probe\": \"vfork-clone-c\", \"facts\": {");
    printf("\"vforkc.clone_exit_signal_to_parent\": {\"value\": %s, \"valid\": %s, "
           "\"evidence\": {\"sigusr1_received\": %d, \"sigchld_received\": %d, \"reaped\": %d, "
           "\"exit_signal\": \"SIGUSR1\"}}, ",
           sigusr1_count > 0 ? "true" : "false", es_reaped && es_chld == 0 ? "true" : "false",
           sigusr1_count, es_chld, es_reaped);
    printf("\"vforkc.clone_thread_own_tid\": {\"value\": %s, \"valid\": %s, \"evidence\": "
           "{\"thread_tid\": %d, \"clone_returned\": %d, \"pid\": %d}}, ",
           thr_ok && thr_tid == t && thr_tid != getpid() ? "true" : "false",
           thr_ok ? "true" : "false", (int)thr_tid, (int)t, (int)getpid());
    printf("\"vforkc.clone_thread_same_pid\": {\"value\": %s, \"valid\": %s, \"evidence\": "
           "{\"thread_getpid\": %d, \"caller_getpid\": %d}}, ",
           thr_ok && thr_pid == getpid() ? "true" : "false", thr_ok ? "true" : "false",
           (int)thr_pid, (int)getpid());
    printf("\"vforkc.clone_thread_same_ppid\": {\"value\": %s, \"valid\": %s, \"evidence\": "
           "{\"thread_getppid\": %d, \"caller_getppid\": %d, \"caller_pid\": %d}}, ",
           thr_ok && thr_ppid == getppid() ? "true" : "false",
           thr_ok && getppid() != getpid() ? "true" : "false", (int)thr_ppid, (int)getppid(),
           (int)getpid());
    printf("\"vforkc.clone_thread_sends_sigchld\": {\"value\": %s, \"valid\": %s, "
           "\"evidence\": {\"sigchld_after_thread_ended\": %d, \"control_fork_child_sigchld\": %d}}, ",
           chld_after_thread > 0 ? "true" : "false", thr_ok && chld_control ? "true" : "false",
           chld_after_thread, chld_control);
    printf("\"vforkc.clone_thread_waitable\": {\"value\": %s, \"valid\": %s, \"evidence\": "
           "{\"waitpid_returned\": %d, \"errno_is_echild\": %s, \"control_fork_child_reaped\": %d}}, ",
           thr_wait == t ? "true" : "false",
           thr_ok && f2_reaped && (thr_wait == t || thr_wait_errno == ECHILD) ? "true" : "false",
           thr_wait, thr_wait_errno == ECHILD ? "true" : "false", f2_reaped);
    printf("\"vforkc.returns_zero_in_child\": {\"value\": %s, \"valid\": %s, \"evidence\": "
           "{\"child_got\": %d, \"parent_got\": %d}}, ",
           ran && child_ret == 0 ? "true" : "false", ran ? "true" : "false",
           (int)child_ret, (int)ret);
    printf("\"vforkc.returns_child_pid\": {\"value\": %s, \"valid\": %s, \"evidence\": "
           "{\"parent_got\": %d, \"child_getpid\": %d}}, ",
           ran && ret == child_pid ? "true" : "false", ran ? "true" : "false", (int)ret,
           (int)child_pid);
    printf("\"vforkc.child_own_pid\": {\"value\": %s, \"valid\": %s, \"evidence\": "
           "{\"child_getpid\": %d, \"parent_pid\": %d}}, ",
           ran && child_pid != parent ? "true" : "false", ran ? "true" : "false",
           (int)child_pid, (int)parent);
    printf("\"vforkc.clone_vfork_suspends\": {\"value\": %s, \"valid\": %s, \"evidence\": "
           "{\"flag_set_when_clone_returned\": %d, \"control_clone_vm_alone\": %d}}, ",
           vfork_only == 1 ? "true" : "false",
           vfork_only >= 0 && control_ok ? "true" : "false", vfork_only, vm_only);
    printf("\"vforkc.clone_vm_alone_suspends\": {\"value\": %s, \"valid\": %s, \"evidence\": "
           "{\"flag_set_when_clone_returned\": %d, \"control_clone_vfork\": %d}}, ",
           vm_only == 1 ? "true" : "false", vm_only >= 0 && vfork_only == 1 ? "true" : "false",
           vm_only, vfork_only);
    printf("\"vforkc.like_clone_vm_vfork_sigchld\": {\"value\": %s, \"valid\": %s, "
           "\"evidence\": {\"suspended\": %d, \"memory_shared\": %d, \"reaped_by_waitpid\": %d, "
           "\"control_fork_write_seen\": %d}}",
           both == 1 && sm3 && r3 ? "true" : "false",
           both >= 0 && control_ok && !fork_write_seen && ran ? "true" : "false", both, sm3, r3,
           fork_write_seen);
    printf("}}\n");
    return 0;
}
