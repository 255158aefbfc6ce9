//! prodcons: P producers and C consumers over one tokio::sync::mpsc channel.
//! Items are 1..N, producer j puts j, j+P, ...; consumers are spawned first;
//! the channel closes when the last sender is dropped, after the producers
//! end (corobench's shape). --capacity 0 (unbounded in corobench) is
//! mpsc::unbounded_channel.
//!
//! mpsc has a single receiver. With one consumer it owns it. With several,
//! they share it behind a tokio::sync::Mutex, each holding the lock across
//! its recv: Debian packages no multi-consumer async channel (async-channel,
//! flume), and the mutex is what a Tokio program does without one.
//! results.queue names the mechanism used.

use std::sync::Arc;
use tokio::sync::{mpsc, Mutex};

use crate::checksum::{fnv_item, sum_final, PRODCONS_TAG};
use crate::opts::{Kind, Opts, Spec};
use crate::result::Res;
use crate::sys::{now_ns, ns_to_iters, sink, spin};

pub const SPECS: &[Spec] = &[
    Spec { name: "producers", kind: Kind::Uint(1, 100_000), def: "1", help: "producer tasks" },
    Spec { name: "consumers", kind: Kind::Uint(1, 100_000), def: "1", help: "consumer tasks" },
    Spec {
        name: "capacity",
        kind: Kind::Uint(0, 100_000_000),
        def: "64",
        help: "channel capacity, 0 = unbounded",
    },
    Spec {
        name: "items",
        kind: Kind::Uint(1, 10_000_000_000),
        def: "100000",
        help: "items in all",
    },
    Spec {
        name: "work-ns",
        kind: Kind::Uint(0, 100_000_000),
        def: "0",
        help: "busy work per consumed item, ns",
    },
];

/// Both ends, whatever the capacity.
enum Tx {
    Bounded(mpsc::Sender<u64>),
    Unbounded(mpsc::UnboundedSender<u64>),
}
enum Rx {
    Bounded(mpsc::Receiver<u64>),
    Unbounded(mpsc::UnboundedReceiver<u64>),
}

impl Tx {
    async fn send(&self, v: u64) -> bool {
        match self {
            Tx::Bounded(t) => t.send(v).await.is_ok(),
            Tx::Unbounded(t) => t.send(v).is_ok(),
        }
    }
    fn clone(&self) -> Tx {
        match self {
            Tx::Bounded(t) => Tx::Bounded(t.clone()),
            Tx::Unbounded(t) => Tx::Unbounded(t.clone()),
        }
    }
}

impl Rx {
    async fn recv(&mut self) -> Option<u64> {
        match self {
            Rx::Bounded(r) => r.recv().await,
            Rx::Unbounded(r) => r.recv().await,
        }
    }
}

/// Where a consumer takes items from: the receiver itself (one consumer,
/// no lock) or the receiver shared behind the mutex.
enum Source {
    Own(Rx),
    Shared(Arc<Mutex<Rx>>),
}

impl Source {
    async fn next(&mut self) -> Option<u64> {
        match self {
            Source::Own(rx) => rx.recv().await,
            Source::Shared(m) => m.lock().await.recv().await,
        }
    }
}

/// One consumer's take: (sum of item hashes, items).
async fn consume(mut src: Source, iters: u64) -> (u64, u64) {
    let (mut sum, mut k, mut fold) = (0u64, 0u64, 0u64);
    while let Some(v) = src.next().await {
        if iters > 0 {
            fold = fold.wrapping_add(spin(iters));
        }
        sum = sum.wrapping_add(fnv_item(PRODCONS_TAG, v, 0));
        k += 1;
    }
    sink(fold);
    (sum, k)
}

async fn body(
    np: u64,
    nc: u64,
    items: u64,
    cap: u64,
    iters: u64,
) -> Result<(u64, u64, u64), String> {
    let (tx, rx) = if cap == 0 {
        let (t, r) = mpsc::unbounded_channel();
        (Tx::Unbounded(t), Rx::Unbounded(r))
    } else {
        let (t, r) = mpsc::channel(cap as usize);
        (Tx::Bounded(t), Rx::Bounded(r))
    };
    let t0 = now_ns();
    let cons: Vec<_> = if nc == 1 {
        vec![tokio::spawn(consume(Source::Own(rx), iters))]
    } else {
        let rx = Arc::new(Mutex::new(rx));
        (0..nc).map(|_| tokio::spawn(consume(Source::Shared(rx.clone()), iters))).collect()
    };
    let prods: Vec<_> = (1..=np)
        .map(|p| {
            let tx = tx.clone();
            tokio::spawn(async move {
                let mut v = p;
                while v <= items && tx.send(v).await {
                    v += np;
                }
            })
        })
        .collect();
    drop(tx); // the channel closes when the last producer's sender goes
    for h in prods {
        h.await.map_err(|e| format!("a producer failed: {}", e))?;
    }
    let (mut sum, mut count) = (0u64, 0u64);
    for h in cons {
        let (s, k) = h.await.map_err(|e| format!("a consumer failed: {}", e))?;
        sum = sum.wrapping_add(s);
        count += k;
    }
    Ok((sum, count, now_ns() - t0))
}

pub fn run(o: &Opts, r: &mut Res) -> Result<(), String> {
    let (np, nc, items, cap) = (o.u("producers"), o.u("consumers"), o.u("items"), o.u("capacity"));
    let iters = if o.u("work-ns") > 0 { ns_to_iters(o.u("work-ns")) } else { 0 };
    let (sum, count, wall) = crate::runtime::run(o, false, body(np, nc, items, cap, iters))??;
    if count != items {
        return Err(format!("consumed {} items, expected {}", count, items));
    }
    r.sum = sum_final(sum, count);
    r.u("items", count);
    r.u("wall_ns", wall);
    r.f("items_per_s", count as f64 * 1e9 / wall.max(1) as f64);
    r.u("work_iters_per_item", iters);
    let q = match (cap, nc) {
        (0, 1) => "tokio::sync::mpsc::unbounded_channel",
        (0, _) => "tokio::sync::mpsc::unbounded_channel, receiver shared behind tokio::sync::Mutex",
        (_, 1) => "tokio::sync::mpsc::channel",
        _ => "tokio::sync::mpsc::channel, receiver shared behind tokio::sync::Mutex",
    };
    r.s("queue", q);
    Ok(())
}
