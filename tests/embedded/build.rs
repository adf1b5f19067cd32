//! Puts memory.x where the linker finds it and embeds the module named by `WRT_MODULE`, under
//! the name `WRT_MODULE_NAME` (default: its file name), which the stub reports to debuggers.

use std::path::PathBuf;

fn main() {
    let out = PathBuf::from(std::env::var("OUT_DIR").unwrap());
    std::fs::copy("memory.x", out.join("memory.x")).unwrap();
    println!("cargo:rustc-link-search={}", out.display());
    println!("cargo:rerun-if-changed=memory.x");
    let module = std::env::var("WRT_MODULE")
        .expect("WRT_MODULE names the .wasm file to embed (tests/embedded/run-qemu sets it)");
    std::fs::copy(&module, out.join("module.wasm")).unwrap();
    let name = std::env::var("WRT_MODULE_NAME").unwrap_or_else(|_| {
        let path = std::path::Path::new(&module);
        path.file_name().unwrap().to_string_lossy().into_owned()
    });
    println!("cargo:rustc-env=WRT_MODULE_NAME={name}");
    println!("cargo:rerun-if-env-changed=WRT_MODULE");
    println!("cargo:rerun-if-env-changed=WRT_MODULE_NAME");
    println!("cargo:rerun-if-changed={module}");
}
