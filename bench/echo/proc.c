/* proc.c — /proc/<pid>/status and /proc/<pid>/stat readers (proc.h). */
#include "proc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int read_field(const char *path, const char *field, uint64_t *v) {
    char line[256];
    FILE *f = fopen(path, "r");
    if (!f) return -1;
    size_t n = strlen(field);
    int rc = -1;
    while (fgets(line, sizeof line, f)) {
        if (strncmp(line, field, n) != 0 || line[n] != ':') continue;
        char *end = NULL;
        unsigned long long x = strtoull(line + n + 1, &end, 10);
        if (end == line + n + 1) break;
        *v = strstr(end, "kB") ? (uint64_t)x * 1024 : (uint64_t)x;
        rc = 0;
        break;
    }
    fclose(f);
    return rc;
}

int proc_status(pid_t pid, const char *field, uint64_t *v) {
    char path[64];
    snprintf(path, sizeof path, "/proc/%ld/status", (long)pid);
    return read_field(path, field, v);
}

int proc_io(pid_t pid, const char *field, uint64_t *v) {
    char path[64];
    snprintf(path, sizeof path, "/proc/%ld/io", (long)pid);
    return read_field(path, field, v);
}

int proc_meminfo(const char *field, uint64_t *v) {
    return read_field("/proc/meminfo", field, v);
}

int proc_cpu_ns(pid_t pid, uint64_t *ns) {
    char path[64], buf[1024];
    snprintf(path, sizeof path, "/proc/%ld/stat", (long)pid);
    FILE *f = fopen(path, "r");
    if (!f) return -1;
    size_t len = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[len] = '\0';
    /* The command name may contain spaces and parentheses: fields start
     * after the last ')'. utime and stime are fields 14 and 15 (1-based),
     * i.e. the 12th and 13th after the state (field 3). */
    char *p = strrchr(buf, ')');
    if (!p) return -1;
    p++;
    unsigned long long ut = 0, st = 0;
    if (sscanf(p, " %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &ut, &st) != 2)
        return -1;
    long hz = sysconf(_SC_CLK_TCK);
    if (hz <= 0) hz = 100;
    *ns = (uint64_t)(ut + st) * (1000000000ull / (uint64_t)hz);
    return 0;
}
