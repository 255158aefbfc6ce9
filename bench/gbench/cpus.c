/* cpus.c — CPU choice and pinned thread start for the thread benchmarks. */
#define _GNU_SOURCE
#include "cpus.h"

#include <sched.h>
#include <sys/resource.h>

int bm_cpus(int *a, int *b) {
    cpu_set_t set;
    CPU_ZERO(&set);
    if (sched_getaffinity(0, sizeof set, &set) != 0) return 0;
    int found = 0;
    for (int c = 0; c < CPU_SETSIZE && found < 2; c++) {
        if (!CPU_ISSET(c, &set)) continue;
        if (found == 0)
            *a = *b = c;
        else
            *b = c;
        found++;
    }
    return CPU_COUNT(&set);
}

int bm_thread_start(pthread_t *t, int cpu, size_t stack, void *(*fn)(void *), void *arg) {
    pthread_attr_t attr;
    int err = pthread_attr_init(&attr);
    if (err) return err;
    if (cpu >= 0) {
        cpu_set_t set;
        CPU_ZERO(&set);
        CPU_SET(cpu, &set);
        err = pthread_attr_setaffinity_np(&attr, sizeof set, &set);
    }
    if (!err && stack) err = pthread_attr_setstacksize(&attr, stack);
    if (!err) err = pthread_create(t, &attr, fn, arg);
    pthread_attr_destroy(&attr);
    return err;
}

long bm_thread_csw(void) {
    struct rusage ru;
    if (getrusage(RUSAGE_THREAD, &ru) != 0) return 0;
    return ru.ru_nvcsw + ru.ru_nivcsw;
}
