/* gb.h — a C face for Google Benchmark, so that benchmark bodies stay C11.
 *
 * Why: the suite is C, Google Benchmark is C++. shim.cc wraps the few calls
 * the microbenchmarks need (registration, a timed batch, counters, context)
 * behind this header; no C++ reaches the bm_*.c files.
 *
 * A body runs the whole timed loop itself, so no per-iteration call into C++
 * sits inside the measurement:
 *
 *     static void bm_x(gb_state *s, void *arg) {
 *         ... set-up (not timed) ...
 *         uint64_t n = gb_start(s, 1);   // starts the clock
 *         for (uint64_t i = 0; i < n; i++) work();
 *         gb_stop(s);                    // stops it
 *         ... tear-down (not timed) ...
 *     }
 *
 * Time per iteration is what Google Benchmark reports, so a body must make one
 * iteration mean one unit (one switch, one spawn, one item); gb_start's
 * `multiple` rounds the count up so that a body doing round trips of two
 * switches runs an exact number of them.
 */
#ifndef GB_H
#define GB_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct gb_state gb_state;
typedef void (*gb_fn)(gb_state *s, void *arg);

typedef struct gb_opts {
    int real_time; /* report wall-clock time (any benchmark involving threads) */
} gb_opts;

/* Registers fn(s, arg) under name (copied) with median/min/max aggregates.
 * o may be NULL (CPU time of the main thread). */
void gb_register(const char *name, gb_fn fn, void *arg, const gb_opts *o);

/* Starts the clock and returns how many iterations to run: at least what
 * Google Benchmark asked for, rounded up to a multiple of `multiple` (>= 1).
 * Call once per body; returns 0 after gb_skip(). */
uint64_t gb_start(gb_state *s, uint64_t multiple);
/* Stops the clock; the body must have run exactly the count gb_start gave. */
void gb_stop(gb_state *s);
/* Excludes a stretch inside the timed loop (costly: about a microsecond). */
void gb_pause(gb_state *s);
void gb_resume(gb_state *s);

/* The run failed (thread creation, mmap ...): recorded in the JSON as
 * error_occurred/error_message; the other benchmarks go on. */
void gb_skip(gb_state *s, const char *msg);

/* items/s, shown as a rate counter `items_per_second`. */
void gb_set_items_processed(gb_state *s, uint64_t items);
/* A user counter: GB_RATE divides by time, GB_PER_ITER by iterations. */
enum { GB_PLAIN = 0, GB_RATE = 1, GB_PER_ITER = 2 };
void gb_counter(gb_state *s, const char *name, double value, int kind);

/* Key/value in the JSON "context" (before gb_main runs the benchmarks). */
void gb_add_context(const char *key, const char *value);

/* Parses Google Benchmark's flags (plus --quick), runs what is registered.
 * Defaults: 5 repetitions, 0.2 s minimum time, aggregates only on screen;
 * --quick: 3 repetitions, 0.05 s. Later flags override. Returns the exit
 * code: 0, 2 for a bad command line. */
int gb_main(int argc, char **argv);

#ifdef __cplusplus
}
#endif
#endif
