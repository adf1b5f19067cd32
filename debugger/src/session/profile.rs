//! The session's profiler operations: profiling switched on and off, its counters read into
//! reports, call trees and profile files.

use crate::error::Error;
use crate::profile::format::{Ending, Format, Profiled};
use crate::profile::*;
use crate::report::{Profile, ProfileEntry};
use crate::session::{Session, State};
use runtime_core::instr::Instr;
use std::cell::Cell;
use std::path::Path;
use std::rc::Rc;
use std::time::{Duration, Instant};

impl Session {
    /// Turns the profiling counters on (from zero) or off; they need debug level `profile`. A
    /// remote program's are the stub's.
    pub fn set_profiling(&mut self, on: bool) -> Result<(), Error> {
        if self.process.attached {
            return self.remote_profile(if on { "on" } else { "off" });
        }
        match on {
            true => self.start_profile(ProfileOptions {
                lines: false,
                interval: Some(SAMPLE_INTERVAL),
            }),
            false => {
                self.profiler.profile = None;
                Ok(())
            }
        }
    }

    /// Sets the counters back to zero, here or on the stub.
    pub fn reset_profile(&mut self) -> Result<(), Error> {
        if self.process.attached {
            return self.remote_profile("reset");
        }
        self.profiler
            .profile
            .as_mut()
            .ok_or_else(profiling_off)?
            .reset();
        Ok(())
    }

    /// Sends `monitor profile SWITCH` to the stub (`on exit`: with the counts sent when the
    /// program ends); what it says unless it says it did so.
    fn remote_profile(&mut self, switch: &str) -> Result<(), Error> {
        let switch = if switch == "on" { "on exit" } else { switch };
        let reply = self.monitor(&format!("profile {switch}"))?;
        if switch == "off" {
            self.profiler.profile = None;
        }
        match reply.starts_with("Profil") && !reply.contains("off;") {
            true => Ok(()),
            false => Err(Error::Remote(reply)),
        }
    }

    /// Keeps the counts a stub sent as its program ended (`profile on exit`), which outlive
    /// the session with it.
    pub(crate) fn keep_final_profile(&mut self) {
        let Some(target) = self.process.target.as_mut() else {
            return;
        };
        if let Ok(p) = runtime_core::debug::Profile::decode(&target.console()) {
            self.profiler.profile_time = Duration::from_nanos(p.time());
            self.profiler.profile = Some(p);
        }
    }

    /// Starts profiling from zero with `options`. The frames already running become the
    /// calling context the counts start in.
    pub fn start_profile(&mut self, options: ProfileOptions) -> Result<(), Error> {
        let level = self.debug.limits.debug_level;
        if level < runtime_core::limits::DebugLevel::BasicProfile {
            return Err(Error::Unsupported(format!(
                "profiling needs debug level profile or full; this session is at {level}"
            )));
        }
        if self.process.attached {
            return Err(Error::Unsupported(
                "A remote program counts on its stub, by function: `profile on` starts it.".into(),
            ));
        }
        let mut p = runtime_core::debug::Profile::new(CONTEXTS);
        if options.lines {
            p = p.with_lines(self.call_sites());
        }
        self.profiler.profile_clock = None;
        if let Some(interval) = options.interval {
            let last = Rc::new(Cell::new(Instant::now()));
            self.profiler.profile_clock = Some(last.clone());
            p = p.with_clock(Box::new(move || {
                let now = Instant::now();
                let elapsed = now.duration_since(last.get());
                (elapsed >= interval).then(|| {
                    last.set(now);
                    elapsed.as_nanos() as u64
                })
            }));
        }
        p.descend_frames(self.wasm_frames().iter().copied());
        self.profiler.profile = Some(p);
        self.profiler.profile_time = Duration::ZERO;
        Ok(())
    }

    /// Marks a resume for the profile's clock: time stopped is not the program's.
    pub(crate) fn profile_resuming(&self) -> Instant {
        let now = Instant::now();
        if let Some(last) = &self.profiler.profile_clock {
            last.set(now);
        }
        now
    }

    /// Ends a resume that began at `started` for the profile: its time counts as the
    /// profile's, and the time since the last sample is shared out, so a stop ends a sample.
    pub(crate) fn profile_stopped(&mut self, started: Instant) {
        let now = Instant::now();
        if let Some(p) = &mut self.profiler.profile {
            self.profiler.profile_time += now.duration_since(started);
            if let Some(last) = &self.profiler.profile_clock {
                p.sample(now.duration_since(last.get()).as_nanos() as u64);
            }
        }
    }

    /// For each function, for each pc, the pc that stands for its call site: the first call
    /// instruction of the function on the same source line (inlined frames and all).
    fn call_sites(&self) -> Vec<Vec<u32>> {
        (0..self.image.module.num_funcs())
            .map(|f| {
                let Some(body) = self.image.module.body(f) else {
                    return Vec::new();
                };
                let mut seen: Vec<(Vec<Place>, u32)> = Vec::new();
                (0..body.len() as u32)
                    .map(|pc| {
                        let call = matches!(
                            body.original(pc),
                            Some(Instr::Call { .. } | Instr::CallIndirect { .. })
                        );
                        let Some(at) = self.operator_addr(f, pc).filter(|_| call) else {
                            return pc;
                        };
                        let chain: Vec<_> = (self.image.dwarf.frames(at).unwrap_or_default())
                            .into_iter()
                            .map(|f| {
                                let (file, line) = f.loc.map_or((None, 0), |l| (l.file, l.line));
                                (f.function, file, line)
                            })
                            .collect();
                        match seen.iter().find(|(c, _)| *c == chain) {
                            Some(&(_, first)) => first,
                            None => {
                                seen.push((chain, pc));
                                pc
                            }
                        }
                    })
                    .collect()
            })
            .collect()
    }

    /// Runs `f` on the profile counted so far: this session's, or a running remote program's,
    /// fetched from its stub (`monitor profile tree`), with the time it ran while profiled.
    fn with_counted<T>(
        &mut self,
        f: impl FnOnce(&Session, &runtime_core::debug::Profile, Duration) -> T,
    ) -> Result<T, Error> {
        if !self.process.attached || self.process.target.is_none() {
            let p = self.profiler.profile.as_ref().ok_or_else(profiling_off)?;
            return Ok(f(self, p, self.profiler.profile_time));
        }
        let text = self.monitor("profile tree")?;
        if !text.starts_with("contexts") {
            return Err(Error::Remote(text));
        }
        let p = runtime_core::debug::Profile::decode(&text)
            .map_err(|e| Error::Remote(format!("the stub's profile does not read: {e}")))?;
        let elapsed = Duration::from_nanos(p.time());
        Ok(f(self, &p, elapsed))
    }

    /// The top `n` functions of the profile.
    pub(crate) fn profile_report(&mut self, n: usize) -> Result<Profile, Error> {
        self.with_counted(|s, p, _| Profile {
            entries: p
                .top(n)
                .iter()
                .map(|c| ProfileEntry {
                    function: s.function_name(c.func),
                    instructions: c.instructions,
                    calls: c.calls,
                })
                .collect(),
            total: p.total(),
        })
    }

    /// The profile so far as a call tree of functions, or of source lines (which needs a
    /// local profile started with [`ProfileOptions::lines`]).
    pub fn call_tree(&mut self, by: By) -> Result<CallTree, Error> {
        let tree = self.with_counted(|s, p, elapsed| {
            (by == By::Function || p.has_lines())
                .then(|| crate::profile::tree::build(s, p, by, elapsed))
        })?;
        tree.ok_or_else(|| {
            Error::Unsupported(
                "A profile by line counts instructions by pc from its start; this one counts by function."
                    .into(),
            )
        })
    }

    /// Writes the profile so far to `path` in `format`, by function or `by` line.
    pub fn save_profile(&mut self, path: &Path, format: Format, by: By) -> Result<(), Error> {
        let tree = self.call_tree(by)?;
        let ending = match &self.process.state {
            State::Exited(code) => Ending::Exited(*code),
            State::Trapped(t) => Ending::Trapped(t.to_string()),
            _ => Ending::Running,
        };
        let argv = &self.process.program.args;
        let module = argv.first().map_or("module", String::as_str);
        let p = Profiled {
            module,
            argv,
            tree: &tree,
            ending: &ending,
            interval: SAMPLE_INTERVAL,
            top: 20,
        };
        let written = std::fs::File::create(path)
            .and_then(|f| format::write(&p, format, &mut std::io::BufWriter::new(f)));
        written.map_err(|e| Error::File(format!("cannot write {}: {e}", path.display())))
    }

    /// A function's source name (from DWARF at its entry, as a backtrace names it), else the
    /// module's name for it.
    pub fn function_name(&self, func: u32) -> String {
        if func == runtime_core::debug::profile::NO_FUNC {
            return "[other]".into();
        }
        let Some(addr) = self.addr_of(func, 0) else {
            return self.func_label(func);
        };
        let outer = self.image.dwarf.frames(addr).ok().and_then(|mut f| f.pop());
        outer
            .and_then(|f| f.display.or(f.function))
            .or_else(|| {
                self.image
                    .dwarf
                    .function_at(addr)
                    .map(|f| f.qualified.clone())
            })
            .unwrap_or_else(|| self.func_label(func))
    }
}

impl crate::profile::tree::Symbols for Session {
    fn addr_of(&self, func: u32, pc: u32) -> Option<u64> {
        Session::addr_of(self, func, pc)
    }
    fn operator_addr(&self, func: u32, pc: u32) -> Option<u64> {
        Session::operator_addr(self, func, pc)
    }
    fn dwarf(&self) -> &crate::dwarf::DwarfInfo {
        Session::dwarf(self)
    }
    fn function_name(&self, func: u32) -> String {
        Session::function_name(self, func)
    }
}
