//! spawn: create, run and join trivial tasks (tokio::spawn + awaiting the
//! JoinHandle). Default: one at a time, --n times (what a short-lived task
//! costs), as corobench. --alive: spawn all n first, each waits on one
//! semaphore, measure resident memory with all of them alive, then release
//! and join them.

use std::sync::atomic::{AtomicU64, Ordering::*};
use std::sync::Arc;
use tokio::sync::Semaphore;
use tokio::task::JoinHandle;

use crate::checksum::{fnv_item, sum_final, SPAWN_TAG};
use crate::opts::{Kind, Opts, Spec};
use crate::result::{Res, Val};
use crate::sys::{mem_available, now_ns, status_bytes};

pub const SPECS: &[Spec] = &[
    Spec {
        name: "n",
        kind: Kind::Uint(1, 1_000_000_000),
        def: "2000",
        help: "tasks (at most 10000000 with --alive)",
    },
    Spec {
        name: "alive",
        kind: Kind::Flag,
        def: "",
        help: "keep all --n alive at once, report resident memory per task",
    },
];

pub fn check(o: &Opts) -> Result<(), String> {
    if o.flag("alive") && o.u("n") > 10_000_000 {
        return Err(format!(
            "--n: with --alive, expected an integer in [1, 10000000], got '{}'",
            o.u("n")
        ));
    }
    Ok(())
}

pub fn run(o: &Opts, r: &mut Res) -> Result<(), String> {
    let n = o.u("n");
    if o.flag("alive") {
        let out = crate::runtime::run(o, false, alive(n))?;
        return finish_alive(n, out, r);
    }
    let (sum, wall) = crate::runtime::run(o, false, async move {
        let mut sum = 0u64;
        let t0 = now_ns();
        for i in 0..n {
            // The task's work is its return value: no shared counter needed.
            let h = tokio::spawn(async move { fnv_item(SPAWN_TAG, i, 0) });
            sum = sum.wrapping_add(h.await.unwrap_or(0));
        }
        (sum, now_ns() - t0)
    })?;
    r.sum = sum_final(sum, n);
    r.u("tasks", n);
    r.u("wall_ns", wall);
    r.f("ns_per_task", wall as f64 / n as f64);
    Ok(())
}

struct Alive {
    reached: u64,
    sum: u64,
    wall: u64,
    spawn_all: u64,
    rss0: u64,
    rss1: u64,
    hwm: u64,
    limit: Option<String>,
}

/// Tasks are spawned in batches; Rust aborts when an allocation fails, so
/// growth is checked against MemAvailable after every batch and stopped
/// before it would pass 80% of it (as the Go peer does); limit_error then
/// says so and the status stays ok, a data point like corobench's.
const BATCH: u64 = 10_000;

async fn alive(n: u64) -> Alive {
    let gate = Arc::new(Semaphore::new(0));
    let started = Arc::new(AtomicU64::new(0));
    // Touched now, so that the baseline includes the handles (as corobench's own spawn).
    let mut hs: Vec<Option<JoinHandle<u64>>> = (0..n).map(|_| None).collect();
    let (rss0, avail) = (status_bytes("VmRSS"), mem_available());
    let t0 = now_ns();
    let (mut reached, mut limit) = (0u64, None);
    while reached < n {
        let b = (n - reached).min(BATCH);
        for i in reached..reached + b {
            let (g, s) = (gate.clone(), started.clone());
            hs[i as usize] = Some(tokio::spawn(async move {
                s.fetch_add(1, Release);
                // The permit is dropped at once, handing it back for the next.
                drop(g.acquire().await);
                fnv_item(SPAWN_TAG, i, 0)
            }));
        }
        reached += b;
        let grown = status_bytes("VmRSS").saturating_sub(rss0) as f64;
        if reached < n
            && avail > 0
            && grown + grown / reached as f64 * BATCH as f64 > 0.8 * avail as f64
        {
            limit = Some(format!(
                "stopped at {} tasks: the next batch would pass 80% of MemAvailable ({} bytes); Rust aborts on out-of-memory",
                reached, avail
            ));
            break;
        }
    }
    // Every task up to its wait, so that it holds what a waiting task holds.
    while started.load(Acquire) < reached {
        tokio::task::yield_now().await;
    }
    let spawn_all = now_ns() - t0;
    let (rss1, hwm) = (status_bytes("VmRSS"), status_bytes("VmHWM"));
    gate.add_permits(1);
    let mut sum = 0u64;
    for h in hs.iter_mut().take(reached as usize) {
        sum = sum.wrapping_add(h.take().unwrap().await.unwrap_or(0));
    }
    Alive { reached, sum, wall: now_ns() - t0, spawn_all, rss0, rss1, hwm, limit }
}

fn finish_alive(n: u64, a: Alive, r: &mut Res) -> Result<(), String> {
    r.sum = sum_final(a.sum, a.reached);
    r.u("tasks", a.reached);
    r.u("tasks_requested", n);
    r.u("tasks_reached", a.reached);
    r.u("wall_ns", a.wall);
    r.u("spawn_all_ns", a.spawn_all);
    r.u("baseline_rss_bytes", a.rss0);
    r.u("peak_rss_bytes", a.rss1);
    r.u("vmhwm_bytes", a.hwm);
    let per = if a.reached > 0 { a.rss1.saturating_sub(a.rss0) / a.reached } else { 0 };
    r.u("rss_per_task_bytes", per);
    r.set("limit_error", a.limit.map_or(Val::Null, Val::S));
    r.f("ns_per_task", a.wall as f64 / a.reached.max(1) as f64);
    Ok(())
}
