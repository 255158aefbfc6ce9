/* json.h — a tiny JSON writer into a growable buffer.
 *
 * Why hand-written: the suite is C with libc only; the output is one flat-ish
 * object per run (bench/result.schema.json), so a writer that handles escaping, commas
 * and non-finite numbers is all that is needed.
 */
#ifndef WL_JSON_H
#define WL_JSON_H

#include <stddef.h>
#include <stdint.h>

typedef struct jbuf {
    char *s;
    size_t len, cap;
    int oom;
    int need_comma;
} jbuf;

void jb_init(jbuf *j);
void jb_free(jbuf *j);
void jb_obj_begin(jbuf *j, const char *key); /* key NULL at top level */
void jb_obj_end(jbuf *j);
void jb_arr_begin(jbuf *j, const char *key); /* elements: the jb_* calls with key NULL */
void jb_arr_end(jbuf *j);
void jb_str(jbuf *j, const char *key, const char *v); /* v NULL = null */
void jb_u64(jbuf *j, const char *key, uint64_t v);
void jb_i64(jbuf *j, const char *key, int64_t v);
void jb_f64(jbuf *j, const char *key, double v); /* NaN/inf = null */
void jb_bool(jbuf *j, const char *key, int v);
void jb_null(jbuf *j, const char *key);

#endif
