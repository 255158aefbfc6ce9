/* workload.h — what the CLI hands a workload and what the workload hands back.
 *
 * Why one shared header: the CLI (compiled once) and the workloads (compiled
 * once per backend) must agree on the parameter and result structures; the
 * entry points of every backend's copy are declared here so that main.c can
 * build its dispatch table.
 */
#ifndef WL_WORKLOAD_H
#define WL_WORKLOAD_H

#include <stdint.h>

#include "result.h"
#include "sink.h"

enum wl_article_prog { WL_ART_SEQUENTIAL, WL_ART_CONCURRENT, WL_ART_QUEUE };
enum wl_pin { WL_PIN_NONE, WL_PIN_SAME, WL_PIN_SPLIT };
enum wl_mech { WL_MECH_YIELD, WL_MECH_FUTEX, WL_MECH_CONDVAR };

/* Every option of every workload, after defaults (the CLI validated them). */
typedef struct wl_params {
    /* article */
    int article_prog;
    uint64_t n;        /* article, switch, spawn */
    uint64_t capacity; /* article queue, prodcons; 0 = unbounded */
    uint64_t runs;     /* article */
    out_sink *out;     /* article: where the program's lines go */
    /* switch */
    int pin, mech;
    /* spawn, cpubound */
    int alive;
    uint64_t stack; /* bytes, 0 = backend default */
    int stack_mode; /* spawn: 0 own stacks, 1 coroutines on a shared stack (copy-stack) */
    /* prodcons */
    uint64_t producers, consumers, items, work_ns;
    /* cpubound, fairness */
    uint64_t tasks, total_work, wss, yield_every;
    uint64_t period_us, yield_us, duration_ms;
    /* echo (bench/echo/; also uses pin, stack, duration_ms). buf: bytes the
     * server reads and writes back at a time, a buffer on each connection's
     * stack, the same for both backends; by default 1 KiB, as Tokio's echo
     * example. Requests are 64 B; a larger buffer only moves the bytes it
     * receives further from the top of the stack: with 4 KiB each connection
     * touches a second stack page (bench/echo/README.md has both measured). */
    uint64_t connections, size, max_requests, workers, buf;
} wl_params;
#define ECHO_BUF_DEFAULT 1024
#define ECHO_BUF_MAX 16384

typedef void (*wl_fn)(const wl_params *p, wl_result *r);

#define WL_DECLARE(backend)                                                                        \
    void wl_##backend##_article(const wl_params *p, wl_result *r);                                 \
    void wl_##backend##_switch(const wl_params *p, wl_result *r);                                  \
    void wl_##backend##_spawn(const wl_params *p, wl_result *r);                                   \
    void wl_##backend##_prodcons(const wl_params *p, wl_result *r);                                \
    void wl_##backend##_cpubound(const wl_params *p, wl_result *r);                                \
    void wl_##backend##_fairness(const wl_params *p, wl_result *r);                                \
    void wl_##backend##_echo(const wl_params *p, wl_result *r);                                    \
    const char *wl_##backend##_switch_impl(void);

WL_DECLARE(coro)
WL_DECLARE(threads)
WL_DECLARE(ucontext)

#endif
