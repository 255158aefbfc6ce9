/* sysinfo.h — clocks, getrusage deltas, resident memory and the calibrated
 * spin loop that the workloads use as "CPU work".
 *
 * Why here and compiled once: these are backend-independent measurements;
 * keeping them out of the workload sources keeps those about the work itself.
 */
#ifndef WL_SYSINFO_H
#define WL_SYSINFO_H

#include <stddef.h>
#include <stdint.h>

uint64_t si_now_ns(void); /* CLOCK_MONOTONIC */
uint64_t si_cpu_ns(void); /* CLOCK_PROCESS_CPUTIME_ID, every thread of the process */

typedef struct si_csw {
    uint64_t vol, invol; /* getrusage(RUSAGE_SELF) ru_nvcsw, ru_nivcsw */
} si_csw;
si_csw si_csw_now(void);

/* CPU time in user and kernel mode and minor page faults so far, every thread
 * of the process (getrusage RUSAGE_SELF): where a phase's time went. */
typedef struct si_usage {
    uint64_t user_ns, sys_ns, minflt;
} si_usage;
si_usage si_usage_now(void);

/* A field of /proc/self/status in bytes ("VmRSS", "VmHWM"); 0 when unknown. */
uint64_t si_status_bytes(const char *field);

/* The spin loop: si_spin(iters) burns CPU for iters iterations and returns a
 * value the caller should fold somewhere so the loop cannot be elided.
 * si_spin_calibrate() measures iterations per ns once per process (idempotent,
 * call it before any timed region); si_ns_to_iters() converts. */
uint64_t si_spin(uint64_t iters);
void si_spin_calibrate(void);
uint64_t si_ns_to_iters(uint64_t ns);
double si_iters_per_ns(void);

/* Pins the calling thread to one CPU / back to the affinity it had before the
 * first si_pin_self() (main thread only); 0 or -errno. */
int si_pin_self(int cpu);
int si_unpin_self(void);
int si_ncpus(void);
/* The k-th CPU (from 0) this thread may run on, or -1: pinning picks CPUs the
 * process is allowed, which need not include CPU 0 in a container. */
int si_cpu_nth(int k);

/* Machine facts, for env.c. The value after "key<spaces>:" of the first line
 * of a file that starts with key / the first line of a file; 0 or -1. */
int si_file_field(const char *path, const char *key, char *out, size_t cap);
int si_first_line(const char *path, char *out, size_t cap);
/* 1 when /proc/cpuinfo's flags list `flag` ("hypervisor"). */
int si_cpu_flag(const char *flag);

#define SI_CACHE_LEVELS 5
typedef struct si_caches {
    uint64_t bytes[SI_CACHE_LEVELS]; /* data or unified cache per level 1..4, 0 = unknown */
    const char *source;              /* "sysfs", "getconf" or NULL */
} si_caches;
/* Cache sizes from sysfs, else from glibc (sysconf, which asks the CPU itself:
 * cpuid on x86 still answers in VMs that show no sysfs cache directory). */
void si_cache_sizes(si_caches *c);

#endif
