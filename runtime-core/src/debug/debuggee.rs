//! One program under a debugger, whichever front drives it (the engine in this process, the stub
//! on a device): its thread, the map from the store's function addresses to the module's indices,
//! the breakpoint sites patched into its code, and resuming it with only the checks asked for. A
//! run with no stepping test, no watch and no profile runs the interpreter's full-speed loop,
//! with a poll about every [`crate::exec::POLL_PERIOD`] instructions.

use alloc::collections::BTreeMap;
use alloc::vec::Vec;

use super::{DebugSession, Profile, Spans, WatchKind, profile, tripped};
use crate::error::{Error, Trap};
use crate::exec::{Frame, Hook, Outcome, Thread};
use crate::module::Module;
use crate::store::Store;
use crate::value::{Val, ValType};

/// A program stopped under a debugger, and where its breakpoints are.
pub struct Debuggee {
    /// The store holding the instance.
    pub store: Store,
    /// The program's thread, stopped.
    pub thread: Thread,
    /// The instance under debug.
    pub instance: u32,
    /// Module function index of each store function address (`u32::MAX` for others).
    index: Vec<u32>,
    /// Armed sites, (module function index, pc), to their breakpoint table id.
    sites: BTreeMap<(u32, u32), u32>,
    /// Whether the program has not been resumed yet: its entry function's call is still to count.
    fresh: bool,
}

/// The code is the module's, shared with every later instance of it: a program ended with
/// breakpoints still armed puts back what they cover, so the next run starts from the module's
/// own code.
impl Drop for Debuggee {
    fn drop(&mut self) {
        for &(func, pc) in self.sites.keys() {
            if let Some(addr) = self.func_addr(func) {
                self.store.clear_break(addr, pc);
            }
        }
    }
}

/// What a resumed program is checked for; each check costs only when asked for.
pub struct Checks<'a, S, P> {
    /// The stepping test: the frame about to run (module terms) and the call depth; `false`
    /// stops before it. Not asked at the place the program stands when resumed.
    pub step: Option<S>,
    /// Watched ranges of linear memory: address, length and the accesses that stop.
    pub watches: &'a [(u64, u64, WatchKind)],
    /// Per-function counters (module indices) of the instructions run and calls made, while
    /// profiling; counted at calls and returns, so a profiled run needs no stepping test.
    pub profile: Option<&'a mut Profile>,
    /// Asked about every [`crate::exec::POLL_PERIOD`] instructions (at a taken branch or call)
    /// with the instructions run so far; `true` pauses.
    /// Without it (and nothing else to check) the run cannot be interrupted.
    pub poll: Option<P>,
}

/// How a resumed program stopped.
#[derive(Debug)]
pub struct Resumed {
    /// What the interpreter said.
    pub outcome: Result<Outcome, Trap>,
    /// For [`Outcome::Watchpoint`]: which watch of [`Checks::watches`], and whether it was a write.
    pub watch: Option<(usize, bool)>,
}

impl Debuggee {
    /// Starts `entry` (a store function address) of `instance`, an instance of `module`, stopped
    /// before its first instruction, its stacks allocated now.
    pub fn start(
        mut store: Store,
        module: &Module,
        instance: u32,
        entry: u32,
    ) -> Result<Debuggee, Error> {
        let mut thread = Thread::new(&store, entry, &[])?;
        thread.preallocate(&store);
        thread.start(&mut store)?;
        let mut index = Vec::new();
        for idx in 0..module.num_funcs() {
            if let Some(addr) = store.instance(instance).func_addr(idx) {
                if index.len() <= addr as usize {
                    index.resize(addr as usize + 1, u32::MAX);
                }
                index[addr as usize] = idx;
            }
        }
        Ok(Debuggee {
            store,
            thread,
            instance,
            index,
            sites: BTreeMap::new(),
            fresh: true,
        })
    }

    /// The store address of module function `func` in the instance.
    fn func_addr(&self, func: u32) -> Option<u32> {
        self.store.instance(self.instance).func_addr(func)
    }

    /// A runtime frame with its function as the module's index.
    pub fn module_frame(&self, f: &Frame) -> Frame {
        module_frame(&self.index, f)
    }

    /// The frames in module terms, outermost first.
    pub fn frames(&self) -> impl Iterator<Item = Frame> + '_ {
        self.thread.frames().iter().map(|f| self.module_frame(f))
    }

    /// Local `index` of frame `frame` (outermost 0): its raw bits and its type.
    pub fn local(&self, frame: usize, index: usize) -> Option<(u64, ValType)> {
        let f = self.thread.frames().get(frame)?;
        let ty = *self.store.func_body(f.func)?.locals.get(index)?;
        let raw = *self.thread.locals(&self.store, frame).get(index)?;
        Some((raw, ty))
    }

    /// Sets local `index` of frame `frame` (outermost 0) to the raw bits of a value of its type
    /// (the low 32 bits for `i32` and `f32`); `None` when there is no such local, or it holds a
    /// type a debugger does not assign (`v128`, a reference).
    pub fn set_local(&mut self, frame: usize, index: usize, raw: u64) -> Option<()> {
        let f = *self.thread.frames().get(frame)?;
        let raw = match *self.store.func_body(f.func)?.locals.get(index)? {
            ValType::I32 | ValType::F32 => raw & 0xffff_ffff,
            ValType::I64 | ValType::F64 => raw,
            _ => return None,
        };
        *self.thread.locals_mut(&self.store, frame).get_mut(index)? = raw;
        Some(())
    }

    /// Global `index` of the instance.
    pub fn global(&self, index: u32) -> Option<Val> {
        let addr = self.store.instance(self.instance).global_addr(index)?;
        Some(self.store.global(addr))
    }

    /// The operand stack of frame `frame` (outermost 0), bottom first, as raw bits.
    pub fn operands(&self, frame: usize) -> Option<Vec<u64>> {
        (frame < self.thread.frames().len()).then(|| self.thread.operands(&self.store, frame))
    }

    /// Operand stack slot `index` (from the bottom) of frame `frame` (outermost 0). For the
    /// innermost frame, slots past the operand stack's height read what was last left there: the
    /// results of a call just returned, which the code may already have dropped. Past the
    /// highest height its function's code reaches, nothing was ever put: there is no slot.
    pub fn stack_slot(&self, frame: usize, index: usize) -> Option<u64> {
        let frames = self.thread.frames();
        let operands = self.operands(frame)?;
        if frame + 1 == frames.len() && index >= operands.len() {
            let f = frames[frame];
            let body = self.store.func_body(f.func)?;
            if index >= body.max_height as usize {
                return None;
            }
            return self.thread.slot(f.fp as usize + body.locals.len() + index);
        }
        operands.get(index).copied()
    }

    /// The instance's linear memory, if it has one.
    pub fn memory(&self) -> Option<&[u8]> {
        let m = self.store.instance(self.instance).memory_addr()?;
        Some(&self.store.memory(m).data)
    }

    /// The instance's linear memory, to write, if it has one.
    pub fn memory_mut(&mut self) -> Option<&mut [u8]> {
        let m = self.store.instance(self.instance).memory_addr()?;
        Some(&mut self.store.memory_mut(m).data)
    }

    /// Patches a breakpoint into module function `func` at `pc`; a full table is an error naming
    /// its limit. Arming an armed site does nothing.
    pub fn arm(&mut self, debug: &mut DebugSession, func: u32, pc: u32) -> Result<(), Error> {
        if self.sites.contains_key(&(func, pc)) {
            return Ok(());
        }
        let addr = self.func_addr(func).ok_or(Error::NoSuchCode { func, pc })?;
        let id = debug
            .breakpoints
            .arm(&mut self.store, addr, pc, &debug.limits)?;
        self.sites.insert((func, pc), id);
        Ok(())
    }

    /// Removes the breakpoint at a site; `false` when none was there.
    pub fn disarm(&mut self, debug: &mut DebugSession, func: u32, pc: u32) -> bool {
        match self.sites.remove(&(func, pc)) {
            Some(id) => debug.breakpoints.disarm(&mut self.store, id).is_some(),
            None => false,
        }
    }

    /// Removes every breakpoint.
    pub fn disarm_all(&mut self, debug: &mut DebugSession) {
        for (_, id) in core::mem::take(&mut self.sites) {
            debug.breakpoints.disarm(&mut self.store, id);
        }
    }

    /// The site (module terms) of breakpoint `id`.
    pub fn site_of(&self, debug: &DebugSession, id: u32) -> Option<(u32, u32)> {
        let bp = debug.breakpoints.get(id)?;
        Some((*self.index.get(bp.func as usize)?, bp.pc))
    }

    /// Runs until a check, a breakpoint, a trap or the end stops the program. A thread standing
    /// on a breakpoint first executes the instruction under it, its accesses watched.
    pub fn resume<S, P>(&mut self, debug: &mut DebugSession, checks: Checks<'_, S, P>) -> Resumed
    where
        S: FnMut(&Frame, usize) -> bool,
        P: FnMut(u64) -> bool,
    {
        let Some(here) = self.thread.frames().last().copied() else {
            return Resumed {
                outcome: self.thread.run(&mut self.store),
                watch: None,
            };
        };
        let top = self.module_frame(&here);
        let depth = self.thread.frames().len();
        let mut checks = checks;
        if core::mem::take(&mut self.fresh)
            && let Some(p) = checks.profile.as_deref_mut()
        {
            p.restart();
            p.enter(top.func, profile::NO_SITE);
        }
        let stepping = checks.step.is_some();
        let profiling = checks.profile.is_some();
        let spans = checks.profile.as_ref().is_some_and(|p| p.has_lines());
        let mut c = Checker::<S, P, false, true, true, false> {
            step: checks.step,
            profile: checks.profile,
            index: &self.index,
            skip: Some((here.func, here.pc, depth)),
            watches: checks.watches,
            spans: Spans::new(checks.watches),
            poll: checks.poll,
            hit: None,
        };
        let (store, thread) = (&mut self.store, &mut self.thread);
        if let Some(&id) = self.sites.get(&(top.func, top.pc)) {
            c.skip = None;
            let out = debug.breakpoints.step_over(store, thread, id, &mut c);
            if !matches!(out, Ok(Outcome::Paused)) {
                return Resumed {
                    outcome: out,
                    watch: c.hit,
                };
            }
        }
        macro_rules! run {
            ($step:literal, $watch:literal, $account:literal) => {
                run!($step, $watch, $account, false)
            };
            ($step:literal, $watch:literal, $account:literal, $spans:literal) => {{
                let mut c = c.kind::<$step, $watch, $account, $spans>();
                let outcome = thread.run_with_hook(store, &mut c);
                Resumed {
                    outcome,
                    watch: c.hit,
                }
            }};
        }
        match (stepping, !c.watches.is_empty(), c.poll.is_some(), profiling) {
            (true, true, ..) => run!(true, true, true),
            (true, false, ..) => run!(true, false, true),
            (false, true, _, true) => run!(false, true, true),
            (false, true, _, false) => run!(false, true, false),
            (false, false, _, true) if spans => run!(false, false, true, true),
            (false, false, _, true) => run!(false, false, true),
            (false, false, true, false) => run!(false, false, false),
            (false, false, false, false) => Resumed {
                outcome: thread.run(store),
                watch: None,
            },
        }
    }
}

/// A runtime frame with its function as the module's index.
fn module_frame(index: &[u32], f: &Frame) -> Frame {
    Frame {
        func: module_index(index, f.func),
        ..*f
    }
}

/// The module's index of store function address `addr` (`u32::MAX` for another module's).
fn module_index(index: &[u32], addr: u32) -> u32 {
    index.get(addr as usize).copied().unwrap_or(u32::MAX)
}

/// The checks of a resumed program as a hook asked before each instruction (`STEP`) and after
/// each memory access (`WATCH`), accounting instructions to functions (`ACCOUNT`, for the
/// profile) and by pc (`SPANS`, for a line profile; full-speed runs only), fixed at compile time
/// so the interpreter's loop has no test for a check not asked for.
struct Checker<
    'a,
    S,
    P,
    const STEP: bool,
    const WATCH: bool,
    const ACCOUNT: bool,
    const SPANS: bool,
> {
    step: Option<S>,
    profile: Option<&'a mut Profile>,
    index: &'a [u32],
    /// Where the program stood when resumed (runtime terms, with the depth): not asked about.
    skip: Option<(u32, u32, usize)>,
    watches: &'a [(u64, u64, WatchKind)],
    spans: Spans,
    poll: Option<P>,
    hit: Option<(usize, bool)>,
}

impl<'a, S, P, const STEP: bool, const WATCH: bool, const ACCOUNT: bool, const SPANS: bool>
    Checker<'a, S, P, STEP, WATCH, ACCOUNT, SPANS>
{
    /// The same checks as another kind of hook.
    fn kind<const STEP2: bool, const WATCH2: bool, const ACCOUNT2: bool, const SPANS2: bool>(
        self,
    ) -> Checker<'a, S, P, STEP2, WATCH2, ACCOUNT2, SPANS2> {
        Checker {
            step: self.step,
            profile: self.profile,
            index: self.index,
            skip: self.skip,
            watches: self.watches,
            spans: self.spans,
            poll: self.poll,
            hit: self.hit,
        }
    }
}

impl<S, P, const STEP: bool, const WATCH: bool, const ACCOUNT: bool, const SPANS: bool> Hook
    for Checker<'_, S, P, STEP, WATCH, ACCOUNT, SPANS>
where
    S: FnMut(&Frame, usize) -> bool,
    P: FnMut(u64) -> bool,
{
    const ACTIVE: bool = STEP;
    const WATCH: bool = WATCH;
    const POLL: bool = true;
    const ACCOUNT: bool = ACCOUNT;
    const SPANS: bool = SPANS;
    fn before(&mut self, frame: &Frame, depth: usize) -> bool {
        if self.skip.take() == Some((frame.func, frame.pc, depth)) {
            return true;
        }
        let f = module_frame(self.index, frame);
        self.step.as_mut().is_none_or(|s| s(&f, depth))
    }
    fn access(&mut self, addr: u64, len: u64, write: bool) -> bool {
        let hit = tripped(self.watches, addr, len, write);
        if let Some(i) = hit {
            self.hit = Some((i, write));
        }
        hit.is_some()
    }
    fn watched(&self, write: bool) -> (u64, u64) {
        self.spans.of(write)
    }
    fn poll(&mut self, executed: u64) -> bool {
        if let Some(p) = self.profile.as_deref_mut() {
            p.tick();
        }
        self.poll.as_mut().is_some_and(|p| p(executed))
    }
    fn account(&mut self, _: u32, instructions: u64) {
        if let Some(p) = self.profile.as_deref_mut() {
            p.add(instructions);
        }
    }
    fn enter(&mut self, func: u32, site: u32) {
        if let Some(p) = self.profile.as_deref_mut() {
            p.enter(module_index(self.index, func), site);
        }
    }
    fn leave(&mut self) {
        if let Some(p) = self.profile.as_deref_mut() {
            p.leave();
        }
    }
    fn span(&mut self, _: u32, start: u32, end: u32) {
        if let Some(p) = self.profile.as_deref_mut() {
            p.span(start, end);
        }
    }
}

#[cfg(test)]
mod tests {
    use alloc::rc::Rc;
    use alloc::vec::Vec;

    use super::*;
    use crate::limits::preset::linux_production;
    use crate::limits::{AsilLevel, DebugLevel, MIB, PlatformLimits};
    use crate::store::{Extern, Linker};

    /// Counts `$n` down from 5, storing it at address 16 each time round.
    const PROGRAM: &str = r#"
    (module
      (memory 1)
      (func $dec (param i32) (result i32) (i32.sub (local.get 0) (i32.const 1)))
      (func (export "run") (local $n i32)
        (local.set $n (i32.const 5))
        (loop $again
          (i32.store (i32.const 16) (local.get $n))
          (local.set $n (call $dec (local.get $n)))
          (br_if $again (local.get $n)))))
    "#;

    fn limits() -> PlatformLimits {
        linux_production(64 * MIB, AsilLevel::QM, DebugLevel::FullDebug)
    }

    fn start() -> (Debuggee, DebugSession) {
        start_with(PROGRAM)
    }

    /// The debuggee of `program`'s export `run`.
    fn start_with(program: &str) -> (Debuggee, DebugSession) {
        let bytes = wat::parse_str(program).unwrap();
        let module = Rc::new(Module::new_for_debugging(&bytes).unwrap());
        (instantiate(&module), DebugSession::open(&limits()).unwrap())
    }

    /// A new instance of `module`, stopped before its export `run`.
    fn instantiate(module: &Rc<Module>) -> Debuggee {
        let mut store = Store::new(limits().store_config());
        let inst = Linker::new()
            .instantiate(&mut store, module.clone())
            .unwrap();
        let Some(Extern::Func(run)) = store.instance(inst).export("run") else {
            panic!("no run")
        };
        Debuggee::start(store, module, inst, run).unwrap()
    }

    /// A stepping test, as the tests give one.
    type Step<'a> = &'a mut dyn FnMut(&Frame, usize) -> bool;

    /// Checks with only `step`, `watches` and `profile` as given, no poll.
    fn checks<'a>(
        step: Option<Step<'a>>,
        watches: &'a [(u64, u64, WatchKind)],
        profile: Option<&'a mut Profile>,
    ) -> Checks<'a, Step<'a>, fn(u64) -> bool> {
        Checks {
            step,
            watches,
            profile,
            poll: None,
        }
    }

    #[test]
    fn a_breakpoint_stops_each_time_round_and_the_run_goes_on_from_it() {
        let (mut p, mut debug) = start();
        // `$dec` is function 0: its first instruction runs once a round.
        p.arm(&mut debug, 0, 0).unwrap();
        let mut hits = 0;
        loop {
            let r = p.resume(&mut debug, checks(None, &[], None));
            match r.outcome {
                Ok(Outcome::Breakpoint(id)) => {
                    assert_eq!(p.site_of(&debug, id), Some((0, 0)));
                    assert_eq!(p.frames().last().map(|f| (f.func, f.pc)), Some((0, 0)));
                    hits += 1;
                }
                Ok(Outcome::Finished) => break,
                other => panic!("{other:?}"),
            }
        }
        assert_eq!(hits, 5);
        assert!(p.disarm(&mut debug, 0, 0));
        assert!(!p.disarm(&mut debug, 0, 0), "disarmed already");
    }

    #[test]
    fn a_program_dropped_with_breakpoints_armed_leaves_the_next_instance_the_module_code() {
        let bytes = wat::parse_str(PROGRAM).unwrap();
        let module = Rc::new(Module::new_for_debugging(&bytes).unwrap());
        let mut debug = DebugSession::open(&limits()).unwrap();
        let mut first = instantiate(&module);
        first.arm(&mut debug, 0, 0).unwrap();
        let r = first.resume(&mut debug, checks(None, &[], None));
        assert!(matches!(r.outcome, Ok(Outcome::Breakpoint(_))), "{r:?}");
        drop(first);
        debug.breakpoints.clear();
        let mut second = instantiate(&module);
        let r = second.resume(&mut debug, checks(None, &[], None));
        assert!(matches!(r.outcome, Ok(Outcome::Finished)), "{r:?}");
    }

    #[test]
    fn the_stepping_test_is_not_asked_where_the_program_stands() {
        let (mut p, mut debug) = start();
        let here = p.frames().last().unwrap();
        let mut asked = Vec::new();
        let mut test = |f: &Frame, _: usize| {
            asked.push((f.func, f.pc));
            false
        };
        let r = p.resume(&mut debug, checks(Some(&mut test), &[], None));
        assert_eq!(r.outcome, Ok(Outcome::Paused));
        assert_eq!(asked.len(), 1);
        assert_ne!(asked[0], (here.func, here.pc), "asked about the next one");
        assert_eq!(p.frames().last().map(|f| (f.func, f.pc)), Some(asked[0]));
    }

    #[test]
    fn a_watched_store_stops_after_it_with_the_watch_that_saw_it() {
        let (mut p, mut debug) = start();
        let watches = [(0, 4, WatchKind::Write), (16, 4, WatchKind::Write)];
        let r = p.resume(&mut debug, checks(None, &watches, None));
        assert_eq!(r.outcome, Ok(Outcome::Watchpoint));
        assert_eq!(r.watch, Some((1, true)));
    }

    #[test]
    fn an_access_near_a_watch_that_trips_none_goes_on_from_where_it_was() {
        let (mut p, mut debug) = start();
        // Each round's store lands between the watched bytes, in their span.
        let watches = [(12, 4, WatchKind::Write), (20, 4, WatchKind::Write)];
        let r = p.resume(&mut debug, checks(None, &watches, None));
        assert_eq!(r.outcome, Ok(Outcome::Finished));
        assert_eq!(&p.memory().unwrap()[16..20], &1u32.to_le_bytes());
    }

    #[test]
    fn accesses_below_above_and_past_the_watched_bytes_go_on_stop_and_trap() {
        // A load below the watches runs on, and so does a store between them; the memory grows
        // under the second, which then trips; a store above both runs on, one past the grown
        // memory traps.
        let (mut p, mut debug) = start_with(
            r#"(module (memory 1)
              (func (export "run")
                (i32.store (i32.const 64) (i32.load (i32.const 8)))
                (drop (memory.grow (i32.const 1)))
                (i32.store (i32.const 65536) (i32.const 7))
                (i32.store (i32.const 70000) (i32.const 9))
                (i32.store (i32.const 131070) (i32.const 7))))"#,
        );
        let watches = [(32, 4, WatchKind::Access), (65536, 4, WatchKind::Write)];
        let r = p.resume(&mut debug, checks(None, &watches, None));
        assert_eq!(
            (r.outcome, r.watch),
            (Ok(Outcome::Watchpoint), Some((1, true)))
        );
        assert_eq!(&p.memory().unwrap()[65536..65540], &7u32.to_le_bytes());
        let r = p.resume(&mut debug, checks(None, &watches, None));
        assert_eq!(r.outcome, Err(Trap::MemoryOutOfBounds));
        assert_eq!(&p.memory().unwrap()[70000..70004], &9u32.to_le_bytes());
    }

    #[test]
    fn the_profile_counts_every_call_by_module_index_in_its_calling_context() {
        let (mut p, mut debug) = start();
        let mut profile = Profile::new(8);
        let r = p.resume(&mut debug, checks(None, &[], Some(&mut profile)));
        assert_eq!(r.outcome, Ok(Outcome::Finished));
        let counts = profile.top(2);
        let dec = counts.iter().find(|c| c.func == 0).unwrap();
        assert_eq!(dec.calls, 5);
        assert!(
            counts
                .iter()
                .any(|c| c.func == 1 && c.instructions > dec.instructions)
        );
        // run (entered once, from no call) and `$dec` under it, called from one site.
        let nodes = &profile.nodes()[2..];
        assert_eq!(nodes.len(), 2);
        assert_eq!(
            (nodes[0].func, nodes[0].site, nodes[0].calls),
            (1, profile::NO_SITE, 1)
        );
        assert_eq!((nodes[1].func, nodes[1].parent, nodes[1].calls), (0, 2, 5));
    }

    #[test]
    fn a_poll_that_says_stop_pauses_the_run() {
        let (mut p, mut debug) = start();
        let mut polls = 0;
        let checks = Checks {
            step: None::<fn(&Frame, usize) -> bool>,
            watches: &[],
            profile: None,
            poll: Some(|_| {
                polls += 1;
                true
            }),
        };
        let r = p.resume(&mut debug, checks);
        assert_eq!(r.outcome, Ok(Outcome::Paused));
        assert_eq!(polls, 1);
    }
}
