/* error.c — texts for the runtime's negative error codes. */
#include "coro.h"

const char *coro_strerror(int err) {
    switch (err) {
    case CORO_OK:
        return "success";
    case CORO_ENOMEM:
        return "out of memory (allocation or stack mmap failed)";
    case CORO_EINVAL:
        return "invalid argument";
    case CORO_EPERM:
        return "not allowed here (outside coro_run, or coro_run nested)";
    case CORO_EDEADLK:
        return "deadlock: every coroutine waits and no timer is pending";
    case CORO_CLOSED:
        return "queue closed";
    case CORO_EAGAIN:
        return "would block";
    case CORO_ETIMEDOUT:
        return "timed out";
    case CORO_ENOTSUP:
        return "not supported (a shared-stack coroutine with several workers)";
    default:
        return "unknown error";
    }
}
