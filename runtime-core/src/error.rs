//! The crate's error and trap types.

use alloc::string::String;

/// A WebAssembly trap: execution stopped abnormally, as the spec defines.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Trap {
    /// `unreachable` was executed.
    #[error("unreachable")]
    Unreachable,
    /// Integer division or remainder by zero.
    #[error("integer divide by zero")]
    IntegerDivideByZero,
    /// Signed division overflow or a float-to-int conversion out of range.
    #[error("integer overflow")]
    IntegerOverflow,
    /// A float-to-int conversion of NaN.
    #[error("invalid conversion to integer")]
    InvalidConversionToInteger,
    /// A linear memory access outside the memory.
    #[error("out of bounds memory access")]
    MemoryOutOfBounds,
    /// A table access outside the table.
    #[error("out of bounds table access")]
    TableOutOfBounds,
    /// `call_indirect` through an index past the table's end.
    #[error("undefined element")]
    UndefinedElement,
    /// `call_indirect` through a null table entry.
    #[error("uninitialized element")]
    UninitializedElement,
    /// `call_indirect` to a function of another type.
    #[error("indirect call type mismatch")]
    IndirectCallTypeMismatch,
    /// Call depth or value stack past its limit.
    #[error("call stack exhausted")]
    CallStackExhausted,
    /// The program asked to exit (WASI `proc_exit`); not an error for a command.
    #[error("exit with status {0}")]
    Exit(i32),
    /// A host function failed.
    #[error("host error: {0}")]
    Host(String),
    /// A thread was run on a store other than the one it was made for (its frames name that store's
    /// code), or a host function swapped the store out from under it.
    #[error("thread run on a store it does not belong to")]
    ForeignStore,
}

/// Everything that can go wrong loading, linking or running a module.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// The module bytes do not decode or validate.
    #[error("invalid module at byte offset {offset:#x}: {message}")]
    Invalid {
        /// Byte offset in the module file.
        offset: u64,
        /// What is wrong.
        message: String,
    },
    /// An import is missing or does not match its declaration.
    #[error("unknown import `{module}::{name}`")]
    UnknownImport {
        /// Import module name.
        module: String,
        /// Import field name.
        name: String,
    },
    /// An import was found but its type does not match.
    #[error("incompatible import type for `{module}::{name}`: {reason}")]
    IncompatibleImport {
        /// Import module name.
        module: String,
        /// Import field name.
        name: String,
        /// What differs.
        reason: String,
    },
    /// The module uses something this interpreter does not run yet.
    #[error("unsupported at byte offset {offset:#x}: {what}")]
    Unsupported {
        /// Byte offset in the module file.
        offset: u64,
        /// The unsupported construct.
        what: String,
    },
    /// An active segment does not fit the memory or table it initialises: instantiating the
    /// module would trap.
    #[error(
        "{kind} segment {index} does not fit {target} {target_index}: offset {offset} + length {len} is past its size {size} (segment at byte offset {at:#x})"
    )]
    SegmentOutOfBounds {
        /// `data` or `element`.
        kind: &'static str,
        /// The segment's index.
        index: u32,
        /// `memory` or `table`.
        target: &'static str,
        /// The memory's or table's index.
        target_index: u32,
        /// Where the segment starts in it (bytes or elements).
        offset: u64,
        /// Its length (bytes or elements).
        len: u64,
        /// The memory's or table's initial size (bytes or elements).
        size: u64,
        /// Module-file byte offset of the segment.
        at: u64,
    },
    /// A named export does not exist or is of another kind.
    #[error("no exported {kind} named `{name}`")]
    NoSuchExport {
        /// The export kind looked for.
        kind: &'static str,
        /// The name looked for.
        name: String,
    },
    /// Arguments given to an exported function do not match its type.
    #[error("argument mismatch: {0}")]
    ArgumentMismatch(String),
    /// A limit was reached while allocating runtime structures.
    #[error("limit `{limit}` exceeded: asked {asked}, allowed {allowed}")]
    Limit {
        /// The limit's name.
        limit: &'static str,
        /// The value asked for.
        asked: u64,
        /// The value allowed.
        allowed: u64,
    },
    /// A configuration key has an unknown name or an impossible value.
    #[error("invalid configuration `{key}`: {message}")]
    Config {
        /// The key, as written in the config file (`limits.max_breakpoints`) or environment.
        key: String,
        /// What is wrong with it.
        message: String,
    },
    /// A module needs more than the platform allows; found while validating, before loading.
    #[error(
        "limit `{limit}` exceeded at byte offset {offset:#x}: found {found}, allowed {allowed}"
    )]
    ModuleLimit {
        /// The [`crate::limits::PlatformLimits`] key broken.
        limit: &'static str,
        /// The value the module asks for.
        found: u64,
        /// The value the platform allows.
        allowed: u64,
        /// Byte offset in the module of the section or item that broke the limit.
        offset: u64,
    },
    /// A module breaks limits or safety rules of the platform: refused before it runs.
    #[error("does not fit the platform limits: {}", crate::violation::Violation::list(.violations))]
    DoesNotFit {
        /// Every limit and rule it breaks.
        violations: alloc::vec::Vec<crate::violation::Violation>,
    },
    /// A debug table is full: its capacity comes from the platform limits and the debug level.
    #[error(
        "limit `{limit}` reached: {allowed} allowed on {platform} at debug level {debug_level}"
    )]
    DebugCapacity {
        /// The [`crate::limits::PlatformLimits`] key sizing the table.
        limit: &'static str,
        /// Its capacity.
        allowed: u64,
        /// The platform preset.
        platform: crate::deployment::PlatformId,
        /// The debug level.
        debug_level: crate::deployment::DebugLevel,
    },
    /// The configuration refuses a debug session.
    #[error("debug session refused: {rule}")]
    DebugRefused {
        /// The rule that refuses it.
        rule: String,
    },
    /// The debug tables the limits ask for do not fit the debug budget; refused before allocating.
    #[error(
        "debug tables need {bytes} bytes (the largest, `{table}`, holds {capacity}), `estimated_debug_overhead` allows {allowed}"
    )]
    DebugBudget {
        /// The limit sizing the largest table.
        table: &'static str,
        /// That table's capacity.
        capacity: u64,
        /// Bytes all tables need (saturating).
        bytes: u64,
        /// The debug budget.
        allowed: u64,
    },
    /// A profile's text form ([`crate::debug::Profile::encode`]) does not read back.
    #[error("profile line {line}: {reason}")]
    ProfileText {
        /// The 1-based line that is wrong.
        line: usize,
        /// What is wrong with it.
        reason: String,
    },
    /// A function address and internal pc that hold no code.
    #[error("no code at function {func}, pc {pc}")]
    NoSuchCode {
        /// Store address of the function.
        func: u32,
        /// Internal pc.
        pc: u32,
    },
    /// Reading the module failed.
    #[error("read error at byte offset {offset:#x}: {message}")]
    Read {
        /// Bytes read before the failure.
        offset: u64,
        /// The I/O error.
        message: String,
    },
    /// Execution trapped.
    #[error("trap: {0}")]
    Trap(#[from] Trap),
}

impl Error {
    /// Builds an [`Error::Invalid`] from a wasmparser error, keeping its offset.
    pub fn from_reader(e: wasmparser::BinaryReaderError) -> Self {
        Error::Invalid {
            offset: e.offset(),
            message: e.message().into(),
        }
    }
}

impl From<wasmparser::BinaryReaderError> for Error {
    fn from(e: wasmparser::BinaryReaderError) -> Self {
        Error::from_reader(e)
    }
}
