//! A broken limit or rule, as the budget, the ASIL rules and admission report it: a plain value,
//! below the errors that carry it ([`crate::Error::DoesNotFit`]).

use alloc::vec::Vec;

/// A broken limit or rule, named, with the values that break it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Violation {
    /// The limit key or the rule broken, e.g. `max_total_memory` or `ASIL-D debug overhead`.
    pub rule: alloc::string::String,
    /// The value found.
    pub found: u64,
    /// The value allowed.
    pub allowed: u64,
    /// Byte offset in the module where the streaming pass stopped on it, if it did.
    pub offset: Option<u64>,
}

impl Violation {
    /// The violations, `; `-separated, each as its [`core::fmt::Display`] form.
    pub fn list(violations: &[Violation]) -> alloc::string::String {
        let each: Vec<alloc::string::String> = violations
            .iter()
            .map(alloc::string::ToString::to_string)
            .collect();
        each.join("; ")
    }
}

impl core::fmt::Display for Violation {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(
            f,
            "{} (found {}, allowed {})",
            self.rule, self.found, self.allowed
        )
    }
}
