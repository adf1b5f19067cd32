//! Picks the interpreter's dispatch (see `exec::dispatch`): handlers that end in tail calls,
//! where an optimised build for x86_64 or aarch64 makes those calls jumps, else handlers that
//! return to a loop (an unoptimised or size-optimised build, other targets; Miri, by `cfg`).

fn main() {
    println!("cargo::rustc-check-cfg=cfg(wrt_tail_calls)");
    println!("cargo::rerun-if-changed=build.rs");
    let opt = std::env::var("OPT_LEVEL").unwrap_or_default();
    let arch = std::env::var("CARGO_CFG_TARGET_ARCH").unwrap_or_default();
    if matches!(opt.as_str(), "2" | "3") && matches!(arch.as_str(), "x86_64" | "aarch64") {
        println!("cargo::rustc-cfg=wrt_tail_calls");
    }
}
