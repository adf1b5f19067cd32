//! The packet path: any bytes from a client (packets, garbage, bad checksums, huge lengths, Ctrl-C)
//! must get replies or be dropped; the server never panics and always finishes the input.
#![no_main]

use libfuzzer_sys::fuzz_target;

const FIXTURE: &[u8] = include_bytes!("../../../tests/fixtures/wasm/c-vec-O2.wasm");

fuzz_target!(|data: &[u8]| {
    let _ = gdb_bridge::fuzzing::packets(FIXTURE, data);
});
