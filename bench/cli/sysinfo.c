/* sysinfo.c — see sysinfo.h. */
#include "sysinfo.h"

#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

uint64_t si_now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

uint64_t si_cpu_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

si_csw si_csw_now(void) {
    struct rusage ru;
    si_csw c = {0, 0};
    if (getrusage(RUSAGE_SELF, &ru) == 0) {
        c.vol = (uint64_t)ru.ru_nvcsw;
        c.invol = (uint64_t)ru.ru_nivcsw;
    }
    return c;
}

si_usage si_usage_now(void) {
    struct rusage ru;
    si_usage u = {0, 0, 0};
    if (getrusage(RUSAGE_SELF, &ru) == 0) {
        u.user_ns =
            (uint64_t)ru.ru_utime.tv_sec * 1000000000u + (uint64_t)ru.ru_utime.tv_usec * 1000u;
        u.sys_ns =
            (uint64_t)ru.ru_stime.tv_sec * 1000000000u + (uint64_t)ru.ru_stime.tv_usec * 1000u;
        u.minflt = (uint64_t)ru.ru_minflt;
    }
    return u;
}

uint64_t si_status_bytes(const char *field) {
    FILE *f = fopen("/proc/self/status", "r");
    if (!f) return 0;
    char line[256];
    size_t fl = strlen(field);
    uint64_t v = 0;
    while (fgets(line, sizeof line, f)) {
        if (strncmp(line, field, fl) == 0 && line[fl] == ':') {
            v = strtoull(line + fl + 1, NULL, 10) * 1024u; /* the kernel prints kB */
            break;
        }
    }
    fclose(f);
    return v;
}

/* One iteration: an xorshift step; the empty asm keeps the compiler from
 * collapsing the loop into a formula. */
uint64_t si_spin(uint64_t iters) {
    uint64_t x = 0x9e3779b97f4a7c15u;
    for (uint64_t i = 0; i < iters; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        __asm__ __volatile__("" : "+r"(x));
    }
    return x;
}

static double iters_per_ns;
static volatile uint64_t spin_sink;

void si_spin_calibrate(void) {
    if (iters_per_ns > 0) return;
    /* Grow the run to at least 1 ms, then keep the best of 5: the least
     * disturbed run is the machine's speed. */
    uint64_t iters = 100000, dt = 0;
    for (;;) {
        uint64_t t0 = si_now_ns();
        spin_sink += si_spin(iters);
        dt = si_now_ns() - t0;
        if (dt >= 1000000 || iters >= (UINT64_C(1) << 40)) break;
        iters *= 2;
    }
    double best = (double)iters / (double)(dt ? dt : 1);
    for (int rep = 0; rep < 4; rep++) {
        uint64_t t0 = si_now_ns();
        spin_sink += si_spin(iters);
        dt = si_now_ns() - t0;
        double r = (double)iters / (double)(dt ? dt : 1);
        if (r > best) best = r;
    }
    iters_per_ns = best > 0 ? best : 1.0;
}

double si_iters_per_ns(void) {
    return iters_per_ns;
}

uint64_t si_ns_to_iters(uint64_t ns) {
    si_spin_calibrate();
    double it = (double)ns * iters_per_ns;
    return it < 1.0 && ns > 0 ? 1 : (uint64_t)it;
}

static cpu_set_t saved_set;
static int have_saved;

int si_pin_self(int cpu) {
    if (!have_saved && sched_getaffinity(0, sizeof saved_set, &saved_set) == 0) have_saved = 1;
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    return sched_setaffinity(0, sizeof set, &set) == 0 ? 0 : -errno;
}

int si_unpin_self(void) {
    if (!have_saved) return 0;
    return sched_setaffinity(0, sizeof saved_set, &saved_set) == 0 ? 0 : -errno;
}

int si_cpu_nth(int k) {
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) != 0) return k == 0 ? 0 : -1;
    for (int c = 0; c < CPU_SETSIZE; c++)
        if (CPU_ISSET(c, &set) && k-- == 0) return c;
    return -1;
}

int si_ncpus(void) {
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (int)n : 1;
}

int si_file_field(const char *path, const char *key, char *out, size_t cap) {
    FILE *f = fopen(path, "r");
    if (!f) return -1;
    char line[512];
    size_t kl = strlen(key);
    int found = -1;
    while (found != 0 && fgets(line, sizeof line, f)) {
        if (strncmp(line, key, kl) != 0) continue;
        char *c = strchr(line + kl, ':');
        if (!c) continue;
        c++;
        while (*c == ' ' || *c == '\t') c++;
        c[strcspn(c, "\n")] = '\0';
        snprintf(out, cap, "%s", c);
        found = 0;
    }
    fclose(f);
    return found;
}

int si_first_line(const char *path, char *out, size_t cap) {
    FILE *f = fopen(path, "r");
    if (!f) return -1;
    int ok = fgets(out, (int)cap, f) != NULL;
    fclose(f);
    if (!ok) {
        out[0] = '\0';
        return -1;
    }
    out[strcspn(out, "\n")] = '\0';
    return 0;
}

int si_cpu_flag(const char *flag) {
    char flags[4096] = "";
    if (si_file_field("/proc/cpuinfo", "flags", flags, sizeof flags) != 0) return 0;
    size_t fl = strlen(flag);
    for (const char *p = flags; (p = strstr(p, flag)) != NULL; p += fl)
        if ((p == flags || p[-1] == ' ') && (p[fl] == ' ' || p[fl] == '\0')) return 1;
    return 0;
}

/* sysfs cache sizes: "48K", "1024K", "32M". */
static uint64_t sysfs_size(const char *text) {
    char *end = NULL;
    unsigned long long v = strtoull(text, &end, 10);
    if (end == text) return 0;
    if (*end == 'K') return (uint64_t)v << 10;
    if (*end == 'M') return (uint64_t)v << 20;
    if (*end == 'G') return (uint64_t)v << 30;
    return *end == '\0' ? (uint64_t)v : 0;
}

void si_cache_sizes(si_caches *c) {
    memset(c, 0, sizeof *c);
    for (int idx = 0; idx < 8; idx++) {
        char path[96], level[16], type[32], size[32];
        const char *d = "/sys/devices/system/cpu/cpu0/cache/index";
        snprintf(path, sizeof path, "%s%d/level", d, idx);
        if (si_first_line(path, level, sizeof level) != 0) continue;
        snprintf(path, sizeof path, "%s%d/type", d, idx);
        si_first_line(path, type, sizeof type);
        snprintf(path, sizeof path, "%s%d/size", d, idx);
        if (si_first_line(path, size, sizeof size) != 0 || strcmp(type, "Instruction") == 0)
            continue;
        int l = atoi(level);
        uint64_t b = sysfs_size(size);
        if (l > 0 && l < SI_CACHE_LEVELS && b) c->bytes[l] = b, c->source = "sysfs";
    }
    if (c->source) return;
    const int names[SI_CACHE_LEVELS] = {0, _SC_LEVEL1_DCACHE_SIZE, _SC_LEVEL2_CACHE_SIZE,
                                        _SC_LEVEL3_CACHE_SIZE, _SC_LEVEL4_CACHE_SIZE};
    for (int l = 1; l < SI_CACHE_LEVELS; l++) {
        long v = sysconf(names[l]);
        if (v > 0) c->bytes[l] = (uint64_t)v, c->source = "getconf";
    }
}
