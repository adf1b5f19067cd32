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
    /// The runtime refused: a bad module, a limit.
    #[error(transparent)]
    Runtime(runtime_core::Error),
    /// A bounded debug table is full: a front-end shows its use against `capacity`.
    #[error(
        "limit `{limit}` reached: {capacity} allowed on {platform} at debug level {debug_level}"
    )]
    TableFull {
        /// The limit sizing the table.
        limit: &'static str,
        /// Records the table holds.
        capacity: u64,
        /// The platform whose limits these are.
        platform: runtime_core::limits::PlatformId,
        /// The debug level in force.
        debug_level: runtime_core::limits::DebugLevel,
    },
    /// The safety rules refuse debug access.
    #[error("debug session refused: {rule}")]
    Refused {
        /// The rule, e.g. `ASIL-D in production refuses debug access`.
        rule: String,
    },
    /// No variable, function or symbol by this name where the program stands.
    #[error("No symbol \"{name}\" in current context.")]
    NoSymbol {
        /// The name asked for.
        name: String,
    },
    /// Talking to the target failed (a remote link dropped or timed out): not an answer about
    /// the program.
    #[error("target I/O: {cause}")]
    TargetIo {
        /// What failed.
        cause: String,
    },
    /// A command or its argument is wrong.
    #[error("{0}")]
    Usage(String),
    /// The command needs a running program.
    #[error("The program is not being run.")]
    NotRunning,
    /// The command needs the stack of a stopped program (`up`, `frame`, `backtrace`), and no
    /// program runs.
    #[error("No stack.")]
    NoStack,
    /// The command needs a selected frame (`info locals`, a local variable), and no program runs.
    #[error("No frame selected.")]
    NoFrame,
    /// The command needs a stopped program, and it is running.
    #[error("The program is running; interrupt it first.")]
    Running,
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

impl From<runtime_core::Error> for Error {
    fn from(e: runtime_core::Error) -> Self {
        match e {
            runtime_core::Error::DebugCapacity {
                limit,
                allowed,
                platform,
                debug_level,
            } => Error::TableFull {
                limit,
                capacity: allowed,
                platform,
                debug_level,
            },
            runtime_core::Error::DebugRefused { rule } => Error::Refused { rule },
            other => Error::Runtime(other),
        }
    }
}

impl Error {
    /// A short name of the variant, for front-ends that act on it (`no_symbol`, `running`).
    pub fn kind(&self) -> &'static str {
        match self {
            Error::Dwarf { .. } => "dwarf",
            Error::Runtime(_) => "runtime",
            Error::TableFull { .. } => "table_full",
            Error::Refused { .. } => "refused",
            Error::NoSymbol { .. } => "no_symbol",
            Error::TargetIo { .. } => "target_io",
            Error::Usage(_) => "usage",
            Error::NotRunning => "not_running",
            Error::NoStack => "no_stack",
            Error::NoFrame => "no_frame",
            Error::Running => "running",
            Error::Remote(_) => "remote",
            Error::Memory { .. } => "memory",
            Error::Expr { .. } => "expression",
        }
    }

    /// A DWARF error found while reading `section`.
    pub fn dwarf(section: &str, e: impl std::fmt::Display) -> Self {
        Error::Dwarf {
            section: section.into(),
            message: e.to_string(),
        }
    }
}
