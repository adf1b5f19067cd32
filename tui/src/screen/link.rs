//! The link to a remote target as the screen keeps it: timed now and then while the program is
//! stopped (so a dropped link is noticed), and made again by `reconnect`, the session's
//! breakpoints and watchpoints set again in the new one.

use std::time::{Duration, Instant};

use debugger::location::Location;
use debugger::report::BreakpointKind;
use debugger::request::{Request, WatchTarget};

use super::model::{Model, Pending};

/// How often a stopped remote target's link is timed (and so found lost).
const PING_EVERY: Duration = Duration::from_secs(2);

impl Model {
    /// Times the link (a local program answers at once that it has none).
    pub(super) fn ping(&mut self) {
        self.pinged = Some(Instant::now());
        self.ask(Request::Link, Pending::Link);
    }

    /// Times the link of a stopped remote target when it was last timed [`PING_EVERY`] ago.
    pub(super) fn ping_when_due(&mut self) {
        let due = self.pinged.is_none_or(|t| t.elapsed() >= PING_EVERY);
        let remote = self.link.as_ref().is_some_and(|l| l.remote);
        if remote && due && self.link_lost.is_none() && !self.busy() {
            self.ping();
        }
    }

    /// Connects to the remote target again after its link dropped: a new engine, the program
    /// shown where the server kept it.
    pub fn reconnect(&mut self) {
        let Some(connect) = &self.reconnect else {
            return self.push_log("Only an attached session can reconnect.".into());
        };
        match connect() {
            Ok(engine) => {
                self.engine = engine;
                self.pending.clear();
                self.restore_breakpoints();
                self.running = None;
                self.link_lost = None;
                self.stop = None;
                self.message = Some("reconnected".into());
                self.push_log("Reconnected.".into());
                self.start();
                self.refresh();
            }
            Err(e) => {
                self.message = Some(format!("reconnect failed: {e}"));
                self.push_log(format!("Cannot reconnect: {e}"));
            }
        }
    }

    /// Sets the breakpoints and watchpoints of the lost session again in the new one, in order.
    fn restore_breakpoints(&mut self) {
        for b in std::mem::take(&mut self.breakpoints) {
            let req = match b.kind {
                BreakpointKind::Breakpoint { location, .. } => match Location::parse(&location) {
                    Ok(location) => Request::Break {
                        location: Some(location),
                        condition: b.condition,
                        temporary: b.temporary,
                        frame: None,
                    },
                    Err(e) => {
                        self.push_log(format!("Cannot restore breakpoint {}: {e}", b.number));
                        continue;
                    }
                },
                BreakpointKind::Watchpoint {
                    access, addr, len, ..
                } => Request::Watch {
                    target: WatchTarget::Address { addr, len },
                    kind: access,
                },
            };
            let why = Pending::Restored { enabled: b.enabled };
            self.ask(req, why);
        }
    }
}
