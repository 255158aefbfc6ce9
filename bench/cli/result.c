/* result.c — filling a wl_result (see result.h). Setting a field twice
 * replaces it, so a workload can record a provisional value and fix it later. */
#include "result.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void res_init(wl_result *r) {
    memset(r, 0, sizeof *r);
    r->ok = 1;
}

void res_free(wl_result *r) {
    for (int i = 0; i < r->nfields; i++) free(r->fields[i].s);
    r->nfields = 0;
}

static res_field *slot(wl_result *r, const char *name) {
    for (int i = 0; i < r->nfields; i++) {
        if (strcmp(r->fields[i].name, name) == 0) {
            free(r->fields[i].s);
            r->fields[i].s = NULL;
            return &r->fields[i];
        }
    }
    if (r->nfields == RES_MAX_FIELDS) {
        /* A programming error in a workload, not a run-time condition. */
        fprintf(stderr, "corobench: internal error: too many result fields\n");
        abort();
    }
    res_field *f = &r->fields[r->nfields++];
    memset(f, 0, sizeof *f);
    f->name = name;
    return f;
}

void res_u64(wl_result *r, const char *name, uint64_t v) {
    res_field *f = slot(r, name);
    f->kind = RES_U64;
    f->u = v;
}

void res_i64(wl_result *r, const char *name, int64_t v) {
    res_field *f = slot(r, name);
    f->kind = RES_I64;
    f->i = v;
}

void res_f64(wl_result *r, const char *name, double v) {
    res_field *f = slot(r, name);
    f->kind = RES_F64;
    f->f = v;
}

void res_str(wl_result *r, const char *name, const char *s) {
    res_field *f = slot(r, name);
    if (!s) {
        f->kind = RES_NULL;
        return;
    }
    f->s = strdup(s);
    f->kind = f->s ? RES_STR : RES_NULL;
}

void res_null(wl_result *r, const char *name) {
    slot(r, name)->kind = RES_NULL;
}

void res_fail(wl_result *r, const char *fmt, ...) {
    if (!r->ok) return;
    r->ok = 0;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->error, sizeof r->error, fmt, ap);
    va_end(ap);
}
