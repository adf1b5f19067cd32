//! What a front-end asks of a session ([`Request`]) and what it gets back ([`Response`]): every
//! command of the command language is one request, answered with a typed value.

use std::path::PathBuf;

use runtime_core::debug::WatchKind;
use runtime_core::limits::{DebugLevel, PlatformLimits};
use schemars::JsonSchema;
use serde::Serialize;

use crate::breakpoint::parse_number;
use crate::children::VarRef;
use crate::disasm::Listing;
use crate::dwarf::{Place, Shape, Ty, VarKind};
use crate::error::Error;
use crate::report::{
    Breakpoint, Budget, Children, DisasmLine, Disassembly, Display, Frame, MemoryBlock, MemoryUnit,
    Printed, Profile, ProfileEntry, RefusedSection, SourceLine, SourceLines, Stop, StopReason,
    TableUsage, Variable,
};
use crate::session::{Session, State};
use crate::step::{self, Resume};
use crate::value::{Format, Printer, Value, c_string};

/// What a watchpoint watches.
#[derive(Debug, Clone, PartialEq)]
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

/// One thing a front-end asks of a session.
#[derive(Debug, Clone, PartialEq)]
pub enum Request {
    /// Sets a breakpoint at a location (the selected frame's code offset when `None`).
    Break {
        /// `FILE:LINE`, `LINE`, `FUNCTION` or `*OFFSET`.
        location: Option<String>,
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
        ignore: Option<u32>,
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
    Until(Option<String>),
    /// The frames, innermost first, at most `limit` of them.
    Backtrace {
        /// How many.
        limit: Option<usize>,
    },
    /// Selects frame N (or keeps the selection) and shows it.
    Frame(Option<usize>),
    /// Selects the frame N levels up (negative: down) and shows it.
    Up(i64),
    /// Variables of the selected frame (locals, args) or of the module (globals).
    Variables(VarKind),
    /// Every breakpoint and watchpoint.
    Breakpoints,
    /// The selected frame and its caller.
    FrameDetail,
    /// The limits in force.
    Limits,
    /// The bounded debug tables' use.
    Budget,
    /// The top N functions of the profile.
    Profile(usize),
    /// Every `display` expression valued.
    Displays,
    /// The selected frame's source file.
    SourceFile,
    /// Evaluates, keeps in the history and shows a value.
    Print {
        /// The expression.
        expr: String,
        /// How to show it.
        format: Format,
    },
    /// Shows linear memory (`x/NFU`).
    Examine {
        /// The address, or an array or pointer.
        expr: String,
        /// How many units.
        count: u32,
        /// How to show each.
        format: Format,
        /// Bytes per unit, when given.
        unit: Option<u64>,
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
    List(Option<String>),
    /// A function's code: the selected frame's, or the named one.
    Disassemble(Option<String>),
    /// Turns profiling on, off, or back to zero.
    Profiling(ProfileSwitch),
    /// Adds a directory to find source files in.
    Directory(PathBuf),
    /// Ends the program.
    Kill,
    /// Leaves a remote program to its server.
    Detach,
    /// A command of the remote stub's own.
    Monitor(String),
    /// A page of a value's children.
    Children {
        /// The value.
        var: VarRef,
        /// The first child.
        start: u64,
        /// How many.
        count: u64,
    },
}

/// `profile on|off|reset`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProfileSwitch {
    /// Counting from zero.
    On,
    /// Not counting.
    Off,
    /// Back to zero.
    Reset,
}

impl Request {
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
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
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
    /// The `display` expressions.
    Displays(Vec<Display>),
    /// A new `display` expression.
    Display(Display),
    /// The selected frame's source file, if it has one.
    SourceFile(Option<String>),
    /// A printed value.
    Printed(Printed),
    /// Linear memory.
    Memory(MemoryBlock),
    /// Source lines.
    SourceLines(SourceLines),
    /// Code.
    Disassembly(Disassembly),
    /// The remote stub's answer.
    Monitor(String),
    /// A page of children.
    Children(Children),
}

/// The frames of a stopped program.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct Backtrace {
    /// The frames shown, innermost first.
    pub frames: Vec<Frame>,
    /// Whether more frames follow than were asked for.
    pub more: bool,
}

/// The selected frame and the source line it stands on.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct SelectedFrame {
    /// The frame.
    pub frame: Frame,
    /// Its line.
    pub source: Option<SourceLine>,
}

/// The selected frame with its caller (`info frame`).
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct FrameDetail {
    /// The frame.
    pub frame: Frame,
    /// The frame that called it.
    pub caller: Option<Frame>,
}

impl Session {
    /// Answers one request.
    pub fn handle(&mut self, req: Request) -> Result<Response, Error> {
        Ok(match req {
            Request::Break {
                location,
                condition,
                temporary,
            } => {
                let loc = match location {
                    Some(l) => l,
                    None => format!("*{:#x}", self.selected_frame()?.addr),
                };
                let n = self.set_breakpoint(&loc, condition, temporary)?;
                let b = self.breakpoints.iter().find(|b| b.number == n);
                Response::Breakpoint(self.breakpoint_report(b.ok_or(Error::NotRunning)?))
            }
            Request::Watch { target, kind } => {
                let n = self.watch(target, kind)?;
                let w = self.watches.iter().find(|w| w.number == n);
                Response::Breakpoint(self.watch_report(w.ok_or(Error::NotRunning)?))
            }
            Request::Delete(n) => self.delete(n).map(|_| Response::Done)?,
            Request::Enable { number, enabled } => {
                self.set_enabled(number, enabled).map(|_| Response::Done)?
            }
            Request::Condition { number, condition } => self
                .set_condition(number, condition)
                .map(|_| Response::Done)?,
            Request::Ignore { number, count } => {
                self.set_ignore(number, count).map(|_| Response::Done)?
            }
            Request::Run => {
                self.start()?;
                Response::Stop(self.run(Resume::Continue, 1)?)
            }
            Request::Start => {
                self.start()?;
                self.set_breakpoint("main", None, true)?;
                Response::Stop(self.run(Resume::Continue, 1)?)
            }
            Request::Continue { ignore } => {
                if let (Some(n), Some(b)) = (ignore, self.breakpoint_here()) {
                    self.set_ignore(b, n.saturating_sub(1) as u64)?;
                }
                Response::Stop(self.run(Resume::Continue, 1)?)
            }
            Request::Resume { how, count } => Response::Stop(self.run(how, count)?),
            Request::Until(None) => Response::Stop(self.run(Resume::Until, 1)?),
            Request::Until(Some(loc)) => {
                let addrs = self.resolve(&loc)?;
                Response::Stop(self.run(Resume::Advance(addrs), 1)?)
            }
            Request::Backtrace { limit } => {
                self.target()?;
                let frames = self.frames()?;
                let limit = limit.unwrap_or(usize::MAX);
                Response::Backtrace(Backtrace {
                    more: frames.len() > limit,
                    frames: frames
                        .iter()
                        .take(limit)
                        .map(|f| self.frame_report(f))
                        .collect::<Result<_, _>>()?,
                })
            }
            Request::Frame(n) => {
                if let Some(n) = n {
                    self.select(n)?;
                }
                Response::Frame(self.selected_report()?)
            }
            Request::Up(n) => {
                let target = self.selected as i64 + n;
                if target < 0 {
                    return Err(Error::Usage(
                        "Bottom (innermost) frame selected; you cannot go down.".into(),
                    ));
                }
                if target >= self.frames()?.len() as i64 {
                    return Err(Error::Usage(
                        "Initial frame selected; you cannot go up.".into(),
                    ));
                }
                self.select(target as usize)?;
                Response::Frame(self.selected_report()?)
            }
            Request::Variables(kind) => {
                let level = self.selected_frame()?.level;
                Response::Variables(self.variables(level, kind)?)
            }
            Request::Breakpoints => Response::Breakpoints(self.breakpoint_list()),
            Request::FrameDetail => {
                let f = self.selected_frame()?;
                let caller = self.frames()?.get(f.level + 1).cloned();
                Response::FrameDetail(FrameDetail {
                    frame: self.frame_report(&f)?,
                    caller: caller.map(|c| self.frame_report(&c)).transpose()?,
                })
            }
            Request::Limits => Response::Limits(self.limits().clone()),
            Request::Budget => Response::Budget(self.budget()),
            Request::Profile(n) => Response::Profile(self.profile_report(n)?),
            Request::Displays => Response::Displays(self.displays()),
            Request::SourceFile => {
                Response::SourceFile(self.selected_frame()?.loc.and_then(|l| l.file))
            }
            Request::Print { expr, format } => Response::Printed(self.print(&expr, format)?),
            Request::Examine {
                expr,
                count,
                format,
                unit,
            } => Response::Memory(self.examine(&expr, count, format, unit)?),
            Request::Display { expr, format } => {
                Response::Display(self.add_display(&expr, format)?)
            }
            Request::Undisplay(n) => self.remove_display(n).map(|_| Response::Done)?,
            Request::List(loc) => Response::SourceLines(self.list(loc.as_deref())?),
            Request::Disassemble(name) => Response::Disassembly(self.disassemble(name.as_deref())?),
            Request::Profiling(switch) => {
                match switch {
                    ProfileSwitch::On | ProfileSwitch::Off => {
                        self.set_profiling(switch == ProfileSwitch::On)?
                    }
                    ProfileSwitch::Reset => {
                        self.profile.as_mut().ok_or_else(profiling_off)?.reset()
                    }
                }
                Response::Done
            }
            Request::Directory(dir) => {
                self.sources.add_dir(dir);
                Response::Done
            }
            Request::Kill => {
                self.kill();
                Response::Stop(gone(StopReason::Killed))
            }
            Request::Detach => {
                self.detach()?;
                Response::Stop(gone(StopReason::Detached))
            }
            Request::Monitor(cmd) => Response::Monitor(self.monitor(&cmd)?),
            Request::Children { var, start, count } => {
                Response::Children(self.children(&var, start, count)?)
            }
        })
    }

    /// Selects frame `n`.
    fn select(&mut self, n: usize) -> Result<(), Error> {
        if n >= self.frames()?.len() {
            return Err(Error::Usage(format!("No frame at level {n}.")));
        }
        self.selected = n;
        Ok(())
    }

    /// The selected frame with its source line.
    fn selected_report(&mut self) -> Result<SelectedFrame, Error> {
        let f = self.selected_frame()?;
        let frame = self.frame_report(&f)?;
        Ok(SelectedFrame {
            source: self.source_of(&frame),
            frame,
        })
    }

    /// The source line a frame stands on, when it has one.
    fn source_of(&mut self, f: &Frame) -> Option<SourceLine> {
        let line = f.line.filter(|&l| l != 0)?;
        Some(
            self.sources
                .line(f.file.as_deref().unwrap_or_default(), line),
        )
    }

    /// The breakpoint the innermost frame stands at, if any.
    fn breakpoint_here(&self) -> Option<u32> {
        let addr = self.frames().ok()?.first()?.addr;
        self.breakpoints
            .iter()
            .find(|b| b.addrs.contains(&addr))
            .map(|b| b.number)
    }

    /// Resumes `count` times (repeats end at any stop other than a finished step) and reports
    /// the last stop.
    fn run(&mut self, how: Resume, count: u32) -> Result<Stop, Error> {
        let mut stop = self.run_once(how.clone())?;
        for _ in 1..count {
            if self.state() != &State::Stopped || stop.reason != StopReason::Step {
                break;
            }
            stop = self.run_once(how.clone())?;
        }
        Ok(stop)
    }

    fn run_once(&mut self, how: Resume) -> Result<Stop, Error> {
        let before = self
            .frames()
            .ok()
            .and_then(|f| f.first().map(|f| (f.wasm, f.function.clone())));
        let from = match how {
            Resume::Finish => Some(self.frame_report(&self.selected_frame()?)?),
            _ => None,
        };
        let until = matches!(how, Resume::Until | Resume::Advance(_));
        let stop = self.resume(how)?;
        if self.limits().debug_level >= DebugLevel::BasicProfile {
            let frames = self.wasm_frames().to_vec();
            self.debug.traces.capture(&frames);
        }
        let mut value = None;
        let reason = match stop {
            step::Stop::Exited(code) => return Ok(gone(StopReason::Exited { code })),
            step::Stop::Breakpoint {
                number,
                temporary,
                condition_error,
            } => StopReason::Breakpoint {
                number,
                temporary,
                condition_error,
            },
            step::Stop::Watch {
                number,
                expr,
                old,
                new,
            } => StopReason::Watchpoint {
                number,
                kind: self
                    .watches
                    .iter()
                    .find(|w| w.number == number)
                    .map_or(WatchKind::Write, |w| w.kind)
                    .into(),
                expr,
                old,
                new,
            },
            step::Stop::Trap(t) => StopReason::Trap {
                kind: format!("{t:?}")
                    .split(['(', ' ', '{'])
                    .next()
                    .unwrap_or_default()
                    .to_string(),
                message: t.to_string(),
            },
            step::Stop::Interrupted => StopReason::Interrupt,
            step::Stop::Step if until => StopReason::Until,
            step::Stop::Step => StopReason::Step,
            step::Stop::Finish { value: v, .. } => {
                value = v;
                StopReason::Finish {
                    from: Box::new(from.ok_or(Error::NotRunning)?),
                    value: None,
                }
            }
        };
        let frames = self.frames()?;
        let Some(top) = frames.first() else {
            return Ok(Stop {
                reason,
                ..gone(StopReason::Killed)
            });
        };
        let frame = self.frame_report(top)?;
        let mut stop = Stop {
            new_function: before.as_ref() != Some(&(top.wasm, top.function.clone())),
            at_statement: self.at_statement(),
            source: self.source_of(&frame),
            frame: Some(frame),
            reason,
            displays: Vec::new(),
        };
        if let (Some(v), StopReason::Finish { value, .. }) = (value, &mut stop.reason) {
            let n = self.history.len() + 1;
            *value = Some(Box::new(self.printed(
                &format!("${n}"),
                v,
                Format::Natural,
            )?));
        }
        stop.displays = self.displays();
        Ok(stop)
    }

    /// Sets a watchpoint; returns its number.
    fn watch(&mut self, target: WatchTarget, kind: WatchKind) -> Result<u32, Error> {
        let (expr, addr, len, ty) = match target {
            WatchTarget::Address { addr, len } => {
                let ty = Ty::Int {
                    signed: true,
                    size: len.min(8) as u8,
                };
                (format!("{addr:#x},{len}"), addr, len, ty)
            }
            WatchTarget::Expr(e) | WatchTarget::Location(e) if e.is_empty() => {
                return Err(Error::Usage(
                    "Argument required (expression to compute).".into(),
                ));
            }
            WatchTarget::Expr(e) => {
                let (addr, len, ty) = self.lvalue(&e)?;
                (e, addr, len, ty)
            }
            WatchTarget::Location(e) => {
                let (addr, len, ty) = self.lvalue(&e)?;
                (format!("-location {e}"), addr, len, ty)
            }
        };
        self.set_watch(&expr, addr, len, ty, kind)
    }

    /// The address, size and type of the memory an expression names.
    fn lvalue(&self, expr: &str) -> Result<(u64, u32, Ty), Error> {
        let v = self.evaluate(expr)?;
        let Place::Memory(addr) = v.place else {
            return Err(Error::Usage(format!(
                "Cannot watch constant value `{expr}`."
            )));
        };
        Ok((addr, self.dwarf.size_of(&v.ty)? as u32, v.ty))
    }

    /// Linear memory as `x/NFU` shows it: `count` units of `unit` bytes (4, or 1 for chars), or
    /// `count` C strings.
    fn examine(
        &self,
        expr: &str,
        count: u32,
        format: Format,
        unit: Option<u64>,
    ) -> Result<MemoryBlock, Error> {
        let v = self.evaluate(expr)?;
        let f = self.selected_frame()?;
        let state = self.wasm_state(f.wasm).ok_or(Error::NotRunning)?;
        let p = Printer {
            dwarf: &self.dwarf,
            state: &state,
            format: if format == Format::Natural {
                Format::Hex
            } else {
                format
            },
        };
        let addr = match (&v.place, self.dwarf.shape(&v.ty)?) {
            (Place::Memory(a), Shape::Array { .. }) => *a,
            _ => p.integer(&v)?.0,
        };
        let mut units = Vec::new();
        if format == Format::Str {
            let mut at = addr;
            for _ in 0..count {
                let s = p.c_str(at)?;
                units.push(MemoryUnit {
                    addr: at,
                    value: c_string(&s),
                });
                at += s.len() as u64 + 1;
            }
            return Ok(MemoryBlock {
                addr,
                unit: 0,
                units,
            });
        }
        let size = unit.unwrap_or(if format == Format::Char { 1 } else { 4 });
        let bytes = self.read_memory(addr, (count as u64 * size) as usize)?;
        for (i, chunk) in bytes.chunks(size as usize).enumerate() {
            let ty = Ty::Int {
                signed: p.format == Format::Decimal,
                size: size as u8,
            };
            let value = Value {
                ty,
                place: Place::Bytes(chunk.to_vec()),
            };
            units.push(MemoryUnit {
                addr: addr + i as u64 * size,
                value: p.show(&value, 0),
            });
        }
        Ok(MemoryBlock {
            addr,
            unit: size,
            units,
        })
    }

    /// The code of the selected frame's function, or of the function named.
    fn disassemble(&mut self, name: Option<&str>) -> Result<Disassembly, Error> {
        let pc = self.selected_frame().ok().map(|f| f.addr);
        let func = match name {
            None => self
                .dwarf
                .function_at(pc.ok_or(Error::NotRunning)?)
                .ok_or_else(|| Error::Usage("No function contains the program counter.".into()))?,
            Some(name) => *self
                .dwarf
                .functions_named(name)
                .first()
                .ok_or_else(|| Error::NoSymbol { name: name.into() })?,
        };
        let (range, function) = (func.low..func.high, func.name.clone());
        if self.listing.is_none() {
            self.listing = Some(Listing::new(&self.bytes, self.code_start)?);
        }
        let listing = self.listing.as_ref().ok_or(Error::NotRunning)?;
        let lines = listing
            .range(range)
            .iter()
            .map(|(off, text)| DisasmLine {
                offset: *off,
                text: text.trim().to_string(),
                current: Some(*off) == pc,
            })
            .collect();
        Ok(Disassembly { function, lines })
    }

    /// Every bounded debug table's use, and what DWARF the budget refused.
    pub fn budget(&self) -> Budget {
        let l = self.limits();
        let source = TableUsage {
            table: "source breakpoints".into(),
            limit: "max_source_breakpoints".into(),
            used: self.breakpoints.len() as u64,
            capacity: l.max_source_breakpoints,
        };
        let tables = std::iter::once(source)
            .chain(self.debug.usage().iter().map(|t| TableUsage {
                table: t.what.into(),
                limit: t.limit.into(),
                used: t.used as u64,
                capacity: t.capacity as u64,
            }))
            .collect();
        Budget {
            platform: l.platform.to_string(),
            debug_level: l.debug_level.to_string(),
            tables,
            reserved_bytes: runtime_core::debug::reserved_bytes(l),
            refused_dwarf: self
                .dwarf
                .refused
                .iter()
                .map(|r| RefusedSection {
                    section: r.section.to_string(),
                    reason: r.reason.to_string(),
                })
                .collect(),
            remote: self.is_attached(),
        }
    }

    /// The top `n` functions of the profile.
    fn profile_report(&self, n: usize) -> Result<Profile, Error> {
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

/// A stop where the program is gone: no frame, nothing to show.
fn gone(reason: StopReason) -> Stop {
    Stop {
        reason,
        frame: None,
        source: None,
        new_function: false,
        at_statement: false,
        displays: Vec::new(),
    }
}

fn profiling_off() -> Error {
    Error::Usage("Profiling is off; `profile on` starts it.".into())
}

/// Parses a number as C writes it, as a `u32` (breakpoint numbers, counts).
pub fn number(s: &str) -> Result<u32, Error> {
    parse_number(s.trim())
        .and_then(|n| u32::try_from(n).ok())
        .ok_or_else(|| Error::Usage(format!("`{}` is not a number", s.trim())))
}
