/* sink.h — where the article programs' output lines go: a FILE (stdout) or a
 * growable buffer in memory (to compare the orders of several runs, or to
 * put the output into the JSON result).
 *
 * Why a mutex: on the threads backend several threads print at once; each line
 * is written with one sink_write() call, so lines never tear.
 */
#ifndef WL_SINK_H
#define WL_SINK_H

#include <pthread.h>
#include <stddef.h>
#include <stdio.h>

typedef struct out_sink {
    FILE *f;   /* non-NULL: write here; NULL: append to buf */
    char *buf; /* NUL-terminated when non-NULL */
    size_t len, cap;
    int failed; /* an allocation or write failed */
    pthread_mutex_t mu;
} out_sink;

void sink_init_file(out_sink *s, FILE *f);
void sink_init_mem(out_sink *s);
void sink_clear(out_sink *s); /* memory sink: forget the contents */
void sink_write(out_sink *s, const char *data, size_t n);
void sink_free(out_sink *s);

#endif
