//! The Tokio runtime a workload runs on: current_thread (one thread, the
//! counterpart of corobench's M:1 `coro_run`) or multi_thread with --workers
//! threads (the counterpart of M:N `coro_run_ex`).

use std::future::Future;
use tokio::runtime::{Builder, Runtime};

use crate::opts::Opts;

/// Builds the runtime. Drivers are enabled only when the workload needs them
/// (`io` for the echo server): without them an idle or yielding scheduler
/// parks on a plain condition variable instead of polling epoll, which is
/// what a Tokio program without sockets gets too.
pub fn build(o: &Opts, io: bool) -> Result<Runtime, String> {
    let mut b = if o.multi() {
        let mut b = Builder::new_multi_thread();
        b.worker_threads(o.u("workers") as usize);
        b
    } else {
        Builder::new_current_thread()
    };
    if io {
        b.enable_io();
    }
    b.build().map_err(|e| format!("runtime creation failed: {}", e))
}

/// Runs `fut` as a task of a new runtime and waits for it. The workload's
/// main is spawned rather than given to block_on so that on multi_thread it
/// runs on a worker like every other task (as corobench's main coroutine
/// does under M:N), not on the calling thread outside the scheduler.
pub fn run<F>(o: &Opts, io: bool, fut: F) -> Result<F::Output, String>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    let rt = build(o, io)?;
    let h = rt.spawn(fut);
    rt.block_on(h).map_err(|e| format!("the workload's main task failed: {}", e))
}
