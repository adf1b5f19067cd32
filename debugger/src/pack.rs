//! Packing a module for a small device: a C module declares whole 64 KiB pages of linear memory,
//! more than a 64 KiB-RAM board has, yet uses only the bytes below its heap base. When it never
//! grows or measures its memory, the memory is cut to those bytes with one-byte pages (the
//! custom-page-sizes proposal); accesses past them trap. Everything else is copied byte for byte,
//! so the code offsets DWARF names stay as they were, and the line table's statement starts are
//! recorded for a device that debugs the module without reading its DWARF.

use runtime_core::module::STATEMENTS_SECTION;
use wasm_encoder::{CustomSection, MemorySection, MemoryType, RawSection};
use wasmparser::{
    ConstExpr, DataKind, ExternalKind, Name, Operator, Parser, Payload, TypeRef, Validator,
};

use crate::dwarf::DwarfInfo;
use crate::error::Error;
use crate::translate::statements;

/// What bounds the bytes a module uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Basis {
    /// The linker's `__heap_base`: stack and static data lie below it.
    HeapBase,
    /// With no heap base named, the highest of: the end of the data segments, the stack
    /// pointer's start, and the end of the variables the DWARF places in memory (zero-initialised
    /// ones have no data segment).
    DataStackAndStatics,
}

/// A packed module and why its memory is the size it is.
#[derive(Debug, Clone)]
pub struct Packed {
    /// The packed module file.
    pub bytes: Vec<u8>,
    /// Bytes the original memory declared at first.
    pub declared: u64,
    /// Bytes the module uses.
    pub used: u64,
    /// What `used` was read from.
    pub basis: Basis,
    /// Bytes of the packed memory (its minimum and maximum).
    pub size: u64,
}

/// The facts about a module's memory use that packing reads.
#[derive(Default)]
struct Uses {
    memory: Option<u64>,
    globals: Vec<Option<u64>>,
    heap_base: Option<u32>,
    stack_pointer: Option<u32>,
    data_end: u64,
}

/// How to pack.
#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    /// Bytes of memory to give the module; `None`: the bytes it uses.
    pub memory: Option<u64>,
    /// Leave the DWARF (`.debug_*` sections) out, for a device whose debugger keeps it on the
    /// host ([`same_code`] checks the two files belong together).
    pub strip_debug: bool,
}

/// Packs `module` as `options` say. Refused, with the reason and where, for a module that is
/// invalid, does not define exactly one memory, may grow or measure it, needs more than the
/// memory asked, or (when stripping) keeps DWARF before its code, whose offsets would move.
pub fn pack(module: &[u8], options: Options) -> Result<Packed, Error> {
    let refuse = |why: String| Error::Module(format!("cannot pack: {why}"));
    Validator::new_with_features(runtime_core::module::features())
        .validate_all(module)
        .map_err(|e| refuse(format!("invalid module: {e}")))?;
    let mut uses = Uses::default();
    for payload in Parser::new(0).parse_all(module) {
        uses.read(&payload.map_err(|e| refuse(e.to_string()))?)
            .map_err(refuse)?;
    }
    let declared = uses
        .memory
        .ok_or_else(|| refuse("the module defines no memory".into()))?;
    let (used, basis) = match uses.heap_base.and_then(|g| uses.global(g)) {
        Some(base) => (base, Basis::HeapBase),
        None => {
            let stack = uses.stack_pointer.and_then(|g| uses.global(g));
            let statics = DwarfInfo::load_all(module)?.statics_end()?.ok_or_else(|| {
                refuse(
                    "the module names neither `__heap_base` nor, in DWARF, its static variables, \
                     so the bytes it uses are unknown (link with -Wl,--export=__heap_base, or \
                     build with -g)"
                        .into(),
                )
            })?;
            let used = uses.data_end.max(stack.unwrap_or(0)).max(statics);
            (used, Basis::DataStackAndStatics)
        }
    };
    let size = options.memory.unwrap_or(used);
    if size < used {
        return Err(refuse(format!(
            "the module uses {used} bytes of memory ({}), more than the {size} asked",
            basis.describe()
        )));
    }
    if size > declared {
        return Err(refuse(format!(
            "{size} bytes is more than the {declared} the module declares"
        )));
    }
    let mut memory = MemorySection::new();
    memory.memory(MemoryType {
        minimum: size,
        maximum: Some(size),
        memory64: false,
        shared: false,
        page_size_log2: Some(0),
    });
    // The statement starts are read from the packed file, whose code the new memory section
    // moved, before any DWARF is stripped.
    let full = copy(module, &memory, false, None)?;
    let starts: Vec<u8> = statements(&full)?
        .iter()
        .flat_map(|s| s.to_le_bytes())
        .collect();
    let recorded = CustomSection {
        name: STATEMENTS_SECTION.into(),
        data: starts.into(),
    };
    let bytes = copy(&full, &memory, options.strip_debug, Some(&recorded))?;
    Ok(Packed {
        bytes,
        declared,
        used,
        basis,
        size,
    })
}

/// Copies `module` section by section with `memory` for its memory section, without a recorded
/// statements section, without DWARF when `strip`, and with `extra` at the end.
fn copy(
    module: &[u8],
    memory: &MemorySection,
    strip: bool,
    extra: Option<&CustomSection<'_>>,
) -> Result<Vec<u8>, Error> {
    let refuse = |why: String| Error::Module(format!("cannot pack: {why}"));
    let mut out = wasm_encoder::Module::new();
    let mut code_seen = false;
    for payload in Parser::new(0).parse_all(module) {
        let payload = payload.map_err(|e| refuse(e.to_string()))?;
        code_seen |= matches!(payload, Payload::CodeSectionStart { .. });
        match (&payload, payload.as_section()) {
            (_, Some((id, _))) if id == wasm_encoder::SectionId::Memory as u8 => {
                out.section(memory);
            }
            (Payload::CustomSection(c), _) if c.name() == STATEMENTS_SECTION => {}
            (Payload::CustomSection(c), _) if strip && c.name().starts_with(".debug_") => {
                if !code_seen {
                    return Err(refuse(format!(
                        "the DWARF section {} comes before the code, which stripping it would move",
                        c.name()
                    )));
                }
            }
            (_, Some((id, range))) => {
                out.section(&RawSection {
                    id,
                    data: &module[range.start as usize..range.end as usize],
                });
            }
            (_, None) => {}
        }
    }
    if let Some(extra) = extra {
        out.section(extra);
    }
    Ok(out.finish())
}

impl Basis {
    /// Names the bound for a message: what the bytes below it hold.
    pub fn describe(self) -> &'static str {
        match self {
            Basis::HeapBase => "below __heap_base",
            Basis::DataStackAndStatics => "its data segments, stack and static variables",
        }
    }
}

impl Uses {
    /// The constant start value of global `g`, when it is an `i32.const`.
    fn global(&self, g: u32) -> Option<u64> {
        self.globals.get(g as usize).copied().flatten()
    }

    fn read(&mut self, payload: &Payload<'_>) -> Result<(), String> {
        match payload {
            Payload::ImportSection(r) => {
                for imp in r.clone().into_imports() {
                    let imp = imp.map_err(|e| e.to_string())?;
                    match imp.ty {
                        TypeRef::Memory(_) => {
                            return Err(format!(
                                "the module imports its memory ({}::{}); only a memory it defines can be cut",
                                imp.module, imp.name
                            ));
                        }
                        TypeRef::Global(_) => self.globals.push(None),
                        _ => {}
                    }
                }
            }
            Payload::MemorySection(r) => {
                if r.count() != 1 || self.memory.is_some() {
                    return Err(format!("the module has {} memories, not one", r.count()));
                }
                for m in r.clone() {
                    let m = m.map_err(|e| e.to_string())?;
                    let page = 1u64 << m.page_size_log2.unwrap_or(16);
                    self.memory = Some(m.initial.saturating_mul(page));
                }
            }
            Payload::GlobalSection(r) => {
                for g in r.clone() {
                    let g = g.map_err(|e| e.to_string())?;
                    self.globals.push(i32_const(&g.init_expr));
                }
            }
            Payload::ExportSection(r) => {
                for e in r.clone() {
                    let e = e.map_err(|e| e.to_string())?;
                    if e.kind == ExternalKind::Global && e.name == "__heap_base" {
                        self.heap_base = Some(e.index);
                    }
                }
            }
            Payload::DataSection(r) => {
                for d in r.clone() {
                    let d = d.map_err(|e| e.to_string())?;
                    if let DataKind::Active { offset_expr, .. } = d.kind {
                        let at = i32_const(&offset_expr).ok_or_else(|| {
                            format!(
                                "the data segment at offset {:#x} is placed by a global, so its end is unknown",
                                d.range.start
                            )
                        })?;
                        self.data_end = self.data_end.max(at + d.data.len() as u64);
                    }
                }
            }
            Payload::CodeSectionEntry(body) => {
                let mut ops = body.get_operators_reader().map_err(|e| e.to_string())?;
                while !ops.eof() {
                    let (op, at) = ops.read_with_offset().map_err(|e| e.to_string())?;
                    let what = match op {
                        Operator::MemoryGrow { .. } => "memory.grow",
                        Operator::MemorySize { .. } => "memory.size",
                        _ => continue,
                    };
                    return Err(format!(
                        "{what} at code offset {at:#x}: the program may grow or measure its memory, so it cannot be cut"
                    ));
                }
            }
            Payload::CustomSection(c) => {
                if let wasmparser::KnownCustom::Name(names) = c.as_known() {
                    for name in names {
                        let Ok(Name::Global(map)) = name else {
                            continue;
                        };
                        for n in map.into_iter().flatten() {
                            match n.name {
                                "__heap_base" => self.heap_base = self.heap_base.or(Some(n.index)),
                                "__stack_pointer" => self.stack_pointer = Some(n.index),
                                _ => {}
                            }
                        }
                    }
                }
            }
            _ => {}
        }
        Ok(())
    }
}

/// The value of a constant expression that is one `i32.const`, as an unsigned address.
fn i32_const(expr: &ConstExpr<'_>) -> Option<u64> {
    let mut ops = expr.get_operators_reader();
    match (ops.read().ok()?, ops.read().ok()?) {
        (Operator::I32Const { value }, Operator::End) => Some(u64::from(value as u32)),
        _ => None,
    }
}

/// Checks that `stripped` (what a device serves) and `full` (the host's file with its DWARF) are
/// one module packed twice: the same bytes up to the end of the code section, so every code
/// offset names the same instruction in both.
pub fn same_code(stripped: &[u8], full: &[u8]) -> Result<(), Error> {
    let end = |bytes: &[u8]| -> Result<usize, Error> {
        let (_, code) = runtime_core::Module::sections(bytes)?;
        code.map(|c| c.end)
            .ok_or_else(|| Error::Module("the module has no code section".into()))
    };
    let n = end(stripped)?;
    if end(full)? != n || stripped[..n] != full[..n] {
        return Err(Error::Module(
            "the target's module is not this file: their code differs (pack both from one module)"
                .into(),
        ));
    }
    Ok(())
}
