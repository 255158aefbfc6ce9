/* thr_event.c — asyncio.Event on a mutex and a condition variable.
 *
 * set() releases every thread waiting at that moment, even if clear() follows
 * before they get to run (asyncio's behaviour: a waiter's future is resolved
 * by set). A generation counter gives that: a waiter returns when the flag is
 * set or when the generation moved since it began waiting.
 */
#include "thr.h"
#include "thr_testing.h"

#include <pthread.h>
#include <stdlib.h>

struct thr_event {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    unsigned long gen; /* bumped by every set() that changes the flag */
    unsigned waiters;
    int is_set;
};

thr_event_t *thr_event_new(void) {
    thr_event_t *e = calloc(1, sizeof *e);
    if (!e) return NULL;
    if (pthread_mutex_init(&e->mu, NULL) != 0) {
        free(e);
        return NULL;
    }
    if (pthread_cond_init(&e->cv, NULL) != 0) {
        pthread_mutex_destroy(&e->mu);
        free(e);
        return NULL;
    }
    return e;
}

void thr_event_free(thr_event_t *e) {
    if (!e) return;
    pthread_cond_destroy(&e->cv);
    pthread_mutex_destroy(&e->mu);
    free(e);
}

void thr_event_set(thr_event_t *e) {
    if (!e) return;
    pthread_mutex_lock(&e->mu);
    if (!e->is_set) {
        e->is_set = 1;
        e->gen++;
        /* Every waiter must go: broadcast, and only when there is one. */
        if (e->waiters) pthread_cond_broadcast(&e->cv);
    }
    pthread_mutex_unlock(&e->mu);
}

void thr_event_clear(thr_event_t *e) {
    if (!e) return;
    pthread_mutex_lock(&e->mu);
    e->is_set = 0;
    pthread_mutex_unlock(&e->mu);
}

int thr_event_is_set(thr_event_t *e) {
    if (!e) return 0;
    pthread_mutex_lock(&e->mu);
    int s = e->is_set;
    pthread_mutex_unlock(&e->mu);
    return s;
}

void thr_event_wait(thr_event_t *e) {
    if (!e) return;
    pthread_mutex_lock(&e->mu);
    unsigned long gen = e->gen;
    while (!e->is_set && e->gen == gen) {
        e->waiters++;
        pthread_cond_wait(&e->cv, &e->mu);
        e->waiters--;
    }
    pthread_mutex_unlock(&e->mu);
}

/* For tests/threads (thr_testing.h). */
unsigned thr_event_waiters_(thr_event_t *e) {
    pthread_mutex_lock(&e->mu);
    unsigned n = e->waiters;
    pthread_mutex_unlock(&e->mu);
    return n;
}
