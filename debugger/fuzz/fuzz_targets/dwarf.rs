//! Malformed DWARF: any bytes as the `.debug_*` sections of a module must give errors, not panics
//! or hangs, through loading and every query the debugger makes of them
//! (`debugger::fuzzing::dwarf`, which `debugger/tests/fuzz_corpus.rs` replays the seeds through).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| debugger::fuzzing::dwarf(data));
