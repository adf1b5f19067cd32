//! The session's answer to each [`crate::request::Request`]: the one entry point front-ends call.

use crate::dwarf::{Place, Ty, VarKind};
use crate::error::Error;
use crate::location::Location;
use crate::report::{Frame, SourceLine, StopReason};
use crate::request::*;
use crate::session::Session;
use crate::step::Resume;
use crate::stop::gone;
use runtime_core::debug::WatchKind;

impl Session {
    /// Answers one request, in the frame it names (the selected one without).
    pub fn handle(&mut self, req: Request) -> Result<Response, Error> {
        let Some(frame) = req.frame() else {
            return self.answer(req);
        };
        self.check_frame(frame)?;
        let selected = std::mem::replace(&mut self.inspect.selected, frame.level);
        let answer = self.answer(req);
        self.inspect.selected = selected;
        answer
    }

    /// Refuses a frame read at another stop, or past the outermost.
    fn check_frame(&self, frame: FrameRef) -> Result<(), Error> {
        let current = self.process.stops;
        if frame.stop != current {
            return Err(Error::StaleFrame {
                asked: frame.stop,
                current,
            });
        }
        if frame.level >= self.stack()?.len() {
            return Err(Error::NoFrameAt(frame.level));
        }
        Ok(())
    }

    /// Answers one request in the selected frame.
    fn answer(&mut self, req: Request) -> Result<Response, Error> {
        Ok(match req {
            Request::Break {
                location,
                condition,
                temporary,
                frame: _,
            } => {
                let loc = match location {
                    Some(l) => l,
                    None if self.wasm_frames().is_empty() => {
                        return Err(Error::NotFound(
                            "No default breakpoint location now selected.".into(),
                        ));
                    }
                    None => Location::Address(self.selected_frame()?.addr),
                };
                let n = self.break_at(&loc, condition, temporary)?;
                let b = self.points.breakpoints.iter().find(|b| b.number == n);
                Response::Breakpoint(self.breakpoint_report(b.ok_or(Error::NotRunning)?))
            }
            Request::Watch { target, kind } => {
                let n = self.watch(target, kind)?;
                let w = self.points.watches.iter().find(|w| w.number == n);
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
                self.break_at(&Location::Function("main".into()), None, true)?;
                Response::Stop(self.run(Resume::Continue, 1)?)
            }
            Request::Continue { ignore } => {
                if let (Some(n), Some(b)) = (ignore, self.breakpoint_here()) {
                    self.set_ignore(b, n.saturating_sub(1))?;
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
                let frames = self.stack()?;
                let limit = limit.unwrap_or(usize::MAX);
                Response::Backtrace(Backtrace {
                    stop: self.process.stops,
                    more: frames.len() > limit,
                    frames: frames
                        .iter()
                        .take(limit)
                        .map(|f| self.frame_report(f))
                        .collect::<Result<_, _>>()?,
                })
            }
            Request::Frame(n) => {
                self.stack()?;
                if let Some(n) = n {
                    self.select(n)?;
                }
                Response::Frame(self.selected_report()?)
            }
            Request::Up(n) => {
                let frames = self.stack()?.len();
                let target = self.inspect.selected as i128 + i128::from(n);
                if target < 0 {
                    return Err(Error::NotFound(
                        "Bottom (innermost) frame selected; you cannot go down.".into(),
                    ));
                }
                if target >= frames as i128 {
                    return Err(Error::NotFound(
                        "Initial frame selected; you cannot go up.".into(),
                    ));
                }
                self.select(target as usize)?;
                Response::Frame(self.selected_report()?)
            }
            Request::Variables { kind, format, .. } => {
                if kind != VarKind::Global && self.wasm_frames().is_empty() {
                    return Err(Error::NoFrame);
                }
                let level = self.selected_frame()?.level;
                Response::Variables(self.variables(level, kind, format)?)
            }
            Request::Breakpoints => Response::Breakpoints(self.breakpoint_list()),
            Request::FrameDetail { .. } => {
                self.stack()?;
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
            Request::SourceFile { .. } => {
                Response::SourceFile(self.selected_frame()?.loc.and_then(|l| l.file))
            }
            Request::Print { expr, format, .. } => Response::Printed(self.print(&expr, format)?),
            Request::Evaluate { expr, format, .. } => {
                Response::Variable(self.watch_value(&expr, format)?)
            }
            Request::Type { expr, expand, .. } => {
                let ty = self.evaluate(&expr)?.ty;
                let dwarf = &self.image.dwarf;
                Response::Type(match expand {
                    true => dwarf.type_expanded(&ty)?,
                    false => dwarf.type_name(&ty),
                })
            }
            Request::ReadMemory { addr, len } => Response::Bytes(self.read_bytes(addr, len)?),
            Request::WriteMemory { addr, bytes } => {
                self.write_memory(addr, &bytes)?;
                Response::Done
            }
            Request::SetVariable { var, value, .. } => {
                Response::Variable(self.set_variable(&var, &value)?)
            }
            Request::Examine {
                expr,
                count,
                format,
                unit,
                ..
            } => Response::Memory(self.examine(&expr, count, format, unit)?),
            Request::Display { expr, format } => {
                Response::Display(self.add_display(&expr, format)?)
            }
            Request::Undisplay(n) => self.remove_display(n).map(|_| Response::Done)?,
            Request::List(loc) => Response::SourceLines(self.list(loc.as_ref())?),
            Request::Source(file) => Response::SourceLines(self.image.sources.whole(&file)?),
            Request::Disassemble { function, .. } => {
                Response::Disassembly(self.disassemble(function.as_deref())?)
            }
            Request::DisassembleAt {
                addr,
                offset,
                count,
            } => Response::Disassembly(self.disassemble_at(addr, offset, count)?),
            Request::Profiling(switch) => {
                match switch {
                    ProfileSwitch::On | ProfileSwitch::Off => {
                        self.set_profiling(switch == ProfileSwitch::On)?
                    }
                    ProfileSwitch::Reset => self.reset_profile()?,
                }
                Response::Done
            }
            Request::StartProfile(options) => {
                self.start_profile(options)?;
                Response::Done
            }
            Request::CallTree(by) => Response::CallTree(self.call_tree(by)?),
            Request::SaveProfile { path, format, by } => {
                self.save_profile(&path, format, by)?;
                Response::Done
            }
            Request::Directory(dir) => {
                self.image.sources.add_dir(dir);
                Response::Done
            }
            Request::Kill => {
                self.target()?;
                self.kill();
                Response::Stop(gone(StopReason::Killed))
            }
            Request::Detach => {
                self.detach()?;
                Response::Stop(gone(StopReason::Detached))
            }
            Request::Monitor(cmd) => Response::Monitor(self.monitor(&cmd)?),
            Request::Names => Response::Names(self.names()),
            Request::Machine { .. } => Response::Machine(self.machine()?),
            Request::Link => Response::Link(self.link()?),
            Request::Children {
                var,
                start,
                count,
                format,
            } => Response::Children(self.children(&var, start, count, format)?),
        })
    }

    /// The frames of the stopped program; none is [`Error::NoStack`], as gdb says it.
    fn stack(&self) -> Result<Vec<crate::frame::FrameInfo>, Error> {
        let frames = self.frames()?;
        if frames.is_empty() {
            return Err(Error::NoStack);
        }
        Ok(frames)
    }

    /// Selects frame `n`.
    fn select(&mut self, n: usize) -> Result<(), Error> {
        if n >= self.frames()?.len() {
            return Err(Error::NoFrameAt(n));
        }
        self.inspect.selected = n;
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
    pub(crate) fn source_of(&mut self, f: &Frame) -> Option<SourceLine> {
        let line = f.line.filter(|&l| l != 0)?;
        Some(
            self.image
                .sources
                .line(f.file.as_deref().unwrap_or_default(), line),
        )
    }

    /// The breakpoint the innermost frame stands at, if any.
    fn breakpoint_here(&self) -> Option<u32> {
        let addr = self.frames().ok()?.first()?.addr;
        self.points
            .breakpoints
            .iter()
            .find(|b| b.addrs.contains(&addr))
            .map(|b| b.number)
    }

    /// Sets a watchpoint; returns its number. One on an expression that uses the frame's
    /// variables lives as long as the frame.
    fn watch(&mut self, target: WatchTarget, kind: WatchKind) -> Result<u32, Error> {
        let scoped = matches!(target, WatchTarget::Expr(_));
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
        let number = self.set_watch(&expr, addr, len, ty, kind)?;
        if scoped {
            self.scope_watch(number, &expr)?;
        }
        Ok(number)
    }

    /// The address, size and type of the memory an expression names.
    fn lvalue(&self, expr: &str) -> Result<(u64, u32, Ty), Error> {
        let v = self.evaluate(expr)?;
        let Place::Memory(addr) = v.place else {
            return Err(Error::Value(format!(
                "Cannot watch constant value `{expr}`."
            )));
        };
        Ok((addr, self.image.dwarf.size_of(&v.ty)? as u32, v.ty))
    }
}
