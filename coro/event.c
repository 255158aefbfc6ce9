/* event.c — asyncio.Event: set wakes every waiter; a waiter woken by set
 * returns even if the event was cleared again before it ran (as asyncio).
 * With several workers the event's own lock guards it. */
#include "coro_int.h"

void coro_event_init(coro_event_t *e) {
    e->is_set = 0;
    e->lock = 0;
    e->wait_head = e->wait_tail = NULL;
}

static int multi(const coro_sched *s) {
    return s && s->world;
}

void coro_event_set(coro_event_t *e) {
    coro_sched *s = coro_S;
    if (multi(s)) coro__lock(&e->lock);
    __atomic_store_n(&e->is_set, 1, __ATOMIC_RELEASE);
    coro_wlist w = {e->wait_head, e->wait_tail};
    e->wait_head = e->wait_tail = NULL;
    if (multi(s)) coro__unlock(&e->lock);
    if (s) coro__wake_all(s, &w);
}

void coro_event_clear(coro_event_t *e) {
    __atomic_store_n(&e->is_set, 0, __ATOMIC_RELEASE);
}
int coro_event_is_set(const coro_event_t *e) {
    return __atomic_load_n(&e->is_set, __ATOMIC_ACQUIRE);
}

void coro_event_wait(coro_event_t *e) {
    coro_sched *s = coro_S;
    if (!s || coro_event_is_set(e)) return;
    int *held = multi(s) ? &e->lock : NULL;
    if (held) {
        coro__lock(held);
        if (e->is_set) {
            coro__unlock(held);
            return;
        }
    }
    coro_wlist w = {e->wait_head, e->wait_tail};
    coro__wlist_push(&w, s->cur);
    e->wait_head = w.head;
    e->wait_tail = w.tail;
    coro__block(s, s->cur, held); /* the lock is released once we are switched out */
}
