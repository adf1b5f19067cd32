//! The signals a debug session answers, on a thread of their own. SIGINT stops the running
//! program, as in gdb; SIGTERM and SIGHUP end the session. Each is noted for the front-end, which
//! ends the session (a batch script, the screen) or goes on (the prompt, which clears the note).
//! A signal that comes while an earlier one is still noted ends the process at once, and so does
//! SIGTERM or SIGHUP left unanswered for [`GRACE`]: whatever the engine is doing (a guest blocked
//! in a host call, a target that does not answer), the process ends.

use std::sync::atomic::{AtomicBool, AtomicI32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use debugger::engine::Interrupter;
use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};

/// How long the session has to end by itself after SIGTERM or SIGHUP.
pub const GRACE: Duration = Duration::from_secs(2);

/// The signals' note and the program they stop.
#[derive(Clone, Default)]
pub struct Signals {
    seen: Arc<AtomicBool>,
    last: Arc<AtomicI32>,
    target: Arc<Mutex<Option<Interrupter>>>,
}

impl Signals {
    /// Answers SIGINT, SIGTERM and SIGHUP from now on (the process keeps the default answers if
    /// the handlers cannot be installed).
    pub fn install() -> Signals {
        let signals = Signals::default();
        let Ok(mut incoming) = signal_hook::iterator::Signals::new([SIGINT, SIGTERM, SIGHUP])
        else {
            return signals;
        };
        let state = signals.clone();
        std::thread::spawn(move || {
            for signal in incoming.forever() {
                state.answer(signal);
            }
        });
        signals
    }

    /// Stops the program `interrupter` runs at each signal from now on.
    pub fn interrupts(&self, interrupter: Interrupter) {
        *self.target.lock().unwrap_or_else(|e| e.into_inner()) = Some(interrupter);
    }

    /// Whether a signal came since the note was last cleared.
    pub fn seen(&self) -> bool {
        self.seen.load(Ordering::SeqCst)
    }

    /// The note, for a front-end that polls it (the screen ends when it is set).
    pub fn flag(&self) -> Arc<AtomicBool> {
        self.seen.clone()
    }

    /// The exit status a shell gives a process the last signal ended (128 + its number).
    pub fn status(&self) -> u8 {
        (128 + self.last.load(Ordering::SeqCst)) as u8
    }

    /// Clears the note: the front-end has answered the signal and goes on.
    pub fn clear(&self) {
        self.seen.store(false, Ordering::SeqCst);
    }

    fn answer(&self, signal: i32) {
        let code = 128 + signal;
        self.last.store(signal, Ordering::SeqCst);
        if self.seen.swap(true, Ordering::SeqCst) {
            std::process::exit(code);
        }
        if let Some(i) = &*self.target.lock().unwrap_or_else(|e| e.into_inner()) {
            i.interrupt();
        }
        if signal != SIGINT {
            std::thread::spawn(move || {
                std::thread::sleep(GRACE);
                std::process::exit(code);
            });
        }
    }
}
