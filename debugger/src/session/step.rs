//! The session's run control: continue, step, next, finish, stepi, nexti, until and advance.

use crate::dwarf::{Place, Shape, Ty};
use crate::error::Error;
use crate::frame::FrameInfo;
use crate::inline::LineStep;
use crate::session::{Session, State};
use crate::step::*;
use crate::target::{Event, Run, Verdict};
use crate::value::{Format, Printer, Value};
use runtime_core::Frame;
use runtime_core::debug::WatchKind;
use std::sync::atomic::Ordering;

/// The opcode of `call_indirect`.
const CALL_INDIRECT: u8 = 0x11;

impl Session {
    pub(crate) fn lines(&self) -> Lines<'_> {
        Lines {
            dwarf: &self.image.dwarf,
            module: &self.image.module,
            code_start: self.image.code_start,
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
        match &self.process.state {
            State::Stopped => {}
            State::Trapped(t) => return Err(Error::Trapped(t.clone())),
            _ => return Err(Error::NotRunning),
        }
        self.process.stops += 1;
        if how == Resume::Step && self.process.hidden > 0 {
            // Stopped at the entry of an inlined call: `step` enters it without running.
            self.process.hidden -= 1;
            self.inspect.selected = 0;
            return Ok(Stop::Step);
        }
        let selected = self.selected_frame()?;
        self.inspect.selected = 0;
        let stop = self.run_until(&how, &selected);
        // An interrupt asked for while the program ran is answered by this stop, whatever it is.
        self.process.interrupt.store(false, Ordering::Relaxed);
        let (stop, entered) = stop?;
        self.hide_inline_entries(&stop, entered)?;
        if let Stop::Exited(code) = stop {
            self.keep_final_profile();
            self.kill();
            self.process.state = State::Exited(code);
        }
        if let Stop::Trap(t) = &stop {
            self.process.state = State::Trapped(t.clone());
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
        let line_step = LineStep::new(
            &self.image.dwarf,
            how.clone(),
            start_off,
            self.process.hidden,
        );
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
            .image
            .dwarf
            .frames(selected.addr)
            .map_or(0, |f| f.len())
            .saturating_sub(selected.inline);
        let sret = self.sret_pointer(selected)?;
        let result = self.result_slot(selected);
        loop {
            let watches: Vec<(u64, u64, WatchKind)> = self
                .points
                .watches
                .iter()
                .map(|w| (w.addr, w.len as u64, w.kind))
                .collect();
            let lines = Lines {
                dwarf: &self.image.dwarf,
                module: &self.image.module,
                code_start: self.image.code_start,
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
                profile: self.profiler.profile.as_mut(),
                interruptible: self.process.interruptible,
                interrupt: &self.process.interrupt,
                executed: &self.process.executed,
            };
            let target = self.process.target.as_mut().ok_or(Error::NotRunning)?;
            let event = target.resume(&mut self.debug, run);
            self.profile_stopped(started);
            let event = event?;
            self.process.fresh = false;
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
        if let Some(number) = self.watch_out_of_scope(site)? {
            return Ok(Some(Stop::WatchScope { number }));
        }
        let here: Vec<usize> = (0..self.points.breakpoints.len())
            .filter(|&i| {
                let b = &self.points.breakpoints[i];
                b.enabled && b.addrs.iter().any(|&a| self.site(a) == Some(site))
            })
            .collect();
        for i in here {
            let mut condition_error = None;
            if let Some(cond) = self.points.breakpoints[i].condition.clone() {
                match self.evaluate(&cond).and_then(|v| self.truth(&v)) {
                    Ok(false) => continue,
                    Ok(true) => {}
                    Err(e) => condition_error = Some(e.to_string()),
                }
            }
            let b = &mut self.points.breakpoints[i];
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
        let w = self.points.watches.get(i)?.clone();
        let now = self.read_memory(w.addr, w.len as usize).ok()?;
        let changed = now != w.old;
        if w.kind == WatchKind::Write && !changed {
            return None;
        }
        let show = |s: &Session, bytes: &[u8]| {
            let state = s.wasm_state(s.wasm_frames().len() - 1)?;
            let p = Printer {
                dwarf: s.dwarf(),
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
        let watch = &mut self.points.watches[i];
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
            .image
            .module
            .func_type(f.func)
            .is_none_or(|ty| !ty.results.is_empty())
        {
            return Ok(None);
        }
        let Some(ty) = self.return_type(f) else {
            return Ok(None);
        };
        if !matches!(self.image.dwarf.shape(&ty), Ok(Shape::Struct { .. })) {
            return Ok(None);
        }
        self.target()?.local(f.wasm, 0)
    }

    /// Where the result of frame `f`'s call will be: its caller's Wasm frame and operand slot
    /// (the caller's operand height at the call, less the arguments, and less the table index
    /// a `call_indirect` takes besides them).
    fn result_slot(&self, f: &FrameInfo) -> Option<(usize, u32)> {
        let caller_index = f.wasm.checked_sub(1)?;
        let caller = self.wasm_frames().get(caller_index)?;
        let call = caller.pc.checked_sub(1)?;
        let height = *self
            .image
            .module
            .body(caller.func)?
            .heights
            .get(call as usize)?;
        let params = self.image.module.func_type(f.func)?.params.len() as u32;
        let index = u32::from(self.image.opcode(caller.func, call) == Some(CALL_INDIRECT));
        Some((caller_index, height.checked_sub(params + index)?))
    }

    /// The DWARF return type of the function of frame `f`.
    fn return_type(&self, f: &FrameInfo) -> Option<Ty> {
        let func = self.image.dwarf.function_at(f.addr)?;
        let ty = self.image.dwarf.die_type(func.unit, func.die);
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
            .image
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
