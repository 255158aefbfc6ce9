/* sink.c — the output sink of the article programs (see sink.h). */
#include "sink.h"

#include <stdlib.h>
#include <string.h>

void sink_init_file(out_sink *s, FILE *f) {
    memset(s, 0, sizeof *s);
    s->f = f;
    pthread_mutex_init(&s->mu, NULL);
}

void sink_init_mem(out_sink *s) {
    sink_init_file(s, NULL);
}

void sink_clear(out_sink *s) {
    s->len = 0;
    if (s->buf) s->buf[0] = '\0';
}

void sink_write(out_sink *s, const char *data, size_t n) {
    pthread_mutex_lock(&s->mu);
    if (s->f) {
        if (fwrite(data, 1, n, s->f) != n) s->failed = 1;
    } else if (!s->failed) {
        if (s->len + n + 1 > s->cap) {
            size_t cap = s->cap ? s->cap : 4096;
            while (cap < s->len + n + 1) cap *= 2;
            char *nb = realloc(s->buf, cap);
            if (!nb) {
                s->failed = 1;
                pthread_mutex_unlock(&s->mu);
                return;
            }
            s->buf = nb;
            s->cap = cap;
        }
        memcpy(s->buf + s->len, data, n);
        s->len += n;
        s->buf[s->len] = '\0';
    }
    pthread_mutex_unlock(&s->mu);
}

void sink_free(out_sink *s) {
    free(s->buf);
    s->buf = NULL;
    s->len = s->cap = 0;
    pthread_mutex_destroy(&s->mu);
}
