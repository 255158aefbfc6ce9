/* opts.h — the command line: option tables, strict number parsing, --help.
 *
 * Why strict: a benchmark run with a silently misread option produces a wrong
 * number that looks right. Every numeric option is parsed with strtoull and
 * checked for sign, emptiness, trailing junk, overflow and its range; any
 * problem is one line on stderr naming the option and exit code 2.
 */
#ifndef WL_OPTS_H
#define WL_OPTS_H

#include <stddef.h>
#include <stdint.h>

#include "workload.h"

enum opt_type { OPT_U64, OPT_ENUM, OPT_FLAG };

typedef struct opt_spec {
    const char *name; /* "--n" */
    int type;
    uint64_t min, max, def;     /* OPT_U64; def is the index for OPT_ENUM */
    size_t off;                 /* offsetof(wl_params, field): uint64_t for U64, int otherwise */
    const char *const *choices; /* OPT_ENUM, NULL-terminated */
    int zero_or_min;            /* OPT_U64: 0 is allowed as well as [min, max] */
    const char *help;
} opt_spec;

typedef struct wl_spec {
    const char *name;
    const char *summary;
    const opt_spec *opts;
    size_t nopts;
    wl_fn fn[3]; /* indexed by enum bk_id */
} wl_spec;

enum bk_id { BK_CORO, BK_THREADS, BK_UCONTEXT, BK_COUNT };
extern const char *const bk_names[BK_COUNT];

typedef struct cli {
    const wl_spec *wl;
    int backend;
    int json;
    const char *out_path; /* --out FILE, or NULL */
    wl_params params;
    unsigned char given[32]; /* given[i]: option i was on the command line */
} cli;

extern const wl_spec wl_specs[];
extern const size_t wl_nspecs;

/* Parses argv into *c. Returns 0 to run, 1 when help was printed (exit 0), 2
 * after printing a one-line usage error on stderr. */
int cli_parse(cli *c, int argc, char **argv);

/* The value of option i of c->wl, as an int (ENUM/FLAG) or uint64_t. */
int cli_opt_int(const cli *c, const opt_spec *o);
uint64_t cli_opt_u64(const cli *c, const opt_spec *o);

#endif
