//! The session's breakpoints and watchpoints as the user numbered them, and the sites armed for
//! them in the target.

use crate::breakpoint::{UserBreakpoint, UserWatch};

/// User breakpoints and watchpoints, one numbering for both.
pub struct Points {
    /// User breakpoints, by number.
    pub(super) breakpoints: Vec<UserBreakpoint>,
    /// User watchpoints.
    pub(super) watches: Vec<UserWatch>,
    /// Breakpoint sites armed in the target (module function index, pc).
    pub(super) armed: Vec<(u32, u32)>,
    pub(super) next_number: u32,
}

impl Default for Points {
    fn default() -> Points {
        Points {
            breakpoints: Vec::new(),
            watches: Vec::new(),
            armed: Vec::new(),
            next_number: 1,
        }
    }
}

impl Points {
    /// User breakpoints, by number.
    pub fn breakpoints(&self) -> &[UserBreakpoint] {
        &self.breakpoints
    }

    /// User watchpoints.
    pub fn watches(&self) -> &[UserWatch] {
        &self.watches
    }
}
