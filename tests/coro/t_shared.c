/* t_shared.c — the shared-stack mode beyond the order tests (which t_order
 * and t_queue run in this mode too): deep frames survive many copies out and
 * back with their locals intact, and the spawn options are checked. */
#include "coro.h"
#include "check.h"

#include <stdint.h>
#include <string.h>

enum { DEPTH = 24, FRAME = 256, SWITCHES = 1000 };

static long yields_done[2];

/* Each level keeps FRAME bytes of its own pattern; the deepest yields
 * SWITCHES times, then every level checks its bytes on the way back. */
static int descend(int who, int level) {
    volatile unsigned char mine[FRAME];
    for (int i = 0; i < FRAME; i++) mine[i] = (unsigned char)(who * 131 + level * 7 + i);
    int bad = 0;
    if (level + 1 < DEPTH) {
        bad = descend(who, level + 1);
    } else {
        for (int k = 0; k < SWITCHES; k++) {
            coro_yield();
            yields_done[who]++;
        }
    }
    for (int i = 0; i < FRAME; i++)
        if (mine[i] != (unsigned char)(who * 131 + level * 7 + i)) bad++;
    return bad;
}

static int bad_bytes[2];
static void deep(void *arg) {
    int who = (int)(uintptr_t)arg;
    bad_bytes[who] = descend(who, 0);
}

static void plain(void *arg) {
    (void)arg;
    for (int k = 0; k < SWITCHES; k++) coro_yield();
}

static coro_stats st;
static void deep_main(void *arg) {
    (void)arg;
    coro_spawn_opts o;
    coro_spawn_opts_init(&o);
    o.stack_mode = CORO_STACK_SHARED;
    coro_t *a = coro_spawn_ex(deep, (void *)0, &o), *b = coro_spawn_ex(deep, (void *)1, &o);
    coro_t *c = coro_spawn(plain, NULL); /* own stack: in between, nothing to copy */
    CHECK(a && b && c);
    CHECK(coro_join(a) == 0);
    CHECK(coro_join(b) == 0);
    CHECK(coro_join(c) == 0);
    CHECK(coro_get_stats(&st) == 0);
}

static void nothing(void *arg) {
    (void)arg;
}

static int spawn_err(int mode, size_t size) {
    coro_spawn_opts o;
    coro_spawn_opts_init(&o);
    o.stack_mode = mode;
    o.stack_size = size;
    coro_t *c = coro_spawn_ex(nothing, NULL, &o);
    if (c) {
        coro_join(c);
        return 0;
    }
    return coro_last_error();
}

static int errs[4];
static void opts_main(void *arg) {
    (void)arg;
    errs[0] = spawn_err(2, 0);
    errs[1] = spawn_err(CORO_STACK_SHARED, CORO_SHARED_STACK * 2);
    errs[2] = spawn_err(CORO_STACK_SHARED, 0);
}
static void mn_main(void *arg) {
    (void)arg;
    errs[3] = spawn_err(CORO_STACK_SHARED, 0);
}

int main(void) {
    CHECK(coro_run(deep_main, NULL) == 0);
    CHECK(yields_done[0] == SWITCHES && yields_done[1] == SWITCHES);
    CHECK(bad_bytes[0] == 0 && bad_bytes[1] == 0);
    /* The two deep ones took turns on the shared stack: each turn copied one
     * out, with all its frames (more than DEPTH * FRAME bytes). */
    CHECK(st.stack_saves >= 2 * SWITCHES);
    CHECK(st.stack_saves && st.stack_bytes / st.stack_saves >= (uint64_t)DEPTH * FRAME);
    fprintf(stderr, "%llu saves, %llu bytes each on average\n", (unsigned long long)st.stack_saves,
            (unsigned long long)(st.stack_saves ? st.stack_bytes / st.stack_saves : 0));

    CHECK(coro_run(opts_main, NULL) == 0);
    CHECK(errs[0] == CORO_EINVAL);
    CHECK(errs[1] == CORO_EINVAL);
    CHECK(errs[2] == 0);
    coro_run_opts ro;
    coro_run_opts_init(&ro);
    ro.workers = 2;
    CHECK(coro_run_ex(mn_main, NULL, &ro) == 0);
    CHECK(errs[3] == CORO_ENOTSUP);
    TEST_END();
}
