//! What a configuration really costs: the heap bytes loading, instantiating and setting up its
//! session hold, counted by the binary's allocator, and how long the program runs under it.

use std::alloc::System;
use std::rc::Rc;
use std::time::{Duration, Instant};

use gdb_bridge::WasmTarget;
use gdb_bridge::stub::{Buffers, Framer};
use gdb_bridge::target::Exec;
use runtime_core::admit::admit;
use runtime_core::limits::PlatformLimits;
use runtime_core::module::Translation;
use runtime_core::wasi::WasiCtx;
use runtime_core::{Extern, Thread};
use stats_alloc::{Region, StatsAlloc};

use crate::run::{Instantiation, Program};

/// The binary's allocator: the system's, counting what passes through it.
#[global_allocator]
pub static GLOBAL: StatsAlloc<System> = StatsAlloc::system();

/// What one configuration took.
pub struct Measured {
    /// Heap bytes held once the program is loaded, instantiated and stopped at its start with
    /// the session set up (its stack reserved): what the budget predicts.
    pub bytes: u64,
    /// How long the program ran to its end, when run.
    pub time: Option<Duration>,
}

/// Loads, instantiates and sets up `bytes` under `limits` as `wrt-dbg run` (no debugging) or
/// `wrt-dbg serve` (a session at the limits' debug level, profiling on from `profile` up, the
/// stub's packet buffers) does,
/// measuring what stays held; then runs the program to its end when `run`.
pub fn measure(
    bytes: &[u8],
    limits: &PlatformLimits,
    program: &Program,
    run: bool,
) -> Result<Measured, String> {
    let region = Region::new(&GLOBAL);
    let debugging = runtime_core::debug::refusal(limits).is_none();
    // Measured whether or not it fits: the report names what it breaks.
    let unbounded = PlatformLimits::unbounded();
    let admitted = match debugging {
        true => debugger::translate::translate(bytes, &unbounded).map_err(|e| e.to_string())?,
        false => admit(bytes, &unbounded, Translation::Speed).map_err(|e| e.to_string())?,
    };
    let module = Rc::new(admitted.module);
    let quiet = |argv, env| {
        WasiCtx::with_stdio(
            argv,
            env,
            Box::new(std::io::empty()),
            Box::new(std::io::sink()),
            Box::new(std::io::sink()),
        )
    };
    let (mut store, inst, _wasi) = match program.instantiate(&module, limits, quiet) {
        Ok(x) => x,
        Err(Instantiation::Trap(t, _)) => return Err(format!("the start function trapped: {t}")),
        Err(Instantiation::Failed(e)) => return Err(e),
    };
    let Some(Extern::Func(entry)) = store.instance(inst).export("_start") else {
        return Err("no exported function `_start`".into());
    };
    if !debugging {
        let mut thread = Thread::new(&store, entry, &[]).map_err(|e| e.to_string())?;
        thread.preallocate(&store);
        let held = live(&region);
        let time = run.then(|| {
            let started = Instant::now();
            let _ = thread.run(&mut store);
            started.elapsed()
        });
        return Ok(Measured { bytes: held, time });
    }
    let mut target = WasmTarget::new(
        store,
        inst,
        entry,
        module,
        Rc::from(bytes),
        "module".into(),
        limits,
    )
    .map_err(|e| e.to_string())?;
    if limits.debug_level >= runtime_core::limits::DebugLevel::BasicProfile {
        target.set_profiling(true)?;
    }
    // The stub's packet buffers, as `serve` sets them up for its client.
    let buffers = Buffers::new(limits).map_err(|e| e.to_string())?;
    let framer = Framer::new(buffers.packet_size());
    let held = live(&region);
    drop((buffers, framer));
    let time = run.then(|| {
        let started = Instant::now();
        while target.exec == Exec::Stopped {
            target.run(|| false);
        }
        started.elapsed()
    });
    Ok(Measured { bytes: held, time })
}

/// Heap bytes allocated and still held since `region` began (a reallocation counts as the
/// bytes it added or freed).
fn live(region: &Region<'_, System>) -> u64 {
    let c = region.change();
    c.bytes_allocated.saturating_sub(c.bytes_deallocated) as u64
}
