/* opts.h — the command line, read from the workloads' specs (workload.h):
 * strict number parsing, --help, the checks between options.
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

/* Most options one workload may declare (wl_register checks). */
#define CLI_MAX_OPTS 32

typedef struct cli {
    const wl_entry *wl; /* the workload on the chosen backend */
    int backend;
    int json;
    const char *out_path;              /* --out FILE, or NULL */
    void *params;                      /* the workload's parameter struct (malloc'd) */
    unsigned char given[CLI_MAX_OPTS]; /* given[i]: option i was on the command line */
} cli;

/* The entry of workload `name` on `backend` (-1: any backend), or NULL. */
const wl_entry *wl_find(const char *name, int backend);
/* 0 when w runs on backend, else 2 after a usage line. */
int wl_check_backend(const wl_spec *w, int backend);

/* Parses argv into *c. Returns 0 to run, 1 when help was printed (exit 0), 2
 * after printing a one-line usage error on stderr. cli_free() in every case. */
int cli_parse(cli *c, int argc, char **argv);
void cli_free(cli *c);

/* The value of option o of c's workload, as an int (ENUM/FLAG) or uint64_t. */
int cli_opt_int(const cli *c, const opt_spec *o);
uint64_t cli_opt_u64(const cli *c, const opt_spec *o);

#endif
