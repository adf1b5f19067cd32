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
    /// The runtime refused: bad module, limits, a full debug table, a refused session.
    #[error(transparent)]
    Runtime(#[from] runtime_core::Error),
    /// A command or its argument is wrong.
    #[error("{0}")]
    Usage(String),
    /// The command needs a running program.
    #[error("The program is not being run.")]
    NotRunning,
    /// A remote target failed or answered what the engine cannot use.
    #[error("remote target: {0}")]
    Remote(String),
    /// A memory read outside linear memory.
    #[error("Cannot access memory at address {addr:#x} ({len} bytes; memory is {size} bytes)")]
    Memory {
        /// First byte asked for.
        addr: u64,
        /// Bytes asked for.
        len: usize,
        /// Size of linear memory.
        size: u64,
    },
    /// An expression cannot be evaluated.
    #[error("{message} (in `{expr}` at column {column})")]
    Expr {
        /// The expression text.
        expr: String,
        /// 1-based column of the problem.
        column: usize,
        /// What is wrong.
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
