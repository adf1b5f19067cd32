//! A decoded, validated and translated module: everything instantiation and execution need, plus the
//! byte offsets and names a debugger maps back to.

use alloc::boxed::Box;
use alloc::string::String;
use alloc::vec::Vec;
use core::cell::{Cell, RefCell};
use core::ops::Range;

use wasmparser::{
    ExternalKind, Name, NameSectionReader, Operator, Parser, Payload, TypeRef, WasmFeatures,
};

use crate::error::Error;
use crate::instr::Instr;
use crate::value::{Val, ValType};

/// A function signature.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct FuncType {
    /// Parameter types.
    pub params: Box<[ValType]>,
    /// Result types.
    pub results: Box<[ValType]>,
}

impl FuncType {
    /// Builds a signature from parameter and result types.
    pub fn new(params: impl Into<Box<[ValType]>>, results: impl Into<Box<[ValType]>>) -> Self {
        FuncType {
            params: params.into(),
            results: results.into(),
        }
    }

    fn from_wasmparser(f: &wasmparser::FuncType) -> Self {
        FuncType::new(
            f.params().iter().map(|&t| t.into()).collect::<Vec<_>>(),
            f.results().iter().map(|&t| t.into()).collect::<Vec<_>>(),
        )
    }
}

/// Size limits of a table or memory (in elements or 64 KiB pages).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Initial size.
    pub min: u64,
    /// Maximum size, if declared.
    pub max: Option<u64>,
}

impl Limits {
    /// Spec import matching: `self` (the provided extern) fits the `wanted` declaration.
    pub fn matches(&self, wanted: &Limits) -> bool {
        self.min >= wanted.min
            && match (self.max, wanted.max) {
                (_, None) => true,
                (Some(have), Some(want)) => have <= want,
                (None, Some(_)) => false,
            }
    }
}

/// A linear memory declaration: limits in pages of `1 << page_log2` bytes (16, or 0 under the
/// custom-page-sizes proposal, which lets a small device hold a memory smaller than 64 KiB).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MemoryType {
    /// Size limits in pages.
    pub limits: Limits,
    /// Base-2 logarithm of the page size in bytes.
    pub page_log2: u8,
}

impl MemoryType {
    /// A memory of standard 64 KiB pages.
    pub fn new(limits: Limits) -> MemoryType {
        MemoryType {
            limits,
            page_log2: 16,
        }
    }

    /// Bytes in one page.
    pub fn page_size(&self) -> u64 {
        1 << self.page_log2
    }

    /// Spec import matching: same page size and limits that fit.
    pub fn matches(&self, wanted: &MemoryType) -> bool {
        self.page_log2 == wanted.page_log2 && self.limits.matches(&wanted.limits)
    }
}

impl From<&wasmparser::MemoryType> for MemoryType {
    fn from(t: &wasmparser::MemoryType) -> MemoryType {
        MemoryType {
            limits: Limits {
                min: t.initial,
                max: t.maximum,
            },
            // Validation allows only 0 and 16.
            page_log2: t.page_size_log2.unwrap_or(16) as u8,
        }
    }
}

/// A table declaration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TableType {
    /// Element reference type.
    pub elem: ValType,
    /// Size limits in elements.
    pub limits: Limits,
}

/// A global declaration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GlobalType {
    /// Value type.
    pub ty: ValType,
    /// Whether `global.set` may change it.
    pub mutable: bool,
}

/// What an import or export refers to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExternType {
    /// A function of the module type with this index.
    Func(u32),
    /// A table.
    Table(TableType),
    /// A linear memory.
    Memory(MemoryType),
    /// A global.
    Global(GlobalType),
}

/// One import of the module.
#[derive(Debug, Clone)]
pub struct Import {
    /// Module name.
    pub module: String,
    /// Field name.
    pub name: String,
    /// What is imported.
    pub ty: ExternType,
}

/// One export of the module.
#[derive(Debug, Clone)]
pub struct Export {
    /// Export name.
    pub name: String,
    /// Index space of the export.
    pub kind: ExternalKind,
    /// Index within that space.
    pub index: u32,
}

/// A constant expression (offsets, global initialisers, element items), as Wasm 2.0 allows them.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ConstExpr {
    /// A literal value.
    Value(Val),
    /// A null reference.
    RefNull,
    /// A reference to a function of this module.
    RefFunc(u32),
    /// The value of a (previously defined or imported) global.
    GlobalGet(u32),
}

/// Where a data or element segment goes at instantiation.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum SegmentMode {
    /// Copied into the table or memory `index` at `offset` during instantiation, then dropped.
    Active {
        /// Table or memory index.
        index: u32,
        /// Start offset.
        offset: ConstExpr,
    },
    /// Kept for `memory.init` / `table.init`.
    Passive,
    /// Declares `ref.func` targets only; dropped at instantiation.
    Declared,
}

/// An element segment.
#[derive(Debug, Clone)]
pub struct ElemSegment {
    /// Placement.
    pub mode: SegmentMode,
    /// Reference items.
    pub items: Vec<ConstExpr>,
    /// Module-file byte offset of the segment.
    pub at: u64,
}

/// A data segment.
#[derive(Debug, Clone)]
pub struct DataSegment {
    /// Placement.
    pub mode: SegmentMode,
    /// Bytes.
    pub bytes: Vec<u8>,
    /// Module-file byte offset of the segment.
    pub at: u64,
}

/// A translated function body.
#[derive(Debug)]
pub struct FuncBody {
    /// Module type index of the function.
    pub type_idx: u32,
    /// Parameter count followed by declared locals: the frame's local slots.
    pub locals: Box<[ValType]>,
    /// Number of parameters (the first slots of `locals`).
    pub num_params: u32,
    /// Highest operand stack height the body can reach.
    pub max_height: u32,
    /// Internal code; cells so break markers can be swapped in while threads are paused in it.
    /// Private to the crate: the interpreter trusts it as translation made it.
    pub(crate) code: Box<[Cell<Instr>]>,
    /// The instructions break markers cover, by pc: at most one entry per pc.
    pub(crate) covered: RefCell<Vec<(u32, Instr)>>,
    /// Module-file byte offset of the Wasm operator behind each internal instruction.
    pub offsets: Box<[u32]>,
    /// Wasm operand stack height before each internal instruction; exact in debug translation
    /// and at boundaries.
    pub heights: Box<[u32]>,
    /// In a translation with boundaries, where [`FuncBody::offsets`] is the first operator each
    /// instruction stands for: the offset of the operator it executes (a call, a trapping load);
    /// empty otherwise.
    pub operators: Box<[u32]>,
    /// At boundaries, the operands not in their slots yet, by pc and stack position, sorted: the
    /// speed translation leaves `local.get` and constants unwritten until used, and a debugger
    /// stopped there reads them from here.
    pub pending: Box<[(u32, u32, Pending)]>,
}

/// An operand the code has not written to its slot yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pending {
    /// The current value of this local.
    Local(u32),
    /// This constant, raw.
    Const(u64),
}

impl FuncBody {
    /// The number of internal instructions.
    pub fn len(&self) -> usize {
        self.code.len()
    }

    /// Whether the body has no instructions (translation always ends one with a return).
    pub fn is_empty(&self) -> bool {
        self.code.is_empty()
    }

    /// The internal instruction at `pc` as it runs now (a break marker where one is set).
    pub fn instr(&self, pc: u32) -> Option<Instr> {
        self.code.get(pc as usize).map(Cell::get)
    }

    /// The instruction translation put at `pc`, looking under a break marker.
    pub fn original(&self, pc: u32) -> Option<Instr> {
        match self.instr(pc)? {
            Instr::Break(_) => self
                .covered
                .borrow()
                .iter()
                .find(|(at, _)| *at == pc)
                .map(|(_, i)| *i),
            other => Some(other),
        }
    }

    /// Swaps in a break marker with `id` at `pc`, keeping what it covers; `None` past the end.
    pub(crate) fn set_break(&self, pc: u32, id: u32) -> Option<()> {
        let cell = self.code.get(pc as usize)?;
        if !matches!(cell.get(), Instr::Break(_)) {
            self.covered.borrow_mut().push((pc, cell.get()));
        }
        cell.set(Instr::Break(id));
        Some(())
    }

    /// Puts back what the break marker at `pc` covers; `false` without one.
    pub(crate) fn clear_break(&self, pc: u32) -> bool {
        let mut covered = self.covered.borrow_mut();
        let Some(i) = covered.iter().position(|(at, _)| *at == pc) else {
            return false;
        };
        let (_, original) = covered.swap_remove(i);
        self.code[pc as usize].set(original);
        true
    }

    /// The operands of the frame stopped before instruction `pc` (locals first, then the operand
    /// stack in `slots`), with those not written yet filled in.
    pub fn operand_values(&self, pc: u32, slots: &[u64]) -> Vec<u64> {
        let locals = self.locals.len();
        let height = self.heights.get(pc as usize).copied().unwrap_or(0) as usize;
        let mut values: Vec<u64> = slots.iter().skip(locals).take(height).copied().collect();
        let from = self.pending.partition_point(|p| p.0 < pc);
        for &(_, pos, p) in self.pending[from..].iter().take_while(|p| p.0 == pc) {
            if let Some(v) = values.get_mut(pos as usize) {
                *v = match p {
                    Pending::Local(x) => slots.get(x as usize).copied().unwrap_or(0),
                    Pending::Const(c) => c,
                };
            }
        }
        values
    }

    /// The module-file offset of the Wasm operator instruction `pc` executes.
    pub fn operator_offset(&self, pc: u32) -> Option<u32> {
        let pc = pc as usize;
        self.operators.get(pc).or(self.offsets.get(pc)).copied()
    }

    /// The internal pc of the first instruction at or after a module-file offset.
    pub fn pc_at_offset(&self, offset: u32) -> Option<u32> {
        let pc = self.offsets.partition_point(|&o| o < offset);
        (pc < self.offsets.len()).then_some(pc as u32)
    }
}

/// How function bodies are translated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Translation<'b> {
    /// For speed: operands stay symbolic until used, comparisons fuse into branches.
    Speed,
    /// Every Wasm operand in its frame slot at every instruction boundary, comparisons not fused:
    /// what a debugger inspects and steps through ([`Module::new_for_debugging`]).
    Debugging,
    /// For speed, with an instruction starting at each of these sorted module-file offsets (a
    /// debugger's statement starts) that code reaches ([`Module::new_with_boundaries`]).
    Boundaries(&'b [u32]),
}

/// The custom section in which `wrt-dbg pack` records the line table's statement starts (module
/// file offsets, little-endian `u32`s), for [`Module::new_with_recorded_boundaries`].
pub const STATEMENTS_SECTION: &str = "wrt.statements";

/// A custom section's name and where its payload sits in the module file.
#[derive(Debug, Clone)]
pub struct CustomSection {
    /// Section name (e.g. `.debug_info`, `name`).
    pub name: String,
    /// Payload range in the module file.
    pub range: Range<usize>,
}

impl CustomSection {
    /// Where custom section `c` sits in its module file, and its name.
    fn of(c: &wasmparser::CustomSectionReader<'_>) -> CustomSection {
        CustomSection {
            name: c.name().into(),
            range: c.data_offset() as usize..c.range().end as usize,
        }
    }
}

/// A validated module, ready to instantiate any number of times.
#[derive(Debug)]
pub struct Module {
    pub(crate) types: Vec<FuncType>,
    pub(crate) imports: Vec<Import>,
    /// Type index of every function, imported ones first.
    pub(crate) func_types: Vec<u32>,
    pub(crate) num_imported_funcs: u32,
    pub(crate) tables: Vec<TableType>,
    pub(crate) memories: Vec<MemoryType>,
    pub(crate) globals: Vec<(GlobalType, ConstExpr)>,
    pub(crate) exports: Vec<Export>,
    pub(crate) start: Option<u32>,
    pub(crate) elems: Vec<ElemSegment>,
    pub(crate) datas: Vec<DataSegment>,
    pub(crate) bodies: Vec<alloc::rc::Rc<FuncBody>>,
    /// Function names from the `name` section, in one string: `(function index, end in
    /// `names_text`)` in index order, each name starting where the previous one ended.
    func_names: Vec<(u32, u32)>,
    names_text: String,
    code_section: Option<Range<usize>>,
    customs: Vec<CustomSection>,
}

/// The Wasm features this interpreter runs: the 2.0 core spec without SIMD.
pub fn features() -> WasmFeatures {
    (WasmFeatures::WASM2 | WasmFeatures::CUSTOM_PAGE_SIZES) & !WasmFeatures::SIMD
}

impl Module {
    /// The statement starts recorded in a module binary's [`STATEMENTS_SECTION`] (none when it
    /// has none).
    pub fn recorded_statements(bytes: &[u8]) -> Result<Vec<u32>, Error> {
        let (customs, _) = Module::sections(bytes)?;
        let recorded = customs
            .iter()
            .find(|c| c.name == STATEMENTS_SECTION)
            .map_or(&[][..], |c| &bytes[c.range.clone()]);
        Ok(recorded
            .chunks_exact(4)
            .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            .collect())
    }

    /// The custom sections of a module binary and the range of its code section, read without
    /// validating or translating it (what a debugger needs to find its line table first).
    pub fn sections(bytes: &[u8]) -> Result<(Vec<CustomSection>, Option<Range<usize>>), Error> {
        let mut customs = Vec::new();
        let mut code = None;
        let mut parser = Parser::new(0);
        parser.set_features(features());
        for payload in parser.parse_all(bytes) {
            match payload? {
                Payload::CodeSectionStart {
                    unchecked_range, ..
                } => code = Some(unchecked_range.start as usize..unchecked_range.end as usize),
                Payload::CustomSection(c) => customs.push(CustomSection::of(&c)),
                _ => {}
            }
        }
        Ok((customs, code))
    }

    /// A module with nothing read yet, which the admission pass fills section by section.
    pub(crate) fn empty() -> Module {
        Module {
            types: Vec::new(),
            imports: Vec::new(),
            func_types: Vec::new(),
            num_imported_funcs: 0,
            tables: Vec::new(),
            memories: Vec::new(),
            globals: Vec::new(),
            exports: Vec::new(),
            start: None,
            elems: Vec::new(),
            datas: Vec::new(),
            bodies: Vec::new(),
            func_names: Vec::new(),
            names_text: String::new(),
            code_section: None,
            customs: Vec::new(),
        }
    }

    /// Reads what a validated section other than the code declares; `shift` is what the
    /// admission pass dropped before it (custom sections), added to the offsets it keeps.
    pub(crate) fn read_payload(&mut self, payload: Payload<'_>, shift: u64) -> Result<(), Error> {
        match payload {
            Payload::TypeSection(r) => {
                for group in r {
                    for sub in group?.into_types() {
                        self.types
                            .push(FuncType::from_wasmparser(sub.unwrap_func()));
                    }
                }
            }
            Payload::ImportSection(r) => {
                for imp in r.into_imports() {
                    let imp = imp?;
                    let ty = match imp.ty {
                        TypeRef::Func(t) | TypeRef::FuncExact(t) => {
                            self.func_types.push(t);
                            self.num_imported_funcs += 1;
                            ExternType::Func(t)
                        }
                        TypeRef::Table(t) => ExternType::Table(table_type(&t)),
                        TypeRef::Memory(t) => ExternType::Memory(MemoryType::from(&t)),
                        TypeRef::Global(g) => ExternType::Global(global_type(&g)),
                        TypeRef::Tag(_) => unreachable_feature("tag import")?,
                    };
                    match &ty {
                        ExternType::Table(t) => self.tables.push(*t),
                        ExternType::Memory(l) => self.memories.push(*l),
                        _ => {}
                    }
                    self.imports.push(Import {
                        module: imp.module.into(),
                        name: imp.name.into(),
                        ty,
                    });
                }
            }
            Payload::FunctionSection(r) => {
                for t in r {
                    self.func_types.push(t?);
                }
            }
            Payload::TableSection(r) => {
                for t in r {
                    let t = t?;
                    if !matches!(t.init, wasmparser::TableInit::RefNull) {
                        unreachable_feature("table initialiser expression")?;
                    }
                    self.tables.push(table_type(&t.ty));
                }
            }
            Payload::MemorySection(r) => {
                for t in r {
                    let t = t?;
                    self.memories.push(MemoryType::from(&t));
                }
            }
            Payload::GlobalSection(r) => {
                for g in r {
                    let g = g?;
                    self.globals
                        .push((global_type(&g.ty), const_expr(&g.init_expr)?));
                }
            }
            Payload::ExportSection(r) => {
                for e in r {
                    let e = e?;
                    self.exports.push(Export {
                        name: e.name.into(),
                        kind: e.kind,
                        index: e.index,
                    });
                }
            }
            Payload::StartSection { func, .. } => self.start = Some(func),
            Payload::ElementSection(r) => {
                for e in r {
                    let e = e?;
                    let mode = match e.kind {
                        wasmparser::ElementKind::Passive => SegmentMode::Passive,
                        wasmparser::ElementKind::Declared => SegmentMode::Declared,
                        wasmparser::ElementKind::Active {
                            table_index,
                            offset_expr,
                        } => SegmentMode::Active {
                            index: table_index.unwrap_or(0),
                            offset: const_expr(&offset_expr)?,
                        },
                    };
                    let mut items = Vec::new();
                    match e.items {
                        wasmparser::ElementItems::Functions(fs) => {
                            for f in fs {
                                items.push(ConstExpr::RefFunc(f?));
                            }
                        }
                        wasmparser::ElementItems::Expressions(_, es) => {
                            for x in es {
                                items.push(const_expr(&x?)?);
                            }
                        }
                    }
                    let at = e.range.start + shift;
                    self.elems.push(ElemSegment { mode, items, at });
                }
            }
            Payload::DataSection(r) => {
                for d in r {
                    let d = d?;
                    let mode = match d.kind {
                        wasmparser::DataKind::Passive => SegmentMode::Passive,
                        wasmparser::DataKind::Active {
                            memory_index,
                            offset_expr,
                        } => SegmentMode::Active {
                            index: memory_index,
                            offset: const_expr(&offset_expr)?,
                        },
                    };
                    self.datas.push(DataSegment {
                        mode,
                        bytes: d.data.to_vec(),
                        at: d.range.start + shift,
                    });
                }
            }
            Payload::CodeSectionStart {
                unchecked_range, ..
            } => {
                let shift = shift as usize;
                self.code_section = Some(
                    unchecked_range.start as usize + shift..unchecked_range.end as usize + shift,
                )
            }
            _ => {}
        }
        Ok(())
    }

    /// Records a custom section; a `name` section's function names are kept (`data` is its
    /// payload) and a malformed one, which the spec does not make an error, kept as far as it reads.
    pub(crate) fn read_custom(&mut self, section: CustomSection, data: Option<&[u8]>) {
        if let Some(data) = data.filter(|_| section.name == "name") {
            self.read_names(data, section.range.start as u64);
        }
        self.customs.push(section);
    }

    fn read_names(&mut self, data: &[u8], offset: u64) {
        let reader = NameSectionReader::new(wasmparser::BinaryReader::new(data, offset));
        for name in reader.into_iter().map_while(Result::ok) {
            if let Name::Function(map) = name {
                for naming in map.into_iter().map_while(Result::ok) {
                    // The spec orders names by index; an entry out of order is passed over.
                    if self.func_names.last().is_some_and(|l| l.0 >= naming.index) {
                        continue;
                    }
                    self.names_text.push_str(naming.name);
                    let end = u32::try_from(self.names_text.len()).unwrap_or(u32::MAX);
                    self.func_names.push((naming.index, end));
                }
            }
        }
        // Held for the module's life: no spare capacity, so the budget can count them exactly.
        self.func_names.shrink_to_fit();
        self.names_text.shrink_to_fit();
    }

    /// The signature of function `idx` (imports first).
    /// `None` for an index past the module's functions.
    pub fn func_type(&self, idx: u32) -> Option<&FuncType> {
        self.types.get(*self.func_types.get(idx as usize)? as usize)
    }

    /// The signature behind a module type index.
    /// `None` for an index past the module's types.
    pub fn type_at(&self, idx: u32) -> Option<&FuncType> {
        self.types.get(idx as usize)
    }

    /// Number of functions, imported ones included.
    pub fn num_funcs(&self) -> u32 {
        self.func_types.len() as u32
    }

    /// Number of imported functions (the first function indices).
    pub fn num_imported_funcs(&self) -> u32 {
        self.num_imported_funcs
    }

    /// The translated body of function `idx`, if it is defined here rather than imported.
    pub fn body(&self, idx: u32) -> Option<&FuncBody> {
        let i = idx.checked_sub(self.num_imported_funcs)?;
        self.bodies.get(i as usize).map(|b| &**b)
    }

    /// The module-file offset where internal `pc` of function `idx` stands: its Wasm operator,
    /// or the debugger's boundary (statement start) it begins.
    pub fn offset(&self, idx: u32, pc: u32) -> Option<u32> {
        self.body(idx)?.offsets.get(pc as usize).copied()
    }

    /// The module-file offset of the Wasm operator internal `pc` of function `idx` executes
    /// (a call, a trapping load), even where the instruction begins a boundary before it.
    pub fn operator_offset(&self, idx: u32, pc: u32) -> Option<u32> {
        self.body(idx)?.operator_offset(pc)
    }

    /// The function's name from the `name` section, if any.
    pub fn func_name(&self, idx: u32) -> Option<&str> {
        let i = self.func_names.binary_search_by_key(&idx, |n| n.0).ok()?;
        let start = i.checked_sub(1).map_or(0, |p| self.func_names[p].1) as usize;
        self.names_text.get(start..self.func_names[i].1 as usize)
    }

    /// Range of the code section payload in the module file; DWARF code addresses are relative to its start.
    pub fn code_section(&self) -> Option<Range<usize>> {
        self.code_section.clone()
    }

    /// Custom sections in file order.
    pub fn custom_sections(&self) -> &[CustomSection] {
        &self.customs
    }

    /// The type of every global in the index space: the imported ones, then those defined.
    pub fn global_types(&self) -> impl Iterator<Item = GlobalType> + '_ {
        let imported = self.imports.iter().filter_map(|i| match i.ty {
            ExternType::Global(g) => Some(g),
            _ => None,
        });
        imported.chain(self.globals.iter().map(|(g, _)| *g))
    }

    /// Refuses an active segment that instantiation would trap on: one whose constant offset
    /// plus length passes the initial size of the module's own memory or table it initialises,
    /// element segments first, as instantiation runs them. A segment into an imported memory or
    /// table, or at an imported global's offset, is left to instantiation, which knows their sizes.
    pub fn check_segments(&self) -> Result<(), Error> {
        let imported =
            |f: fn(&ExternType) -> bool| self.imports.iter().filter(|i| f(&i.ty)).count();
        let (tables, memories) = (
            imported(|t| matches!(t, ExternType::Table(_))),
            imported(|t| matches!(t, ExternType::Memory(_))),
        );
        // The initial size of the table or memory `i` when the module defines it.
        let table = |i: usize| Some(self.tables.get(i).filter(|_| i >= tables)?.limits.min);
        let memory = |i: usize| {
            let m = self.memories.get(i).filter(|_| i >= memories)?;
            Some(m.limits.min.saturating_mul(m.page_size()))
        };
        for (i, e) in self.elems.iter().enumerate() {
            segment_fits(("element", "table"), i, e.mode, e.items.len(), e.at, table)?;
        }
        for (i, d) in self.datas.iter().enumerate() {
            segment_fits(("data", "memory"), i, d.mode, d.bytes.len(), d.at, memory)?;
        }
        Ok(())
    }

    /// The module's imports.
    pub fn imports(&self) -> &[Import] {
        &self.imports
    }

    /// The module's exports.
    pub fn exports(&self) -> &[Export] {
        &self.exports
    }

    /// The function whose body contains a module-file offset, with the internal pc there.
    pub fn locate_offset(&self, offset: u32) -> Option<(u32, u32)> {
        self.bodies.iter().enumerate().find_map(|(i, b)| {
            let (first, last) = (*b.offsets.first()?, *b.offsets.last()?);
            (first..=last).contains(&offset).then(|| {
                (
                    i as u32 + self.num_imported_funcs,
                    b.pc_at_offset(offset).unwrap_or(0),
                )
            })
        })
    }
}

/// Refuses segment `index` (`names`: its kind and what it goes to) when it is active at a
/// constant offset and its `len` items pass the initial `size` of what it goes to (`None` where
/// that is imported). `at` is its module-file offset.
fn segment_fits(
    (kind, target): (&'static str, &'static str),
    index: usize,
    mode: SegmentMode,
    len: usize,
    at: u64,
    size: impl Fn(usize) -> Option<u64>,
) -> Result<(), Error> {
    // Wasm 2.0 offsets are constants or imported globals, read at instantiation.
    let SegmentMode::Active {
        index: into,
        offset: ConstExpr::Value(Val::I32(offset)),
    } = mode
    else {
        return Ok(());
    };
    let (offset, len) = (u64::from(offset as u32), len as u64);
    match size(into as usize) {
        Some(size) if offset + len > size => Err(Error::SegmentOutOfBounds {
            kind,
            index: index as u32,
            target,
            target_index: into,
            offset,
            len,
            size,
            at,
        }),
        _ => Ok(()),
    }
}

fn unreachable_feature(what: &str) -> Result<ExternType, Error> {
    Err(Error::Unsupported {
        offset: 0,
        what: what.into(),
    })
}

fn table_type(t: &wasmparser::TableType) -> TableType {
    TableType {
        elem: wasmparser::ValType::Ref(t.element_type).into(),
        limits: Limits {
            min: t.initial,
            max: t.maximum,
        },
    }
}

fn global_type(g: &wasmparser::GlobalType) -> GlobalType {
    GlobalType {
        ty: g.content_type.into(),
        mutable: g.mutable,
    }
}

fn const_expr(e: &wasmparser::ConstExpr<'_>) -> Result<ConstExpr, Error> {
    let mut reader = e.get_operators_reader();
    let offset = reader.original_position();
    let op = reader.read()?;
    Ok(match op {
        Operator::I32Const { value } => ConstExpr::Value(Val::I32(value)),
        Operator::I64Const { value } => ConstExpr::Value(Val::I64(value)),
        Operator::F32Const { value } => ConstExpr::Value(Val::F32(value.bits())),
        Operator::F64Const { value } => ConstExpr::Value(Val::F64(value.bits())),
        Operator::RefNull { .. } => ConstExpr::RefNull,
        Operator::RefFunc { function_index } => ConstExpr::RefFunc(function_index),
        Operator::GlobalGet { global_index } => ConstExpr::GlobalGet(global_index),
        _ => {
            return Err(Error::Unsupported {
                offset,
                what: "extended constant expression".into(),
            });
        }
    })
}
