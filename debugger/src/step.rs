//! Run control: continue, step, next, finish, stepi, nexti, until and advance. Continuing runs at
//! full speed (breakpoints are patched in); only watchpoints add a check on memory accesses, and
//! only the stepping commands consult the per-instruction hook.

use std::sync::atomic::Ordering;

use runtime_core::debug::WatchKind;
use runtime_core::{Frame, Module, Trap};

use crate::dwarf::{DwarfInfo, Place, Shape, Ty};
use crate::error::Error;
use crate::frame::FrameInfo;
use crate::inline::LineStep;
use crate::session::{Session, State};
use crate::target::{Event, Run, Verdict};
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
        /// Why its condition could not be tested, when it could not (the program stops then, as
        /// in gdb).
        condition_error: Option<String>,
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
    module: &'a Module,
    code_start: u64,
}

impl Lines<'_> {
    /// The code offset of internal `pc` of module function `func`.
    pub(crate) fn offset(&self, func: u32, pc: u32) -> Option<u64> {
        Some(u64::from(self.module.offset(func, pc)?) - self.code_start)
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
}

impl Session {
    pub(crate) fn lines(&self) -> Lines<'_> {
        Lines {
            dwarf: &self.dwarf,
            module: &self.module,
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
        if how == Resume::Step && self.hidden > 0 {
            // Stopped at the entry of an inlined call: `step` enters it without running.
            self.hidden -= 1;
            self.selected = 0;
            return Ok(Stop::Step);
        }
        let selected = self.selected_frame()?;
        self.selected = 0;
        let stop = self.run_until(&how, &selected);
        // An interrupt asked for while the program ran is answered by this stop, whatever it is.
        self.interrupt.store(false, Ordering::Relaxed);
        let (stop, entered) = stop?;
        self.hide_inline_entries(&stop, entered)?;
        if let Stop::Exited(code) = stop {
            self.keep_final_profile();
            self.kill();
            self.state = State::Exited(code);
        }
        if let Stop::Trap(t) = &stop {
            self.state = State::Trapped(t.clone());
        }
        Ok(stop)
    }

    /// Runs until the program stops as `how` asks; with the stop, the inlined frames to keep
    /// hidden when `step` entered an inlined call.
    fn run_until(
        &mut self,
        how: &Resume,
        selected: &FrameInfo,
    ) -> Result<(Stop, Option<usize>), Error> {
        let frames = self.wasm_frames();
        let depth0 = frames.len();
        let top = *frames.last().ok_or(Error::NotRunning)?;
        let lines = self.lines();
        let start_off = lines.offset(top.func, top.pc).unwrap_or(0);
        let line_step = LineStep::new(&self.dwarf, how.clone(), start_off, self.hidden);
        let stop = self.run_loop(how, selected, depth0, start_off, &line_step)?;
        Ok((stop, line_step.entered.get()))
    }

    fn run_loop(
        &mut self,
        how: &Resume,
        selected: &FrameInfo,
        depth0: usize,
        start_off: u64,
        line_step: &LineStep,
    ) -> Result<Stop, Error> {
        // `finish` waits for the selected Wasm frame to return; an inlined frame ends when the
        // code leaves its inlined range.
        let finish_depth = selected.wasm + 1;
        let finish_inline = self
            .dwarf
            .frames(selected.addr)
            .map_or(0, |f| f.len())
            .saturating_sub(selected.inline);
        let sret = self.sret_pointer(selected)?;
        let result = self.result_slot(selected);
        loop {
            let watches: Vec<(u64, u64, WatchKind)> = self
                .watches
                .iter()
                .map(|w| (w.addr, w.len as u64, w.kind))
                .collect();
            let lines = Lines {
                dwarf: &self.dwarf,
                module: &self.module,
                code_start: self.code_start,
            };
            let stepping = !matches!(how, Resume::Continue);
            let stop_if = |stop: bool| if stop { Verdict::Stop } else { Verdict::Go };
            let mut test = |f: &Frame, depth: usize| -> Verdict {
                match how {
                    Resume::Continue => Verdict::Go,
                    Resume::Finish if depth > finish_depth => Verdict::Return(finish_depth),
                    Resume::Finish => stop_if(
                        depth < finish_depth
                            || (selected.inlined
                                && lines.offset(f.func, f.pc).is_some_and(|a| {
                                    lines.dwarf.frames(a).map_or(0, |x| x.len()) < finish_inline
                                })),
                    ),
                    Resume::StepInstr => {
                        stop_if(depth != depth0 || lines.offset(f.func, f.pc) != Some(start_off))
                    }
                    Resume::NextInstr if depth > depth0 => Verdict::Return(depth0),
                    Resume::NextInstr => {
                        stop_if(depth < depth0 || lines.offset(f.func, f.pc) != Some(start_off))
                    }
                    Resume::Advance(addrs) => stop_if(
                        depth < depth0
                            || lines
                                .offset(f.func, f.pc)
                                .is_some_and(|a| addrs.contains(&a)),
                    ),
                    Resume::Step | Resume::Next | Resume::Until => {
                        if depth < depth0 {
                            return stop_if(lines.has_lines(f.func));
                        }
                        if depth > depth0 && *how != Resume::Step {
                            return Verdict::Return(depth0);
                        }
                        if depth > depth0 && !lines.has_lines(f.func) {
                            // As gdb does: a function without line information is stepped over.
                            return Verdict::Return(depth - 1);
                        }
                        if lines.stmt(f.func, f.pc).is_none() {
                            return Verdict::Go;
                        }
                        if depth > depth0 {
                            return Verdict::Stop;
                        }
                        let off = lines.offset(f.func, f.pc).unwrap_or(0);
                        line_step.at_statement(lines.dwarf, off)
                    }
                }
            };
            let started = self.profile_resuming();
            let run = Run {
                test: if stepping { Some(&mut test) } else { None },
                watches: &watches,
                profile: self.profile.as_mut(),
                interruptible: self.interruptible,
                interrupt: &self.interrupt,
                executed: &self.executed,
            };
            let target = self.target.as_mut().ok_or(Error::NotRunning)?;
            let event = target.resume(&mut self.debug, run);
            self.profile_stopped(started);
            let event = event?;
            self.fresh = false;
            match event {
                Event::Exited(code) => return Ok(Stop::Exited(code)),
                Event::Trap(t) => return Ok(Stop::Trap(t)),
                Event::Interrupted => return Ok(Stop::Interrupted),
                Event::Stepped if *how == Resume::Finish => {
                    let value = self.returned_value(selected, sret, result)?;
                    return Ok(Stop::Finish {
                        value,
                        from: Box::new(selected.clone()),
                    });
                }
                Event::Stepped => {
                    // A step that ends on a breakpoint reports the breakpoint, as gdb does.
                    let top = *self.wasm_frames().last().ok_or(Error::NotRunning)?;
                    if let Some(stop) = self.breakpoint_hit((top.func, top.pc))? {
                        return Ok(stop);
                    }
                    return Ok(Stop::Step);
                }
                Event::Breakpoint(func, pc) => {
                    if let Some(stop) = self.breakpoint_hit((func, pc))? {
                        return Ok(stop);
                    }
                }
                Event::Watch { index, write } => {
                    if let Some(stop) = self.watch_hit(index, write) {
                        return Ok(stop);
                    }
                }
            }
        }
    }

    /// Decides whether the enabled breakpoints at `site` stop: conditions, ignore counts,
    /// temporaries.
    fn breakpoint_hit(&mut self, site: (u32, u32)) -> Result<Option<Stop>, Error> {
        let here: Vec<usize> = (0..self.breakpoints.len())
            .filter(|&i| {
                let b = &self.breakpoints[i];
                b.enabled && b.addrs.iter().any(|&a| self.site(a) == Some(site))
            })
            .collect();
        for i in here {
            let mut condition_error = None;
            if let Some(cond) = self.breakpoints[i].condition.clone() {
                match self.evaluate(&cond).and_then(|v| self.truth(&v)) {
                    Ok(false) => continue,
                    Ok(true) => {}
                    Err(e) => condition_error = Some(e.to_string()),
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
            return Ok(Some(Stop::Breakpoint {
                number,
                temporary,
                condition_error,
            }));
        }
        Ok(None)
    }

    /// Decides whether an access to watch `i` stops: writes that change the value, reads always.
    fn watch_hit(&mut self, i: usize, write: bool) -> Option<Stop> {
        let w = self.watches.get(i)?.clone();
        let now = self.read_memory(w.addr, w.len as usize).ok()?;
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
    /// A target that cannot be asked is an error.
    fn sret_pointer(&self, f: &FrameInfo) -> Result<Option<u64>, Error> {
        if self
            .module
            .func_type(f.func)
            .is_none_or(|ty| !ty.results.is_empty())
        {
            return Ok(None);
        }
        let Some(ty) = self.return_type(f) else {
            return Ok(None);
        };
        if !matches!(self.dwarf.shape(&ty), Ok(Shape::Struct { .. })) {
            return Ok(None);
        }
        self.target()?.local(f.wasm, 0)
    }

    /// Where the result of frame `f`'s call will be: its caller's Wasm frame and operand slot
    /// (the caller's operand height at the call, less the arguments).
    fn result_slot(&self, f: &FrameInfo) -> Option<(usize, u32)> {
        let caller_index = f.wasm.checked_sub(1)?;
        let caller = self.wasm_frames().get(caller_index)?;
        let height = *self
            .module
            .body(caller.func)?
            .heights
            .get(caller.pc.checked_sub(1)? as usize)?;
        let params = self.module.func_type(f.func)?.params.len() as u32;
        Some((caller_index, height.checked_sub(params)?))
    }

    /// The DWARF return type of the function of frame `f`.
    fn return_type(&self, f: &FrameInfo) -> Option<Ty> {
        let func = self.dwarf.function_at(f.addr)?;
        let ty = self.dwarf.die_type(func.unit, func.die);
        (ty != Ty::Void).then_some(ty)
    }

    /// What the finished frame returned: its result registers, or the struct its hidden pointer
    /// points to. A target that cannot be asked is an error.
    fn returned_value(
        &self,
        f: &FrameInfo,
        sret: Option<u64>,
        result: Option<(usize, u32)>,
    ) -> Result<Option<Value>, Error> {
        let Some(ty) = self.return_type(f) else {
            return Ok(None);
        };
        if let Some(ptr) = sret {
            return Ok(Some(Value {
                ty,
                place: Place::Memory(ptr as u32 as u64),
            }));
        }
        if self
            .module
            .func_type(f.func)
            .is_none_or(|ty| ty.results.len() != 1)
            || f.inlined
        {
            return Ok(None);
        }
        let Some((caller, index)) = result else {
            return Ok(None);
        };
        Ok(self.target()?.stack(caller, index)?.map(|raw| Value {
            ty,
            place: Place::Bytes(raw.to_le_bytes().to_vec()),
        }))
    }
}
