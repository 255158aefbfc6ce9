/* json.c — see json.h. */
#include "json.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void jb_init(jbuf *j) {
    memset(j, 0, sizeof *j);
}

void jb_free(jbuf *j) {
    free(j->s);
    jb_init(j);
}

static void put(jbuf *j, const char *s, size_t n) {
    if (j->oom) return;
    if (j->len + n + 1 > j->cap) {
        size_t cap = j->cap ? j->cap : 1024;
        while (cap < j->len + n + 1) cap *= 2;
        char *ns = realloc(j->s, cap);
        if (!ns) {
            j->oom = 1;
            return;
        }
        j->s = ns;
        j->cap = cap;
    }
    memcpy(j->s + j->len, s, n);
    j->len += n;
    j->s[j->len] = '\0';
}

static void putf(jbuf *j, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void putf(jbuf *j, const char *fmt, ...) {
    char tmp[64];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n > 0) put(j, tmp, (size_t)n < sizeof tmp ? (size_t)n : sizeof tmp - 1);
}

static void quoted(jbuf *j, const char *s) {
    put(j, "\"", 1);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        switch (*p) {
        case '"':
            put(j, "\\\"", 2);
            break;
        case '\\':
            put(j, "\\\\", 2);
            break;
        case '\n':
            put(j, "\\n", 2);
            break;
        case '\t':
            put(j, "\\t", 2);
            break;
        case '\r':
            put(j, "\\r", 2);
            break;
        default:
            if (*p < 0x20)
                putf(j, "\\u%04x", *p);
            else
                put(j, (const char *)p, 1);
        }
    }
    put(j, "\"", 1);
}

static void key(jbuf *j, const char *k) {
    if (j->need_comma) put(j, ", ", 2);
    j->need_comma = 1;
    if (k) {
        quoted(j, k);
        put(j, ": ", 2);
    }
}

void jb_obj_begin(jbuf *j, const char *k) {
    key(j, k);
    put(j, "{", 1);
    j->need_comma = 0;
}

void jb_obj_end(jbuf *j) {
    put(j, "}", 1);
    j->need_comma = 1;
}

void jb_arr_begin(jbuf *j, const char *k) {
    key(j, k);
    put(j, "[", 1);
    j->need_comma = 0;
}

void jb_arr_end(jbuf *j) {
    put(j, "]", 1);
    j->need_comma = 1;
}

void jb_str(jbuf *j, const char *k, const char *v) {
    key(j, k);
    if (v)
        quoted(j, v);
    else
        put(j, "null", 4);
}

void jb_u64(jbuf *j, const char *k, uint64_t v) {
    key(j, k);
    putf(j, "%llu", (unsigned long long)v);
}

void jb_i64(jbuf *j, const char *k, int64_t v) {
    key(j, k);
    putf(j, "%lld", (long long)v);
}

void jb_f64(jbuf *j, const char *k, double v) {
    key(j, k);
    if (isfinite(v))
        putf(j, "%.10g", v);
    else
        put(j, "null", 4);
}

void jb_bool(jbuf *j, const char *k, int v) {
    key(j, k);
    put(j, v ? "true" : "false", v ? 4 : 5);
}

void jb_null(jbuf *j, const char *k) {
    key(j, k);
    put(j, "null", 4);
}
