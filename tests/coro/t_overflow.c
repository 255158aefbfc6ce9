/* t_overflow.c — touching the guard page ends the process with the message
 * "coro: stack overflow in coroutine <id>" (printed from a handler on the
 * alternate signal stack), and an unguarded stack's canary catches the same
 * at the coroutine's next suspension. Each case runs in a child process. */
#include "coro.h"
#include "check.h"
#include "coro_int.h"

#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile long limit = -1; /* never reached: the recursion is unbounded */
static long boom(long n) {
    volatile char buf[256];
    buf[0] = (char)n;
    if (n == limit) return 0;
    return boom(n + 1) + buf[0];
}

static void overflow(void *arg) {
    (void)arg;
    boom(0);
}

/* Overflows by a little and comes back up, then yields and ends: the canary
 * is the only witness, read when the coroutine ends. The scribble stands for
 * a frame that went one word past the stack's low end. */
static void small_overflow(void *arg) {
    (void)arg;
    ((volatile uint64_t *)coro_self()->stack->lo)[0] = 0x4242; /* must stay 0 */
    coro_yield();
}

/* Recurses until its frame is within the reserve at the low end of an
 * unguarded stack, then suspends there: the stack-pointer check reports it
 * at that suspension (the coroutine would otherwise sleep a while and end). */
static int deep_then_yield(int n) {
    volatile char buf[128];
    buf[0] = (char)n;
    char *lo = coro_self()->stack->lo;
    if ((char *)buf > lo + CORO_STACK_RESERVE / 2) return deep_then_yield(n + 1) + buf[0];
    for (int i = 0; i < 1000; i++) coro_sleep_ns(1000); /* suspends: the check fires */
    return 0;
}
static void sp_overflow(void *arg) {
    (void)arg;
    deep_then_yield(0);
}

static void main_overflow(void *arg) {
    coro_t *c = coro_spawn(arg, NULL); /* id 2 */
    coro_join(c);
}

static int run_child(void (*fn)(void *), const char *env, char *out, size_t outsz, int *status) {
    int fds[2];
    if (pipe(fds) != 0) return -1;
    pid_t pid = fork();
    if (pid == 0) {
        dup2(fds[1], 2);
        close(fds[0]);
        if (env) setenv("CORO_GUARD_BUDGET", env, 1);
        coro_run(main_overflow, (void *)fn);
        _exit(0); /* reaching here is the failure */
    }
    close(fds[1]);
    size_t n = 0;
    ssize_t r;
    while (n < outsz - 1 && (r = read(fds[0], out + n, outsz - 1 - n)) > 0) n += (size_t)r;
    out[n] = 0;
    close(fds[0]);
    waitpid(pid, status, 0);
    return 0;
}

int main(void) {
    char out[512];
    int status;
    CHECK(run_child(overflow, NULL, out, sizeof out, &status) == 0);
    CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGSEGV);
    CHECK(strstr(out, "coro: stack overflow in coroutine 2\n") != NULL);
    if (check_failures) fprintf(stderr, "guarded child said: %s\n", out);

    /* No guard pages at all: the canary reports it when the coroutine ends. */
    CHECK(run_child(small_overflow, "0", out, sizeof out, &status) == 0);
    CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT);
    CHECK(strstr(out, "coro: stack overflow in coroutine 2\n") != NULL);
    if (check_failures) fprintf(stderr, "canary child said: %s\n", out);

    /* No guard pages: a suspension with the stack pointer in the reserve. */
    CHECK(run_child(sp_overflow, "0", out, sizeof out, &status) == 0);
    CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT);
    CHECK(strstr(out, "coro: stack overflow in coroutine 2\n") != NULL);
    if (check_failures) fprintf(stderr, "stack-pointer child said: %s\n", out);
    TEST_END();
}
