/* t_order.c — pins down the scheduling semantics of coro.h: FIFO ready
 * queue, spawn and wake-up append at the tail without switching, Mesa-style
 * queue waits, timers in deadline order with ties in the order set. The
 * expected strings are worked out by hand from those rules (and match what
 * asyncio prints for the same programs). */
#include "coro.h"
#include "check.h"
#include "coro_int.h"

#include <stdint.h>

static void yielder(void *arg) {
    const char *name = arg;
    for (int i = 0; i < 3; i++) {
        trace("%s%d", name, i);
        coro_yield();
    }
}

static void spawn_no_switch(void *arg) {
    (void)arg;
    coro_t *a = coro_spawn(yielder, "A");
    trace("spawnedA");
    coro_t *b = coro_spawn(yielder, "B");
    trace("spawnedB");
    coro_yield(); /* A, B run one step each, then us */
    trace("main");
    coro_join(a);
    coro_join(b);
    trace("joined");
}

/* Bounded queue, capacity 1: puts suspend when full, gets when empty. */
static coro_queue_t *q;
static void producer(void *arg) {
    (void)arg;
    for (intptr_t i = 1; i <= 3; i++) {
        trace("put%ld", (long)i);
        coro_queue_put(q, (void *)i);
    }
    trace("pdone");
}
static void consumer(void *arg) {
    const char *name = arg;
    void *it;
    while (coro_queue_get(q, &it) == 0) {
        trace("%s:%ld", name, (long)(intptr_t)it);
        coro_queue_task_done(q);
    }
    trace("%s:closed", name);
}
static void queue_main(void *arg) {
    (void)arg;
    q = coro_queue_new(1);
    coro_t *c1 = coro_spawn(consumer, "C1");
    coro_t *c2 = coro_spawn(consumer, "C2");
    coro_t *p = coro_spawn(producer, NULL);
    coro_join(p);
    coro_queue_join(q);
    trace("joinedq");
    coro_queue_close(q);
    coro_join(c1);
    coro_join(c2);
    coro_queue_free(q);
}

/* Mesa-style waits, the losing side: a woken waiter that finds the queue
 * empty (full) again, because a coroutine ahead of it in the ready queue took
 * the item (the slot) without waiting, waits again at the tail of its list. */
static void getter(void *arg) {
    void *it;
    int rc = coro_queue_get(q, &it);
    trace("%s:%ld", (const char *)arg, rc ? (long)rc : (long)(intptr_t)it);
}
static void putter(void *arg) {
    intptr_t v = (intptr_t)arg;
    int rc = coro_queue_put(q, (void *)v);
    trace("p%ld%s", (long)v, rc ? ":err" : "");
}
static void lost_main(void *arg) {
    (void)arg;
    void *it;
    q = coro_queue_new(1);
    coro_t *g1 = coro_spawn(getter, "G1");
    coro_yield(); /* G1 finds the queue empty and waits */
    coro_t *g2 = coro_spawn(getter, "G2");
    coro_queue_put(q, (void *)1); /* wakes G1: ready is G2, G1 */
    trace("put1");
    coro_yield(); /* G2 takes 1 without waiting; G1 re-checks, waits again */
    trace("main");
    coro_queue_put(q, (void *)2);
    coro_join(g1);
    coro_join(g2);
    /* The same for putters: the queue is full, P1 waits; a get wakes it, but
     * P2 (ahead of it) fills the slot first; P1 waits again behind nobody. */
    coro_queue_put(q, (void *)3);
    coro_t *p1 = coro_spawn(putter, (void *)4);
    coro_yield(); /* P1 finds the queue full and waits */
    coro_t *p2 = coro_spawn(putter, (void *)5);
    coro_queue_get(q, &it); /* takes 3, wakes P1: ready is P2, P1 */
    trace("got%ld", (long)(intptr_t)it);
    coro_yield(); /* P2 puts 5 without waiting; P1 re-checks, waits again */
    trace("main");
    coro_queue_get(q, &it); /* takes 5, wakes P1 */
    trace("got%ld", (long)(intptr_t)it);
    coro_join(p1);
    coro_join(p2);
    coro_queue_get(q, &it);
    trace("got%ld", (long)(intptr_t)it);
    /* A waiter woken by close gets CORO_CLOSED from its retry. */
    coro_t *g3 = coro_spawn(getter, "G3");
    coro_yield();
    coro_queue_close(q);
    coro_join(g3);
    coro_queue_free(q);
}

/* Deadlines in order of setting 90, 30, 60, 30 ms after one base, and a
 * sleep(0). Through coro_sleep_ns, each sleeper's deadline would count from
 * the moment it runs, and a machine that stalls the process between two
 * sleepers for longer than a gap (valgrind, sanitizers, a loaded CI host)
 * would reorder them legitimately; one base makes the expected order hold
 * whatever the load. coro_sleep_ns(0) is the public path (a yield). */
static uint64_t timer_base;
static void sleeper(void *arg) {
    intptr_t ms = (intptr_t)arg;
    if (ms == 0) {
        coro_sleep_ns(0);
    } else {
        uint64_t dl = timer_base + (uint64_t)ms * 1000000u;
        CHECK(coro__timer_add(coro_S, dl, coro_self(), coro_self()->wait_seq + 1) == 0);
        coro__block(coro_S, coro_self(), NULL);
    }
    trace("s%ld", (long)ms);
}
static void timer_main(void *arg) {
    (void)arg;
    coro_t *c[5];
    static const intptr_t ms[5] = {90, 30, 60, 30, 0};
    timer_base = coro__now_ns();
    for (int i = 0; i < 5; i++) c[i] = coro_spawn(sleeper, (void *)ms[i]);
    for (int i = 0; i < 5; i++) coro_join(c[i]);
}

/* Ties: equal deadlines fire in the order they were set. Deadlines computed
 * through the public API differ by the clock's resolution, so this part is a
 * white-box test on the timer heap: one shared deadline, set in order. */
static uint64_t tie_deadline;
static void tie_sleeper(void *arg) {
    coro__timer_add(coro_S, tie_deadline, coro_self(), coro_self()->wait_seq + 1);
    coro__block(coro_S, coro_self(), NULL);
    trace("t%ld", (long)(intptr_t)arg);
}
static void tie_main(void *arg) {
    (void)arg;
    tie_deadline = coro__now_ns() + 2000000;
    coro_t *c[6];
    for (intptr_t i = 0; i < 6; i++) c[i] = coro_spawn(tie_sleeper, (void *)i);
    for (int i = 0; i < 6; i++) coro_join(c[i]);
}

static void event_waiter(void *arg) {
    coro_event_t *e = ((void **)arg)[0];
    trace("w%s", (const char *)((void **)arg)[1]);
    coro_event_wait(e);
    trace("r%s", (const char *)((void **)arg)[1]);
}
static void event_main(void *arg) {
    (void)arg;
    coro_event_t e;
    coro_event_init(&e);
    void *a1[2] = {&e, "1"}, *a2[2] = {&e, "2"};
    coro_t *x = coro_spawn(event_waiter, a1);
    coro_t *y = coro_spawn(event_waiter, a2);
    coro_yield();
    trace("set");
    coro_event_set(&e);
    coro_event_clear(&e); /* waiters woken by set still return (asyncio) */
    trace("cleared");
    coro_join(x);
    coro_join(y);
    CHECK(!coro_event_is_set(&e));
    coro_event_set(&e);
    coro_event_wait(&e); /* set: returns at once */
    trace("end");
}

int main(void) {
    trace_reset();
    CHECK(coro_run(spawn_no_switch, NULL) == 0);
    CHECK_STR(trace_buf, "spawnedA spawnedB A0 B0 main A1 B1 A2 B2 joined");

    /* C1 and C2 wait on the empty queue; put1 wakes C1 (no switch), put2
     * finds the queue full and suspends; C1 takes 1 and wakes the producer,
     * then waits again behind C2; put2 wakes C2, and so on. */
    trace_reset();
    CHECK(coro_run(queue_main, NULL) == 0);
    CHECK_STR(trace_buf, "put1 put2 C1:1 put3 C2:2 pdone C1:3 joinedq C2:closed C1:closed");

    trace_reset();
    CHECK(coro_run(lost_main, NULL) == 0);
    CHECK_STR(trace_buf, "put1 G2:1 main G1:2 got3 p5 main got5 p4 got4 G3:-32");

    trace_reset();
    CHECK(coro_run(timer_main, NULL) == 0);
    CHECK_STR(trace_buf, "s0 s30 s30 s60 s90");

    trace_reset();
    CHECK(coro_run(tie_main, NULL) == 0);
    CHECK_STR(trace_buf, "t0 t1 t2 t3 t4 t5");

    trace_reset();
    CHECK(coro_run(event_main, NULL) == 0);
    CHECK_STR(trace_buf, "w1 w2 set cleared r1 r2 end");
    TEST_END();
}
