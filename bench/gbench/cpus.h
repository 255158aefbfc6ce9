/* cpus.h — which CPUs the thread benchmarks pin to, and pinned thread start.
 *
 * Why: "same core" and "two cores" must name real CPUs this process may use
 * (a container or taskset may hide some), chosen once from the affinity mask.
 */
#ifndef BM_CPUS_H
#define BM_CPUS_H

#include <pthread.h>

/* The first two CPUs of the process's affinity mask (b == a when only one is
 * allowed); returns how many CPUs the mask holds, 0 when it cannot be read. */
int bm_cpus(int *a, int *b);

/* pthread_create with the thread pinned to cpu from its first instruction
 * (cpu < 0: unpinned) and the given stack size (0: default). Returns 0 or
 * an errno value. */
int bm_thread_start(pthread_t *t, int cpu, size_t stack, void *(*fn)(void *), void *arg);

/* Voluntary + involuntary context switches of the calling thread so far. */
long bm_thread_csw(void);

#endif
