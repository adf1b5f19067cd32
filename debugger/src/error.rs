//! The debugger's error type.

/// Everything the debugger engine can report as failed.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The DWARF of a section is malformed.
    #[error("malformed DWARF in {section}: {message}")]
    Dwarf {
        /// The section or unit being read.
        section: String,
        /// What gimli found wrong.
        message: String,
    },
}

impl Error {
    /// A DWARF error found while reading `section`.
    pub fn dwarf(section: &str, e: impl std::fmt::Display) -> Self {
        Error::Dwarf {
            section: section.into(),
            message: e.to_string(),
        }
    }
}
