//! The body of the fuzz target in `runtime-core/fuzz`, here so that the test replaying its
//! committed seeds on stable (`tests/fuzz_corpus.rs`) runs the same code: not an API.

use std::boxed::Box;
use std::cell::RefCell;
use std::rc::Rc;
use std::vec::Vec;

use crate::admit::{admit, check_read};
use crate::exec::{Frame, Hook, Outcome, Thread};
use crate::limits::preset::linux_production;
use crate::limits::{AsilLevel, DebugLevel, MIB, PlatformLimits};
use crate::module::{Module, Translation};
use crate::store::{Extern, Linker, Store};
use crate::validate::validate_bytes;
use crate::value::Val;
use crate::wasi::{self, WasiCtx};

/// Instructions one call may run before it is paused: enough to start most programs, few enough
/// that a loop for ever ends at once.
pub const FUEL: u64 = 100_000;

/// Small limits: a 64 MiB Linux container at full debug, with a 256 KiB interpreter stack.
pub fn limits() -> PlatformLimits {
    let mut limits = linux_production(64 * MIB, AsilLevel::QM, DebugLevel::FullDebug);
    limits.max_stack_bytes = 256 * 1024;
    limits
}

/// Pauses a run once it has run [`FUEL`] instructions.
struct Fuel;

impl Hook for Fuel {
    const ACTIVE: bool = false;
    const POLL: bool = true;
    fn before(&mut self, _: &Frame, _: usize) -> bool {
        true
    }
    fn poll(&mut self, executed: u64) -> bool {
        executed >= FUEL
    }
}

/// The `admit` target: any bytes go through admission under [`limits`] as `run` admits them, and
/// through `check`'s pass, which must agree with it. A module admitted is translated for debugging
/// too and, when it can start, linked to WASI (stdio to nowhere, no directories, no sleeping),
/// instantiated, and its start function and `_start` (or first exported function, given zeros)
/// run on [`FUEL`] each. Whatever the bytes: errors or traps, never a panic, a hang or memory past
/// the limits.
pub fn admit_any(data: &[u8]) {
    let limits = limits();
    let checked = check_read(data, &limits).map(|v| v.fits());
    let admitted = match admit(data, &limits, Translation::Speed) {
        Ok(admitted) => admitted,
        Err(e) => {
            assert!(
                !matches!(checked, Ok(true)),
                "check says it fits, admission refuses it: {e}"
            );
            return;
        }
    };
    let measured = validate_bytes(data, &limits).expect("validation admits what admission does");
    assert_eq!(measured, admitted.requirements);
    let module = Rc::new(admitted.module);
    let startable = wasi::startable(&module);
    assert_eq!(
        checked,
        startable.clone().map(|()| true),
        "check and run differ"
    );
    Module::new_for_debugging(data).expect("the debug translation admits what admission does");
    if startable.is_ok() {
        start(&module, &limits);
    }
}

/// Links `module` to WASI, instantiates it and runs its start function and entry on fuel.
fn start(module: &Rc<Module>, limits: &PlatformLimits) {
    let mut store = Store::new(limits.store_config());
    let mut linker = Linker::new();
    let ctx = WasiCtx::with_stdio(
        Vec::new(),
        Vec::new(),
        Box::new(std::io::empty()),
        Box::new(std::io::sink()),
        Box::new(std::io::sink()),
    );
    wasi::link(&mut store, &mut linker, module, Rc::new(RefCell::new(ctx)))
        .expect("a module that can start links");
    // A clock wait would sleep as long as the input asks: answered at once instead.
    if let Some(Extern::Func(wait)) = linker.get(wasi::MODULE, "poll_oneoff") {
        let ty = store.func_type(wait).expect("a linked function").clone();
        let now = store.add_host_func(
            ty,
            Rc::new(|_, _, rets| {
                rets[0] = Val::I32(i32::from(wasi::errno::NOSYS));
                Ok(())
            }),
        );
        linker.define(wasi::MODULE, "poll_oneoff", Extern::Func(now));
    }
    let Ok((instance, start)) = linker.instantiate_unstarted(&mut store, module.clone()) else {
        return;
    };
    if let Some(f) = start
        && !finishes(&mut store, f)
    {
        return;
    }
    let entry = match store.instance(instance).export("_start") {
        Some(Extern::Func(f)) => Some(f),
        _ => module
            .exports()
            .iter()
            .find_map(|e| match store.instance(instance).export(&e.name) {
                Some(Extern::Func(f)) => Some(f),
                _ => None,
            }),
    };
    if let Some(f) = entry {
        finishes(&mut store, f);
    }
}

/// Runs function `f` on zero arguments and [`FUEL`]; whether it returned.
fn finishes(store: &mut Store, f: u32) -> bool {
    let Some(ty) = store.func_type(f) else {
        return false;
    };
    let args: Vec<Val> = ty.params.iter().map(|&t| Val::from_raw(t, 0)).collect();
    let Ok(mut thread) = Thread::new(store, f, &args) else {
        return false;
    };
    matches!(
        thread.run_with_hook(store, &mut Fuel),
        Ok(Outcome::Finished)
    )
}
