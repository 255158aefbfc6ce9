/* article.c — the article's three programs (sequential, concurrent, queue).
 *
 * countdown(task, n) counts n down to 1 and calls divisible_by(task, k, 3),
 * which prints "<task> <k> divisible" or "<task> <k> not-divisible". In the
 * concurrent and queue programs divisible_by first suspends (bk_yield: on
 * coroutines asyncio.sleep(0), on threads sched_yield). The queue program has
 * consumers C1 and C2 (spawned first) and a producer putting n..1; main joins
 * the producer, then the queue, closes it, joins the consumers, prints "done".
 *
 * Checksum: the SUM of one hash per printed line (order-independent, as the
 * thread orders vary). In the queue program a line is hashed without the
 * consumer's name, since which consumer takes which item is scheduling, not
 * work. With --runs K the program runs K times into memory and the number of
 * distinct outputs (64-bit FNV-1a of the whole text plus its length) is
 * reported.
 */
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "backend.h"
#include "checksum.h"
#include "workload.h"

enum art_prog { ART_SEQUENTIAL, ART_CONCURRENT, ART_QUEUE };

typedef struct art_params {
    int prog; /* enum art_prog */
    uint64_t n, capacity, runs;
} art_params;

typedef struct art_ctx {
    const art_params *p;
    out_sink *out; /* where the program's lines go */
    bk_queue *q;
    _Atomic uint64_t sum;   /* order-independent checksum of the lines */
    _Atomic uint64_t lines; /* lines printed */
    int err;                /* first backend error (written by main only) */
    const char *err_what;
} art_ctx;

typedef struct art_task {
    art_ctx *ctx;
    const char *name;
} art_task;

static void emit(art_ctx *c, const char *name, uint64_t k, int hash_name) {
    int div = k % 3 == 0;
    char line[64];
    int n = snprintf(line, sizeof line, "%s %llu %s\n", name, (unsigned long long)k,
                     div ? "divisible" : "not-divisible");
    sink_write(c->out, line, (size_t)n);
    uint64_t h =
        fnv_item(hash_name ? fnv_bytes(FNV_INIT, name, strlen(name)) : 0, k, (uint64_t)div);
    atomic_fetch_add_explicit(&c->sum, h, memory_order_relaxed);
    atomic_fetch_add_explicit(&c->lines, 1, memory_order_relaxed);
}

static void divisible_by(art_ctx *c, const char *name, uint64_t k, int suspend, int hash_name) {
    if (suspend) bk_yield();
    emit(c, name, k, hash_name);
}

static void countdown(void *arg) {
    art_task *t = arg;
    int suspend = t->ctx->p->prog == ART_CONCURRENT;
    for (uint64_t k = t->ctx->p->n; k > 0; k--) divisible_by(t->ctx, t->name, k, suspend, 1);
}

static void consumer(void *arg) {
    art_task *t = arg;
    void *item;
    while (bk_queue_get(t->ctx->q, &item) == 0) {
        divisible_by(t->ctx, t->name, (uint64_t)(uintptr_t)item, 1, 0);
        bk_queue_task_done(t->ctx->q);
    }
}

static void producer(void *arg) {
    art_task *t = arg;
    for (uint64_t k = t->ctx->p->n; k > 0; k--) {
        int rc = bk_queue_put(t->ctx->q, (void *)(uintptr_t)k);
        if (rc != 0) {
            /* Only possible when an unbounded queue cannot grow; the consumers
             * still drain what was put, main reports the error. */
            t->ctx->err = rc;
            t->ctx->err_what = "queue put";
            bk_queue_close(t->ctx->q);
            return;
        }
    }
}

static bk_task *spawn_or_note(art_ctx *c, void (*fn)(void *), void *arg) {
    int err = 0;
    bk_task *t = bk_spawn(fn, arg, NULL, &err);
    if (!t && !c->err) {
        c->err = err ? err : -12;
        c->err_what = "spawn";
    }
    return t;
}

static void art_main(void *arg) {
    art_ctx *c = arg;
    if (c->p->prog != ART_QUEUE) {
        art_task a = {c, "A"}, b = {c, "B"};
        bk_task *ta = spawn_or_note(c, countdown, &a);
        bk_task *tb = spawn_or_note(c, countdown, &b);
        if (ta) bk_join(ta);
        if (tb) bk_join(tb);
        return;
    }
    c->q = bk_queue_new((size_t)c->p->capacity);
    if (!c->q) {
        c->err = -12;
        c->err_what = "queue allocation";
        return;
    }
    art_task c1 = {c, "C1"}, c2 = {c, "C2"}, pr = {c, "P"};
    bk_task *t1 = spawn_or_note(c, consumer, &c1);
    bk_task *t2 = spawn_or_note(c, consumer, &c2);
    bk_task *tp = (t1 || t2) ? spawn_or_note(c, producer, &pr) : NULL;
    if (tp) {
        bk_join(tp);
        bk_queue_join(c->q);
    }
    bk_queue_close(c->q);
    if (t1) bk_join(t1);
    if (t2) bk_join(t2);
    bk_queue_free(c->q);
    c->q = NULL;
    if (!c->err) {
        sink_write(c->out, "done\n", 5);
        uint64_t h = fnv_bytes(FNV_INIT, "done", 4);
        atomic_fetch_add_explicit(&c->sum, h, memory_order_relaxed);
        atomic_fetch_add_explicit(&c->lines, 1, memory_order_relaxed);
    }
}

/* One run of the program; 0 or fails r. */
static int run_once(const art_params *p, out_sink *out, wl_result *r, uint64_t *checksum,
                    uint64_t *lines) {
    art_ctx c;
    memset(&c, 0, sizeof c);
    c.p = p;
    c.out = out;
    atomic_init(&c.sum, 0);
    atomic_init(&c.lines, 0);
    int rc = bk_run(art_main, &c);
    if (rc != 0) {
        res_fail(r, "%s run failed: %s", BK_NAME, bk_strerror(rc));
        return -1;
    }
    if (c.err) {
        res_fail(r, "%s failed: %s", c.err_what, bk_strerror(c.err));
        return -1;
    }
    if (out->failed) {
        res_fail(r, "writing the program's output failed");
        return -1;
    }
    *lines = atomic_load(&c.lines);
    *checksum = fnv_u64(fnv_u64(FNV_INIT, atomic_load(&c.sum)), *lines);
    return 0;
}

#define ART_MAX_RUNS 1000

static void art_workload(const void *params, out_sink *out, wl_result *r) {
    const art_params *p = params;
    uint64_t checksum = 0, lines = 0;
    if (p->runs <= 1) {
        if (run_once(p, out, r, &checksum, &lines) != 0) return;
        r->checksum = checksum;
        res_u64(r, "lines", lines);
        res_u64(r, "runs", 1);
        res_u64(r, "distinct_orders", 1);
        return;
    }
    /* K runs, each into memory; count distinct outputs by hash and length. */
    uint64_t seen_h[ART_MAX_RUNS];
    size_t seen_len[ART_MAX_RUNS];
    uint64_t distinct = 0, runs = p->runs > ART_MAX_RUNS ? ART_MAX_RUNS : p->runs;
    for (uint64_t i = 0; i < runs; i++) {
        sink_clear(out);
        uint64_t cs = 0, ln = 0;
        if (run_once(p, out, r, &cs, &ln) != 0) return;
        if (i == 0) {
            checksum = cs;
            lines = ln;
        } else if (cs != checksum || ln != lines) {
            res_fail(r, "run %llu did different work: checksum 0x%016llx, expected 0x%016llx",
                     (unsigned long long)i + 1, (unsigned long long)cs,
                     (unsigned long long)checksum);
            return;
        }
        uint64_t h = fnv_bytes(FNV_INIT, out->buf ? out->buf : "", out->len);
        uint64_t j;
        for (j = 0; j < distinct; j++)
            if (seen_h[j] == h && seen_len[j] == out->len) break;
        if (j == distinct) {
            seen_h[distinct] = h;
            seen_len[distinct] = out->len;
            distinct++;
        }
    }
    r->checksum = checksum;
    res_u64(r, "lines", lines);
    res_u64(r, "runs", runs);
    res_u64(r, "distinct_orders", distinct);
}

/* With --runs above 1 every run's output is held in memory at once. */
static int art_check(void *params, const wl_check_ctx *c) {
    const art_params *p = params;
    (void)c;
    if (p->runs > 1 && p->n > 1000000)
        return wl_usage("--n: with --runs above 1, expected an integer in [1, 1000000], got '%llu'",
                        (unsigned long long)p->n);
    return 0;
}

/* The output kept in memory (for --json's results.output) up to this --n. */
#define ART_CAPTURE_MAX_N 100000

/* Without --json, one run prints as the article's program does; otherwise it
 * is captured (several runs must be compared; a big single run is dropped). */
static int art_output(const void *params, int json) {
    const art_params *p = params;
    if (!json && p->runs <= 1) return WL_OUT_STREAM;
    return p->runs > 1 || p->n <= ART_CAPTURE_MAX_N ? WL_OUT_MEM : WL_OUT_DISCARD;
}

static const char *const art_progs[] = {"sequential", "concurrent", "queue", NULL};
static const opt_spec art_opts[] = {
    WL_ENUM(art_params, prog, "program", art_progs, 0,
            "which of the article's programs (positional)"),
    WL_U64(art_params, n, "--n", 1, UINT64_C(10000000000), 6,
           "count down from n (at most 1000000 with --runs above 1)"),
    WL_U64Z(art_params, capacity, "--capacity", 0, 1000000000, 0,
            "queue program: queue capacity, 0 = unbounded"),
    WL_U64(art_params, runs, "--runs", 1, 1000, 1,
           "run K times in memory and count distinct output orders"),
};
static const wl_result_spec art_results[] = {
    WL_RES("lines", "integer", "lines the program printed"),
    WL_RES("runs", "integer", "runs done (--runs)"),
    WL_RES("distinct_orders", "integer", "distinct outputs over the runs (1 without --runs)"),
    WL_RES_OPT("output", "string|null",
               "with --json: the program's text when it fits the result, else null"),
};
static const wl_spec art_spec = {
    .name = "article",
    .summary = "the article's programs: countdown with a divisibility test",
    .opts = art_opts,
    .nopts = WL_NOPTS(art_opts),
    .results = art_results,
    .nresults = WL_NOPTS(art_results),
    .params_size = sizeof(art_params),
    .backends = BK_ALL,
    .check = art_check,
    .output = art_output,
};
WL_REGISTER(art_spec, art_workload)
