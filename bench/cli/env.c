/* env.c — see env.h. COROBENCH_CFLAGS and COROBENCH_COMMIT come from CMake. */
#include "env.h"

#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#ifndef COROBENCH_CFLAGS
#define COROBENCH_CFLAGS "unknown"
#endif
#ifndef COROBENCH_COMMIT
#define COROBENCH_COMMIT "unknown"
#endif
#ifndef COROBENCH_SANITIZE
#define COROBENCH_SANITIZE ""
#endif

/* The value after "key<spaces>:" of the first matching line of a file. */
static int file_field(const char *path, const char *key, char *out, size_t cap) {
    FILE *f = fopen(path, "r");
    if (!f) return -1;
    char line[512];
    size_t kl = strlen(key);
    int found = -1;
    while (fgets(line, sizeof line, f)) {
        if (strncmp(line, key, kl) != 0) continue;
        char *c = strchr(line + kl, ':');
        if (!c) continue;
        c++;
        while (*c == ' ' || *c == '\t') c++;
        c[strcspn(c, "\n")] = '\0';
        snprintf(out, cap, "%s", c);
        found = 0;
        break;
    }
    fclose(f);
    return found;
}

static int first_line(const char *path, char *out, size_t cap) {
    FILE *f = fopen(path, "r");
    if (!f) return -1;
    int ok = fgets(out, (int)cap, f) != NULL;
    fclose(f);
    if (!ok) return -1;
    out[strcspn(out, "\n")] = '\0';
    return 0;
}

void env_write_json(jbuf *j, const char *switch_impl) {
    char cpu[256] = "unknown", gov[64] = "unknown", kernel[400] = "unknown", date[32] = "";
    if (file_field("/proc/cpuinfo", "model name", cpu, sizeof cpu) != 0)
        file_field("/proc/cpuinfo", "Processor", cpu, sizeof cpu); /* some ARM kernels */
    first_line("/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor", gov, sizeof gov);
    struct utsname u;
    if (uname(&u) == 0)
        snprintf(kernel, sizeof kernel, "%s %s %s", u.sysname, u.release, u.machine);
    time_t now = time(NULL);
    struct tm tm;
    if (gmtime_r(&now, &tm)) strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%SZ", &tm);
    long cores = sysconf(_SC_NPROCESSORS_ONLN);

    jb_obj_begin(j, "env");
    jb_str(j, "cpu_model", cpu);
    jb_i64(j, "cores", cores > 0 ? cores : 0);
    jb_str(j, "kernel", kernel);
#if defined(__clang__)
    jb_str(j, "compiler", "clang " __clang_version__);
#elif defined(__GNUC__)
    jb_str(j, "compiler", "gcc " __VERSION__);
#else
    jb_str(j, "compiler", "unknown");
#endif
    jb_str(j, "cflags", COROBENCH_CFLAGS);
    jb_str(j, "commit", COROBENCH_COMMIT);
    jb_str(j, "governor", gov);
    jb_str(j, "sanitize", COROBENCH_SANITIZE);
    jb_str(j, "switch_impl", switch_impl);
    jb_str(j, "date", date);
    jb_obj_end(j);
}
