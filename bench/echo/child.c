/* child.c — the echo server's child process seen from the parent (echo.h):
 * a listening socket on 127.0.0.1 (ephemeral port), the fork, the status pipe
 * ("ready", "limit", "error" lines), and the SIGKILL that ends it on every
 * path. */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "echo.h"
#include "result.h"
#include "sysinfo.h"

void echo_child_init(echo_child *s) {
    memset(s, 0, sizeof *s);
    s->status_rd = -1;
}

/* Parses complete lines in s->buf (keeps a partial last line). */
static void parse_lines(echo_child *s) {
    char *p = s->buf, *end = s->buf + s->len, *nl;
    while ((nl = memchr(p, '\n', (size_t)(end - p))) != NULL) {
        *nl = '\0';
        if (strcmp(p, "ready") == 0) {
            s->ready = 1;
        } else if (strncmp(p, "error ", 6) == 0 && !s->error[0]) {
            snprintf(s->error, sizeof s->error, "%s", p + 6);
        } else if (strncmp(p, "limit ", 6) == 0 && !s->limit[0]) {
            const char *t = strchr(p + 6, ' ');
            snprintf(s->limit, sizeof s->limit, "%s", t ? t + 1 : p + 6);
        }
        p = nl + 1;
    }
    s->len = (size_t)(end - p);
    memmove(s->buf, p, s->len);
}

/* Reads what the server wrote, waiting up to timeout_ms for the first byte
 * (0: do not wait). Returns 0 at end of file (the server closed its end). */
static int read_status(echo_child *s, int timeout_ms) {
    struct pollfd pf = {.fd = s->status_rd, .events = POLLIN};
    int rc = poll(&pf, 1, timeout_ms);
    if (rc <= 0) return 1;
    if (s->len == sizeof s->buf) s->len = 0; /* a runaway line: drop it */
    ssize_t n = read(s->status_rd, s->buf + s->len, sizeof s->buf - s->len);
    if (n <= 0) return n == 0 ? 0 : 1;
    s->len += (size_t)n;
    parse_lines(s);
    return 1;
}

static void describe_exit(echo_child *s, int st) {
    if (WIFSIGNALED(st))
        snprintf(s->died, sizeof s->died, "killed by signal %d", WTERMSIG(st));
    else
        snprintf(s->died, sizeof s->died, "exited with status %d", WEXITSTATUS(st));
}

/* 1 when the server is still running (else s->died says how it ended). */
int echo_child_alive(echo_child *s) {
    if (s->pid <= 0) return 0;
    int st;
    pid_t w = waitpid(s->pid, &st, WNOHANG);
    if (w == 0) return 1;
    if (w == s->pid) describe_exit(s, st);
    s->pid = -1;
    return 0;
}

void echo_child_stop(echo_child *s) {
    if (s->pid > 0) {
        kill(s->pid, SIGKILL);
        while (waitpid(s->pid, NULL, 0) < 0 && errno == EINTR) {
        }
        s->pid = -1;
    }
    if (s->status_rd >= 0) close(s->status_rd);
    s->status_rd = -1;
}

/* Raises the soft RLIMIT_NOFILE towards the hard one when `need` descriptors
 * are wanted; returns the soft limit in force. */
uint64_t echo_raise_nofile(uint64_t need) {
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0) return 0;
    if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < need) {
        rlim_t want = rl.rlim_max == RLIM_INFINITY || need < rl.rlim_max ? need : rl.rlim_max;
        struct rlimit n = {want, rl.rlim_max};
        if (setrlimit(RLIMIT_NOFILE, &n) == 0) rl.rlim_cur = want;
    }
    return rl.rlim_cur == RLIM_INFINITY ? UINT64_MAX : (uint64_t)rl.rlim_cur;
}

int echo_child_start(echo_child *s, const echo_server_cfg *want, uint64_t backlog_want,
                     struct sockaddr_in *addr, wl_result *r) {
    int lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (lfd < 0) {
        res_fail(r, "server socket: %s", echo_strerror(-errno));
        return -1;
    }
    memset(addr, 0, sizeof *addr);
    addr->sin_family = AF_INET;
    addr->sin_addr.s_addr = htonl(INADDR_LOOPBACK); /* never any other address */
    addr->sin_port = 0;
    socklen_t al = sizeof *addr;
    int backlog = backlog_want < 65535 ? (int)backlog_want : 65535;
    if (bind(lfd, (struct sockaddr *)addr, sizeof *addr) != 0 ||
        getsockname(lfd, (struct sockaddr *)addr, &al) != 0 || listen(lfd, backlog) != 0) {
        res_fail(r, "server socket on 127.0.0.1: %s", echo_strerror(-errno));
        close(lfd);
        return -1;
    }
    int pfd[2];
    if (pipe2(pfd, O_CLOEXEC) != 0) {
        res_fail(r, "status pipe: %s", echo_strerror(-errno));
        close(lfd);
        return -1;
    }
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid == 0) {
        close(pfd[0]);
        echo_server_cfg cfg = *want;
        cfg.lfd = lfd;
        cfg.status_fd = pfd[1];
        echo_server_main(&cfg);
    }
    int fork_errno = errno;
    close(lfd);
    close(pfd[1]);
    s->status_rd = pfd[0];
    if (pid < 0) {
        res_fail(r, "fork of the server failed: %s", echo_strerror(-fork_errno));
        return -1;
    }
    s->pid = pid;
    uint64_t t_end = si_now_ns() + (uint64_t)ECHO_READY_TIMEOUT_MS * 1000000;
    while (!s->ready && !s->error[0]) {
        uint64_t now = si_now_ns();
        if (now >= t_end || read_status(s, (int)((t_end - now) / 1000000) + 1) == 0) break;
    }
    if (s->ready) return 0;
    if (s->error[0])
        res_fail(r, "server did not start: %s", s->error);
    else if (!echo_child_alive(s))
        res_fail(r, "server did not start: it %s", s->died);
    else
        res_fail(r, "server did not start: no 'ready' within %d ms", ECHO_READY_TIMEOUT_MS);
    return -1;
}

/* Reads the status lines the server has written so far (a "limit" line may
 * come after the run), without waiting. */
void echo_child_drain(echo_child *s) {
    while (read_status(s, 0) == 1 && s->len < sizeof s->buf) {
        struct pollfd pf = {.fd = s->status_rd, .events = POLLIN};
        if (poll(&pf, 1, 0) <= 0) break;
    }
}
