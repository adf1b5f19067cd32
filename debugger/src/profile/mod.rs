//! Profiling a local program: a calling-context profile of its instructions, calls and time
//! samples while it runs, resolved against the DWARF into a call tree of functions or lines.

pub mod format;
pub(crate) mod totals;
pub(crate) mod tree;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::time::Duration;

pub use totals::{CallEdge, FrameTotals};
pub use tree::{By, CallNode, CallTree, ProfileFrame};

use crate::error::Error;

/// One frame of a call site, as call sites are told apart: function, file and line.
pub(crate) type Place = (Option<String>, Option<String>, u32);

/// How often `profile on` takes a time sample, as a served program's stub does.
pub const SAMPLE_INTERVAL: Duration = Duration::from_millis(1);

/// Calling contexts a local profile tells apart; the rest count together as `[other]`.
pub const CONTEXTS: usize = 1 << 16;

/// What a profile counts beside instructions and calls per calling context.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ProfileOptions {
    /// Count every instruction by its pc too, so the profile resolves to source lines (a
    /// little slower: one more count at every transfer of control).
    pub lines: bool,
    /// Take a time sample every `interval` of running; none without one.
    pub interval: Option<Duration>,
}

/// The error for a profile asked of a session that is not profiling.
pub(crate) fn profiling_off() -> Error {
    Error::Unsupported("Profiling is off; `profile on` starts it.".into())
}
