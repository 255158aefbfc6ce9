/* main.c — corobench-micro: registers every microbenchmark that this build
 * has the dependencies for, records the build and machine as JSON context,
 * and hands over to Google Benchmark (gb_main). Built twice: against coro
 * (the full set) and against coro_ucontext (only the coroutine benchmarks,
 * under names that say so; the two runtimes' symbols clash). */
#define _GNU_SOURCE
#include "bm.h"
#include "cpus.h"
#include "gb.h"

#ifdef BM_HAVE_CORO
#include "coro.h"
#endif

#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>

#ifndef BM_CFLAGS
#define BM_CFLAGS "unknown"
#endif
#ifndef BM_COMPILER
#define BM_COMPILER "unknown"
#endif

static void add_machine_context(void) {
    char line[256], model[256] = "unknown";
    FILE *f = fopen("/proc/cpuinfo", "r");
    if (f) {
        while (fgets(line, sizeof line, f)) {
            char *colon = strchr(line, ':');
            if (strncmp(line, "model name", 10) == 0 && colon) {
                snprintf(model, sizeof model, "%s", colon + 2);
                model[strcspn(model, "\n")] = '\0';
                break;
            }
        }
        fclose(f);
    }
    gb_add_context("cpu_model", model);

    struct utsname u;
    if (uname(&u) == 0) {
        char k[2 * sizeof u.release + 2];
        snprintf(k, sizeof k, "%s %s", u.release, u.machine);
        gb_add_context("kernel", k);
    }

    int a = -1, b = -1;
    int n = bm_cpus(&a, &b);
    char pins[96];
    snprintf(pins, sizeof pins, "allowed=%d same_core=%d two_cores=%d,%d", n, a, a, b);
    gb_add_context("pinning", pins);
}

int main(int argc, char **argv) {
    gb_add_context("compiler", BM_COMPILER " (" __VERSION__ ")");
    gb_add_context("cflags", BM_CFLAGS);
    add_machine_context();
#ifdef BM_HAVE_CORO
    gb_add_context("coro_switch_impl", coro_switch_impl());
#endif
    /* Grouped by what they compare, so that the numbers a ratio is taken
     * between are measured close together in time. */
#ifdef BM_HAVE_CORO
    bm_register_coro_switch();
#endif
#ifdef BM_WITH_SYSTEM
#ifdef BM_HAVE_FCONTEXT
    bm_register_fcontext();
#endif
    bm_register_swapcontext();
    bm_register_thread_switch();
#endif
#ifdef BM_HAVE_CORO
    bm_register_coro_spawn();
#endif
#ifdef BM_WITH_SYSTEM
    bm_register_pthread_spawn();
#endif
#ifdef BM_HAVE_CORO
    bm_register_coro_queue();
#endif
#if defined(BM_WITH_SYSTEM) && defined(BM_HAVE_THR)
    bm_register_thr_queue();
#endif
    return gb_main(argc, argv);
}
