/* bm_pthread_spawn.c — pthread_create + pthread_join of a thread that does
 * nothing, at the default stack size and at 64 KiB (the coroutines' default),
 * the kernel-thread price of what spawn_join/coro/{warm,cold} measure. One iteration
 * is one create + join. A failing create is reported, not hidden. */
#include "bm.h"
#include "gb.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

static void *nop_thread(void *arg) {
    return arg;
}

static void bm_pthread_spawn(gb_state *s, void *arg) {
    size_t stack = *(const size_t *)arg;
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    char msg[128];
    int err = stack ? pthread_attr_setstacksize(&attr, stack) : 0;
    if (err) {
        snprintf(msg, sizeof msg, "pthread_attr_setstacksize(%zu): %s", stack, strerror(err));
        gb_skip(s, msg);
        pthread_attr_destroy(&attr);
        return;
    }
    uint64_t n = gb_start(s, 1);
    for (uint64_t i = 0; i < n; i++) {
        pthread_t t;
        err = pthread_create(&t, &attr, nop_thread, NULL);
        if (err) {
            snprintf(msg, sizeof msg, "pthread_create failed at iteration %llu: %s",
                     (unsigned long long)i, strerror(err));
            gb_skip(s, msg);
            break;
        }
        pthread_join(t, NULL);
    }
    gb_stop(s);
    pthread_attr_destroy(&attr);
}

static const size_t default_stack = 0, small_stack = 64 * 1024;

void bm_register_pthread_spawn(void) {
    static const gb_opts real = {.real_time = 1};
    gb_register("spawn_join/pthread/default_stack", bm_pthread_spawn, (void *)&default_stack,
                &real);
    gb_register("spawn_join/pthread/stack_64k", bm_pthread_spawn, (void *)&small_stack, &real);
}
