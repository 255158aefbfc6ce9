/* server.c — the echo server's child process: dies with its parent, ignores
 * SIGPIPE (a client may close first), optionally pins itself, then hands the
 * listening socket to the coroutine or the thread server.
 *
 * Why a process of its own: see echo.h. Everything the parent needs to know
 * comes back as status lines; the parent ends the child with SIGKILL, so the
 * servers never need a shutdown path.
 */
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "echo.h"

void echo_status(int fd, const char *fmt, ...) {
    char line[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(line, sizeof line - 1, fmt, ap);
    va_end(ap);
    if (n < 0) return;
    if ((size_t)n > sizeof line - 2) n = (int)sizeof line - 2;
    line[n++] = '\n';
    /* One write of less than PIPE_BUF bytes: atomic, never interleaved. A
     * failure (the parent is gone) has nobody left to tell. */
    ssize_t w;
    do w = write(fd, line, (size_t)n);
    while (w < 0 && errno == EINTR);
}

unsigned long long echo_nofile(void) {
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0) return 0;
    return (unsigned long long)rl.rlim_cur;
}

int echo_spare_open(void) {
    return open("/dev/null", O_RDONLY | O_CLOEXEC);
}

int echo_shed(int lfd, int *spare) {
    if (*spare < 0) return -1;
    close(*spare);
    int c, shed = 0;
    do c = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
    while (c < 0 && (errno == EINTR || errno == ECONNABORTED));
    if (c >= 0) {
        close(c);
        shed = 1;
    }
    *spare = echo_spare_open();
    return shed;
}

/* The death signal, the ignored SIGPIPE and the CPU affinity survive the
 * exec; the listening socket and the status pipe are handed over by number
 * (their close-on-exec flag cleared). */
void echo_serve_exec(const echo_server_cfg *cfg) {
    size_t n = 0;
    while (cfg->exec_argv[n]) n++;
    char num[3][24];
    char *argv[n + 7];
    for (size_t i = 0; i < n; i++) argv[i] = cfg->exec_argv[i];
    snprintf(num[0], sizeof num[0], "%d", cfg->lfd);
    snprintf(num[1], sizeof num[1], "%d", cfg->status_fd);
    snprintf(num[2], sizeof num[2], "%zu", cfg->buf);
    const char *tail[] = {"--listen-fd", num[0], "--status-fd", num[1], "--buf", num[2]};
    for (size_t i = 0; i < 6; i++) argv[n + i] = (char *)tail[i];
    argv[n + 6] = NULL;
    if (fcntl(cfg->lfd, F_SETFD, 0) != 0 || fcntl(cfg->status_fd, F_SETFD, 0) != 0) {
        echo_status(cfg->status_fd, "error handing the sockets to %s: %s", argv[0],
                    strerror(errno));
        return;
    }
    execv(argv[0], argv);
    echo_status(cfg->status_fd, "error cannot run %s: %s", argv[0], strerror(errno));
}

void echo_server_main(const echo_server_cfg *cfg) {
    /* Die with the parent, even if it is killed before it can clean up. */
    pid_t parent = getppid();
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(1);
    signal(SIGPIPE, SIG_IGN);
    if (cfg->cpu >= 0) {
        cpu_set_t set;
        CPU_ZERO(&set);
        CPU_SET(cfg->cpu, &set);
        if (sched_setaffinity(0, sizeof set, &set) != 0) {
            echo_status(cfg->status_fd, "error pinning the server to CPU %d: %s", cfg->cpu,
                        strerror(errno));
            _exit(1);
        }
    }
    if (cfg->kind == ECHO_SRV_CORO)
        echo_serve_coro(cfg);
    else if (cfg->kind == ECHO_SRV_THREADS)
        echo_serve_threads(cfg);
    else if (cfg->kind == ECHO_SRV_EPOLL)
        echo_serve_epoll(cfg);
    else
        echo_serve_exec(cfg);
    _exit(1); /* the servers return only after reporting an error */
}
