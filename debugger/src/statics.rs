//! What expressions read values from: the selected frame of the stopped program, or, before `run`
//! and after the program has ended, the module's memory as instantiation would leave it (its
//! active data segments over zeroed pages), read-only and with no frame, as gdb reads a program's
//! static data from its executable before it runs.

use wasmparser::{DataKind, Operator, Parser, Payload, TypeRef};

use crate::dwarf::WasmState;
use crate::error::Error;
use crate::frame::FrameInfo;
use crate::target::Target;

/// The module's linear memory before it runs: its initial size and the active data segments
/// that fill it, each at its offset.
pub(crate) struct StaticMemory<'a> {
    /// Bytes of memory 0 at instantiation: its initial pages.
    size: u64,
    /// Active segments of memory 0 with a constant offset, in instantiation order.
    segments: Vec<(u64, &'a [u8])>,
    /// Each global's initial value when it is a constant (imported ones are unknown).
    globals: Vec<Option<u64>>,
}

impl<'a> StaticMemory<'a> {
    /// Reads memory 0's initial size, its active data segments and the globals' initial values
    /// from a module's bytes.
    pub(crate) fn of(bytes: &'a [u8]) -> Result<StaticMemory<'a>, Error> {
        let mut memory = StaticMemory {
            size: 0,
            segments: Vec::new(),
            globals: Vec::new(),
        };
        let mut memories = Vec::new();
        let bad = |e: wasmparser::BinaryReaderError| Error::from(runtime_core::Error::from(e));
        for payload in Parser::new(0).parse_all(bytes) {
            match payload.map_err(bad)? {
                Payload::ImportSection(r) => {
                    for import in r.into_imports() {
                        match import.map_err(bad)?.ty {
                            TypeRef::Memory(m) => memories.push(m),
                            TypeRef::Global(_) => memory.globals.push(None),
                            _ => {}
                        }
                    }
                }
                Payload::MemorySection(r) => {
                    for m in r {
                        memories.push(m.map_err(bad)?);
                    }
                }
                Payload::GlobalSection(r) => {
                    for g in r {
                        let init = constant(&g.map_err(bad)?.init_expr, &memory.globals);
                        memory.globals.push(init);
                    }
                }
                Payload::DataSection(r) => {
                    for d in r {
                        let d = d.map_err(bad)?;
                        if let DataKind::Active {
                            memory_index: 0,
                            offset_expr,
                        } = d.kind
                            && let Some(at) = constant(&offset_expr, &memory.globals)
                        {
                            memory.segments.push((at, d.data));
                        }
                    }
                }
                _ => {}
            }
        }
        if let Some(m) = memories.first() {
            let page = 1u64 << m.page_size_log2.unwrap_or(16);
            memory.size = m.initial.saturating_mul(page);
        }
        Ok(memory)
    }
}

/// The value of a constant expression (`i32.const`, `i64.const`, or `global.get` of a global
/// already known), as raw bits; `None` for anything else.
pub(crate) fn constant(e: &wasmparser::ConstExpr<'_>, globals: &[Option<u64>]) -> Option<u64> {
    match e.get_operators_reader().read().ok()? {
        Operator::I32Const { value } => Some(u64::from(value as u32)),
        Operator::I64Const { value } => Some(value as u64),
        Operator::GlobalGet { global_index } => *globals.get(global_index as usize)?,
        _ => None,
    }
}

impl WasmState for StaticMemory<'_> {
    fn local(&self, _: u32) -> Result<Option<u64>, Error> {
        Err(Error::NoFrame)
    }
    fn global(&self, index: u32) -> Result<Option<u64>, Error> {
        Ok(self.globals.get(index as usize).copied().flatten())
    }
    fn stack(&self, _: u32) -> Result<Option<u64>, Error> {
        Err(Error::NoFrame)
    }
    fn memory(&self, addr: u64, len: usize) -> Result<Vec<u8>, Error> {
        let end = addr.checked_add(len as u64).filter(|&e| e <= self.size);
        let Some(end) = end else {
            return Err(Error::Memory {
                addr,
                len,
                size: self.size,
            });
        };
        let mut out = vec![0; len];
        for &(at, data) in &self.segments {
            let from = at.max(addr);
            let to = at.saturating_add(data.len() as u64).min(end);
            if from < to {
                out[(from - addr) as usize..(to - addr) as usize]
                    .copy_from_slice(&data[(from - at) as usize..(to - at) as usize]);
            }
        }
        Ok(out)
    }
}

/// One Wasm frame of a stopped program, as location expressions read it.
pub struct FrameState<'a> {
    pub(crate) target: &'a dyn Target,
    pub(crate) frame: usize,
}

impl WasmState for FrameState<'_> {
    fn local(&self, index: u32) -> Result<Option<u64>, Error> {
        self.target.local(self.frame, index)
    }
    fn global(&self, index: u32) -> Result<Option<u64>, Error> {
        self.target.global(index)
    }
    fn stack(&self, index: u32) -> Result<Option<u64>, Error> {
        self.target.stack(self.frame, index)
    }
    fn memory(&self, addr: u64, len: usize) -> Result<Vec<u8>, Error> {
        self.target.memory(addr, len)
    }
}

/// Where a value is read from: a frame of the stopped program, or its static memory alone.
pub(crate) enum State<'a> {
    /// A Wasm frame of the program.
    Frame(FrameState<'a>),
    /// The module's memory before it runs.
    Static(StaticMemory<'a>),
}

impl WasmState for State<'_> {
    fn local(&self, index: u32) -> Result<Option<u64>, Error> {
        match self {
            State::Frame(f) => f.local(index),
            State::Static(s) => s.local(index),
        }
    }
    fn global(&self, index: u32) -> Result<Option<u64>, Error> {
        match self {
            State::Frame(f) => f.global(index),
            State::Static(s) => s.global(index),
        }
    }
    fn stack(&self, index: u32) -> Result<Option<u64>, Error> {
        match self {
            State::Frame(f) => f.stack(index),
            State::Static(s) => s.stack(index),
        }
    }
    fn memory(&self, addr: u64, len: usize) -> Result<Vec<u8>, Error> {
        match self {
            State::Frame(f) => f.memory(addr, len),
            State::Static(s) => s.memory(addr, len),
        }
    }
}

/// What an expression sees: the frame it is evaluated in (none before `run`) and where its
/// values are read from.
pub(crate) struct View<'a> {
    /// The frame, while a program runs.
    pub frame: Option<FrameInfo>,
    /// Its memory, globals and locals.
    pub state: State<'a>,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A module with one page of memory, a global at 0x10 and two segments, the second
    /// overwriting part of the first.
    fn bytes() -> Vec<u8> {
        let mut m = wasm_encoder::Module::new();
        let mut mem = wasm_encoder::MemorySection::new();
        mem.memory(wasm_encoder::MemoryType {
            minimum: 1,
            maximum: None,
            memory64: false,
            shared: false,
            page_size_log2: None,
        });
        m.section(&mem);
        let mut globals = wasm_encoder::GlobalSection::new();
        globals.global(
            wasm_encoder::GlobalType {
                val_type: wasm_encoder::ValType::I32,
                mutable: false,
                shared: false,
            },
            &wasm_encoder::ConstExpr::i32_const(0x10),
        );
        m.section(&globals);
        let mut data = wasm_encoder::DataSection::new();
        data.active(0, &wasm_encoder::ConstExpr::i32_const(0x10), [1, 2, 3, 4]);
        data.active(0, &wasm_encoder::ConstExpr::global_get(0), [9]);
        m.section(&data);
        m.finish()
    }

    #[test]
    fn static_memory_is_the_segments_over_zeroed_pages() {
        let b = bytes();
        let m = StaticMemory::of(&b).unwrap();
        assert_eq!(m.memory(0x0e, 6).unwrap(), [0, 0, 9, 2, 3, 4]);
        assert_eq!(m.memory(0xfffc, 4).unwrap(), [0; 4]);
        assert_eq!(m.global(0).unwrap(), Some(0x10));
        let past = m.memory(0xfffe, 4).unwrap_err().to_string();
        assert_eq!(
            past,
            "Cannot access memory at address 0xfffe (4 bytes; memory is 65536 bytes)"
        );
        assert!(
            m.memory(u64::MAX, 2).is_err(),
            "an end past 2^64 is refused"
        );
        assert!(matches!(m.local(0), Err(Error::NoFrame)));
    }
}
