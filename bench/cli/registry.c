/* registry.c — the workloads that registered themselves (workload.h), and the
 * helpers their option checks use. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "opts.h"
#include "workload.h"

const char *const bk_names[BK_COUNT] = {"coro", "threads", "ucontext"};
const char *const wl_pin_names[] = {"none", "same", "split", NULL};

static wl_entry *g_entries; /* sorted by name, then backend */

void wl_register(wl_entry *e) {
    if (e->spec->nopts > CLI_MAX_OPTS) {
        /* A programming error in a workload, found before main() runs. */
        fprintf(stderr, "corobench: internal error: %s has more than %d options\n", e->spec->name,
                CLI_MAX_OPTS);
        abort();
    }
    wl_entry **at = &g_entries;
    while (*at) {
        int c = strcmp((*at)->spec->name, e->spec->name);
        if (c > 0 || (c == 0 && (*at)->backend > e->backend)) break;
        at = &(*at)->next;
    }
    e->next = *at;
    *at = e;
}

const wl_entry *wl_entries(void) {
    return g_entries;
}

const wl_entry *wl_find(const char *name, int backend) {
    for (const wl_entry *e = g_entries; e; e = e->next)
        if (strcmp(e->spec->name, name) == 0 && (backend < 0 || e->backend == backend)) return e;
    return NULL;
}

int wl_given(const wl_check_ctx *c, size_t off) {
    for (size_t i = 0; i < c->spec->nopts; i++)
        if (c->spec->opts[i].off == off) return c->given[i];
    return 0;
}

int wl_usage(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fputs("corobench: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    return 2;
}

/* "coro", "coro or threads", "coro, threads or ucontext". */
static void backend_list(unsigned mask, char *buf, size_t cap) {
    int n = 0, total = 0;
    for (int b = 0; b < BK_COUNT; b++) total += (mask & BK_MASK(b)) != 0;
    buf[0] = '\0';
    for (int b = 0; b < BK_COUNT; b++) {
        if (!(mask & BK_MASK(b))) continue;
        const char *sep = n == 0 ? "" : n == total - 1 ? " or " : ", ";
        size_t len = strlen(buf);
        snprintf(buf + len, cap - len, "%s%s", sep, bk_names[b]);
        n++;
    }
}

int wl_check_workers(const wl_check_ctx *c, size_t off, uint64_t workers, unsigned ok,
                     const char *why) {
    if ((ok & BK_MASK(c->backend)) || !wl_given(c, off)) return 0;
    char list[64], deflt[64];
    backend_list(ok, list, sizeof list);
    if (!why) {
        snprintf(deflt, sizeof deflt, "the %s backend has no workers", bk_names[c->backend]);
        why = deflt;
    }
    return wl_usage("--workers: %s; --workers needs --backend %s, got '%llu'", why, list,
                    (unsigned long long)workers);
}

int wl_check_backend(const wl_spec *w, int backend) {
    if (w->backends & BK_MASK(backend)) return 0;
    char list[64];
    backend_list(w->backends, list, sizeof list);
    return wl_usage("--backend: %s runs on %s, got '%s'", w->name, list, bk_names[backend]);
}
