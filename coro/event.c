/* event.c — asyncio.Event: set wakes every waiter; a waiter woken by set
 * returns even if the event was cleared again before it ran (as asyncio). */
#include "coro_int.h"

void coro_event_init(coro_event_t *e) {
    e->is_set = 0;
    e->wait_head = e->wait_tail = NULL;
}

void coro_event_set(coro_event_t *e) {
    coro_sched *s = coro_S;
    e->is_set = 1;
    if (!s) return;
    coro_wlist w = {e->wait_head, e->wait_tail};
    coro__wake_all(s, &w);
    e->wait_head = e->wait_tail = NULL;
}

void coro_event_clear(coro_event_t *e) {
    e->is_set = 0;
}
int coro_event_is_set(const coro_event_t *e) {
    return e->is_set;
}

void coro_event_wait(coro_event_t *e) {
    coro_sched *s = coro_S;
    if (e->is_set || !s) return;
    coro_wlist w = {e->wait_head, e->wait_tail};
    coro__wlist_push(&w, s->cur);
    e->wait_head = w.head;
    e->wait_tail = w.tail;
    coro__block(s, s->cur);
}
