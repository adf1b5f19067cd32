//! Profiling a local program: a calling-context profile of its instructions, calls and time
//! samples while it runs, resolved against the DWARF into a call tree of functions or lines.

mod totals;
mod tree;

use std::cell::Cell;
use std::rc::Rc;
use std::time::{Duration, Instant};

pub use totals::{CallEdge, FrameTotals};
pub use tree::{By, CallNode, CallTree, ProfileFrame};

use runtime_core::instr::Instr;

use crate::error::Error;
use crate::report::{Profile, ProfileEntry};
use crate::session::Session;

/// One frame of a call site, as call sites are told apart: function, file and line.
type Place = (Option<String>, Option<String>, u32);

/// Calling contexts a local profile tells apart; the rest count together as `[other]`.
pub const CONTEXTS: usize = 1 << 16;

/// What a profile counts beside instructions and calls per calling context.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ProfileOptions {
    /// Count every instruction by its pc too, so the profile resolves to source lines (a
    /// little slower: one more count at every transfer of control).
    pub lines: bool,
    /// Take a time sample every `interval` of running; none without one.
    pub interval: Option<Duration>,
}

impl Session {
    /// Turns the profiling counters on (from zero) or off; they need debug level `profile`.
    pub fn set_profiling(&mut self, on: bool) -> Result<(), Error> {
        match on {
            true => self.start_profile(ProfileOptions::default()),
            false => {
                self.profile = None;
                Ok(())
            }
        }
    }

    /// Starts profiling from zero with `options`. The frames already running become the
    /// calling context the counts start in.
    pub fn start_profile(&mut self, options: ProfileOptions) -> Result<(), Error> {
        let level = self.debug.limits.debug_level;
        if level < runtime_core::limits::DebugLevel::BasicProfile {
            return Err(Error::Usage(format!(
                "profiling needs debug level profile or full; this session is at {level}"
            )));
        }
        if self.attached {
            return Err(Error::Usage(
                "A remote program profiles itself: `monitor profile on` starts it counting, `monitor profile` shows the counts.".into(),
            ));
        }
        let mut p = runtime_core::debug::Profile::new(CONTEXTS);
        if options.lines {
            p = p.with_lines(self.call_sites());
        }
        self.profile_clock = None;
        if let Some(interval) = options.interval {
            let last = Rc::new(Cell::new(Instant::now()));
            self.profile_clock = Some(last.clone());
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
        self.profile = Some(p);
        self.profile_time = Duration::ZERO;
        Ok(())
    }

    /// Marks a resume for the profile's clock: time stopped is not the program's.
    pub(crate) fn profile_resuming(&self) -> Instant {
        let now = Instant::now();
        if let Some(last) = &self.profile_clock {
            last.set(now);
        }
        now
    }

    /// Ends a resume that began at `started` for the profile: its time counts as the
    /// profile's, and the time since the last sample is shared out, so a stop ends a sample.
    pub(crate) fn profile_stopped(&mut self, started: Instant) {
        if let Some(p) = &mut self.profile {
            self.profile_time += started.elapsed();
            if let Some(last) = &self.profile_clock {
                p.sample(last.get().elapsed().as_nanos() as u64);
            }
        }
    }

    /// For each function, for each pc, the pc that stands for its call site: the first call
    /// instruction of the function on the same source line (inlined frames and all).
    fn call_sites(&self) -> Vec<Vec<u32>> {
        (0..self.module.num_funcs())
            .map(|f| {
                let Some(body) = self.module.body(f) else {
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
                        let chain: Vec<_> = (self.dwarf.frames(at).unwrap_or_default())
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

    /// The top `n` functions of the profile.
    pub(crate) fn profile_report(&self, n: usize) -> Result<Profile, Error> {
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

    /// The profile so far as a call tree of functions, or of source lines (which needs a
    /// profile started with [`ProfileOptions::lines`]).
    pub fn call_tree(&self, by: By) -> Result<CallTree, Error> {
        let p = self.profile.as_ref().ok_or_else(profiling_off)?;
        if by == By::Line && !p.has_lines() {
            return Err(Error::Usage(
                "A profile by line counts instructions by pc from its start; this one does not."
                    .into(),
            ));
        }
        Ok(tree::build(self, p, by))
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
        let outer = self.dwarf.frames(addr).ok().and_then(|mut f| f.pop());
        outer
            .and_then(|f| f.display.or(f.function))
            .or_else(|| self.dwarf.function_at(addr).map(|f| f.qualified.clone()))
            .unwrap_or_else(|| self.func_label(func))
    }
}

/// The error for a profile asked of a session that is not profiling.
pub(crate) fn profiling_off() -> Error {
    Error::Usage("Profiling is off; `profile on` starts it.".into())
}
