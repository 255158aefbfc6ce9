/* t_shared_asan.c — in an ASan build, a read through a pointer into a
 * suspended shared-stack coroutine's stack is reported (the runtime poisons
 * its bytes while it waits). The read runs in a child process, and the test
 * passes only if the child dies with ASan's use-after-poison report.
 * Without ASan there is nothing to check: skipped (exit 77). */
#include "coro.h"
#include "check.h"

#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#if defined(__SANITIZE_ADDRESS__)
#define HAVE_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define HAVE_ASAN 1
#endif
#endif

#ifdef HAVE_ASAN
static volatile int *leaked; /* the forbidden pointer */

static void leaker(void *arg) {
    (void)arg;
    volatile int local = 42;
    leaked = &local;
    coro_yield(); /* suspended, its bytes still on the shared stack */
    leaked = NULL;
}

static void bad_main(void *arg) {
    (void)arg;
    coro_spawn_opts o;
    coro_spawn_opts_init(&o);
    o.stack_mode = CORO_STACK_SHARED;
    coro_t *c = coro_spawn_ex(leaker, NULL, &o);
    coro_yield();    /* the leaker runs up to its yield */
    int v = *leaked; /* main has its own stack: this reads the suspended one's */
    fprintf(stderr, "read %d without a report\n", v);
    coro_join(c);
}
#endif

int main(void) {
#ifndef HAVE_ASAN
    fprintf(stderr, "not an ASan build: nothing to check\n");
    return check_failures ? 1 : 77;
#else
    int fds[2];
    CHECK(pipe(fds) == 0);
    pid_t pid = fork();
    CHECK(pid >= 0);
    if (pid == 0) {
        dup2(fds[1], 2);
        close(fds[0]);
        coro_run(bad_main, NULL);
        _exit(0);
    }
    close(fds[1]);
    static char out[1 << 16];
    size_t n = 0;
    ssize_t k;
    while (n < sizeof out - 1 && (k = read(fds[0], out + n, sizeof out - 1 - n)) > 0)
        n += (size_t)k;
    out[n] = 0;
    int st = 0;
    CHECK(waitpid(pid, &st, 0) == pid);
    CHECK(!(WIFEXITED(st) && WEXITSTATUS(st) == 0)); /* it must not get away with it */
    CHECK(strstr(out, "use-after-poison") != NULL);
    if (check_failures) fprintf(stderr, "child said:\n%s\n", out);
    TEST_END();
#endif
}
