//! What the workloads read from the system: a monotonic clock, resident
//! memory (/proc/self/status), getrusage, and corobench's calibrated busy
//! loop (bench/cli/sysinfo.c si_spin), the same xorshift and calibration.

use std::sync::atomic::{AtomicU64, Ordering};

fn clock_ns(clock: libc::clockid_t) -> u64 {
    // SAFETY: clock_gettime only writes the struct it is given.
    let mut ts: libc::timespec = unsafe { std::mem::zeroed() };
    unsafe { libc::clock_gettime(clock, &mut ts) };
    ts.tv_sec as u64 * 1_000_000_000 + ts.tv_nsec as u64
}

/// CLOCK_MONOTONIC in ns, as corobench's si_now_ns.
pub fn now_ns() -> u64 {
    clock_ns(libc::CLOCK_MONOTONIC)
}

/// A field of /proc/self/status given in kB (VmRSS, VmHWM), in bytes; 0 when
/// it cannot be read.
pub fn status_bytes(field: &str) -> u64 {
    proc_kb("/proc/self/status", field)
}

/// MemAvailable of /proc/meminfo in bytes, 0 when unknown.
pub fn mem_available() -> u64 {
    proc_kb("/proc/meminfo", "MemAvailable")
}

fn proc_kb(path: &str, field: &str) -> u64 {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    for line in text.lines() {
        if let Some((k, v)) = line.split_once(':') {
            if k == field {
                let num = v.trim().trim_end_matches("kB").trim();
                return num.parse::<u64>().unwrap_or(0) * 1024;
            }
        }
    }
    0
}

/// Voluntary and involuntary context switches (getrusage) and CPU time of
/// the whole process (CLOCK_PROCESS_CPUTIME_ID, as corobench's si_cpu_ns:
/// rusage's user/system split is tick-sampled, too coarse for short runs).
#[derive(Clone, Copy, Default)]
pub struct Usage {
    pub vol: u64,
    pub invol: u64,
    pub cpu_ns: u64,
}

pub fn usage() -> Usage {
    // SAFETY: getrusage only writes the struct it is given.
    let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
    if unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut ru) } != 0 {
        return Usage::default();
    }
    Usage {
        vol: ru.ru_nvcsw as u64,
        invol: ru.ru_nivcsw as u64,
        cpu_ns: clock_ns(libc::CLOCK_PROCESS_CPUTIME_ID),
    }
}

/// corobench's si_spin: `iters` xorshift steps the optimiser cannot drop.
pub fn spin(iters: u64) -> u64 {
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    for _ in 0..iters {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        // The same empty asm barrier as corobench's: x stays in a register
        // but the loop cannot be folded away (std::hint::black_box is newer
        // than Debian's rustc).
        unsafe { std::arch::asm!("/* {0} */", inout(reg) x, options(nomem, nostack)) };
    }
    x
}

static SPIN_SINK: AtomicU64 = AtomicU64::new(0);

/// Keeps a spin result alive (its value never enters a checksum).
pub fn sink(v: u64) {
    SPIN_SINK.fetch_add(v, Ordering::Relaxed);
}

/// Iterations of `spin` that last about `ns` on this machine. Calibration as
/// corobench's: grow a run to at least 1 ms, then keep the best of 5 (the
/// least disturbed run is the machine's speed).
pub fn ns_to_iters(ns: u64) -> u64 {
    // Calibrated once per process (f64 bits; 0 = not yet). OnceLock is newer
    // than Debian's rustc.
    static PER_NS: AtomicU64 = AtomicU64::new(0);
    if PER_NS.load(Ordering::Acquire) == 0 {
        PER_NS.store(calibrate().to_bits(), Ordering::Release);
    }
    let per_ns = f64::from_bits(PER_NS.load(Ordering::Acquire));
    let it = ns as f64 * per_ns;
    if it < 1.0 && ns > 0 {
        1
    } else {
        it as u64
    }
}

fn calibrate() -> f64 {
    let mut iters: u64 = 100_000;
    let mut dt;
    loop {
        let t0 = now_ns();
        sink(spin(iters));
        dt = now_ns() - t0;
        if dt >= 1_000_000 || iters >= 1 << 40 {
            break;
        }
        iters *= 2;
    }
    let mut best = iters as f64 / dt.max(1) as f64;
    for _ in 0..4 {
        let t0 = now_ns();
        sink(spin(iters));
        best = best.max(iters as f64 / (now_ns() - t0).max(1) as f64);
    }
    best
}
