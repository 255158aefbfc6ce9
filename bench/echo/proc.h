/* proc.h — reading another process's memory, threads and CPU time from
 * /proc/<pid>, for the echo server (the parent measures its child). */
#ifndef ECHO_PROC_H
#define ECHO_PROC_H

#include <stdint.h>
#include <sys/types.h>

/* The number of a "Name:  value [kB]" line of /proc/<pid>/status, times 1024
 * when the line is in kB ("VmHWM", "VmRSS" -> bytes; "Threads" -> a count).
 * 0 and *v set, or -1 when the file or the field cannot be read. */
int proc_status(pid_t pid, const char *field, uint64_t *v);
/* The same for a line of /proc/meminfo (system-wide, e.g. "KernelStack"). */
int proc_meminfo(const char *field, uint64_t *v);
/* A counter of /proc/<pid>/io ("syscr", "syscw": read- and write-class
 * system calls of every thread of the process so far). */
int proc_io(pid_t pid, const char *field, uint64_t *v);
/* utime + stime of /proc/<pid>/stat, in ns (clock-tick resolution). */
int proc_cpu_ns(pid_t pid, uint64_t *ns);

#endif
