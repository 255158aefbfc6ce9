/* result.h — the outcome of one run: status, checksum and named result fields.
 *
 * Why a field list rather than a struct per workload: the JSON writer and the
 * human summary print whatever a workload recorded, in the order recorded, so
 * adding a metric touches only the workload.
 */
#ifndef WL_RESULT_H
#define WL_RESULT_H

#include <stdint.h>

enum res_kind { RES_U64, RES_I64, RES_F64, RES_STR, RES_NULL };

typedef struct res_field {
    const char *name; /* a string literal */
    int kind;
    uint64_t u;
    int64_t i;
    double f;
    char *s; /* owned copy */
} res_field;

#define RES_MAX_FIELDS 32

typedef struct wl_result {
    int ok;          /* 1 until res_fail() */
    char error[256]; /* when !ok */
    uint64_t checksum;
    int nfields;
    res_field fields[RES_MAX_FIELDS];
} wl_result;

void res_init(wl_result *r);
void res_free(wl_result *r);
void res_u64(wl_result *r, const char *name, uint64_t v);
void res_i64(wl_result *r, const char *name, int64_t v);
void res_f64(wl_result *r, const char *name, double v);
void res_str(wl_result *r, const char *name, const char *s); /* NULL s = JSON null */
void res_null(wl_result *r, const char *name);
/* Marks the run failed with a printf-style message; the first failure wins. */
void res_fail(wl_result *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
