//! The session's stop reports: why the program stopped, its frame and line, and the displays.

use crate::error::Error;
use crate::report::{Stop, StopReason};
use crate::session::{Session, State};
use crate::step::{self, Resume};
use crate::stop::*;
use crate::value::Format;
use runtime_core::debug::WatchKind;
use runtime_core::limits::DebugLevel;

impl Session {
    /// Resumes `count` times (repeats end at any stop other than a finished step) and reports
    /// the last stop.
    pub(crate) fn run(&mut self, how: Resume, count: u32) -> Result<Stop, Error> {
        let mut stop = self.run_once(how.clone())?;
        for _ in 1..count {
            if self.state() != &State::Stopped || stop.reason != StopReason::Step {
                break;
            }
            stop = self.run_once(how.clone())?;
        }
        Ok(stop)
    }

    /// Resumes once and reports the stop, the value a `finish` returned kept in the history.
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
                    .points
                    .watches
                    .iter()
                    .find(|w| w.number == number)
                    .map_or(WatchKind::Write, |w| w.kind),
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
            step::Stop::WatchScope { number } => StopReason::WatchpointScope { number },
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
            let n = self.inspect.history.len() + 1;
            *value = Some(Box::new(self.printed(
                &format!("${n}"),
                v,
                Format::Natural,
            )?));
        }
        stop.displays = self.displays();
        Ok(stop)
    }
}
