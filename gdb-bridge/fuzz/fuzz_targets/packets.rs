//! The packet path: any bytes from a client (packets, garbage, bad checksums, huge lengths, Ctrl-C)
//! must get replies or be dropped; the server never panics and always finishes the input.
#![no_main]

use std::cell::RefCell;
use std::rc::Rc;

use gdb_bridge::WasmTarget;
use gdb_bridge::serve::serve;
use libfuzzer_sys::fuzz_target;
use runtime_core::limits::preset::linux_production;
use runtime_core::limits::{AsilLevel, DebugLevel, MIB};
use runtime_core::wasi::{self, WasiCtx};
use runtime_core::{Extern, Linker, Module};

const FIXTURE: &[u8] = include_bytes!("../../../tests/fixtures/wasm/c-vec-O2.wasm");

fuzz_target!(|data: &[u8]| {
    let mut limits = linux_production(256 * MIB, AsilLevel::QM, DebugLevel::FullDebug);
    // A small interpreter stack: the target allocates all of it up front, every run.
    limits.max_stack_bytes = 256 * 1024;
    let bytes: Rc<[u8]> = FIXTURE.into();
    let module = Rc::new(Module::new_for_debugging(&bytes).expect("fixture"));
    let mut store = runtime_core::Store::new(limits.store_config());
    let mut linker = Linker::new();
    let ctx = WasiCtx::with_stdio(
        vec!["fuzz".into()],
        vec![],
        Box::new(std::io::empty()),
        Box::new(std::io::sink()),
        Box::new(std::io::sink()),
    );
    wasi::link(&mut store, &mut linker, &module, Rc::new(RefCell::new(ctx))).expect("link");
    let inst = linker.instantiate(&mut store, module.clone()).expect("instantiate");
    let Some(Extern::Func(entry)) = store.instance(inst).export("_start") else { return };
    let mut target = WasmTarget::new(store, inst, entry, module, bytes, "fuzz.wasm".into(), &limits).expect("target");
    let input = std::io::Cursor::new(data.to_vec());
    let _ = serve(&mut target, input, || Ok(std::io::sink()));
});
