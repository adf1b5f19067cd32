//! Running the module straight away, with no debugger.

use alloc::string::{String, ToString};

use runtime_core::{Error, Thread, Trap};

use crate::HEAP;
use crate::footprint::Parts;
use crate::load::Loaded;

/// Runs `_start` to its end: the exit code (134 after a trap, reported on UART1), and what
/// setting up the run held; or why it could not start.
pub fn run(loaded: Loaded) -> Result<(i32, Parts), (String, Parts)> {
    let Loaded {
        mut store,
        entry,
        mut parts,
        ..
    } = loaded;
    let before = HEAP.held();
    let mut thread = match Thread::new(&store, entry, &[]) {
        Ok(t) => t,
        Err(e) => return Err((e.to_string(), parts)),
    };
    thread.preallocate(&store);
    parts.instance += HEAP.held() - before;
    let code = match thread.run(&mut store) {
        Ok(_) => 0,
        Err(Trap::Exit(code)) => code,
        Err(t) => crate::fail("trap", &Error::Trap(t)),
    };
    Ok((code, parts))
}
