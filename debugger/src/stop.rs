//! The report of a stop: why the program stopped, its frame and line, a finished function's
//! value and the displays, as the front-ends show it.

use crate::report::{Stop, StopReason};

/// A stop where the program is gone: no frame, nothing to show.
pub(crate) fn gone(reason: StopReason) -> Stop {
    Stop {
        reason,
        frame: None,
        source: None,
        new_function: false,
        at_statement: false,
        displays: Vec::new(),
    }
}
