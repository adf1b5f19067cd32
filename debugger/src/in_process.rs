//! The local target: the program runs in this process, on the runtime core's interpreter, as a
//! [`Debuggee`]. Breakpoints are patched into the code, so a full-speed run pays nothing for them;
//! only the stepping test and watchpoints hook each instruction or access.

use std::cell::RefCell;
use std::io::Write;
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, Ordering};

use runtime_core::debug::{Checks, DebugSession, Debuggee, Resumed, WatchKind};
use runtime_core::limits::PlatformLimits;
use runtime_core::wasi::{self, WasiCtx};
use runtime_core::{Extern, Frame, Linker, Module, Outcome, Store, Trap};

use crate::error::Error;
use crate::target::{Event, Run, Target, Verdict};

/// What the program was given to run with.
#[derive(Clone, Default)]
pub struct Program {
    /// argv, the program name first.
    pub args: Vec<String>,
    /// `KEY=VALUE` environment.
    pub env: Vec<String>,
    /// Preopened directories: host path and guest name.
    pub dirs: Vec<(std::path::PathBuf, String)>,
    /// Where the program's stdout and stderr go; the host's stdout when `None`.
    pub output: Option<SharedOutput>,
    /// Where the program's stderr goes when not with its stdout in `output`.
    pub errors: Option<SharedOutput>,
}

/// A writer shared between the front-end and each run of the program.
#[derive(Clone)]
pub struct SharedOutput(pub Rc<RefCell<dyn Write>>);

impl Write for SharedOutput {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.borrow_mut().write(buf)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.0.borrow_mut().flush()
    }
}

/// A program instantiated in this process.
pub struct Local {
    program: Debuggee,
    wasi: Rc<RefCell<WasiCtx>>,
    /// The thread's frames in module terms, refreshed at every stop.
    frames: Vec<Frame>,
}

impl Local {
    /// Instantiates `module` with WASI as program `p` says, stopped before its first instruction.
    pub fn start(
        module: &Rc<Module>,
        limits: &PlatformLimits,
        p: &Program,
    ) -> Result<Local, Error> {
        let mut store = Store::new(limits.store_config());
        let mut linker = Linker::new();
        let mut ctx = match &p.output {
            Some(out) => WasiCtx::with_stdio(
                p.args.clone(),
                p.env.clone(),
                Box::new(std::io::empty()),
                Box::new(out.clone()),
                Box::new(p.errors.as_ref().unwrap_or(out).clone()),
            ),
            None => WasiCtx::new(p.args.clone(), p.env.clone()),
        };
        ctx.limit_open_files(limits.max_open_files);
        for (host, guest) in &p.dirs {
            ctx.preopen(host, guest)
                .map_err(|e| Error::File(format!("cannot preopen {}: {e}", host.display())))?;
        }
        let wasi = Rc::new(RefCell::new(ctx));
        wasi::link(&mut store, &mut linker, module, wasi.clone())?;
        let instance = linker.instantiate(&mut store, module.clone())?;
        let entry = match store.instance(instance).export("_start") {
            Some(Extern::Func(f)) => f,
            _ => {
                return Err(Error::Module(
                    "the module exports no `_start` function".into(),
                ));
            }
        };
        let mut local = Local {
            program: Debuggee::start(store, module, instance, entry)?,
            wasi,
            frames: Vec::new(),
        };
        local.refresh();
        Ok(local)
    }

    fn refresh(&mut self) {
        self.frames.clear();
        self.frames.extend(self.program.frames());
    }

    fn event(&self, debug: &mut DebugSession, resumed: Resumed, interrupt: &AtomicBool) -> Event {
        match resumed.outcome {
            Ok(Outcome::Finished) => Event::Exited(0),
            Err(Trap::Exit(code)) => Event::Exited(code),
            Err(t) => Event::Trap(t),
            Ok(Outcome::Paused) if interrupt.swap(false, Ordering::Relaxed) => Event::Interrupted,
            Ok(Outcome::Paused) => Event::Stepped,
            Ok(Outcome::Breakpoint(id)) => {
                debug.breakpoints.hit(id);
                match self.program.site_of(debug, id) {
                    Some((func, pc)) => Event::Breakpoint(func, pc),
                    None => Event::Stepped,
                }
            }
            Ok(Outcome::Watchpoint) => match resumed.watch {
                Some((index, write)) => Event::Watch { index, write },
                None => Event::Stepped,
            },
        }
    }
}

impl Target for Local {
    fn frames(&self) -> &[Frame] {
        &self.frames
    }

    fn local(&self, frame: usize, index: u32) -> Result<Option<u64>, Error> {
        Ok(self
            .program
            .local(frame, index as usize)
            .map(|(raw, _)| raw))
    }

    fn global(&self, index: u32) -> Result<Option<u64>, Error> {
        Ok(self.program.global(index).map(|v| v.to_raw()))
    }

    fn set_local(&mut self, frame: usize, index: u32, raw: u64) -> Result<(), Error> {
        self.program
            .set_local(frame, index as usize, raw)
            .ok_or_else(|| Error::no_local(frame, index))
    }

    fn stack(&self, frame: usize, index: u32) -> Result<Option<u64>, Error> {
        Ok(self.program.stack_slot(frame, index as usize))
    }

    fn operands(&self, frame: usize) -> Result<Option<Vec<u64>>, Error> {
        Ok(self.program.operands(frame))
    }

    fn memory(&self, addr: u64, len: usize) -> Result<Vec<u8>, Error> {
        let mem = self.program.memory().unwrap_or(&[]);
        let end = addr
            .checked_add(len as u64)
            .filter(|&e| e <= mem.len() as u64);
        end.map(|e| mem[addr as usize..e as usize].to_vec())
            .ok_or(Error::Memory {
                addr,
                len,
                size: mem.len() as u64,
            })
    }

    fn write_memory(&mut self, addr: u64, bytes: &[u8]) -> Result<(), Error> {
        let mem = self.program.memory_mut().unwrap_or(&mut []);
        let size = mem.len() as u64;
        let end = addr.checked_add(bytes.len() as u64).filter(|&e| e <= size);
        match end {
            Some(e) => {
                mem[addr as usize..e as usize].copy_from_slice(bytes);
                Ok(())
            }
            None => Err(Error::Memory {
                addr,
                len: bytes.len(),
                size,
            }),
        }
    }

    fn arm(&mut self, debug: &mut DebugSession, site: (u32, u32)) -> Result<(), Error> {
        Ok(self.program.arm(debug, site.0, site.1)?)
    }

    fn disarm(&mut self, debug: &mut DebugSession, site: (u32, u32)) -> Result<(), Error> {
        self.program.disarm(debug, site.0, site.1);
        Ok(())
    }

    fn watch(&mut self, _: u64, _: u64, _: WatchKind, _: bool) -> Result<(), Error> {
        Ok(())
    }

    fn resume(&mut self, debug: &mut DebugSession, run: Run<'_>) -> Result<Event, Error> {
        if self.frames.is_empty() {
            return Err(Error::NotRunning);
        }
        run.executed.store(0, Ordering::Relaxed);
        // A `Verdict::Return(depth)`: nothing stops deeper than `depth` until the stack is back.
        let mut until = None;
        let mut test = run.test;
        let step = test.as_mut().map(|test| {
            move |f: &Frame, depth: usize| {
                if let Some(d) = until {
                    if depth > d {
                        return true;
                    }
                    until = None;
                }
                match test(f, depth) {
                    Verdict::Go => true,
                    Verdict::Stop => false,
                    Verdict::Return(d) => {
                        until = Some(d);
                        true
                    }
                }
            }
        });
        let (interrupt, executed) = (run.interrupt, run.executed);
        let poll =
            (step.is_some() || !run.watches.is_empty() || run.interruptible).then_some(|n: u64| {
                executed.store(n, Ordering::Relaxed);
                interrupt.load(Ordering::Relaxed)
            });
        let checks = Checks {
            step,
            watches: run.watches,
            profile: run.profile,
            poll,
        };
        let resumed = self.program.resume(debug, checks);
        self.refresh();
        Ok(self.event(debug, resumed, interrupt))
    }

    fn monitor(&mut self, _: &str) -> Result<String, Error> {
        Err(Error::Unsupported(
            "`monitor` talks to a remote target; this program runs here.".into(),
        ))
    }

    fn detach(&mut self) -> Result<(), Error> {
        Err(Error::Unsupported(
            "A program running here has no server to be left to; `kill` ends it.".into(),
        ))
    }

    fn kill(&mut self) {
        self.wasi.borrow_mut().flush();
    }
}
