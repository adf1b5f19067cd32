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
    /// A command's text is wrong: an unknown command, a missing or malformed argument.
    #[error("{0}")]
    Usage(String),
    /// No breakpoint or watchpoint has this number.
    #[error("No breakpoint number {0}.")]
    NoBreakpoint(u32),
    /// No `display` expression has this number.
    #[error("No display number {0}.")]
    NoDisplay(u32),
    /// The stopped program has no frame at this level.
    #[error("No frame at level {0}.")]
    NoFrameAt(usize),
    /// A location names no code: a line past a file's code, an offset outside the code section.
    #[error("No location matches \"{0}\".")]
    NoLocation(String),
    /// A location names a function neither DWARF nor the name section knows.
    #[error("Function \"{0}\" not defined.")]
    NoFunction(String),
    /// A location names a source file the line table does not have.
    #[error("No source file named {0}.")]
    NoSourceFile(String),
    /// Nothing is where the request looks: no function at the pc, no frame past the
    /// outermost, no default location.
    #[error("{0}")]
    NotFound(String),
    /// A frame read at an earlier stop: the program has run since, and its frames are gone.
    #[error(
        "Frame of stop {asked} is gone: the program is at stop {current}; read the frames again."
    )]
    StaleFrame {
        /// The stop counter the frame was read at.
        asked: u64,
        /// The stop counter now.
        current: u64,
    },
    /// A request asks for more than one answer may hold.
    #[error("{what} returns at most {max} {unit}; {asked} were asked for")]
    TooLarge {
        /// The request (`a memory read`).
        what: &'static str,
        /// What is counted (`bytes`).
        unit: &'static str,
        /// How many were asked for.
        asked: u64,
        /// The most allowed.
        max: u64,
    },
    /// The program, its target or this session cannot do it (a remote program restarted,
    /// `monitor` on a local one, a profile below debug level `profile`).
    #[error("{0}")]
    Unsupported(String),
    /// A value cannot be used so: assigned from another type, watched without an address,
    /// read when optimized out.
    #[error("{0}")]
    Value(String),
    /// The module cannot be used so: packed, printed, started without `_start`, or paired
    /// with a target whose code differs.
    #[error("{0}")]
    Module(String),
    /// A file the session reads or writes (a module, a source, a profile, a preopened
    /// directory) failed.
    #[error("{0}")]
    File(String),
    /// The program stopped at a trap and cannot go on.
    #[error("The program stopped at a trap ({0}) and cannot go on; `run` starts it again.")]
    Trapped(runtime_core::Trap),
    /// The engine's thread could not start or has ended.
    #[error("{0}")]
    Engine(String),
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
            Error::NoBreakpoint(_) => "no_breakpoint",
            Error::NoDisplay(_) => "no_display",
            Error::NoFrameAt(_) => "no_frame_at",
            Error::NoLocation(_) => "no_location",
            Error::NoFunction(_) => "no_function",
            Error::NoSourceFile(_) => "no_source_file",
            Error::NotFound(_) => "not_found",
            Error::StaleFrame { .. } => "stale_frame",
            Error::TooLarge { .. } => "too_large",
            Error::Unsupported(_) => "unsupported",
            Error::Value(_) => "value",
            Error::Module(_) => "module",
            Error::File(_) => "file",
            Error::Trapped(_) => "trapped",
            Error::Engine(_) => "engine",
            Error::NotRunning => "not_running",
            Error::NoStack => "no_stack",
            Error::NoFrame => "no_frame",
            Error::Running => "running",
            Error::Remote(_) => "remote",
            Error::Memory { .. } => "memory",
            Error::Expr { .. } => "expression",
        }
    }

    /// The refusal of an assignment to a Wasm local that frame `frame` (outermost 0) does not
    /// have, or whose type (`v128`, a reference) is not assigned.
    pub fn no_local(frame: usize, index: u32) -> Self {
        Error::Value(format!(
            "Wasm frame {frame} has no local {index} that holds a number"
        ))
    }

    /// A DWARF error found while reading `section`.
    pub fn dwarf(section: &str, e: impl std::fmt::Display) -> Self {
        Error::Dwarf {
            section: section.into(),
            message: e.to_string(),
        }
    }
}
