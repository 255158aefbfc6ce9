//! The machine and build, recorded the way corobench records them (the `env`
//! object of bench/SCHEMA.md); build.rs supplies the compiler and tokio
//! versions. The commit comes from COROBENCH_COMMIT, set
//! by the harness, because a cargo binary has no configure step.

use crate::result::Val;

pub fn info() -> Vec<(String, Val)> {
    let commit = std::env::var("COROBENCH_COMMIT").unwrap_or_else(|_| "unknown".into());
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get() as u64);
    vec![
        ("cpu_model".into(), Val::S(cpu_model())),
        ("cores".into(), Val::U(cores)),
        ("kernel".into(), Val::S(kernel())),
        (
            "compiler".into(),
            Val::S(format!(
                "{}, tokio {}",
                env!("COROBENCH_RUSTC_VERSION"),
                env!("COROBENCH_TOKIO_VERSION")
            )),
        ),
        ("cflags".into(), Val::S("cargo build --release (opt-level 3, codegen-units 1)".into())),
        ("commit".into(), Val::S(commit)),
    ]
}

fn cpu_model() -> String {
    let text = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    text.lines()
        .filter_map(|l| l.split_once(':'))
        .find(|(k, _)| k.trim() == "model name")
        .map_or("unknown".into(), |(_, v)| v.trim().to_string())
}

fn kernel() -> String {
    // SAFETY: uname only writes the struct it is given.
    let mut u: libc::utsname = unsafe { std::mem::zeroed() };
    if unsafe { libc::uname(&mut u) } != 0 {
        return "unknown".into();
    }
    let field = |a: &[libc::c_char]| {
        let b: Vec<u8> = a.iter().take_while(|&&c| c != 0).map(|&c| c as u8).collect();
        String::from_utf8_lossy(&b).into_owned()
    };
    format!("{} {} {}", field(&u.sysname), field(&u.release), field(&u.machine))
}
