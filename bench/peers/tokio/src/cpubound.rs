//! cpubound: a fixed total of CPU work split evenly over T tasks. The work is
//! corobench's step exactly (bench/workloads/cpubound.c): 16 mixing rounds of
//! a 64-bit state, then one touch of every 64-byte line of the task's own
//! working set (--wss); every --yield-every steps tokio::task::yield_now
//! (0 = never: Tokio never preempts a task, as corobench's scheduler).

use std::sync::Arc;
use tokio::sync::Semaphore;

use crate::checksum::{fnv_item, sum_final, CPUBOUND_TAG};
use crate::opts::{Kind, Opts, Spec};
use crate::result::Res;
use crate::sys::{mem_available, now_ns, usage};

pub const SPECS: &[Spec] = &[
    Spec { name: "tasks", kind: Kind::Uint(1, 10_000_000), def: "2", help: "tasks" },
    Spec {
        name: "total-work",
        kind: Kind::Uint(1, 1_000_000_000_000),
        def: "200000",
        help: "work steps in all",
    },
    Spec {
        name: "wss",
        kind: Kind::Uint(0, 1 << 30),
        def: "4096",
        help: "working set per task, bytes",
    },
    Spec {
        name: "yield-every",
        kind: Kind::Uint(0, 1_000_000_000_000),
        def: "0",
        help: "steps between yields (0 = never)",
    },
];

const LINE: u64 = 64;

/// One task's work after the start: (hash of its final state, its steps).
async fn task(id: u64, steps: u64, lines: u64, k: u64) -> (u64, u64) {
    let mut ws = vec![0u64; (lines * LINE / 8) as usize];
    for l in 0..lines {
        ws[(l * (LINE / 8)) as usize] = l;
    }
    let mut x = fnv_item(CPUBOUND_TAG, id, 0);
    let mut since = 0;
    for _ in 0..steps {
        for _ in 0..16 {
            x ^= x >> 33;
            x = x.wrapping_mul(0xff51_afd7_ed55_8ccd);
        }
        for l in 0..lines {
            let w = &mut ws[(l * (LINE / 8)) as usize];
            *w = w.wrapping_add(x);
            x ^= *w >> 7;
        }
        if k != 0 {
            since += 1;
            if since == k {
                since = 0;
                tokio::task::yield_now().await;
            }
        }
    }
    (fnv_item(CPUBOUND_TAG, id, x), steps)
}

pub fn run(o: &Opts, r: &mut Res) -> Result<(), String> {
    let (t, total, k) = (o.u("tasks"), o.u("total-work"), o.u("yield-every"));
    let lines = (o.u("wss") + LINE - 1) / LINE;
    let avail = mem_available();
    if avail > 0 && (lines * LINE) as f64 * t as f64 > 0.8 * avail as f64 {
        // Rust aborts on out-of-memory: refuse before, as the Go peer does.
        return Err(format!(
            "the working sets ({} tasks x {} bytes) would pass 80% of MemAvailable ({} bytes)",
            t,
            lines * LINE,
            avail
        ));
    }
    let (sum, steps, wall, u0, u1) = crate::runtime::run(o, false, async move {
        // Tasks wait on a start gate so that the timed region is the work.
        let go = Arc::new(Semaphore::new(0));
        let hs: Vec<_> = (0..t)
            .map(|id| {
                let go = go.clone();
                let steps = total / t + u64::from(id < total % t);
                tokio::spawn(async move {
                    drop(go.acquire().await);
                    task(id, steps, lines, k).await
                })
            })
            .collect();
        let (u0, t0) = (usage(), now_ns());
        go.add_permits(1); // each task hands it on as it starts
        let (mut sum, mut steps) = (0u64, 0u64);
        for h in hs {
            let (s, n) = h.await.unwrap_or((0, 0));
            sum = sum.wrapping_add(s);
            steps += n;
        }
        (sum, steps, now_ns() - t0, u0, usage())
    })?;
    if steps != total {
        return Err(format!("{} steps done, expected {} (a task failed)", steps, total));
    }
    r.sum = sum_final(sum, steps);
    r.u("tasks", t);
    r.u("work_units", steps);
    r.u("wall_ns", wall);
    r.u("cpu_ns", u1.cpu_ns - u0.cpu_ns);
    r.u("vol_csw", u1.vol - u0.vol);
    r.u("invol_csw", u1.invol - u0.invol);
    r.f("units_per_s", steps as f64 * 1e9 / wall.max(1) as f64);
    Ok(())
}
