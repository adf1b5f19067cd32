//! Profiling a local program: per-function instruction and call counts while it runs.

use crate::error::Error;
use crate::report::{Profile, ProfileEntry};
use crate::session::Session;

impl Session {
    /// Turns the profiling counters on (from zero) or off; they need debug level `profile`.
    pub fn set_profiling(&mut self, on: bool) -> Result<(), Error> {
        let level = self.debug.limits.debug_level;
        if on && level < runtime_core::limits::DebugLevel::BasicProfile {
            return Err(Error::Usage(format!(
                "profiling needs debug level profile or full; this session is at {level}"
            )));
        }
        if on && self.attached {
            return Err(Error::Usage(
                "A remote program profiles itself: `monitor profile on` starts it counting, `monitor profile` shows the counts.".into(),
            ));
        }
        self.profile =
            on.then(|| runtime_core::debug::Profile::new(self.module.num_funcs() as usize));
        Ok(())
    }

    /// The top `n` functions of the profile.
    pub(crate) fn profile_report(&self, n: usize) -> Result<Profile, Error> {
        let p = self.profile.as_ref().ok_or_else(profiling_off)?;
        Ok(Profile {
            entries: p
                .top(n)
                .iter()
                .map(|c| ProfileEntry {
                    function: self.function_name(c.func),
                    instructions: c.instructions,
                    calls: c.calls,
                })
                .collect(),
            total: p.total(),
        })
    }

    /// A function's source name (from DWARF at its entry), else the module's name for it.
    fn function_name(&self, func: u32) -> String {
        self.addr_of(func, 0)
            .and_then(|a| self.dwarf.function_at(a))
            .map_or_else(|| self.func_label(func), |f| f.qualified.clone())
    }
}

/// The error for a profile asked of a session that is not profiling.
pub(crate) fn profiling_off() -> Error {
    Error::Usage("Profiling is off; `profile on` starts it.".into())
}
