//! What a front-end asks of a session ([`Request`]) and what it gets back ([`Response`]): every
//! command of the command language is one request, answered with a typed value.

use std::path::PathBuf;

use runtime_core::limits::PlatformLimits;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::children::VarRef;
use crate::dwarf::VarKind;
use crate::location::Location;
use crate::report::{
    Breakpoint, Budget, Children, Disassembly, Display, Frame, Link, Machine, MemoryBlock, Names,
    Printed, Profile, SourceLine, SourceLines, Stop, Variable, WatchKind,
};
use crate::step::Resume;
use crate::value::Format;

/// What a watchpoint watches.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum WatchTarget {
    /// An lvalue expression, re-shown by its type (`watch v.x`).
    Expr(String),
    /// The place an expression names now (`watch -l v.x`).
    Location(String),
    /// `len` bytes at an address (`watch -l 0x1000,4`).
    Address {
        /// First byte.
        addr: u64,
        /// Bytes.
        len: u32,
    },
}

/// A frame as a front-end read it: its level in a backtrace and the stop the backtrace was
/// read at. Once the program has run again, the frame is gone and a request naming it is
/// refused with [`Error::StaleFrame`](crate::Error::StaleFrame).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct FrameRef {
    /// 0 the innermost.
    pub level: usize,
    /// [`Backtrace::stop`] when it was read.
    pub stop: u64,
}

/// One thing a front-end asks of a session. A request that reads or acts in a frame takes a
/// `frame`: `None` is the frame the user selected (`frame N`, `up`), as the command language
/// uses.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Request {
    /// Sets a breakpoint at a location (the frame's code offset when `None`).
    Break {
        /// Where.
        location: Option<Location>,
        /// The frame whose code offset a breakpoint without a location is set at.
        #[serde(default)]
        frame: Option<FrameRef>,
        /// Stop only when this is non-zero.
        condition: Option<String>,
        /// Delete it at its first stop.
        temporary: bool,
    },
    /// Sets a watchpoint.
    Watch {
        /// What it watches.
        target: WatchTarget,
        /// Which accesses stop.
        kind: WatchKind,
    },
    /// Deletes breakpoint or watchpoint N, or all of them.
    Delete(Option<u32>),
    /// Enables or disables a breakpoint.
    Enable {
        /// The breakpoint.
        number: u32,
        /// Armed or not.
        enabled: bool,
    },
    /// Sets or removes a breakpoint's condition.
    Condition {
        /// The breakpoint.
        number: u32,
        /// The new condition.
        condition: Option<String>,
    },
    /// Passes over the next `count` hits of a breakpoint.
    Ignore {
        /// The breakpoint.
        number: u32,
        /// Hits to pass over.
        count: u64,
    },
    /// Starts the program afresh and runs it.
    Run,
    /// Starts the program afresh and runs it to `main`.
    Start,
    /// Continues; with `ignore`, the breakpoint stopped at passes that many more hits first.
    Continue {
        /// `continue N`: stop at the Nth hit of the current breakpoint.
        ignore: Option<u64>,
    },
    /// Steps `count` times (step, next, stepi, nexti), finishes, or runs until a location;
    /// repeated steps end early at any other stop.
    Resume {
        /// How.
        how: Resume,
        /// How many times.
        count: u32,
    },
    /// Runs until a line after this one (`until`), or until a location or the frame's return.
    Until(Option<Location>),
    /// The frames, innermost first, at most `limit` of them.
    Backtrace {
        /// How many.
        limit: Option<usize>,
    },
    /// Selects frame N (or keeps the selection) and shows it.
    Frame(Option<usize>),
    /// Selects the frame N levels up (negative: down) and shows it.
    Up(i64),
    /// Variables of the frame (locals, args) or of the module (globals).
    Variables {
        /// Which.
        kind: VarKind,
        /// The frame of the locals and arguments.
        #[serde(default)]
        frame: Option<FrameRef>,
        /// How to show their values.
        format: Format,
    },
    /// Every breakpoint and watchpoint.
    Breakpoints,
    /// A frame and its caller.
    FrameDetail {
        /// The frame.
        #[serde(default)]
        frame: Option<FrameRef>,
    },
    /// The limits in force.
    Limits,
    /// The bounded debug tables' use.
    Budget,
    /// The top N functions of the profile.
    Profile(usize),
    /// Every `display` expression valued.
    Displays,
    /// A frame's source file.
    SourceFile {
        /// The frame.
        #[serde(default)]
        frame: Option<FrameRef>,
    },
    /// Evaluates, keeps in the history and shows a value.
    Print {
        /// The expression.
        expr: String,
        /// The frame it is evaluated in.
        #[serde(default)]
        frame: Option<FrameRef>,
        /// How to show it.
        format: Format,
    },
    /// Evaluates an expression without keeping it in the history (a front-end's watch).
    Evaluate {
        /// The expression.
        expr: String,
        /// The frame it is evaluated in.
        #[serde(default)]
        frame: Option<FrameRef>,
        /// How to show it.
        format: Format,
    },
    /// An expression's type (`whatis`), or with typedefs seen through and the struct, union or
    /// enum it is built on written out (`ptype`).
    Type {
        /// The expression.
        expr: String,
        /// `ptype` rather than `whatis`.
        expand: bool,
        /// The frame it is evaluated in.
        #[serde(default)]
        frame: Option<FrameRef>,
    },
    /// Shows linear memory (`x/NFU`).
    Examine {
        /// The address, or an array or pointer.
        expr: String,
        /// The frame the expression is evaluated in.
        #[serde(default)]
        frame: Option<FrameRef>,
        /// How many units.
        count: u32,
        /// How to show each.
        format: Format,
        /// Bytes per unit, when given.
        unit: Option<u64>,
    },
    /// Reads `len` bytes of linear memory at `addr`, at most [`MAX_READ`] at once.
    ReadMemory {
        /// The first byte's address.
        addr: u64,
        /// How many bytes.
        len: u64,
    },
    /// Writes bytes to linear memory at `addr`, all or none.
    WriteMemory {
        /// The first byte's address.
        addr: u64,
        /// What to write.
        bytes: Vec<u8>,
    },
    /// Assigns the value of expression `value` to the variable or lvalue `var`, converted to its
    /// type as C assigns (`set var`).
    SetVariable {
        /// What is assigned to: a variable, a member, an element, `*p`.
        var: String,
        /// The expression whose value is assigned.
        value: String,
        /// The frame both are evaluated in.
        #[serde(default)]
        frame: Option<FrameRef>,
    },
    /// Adds a `display` expression.
    Display {
        /// The expression.
        expr: String,
        /// How to show it.
        format: Format,
    },
    /// Removes a `display` expression.
    Undisplay(u32),
    /// Ten source lines around a location, or the next ten.
    List(Option<Location>),
    /// Every line of a source file, by the name DWARF gives it.
    Source(String),
    /// A function's code: the frame's, or the named one.
    Disassemble {
        /// The function; the frame's without one.
        function: Option<String>,
        /// The frame.
        #[serde(default)]
        frame: Option<FrameRef>,
    },
    /// `count` instructions (at most [`MAX_INSTRUCTIONS`]) from the one `offset` instructions
    /// after (negative: before) code offset `addr`, across functions.
    DisassembleAt {
        /// A code offset.
        addr: u64,
        /// Instructions to move from it first.
        offset: i64,
        /// How many instructions.
        count: u64,
    },
    /// Turns profiling on, off, or back to zero.
    Profiling(ProfileSwitch),
    /// Starts a local profile counting what the options say (`profile on` counts by function,
    /// sampling time).
    StartProfile(crate::profile::ProfileOptions),
    /// The profile so far as a call tree, by function or by line.
    CallTree(crate::profile::By),
    /// Writes the profile so far to a file.
    SaveProfile {
        /// The file.
        path: PathBuf,
        /// Its format.
        format: crate::profile::format::Format,
        /// By function or by line.
        by: crate::profile::By,
    },
    /// Adds a directory to find source files in.
    Directory(PathBuf),
    /// Ends the program.
    Kill,
    /// Leaves a remote program to its server.
    Detach,
    /// A command of the remote stub's own.
    Monitor(String),
    /// The names a command line completes: functions and source files.
    Names,
    /// A frame's operand stack and the Wasm globals (`info wasm`).
    Machine {
        /// The frame.
        #[serde(default)]
        frame: Option<FrameRef>,
    },
    /// Times one request over the link to a remote target (`info link`).
    Link,
    /// A page of a value's children.
    Children {
        /// The value.
        var: VarRef,
        /// The first child.
        start: u64,
        /// How many.
        count: u64,
        /// How to show their values.
        format: Format,
    },
}

/// The most bytes one [`Request::ReadMemory`] returns (1 MiB): a bound on one reply.
pub const MAX_READ: u64 = 1 << 20;

/// The most instructions one [`Request::DisassembleAt`] returns.
pub const MAX_INSTRUCTIONS: u64 = 10_000;

/// `profile on|off|reset`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ProfileSwitch {
    /// Counting from zero.
    On,
    /// Not counting.
    Off,
    /// Back to zero.
    Reset,
}

impl Request {
    /// The frame it reads or acts in, when it names one.
    pub fn frame(&self) -> Option<FrameRef> {
        match self {
            Request::Break { frame, .. }
            | Request::Variables { frame, .. }
            | Request::FrameDetail { frame }
            | Request::SourceFile { frame }
            | Request::Print { frame, .. }
            | Request::Evaluate { frame, .. }
            | Request::Type { frame, .. }
            | Request::Examine { frame, .. }
            | Request::SetVariable { frame, .. }
            | Request::Disassemble { frame, .. }
            | Request::Machine { frame } => *frame,
            _ => None,
        }
    }

    /// Whether it runs the program.
    pub fn resumes(&self) -> bool {
        matches!(
            self,
            Request::Run
                | Request::Start
                | Request::Continue { .. }
                | Request::Resume { .. }
                | Request::Until(_)
        )
    }

    /// Whether it changes the breakpoints or watchpoints (a run does when it stops at one).
    pub fn changes_breakpoints(&self) -> bool {
        matches!(
            self,
            Request::Break { .. }
                | Request::Watch { .. }
                | Request::Delete(_)
                | Request::Enable { .. }
                | Request::Condition { .. }
                | Request::Ignore { .. }
        )
    }
}

/// What a session answers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Response {
    /// Done; nothing to show.
    Done,
    /// A breakpoint or watchpoint was set.
    Breakpoint(Breakpoint),
    /// The program ran and stopped, or was killed or left.
    Stop(Stop),
    /// The frames.
    Backtrace(Backtrace),
    /// The selected frame.
    Frame(SelectedFrame),
    /// The selected frame and its caller.
    FrameDetail(FrameDetail),
    /// Variables.
    Variables(Vec<Variable>),
    /// Breakpoints and watchpoints.
    Breakpoints(Vec<Breakpoint>),
    /// The limits in force.
    Limits(
        #[schemars(with = "std::collections::BTreeMap<String, serde_json::Value>")] PlatformLimits,
    ),
    /// The debug budget.
    Budget(Budget),
    /// The profile.
    Profile(Profile),
    /// The profile as a call tree.
    CallTree(crate::profile::CallTree),
    /// The `display` expressions.
    Displays(Vec<Display>),
    /// A new `display` expression.
    Display(Display),
    /// The selected frame's source file, if it has one.
    SourceFile(Option<String>),
    /// A printed value.
    Printed(Printed),
    /// A value not kept in the history.
    Variable(Variable),
    /// A type as C writes it (`whatis`, `ptype`).
    Type(String),
    /// Linear memory.
    Memory(MemoryBlock),
    /// Linear memory's bytes.
    Bytes(crate::report::Bytes),
    /// Source lines.
    SourceLines(SourceLines),
    /// Code.
    Disassembly(Disassembly),
    /// The remote stub's answer.
    Monitor(String),
    /// A page of children.
    Children(Children),
    /// Function and file names.
    Names(Names),
    /// The Wasm machine state.
    Machine(Machine),
    /// The link to the target.
    Link(Link),
}

/// The frames of a stopped program.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Backtrace {
    /// The stop they were read at: a [`FrameRef`] names a frame by its level and this.
    pub stop: u64,
    /// The frames shown, innermost first.
    pub frames: Vec<Frame>,
    /// Whether more frames follow than were asked for.
    pub more: bool,
}

/// The selected frame and the source line it stands on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct SelectedFrame {
    /// The frame.
    pub frame: Frame,
    /// Its line.
    pub source: Option<SourceLine>,
}

/// The selected frame with its caller (`info frame`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct FrameDetail {
    /// The frame.
    pub frame: Frame,
    /// The frame that called it.
    pub caller: Option<Frame>,
}
