//! switch: two tasks hand control back and forth, --n times each (2n
//! hand-offs), with corobench's coroutine shape: a turn word, and
//! tokio::task::yield_now after each move and while it is not one's turn.
//! Each hand-off folds (task, iteration) into the checksum, as corobench.

use std::sync::atomic::{AtomicU64, Ordering::*};
use std::sync::{Arc, Mutex};
use tokio::task::yield_now;

use crate::checksum::{fnv_u64, switch_record, FNV_INIT};
use crate::opts::{Kind, Opts, Spec};
use crate::result::Res;
use crate::sys::{now_ns, usage, Usage};

pub const SPECS: &[Spec] = &[Spec {
    name: "n",
    kind: Kind::Uint(1, 10_000_000_000),
    def: "20000",
    help: "hand-offs per task (2n switches in all)",
}];

#[derive(Default)]
struct Sw {
    turn: AtomicU64,
    ready: AtomicU64,
    done: AtomicU64,
    seq: AtomicU64, // only the task holding the turn touches it
    t0: AtomicU64,
    t1: AtomicU64,
    csw: Mutex<(Usage, Usage)>,
}

async fn player(c: Arc<Sw>, me: u64, n: u64) {
    // Both start before the clock does: spawning stays out of the figure.
    c.ready.fetch_add(1, SeqCst);
    while c.ready.load(SeqCst) < 2 {
        yield_now().await;
    }
    if me == 0 {
        c.csw.lock().unwrap().0 = usage();
        c.t0.store(now_ns(), SeqCst);
    }
    for i in 0..n {
        while c.turn.load(Acquire) != me {
            yield_now().await;
        }
        let s = c.seq.load(Relaxed);
        c.seq.store(switch_record(s, me, i), Relaxed);
        c.turn.store(1 - me, Release);
        yield_now().await;
    }
    if c.done.fetch_add(1, SeqCst) == 1 {
        c.t1.store(now_ns(), SeqCst);
        c.csw.lock().unwrap().1 = usage();
    }
}

pub fn run(o: &Opts, r: &mut Res) -> Result<(), String> {
    let n = o.u("n");
    let c = Arc::new(Sw::default());
    c.seq.store(FNV_INIT, SeqCst);
    let cm = c.clone();
    crate::runtime::run(o, false, async move {
        let a = tokio::spawn(player(cm.clone(), 0, n));
        let b = tokio::spawn(player(cm, 1, n));
        (a.await.is_ok(), b.await.is_ok())
    })
    .and_then(|ok| if ok.0 && ok.1 { Ok(()) } else { Err("a player task failed".into()) })?;
    let switches = 2 * n;
    let wall = c.t1.load(SeqCst) - c.t0.load(SeqCst);
    let (u0, u1) = *c.csw.lock().unwrap();
    r.sum = fnv_u64(c.seq.load(SeqCst), switches);
    r.u("switches", switches);
    r.u("wall_ns", wall);
    r.f("ns_per_switch", wall as f64 / switches as f64);
    r.u("vol_csw", u1.vol - u0.vol);
    r.u("invol_csw", u1.invol - u0.invol);
    r.s("mechanism", "turn word + tokio::task::yield_now");
    Ok(())
}
