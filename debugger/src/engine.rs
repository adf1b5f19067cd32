//! The engine as a service: a [`Session`] owned by a worker thread, driven by [`Request`]s (each
//! with an id) from any thread, reporting on a bounded channel of [`Event`]s. A front-end never
//! blocks on the program: while it runs, requests are refused with [`Error::Running`] and
//! [`Interrupter::interrupt`] stops it from any thread.
//!
//! The session is built on the worker (by the closure given to [`Engine::spawn`]) and never
//! leaves it: the interpreter patches breakpoints into shared code cells, so a module and its
//! store belong to one thread. Only requests, events and the interrupt flag cross threads.

use std::io::Write;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{self, Receiver, Sender, SyncSender};
use std::thread::JoinHandle;
use std::time::Duration;

use crate::command::Serve;
use crate::error::Error;
use crate::report::{Stop, StopReason};
use crate::request::{Request, Response};
use crate::session::{Session, SharedOutput};

/// Events held before the worker waits for the front-end to take them: the bound on what a
/// slow front-end costs, and the back-pressure that keeps program output lossless.
pub const EVENT_CAPACITY: usize = 256;

/// The worker's stack: room for expressions nested to the evaluator's limit and for DWARF
/// walks, in unoptimised builds too (a main thread has 8 MiB).
const WORKER_STACK: usize = 16 << 20;

/// Which output stream of the program.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stream {
    /// Its stdout.
    Stdout,
    /// Its stderr.
    Stderr,
}

/// What the engine reports.
#[derive(Debug)]
pub enum Event {
    /// The answer to request `id`.
    Reply {
        /// The request's id, as [`Engine::send`] returned it.
        id: u64,
        /// What it answered.
        response: Response,
    },
    /// Request `id` failed.
    Error {
        /// The request's id.
        id: u64,
        /// Why.
        error: Error,
    },
    /// The program runs (a resuming request was taken).
    Running,
    /// The program stopped (or was killed or left); the request's reply follows.
    Stopped(Stop),
    /// The program wrote to one of its output streams: every byte, in order.
    Output {
        /// Which stream.
        stream: Stream,
        /// What it wrote.
        bytes: Vec<u8>,
    },
    /// The program exited with this status; the request's reply follows.
    Exited(i32),
    /// A breakpoint or watchpoint was set, deleted or changed (a hit count, a temporary gone).
    BreakpointsChanged,
    /// A bounded debug table refused a record; the request's error follows.
    TableFull {
        /// The limit sizing the table.
        table: &'static str,
        /// Records it holds.
        capacity: u64,
    },
}

/// Stops the running program, from any thread.
#[derive(Debug, Clone)]
pub struct Interrupter {
    flag: Arc<AtomicBool>,
    running: Arc<AtomicBool>,
}

impl Interrupter {
    /// Asks the running program to stop; it reports [`StopReason::Interrupt`]. Nothing happens
    /// when it is not running.
    pub fn interrupt(&self) {
        if self.running.load(Ordering::SeqCst) {
            self.flag.store(true, Ordering::SeqCst);
        }
    }

    /// Whether a resuming request is being served.
    pub fn is_running(&self) -> bool {
        self.running.load(Ordering::SeqCst)
    }
}

/// A session on a worker thread.
pub struct Engine {
    requests: Option<Sender<(u64, Request)>>,
    events: Receiver<Event>,
    interrupter: Interrupter,
    executed: Arc<AtomicU64>,
    next_id: u64,
    worker: Option<JoinHandle<()>>,
}

impl Engine {
    /// Starts a worker that opens its session with `open` and serves requests until the engine
    /// is dropped (the program is killed then). The program's output arrives as
    /// [`Event::Output`]; an error from `open` is returned here.
    pub fn spawn<F>(open: F) -> Result<Engine, Error>
    where
        F: FnOnce() -> Result<Session, Error> + Send + 'static,
    {
        let (req_tx, req_rx) = mpsc::channel::<(u64, Request)>();
        let (ev_tx, ev_rx) = mpsc::sync_channel(EVENT_CAPACITY);
        let (opened_tx, opened_rx) = mpsc::channel();
        let interrupter = Interrupter {
            flag: Arc::new(AtomicBool::new(false)),
            running: Arc::new(AtomicBool::new(false)),
        };
        let (flag, running) = (interrupter.flag.clone(), interrupter.running.clone());
        let worker = std::thread::Builder::new()
            .name("wrt-dbg engine".into())
            .stack_size(WORKER_STACK)
            .spawn(move || {
                let mut session = match open() {
                    Ok(s) => s,
                    Err(e) => {
                        let _ = opened_tx.send(Err(e));
                        return;
                    }
                };
                session.interrupt_with(flag);
                session.capture_output(
                    channel_output(&ev_tx, Stream::Stdout),
                    channel_output(&ev_tx, Stream::Stderr),
                );
                let _ = opened_tx.send(Ok(session.progress()));
                serve(session, &req_rx, &ev_tx, &running);
            })
            .map_err(|e| Error::Engine(format!("cannot start the engine thread: {e}")))?;
        let executed = match opened_rx.recv() {
            Ok(Ok(executed)) => executed,
            Ok(Err(e)) => return Err(e),
            Err(_) => {
                return Err(Error::Engine(
                    "the engine thread ended while opening".into(),
                ));
            }
        };
        Ok(Engine {
            requests: Some(req_tx),
            events: ev_rx,
            interrupter,
            executed,
            next_id: 1,
            worker: Some(worker),
        })
    }

    /// Queues a request; returns its id, which its [`Event::Reply`] or [`Event::Error`] carries.
    /// While the program runs, every request but [`Request::Kill`] is refused with
    /// [`Error::Running`] at once; a kill interrupts the run first.
    pub fn send(&mut self, req: Request) -> Result<u64, Error> {
        let running = &self.interrupter.running;
        if running.load(Ordering::SeqCst) {
            if req != Request::Kill {
                return Err(Error::Running);
            }
            self.interrupter.flag.store(true, Ordering::SeqCst);
        }
        if req.resumes() {
            running.store(true, Ordering::SeqCst);
        }
        let id = self.next_id;
        self.next_id += 1;
        let sent = self.requests.as_ref().map(|r| r.send((id, req)));
        if !matches!(sent, Some(Ok(()))) {
            running.store(false, Ordering::SeqCst);
            return Err(Error::Engine("the engine thread has ended".into()));
        }
        Ok(id)
    }

    /// The next event, waiting at most `timeout`; `None` when none came (or the worker ended).
    pub fn next_event(&self, timeout: Duration) -> Option<Event> {
        self.events.recv_timeout(timeout).ok()
    }

    /// The next event, waiting for it; `None` once the worker has ended.
    pub fn wait_event(&self) -> Option<Event> {
        self.events.recv().ok()
    }

    /// Instructions the program has run since it was last resumed, as last published while it
    /// runs (see [`Session::progress`]); 0 for a remote target.
    pub fn executed(&self) -> u64 {
        self.executed.load(Ordering::Relaxed)
    }

    /// A handle that stops the running program from any thread.
    pub fn interrupter(&self) -> Interrupter {
        self.interrupter.clone()
    }

    /// Sends a request and waits for its answer, handing every other event to `other` as it
    /// comes (program output, stops): what a line-by-line front-end does.
    pub fn call(&mut self, req: Request, other: &mut dyn FnMut(Event)) -> Result<Response, Error> {
        let id = self.send(req)?;
        loop {
            match self.wait_event() {
                Some(Event::Reply { id: i, response }) if i == id => return Ok(response),
                Some(Event::Error { id: i, error }) if i == id => return Err(error),
                Some(e) => other(e),
                None => return Err(Error::Engine("the engine thread has ended".into())),
            }
        }
    }
}

impl Drop for Engine {
    fn drop(&mut self) {
        self.interrupter.flag.store(true, Ordering::SeqCst);
        self.requests = None;
        // The worker may be blocked handing over an event: take them until it ends.
        while self.events.recv().is_ok() {}
        if let Some(w) = self.worker.take() {
            let _ = w.join();
        }
    }
}

/// A line front-end's engine: requests answered in turn, other events passed to `on_event`.
pub struct LineEngine<F: FnMut(Event)> {
    /// The engine.
    pub engine: Engine,
    /// What to do with program output and the other events.
    pub on_event: F,
}

impl<F: FnMut(Event)> Serve for LineEngine<F> {
    fn call(&mut self, req: Request) -> Result<Response, Error> {
        self.engine.call(req, &mut self.on_event)
    }
}

/// The worker's loop: one request at a time, its events, then its reply.
fn serve(
    mut session: Session,
    requests: &Receiver<(u64, Request)>,
    events: &SyncSender<Event>,
    running: &AtomicBool,
) {
    for (id, req) in requests {
        let resumes = req.resumes();
        if resumes && events.send(Event::Running).is_err() {
            break;
        }
        let mut changes = req.changes_breakpoints();
        let result = session.handle(req);
        if resumes {
            running.store(false, Ordering::SeqCst);
        }
        let mut out = Vec::new();
        if let Ok(Response::Stop(s)) = &result {
            // A run changes a breakpoint when it stops at one (its hits, a temporary gone).
            changes = matches!(
                s.reason,
                StopReason::Breakpoint { .. } | StopReason::Watchpoint { .. }
            );
        }
        match &result {
            Ok(Response::Stop(Stop {
                reason: StopReason::Exited { code },
                ..
            })) => out.push(Event::Exited(*code)),
            Ok(Response::Stop(s)) => out.push(Event::Stopped(s.clone())),
            Err(Error::TableFull {
                limit, capacity, ..
            }) => out.push(Event::TableFull {
                table: limit,
                capacity: *capacity,
            }),
            _ => {}
        }
        if changes && result.is_ok() {
            out.push(Event::BreakpointsChanged);
        }
        out.push(match result {
            Ok(response) => Event::Reply { id, response },
            Err(error) => Event::Error { id, error },
        });
        if out.into_iter().any(|e| events.send(e).is_err()) {
            break;
        }
    }
    session.kill();
}

/// A program output stream that becomes [`Event::Output`]s.
fn channel_output(events: &SyncSender<Event>, stream: Stream) -> SharedOutput {
    SharedOutput(std::rc::Rc::new(std::cell::RefCell::new(ChannelWriter {
        events: events.clone(),
        stream,
    })))
}

struct ChannelWriter {
    events: SyncSender<Event>,
    stream: Stream,
}

impl Write for ChannelWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let event = Event::Output {
            stream: self.stream,
            bytes: buf.to_vec(),
        };
        self.events
            .send(event)
            .map_err(|_| std::io::ErrorKind::BrokenPipe)?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

// A front-end moves the engine to its own thread and hands the interrupter to others.
const _: () = {
    const fn send<T: Send>() {}
    const fn sync<T: Sync>() {}
    send::<Engine>();
    send::<Request>();
    send::<Event>();
    sync::<Interrupter>();
};
