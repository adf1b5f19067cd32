//! The store: every function, table, memory, global and segment instance, and the module instances that
//! index into them. Addresses are plain `u32` indices into the store's vectors.

use alloc::rc::Rc;
use alloc::string::String;
use alloc::sync::Arc;
use alloc::vec;
use alloc::vec::Vec;

use crate::error::{Error, Trap};
use crate::module::{
    ConstExpr, ExternType, FuncBody, FuncType, GlobalType, Limits, MemoryType, Module, SegmentMode,
    TableType,
};
use crate::value::Val;

/// Bytes in one standard linear memory page.
pub const PAGE_SIZE: usize = 65536;
/// Most bytes a 32-bit memory may have, whatever its page size.
pub const MAX_MEMORY_BYTES: u64 = 1 << 32;

/// A host function: gets the calling context and arguments, writes its results.
pub type HostFn = Rc<dyn Fn(&mut Caller<'_>, &[Val], &mut [Val]) -> Result<(), Trap>>;

/// A store address of an instance, export or import.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Extern {
    /// Function address.
    Func(u32),
    /// Table address.
    Table(u32),
    /// Memory address.
    Memory(u32),
    /// Global address.
    Global(u32),
}

/// What a host function sees of the instance that called it.
pub struct Caller<'a> {
    pub(crate) store: &'a mut Store,
    pub(crate) instance: Option<u32>,
}

impl Caller<'_> {
    /// The calling instance's memory 0, if it has one.
    pub fn memory(&mut self) -> Option<&mut [u8]> {
        let inst = self.instance?;
        let addr = *self.store.instances[inst as usize].mems.first()?;
        Some(&mut self.store.mems[addr as usize].data)
    }

    /// The store, for anything else.
    pub fn store(&mut self) -> &mut Store {
        self.store
    }
}

/// How a function is implemented.
#[derive(Clone)]
pub(crate) enum FuncKind {
    Wasm {
        instance: u32,
        index: u32,
        body: Rc<FuncBody>,
    },
    Host(HostFn),
}

/// A function instance.
#[derive(Clone)]
pub(crate) struct FuncInst {
    pub(crate) type_id: u32,
    pub(crate) kind: FuncKind,
}

/// A table instance; elements are raw references (0 = null, else address + 1).
#[derive(Debug, Clone)]
pub struct TableInst {
    /// Declared element type and limits.
    pub ty: TableType,
    /// Current elements.
    pub elems: Vec<u64>,
}

/// The bytes of a linear memory: the start of a zeroed allocation that may hold more, zero past
/// the memory's end, so that growing within it writes nothing. The host commits a page only when
/// the program touches it, after growth as for the initial size.
#[derive(Default)]
pub struct Bytes {
    /// The allocation, all initialised; zero from `len` on.
    buf: Vec<u8>,
    /// The memory's size in bytes.
    len: usize,
}

/// Bytes of the host pages [`Bytes`] copies one at a time, skipping those that hold only zeros.
const HOST_PAGE: usize = 4096;

impl Bytes {
    /// `len` zero bytes, or `None` when the allocator cannot give them.
    pub fn zeroed(len: usize) -> Option<Bytes> {
        Some(Bytes {
            buf: zeroed(len)?,
            len,
        })
    }

    /// Resizes to `len` bytes (no fewer than now), the new ones zero; `room` is the most the
    /// memory can ever hold, which a new allocation may reserve for later growth. `None`, and no
    /// change, when the allocator cannot give them.
    fn grow_to(&mut self, len: usize, room: usize) -> Option<()> {
        if len > self.buf.len() {
            let wanted = if cfg!(feature = "std") {
                // A host reserves address space, not memory: room to double costs nothing.
                len.max(self.buf.len().saturating_mul(2)).min(room)
            } else {
                len
            };
            let mut buf = zeroed(wanted).or_else(|| zeroed(len))?;
            copy_nonzero(&self.buf[..self.len], &mut buf);
            self.buf = buf;
        }
        self.len = len;
        Some(())
    }
}

/// A zeroed allocation of `len` bytes (`calloc`, which leaves fresh pages uncommitted), or `None`
/// when the allocator cannot give it: asked first, so that a size it cannot give is no abort.
fn zeroed(len: usize) -> Option<Vec<u8>> {
    Vec::<u8>::new().try_reserve_exact(len).ok()?;
    Some(vec![0u8; len])
}

/// Copies `from` to the start of the zeroed `to` page by page, skipping pages of zeros: reading an
/// untouched page commits nothing, and neither does leaving its copy unwritten.
fn copy_nonzero(from: &[u8], to: &mut [u8]) {
    for (src, dst) in from.chunks(HOST_PAGE).zip(to.chunks_mut(HOST_PAGE)) {
        if src.iter().any(|&b| b != 0) {
            dst[..src.len()].copy_from_slice(src);
        }
    }
}

impl core::ops::Deref for Bytes {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        &self.buf[..self.len]
    }
}

impl core::ops::DerefMut for Bytes {
    fn deref_mut(&mut self) -> &mut [u8] {
        &mut self.buf[..self.len]
    }
}

impl Clone for Bytes {
    /// A copy of the same size, its zero pages left uncommitted.
    fn clone(&self) -> Bytes {
        let mut copy = Bytes {
            buf: vec![0u8; self.len],
            len: self.len,
        };
        copy_nonzero(self, &mut copy.buf);
        copy
    }
}

impl core::fmt::Debug for Bytes {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "Bytes({} bytes)", self.len)
    }
}

impl PartialEq<[u8]> for Bytes {
    fn eq(&self, other: &[u8]) -> bool {
        **self == *other
    }
}

impl PartialEq<&[u8]> for Bytes {
    fn eq(&self, other: &&[u8]) -> bool {
        **self == **other
    }
}

/// A linear memory instance.
#[derive(Debug, Clone)]
pub struct MemInst {
    /// Current bytes; the length is always a whole number of pages.
    pub data: Bytes,
    /// Declared maximum in pages.
    pub max: Option<u64>,
    /// Base-2 logarithm of the page size in bytes (16, or 0 for one-byte pages).
    pub page_log2: u8,
}

impl MemInst {
    /// Current size in pages.
    pub fn pages(&self) -> u64 {
        (self.data.len() >> self.page_log2) as u64
    }

    /// The type it has now, for import matching.
    pub fn ty(&self) -> MemoryType {
        MemoryType {
            limits: Limits {
                min: self.pages(),
                max: self.max,
            },
            page_log2: self.page_log2,
        }
    }

    /// Grows by `delta` pages; returns the old size, or `None` (and no change) when it cannot:
    /// past the declared maximum, 4 GiB (one byte less for one-byte pages), or `limit_bytes`.
    pub fn grow(&mut self, delta: u64, limit_bytes: u64) -> Option<u64> {
        let old = self.pages();
        let new = old.checked_add(delta)?;
        let most = (MAX_MEMORY_BYTES - u64::from(self.page_log2 == 0)) >> self.page_log2;
        let bytes = new.checked_mul(1 << self.page_log2)?;
        if new > self.max.unwrap_or(most).min(most) || bytes > limit_bytes {
            return None;
        }
        let room = (self.max.unwrap_or(most).min(most) << self.page_log2).min(limit_bytes);
        let bytes = usize::try_from(bytes).ok()?;
        self.data
            .grow_to(bytes, usize::try_from(room).unwrap_or(bytes))?;
        Some(old)
    }
}

/// A global instance.
#[derive(Debug, Clone, Copy)]
pub struct GlobalInst {
    /// Type and mutability.
    pub ty: GlobalType,
    /// Raw value.
    pub value: u64,
}

/// A module instance: the module and the store addresses its index spaces resolve to.
#[derive(Debug)]
pub struct Instance {
    /// The instantiated module.
    pub module: Rc<Module>,
    pub(crate) types: Vec<u32>,
    pub(crate) funcs: Vec<u32>,
    pub(crate) tables: Vec<u32>,
    pub(crate) mems: Vec<u32>,
    pub(crate) globals: Vec<u32>,
    pub(crate) elems: Vec<u32>,
    pub(crate) datas: Vec<u32>,
}

impl Instance {
    /// Looks up an export by name.
    pub fn export(&self, name: &str) -> Option<Extern> {
        let e = self.module.exports.iter().find(|e| e.name == name)?;
        let i = e.index as usize;
        Some(match e.kind {
            wasmparser::ExternalKind::Func | wasmparser::ExternalKind::FuncExact => {
                Extern::Func(self.funcs[i])
            }
            wasmparser::ExternalKind::Table => Extern::Table(self.tables[i]),
            wasmparser::ExternalKind::Memory => Extern::Memory(self.mems[i]),
            wasmparser::ExternalKind::Global => Extern::Global(self.globals[i]),
            wasmparser::ExternalKind::Tag => return None,
        })
    }

    /// Store address of the module's function `idx`.
    pub fn func_addr(&self, idx: u32) -> Option<u32> {
        self.funcs.get(idx as usize).copied()
    }

    /// Store address of memory 0, if any.
    pub fn memory_addr(&self) -> Option<u32> {
        self.mems.first().copied()
    }

    /// Store address of the module's global `idx`.
    pub fn global_addr(&self, idx: u32) -> Option<u32> {
        self.globals.get(idx as usize).copied()
    }
}

/// Execution limits of a store.
#[derive(Debug, Clone, Copy)]
pub struct Config {
    /// Most call frames on the stack before `call stack exhausted`.
    pub max_frames: usize,
    /// Most 64-bit value stack slots (locals plus operands) before `call stack exhausted`.
    pub max_values: usize,
    /// Most bytes any memory may hold.
    pub max_memory_bytes: u64,
    /// Most elements any table may grow to.
    pub max_table_elems: u64,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            max_frames: 16 * 1024,
            max_values: 1024 * 1024,
            max_memory_bytes: MAX_MEMORY_BYTES,
            max_table_elems: 10_000_000,
        }
    }
}

/// Owns all runtime state.
#[derive(Default)]
pub struct Store {
    /// The store's identity: threads keep a clone and run only where it matches.
    pub(crate) id: Arc<()>,
    pub(crate) config: Config,
    pub(crate) types: Vec<FuncType>,
    pub(crate) funcs: Vec<FuncInst>,
    pub(crate) tables: Vec<TableInst>,
    pub(crate) mems: Vec<MemInst>,
    pub(crate) globals: Vec<GlobalInst>,
    pub(crate) elems: Vec<Vec<u64>>,
    pub(crate) datas: Vec<Vec<u8>>,
    pub(crate) instances: Vec<Instance>,
}

impl Store {
    /// An empty store with the given limits.
    pub fn new(config: Config) -> Self {
        Store {
            config,
            ..Default::default()
        }
    }

    /// The store's execution limits.
    pub fn config(&self) -> &Config {
        &self.config
    }

    pub(crate) fn intern_type(&mut self, ty: &FuncType) -> u32 {
        match self.types.iter().position(|t| t == ty) {
            Some(i) => i as u32,
            None => {
                self.types.push(ty.clone());
                (self.types.len() - 1) as u32
            }
        }
    }

    /// Adds a host function of the given type.
    pub fn add_host_func(&mut self, ty: FuncType, f: HostFn) -> u32 {
        let type_id = self.intern_type(&ty);
        self.funcs.push(FuncInst {
            type_id,
            kind: FuncKind::Host(f),
        });
        (self.funcs.len() - 1) as u32
    }

    /// Adds a table filled with nulls.
    pub fn add_table(&mut self, ty: TableType) -> Result<u32, Error> {
        let n = self.checked_len(
            ty.limits.min,
            self.config.max_table_elems,
            "max_table_elems",
        )?;
        let mut elems = Vec::new();
        elems
            .try_reserve_exact(n)
            .map_err(|_| limit("table allocation", ty.limits.min, 0))?;
        elems.resize(n, 0);
        self.tables.push(TableInst { ty, elems });
        Ok((self.tables.len() - 1) as u32)
    }

    /// Adds a zeroed memory.
    pub fn add_memory(&mut self, ty: MemoryType) -> Result<u32, Error> {
        let bytes = self.checked_len(
            ty.limits.min.saturating_mul(ty.page_size()),
            self.config.max_memory_bytes,
            "max_wasm_linear_memory",
        )?;
        let limits = ty.limits;
        // Zeroed, so the host commits pages only as the program touches them: a module declaring
        // 4 GiB does not take 4 GiB at instantiation.
        let data = Bytes::zeroed(bytes).ok_or_else(|| limit("memory allocation", limits.min, 0))?;
        self.mems.push(MemInst {
            data,
            max: limits.max,
            page_log2: ty.page_log2,
        });
        Ok((self.mems.len() - 1) as u32)
    }

    /// Adds a global with an initial value.
    pub fn add_global(&mut self, ty: GlobalType, value: Val) -> u32 {
        self.globals.push(GlobalInst {
            ty,
            value: value.to_raw(),
        });
        (self.globals.len() - 1) as u32
    }

    fn checked_len(&self, asked: u64, allowed: u64, name: &'static str) -> Result<usize, Error> {
        if asked > allowed {
            return Err(limit(name, asked, allowed));
        }
        usize::try_from(asked).map_err(|_| limit(name, asked, usize::MAX as u64))
    }

    /// The instance with the given id.
    pub fn instance(&self, id: u32) -> &Instance {
        &self.instances[id as usize]
    }

    /// A memory instance.
    pub fn memory(&self, addr: u32) -> &MemInst {
        &self.mems[addr as usize]
    }

    /// A memory instance, mutably.
    pub fn memory_mut(&mut self, addr: u32) -> &mut MemInst {
        &mut self.mems[addr as usize]
    }

    /// A table instance.
    pub fn table(&self, addr: u32) -> &TableInst {
        &self.tables[addr as usize]
    }

    /// A global's current value.
    pub fn global(&self, addr: u32) -> Val {
        let g = &self.globals[addr as usize];
        Val::from_raw(g.ty.ty, g.value)
    }

    /// Sets a global's value (the embedder may set immutable globals too).
    pub fn set_global(&mut self, addr: u32, v: Val) {
        self.globals[addr as usize].value = v.to_raw();
    }

    /// The signature of a function.
    /// `None` for an address past the store's functions.
    pub fn func_type(&self, addr: u32) -> Option<&FuncType> {
        self.types
            .get(self.funcs.get(addr as usize)?.type_id as usize)
    }

    /// For a Wasm function: its instance and module function index.
    pub fn func_origin(&self, addr: u32) -> Option<(u32, u32)> {
        match &self.funcs.get(addr as usize)?.kind {
            FuncKind::Wasm {
                instance, index, ..
            } => Some((*instance, *index)),
            FuncKind::Host(_) => None,
        }
    }

    /// For a Wasm function: its translated body.
    pub fn func_body(&self, addr: u32) -> Option<&Rc<FuncBody>> {
        match &self.funcs.get(addr as usize)?.kind {
            FuncKind::Wasm { body, .. } => Some(body),
            FuncKind::Host(_) => None,
        }
    }

    /// Swaps a break marker ([`crate::instr::Instr::Break`] with `id`) in at internal `pc` of Wasm function `addr`,
    /// keeping the instruction it covers for [`Store::clear_break`]; a marker already there takes the
    /// new id. Only markers can be placed, so the code stays what translation made of the module.
    pub fn set_break(&mut self, addr: u32, pc: u32, id: u32) -> Result<(), Error> {
        let body = self
            .func_body(addr)
            .ok_or(Error::NoSuchCode { func: addr, pc })?;
        body.set_break(pc, id)
            .ok_or(Error::NoSuchCode { func: addr, pc })
    }

    /// Puts back the instruction a break marker at `pc` of function `addr` covers; `false` if there is
    /// no marker there.
    pub fn clear_break(&mut self, addr: u32, pc: u32) -> bool {
        self.func_body(addr).is_some_and(|b| b.clear_break(pc))
    }

    /// Instantiates like [`Store::instantiate`] up to, not including, the start function, whose
    /// address it returns for the caller to run as a [`crate::exec::Thread`] (so that a trap in it can be
    /// located, or the function debugged). A trap here comes from segment initialisation.
    pub fn instantiate_unstarted(
        &mut self,
        module: Rc<Module>,
        imports: &[Extern],
    ) -> Result<(u32, Option<u32>), Error> {
        if imports.len() != module.imports.len() {
            return Err(Error::ArgumentMismatch(alloc::format!(
                "{} imports given, module needs {}",
                imports.len(),
                module.imports.len()
            )));
        }
        let id = self.instances.len() as u32;
        let mut inst = Instance {
            module: module.clone(),
            types: Vec::new(),
            funcs: Vec::new(),
            tables: Vec::new(),
            mems: Vec::new(),
            globals: Vec::new(),
            elems: Vec::new(),
            datas: Vec::new(),
        };
        inst.types = module.types.iter().map(|t| self.intern_type(t)).collect();
        for (imp, ext) in module.imports.iter().zip(imports) {
            self.check_import(&inst, imp, *ext)?;
            match *ext {
                Extern::Func(a) => inst.funcs.push(a),
                Extern::Table(a) => inst.tables.push(a),
                Extern::Memory(a) => inst.mems.push(a),
                Extern::Global(a) => inst.globals.push(a),
            }
        }
        for (i, body) in module.bodies.iter().enumerate() {
            let index = module.num_imported_funcs + i as u32;
            let type_id = inst.types[body.type_idx as usize];
            self.funcs.push(FuncInst {
                type_id,
                kind: FuncKind::Wasm {
                    instance: id,
                    index,
                    body: body.clone(),
                },
            });
            inst.funcs.push((self.funcs.len() - 1) as u32);
        }
        let num_imported_tables = inst.tables.len();
        for t in &module.tables[num_imported_tables..] {
            inst.tables.push(self.add_table(*t)?);
        }
        let num_imported_mems = inst.mems.len();
        for m in &module.memories[num_imported_mems..] {
            inst.mems.push(self.add_memory(*m)?);
        }
        for (ty, init) in &module.globals {
            let value = self.eval_const(&inst, init);
            self.globals.push(GlobalInst { ty: *ty, value });
            inst.globals.push((self.globals.len() - 1) as u32);
        }
        for seg in &module.elems {
            let items = seg
                .items
                .iter()
                .map(|e| self.eval_const(&inst, e))
                .collect();
            self.elems.push(items);
            inst.elems.push((self.elems.len() - 1) as u32);
        }
        for seg in &module.datas {
            self.datas.push(seg.bytes.clone());
            inst.datas.push((self.datas.len() - 1) as u32);
        }
        self.instances.push(inst);
        self.initialise(id)?;
        let start = module
            .start
            .map(|start| self.instances[id as usize].funcs[start as usize]);
        Ok((id, start))
    }

    /// Runs the active segments: element segments first, then data, each dropped afterwards.
    fn initialise(&mut self, id: u32) -> Result<(), Trap> {
        let module = self.instances[id as usize].module.clone();
        for (i, seg) in module.elems.iter().enumerate() {
            let elem = self.instances[id as usize].elems[i];
            match seg.mode {
                SegmentMode::Active { index, offset } => {
                    let table = self.instances[id as usize].tables[index as usize];
                    let offset = self.eval_const(&self.instances[id as usize], &offset) as u32;
                    self.table_init(table, elem, offset, 0, seg.items.len() as u32)?;
                    self.elems[elem as usize] = Vec::new();
                }
                SegmentMode::Declared => self.elems[elem as usize] = Vec::new(),
                SegmentMode::Passive => {}
            }
        }
        for (i, seg) in module.datas.iter().enumerate() {
            if let SegmentMode::Active { index, offset } = seg.mode {
                let inst = &self.instances[id as usize];
                let (mem, data) = (inst.mems[index as usize], inst.datas[i]);
                let offset = self.eval_const(inst, &offset) as u32;
                self.memory_init(mem, data, offset, 0, seg.bytes.len() as u32)?;
                self.datas[data as usize] = Vec::new();
            }
        }
        Ok(())
    }

    pub(crate) fn table_init(
        &mut self,
        table: u32,
        elem: u32,
        dst: u32,
        src: u32,
        n: u32,
    ) -> Result<(), Trap> {
        let seg = &self.elems[elem as usize];
        let t = &mut self.tables[table as usize].elems;
        let src = range(src, n, seg.len()).ok_or(Trap::TableOutOfBounds)?;
        let dst = range(dst, n, t.len()).ok_or(Trap::TableOutOfBounds)?;
        t[dst].copy_from_slice(&seg[src]);
        Ok(())
    }

    pub(crate) fn memory_init(
        &mut self,
        mem: u32,
        data: u32,
        dst: u32,
        src: u32,
        n: u32,
    ) -> Result<(), Trap> {
        let seg = &self.datas[data as usize];
        let m = &mut self.mems[mem as usize].data;
        let src = range(src, n, seg.len()).ok_or(Trap::MemoryOutOfBounds)?;
        let dst = range(dst, n, m.len()).ok_or(Trap::MemoryOutOfBounds)?;
        m[dst].copy_from_slice(&seg[src]);
        Ok(())
    }

    fn eval_const(&self, inst: &Instance, e: &ConstExpr) -> u64 {
        match *e {
            ConstExpr::Value(v) => v.to_raw(),
            ConstExpr::RefNull => 0,
            ConstExpr::RefFunc(i) => inst.funcs[i as usize] as u64 + 1,
            ConstExpr::GlobalGet(g) => self.globals[inst.globals[g as usize] as usize].value,
        }
    }

    fn check_import(
        &self,
        inst: &Instance,
        imp: &crate::module::Import,
        ext: Extern,
    ) -> Result<(), Error> {
        let mismatch = |reason: &str| Error::IncompatibleImport {
            module: imp.module.clone(),
            name: imp.name.clone(),
            reason: String::from(reason),
        };
        match (&imp.ty, ext) {
            (ExternType::Func(t), Extern::Func(a)) => {
                if self.funcs.get(a as usize).map(|f| f.type_id) != Some(inst.types[*t as usize]) {
                    return Err(mismatch("function type differs"));
                }
            }
            (ExternType::Table(want), Extern::Table(a)) => {
                let t = &self.tables[a as usize];
                let have = Limits {
                    min: t.elems.len() as u64,
                    max: t.ty.limits.max,
                };
                if t.ty.elem != want.elem || !have.matches(&want.limits) {
                    return Err(mismatch("table type differs"));
                }
            }
            (ExternType::Memory(want), Extern::Memory(a)) => {
                if !self.mems[a as usize].ty().matches(want) {
                    return Err(mismatch("memory limits differ"));
                }
            }
            (ExternType::Global(want), Extern::Global(a)) => {
                if self.globals[a as usize].ty != *want {
                    return Err(mismatch("global type differs"));
                }
            }
            _ => return Err(mismatch("extern kind differs")),
        }
        Ok(())
    }
}

/// `start..start+n` if it fits in `len`.
pub(crate) fn range(start: u32, n: u32, len: usize) -> Option<core::ops::Range<usize>> {
    let end = (start as u64).checked_add(n as u64)?;
    (end <= len as u64).then_some(start as usize..end as usize)
}

fn limit(name: &'static str, asked: u64, allowed: u64) -> Error {
    Error::Limit {
        limit: name,
        asked,
        allowed,
    }
}

/// Resolves imports by `(module, name)` and instantiates: the usual way to link modules together.
#[derive(Default, Clone)]
pub struct Linker {
    defs: alloc::collections::BTreeMap<(String, String), Extern>,
}

impl Linker {
    /// An empty linker.
    pub fn new() -> Self {
        Self::default()
    }

    /// Defines one import.
    pub fn define(&mut self, module: &str, name: &str, ext: Extern) {
        self.defs.insert((module.into(), name.into()), ext);
    }

    /// Defines every export of an instance under a module name.
    pub fn define_instance(&mut self, store: &Store, module: &str, id: u32) {
        let inst = store.instance(id);
        for e in &inst.module.exports {
            if let Some(ext) = inst.export(&e.name) {
                self.define(module, &e.name, ext);
            }
        }
    }

    /// Looks up one definition.
    pub fn get(&self, module: &str, name: &str) -> Option<Extern> {
        self.defs.get(&(module.into(), name.into())).copied()
    }

    /// Resolves the imports and instantiates up to the start function, as
    /// [`Store::instantiate_unstarted`] does.
    pub fn instantiate_unstarted(
        &self,
        store: &mut Store,
        module: Rc<Module>,
    ) -> Result<(u32, Option<u32>), Error> {
        let exts = self.imports(&module)?;
        store.instantiate_unstarted(module, &exts)
    }

    /// What `module` imports, in its import order.
    pub(crate) fn imports(&self, module: &Module) -> Result<Vec<Extern>, Error> {
        let mut exts = vec![];
        for imp in &module.imports {
            exts.push(
                self.get(&imp.module, &imp.name)
                    .ok_or_else(|| Error::UnknownImport {
                        module: imp.module.clone(),
                        name: imp.name.clone(),
                    })?,
            );
        }
        Ok(exts)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn memory(pages: u64, max: Option<u64>) -> MemInst {
        MemInst {
            data: Bytes::zeroed(pages as usize * PAGE_SIZE).unwrap(),
            max,
            page_log2: 16,
        }
    }

    #[test]
    fn growth_keeps_the_bytes_and_adds_zeros() {
        let mut m = memory(1, Some(40));
        m.data[..3].copy_from_slice(b"abc");
        m.data[PAGE_SIZE - 1] = 9;
        for pages in 2..=40 {
            assert_eq!(m.grow(1, MAX_MEMORY_BYTES), Some(pages - 1));
            assert_eq!(m.data.len(), pages as usize * PAGE_SIZE);
            assert_eq!(&m.data[..3], b"abc");
            assert_eq!(m.data[PAGE_SIZE - 1], 9);
            let added = (pages as usize - 1) * PAGE_SIZE;
            assert!(m.data[added..].iter().all(|&b| b == 0));
            // What the program writes at the end stays where it is when the next growth moves it.
            let end = m.data.len() - 1;
            m.data[end] = pages as u8;
            assert_eq!(m.data[end], pages as u8);
        }
        assert!((2..=40).all(|p| m.data[p * PAGE_SIZE - 1] == p as u8));
        assert_eq!(
            m.grow(1, MAX_MEMORY_BYTES),
            None,
            "past the declared maximum"
        );
        assert_eq!(m.pages(), 40);
        let copy = m.clone();
        assert!(copy.data == *m.data);
        assert_eq!(copy.data.len(), m.data.len());
    }

    #[test]
    fn growth_stops_at_the_limit_without_change() {
        let mut m = memory(2, None);
        m.data[0] = 1;
        assert_eq!(m.grow(1, 2 * PAGE_SIZE as u64), None);
        assert_eq!((m.pages(), m.data[0]), (2, 1));
        assert_eq!(m.grow(0, 2 * PAGE_SIZE as u64), Some(2));
        assert_eq!(m.grow(u64::MAX, MAX_MEMORY_BYTES), None);
    }
}
