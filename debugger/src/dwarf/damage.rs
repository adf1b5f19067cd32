//! What could not be read of a module's DWARF: the section, where in it, and why. A session
//! opens with the rest, as gdb and LLDB do, and says what was skipped.

/// One part of the DWARF skipped as malformed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Damage {
    /// The section it lies in.
    pub section: &'static str,
    /// The byte offset in that section where the part skipped starts (a unit, a line program).
    pub offset: u64,
    /// What was found wrong there.
    pub error: String,
}

impl Damage {
    /// The part of `section` at `offset` that `error` stopped.
    pub fn new(section: &'static str, offset: u64, error: impl std::fmt::Display) -> Damage {
        Damage {
            section,
            offset,
            error: error.to_string(),
        }
    }
}
