//! skynet, the public cross-language benchmark (github.com/atemerev/skynet):
//! each task spawns --fanout children, --depth levels down; a leaf returns its
//! number, every other task the sum of its children's. With the defaults
//! (fanout 10, depth 6) that is 1,111,111 tasks and the sum 499999500000.
//! The options are corobench's own (`corobench skynet`), so the harness runs
//! every system with one command line.
//!
//! Checksum: the sum folded with the number of tasks (the shape of corobench's
//! order-independent sums): fnv_u64(fnv_u64(FNV_INIT, sum), tasks).

use tokio::task::JoinHandle;

use crate::checksum::sum_final;
use crate::opts::{Kind, Opts, Spec};
use crate::result::Res;
use crate::sys::{now_ns, status_bytes, usage};

pub const SPECS: &[Spec] = &[
    Spec {
        name: "depth",
        kind: Kind::Uint(0, 12),
        def: "6",
        help: "levels below the root (leaves: fanout^depth)",
    },
    Spec { name: "fanout", kind: Kind::Uint(2, 1000), def: "10", help: "children per task" },
];

/// fanout^depth, or None past 10^8 leaves.
fn leaves_of(o: &Opts) -> Option<u64> {
    let mut v = 1u64;
    for _ in 0..o.u("depth") {
        v = v.checked_mul(o.u("fanout")).filter(|&x| x <= 100_000_000)?;
    }
    Some(v)
}

pub fn check(o: &Opts) -> Result<(), String> {
    match leaves_of(o) {
        Some(_) => Ok(()),
        None => Err(format!(
            "--depth: --fanout ^ --depth must be at most 100000000 leaves, got {} ^ {}",
            o.u("fanout"),
            o.u("depth")
        )),
    }
}

/// Spawns the task for `size` leaves numbered from `num`. A plain function
/// returning the handle: the async block inside calls it again, which an
/// `async fn` could not do without boxing each level.
fn skynet(num: u64, size: u64, fanout: u64) -> JoinHandle<u64> {
    tokio::spawn(async move {
        if size == 1 {
            return num;
        }
        let step = size / fanout;
        let kids: Vec<JoinHandle<u64>> =
            (0..fanout).map(|i| skynet(num + i * step, step, fanout)).collect();
        let mut sum = 0u64;
        for k in kids {
            sum += k.await.expect("a skynet task failed");
        }
        sum
    })
}

pub fn run(o: &Opts, r: &mut Res) -> Result<(), String> {
    let (leaves, fanout) = (leaves_of(o).unwrap_or(1), o.u("fanout"));
    let (sum, wall, cpu) = crate::runtime::run(o, false, async move {
        let (u0, t0) = (usage(), now_ns());
        let sum = skynet(0, leaves, fanout).await;
        (sum, now_ns() - t0, usage().cpu_ns - u0.cpu_ns)
    })?;
    let sum = sum.map_err(|e| format!("the root task failed: {}", e))?;
    let (mut tasks, mut level) = (0u64, 1u64);
    while level <= leaves {
        tasks += level;
        level *= fanout;
    }
    let expect = leaves * (leaves - 1) / 2;
    if sum != expect {
        return Err(format!("sum {} differs from the expected {}", sum, expect));
    }
    r.sum = sum_final(sum, tasks);
    r.u("tasks", tasks);
    r.u("leaves", leaves);
    r.u("sum", sum);
    r.u("wall_ns", wall);
    // CPU time beside the wall: on a shared machine it shows what the run
    // itself cost when the wall clock includes other processes' turns.
    r.u("cpu_ns", cpu);
    r.f("ns_per_task", wall as f64 / tasks as f64);
    r.u("peak_rss_bytes", status_bytes("VmHWM"));
    Ok(())
}
