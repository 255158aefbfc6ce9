//! Records what built the binary, for the result's env.compiler: the rustc
//! cargo ran (RUSTC) and the tokio version Cargo.lock resolved to. Done here
//! rather than by the caller so that any way of building (CMake, cargo by
//! hand) gives a self-describing binary.

use std::process::Command;

fn main() {
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into());
    let version = Command::new(&rustc)
        .arg("--version")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .map_or("rustc (version unknown)".into(), |s| s.trim().to_string());
    println!("cargo:rustc-env=COROBENCH_RUSTC_VERSION={}", version);
    let lock = std::fs::read_to_string("Cargo.lock").unwrap_or_default();
    let tokio = lock
        .split("[[package]]")
        .find(|p| p.contains("name = \"tokio\"\n"))
        .and_then(|p| p.lines().find_map(|l| l.strip_prefix("version = \"")))
        .map_or("1.x", |v| v.trim_end_matches('"'));
    println!("cargo:rustc-env=COROBENCH_TOKIO_VERSION={}", tokio);
    println!("cargo:rerun-if-changed=Cargo.lock");
    println!("cargo:rerun-if-env-changed=RUSTC");
}
