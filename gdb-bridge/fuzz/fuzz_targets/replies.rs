//! The client side: any bytes from a stub (replies, garbage, bad checksums, odd stop packets,
//! call stacks pointing nowhere) must become errors or stops, never a panic, as the engine's
//! target reads frames, values and memory, arms breakpoints and resumes; and the handshake reads
//! no more of a module than the limit allows.
#![no_main]

use std::rc::Rc;

use libfuzzer_sys::fuzz_target;
use runtime_core::Module;

const FIXTURE: &[u8] = include_bytes!("../../../tests/fixtures/wasm/c-vec-O2.wasm");

thread_local! {
    /// The fixture, parsed once: the fuzzed part is the stub, not the module.
    static MODULE: Rc<Module> = Rc::new(Module::new_for_debugging(FIXTURE).expect("fixture"));
}

fuzz_target!(|data: &[u8]| {
    MODULE.with(|module| gdb_bridge::fuzzing::replies(module, data));
});
