/* t_queue.c — queue join and close, unbounded growth, the non-suspending
 * forms, deadlock reported, and misuse answered with error codes. */
#include "coro.h"
#include "check.h"

#include <stdint.h>
#include <time.h>
#include <sys/resource.h>

static coro_queue_t *q;

static void filler(void *arg) {
    long n = (long)(intptr_t)arg;
    for (long i = 0; i < n; i++) CHECK(coro_queue_put(q, (void *)(intptr_t)(i + 1)) == 0);
}

static void unbounded_main(void *arg) {
    (void)arg;
    q = coro_queue_new(0);
    coro_t *f = coro_spawn(filler, (void *)(intptr_t)100000);
    coro_join(f); /* never suspended: unbounded */
    CHECK(coro_queue_len(q) == 100000);
    long sum = 0;
    void *it;
    for (long i = 0; i < 100000; i++) {
        CHECK(coro_queue_try_get(q, &it) == 0);
        CHECK((long)(intptr_t)it == i + 1); /* FIFO through every growth */
        sum += (long)(intptr_t)it;
        coro_queue_task_done(q);
    }
    CHECK(sum == 100000L * 100001 / 2);
    CHECK(coro_queue_try_get(q, &it) == CORO_EAGAIN);
    coro_queue_join(q); /* nothing unfinished: returns at once */
    coro_queue_free(q);
}

static long consumed;
static void worker(void *arg) {
    (void)arg;
    void *it;
    while (coro_queue_get(q, &it) == 0) {
        coro_yield(); /* "work" */
        consumed += (long)(intptr_t)it;
        coro_queue_task_done(q);
    }
}

static int put_after_close;
static void late_putter(void *arg) {
    (void)arg;
    /* The queue is full: this waits, and close releases it with CORO_CLOSED. */
    put_after_close = coro_queue_put(q, (void *)1);
}

static void join_close_main(void *arg) {
    (void)arg;
    q = coro_queue_new(4);
    coro_t *w[3];
    for (int i = 0; i < 3; i++) w[i] = coro_spawn(worker, NULL);
    for (long i = 1; i <= 1000; i++) CHECK(coro_queue_put(q, (void *)(intptr_t)i) == 0);
    coro_queue_join(q); /* returns only when every item is task_done */
    CHECK(consumed == 1000L * 1001 / 2);
    coro_queue_close(q);
    for (int i = 0; i < 3; i++) coro_join(w[i]);
    CHECK(coro_queue_put(q, (void *)1) == CORO_CLOSED);
    CHECK(coro_queue_try_put(q, (void *)1) == CORO_CLOSED);
    coro_queue_free(q);

    /* close releases a waiting putter; items already in are still got. */
    q = coro_queue_new(1);
    CHECK(coro_queue_try_put(q, (void *)7) == 0);
    CHECK(coro_queue_try_put(q, (void *)8) == CORO_EAGAIN);
    coro_t *p = coro_spawn(late_putter, NULL);
    coro_yield();
    coro_queue_close(q);
    coro_join(p);
    CHECK(put_after_close == CORO_CLOSED);
    void *it;
    CHECK(coro_queue_get(q, &it) == 0 && (intptr_t)it == 7);
    CHECK(coro_queue_get(q, &it) == CORO_CLOSED);
    coro_queue_task_done(q);
    coro_queue_task_done(q); /* one too many: ignored */
    coro_queue_free(q);
}

static void stuck(void *arg) {
    void *it;
    coro_queue_get(arg, &it); /* nobody ever puts */
}
static coro_queue_t *dq;
static void deadlock_main(void *arg) {
    (void)arg;
    dq = coro_queue_new(1);
    coro_spawn(stuck, dq);
    coro_spawn(stuck, dq);
    void *it;
    coro_queue_get(dq, &it);
}

static int nested_rc, join_self_rc;
static void nested_main(void *arg) {
    (void)arg;
    nested_rc = coro_run(nested_main, NULL);
    join_self_rc = coro_join(coro_self());
}

/* Idle: while every coroutine sleeps, the scheduler sleeps in the kernel. */
static void sleepy(void *arg) {
    (void)arg;
    coro_sleep_ns(200000000); /* 200 ms */
}
static double cpu_seconds(void) {
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_utime.tv_sec + ru.ru_stime.tv_sec +
           (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

int main(void) {
    CHECK(coro_run(unbounded_main, NULL) == 0);
    CHECK(coro_run(join_close_main, NULL) == 0);
    CHECK(coro_run(deadlock_main, NULL) == CORO_EDEADLK);
    coro_queue_free(dq);
    CHECK(coro_run(nested_main, NULL) == 0);
    CHECK(nested_rc == CORO_EPERM);
    CHECK(join_self_rc == CORO_EINVAL);
    /* Outside coro_run: errors, not crashes. */
    CHECK(coro_spawn(sleepy, NULL) == NULL && coro_last_error() == CORO_EPERM);
    CHECK(coro_join(NULL) == CORO_EPERM);
    CHECK(coro_run(NULL, NULL) == CORO_EINVAL);
    coro_stats st;
    CHECK(coro_get_stats(&st) == CORO_EPERM);

    struct timespec t0, t1;
    double c0 = cpu_seconds();
    clock_gettime(CLOCK_MONOTONIC, &t0);
    CHECK(coro_run(sleepy, NULL) == 0);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double wall = (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
    CHECK(wall >= 0.2);                   /* slept at least as asked */
    CHECK(cpu_seconds() - c0 < wall / 2); /* and did not spin meanwhile */
    TEST_END();
}
