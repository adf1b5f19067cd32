//! Single-pass streaming validation against [`PlatformLimits`].
//!
//! Bytes are pushed in chunks ([`StreamValidator::push`], or [`validate_read`] from any `Read`) and
//! go through `wasmparser`'s `Parser` and `Validator` as they arrive. At most one section is held at a
//! time (one function body in the code section); custom sections are never held: at the top level
//! they are counted, sized and dropped as they stream past. The first section that breaks a limit
//! stops the pass with an [`Error::ModuleLimit`] naming the limit, the value found, the value allowed
//! and the byte offset. The result is the [`ModuleRequirements`] the budget is computed from.
//! [`StreamValidator::translating`] also builds the [`Module`] as it goes, each body translated as
//! it is validated and refused as soon as what it holds breaks `max_total_memory`: the one pass of
//! admission ([`crate::admit`]).

use alloc::vec::Vec;

use wasmparser::{
    BinaryReader, Chunk, ComponentType, ComponentTypeDeclaration, Encoding,
    FuncValidatorAllocations, Parser, Payload, TypeRef, ValidPayload, Validator,
};

use crate::error::Error;
use crate::limits::{DebugLevel, PlatformLimits};
use crate::module::{CustomSection, Module, Translation};
pub use crate::requirements::{ComponentRequirements, ModuleRequirements};
use crate::store::PAGE_SIZE;

mod body;

/// The bytes read at a time by [`validate_read`].
pub const CHUNK: usize = 64 * 1024;

/// Whether a custom section holds debug information the debug limits count.
pub fn is_debug_section(name: &str) -> bool {
    name.starts_with(".debug_") || name == "name"
}

/// One open component or module: its imports and exports so far.
#[derive(Default)]
struct Level {
    imports: u64,
    exports: u64,
}

/// The module a pass builds, and how it translates the bodies.
struct Building<'l> {
    module: Module,
    /// `None` reads the declarations only: no body is translated, the `name` section not held.
    translation: Option<Translation<'l>>,
}

/// The streaming validator; feed it with [`StreamValidator::push`].
pub struct StreamValidator<'l> {
    limits: &'l PlatformLimits,
    parser: Parser,
    /// Parsers of the enclosing components while inside a nested module or component.
    outer: Vec<Parser>,
    levels: Vec<Level>,
    validator: Validator,
    allocs: FuncValidatorAllocations,
    /// Bytes received but not parsed yet: at most one section.
    buf: Vec<u8>,
    /// Real module offset of `buf[0]`.
    offset: u64,
    /// Real offset minus the parser's offset: bytes of custom sections dropped.
    dropped: u64,
    /// Custom section bytes still to drop from the input.
    skip: u64,
    /// Code entries left in the current code section.
    code_left: u32,
    /// Whether the top-level parser stands at a section boundary.
    at_section: bool,
    req: ModuleRequirements,
    done: bool,
    /// Most bytes held in the buffer at once.
    peak: usize,
    /// The module being built, when the pass also translates.
    building: Option<Building<'l>>,
}

impl<'l> StreamValidator<'l> {
    /// A validator checking against `limits`.
    pub fn new(limits: &'l PlatformLimits) -> Self {
        let mut parser = Parser::new(0);
        parser.set_features(crate::module::features());
        StreamValidator {
            limits,
            parser,
            outer: Vec::new(),
            levels: Vec::new(),
            validator: Validator::new_with_features(
                crate::module::features() | wasmparser::WasmFeatures::COMPONENT_MODEL,
            ),
            allocs: FuncValidatorAllocations::default(),
            buf: Vec::new(),
            offset: 0,
            dropped: 0,
            skip: 0,
            code_left: 0,
            at_section: false,
            req: ModuleRequirements {
                debug_skipped: limits.debug_level == DebugLevel::None,
                max_linear_memory_bytes: Some(0),
                ..ModuleRequirements::default()
            },
            done: false,
            peak: 0,
            building: None,
        }
    }

    /// A validator that also builds the [`Module`] as the sections go by, its bodies translated
    /// as `translation` says: the one pass that admits a module to run ([`crate::admit`]). It
    /// holds the `name` section whole (its function names are kept) and refuses components.
    pub fn translating(limits: &'l PlatformLimits, translation: Translation<'l>) -> Self {
        StreamValidator {
            building: Some(Building {
                module: Module::empty(),
                translation: Some(translation),
            }),
            ..StreamValidator::new(limits)
        }
    }

    /// A validator that also reads what a core module declares (imports, memories, tables,
    /// globals, segments, exports) but translates no body: what tells, without the cost of
    /// translating, whether it can start ([`crate::admit::check_read`]). A component is validated
    /// and measured as by [`StreamValidator::new`], and builds nothing.
    pub fn declaring(limits: &'l PlatformLimits) -> Self {
        StreamValidator {
            building: Some(Building {
                module: Module::empty(),
                translation: None,
            }),
            ..StreamValidator::new(limits)
        }
    }

    /// Whether the pass translates the bodies.
    fn translates(&self) -> bool {
        self.building
            .as_ref()
            .is_some_and(|b| b.translation.is_some())
    }

    /// The module a [`StreamValidator::translating`] or [`StreamValidator::declaring`] pass built,
    /// once it finished.
    pub fn into_module(self) -> Option<Module> {
        self.building.filter(|_| self.done).map(|b| b.module)
    }

    /// The most input bytes held at once so far: about one section, never a custom one but a
    /// translating pass's `name` section.
    pub fn peak_held(&self) -> usize {
        self.peak
    }

    /// Feeds the next chunk; `eof` marks the last. Returns the requirements once the end is parsed,
    /// which a push with `eof` always does unless it fails.
    pub fn push(&mut self, chunk: &[u8], eof: bool) -> Result<Option<ModuleRequirements>, Error> {
        self.req.binary_bytes += chunk.len() as u64;
        let skipped = (self.skip.min(chunk.len() as u64)) as usize;
        self.skip -= skipped as u64;
        self.offset += skipped as u64;
        let chunk = &chunk[skipped..];
        // Parse straight from the chunk when nothing is pending; keep only the unparsed tail.
        let mut held = core::mem::take(&mut self.buf);
        let data: &[u8] = if held.is_empty() {
            chunk
        } else {
            held.extend_from_slice(chunk);
            &held
        };
        self.peak = self.peak.max(data.len());
        let step = self.parse(data, eof);
        let consumed = *step.as_ref().unwrap_or(&0);
        if held.is_empty() {
            self.buf
                .extend_from_slice(&chunk[consumed.min(chunk.len())..]);
        } else {
            held.drain(..consumed.min(held.len()));
            self.buf = held;
        }
        step?;
        if self.done {
            return Ok(Some(self.req.clone()));
        }
        if eof {
            return Err(Error::Invalid {
                offset: self.offset,
                message: "unexpected end-of-file".into(),
            });
        }
        Ok(None)
    }

    /// Parses all whole payloads of `data`, returning how many bytes were used.
    fn parse(&mut self, data: &[u8], eof: bool) -> Result<usize, Error> {
        let mut pos = 0;
        while !self.done && self.skip == 0 {
            let rest = &data[pos..];
            if self.at_section && self.outer.is_empty() && rest.first() == Some(&0) {
                match self.custom_section(rest, eof)? {
                    0 => break,
                    used => {
                        pos += used;
                        continue;
                    }
                }
            }
            match self.parser.parse(rest, eof).map_err(|e| self.invalid(e))? {
                Chunk::NeedMoreData(hint) => {
                    self.check_pending(rest, hint)?;
                    break;
                }
                Chunk::Parsed { consumed, payload } => {
                    self.handle(payload)?;
                    pos += consumed;
                    self.offset += consumed as u64;
                }
            }
        }
        Ok(pos)
    }

    /// Handles a custom section at the top level without holding it: counts and checks it, feeds
    /// the parser an empty section of the same name, and drops the real bytes, those still to come
    /// included. Returns the bytes of `data` used, 0 when its header is not complete yet.
    fn custom_section(&mut self, data: &[u8], eof: bool) -> Result<usize, Error> {
        let mut r = BinaryReader::new(data, self.offset);
        let header = (|| {
            r.read_u8()?;
            let size = r.read_var_u32()?;
            let body_start = r.current_position();
            let name = r.read_string()?;
            Ok::<_, wasmparser::BinaryReaderError>((size, body_start, name))
        })();
        let (size, body_start, name) = match header {
            Ok(h) => h,
            Err(_) if !eof => return Ok(0),
            Err(e) => return Err(self.invalid(e)),
        };
        let total = body_start as u64 + u64::from(size);
        let name_end = r.current_position();
        if name_end as u64 > total {
            return Err(Error::Invalid {
                offset: self.offset,
                message: "unexpected end-of-file: the custom section ends inside its name".into(),
            });
        }
        let payload = total - name_end as u64;
        let whole = data.get(name_end..total as usize);
        if self.translates() && name == "name" && whole.is_none() && !eof {
            // Held whole before it is counted: what it asks must fit before it is read.
            self.debug_section_fits(payload)?;
            self.check("max_total_memory", payload, self.limits.max_total_memory)?;
            return Ok(0);
        }
        if let Some(b) = &mut self.building {
            let range = self.offset + name_end as u64..self.offset + total;
            let section = CustomSection {
                name: name.into(),
                range: range.start as usize..range.end as usize,
            };
            b.module.read_custom(section, whole);
        }
        if is_debug_section(name) {
            if name == "name" {
                self.req.names_bytes += payload;
            }
            self.debug_section(payload)?;
        }
        let name_bytes = &data[body_start..name_end];
        let mut stand_in = Vec::with_capacity(name_bytes.len() + 6);
        stand_in.push(0);
        leb128(&mut stand_in, name_bytes.len() as u32);
        stand_in.extend_from_slice(name_bytes);
        let chunk = self
            .parser
            .parse(&stand_in, false)
            .map_err(|e| self.invalid(e))?;
        let Chunk::Parsed { consumed, payload } = chunk else {
            unreachable!("a whole custom section parses");
        };
        debug_assert_eq!(consumed, stand_in.len());
        self.validator
            .payload(&payload)
            .map_err(|e| self.invalid(e))?;
        self.dropped += total - stand_in.len() as u64;
        let used = total.min(data.len() as u64);
        self.offset += used;
        self.skip = total - used;
        Ok(used as usize)
    }

    /// Counts a debug section of `size` bytes, refused when it breaks a debug limit.
    fn debug_section(&mut self, size: u64) -> Result<(), Error> {
        self.debug_section_fits(size)?;
        let req = &mut self.req;
        req.debug_sections += 1;
        req.debug_bytes += size;
        req.largest_debug_section = req.largest_debug_section.max(size);
        Ok(())
    }

    /// Whether one more debug section of `size` bytes keeps within the debug limits.
    fn debug_section_fits(&self, size: u64) -> Result<(), Error> {
        if self.limits.debug_level == DebugLevel::None {
            return Ok(());
        }
        let req = &self.req;
        self.check(
            "max_debug_sections",
            req.debug_sections + 1,
            self.limits.max_debug_sections,
        )?;
        self.check(
            "max_dwarf_section_size",
            req.largest_debug_section.max(size),
            self.limits.max_dwarf_section_size,
        )
    }

    /// Fails fast when the section waiting for more bytes is already known to be too large.
    fn check_pending(&self, buf: &[u8], hint: usize) -> Result<(), Error> {
        if !self.at_section {
            return Ok(());
        }
        let wanted = buf.len() as u64 + hint as u64;
        let mut r = BinaryReader::new(buf, 0);
        let Ok(id) = r.read_u8() else { return Ok(()) };
        if self.outer.is_empty() && id == 11 {
            return self.check(
                "max_wasm_linear_memory",
                wanted,
                self.limits.max_wasm_linear_memory,
            );
        }
        self.check("max_total_memory", wanted, self.limits.max_total_memory)
    }

    /// A wasmparser error, with its offset mapped back to the module file.
    fn invalid(&self, e: wasmparser::BinaryReaderError) -> Error {
        invalid(e, self.dropped)
    }

    fn check(&self, limit: &'static str, found: u64, allowed: u64) -> Result<(), Error> {
        within(limit, found, allowed, self.offset)
    }

    fn handle(&mut self, payload: Payload<'_>) -> Result<(), Error> {
        let valid = self
            .validator
            .payload(&payload)
            .map_err(|e| self.invalid(e))?;
        if let ValidPayload::Func(func, body) = valid {
            let mut fv = func.into_validator(core::mem::take(&mut self.allocs));
            let (limits, at, dropped) = (self.limits, self.offset, self.dropped);
            let translating = self
                .building
                .as_ref()
                .and_then(|b| Some((&b.module, b.translation.as_ref()?)));
            let (count, done) = body::measure(&mut fv, &body, limits, at, dropped, translating)?;
            if let (Some(done), Some(b)) = (done, &mut self.building) {
                b.module.bodies.push(alloc::rc::Rc::new(done));
            }
            count.add_to(&mut self.req);
            if self.translates() {
                // What is translated so far is held already: it must fit before more is.
                let held = crate::budget::runtime_held(&self.req);
                self.check("max_total_memory", held, self.limits.max_total_memory)?;
            }
            self.allocs = fv.into_allocations();
            self.code_left -= 1;
            self.at_section = self.code_left == 0;
            return Ok(());
        }
        self.at_section = true;
        match &payload {
            Payload::Version { encoding, .. } => {
                if *encoding == Encoding::Component {
                    if self.translates() {
                        return Err(Error::Unsupported {
                            offset: self.offset,
                            what: "a component (the interpreter runs core modules)".into(),
                        });
                    }
                    self.building = None;
                }
                self.levels.push(Level::default());
                let depth = self.levels.len() as u64;
                let c = &mut self.req.components;
                if *encoding == Encoding::Component {
                    c.components += 1;
                    let n = c.components;
                    self.check("max_components", n, self.limits.max_components)?;
                }
                if depth > 1 || *encoding == Encoding::Component {
                    let c = &mut self.req.components;
                    c.max_nesting = c.max_nesting.max(depth);
                    let n = c.max_nesting;
                    self.check(
                        "max_component_nesting",
                        n,
                        self.limits.max_component_nesting,
                    )?;
                }
            }
            Payload::TypeSection(r) => self.req.types += u64::from(r.count()),
            Payload::ImportSection(r) => {
                for import in r.clone().into_imports() {
                    match import.map_err(|e| self.invalid(e))?.ty {
                        TypeRef::Func(_) => self.add_functions(1)?,
                        TypeRef::Table(t) => self.add_table(t.initial)?,
                        TypeRef::Memory(m) => {
                            self.add_memory(m.initial, m.maximum, m.page_size_log2)?
                        }
                        TypeRef::Global(_) => self.add_globals(1)?,
                        _ => {}
                    }
                    self.req.imports_exports += 1;
                }
            }
            Payload::FunctionSection(r) => {
                self.add_functions(u64::from(r.count()))?;
                self.req.defined_functions += u64::from(r.count());
            }
            Payload::TableSection(r) => {
                for t in r.clone() {
                    self.add_table(t.map_err(|e| self.invalid(e))?.ty.initial)?;
                }
            }
            Payload::MemorySection(r) => {
                for m in r.clone() {
                    let m = m.map_err(|e| self.invalid(e))?;
                    self.add_memory(m.initial, m.maximum, m.page_size_log2)?;
                }
            }
            Payload::GlobalSection(r) => self.add_globals(u64::from(r.count()))?,
            Payload::ExportSection(r) => self.req.imports_exports += u64::from(r.count()),
            Payload::ElementSection(r) => {
                for e in r.clone() {
                    let items = match e.map_err(|e| self.invalid(e))?.items {
                        wasmparser::ElementItems::Functions(f) => f.count(),
                        wasmparser::ElementItems::Expressions(_, x) => x.count(),
                    };
                    self.req.element_items += u64::from(items);
                }
            }
            Payload::DataSection(r) => {
                for d in r.clone() {
                    let d = d.map_err(|e| self.invalid(e))?;
                    self.req.data_bytes += d.data.len() as u64;
                    self.req.data_segments += 1;
                }
                let bytes = self.req.data_bytes;
                self.check(
                    "max_wasm_linear_memory",
                    bytes,
                    self.limits.max_wasm_linear_memory,
                )?;
            }
            Payload::CodeSectionStart { count, size, .. } => {
                self.code_left = *count;
                self.at_section = *count == 0;
                self.req.code_bytes += u64::from(*size);
            }
            Payload::CustomSection(c) if is_debug_section(c.name()) && !self.outer.is_empty() => {
                self.debug_section(c.data().len() as u64)?;
            }
            Payload::ModuleSection { parser, .. } => {
                self.req.components.core_modules += 1;
                self.enter(parser.clone());
            }
            Payload::ComponentSection { parser, .. } => self.enter(parser.clone()),
            Payload::InstanceSection(r) => self.add_instances(u64::from(r.count()))?,
            Payload::ComponentInstanceSection(r) => self.add_instances(u64::from(r.count()))?,
            Payload::CoreTypeSection(r) => self.add_types(u64::from(r.count()))?,
            Payload::ComponentTypeSection(r) => {
                self.add_types(u64::from(r.count()))?;
                for t in r.clone() {
                    let resources = match t.map_err(|e| self.invalid(e))? {
                        ComponentType::Resource { .. } => 1,
                        ComponentType::Component(decls) => decls
                            .iter()
                            .filter(|d| {
                                matches!(
                                    d,
                                    ComponentTypeDeclaration::Type(ComponentType::Resource { .. })
                                )
                            })
                            .count()
                            as u64,
                        _ => 0,
                    };
                    self.req.components.resource_types += resources;
                }
                let n = self.req.components.resource_types;
                self.check("max_resource_types", n, self.limits.max_resource_types)?;
            }
            Payload::ComponentImportSection(r) => {
                let level = self.levels.last_mut().expect("inside a component");
                level.imports += u64::from(r.count());
                let n = level.imports;
                let c = &mut self.req.components;
                c.max_imports = c.max_imports.max(n);
                self.check(
                    "max_imports_per_component",
                    n,
                    self.limits.max_imports_per_component,
                )?;
            }
            Payload::ComponentExportSection(r) => {
                let level = self.levels.last_mut().expect("inside a component");
                level.exports += u64::from(r.count());
                let n = level.exports;
                let c = &mut self.req.components;
                c.max_exports = c.max_exports.max(n);
                self.check(
                    "max_exports_per_component",
                    n,
                    self.limits.max_exports_per_component,
                )?;
            }
            Payload::End(_) => {
                self.levels.pop();
                match self.outer.pop() {
                    Some(p) => self.parser = p,
                    None => self.done = true,
                }
            }
            _ => {}
        }
        if let Some(b) = &mut self.building {
            let dropped = self.dropped;
            b.module
                .read_payload(payload, dropped)
                .map_err(|e| shifted(e, dropped))?;
        }
        Ok(())
    }

    /// Switches to the parser of a nested module or component until its `End`.
    fn enter(&mut self, nested: Parser) {
        let outer = core::mem::replace(&mut self.parser, nested);
        self.outer.push(outer);
    }

    fn add_functions(&mut self, n: u64) -> Result<(), Error> {
        self.req.functions += n;
        self.check(
            "max_functions",
            self.req.functions,
            self.limits.max_functions,
        )
    }

    fn add_globals(&mut self, n: u64) -> Result<(), Error> {
        self.req.globals += n;
        self.check("max_globals", self.req.globals, self.limits.max_globals)
    }

    fn add_table(&mut self, initial: u64) -> Result<(), Error> {
        self.req.tables += 1;
        self.check(
            "max_table_elements",
            initial,
            self.limits.max_table_elements,
        )?;
        self.req.table_elements += initial;
        Ok(())
    }

    fn add_memory(
        &mut self,
        initial: u64,
        max: Option<u64>,
        page_log2: Option<u32>,
    ) -> Result<(), Error> {
        let page = page_log2.map_or(PAGE_SIZE as u64, |l| 1 << l);
        let limit = self.limits.max_wasm_linear_memory;
        self.req.memories += 1;
        self.req.linear_memory_bytes += initial.saturating_mul(page);
        self.check(
            "max_wasm_linear_memory",
            self.req.linear_memory_bytes,
            limit,
        )?;
        self.req.max_linear_memory_bytes = match (self.req.max_linear_memory_bytes, max) {
            (Some(sum), Some(m)) => Some(sum.saturating_add(m.saturating_mul(page))),
            _ => None,
        };
        if let Some(m) = max {
            self.check("max_wasm_linear_memory", m.saturating_mul(page), limit)?;
        }
        Ok(())
    }

    fn add_instances(&mut self, n: u64) -> Result<(), Error> {
        let c = &mut self.req.components;
        c.instances += n;
        let total = c.instances;
        self.check(
            "max_component_instances",
            total,
            self.limits.max_component_instances,
        )
    }

    fn add_types(&mut self, n: u64) -> Result<(), Error> {
        let c = &mut self.req.components;
        c.types += n;
        let total = c.types;
        self.check(
            "max_component_types",
            total,
            self.limits.max_component_types,
        )
    }
}

fn leb128(out: &mut Vec<u8>, mut v: u32) {
    loop {
        let byte = (v & 0x7f) as u8;
        v >>= 7;
        if v == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

/// An [`Error::ModuleLimit`] at module offset `offset` when `found` breaks `limit`.
fn within(limit: &'static str, found: u64, allowed: u64, offset: u64) -> Result<(), Error> {
    if found > allowed {
        return Err(Error::ModuleLimit {
            limit,
            found,
            allowed,
            offset,
        });
    }
    Ok(())
}

/// A wasmparser error, with its offset mapped back to the module file past `dropped` bytes.
fn invalid(e: wasmparser::BinaryReaderError, dropped: u64) -> Error {
    Error::Invalid {
        offset: e.offset() + dropped,
        message: e.message().into(),
    }
}

/// An error found reading what the parser passed on, with its offset moved past the `dropped`
/// bytes the parser never saw.
fn shifted(e: Error, dropped: u64) -> Error {
    match e {
        Error::Invalid { offset, message } => Error::Invalid {
            offset: offset + dropped,
            message,
        },
        Error::Unsupported { offset, what } => Error::Unsupported {
            offset: offset + dropped,
            what,
        },
        other => other,
    }
}

/// Validates a whole binary held in memory.
pub fn validate_bytes(bytes: &[u8], limits: &PlatformLimits) -> Result<ModuleRequirements, Error> {
    let done = StreamValidator::new(limits).push(bytes, true)?;
    Ok(done.expect("a push at eof finishes or fails"))
}

/// Validates a binary read from `reader` in [`CHUNK`]-sized pieces.
#[cfg(feature = "std")]
pub fn validate_read(
    reader: impl std::io::Read,
    limits: &PlatformLimits,
) -> Result<ModuleRequirements, Error> {
    stream(reader, &mut StreamValidator::new(limits))
}

/// Feeds `v` from `reader` in [`CHUNK`]-sized pieces to the end.
#[cfg(feature = "std")]
pub(crate) fn stream(
    mut reader: impl std::io::Read,
    v: &mut StreamValidator<'_>,
) -> Result<ModuleRequirements, Error> {
    let mut chunk = alloc::vec![0u8; CHUNK];
    let mut read = 0u64;
    loop {
        let n = match reader.read(&mut chunk) {
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => {
                return Err(Error::Read {
                    offset: read,
                    message: alloc::string::ToString::to_string(&e),
                });
            }
        };
        read += n as u64;
        if let Some(req) = v.push(&chunk[..n], n == 0)? {
            return Ok(req);
        }
    }
}
