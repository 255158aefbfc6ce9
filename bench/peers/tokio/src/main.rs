//! corobench-tokio: the Tokio peer of corobench. It runs the suite's
//! workloads on Tokio's current_thread or multi_thread runtime and prints the
//! same JSON result as `corobench <workload> --json` (bench/SCHEMA.md), so
//! the harness treats Tokio as one more backend. `echo-server` is the server
//! side of corobench's echo workload (bench/echo/).

mod checksum;
mod cpubound;
mod echo;
mod env;
mod opts;
mod prodcons;
mod result;
mod runtime;
mod skynet;
mod spawn;
mod switch;
mod sys;

use opts::{Opts, Spec};
use result::Res;

const PROG: &str = "corobench-tokio";

type RunFn = fn(&Opts, &mut Res) -> Result<(), String>;
type CheckFn = fn(&Opts) -> Result<(), String>;

struct Workload {
    name: &'static str,
    about: &'static str,
    specs: &'static [Spec],
    run: Option<RunFn>, // None: echo-server, which serves instead of printing a result
    check: Option<CheckFn>,
}

const WORKLOADS: &[Workload] = &[
    Workload { name: "switch", about: "two tasks hand control back and forth, --n times each (2n switches)", specs: switch::SPECS, run: Some(switch::run), check: None },
    Workload { name: "spawn", about: "spawn and join --n trivial tasks one at a time; --alive keeps them all alive at once", specs: spawn::SPECS, run: Some(spawn::run), check: Some(spawn::check) },
    Workload { name: "prodcons", about: "P producers, C consumers, an mpsc channel of --capacity, --items items, --work-ns CPU work per item", specs: prodcons::SPECS, run: Some(prodcons::run), check: None },
    Workload { name: "cpubound", about: "--total-work steps split over --tasks tasks, --wss bytes each, yield every --yield-every steps", specs: cpubound::SPECS, run: Some(cpubound::run), check: None },
    Workload { name: "skynet", about: "each task spawns --fanout children, --depth levels down; the sums come back up", specs: skynet::SPECS, run: Some(skynet::run), check: Some(skynet::check) },
    Workload { name: "echo-server", about: "TCP echo server for corobench's echo load generator (bench/echo/)", specs: echo::SPECS, run: None, check: None },
];

fn usage() -> String {
    let names: Vec<&str> = WORKLOADS.iter().map(|w| w.name).collect();
    format!(
        "usage: {} <workload> [options] [--json] [--out FILE]\nworkloads: {}\n`{} <workload> --help` lists its options\n",
        PROG,
        names.join(" "),
        PROG
    )
}

/// Usage errors: one line naming the option, exit 2.
fn die2(w: &str, msg: &str) -> ! {
    eprintln!("{} {}: {}", PROG, w, msg);
    std::process::exit(2);
}

/// Combinations every workload rejects.
fn check_common(o: &Opts) -> Result<(), String> {
    if !o.multi() && o.u("workers") != 1 {
        return Err(format!(
            "--workers: current_thread runs on one thread, got {} (use --runtime multi_thread)",
            o.u("workers")
        ));
    }
    Ok(())
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let first = args.first().map(String::as_str).unwrap_or("");
    if first == "--help" || first == "-h" {
        print!("{}", usage());
        return;
    }
    let w = match WORKLOADS.iter().find(|w| w.name == first) {
        Some(w) => w,
        None if first.is_empty() => {
            eprint!("{}", usage());
            std::process::exit(2);
        }
        None => die2("", &format!("unknown workload '{}' (try --help)", first)),
    };
    let o = opts::parse(w.specs, &args[1..]).unwrap_or_else(|e| die2(w.name, &e));
    if o.help {
        print!("{}", opts::help_text(PROG, w.name, w.about, w.specs));
        return;
    }
    let checks = check_common(&o).and_then(|_| w.check.map_or(Ok(()), |c| c(&o)));
    checks.unwrap_or_else(|e| die2(w.name, &e));
    let run = match w.run {
        Some(run) => run,
        None => std::process::exit(echo::run(&o)),
    };
    let mut r = Res::new(w.name, &o);
    if let Err(e) = run(&o, &mut r) {
        r.error = Some(e);
    }
    std::process::exit(emit(&o, &r));
}

/// Prints or writes the result (--out: temp file + rename, never a partial
/// file); the exit code: 0 ok, 1 the run failed.
fn emit(o: &Opts, r: &Res) -> i32 {
    if let Some(e) = &r.error {
        eprintln!("{}: {}", PROG, e);
    }
    let text = if o.json || o.out.is_some() { r.to_json() + "\n" } else { r.to_text() };
    match &o.out {
        None => print!("{}", text),
        Some(path) => {
            let tmp = format!("{}.tmp.{}", path, std::process::id());
            let written = std::fs::write(&tmp, &text).and_then(|_| std::fs::rename(&tmp, path));
            if let Err(e) = written {
                let _ = std::fs::remove_file(&tmp);
                eprintln!("{}: --out {}: {}", PROG, path, e);
                return 1;
            }
        }
    }
    i32::from(r.error.is_some())
}
