/* workload.h — what a workload declares about itself, and what the CLI hands
 * it and gets back.
 *
 * A workload is one C file in bench/workloads/: its own parameter struct, a
 * wl_spec (name, summary, options with their types, ranges, defaults and help,
 * the backends it runs on, a check between options) and its run function. The
 * CLI's parsing, --help, the JSON "params" object and the cross-option checks
 * all come from the spec, so the CLI never names a workload.
 *
 * Registration: every workload file is compiled once per backend (coro,
 * threads, ucontext), and each copy registers itself at start-up with
 * WL_REGISTER (a constructor, backend.h) as one wl_entry: its copy of the
 * spec, its backend and its run function. All copies of a spec come from the
 * same source text, so the CLI parses options with any one of them and runs
 * the entry of the chosen backend. Rejected: a linker section with
 * __start_/__stop_ symbols (ties the build to GNU ld's naming and makes
 * sanitizers' global redzones a concern), and a central table (every new
 * workload would have to edit the CLI).
 */
#ifndef WL_WORKLOAD_H
#define WL_WORKLOAD_H

#include <stddef.h>
#include <stdint.h>

#include "result.h"
#include "sink.h"

enum bk_id { BK_CORO, BK_THREADS, BK_UCONTEXT, BK_COUNT };
#define BK_MASK(b) (1u << (b))
#define BK_ALL (BK_MASK(BK_CORO) | BK_MASK(BK_THREADS) | BK_MASK(BK_UCONTEXT))
extern const char *const bk_names[BK_COUNT];

enum opt_type { OPT_U64, OPT_ENUM, OPT_FLAG };

/* One option. A name without the leading "--" is the workload's one
 * positional argument (required). The value lives in the workload's own
 * parameter struct at `off`: a uint64_t for OPT_U64, an int otherwise. */
typedef struct opt_spec {
    const char *name; /* "--n", or "program" for the positional argument */
    int type;
    uint64_t min, max, def;     /* OPT_U64; def is the index for OPT_ENUM */
    size_t off;                 /* offsetof(<params struct>, field) */
    const char *const *choices; /* OPT_ENUM, NULL-terminated */
    int zero_or_min;            /* OPT_U64: 0 is allowed as well as [min, max] */
    const char *help;
} opt_spec;

#define WL_U64(type, field, nm, lo, hi, d, h)                                                      \
    { nm, OPT_U64, lo, hi, d, offsetof(type, field), NULL, 0, h }
#define WL_U64Z(type, field, nm, lo, hi, d, h)                                                     \
    { nm, OPT_U64, lo, hi, d, offsetof(type, field), NULL, 1, h }
#define WL_ENUM(type, field, nm, ch, d, h)                                                         \
    { nm, OPT_ENUM, 0, 0, d, offsetof(type, field), ch, 0, h }
#define WL_FLAG(type, field, nm, h)                                                                \
    { nm, OPT_FLAG, 0, 1, 0, offsetof(type, field), NULL, 0, h }
#define WL_NOPTS(a) (sizeof a / sizeof a[0])

/* One field of a workload's "results" object: its JSON Schema type
 * ("integer", "number", "string", "integer|null", "string|null"), whether
 * every successful run records it, and what it means (times in ns, sizes in
 * bytes). The CLI fails a run that records an undeclared field or misses a
 * required one, so the declaration cannot drift from the code;
 * `corobench <workload> --results-schema` prints it as JSON Schema. */
typedef struct wl_result_spec {
    const char *name, *type;
    int required;
    const char *help;
} wl_result_spec;
#define WL_RES(nm, ty, h)                                                                          \
    { nm, ty, 1, h }
#define WL_RES_OPT(nm, ty, h)                                                                      \
    { nm, ty, 0, h }

/* What a check between options sees: the backend and which options were on
 * the command line (the others hold their defaults). */
typedef struct wl_check_ctx {
    int backend; /* enum bk_id */
    const struct wl_spec *spec;
    const unsigned char *given; /* given[i]: spec->opts[i] was on the command line */
} wl_check_ctx;

/* 1 when the option stored at offset `off` was on the command line. */
int wl_given(const wl_check_ctx *c, size_t off);
/* Prints "corobench: <message>" as one line on stderr; returns 2 (usage). */
int wl_usage(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The common check of a --workers option: given on a backend outside `ok`
 * (a BK_MASK set), it is a usage error naming the backends that take it. */
int wl_check_workers(const wl_check_ctx *c, size_t off, uint64_t workers, unsigned ok,
                     const char *why);

/* How a workload that prints a program's output wants it (wl_spec.output). */
enum wl_out_mode { WL_OUT_STREAM, WL_OUT_MEM, WL_OUT_DISCARD };

typedef void (*wl_fn)(const void *params, out_sink *out, wl_result *r);

typedef struct wl_spec {
    const char *name;
    const char *summary;
    const opt_spec *opts;
    size_t nopts;
    size_t params_size;            /* sizeof the workload's parameter struct */
    unsigned backends;             /* BK_MASK set it runs on */
    const wl_result_spec *results; /* the fields of its "results" object */
    size_t nresults;
    /* Checks between options after all are parsed (may normalise params);
     * 0, or 2 after one wl_usage line. NULL: none. */
    int (*check)(void *params, const wl_check_ctx *c);
    /* Workloads that print a program's output: where it goes, given the
     * params and whether a JSON result was asked for; the JSON result then
     * carries results.output. NULL: the workload prints nothing. */
    int (*output)(const void *params, int json);
} wl_spec;

typedef struct wl_entry {
    const wl_spec *spec;
    int backend; /* enum bk_id */
    wl_fn run;
    const char *(*switch_impl)(void); /* the backend's context switch, for env */
    struct wl_entry *next;
} wl_entry;

/* Called by WL_REGISTER's constructor (backend.h). */
void wl_register(wl_entry *e);
/* The registered entries, sorted by workload name then backend. */
const wl_entry *wl_entries(void);

/* Choices shared by several workloads' --pin options. */
enum wl_pin { WL_PIN_NONE, WL_PIN_SAME, WL_PIN_SPLIT };
extern const char *const wl_pin_names[];

#endif
