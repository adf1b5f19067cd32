//! Module admission: any bytes go through `run`'s admission and `check`'s pass, which must agree,
//! and a module admitted is instantiated and run on bounded fuel (`runtime_core::fuzzing`).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| runtime_core::fuzzing::admit_any(data));
