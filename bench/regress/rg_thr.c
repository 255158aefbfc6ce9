/* rg_thr.c — one thread-queue operation done a fixed number of times, for
 * instruction counting under callgrind (see README.md).
 *
 * usage: rg_thr queue <n>
 *   queue  thr_queue_put + thr_queue_get on a non-full queue by one thread (n)
 *
 * Why one thread: an uncontended mutex and condition variable take the same
 * path every time, so the count is exact; two threads under valgrind would
 * make it depend on valgrind's thread scheduling.
 */
#include "rg_common.h"

#include <thr.h>

static const char *prog = "rg_thr";

static void put_get_once(thr_queue_t *q, uint64_t i) {
    void *item = NULL;
    int rc = thr_queue_put(q, (void *)(uintptr_t)(i + 1));
    if (rc == 0) rc = thr_queue_get(q, &item);
    if (rc != 0) {
        fprintf(stderr, "%s: queue: %s\n", prog, thr_strerror(rc));
        exit(1);
    }
    if ((uintptr_t)item != i + 1) {
        fprintf(stderr, "%s: queue: got item %ju, expected %ju\n", prog, (uintmax_t)(uintptr_t)item,
                (uintmax_t)(i + 1));
        exit(1);
    }
}

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: %s queue <n>\n", prog);
        return 2;
    }
    if (strcmp(argv[1], "queue") != 0) {
        fprintf(stderr, "%s: unknown operation '%s' (queue)\n", prog, argv[1]);
        return 2;
    }
    uint64_t n = rg_parse_n(prog, argv[2]);
    thr_queue_t *q = thr_queue_new(1024);
    if (!q) {
        fprintf(stderr, "%s: queue: %s\n", prog, thr_strerror(THR_ENOMEM));
        return 1;
    }
    for (int i = 0; i < RG_WARMUP; i++) put_get_once(q, (uint64_t)i);
    CALLGRIND_TOGGLE_COLLECT;
    for (uint64_t i = 0; i < n; i++) put_get_once(q, i);
    CALLGRIND_TOGGLE_COLLECT;
    thr_queue_free(q);
    rg_report("queue", n, n, "put+get");
    return 0;
}
