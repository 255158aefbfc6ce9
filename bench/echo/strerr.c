/* strerr.c — one text for any negative code the echo parts see: the
 * runtime's own codes by coro_strerror, plain errno values (-ECONNRESET,
 * -EMFILE, ... which coro_strerror calls "unknown") by the C library. */
#include <string.h>

#include "coro.h"
#include "echo.h"

const char *echo_strerror(int err) {
    if (err == CORO_ETIMEDOUT) return "timed out";
    const char *s = coro_strerror(err);
    if (strcmp(s, "unknown error") != 0) return s;
    if (err < 0) {
        s = strerrordesc_np(-err); /* thread-safe, unlike strerror */
        if (s) return s;
    }
    return "unknown error";
}
