/* test_thr_limit.c — thread creation failing is reported and survived.
 *
 * In a forked child, RLIMIT_AS is lowered to the current address-space size
 * plus 64 MiB and threads with 8 MiB stacks are started until thr_spawn()
 * fails. The failure must be a NULL with a negative code (not a crash, not an
 * abort), the threads already started must still run and join, and once they
 * are gone a new thread can start again. The child exits 0 on success; the
 * parent checks that, so a crash in the child is a test failure too.
 *
 * Root ignores RLIMIT_NPROC, hence RLIMIT_AS. ASan and TSan reserve terabytes
 * of shadow memory, so under them the limit cannot be lowered meaningfully:
 * the test reports itself skipped (exit code 77, ctest's SKIP_RETURN_CODE).
 */
#include "tcheck.h"
#include "thr.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define UNDER_SANITIZER 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define UNDER_SANITIZER 1
#endif
#endif

enum { MAX_THREADS = 1000 }; /* 8 GiB of stacks: far past a 64 MiB margin */
#define STACK ((size_t)8 * 1024 * 1024)
#define MARGIN ((rlim_t)64 * 1024 * 1024)

static atomic_int ran;

static void hold_fn(void *arg) {
    thr_event_wait(arg);
    atomic_fetch_add(&ran, 1);
}

static void quick_fn(void *arg) {
    (void)arg;
    atomic_fetch_add(&ran, 1);
}

/* Current virtual size in bytes, from /proc/self/statm (first field, pages). */
static long long vm_size(void) {
    FILE *f = fopen("/proc/self/statm", "r");
    if (!f) return -1;
    long long pages = -1;
    if (fscanf(f, "%lld", &pages) != 1) pages = -1;
    fclose(f);
    return pages < 0 ? -1 : pages * sysconf(_SC_PAGESIZE);
}

static int child(void) {
    static thr_t *t[MAX_THREADS];
    thr_event_t *gate = thr_event_new();
    if (!gate) {
        fprintf(stderr, "child: no memory for the event\n");
        return 3;
    }
    long long vs = vm_size();
    if (vs <= 0) {
        fprintf(stderr, "child: cannot read /proc/self/statm\n");
        return 3;
    }
    struct rlimit rl;
    if (getrlimit(RLIMIT_AS, &rl) != 0) return 3;
    rl.rlim_cur = (rlim_t)vs + MARGIN;
    if (setrlimit(RLIMIT_AS, &rl) != 0) {
        perror("child: setrlimit(RLIMIT_AS)");
        return 3;
    }

    thr_spawn_opts o;
    thr_spawn_opts_init(&o);
    o.stack_size = STACK;
    int started = 0, err = 0;
    while (started < MAX_THREADS) {
        err = 0;
        thr_t *th = thr_spawn_ex(hold_fn, gate, &o, &err);
        if (!th) break;
        t[started++] = th;
    }
    printf("RLIMIT_AS = VmSize + 64 MiB: %d threads of 8 MiB started, then error %d (%s)\n",
           started, err, thr_strerror(err));
    CHECK(started < MAX_THREADS); /* the limit was reached */
    CHECK(err < 0);
    CHECK(started >= 1); /* 64 MiB leave room for at least one stack */

    /* The ones already running are unharmed: release and join them all. */
    thr_event_set(gate);
    for (int i = 0; i < started; i++) CHECK_EQ(thr_join(t[i]), THR_OK);
    CHECK_EQ(atomic_load(&ran), started);

    /* And with their stacks gone, a thread starts again. */
    thr_t *again = thr_spawn_ex(quick_fn, NULL, &o, &err);
    CHECK(again != NULL);
    if (again)
        CHECK_EQ(thr_join(again), THR_OK);
    else
        fprintf(stderr, "respawn after the limit: %s\n", thr_strerror(err));
    CHECK_EQ(atomic_load(&ran), started + 1);
    thr_event_free(gate);
    return atomic_load(&tcheck_failures) ? 1 : 0;
}

int main(void) {
#ifdef UNDER_SANITIZER
    printf("SKIP: test_thr_limit cannot lower RLIMIT_AS under ASan/TSan (shadow memory)\n");
    return 77;
#endif
    fflush(stdout);
    pid_t pid = fork();
    if (pid < 0) {
        perror("fork");
        return 1;
    }
    if (pid == 0) {
        int rc = child();
        fflush(stdout);
        _exit(rc);
    }
    int status = 0;
    if (waitpid(pid, &status, 0) != pid) {
        perror("waitpid");
        return 1;
    }
    if (WIFSIGNALED(status))
        fprintf(stderr, "FAIL child killed by signal %d\n", WTERMSIG(status));
    else if (WEXITSTATUS(status) != 0)
        fprintf(stderr, "FAIL child exit status %d\n", WEXITSTATUS(status));
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    TEST_END("test_thr_limit");
}
