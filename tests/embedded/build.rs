//! Puts memory.x where the linker finds it and embeds the module named by `WRT_MODULE`.

use std::path::PathBuf;

fn main() {
    let out = PathBuf::from(std::env::var("OUT_DIR").unwrap());
    std::fs::copy("memory.x", out.join("memory.x")).unwrap();
    println!("cargo:rustc-link-search={}", out.display());
    println!("cargo:rerun-if-changed=memory.x");
    let module = std::env::var("WRT_MODULE")
        .expect("WRT_MODULE names the .wasm file to embed (tests/embedded/run-qemu sets it)");
    std::fs::copy(&module, out.join("module.wasm")).unwrap();
    println!("cargo:rerun-if-env-changed=WRT_MODULE");
    println!("cargo:rerun-if-changed={module}");
}
