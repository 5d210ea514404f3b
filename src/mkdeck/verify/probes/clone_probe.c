/* mkdeck C probe: clone flag sharing and vfork, measured with real clone()/vfork().
 *
 * Usage: clone_probe clone|vfork. Prints one JSON line (see _probelib.py for the shape).
 * Each flag F is tested for every resource with and without F (the control); CLONE_SIGHAND
 * needs CLONE_VM in both runs (clone(2): EINVAL otherwise). The files check closes a high
 * fd in the child and never opens one first, so no fd number is reused (research 7.1). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define STACK_SIZE (256 * 1024)
#define PROBE_FD 301
static char stack_mem[STACK_SIZE] __attribute__((aligned(16)));
static volatile int g_mem;
static char tmpdir[PATH_MAX];
static char home[PATH_MAX];

enum res { R_MEMORY, R_FS, R_FILES, R_SIGHAND, R_N };
static const char *res_name[R_N] = {"memory", "fs", "files", "sighand"};

static void on_usr1(int sig) { (void)sig; }

static int child_fn(void *arg) {
    switch ((int)(long)arg) {
    case R_MEMORY: g_mem = 1; return 0;
    case R_FS: umask(077); return chdir(tmpdir) == 0 ? 0 : 1;
    case R_FILES: return close(PROBE_FD) == 0 ? 0 : 1;
    case R_SIGHAND: {
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = on_usr1;
        return sigaction(SIGUSR1, &sa, NULL) == 0 ? 0 : 1;
    }
    }
    return 2;
}

static int run_clone(int flags, int res, int *status) {
    int pid = clone(child_fn, stack_mem + STACK_SIZE, flags | SIGCHLD, (void *)(long)res);
    if (pid < 0) { *status = -1; return -errno; }
    waitpid(pid, status, 0);
    return pid;
}

static void reset(void) {
    int fd = open("/dev/null", O_RDONLY);
    dup2(fd, PROBE_FD);
    if (fd != PROBE_FD) close(fd);
    if (chdir(home) != 0) {}
    umask(022);
    signal(SIGUSR1, SIG_DFL);
    g_mem = 0;
}

/* returns 1 when the child's change is visible in the parent; *ok = child call worked */
static int shared(int res, int flags, int *ok) {
    int status, seen = 0;
    char cwd[PATH_MAX];
    struct sigaction old;
    reset();
    int pid = run_clone(flags, res, &status);
    *ok = pid > 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0;
    /* (a seen value of 2, cwd and umask disagreeing, clears *ok below) */
    switch (res) {
    case R_MEMORY: seen = g_mem == 1; break;
    case R_FS: {
        mode_t now = umask(022);  /* read the umask (and restore the default) */
        int cwd_seen = getcwd(cwd, sizeof cwd) && strcmp(cwd, tmpdir) == 0;
        /* shared: both cwd and umask moved; copied: neither; anything else is a bug */
        seen = cwd_seen && now == 077 ? 1 : (!cwd_seen && now != 077 ? 0 : 2);
        break;
    }
    case R_FILES: seen = fcntl(PROBE_FD, F_GETFD) == -1 && errno == EBADF; break;
    case R_SIGHAND: sigaction(SIGUSR1, NULL, &old); seen = old.sa_handler == on_usr1; break;
    }
    reset();
    if (seen == 2) { *ok = 0; seen = 0; }
    return seen;
}

static double now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int mode_clone(void) {
    const char *fname[4] = {"CLONE_VM", "CLONE_FS", "CLONE_FILES", "CLONE_SIGHAND"};
    int fval[4] = {CLONE_VM, CLONE_FS, CLONE_FILES, CLONE_SIGHAND};
    int own[4] = {R_MEMORY, R_FS, R_FILES, R_SIGHAND};
    int with_f[4][R_N], without[4][R_N], all_ok = 1, own_ok = 1, ok;
    for (int f = 0; f < 4; f++) {
        int base = fval[f] == CLONE_SIGHAND ? CLONE_VM : 0;
        for (int r = 0; r < R_N; r++) {
            with_f[f][r] = shared(r, base | fval[f], &ok); all_ok &= ok;
            without[f][r] = shared(r, base, &ok); all_ok &= ok;
        }
        own_ok &= with_f[f][own[f]] && !without[f][own[f]];
    }
    printf("{\"probe\": \"clone-c\", \"facts\": {");
    for (int f = 0; f < 4; f++)
        for (int r = 0; r < R_N; r++)
            printf("\"clone.shares.%s.%s\": {\"value\": %s, \"valid\": %s, \"evidence\": "
                   "{\"shared_with_flag\": %s, \"shared_without_flag\": %s, \"base_flags\": \"%s\"}}, ",
                   fname[f], res_name[r], with_f[f][r] && !without[f][r] ? "true" : "false",
                   all_ok && own_ok ? "true" : "false", with_f[f][r] ? "true" : "false",
                   without[f][r] ? "true" : "false", fval[f] == CLONE_SIGHAND ? "CLONE_VM" : "none");
    int plain_any = 0, plain_ok = 1;
    for (int r = 0; r < R_N; r++) { plain_any |= shared(r, 0, &ok); plain_ok &= ok; }
    int vm_ctl = shared(R_MEMORY, CLONE_VM, &ok);
    int status;
    int ppid = run_clone(0, R_MEMORY, &status);
    printf("\"clone.no_flags_like_fork\": {\"value\": %s, \"valid\": %s, \"evidence\": "
           "{\"anything_shared_without_flags\": %s, \"child_pid\": %d, \"control_clone_vm_shares_memory\": %s}}, ",
           !plain_any && ppid > 0 && ppid != getpid() ? "true" : "false",
           plain_ok && vm_ctl ? "true" : "false", plain_any ? "true" : "false", ppid,
           vm_ctl ? "true" : "false");
    printf("\"clone.controls_sharing\": {\"value\": %s, \"valid\": %s, \"evidence\": {\"every_flag_shares_its_resource_only_with_the_flag\": %s}}, ",
           own_ok ? "true" : "false", all_ok ? "true" : "false", own_ok ? "true" : "false");
    printf("\"clone.creates_process\": {\"value\": %s, \"valid\": %s, \"evidence\": {\"child_pid\": %d, \"parent_pid\": %d}}, ",
           ppid > 0 && ppid != getpid() ? "true" : "false", all_ok ? "true" : "false", ppid, getpid());
    int e1 = run_clone(CLONE_SIGHAND, R_MEMORY, &status);
    int c1 = run_clone(CLONE_SIGHAND | CLONE_VM, R_MEMORY, &status);
    int e2 = run_clone(CLONE_THREAD | CLONE_VM, R_MEMORY, &status);
    printf("\"clone.sighand_requires_vm\": {\"value\": %s, \"valid\": %s, \"evidence\": {\"sighand_without_vm\": %d, \"control_sighand_with_vm\": %d}}, ",
           e1 == -EINVAL ? "true" : "false", c1 > 0 ? "true" : "false", e1, c1);
    printf("\"clone.thread_requires_sighand\": {\"value\": %s, \"valid\": %s, \"evidence\": {\"thread_without_sighand\": %d}}",
           e2 == -EINVAL ? "true" : "false", c1 > 0 ? "true" : "false", e2);
    printf("}}\n");
    return 0;
}

/* Whether the parent was suspended until the child ended: the child sleeps `sleep_us`, so a
   suspended parent can never get the call's return before that sleep is over, whatever the
   load. A call returning earlier proves the parent was not suspended; one returning later
   says it was, unless the parent was kept off the CPU for the whole sleep, so the call that
   is expected to return at once (fork) gets a child that sleeps long (2 s): load would have
   to starve the parent that long to fake a suspension. Returns 1 suspended, 0 not, -1 no
   child. A child still sleeping when the call returned is killed. */
static int suspended(int use_vfork, useconds_t sleep_us, double *ms) {
    g_mem = 0;
    double t0 = now_ms();
    pid_t pid = use_vfork ? vfork() : fork();
    if (pid == 0) { g_mem = 42; usleep(sleep_us); _exit(0); }
    *ms = now_ms() - t0;
    if (pid < 0) return -1;
    int status;
    if (waitpid(pid, &status, WNOHANG) == 0) kill(pid, SIGKILL);
    waitpid(pid, &status, 0);
    return *ms >= 0.9 * sleep_us / 1000.0 ? 1 : 0;
}

static int mode_vfork(void) {
    /* vfork: the child writes a global and sleeps 50 ms; vfork() must not return before that
       (see suspended()). Control: fork() returns before its child's 2 s sleep is over. The
       parent must see the vfork child's write and not the fork child's. */
    double vfork_ms, fork_ms;
    int v = suspended(1, 50000, &vfork_ms);
    int seen = g_mem == 42;
    int f = suspended(0, 2000000, &fork_ms);
    int fork_seen = g_mem == 42;
    const char *method = "does the call return before the child's sleep is over";
    printf("{\"probe\": \"vfork-c\", \"facts\": {"
           "\"vfork.suspends_parent\": {\"value\": %s, \"valid\": %s, \"evidence\": {\"method\": \"%s\", \"vfork_returned_after_ms\": %.1f, \"child_sleep_ms\": 50, \"control_fork_returned_after_ms\": %.1f, \"control_fork_child_sleep_ms\": 2000}}, "
           "\"vfork.shares_memory\": {\"value\": %s, \"valid\": %s, \"evidence\": {\"child_write_seen\": %s, \"control_fork_child_write_seen\": %s}}, "
           "\"fork.suspends_parent\": {\"value\": %s, \"valid\": %s, \"evidence\": {\"method\": \"%s\", \"fork_returned_after_ms\": %.1f, \"child_sleep_ms\": 2000, \"control_vfork_returned_after_ms\": %.1f, \"control_vfork_child_sleep_ms\": 50}}}}\n",
           v == 1 ? "true" : "false", (v >= 0 && f == 0) ? "true" : "false", method,
           vfork_ms, fork_ms,
           seen ? "true" : "false", !fork_seen ? "true" : "false", seen ? "true" : "false",
           fork_seen ? "true" : "false",
           f == 1 ? "true" : "false", (f >= 0 && v == 1) ? "true" : "false", method,
           fork_ms, vfork_ms);
    return 0;
}

int main(int argc, char **argv) {
    if (argc < 2) { fprintf(stderr, "usage: clone_probe clone|vfork\n"); return 2; }
    if (!getcwd(home, sizeof home)) return 3;
    snprintf(tmpdir, sizeof tmpdir, "/tmp/mkdeck-cprobe-XXXXXX");
    if (strcmp(argv[1], "clone") == 0) {
        if (!mkdtemp(tmpdir)) return 3;
        int rc = mode_clone();
        rmdir(tmpdir);
        return rc;
    }
    if (strcmp(argv[1], "vfork") == 0) return mode_vfork();
    fprintf(stderr, "unknown mode %s\n", argv[1]);
    return 2;
}
