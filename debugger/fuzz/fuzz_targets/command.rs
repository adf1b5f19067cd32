//! Command lines and expressions: any text, parsed as commands, evaluated as expressions and
//! checked as conditions in a session before `run` and in one stopped in a function, gives values
//! or errors, never a panic or a hang (`debugger::fuzzing::command`, which
//! `debugger/tests/fuzz_corpus.rs` replays the seeds through).
#![no_main]

use std::cell::RefCell;

use debugger::fuzzing::{Fixture, command};
use libfuzzer_sys::fuzz_target;

thread_local! {
    /// The freestanding board fixture, opened once: as before `run`, and stopped in `filter`.
    static FIXTURE: RefCell<Fixture> = RefCell::new(
        Fixture::open(
            include_bytes!("../../../tests/fixtures/wasm/c-board-O1.wasm"),
            "filter",
        )
        .expect("the fixture opens"),
    );
}

fuzz_target!(|data: &[u8]| FIXTURE.with(|f| command(&mut f.borrow_mut(), data)));
