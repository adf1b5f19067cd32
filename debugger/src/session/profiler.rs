//! The session's profiler: the calling-context counters while profiling is on, and the wall time
//! they cover.

use std::cell::Cell;
use std::rc::Rc;
use std::time::{Duration, Instant};

use runtime_core::debug::Profile;

/// The profile being gathered.
#[derive(Default)]
pub struct Profiler {
    /// The calling-context counters while profiling is on.
    pub(super) profile: Option<Profile>,
    /// Wall time the program ran while profiled.
    pub(super) profile_time: Duration,
    /// When the profile's last time sample was taken, while it samples time.
    pub(super) profile_clock: Option<Rc<Cell<Instant>>>,
}
