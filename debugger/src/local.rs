//! The local target: the program runs in this process, on the runtime core's interpreter.
//! Breakpoints are patched into the code, so a full-speed run pays nothing for them; only the
//! stepping test and watchpoints hook each instruction or access.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use runtime_core::debug::{DebugSession, WatchKind, tripped};
use runtime_core::limits::PlatformLimits;
use runtime_core::wasi::{self, WasiCtx};
use runtime_core::{Extern, Frame, Hook, Linker, Module, Outcome, Store, Thread, Trap};

use crate::error::Error;
use crate::session::Program;
use crate::target::{Event, Run, Target, Test, Verdict};

/// A program instantiated in this process.
pub struct Local {
    store: Store,
    thread: Thread,
    instance: u32,
    wasi: Rc<RefCell<WasiCtx>>,
    /// Module function index of each store function address.
    index: Vec<u32>,
    /// The thread's frames in module terms, refreshed at every stop.
    frames: Vec<Frame>,
    /// Armed sites (module function index, pc) to their breakpoint table id.
    armed: HashMap<(u32, u32), u32>,
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
                .map_err(|e| Error::Usage(format!("cannot preopen {}: {e}", host.display())))?;
        }
        let wasi = Rc::new(RefCell::new(ctx));
        wasi::link(&mut store, &mut linker, module, wasi.clone())?;
        let instance = linker.instantiate(&mut store, module.clone())?;
        let entry = match store.instance(instance).export("_start") {
            Some(Extern::Func(f)) => f,
            _ => {
                return Err(Error::Usage(
                    "the module exports no `_start` function".into(),
                ));
            }
        };
        let mut thread = Thread::new(&store, entry, &[])?;
        thread.preallocate(&store);
        thread
            .start(&mut store)
            .map_err(runtime_core::Error::Trap)?;
        let mut index = Vec::new();
        for idx in 0..module.num_funcs() {
            if let Some(addr) = store.instance(instance).func_addr(idx) {
                if index.len() <= addr as usize {
                    index.resize(addr as usize + 1, u32::MAX);
                }
                index[addr as usize] = idx;
            }
        }
        let mut local = Local {
            store,
            thread,
            instance,
            wasi,
            index,
            frames: Vec::new(),
            armed: HashMap::new(),
        };
        local.refresh();
        Ok(local)
    }

    fn refresh(&mut self) {
        self.frames.clear();
        let index = &self.index;
        self.frames
            .extend(self.thread.frames().iter().map(|f| module_frame(index, f)));
    }

    /// Operand stack slot `index` of frame `frame` (see [`Target::stack`]).
    fn slot(&self, frame: usize, index: u32) -> Option<u64> {
        let frames = self.thread.frames();
        if frame + 1 == frames.len() {
            let f = frames[frame];
            let locals = self.store.func_body(f.func)?.locals.len();
            return self.thread.slot(f.fp as usize + locals + index as usize);
        }
        self.thread
            .operands(&self.store, frame)
            .get(index as usize)
            .copied()
    }

    fn memory_data(&self) -> Option<&[u8]> {
        let m = self.store.instance(self.instance).memory_addr()?;
        Some(&self.store.memory(m).data)
    }

    fn store_addr(&self, func: u32) -> Option<u32> {
        self.store.instance(self.instance).func_addr(func)
    }

    fn event(&self, debug: &mut DebugSession, out: Result<Outcome, Trap>, run: &Run<'_>) -> Event {
        match out {
            Ok(Outcome::Finished) => Event::Exited(0),
            Err(Trap::Exit(code)) => Event::Exited(code),
            Err(t) => Event::Trap(t),
            Ok(Outcome::Paused) if run.interrupt.swap(false, Ordering::Relaxed) => {
                Event::Interrupted
            }
            Ok(Outcome::Paused) => Event::Stepped,
            Ok(Outcome::Breakpoint(id)) => {
                debug.breakpoints.hit(id);
                match debug.breakpoints.get(id) {
                    Some(bp) => Event::Breakpoint(self.index[bp.func as usize], bp.pc),
                    None => Event::Stepped,
                }
            }
            Ok(Outcome::Watchpoint) => Event::Stepped,
        }
    }
}

/// A runtime frame with its function as the module's index.
fn module_frame(index: &[u32], f: &Frame) -> Frame {
    Frame {
        func: index.get(f.func as usize).copied().unwrap_or(u32::MAX),
        ..*f
    }
}

/// The hook of a resumed program: the optional stepping test, the watch ranges (checked only
/// when `WATCH`), and the interrupt flag, polled at backward branches and calls.
struct Monitor<'a, 'b, const STEP: bool, const WATCH: bool> {
    test: Option<&'a mut Test<'b>>,
    index: &'a [u32],
    /// Where execution stands when resumed: not a place to stop at.
    skip: Option<(u32, u32, usize)>,
    /// Stepping over a call: nothing stops deeper than this.
    until: Option<usize>,
    watches: &'a [(u64, u64, WatchKind)],
    hit: Option<(usize, bool)>,
    interrupt: &'a AtomicBool,
    executed: &'a AtomicU64,
}

impl<const STEP: bool, const WATCH: bool> Hook for Monitor<'_, '_, STEP, WATCH> {
    const ACTIVE: bool = STEP;
    const WATCH: bool = WATCH;
    const POLL: bool = true;
    fn poll(&mut self, executed: u64) -> bool {
        self.executed.store(executed, Ordering::Relaxed);
        self.interrupt.load(Ordering::Relaxed)
    }
    fn before(&mut self, frame: &Frame, depth: usize) -> bool {
        if self.skip.take() == Some((frame.func, frame.pc, depth)) {
            return true;
        }
        if let Some(d) = self.until {
            if depth > d {
                return true;
            }
            self.until = None;
        }
        let Some(test) = self.test.as_mut() else {
            return true;
        };
        match test(&module_frame(self.index, frame), depth) {
            Verdict::Go => true,
            Verdict::Stop => false,
            Verdict::Return(d) => {
                self.until = Some(d);
                true
            }
        }
    }
    fn access(&mut self, addr: u64, len: u64, write: bool) -> bool {
        let hit = tripped(self.watches, addr, len, write);
        if let Some(i) = hit {
            self.hit = Some((i, write));
        }
        hit.is_some()
    }
}

impl Target for Local {
    fn frames(&self) -> &[Frame] {
        &self.frames
    }

    fn local(&self, frame: usize, index: u32) -> Result<Option<u64>, Error> {
        Ok(self
            .thread
            .locals(&self.store, frame)
            .get(index as usize)
            .copied())
    }

    fn global(&self, index: u32) -> Result<Option<u64>, Error> {
        let addr = self.store.instance(self.instance).global_addr(index);
        Ok(addr.map(|a| self.store.global(a).to_raw()))
    }

    fn stack(&self, frame: usize, index: u32) -> Result<Option<u64>, Error> {
        Ok(self.slot(frame, index))
    }

    fn operands(&self, frame: usize) -> Result<Option<Vec<u64>>, Error> {
        Ok((frame < self.thread.frames().len())
            .then(|| self.thread.operands(&self.store, frame).to_vec()))
    }

    fn memory(&self, addr: u64, len: usize) -> Result<Vec<u8>, Error> {
        let mem = self.memory_data().unwrap_or(&[]);
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

    fn arm(&mut self, debug: &mut DebugSession, site: (u32, u32)) -> Result<(), Error> {
        let func = self
            .store_addr(site.0)
            .ok_or(runtime_core::Error::NoSuchCode {
                func: site.0,
                pc: site.1,
            })?;
        let id = debug
            .breakpoints
            .arm(&mut self.store, func, site.1, &debug.limits)?;
        self.armed.insert(site, id);
        Ok(())
    }

    fn disarm(&mut self, debug: &mut DebugSession, site: (u32, u32)) -> Result<(), Error> {
        if let Some(id) = self.armed.remove(&site) {
            debug.breakpoints.disarm(&mut self.store, id);
        }
        Ok(())
    }

    fn watch(&mut self, _: u64, _: u64, _: WatchKind, _: bool) -> Result<(), Error> {
        Ok(())
    }

    fn resume(&mut self, debug: &mut DebugSession, run: Run<'_>) -> Result<Event, Error> {
        let mut run = run;
        run.executed.store(0, Ordering::Relaxed);
        // The hook sees runtime frames (store addresses): the place to skip is one of those.
        let here = *self.thread.frames().last().ok_or(Error::NotRunning)?;
        let top = module_frame(&self.index, &here);
        let marker = self.armed.get(&(top.func, top.pc)).copied();
        let skip = marker
            .is_none()
            .then_some((here.func, here.pc, self.thread.frames().len()));
        // Move off a breakpoint marker the thread stands on, watching what that instruction
        // touches as the rest of the run will.
        let mut hit = None;
        let out = match marker {
            Some(id) => {
                let mut m = Monitor::<false, true> {
                    test: None,
                    index: &self.index,
                    skip: None,
                    until: None,
                    watches: run.watches,
                    hit: None,
                    interrupt: run.interrupt,
                    executed: run.executed,
                };
                let out =
                    debug
                        .breakpoints
                        .step_over(&mut self.store, &mut self.thread, id, &mut m);
                hit = m.hit;
                out
            }
            None => Ok(Outcome::Paused),
        };
        let out = match out {
            Ok(Outcome::Paused) => {
                let (store, thread) = (&mut self.store, &mut self.thread);
                let stepping = run.test.is_some();
                macro_rules! monitored {
                    ($step:literal, $watch:literal) => {{
                        let mut m = Monitor::<$step, $watch> {
                            test: run.test.as_mut(),
                            index: &self.index,
                            skip,
                            until: None,
                            watches: run.watches,
                            hit: None,
                            interrupt: run.interrupt,
                            executed: run.executed,
                        };
                        let out = thread.run_with_hook(store, &mut m);
                        hit = m.hit;
                        out
                    }};
                }
                match (stepping, run.watches.is_empty(), run.interruptible) {
                    (true, _, _) => monitored!(true, true),
                    (false, false, _) => monitored!(false, true),
                    (false, true, true) => monitored!(false, false),
                    (false, true, false) => thread.run(store),
                }
            }
            other => other,
        };
        self.refresh();
        if let (Ok(Outcome::Watchpoint), Some((index, write))) = (&out, hit) {
            return Ok(Event::Watch { index, write });
        }
        Ok(self.event(debug, out, &run))
    }

    fn monitor(&mut self, _: &str) -> Result<String, Error> {
        Err(Error::Usage(
            "`monitor` talks to a remote target; this program runs here.".into(),
        ))
    }

    fn detach(&mut self) -> Result<(), Error> {
        Err(Error::Usage(
            "A program running here has no server to be left to; `kill` ends it.".into(),
        ))
    }

    fn kill(&mut self) {
        self.wasi.borrow_mut().flush();
    }
}
