//! Loading the module as `wrt-dbg run` (no debugging) or `wrt-dbg serve` (translated with an
//! instruction at each recorded statement) does, measuring what each step holds.

use alloc::rc::Rc;
use alloc::string::{String, ToString};

use runtime_core::limits::PlatformLimits;
use runtime_core::{Extern, Linker, Module, Store};

use crate::HEAP;
use crate::footprint::Parts;

/// A loaded, instantiated module, stopped before `_start`.
pub struct Loaded {
    /// The translated module (the store holds it too; a debug session wants it).
    #[cfg_attr(not(feature = "debug"), allow(dead_code))]
    pub module: Rc<Module>,
    /// Its store.
    pub store: Store,
    /// The instance.
    #[cfg_attr(not(feature = "debug"), allow(dead_code))]
    pub instance: u32,
    /// `_start`.
    pub entry: u32,
    /// What loading and instantiating held.
    pub parts: Parts,
}

/// Loads and instantiates `bytes` under `limits`; translated for debugging with the `debug`
/// feature. A start function is refused: the board runs or serves `_start` alone.
pub fn load(bytes: &[u8], limits: &PlatformLimits) -> Result<Loaded, String> {
    let mut parts = Parts::default();
    let before = HEAP.held();
    let module = if cfg!(feature = "debug") {
        Module::new_with_recorded_boundaries(bytes)
    } else {
        Module::new(bytes)
    };
    let module = Rc::new(module.map_err(|e| e.to_string())?);
    parts.module = HEAP.held() - before;
    let before = HEAP.held();
    let mut store = Store::new(limits.store_config());
    let (instance, start) = {
        // The linker goes once the imports are resolved: it is not part of what stays held.
        let mut linker = Linker::new();
        crate::wasi::define(&mut store, &mut linker);
        linker.instantiate_unstarted(&mut store, module.clone())
    }
    .map_err(|e| e.to_string())?;
    if start.is_some() {
        return Err("the module has a start function; the board runs `_start` alone".into());
    }
    let Some(Extern::Func(entry)) = store.instance(instance).export("_start") else {
        return Err("no `_start` export".into());
    };
    parts.instance = HEAP.held() - before;
    parts.linear_memory = store
        .instance(instance)
        .memory_addr()
        .map_or(0, |m| store.memory(m).data.len());
    Ok(Loaded {
        module,
        store,
        instance,
        entry,
        parts,
    })
}
