//! What the engine reports: typed, serializable values for everything a front-end shows. The
//! JSON of `--format json` is these values serialized, and the text output is a printer over the
//! same values ([`crate::print`]), so the two cannot disagree.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

pub use runtime_core::debug::WatchKind;

use crate::varref::VarRef;

/// Why the program stopped, and where.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Stop {
    /// Why it stopped.
    #[serde(flatten)]
    pub reason: StopReason,
    /// The innermost frame, unless the program is gone.
    pub frame: Option<Frame>,
    /// The source line the frame stands on, when DWARF names one.
    pub source: Option<SourceLine>,
    /// Whether the stop is in another function (or Wasm frame) than the one it left.
    pub new_function: bool,
    /// Whether the innermost frame stands at the start of a source statement.
    pub at_statement: bool,
    /// The `display` expressions, evaluated at the stop.
    pub displays: Vec<Display>,
}

/// The reason of a [`Stop`], with what is particular to it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum StopReason {
    /// At user breakpoint `number`.
    Breakpoint {
        /// The breakpoint's number.
        number: u32,
        /// Whether it was temporary (and is now deleted).
        temporary: bool,
        /// Why its condition could not be tested, when it could not (the program stops then).
        condition_error: Option<String>,
    },
    /// A watchpoint saw an access.
    Watchpoint {
        /// The watchpoint's number.
        number: u32,
        /// Which accesses it stops on.
        kind: WatchKind,
        /// The expression watched.
        expr: String,
        /// The value before, for a change.
        old: Option<String>,
        /// The value now.
        new: String,
    },
    /// Watchpoint `number` was deleted because the frame its expression uses returned.
    WatchpointScope {
        /// The watchpoint's number.
        number: u32,
    },
    /// A `step`, `next`, `stepi` or `nexti` ended.
    Step,
    /// An `until` or `advance` ended.
    Until,
    /// `finish` returned to the caller.
    Finish {
        /// The frame that returned, as it was before it ran on.
        from: Box<Frame>,
        /// The value it returned, kept in the value history, if it returns one.
        value: Option<Box<Printed>>,
    },
    /// An interrupt stopped the running program.
    Interrupt,
    /// A trap stopped the program at the faulting instruction; it cannot go on.
    Trap {
        /// The trap's kind, e.g. `IntegerDivideByZero`.
        kind: String,
        /// What the trap says.
        message: String,
    },
    /// The program exited.
    Exited {
        /// Its exit status.
        code: i32,
    },
    /// The front-end killed the program.
    Killed,
    /// The front-end left a remote program to its server.
    Detached,
}

/// One frame as a user sees it: a Wasm frame, or a call the compiler inlined into one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Frame {
    /// Its number in the backtrace, 0 the innermost.
    pub level: usize,
    /// The function's name.
    pub function: String,
    /// Whether this frame is a call inlined into the frame above it.
    pub inlined: bool,
    /// The source file with its path as DWARF gives it.
    pub file: Option<String>,
    /// 1-based line, where DWARF has one.
    pub line: Option<u32>,
    /// 1-based column; 0 for none.
    pub column: Option<u32>,
    /// Code offset: the instruction for the innermost frame, the call for its callers.
    pub addr: u64,
    /// Whether execution stands at `addr` itself (frames of the innermost Wasm frame, inlined
    /// callers included), rather than returns there.
    pub exact: bool,
    /// The arguments, valued as a frame line shows them.
    pub args: Vec<Variable>,
}

/// A variable, member or element: a one-line value, and its children when it has any.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Variable {
    /// Its name (`x`, `[3]`, `*p`, `0`).
    pub name: String,
    /// Its type as the source language writes it.
    #[serde(rename = "type")]
    pub ty: String,
    /// The one-line value.
    pub value: String,
    /// Where to fetch its children with `children`, when it has any.
    pub children: Option<VarRef>,
    /// How many children it has (elements of an array, fields of a struct), when it has any.
    pub child_count: Option<u64>,
    /// The linear-memory address it lives at, when it lives in memory (not in a Wasm local or
    /// computed): what a front-end reads or writes its bytes at (DAP's `memoryReference`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub addr: Option<u64>,
}

/// A value printed and kept in the value history as `$N`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Printed {
    /// Its history number.
    pub history: usize,
    /// The value; its first level of children is in `members`.
    #[serde(flatten)]
    pub value: Variable,
    /// The first level of children of an aggregate (a page of them for a long array).
    pub members: Vec<Variable>,
}

/// A page of a value's children.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Children {
    /// How many children there are in all.
    pub total: u64,
    /// The index of the first child in `items`.
    pub start: u64,
    /// The children asked for.
    pub items: Vec<Variable>,
}

/// A `display` expression and its value at a stop.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Display {
    /// Its number.
    pub number: u32,
    /// The expression.
    pub expr: String,
    /// Its value, when it has one here.
    pub value: Option<String>,
    /// Why it has no value here.
    pub error: Option<String>,
}

/// One source line.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct SourceLine {
    /// The file as DWARF names it.
    pub file: String,
    /// 1-based line number.
    pub line: u32,
    /// The line's text, when the file can be read.
    pub text: Option<String>,
}

/// What a front-end offers to open or complete: functions with where they start, and files.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Names {
    /// Every function with code, by name.
    pub functions: Vec<FunctionName>,
    /// Every source file the line table names, as DWARF names it.
    pub files: Vec<String>,
}

/// A function and the source line its code starts at.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct FunctionName {
    /// Its source name.
    pub name: String,
    /// The file its code starts in.
    pub file: Option<String>,
    /// The line its code starts at.
    pub line: Option<u32>,
}

impl Names {
    /// The words a command line completes: function names and file base names, sorted, once each.
    pub fn words(&self) -> Vec<String> {
        let mut words: Vec<String> = self
            .functions
            .iter()
            .map(|f| f.name.clone())
            .chain(self.files.iter().map(|f| basename(f).to_string()))
            .collect();
        words.sort_unstable();
        words.dedup();
        words
    }
}

/// The Wasm machine state of the selected frame: its operand stack and the module's globals.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Machine {
    /// The Wasm function of the selected frame.
    pub function: String,
    /// Its operand stack, bottom first, as raw bits (the stack holds no types).
    pub operands: Vec<u64>,
    /// Every global of the instance, by index.
    pub globals: Vec<WasmGlobal>,
}

/// One global of the instance.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct WasmGlobal {
    /// Its index.
    pub index: u32,
    /// Its name from the `name` section, if it has one.
    pub name: Option<String>,
    /// Its type (`i32`, `mut i64`...).
    pub ty: String,
    /// Its value as its type reads.
    pub value: String,
}

/// The link to a remote target.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Link {
    /// Whether the program runs behind a remote stub.
    pub remote: bool,
    /// Microseconds one request just took to be answered; `None` for a local program.
    pub round_trip_us: Option<u64>,
}

/// Consecutive lines of a source file (`list`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct SourceLines {
    /// The file as DWARF names it.
    pub file: String,
    /// The number of the first line.
    pub first: u32,
    /// The lines' text.
    pub lines: Vec<String>,
}

/// A breakpoint or watchpoint as `info breakpoints` lists it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Breakpoint {
    /// Its number (breakpoints and watchpoints share the numbering).
    pub number: u32,
    /// What kind it is, with a watchpoint's expression and range.
    #[serde(flatten)]
    pub kind: BreakpointKind,
    /// Whether it is armed.
    pub enabled: bool,
    /// Stop only when this expression is non-zero.
    pub condition: Option<String>,
    /// Hits still to pass over without stopping.
    pub ignore: u64,
    /// Times it was reached with its condition true.
    pub hits: u64,
    /// Deleted after its first stop (`tbreak`).
    pub temporary: bool,
}

/// What a [`Breakpoint`] stops on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum BreakpointKind {
    /// A code breakpoint.
    Breakpoint {
        /// The location as typed.
        location: String,
        /// Where it is armed.
        locations: Vec<Location>,
    },
    /// A watchpoint on linear memory.
    Watchpoint {
        /// The accesses it stops on.
        access: WatchKind,
        /// The expression or `-l` address as typed.
        expr: String,
        /// First byte watched.
        addr: u64,
        /// Bytes watched.
        len: u32,
    },
}

/// One code location of a breakpoint.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Location {
    /// Code offset.
    pub addr: u64,
    /// The function holding it, from DWARF.
    pub function: Option<String>,
    /// Its source file.
    pub file: Option<String>,
    /// Its source line.
    pub line: Option<u32>,
}

/// One bounded debug table: how full it is.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct TableUsage {
    /// What the table holds.
    pub table: String,
    /// The limit sizing it.
    pub limit: String,
    /// Records in use.
    pub used: u64,
    /// Records it holds at most.
    pub capacity: u64,
}

/// The debug budget of the session (`info budget`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Budget {
    /// The platform whose limits size the tables.
    pub platform: String,
    /// The debug level in force.
    pub debug_level: String,
    /// Every bounded table.
    pub tables: Vec<TableUsage>,
    /// Bytes reserved up front for the tables.
    pub reserved_bytes: u64,
    /// DWARF sections left unloaded, with why.
    pub refused_dwarf: Vec<RefusedSection>,
    /// Parts of the DWARF found malformed and skipped; the session uses the rest.
    pub damaged_dwarf: Vec<DamagedDwarf>,
    /// Whether the program's own tables are in a remote stub (`monitor budget` shows them).
    pub remote: bool,
    /// The module's predicted memory budget by part, the total (against the platform's total)
    /// last; empty when the module could not be measured under these limits.
    pub memory: Vec<MemoryPart>,
}

/// One part of the memory budget.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct MemoryPart {
    /// Its name: `linear_memory`, `stack`, `debug_overhead`, ..., `total`.
    pub part: String,
    /// Bytes it takes.
    pub bytes: u64,
    /// The limit it is checked against, if it has one of its own.
    pub limit: Option<String>,
    /// That limit's value.
    pub allowed: Option<u64>,
}

/// A DWARF section the budget left unloaded.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct RefusedSection {
    /// The section's name.
    pub section: String,
    /// Why it was refused.
    pub reason: String,
}

/// A malformed part of the DWARF, skipped.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct DamagedDwarf {
    /// The section it lies in.
    pub section: String,
    /// The byte offset in that section where the part skipped starts.
    pub offset: u64,
    /// What was found wrong there.
    pub error: String,
}

/// One function's counts while profiling.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ProfileEntry {
    /// The function's source name, else the module's.
    pub function: String,
    /// Instructions it executed.
    pub instructions: u64,
    /// Times it was called.
    pub calls: u64,
}

/// The functions that ran the most instructions (`info profile`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Profile {
    /// The top functions, most first.
    pub entries: Vec<ProfileEntry>,
    /// Instructions executed in all.
    pub total: u64,
}

/// One instruction of a disassembly.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct DisasmLine {
    /// Code offset.
    pub offset: u64,
    /// The instruction as WebAssembly text.
    pub text: String,
    /// The source line it belongs to, where the line table names one.
    pub line: Option<u32>,
    /// Whether the selected frame stands here.
    pub current: bool,
}

/// A function's code (`disassemble`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Disassembly {
    /// The function's name.
    pub function: String,
    /// Its instructions.
    pub lines: Vec<DisasmLine>,
}

/// Bytes of linear memory, as read.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Bytes {
    /// Address of the first byte.
    pub addr: u64,
    /// The bytes.
    pub bytes: Vec<u8>,
}

/// Units of linear memory as `x` shows them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct MemoryBlock {
    /// Address of the first unit.
    pub addr: u64,
    /// Bytes per unit (C strings: 0, each its own length).
    pub unit: u64,
    /// Each unit formatted, with its address.
    pub units: Vec<MemoryUnit>,
}

/// One unit of a [`MemoryBlock`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct MemoryUnit {
    /// Its address.
    pub addr: u64,
    /// Its value as formatted.
    pub value: String,
}

/// The last component of a path.
pub fn basename(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}
