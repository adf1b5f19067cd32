//! Run control: continue, step, next, finish, stepi, nexti, until and advance. Continuing runs at
//! full speed (breakpoints are patched in); only watchpoints add a check on memory accesses, and
//! only the stepping commands consult the per-instruction hook.

use std::rc::Rc;
use std::sync::atomic::{AtomicBool, Ordering};

use runtime_core::debug::WatchKind;
use runtime_core::module::FuncBody;
use runtime_core::{Frame, Hook, Outcome, Trap};

use crate::dwarf::{DwarfInfo, Place, Shape, Ty};
use crate::error::Error;
use crate::frame::FrameInfo;
use crate::session::{Session, State};
use crate::value::{Format, Printer, Value};

/// How to resume a stopped program.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resume {
    /// Until a breakpoint, watchpoint, trap or exit.
    Continue,
    /// To the next source line, into calls.
    Step,
    /// To the next source line of this frame, over calls.
    Next,
    /// Until the selected frame returns.
    Finish,
    /// One Wasm instruction, into calls.
    StepInstr,
    /// One Wasm instruction, over calls.
    NextInstr,
    /// Like `Next`, but never back to an earlier line of a loop.
    Until,
    /// Until one of these code offsets, or the current frame returns.
    Advance(Vec<u64>),
}

/// Why the program stopped.
#[derive(Debug, Clone, PartialEq)]
pub enum Stop {
    /// At user breakpoint `number`.
    Breakpoint {
        /// The breakpoint's number.
        number: u32,
        /// Whether it was temporary (and is now deleted).
        temporary: bool,
    },
    /// A watchpoint saw an access.
    Watch {
        /// The watchpoint's number.
        number: u32,
        /// The expression watched.
        expr: String,
        /// The value before, for a change.
        old: Option<String>,
        /// The value now.
        new: String,
    },
    /// A step, next, stepi, until or advance ended.
    Step,
    /// `finish` returned to the caller, with the value the function returned.
    Finish {
        /// The returned value as printed, if the function returns one.
        value: Option<Value>,
        /// The frame that returned.
        from: Box<FrameInfo>,
    },
    /// A trap stopped the program at the faulting instruction.
    Trap(Trap),
    /// [`Session::interrupter`] asked the running program to stop.
    Interrupted,
    /// The program exited with this status.
    Exited(i32),
}

/// The line-table view the stepping hooks need, readable while the store runs.
pub(crate) struct Lines<'a> {
    dwarf: &'a DwarfInfo,
    bodies: &'a [Option<Rc<FuncBody>>],
    code_start: u64,
}

impl Lines<'_> {
    fn offset(&self, func: u32, pc: u32) -> Option<u64> {
        let body = self.bodies.get(func as usize)?.as_ref()?;
        Some(*body.offsets.get(pc as usize)? as u64 - self.code_start)
    }

    /// The (file, line) a statement starting at this instruction begins, if one does.
    pub(crate) fn stmt(&self, func: u32, pc: u32) -> Option<(u32, u32)> {
        let here = self.offset(func, pc)?;
        let from = match pc.checked_sub(1).and_then(|p| self.offset(func, p)) {
            Some(prev) if prev < here => prev + 1,
            Some(_) => return None,
            None => here,
        };
        let row = self.dwarf.lines.stmts_in(from..here + 1).last()?;
        (row.line != 0).then_some((row.file, row.line))
    }

    /// Whether the function has line information at all.
    fn has_lines(&self, func: u32) -> bool {
        self.offset(func, 0)
            .and_then(|a| self.dwarf.lines.row_at(a))
            .is_some_and(|r| r.line != 0)
    }

    /// The (file, line) covering an instruction.
    fn line(&self, func: u32, pc: u32) -> Option<(u32, u32)> {
        let row = self.dwarf.lines.row_at(self.offset(func, pc)?)?;
        Some((row.file, row.line))
    }
}

/// The hook of a resumed program: an optional per-instruction stop test, the watch ranges (checked
/// only when `WATCH`), and the interrupt flag, polled at backward branches and calls.
struct Monitor<'a, const STEP: bool, const WATCH: bool, F> {
    stop: F,
    /// Where execution stands when resumed: not a place to stop at.
    skip: Option<(u32, u32, usize)>,
    watches: &'a [(u64, u64, WatchKind)],
    hit: Option<(usize, bool)>,
    interrupt: &'a AtomicBool,
}

impl<const STEP: bool, const WATCH: bool, F: FnMut(&Frame, usize) -> bool> Hook
    for Monitor<'_, STEP, WATCH, F>
{
    const ACTIVE: bool = STEP;
    const WATCH: bool = WATCH;
    const POLL: bool = true;
    fn poll(&mut self) -> bool {
        self.interrupt.load(Ordering::Relaxed)
    }
    fn before(&mut self, frame: &Frame, depth: usize) -> bool {
        if self.skip.take() == Some((frame.func, frame.pc, depth)) {
            return true;
        }
        !(self.stop)(frame, depth)
    }
    fn access(&mut self, addr: u64, len: u64, write: bool) -> bool {
        let hit = self.watches.iter().position(|&(a, n, kind)| {
            let wanted = match kind {
                WatchKind::Write => write,
                WatchKind::Read => !write,
                WatchKind::Access => true,
            };
            wanted && addr < a + n && a < addr + len
        });
        if let Some(i) = hit {
            self.hit = Some((i, write));
        }
        hit.is_some()
    }
}

impl Session {
    pub(crate) fn lines(&self) -> Lines<'_> {
        Lines {
            dwarf: &self.dwarf,
            bodies: &self.bodies,
            code_start: self.code_start,
        }
    }

    /// Whether the innermost frame stands at the start of a source statement.
    pub fn at_statement(&self) -> bool {
        self.wasm_frames()
            .last()
            .is_some_and(|f| self.lines().stmt(f.func, f.pc).is_some())
    }

    /// Resumes the stopped program and runs it until it stops again.
    pub fn resume(&mut self, how: Resume) -> Result<Stop, Error> {
        match &self.state {
            State::Stopped => {}
            State::Trapped(t) => {
                return Err(Error::Usage(format!(
                    "The program stopped at a trap ({t}) and cannot go on; `run` starts it again."
                )));
            }
            _ => return Err(Error::NotRunning),
        }
        let selected = self.selected_frame()?;
        self.selected = 0;
        self.interrupt.store(false, Ordering::Relaxed);
        let stop = self.run_until(&how, &selected)?;
        if let Stop::Exited(code) = stop {
            self.kill();
            self.state = State::Exited(code);
        }
        if let Stop::Trap(t) = &stop {
            self.state = State::Trapped(t.clone());
        }
        Ok(stop)
    }

    fn run_until(&mut self, how: &Resume, selected: &FrameInfo) -> Result<Stop, Error> {
        let frames = self.wasm_frames();
        let depth0 = frames.len();
        let top = *frames.last().ok_or(Error::NotRunning)?;
        let lines = self.lines();
        let start_line = lines.line(top.func, top.pc);
        let start_off = lines.offset(top.func, top.pc).unwrap_or(0);
        let start_inline = self.dwarf.frames(start_off).map_or(0, |f| f.len());
        // `finish` waits for the selected Wasm frame to return; an inlined frame ends when the
        // code leaves its inlined range.
        let finish_depth = selected.wasm + 1;
        let finish_inline = self
            .dwarf
            .frames(selected.addr)
            .map_or(0, |f| f.len())
            .saturating_sub(selected.inline);
        let sret = self.sret_pointer(selected);
        let callee_fp = frames.get(selected.wasm).map(|f| f.fp);
        loop {
            let watches: Vec<(u64, u64, WatchKind)> = self
                .watches
                .iter()
                .map(|w| (w.addr, w.len as u64, w.kind))
                .collect();
            let lines = Lines {
                dwarf: &self.dwarf,
                bodies: &self.bodies,
                code_start: self.code_start,
            };
            let profile = &mut self.profile;
            let live = self.live.as_mut().ok_or(Error::NotRunning)?;
            // Move off a breakpoint marker the thread stands on.
            let top = *live.thread.frames().last().ok_or(Error::NotRunning)?;
            let first = match self.armed.get(&(top.func, top.pc)) {
                Some(&id) => Some(self.debug.breakpoints.step_over(
                    &mut live.store,
                    &mut live.thread,
                    id,
                )),
                None => None,
            };
            let mut hit = None;
            let skip = first
                .is_none()
                .then(|| (top.func, top.pc, live.thread.frames().len()));
            let outcome = match first {
                Some(Ok(Outcome::Paused)) | None => {
                    let stepping = !matches!(how, Resume::Continue) || profile.is_some();
                    let mut test = |f: &Frame, depth: usize| -> bool {
                        if let Some(p) = profile.as_mut() {
                            p.count(f);
                        }
                        match how {
                            Resume::Continue => false,
                            Resume::Finish => {
                                depth < finish_depth
                                    || (selected.inlined
                                        && depth == finish_depth
                                        && lines.offset(f.func, f.pc).is_some_and(|a| {
                                            lines.dwarf.frames(a).map_or(0, |x| x.len())
                                                < finish_inline
                                        }))
                            }
                            Resume::StepInstr => {
                                depth != depth0 || lines.offset(f.func, f.pc) != Some(start_off)
                            }
                            Resume::NextInstr => {
                                depth < depth0
                                    || depth == depth0
                                        && lines.offset(f.func, f.pc) != Some(start_off)
                            }
                            Resume::Advance(addrs) => {
                                depth < depth0
                                    || lines
                                        .offset(f.func, f.pc)
                                        .is_some_and(|a| addrs.contains(&a))
                            }
                            Resume::Step | Resume::Next | Resume::Until => {
                                if depth < depth0 {
                                    return lines.has_lines(f.func);
                                }
                                if depth > depth0
                                    && (*how != Resume::Step || !lines.has_lines(f.func))
                                {
                                    return false;
                                }
                                let Some(line) = lines.stmt(f.func, f.pc) else {
                                    return false;
                                };
                                let off = lines.offset(f.func, f.pc).unwrap_or(0);
                                if depth > depth0 {
                                    return true;
                                }
                                let inline = lines.dwarf.frames(off).map_or(0, |x| x.len());
                                match how {
                                    Resume::Until => {
                                        off > start_off
                                            && (Some(line) != start_line || inline != start_inline)
                                    }
                                    _ => {
                                        Some(line) != start_line
                                            || off <= start_off
                                            || inline != start_inline
                                    }
                                }
                            }
                        }
                    };
                    let interrupt = &*self.interrupt;
                    macro_rules! monitored {
                        ($step:literal, $watch:literal) => {{
                            let mut m = Monitor::<$step, $watch, _> {
                                stop: &mut test,
                                skip,
                                watches: &watches,
                                hit: None,
                                interrupt,
                            };
                            let out = live.thread.run_with_hook(&mut live.store, &mut m);
                            hit = m.hit;
                            out
                        }};
                    }
                    match (stepping, watches.is_empty(), self.interruptible) {
                        (true, _, _) => monitored!(true, true),
                        (false, false, _) => monitored!(false, true),
                        (false, true, true) => monitored!(false, false),
                        (false, true, false) => live.thread.run(&mut live.store),
                    }
                }
                Some(other) => other,
            };
            match outcome {
                Ok(Outcome::Finished) => return Ok(Stop::Exited(0)),
                Err(Trap::Exit(code)) => return Ok(Stop::Exited(code)),
                Err(t) => return Ok(Stop::Trap(t)),
                Ok(Outcome::Paused) if self.interrupt.swap(false, Ordering::Relaxed) => {
                    return Ok(Stop::Interrupted);
                }
                Ok(Outcome::Paused) if *how == Resume::Finish => {
                    let value = self.returned_value(selected, callee_fp, sret);
                    return Ok(Stop::Finish {
                        value,
                        from: Box::new(selected.clone()),
                    });
                }
                Ok(Outcome::Paused) => {
                    // A step that ends on a breakpoint reports the breakpoint, as gdb does.
                    let top = *self.wasm_frames().last().ok_or(Error::NotRunning)?;
                    if let Some(&id) = self.armed.get(&(top.func, top.pc))
                        && let Some(stop) = self.breakpoint_hit(id)?
                    {
                        return Ok(stop);
                    }
                    return Ok(Stop::Step);
                }
                Ok(Outcome::Breakpoint(id)) => {
                    if let Some(stop) = self.breakpoint_hit(id)? {
                        return Ok(stop);
                    }
                }
                Ok(Outcome::Watchpoint) => {
                    if let Some(stop) = hit.and_then(|(i, write)| self.watch_hit(i, write)) {
                        return Ok(stop);
                    }
                }
            }
        }
    }

    /// Decides whether breakpoint table entry `id` stops: conditions, ignore counts, temporaries.
    fn breakpoint_hit(&mut self, id: u32) -> Result<Option<Stop>, Error> {
        let Some(bp) = self.debug.breakpoints.get(id).copied() else {
            return Ok(None);
        };
        self.debug.breakpoints.hit(id);
        let here: Vec<usize> = (0..self.breakpoints.len())
            .filter(|&i| {
                let b = &self.breakpoints[i];
                b.enabled
                    && b.addrs
                        .iter()
                        .any(|&a| self.site(a) == Some((bp.func, bp.pc)))
            })
            .collect();
        for i in here {
            if let Some(cond) = self.breakpoints[i].condition.clone() {
                let holds = self.evaluate(&cond).and_then(|v| self.truth(&v));
                if !holds.unwrap_or(true) {
                    continue;
                }
            }
            let b = &mut self.breakpoints[i];
            b.hits += 1;
            if b.ignore > 0 {
                b.ignore -= 1;
                continue;
            }
            let (number, temporary) = (b.number, b.temporary);
            if temporary {
                self.delete(Some(number))?;
            }
            return Ok(Some(Stop::Breakpoint { number, temporary }));
        }
        Ok(None)
    }

    /// Decides whether an access to watch `i` stops: writes that change the value, reads always.
    fn watch_hit(&mut self, i: usize, write: bool) -> Option<Stop> {
        let w = self.watches.get(i)?.clone();
        let now = self.read_memory(w.addr, w.len as usize).ok()?.to_vec();
        let changed = now != w.old;
        if w.kind == WatchKind::Write && !changed {
            return None;
        }
        let show = |s: &Session, bytes: &[u8]| {
            let state = s.wasm_state(s.wasm_frames().len() - 1)?;
            let p = Printer {
                dwarf: &s.dwarf,
                state: &state,
                format: Format::Natural,
            };
            Some(p.top(&Value {
                ty: w.ty.clone(),
                place: Place::Bytes(bytes.to_vec()),
            }))
        };
        let old = (write && changed).then(|| show(self, &w.old)).flatten();
        let new = show(self, &now)?;
        let watch = &mut self.watches[i];
        watch.old = now;
        watch.hits += 1;
        Some(Stop::Watch {
            number: w.number,
            expr: w.expr,
            old,
            new,
        })
    }

    /// For a C function returning a struct through a hidden pointer: that pointer (its local 0).
    fn sret_pointer(&self, f: &FrameInfo) -> Option<u64> {
        let live = self.live.as_ref()?;
        if !live.store.func_type(f.func).results.is_empty() {
            return None;
        }
        let ty = self.return_type(f)?;
        matches!(self.dwarf.shape(&ty), Ok(Shape::Struct { .. }))
            .then(|| live.thread.locals(&live.store, f.wasm).first().copied())
            .flatten()
    }

    /// The DWARF return type of the function of frame `f`.
    fn return_type(&self, f: &FrameInfo) -> Option<Ty> {
        let func = self.dwarf.function_at(f.addr)?;
        let ty = self.dwarf.die_type(func.unit, func.die);
        (ty != Ty::Void).then_some(ty)
    }

    /// What the finished frame returned: its result registers, or the struct its hidden pointer
    /// points to.
    fn returned_value(&self, f: &FrameInfo, fp: Option<u32>, sret: Option<u64>) -> Option<Value> {
        let ty = self.return_type(f)?;
        if let Some(ptr) = sret {
            return Some(Value {
                ty,
                place: Place::Memory(ptr as u32 as u64),
            });
        }
        let live = self.live.as_ref()?;
        let results = &live.store.func_type(f.func).results;
        if results.len() != 1 || f.inlined {
            return None;
        }
        let raw = live.thread.slot(fp? as usize)?;
        Some(Value {
            ty,
            place: Place::Bytes(raw.to_le_bytes().to_vec()),
        })
    }
}
