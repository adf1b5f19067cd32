//! DWARF of a Wasm module, loaded from its `.debug_*` custom sections within the DWARF budget, and
//! the address queries on it. Addresses are Wasm code offsets: bytes from the start of the code
//! section's contents, as clang, rustc and LLDB use them.

mod damage;
pub mod functions;
pub mod lines;
mod load;
pub mod types;
mod unit;
pub mod vars;

use std::borrow::Cow;
use std::rc::Rc;
use std::sync::Arc;

use gimli::{EndianRcSlice, LittleEndian, Reader as _};

pub use damage::Damage;
pub use functions::{Function, strip_hash};
pub use lines::{LineRow, LineTable};
pub use load::{Refused, SECTIONS};
pub use types::{Encoding, Member, Shape, Ty, TypeId, Variant};
pub use vars::{Place, Scope, VarKind, Variable, WasmState};

use crate::error::Error;

/// The reader every DWARF structure here reads through.
pub type Reader = EndianRcSlice<LittleEndian>;

/// A source position.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceLoc {
    /// The file as the compiler named it.
    pub file: Option<String>,
    /// 1-based line; 0 when the compiler gave none.
    pub line: u32,
    /// 1-based column; 0 for the left edge or none.
    pub column: u32,
}

/// One frame at an address: the function and where in it, innermost (inlined) first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceFrame {
    /// The function's linkage (raw) name, if known.
    pub function: Option<String>,
    /// Its demangled name, as a user reads it.
    pub display: Option<String>,
    /// Where execution stands in it.
    pub loc: Option<SourceLoc>,
}

/// The debug information of one module.
pub struct DwarfInfo {
    /// addr2line's view, for frames with inlining; `None` when it cannot be built.
    context: Option<addr2line::Context<Reader>>,
    dwarf: Arc<gimli::Dwarf<Reader>>,
    units: Vec<gimli::Unit<Reader>>,
    /// Every line row, by address.
    pub lines: LineTable,
    /// Every function with code, by address.
    pub functions: Vec<Function>,
    /// Every inlined call, by the function inlined.
    pub inlined: Vec<Function>,
    /// The entry offset of every inlined call, sorted.
    entries: Vec<u64>,
    /// Sections present but refused by the budget, with why.
    pub refused: Vec<Refused>,
    /// The parts found malformed and skipped, with where and why.
    pub damaged: Vec<Damage>,
}

impl std::fmt::Debug for DwarfInfo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DwarfInfo")
            .field("refused", &self.refused)
            .field("damaged", &self.damaged)
            .finish_non_exhaustive()
    }
}

/// A file path as the compiler meant it. A name remapped to a URL-like prefix (`wasisdk://...`, from
/// `-fdebug-prefix-map`) is absolute, but DWARF readers join it to the unit's directory; keep it whole.
fn tidy_path(path: &str) -> &str {
    let Some(colon) = path.rfind("://") else {
        return path;
    };
    let scheme = path[..colon]
        .rfind(|c: char| !(c.is_ascii_alphanumeric() || "+-.".contains(c)))
        .map_or(0, |i| i + 1);
    if scheme > 0 && path[..scheme].ends_with('/') {
        &path[scheme..]
    } else {
        path
    }
}

/// The text of a string-valued attribute.
pub(crate) fn attr_text(
    dwarf: &gimli::Dwarf<Reader>,
    unit: &gimli::Unit<Reader>,
    value: Option<gimli::AttributeValue<Reader>>,
) -> Option<String> {
    let s = dwarf.attr_string(unit, value?).ok()?;
    Some(s.to_string_lossy().ok()?.into_owned())
}

/// Whether a unit's language is C.
fn is_c(lang: Option<gimli::DwLang>) -> bool {
    matches!(
        lang,
        Some(
            gimli::DW_LANG_C
                | gimli::DW_LANG_C89
                | gimli::DW_LANG_C99
                | gimli::DW_LANG_C11
                | gimli::DW_LANG_C17
        )
    )
}

fn loc(l: addr2line::Location<'_>) -> SourceLoc {
    SourceLoc {
        file: l.file.map(|f| tidy_path(f).to_string()),
        line: l.line.unwrap_or(0),
        column: l.column.unwrap_or(0),
    }
}

impl DwarfInfo {
    /// The innermost-first frames at code offset `addr`; empty when no DWARF covers it. Where
    /// addr2line cannot read the DWARF there (a damaged unit), the function and line tables
    /// read at load answer: one frame, without its inlined calls.
    pub fn frames(&self, addr: u64) -> Result<Vec<SourceFrame>, Error> {
        match self.context.as_ref().map(|c| self.inlined_frames(c, addr)) {
            Some(Ok(frames)) if !frames.is_empty() => Ok(frames),
            _ => Ok(self.table_frame(addr).into_iter().collect()),
        }
    }

    /// addr2line's frames at `addr`, inlined calls first.
    fn inlined_frames(
        &self,
        context: &addr2line::Context<Reader>,
        addr: u64,
    ) -> Result<Vec<SourceFrame>, Error> {
        let mut iter = context
            .find_frames(addr)
            .skip_all_loads()
            .map_err(|e| Error::dwarf(".debug_info", e))?;
        let mut out = Vec::new();
        let mut c = false;
        while let Some(frame) = iter.next().map_err(|e| Error::dwarf(".debug_info", e))? {
            let name = |f: &addr2line::FunctionName<Reader>, demangle: bool| {
                let n = if demangle { f.demangle() } else { f.raw_name() };
                n.ok().map(Cow::into_owned)
            };
            c = frame.function.as_ref().is_some_and(|f| is_c(f.language));
            out.push(SourceFrame {
                function: frame.function.as_ref().and_then(|f| name(f, false)),
                display: frame.function.as_ref().and_then(|f| name(f, true)),
                loc: frame.location.map(loc),
            });
        }
        // C names a function by its source name, as gdb does: `main`, not the `__main_argc_argv`
        // the compiler links `int main(int, char **)` as.
        if let (true, Some(last), Some(f)) = (c, out.last_mut(), self.function_at(addr)) {
            last.display = Some(f.name.clone());
        }
        Ok(out)
    }

    /// The frame at `addr` from the function and line tables alone.
    fn table_frame(&self, addr: u64) -> Option<SourceFrame> {
        let f = self.function_at(addr)?;
        Some(SourceFrame {
            function: Some(f.name.clone()),
            display: Some(f.qualified.clone()),
            loc: self.table_location(addr),
        })
    }

    /// The source position of `addr` in the line table.
    fn table_location(&self, addr: u64) -> Option<SourceLoc> {
        let row = self.lines.row_at(addr)?;
        Some(SourceLoc {
            file: Some(self.lines.file(row).to_string()),
            line: row.line,
            column: row.column,
        })
    }

    /// The source position of code offset `addr`, innermost; from the line table where
    /// addr2line cannot read the DWARF there.
    pub fn location(&self, addr: u64) -> Result<Option<SourceLoc>, Error> {
        match self.context.as_ref().map(|c| c.find_location(addr)) {
            Some(Ok(l)) => Ok(l.map(loc)),
            _ => Ok(self.table_location(addr)),
        }
    }

    /// Builds the debug information from section bytes by section id; `None` sections are absent
    /// or refused (listed in `refused`). For DWARF that comes from elsewhere than a module
    /// (fuzzing). What is malformed is skipped and listed in [`DwarfInfo::damaged`].
    pub fn from_sections(
        mut section: impl FnMut(gimli::SectionId) -> Option<Rc<[u8]>>,
        refused: Vec<Refused>,
    ) -> Result<DwarfInfo, Error> {
        // addr2line takes the sections in an `Arc`; they are `Rc` slices, so the whole stays on
        // this thread.
        #[allow(clippy::arc_with_non_send_sync)]
        let dwarf = Arc::new(
            gimli::Dwarf::load(|id| {
                let bytes = section(id).unwrap_or_else(|| Rc::from(&[][..]));
                Ok::<_, gimli::Error>(EndianRcSlice::new(bytes, LittleEndian))
            })
            .map_err(|e| Error::dwarf("sections", e))?,
        );
        let mut damaged = Vec::new();
        let context = match addr2line::Context::from_arc_dwarf(dwarf.clone()) {
            Ok(c) => Some(c),
            Err(e) => {
                damaged.push(Damage::new(".debug_info", 0, e));
                None
            }
        };
        let units = unit::read(&dwarf, &mut damaged);
        let lines = LineTable::read(&dwarf, &units, &mut damaged);
        let (functions, inlined) = functions::read(&dwarf, &units, &mut damaged);
        let mut entries: Vec<u64> = inlined.iter().map(|f| f.low).collect();
        entries.sort_unstable();
        Ok(DwarfInfo {
            context,
            dwarf,
            units,
            lines,
            functions,
            inlined,
            entries,
            refused,
            damaged,
        })
    }

    /// The number of compilation units read.
    pub fn units_len(&self) -> usize {
        self.units.len()
    }

    /// Whether unit `u` was compiled from Rust, whose values print the Rust way.
    pub fn is_rust(&self, u: usize) -> bool {
        self.units
            .get(u)
            .and_then(|unit| {
                let mut entries = unit.entries();
                let root = entries.next_dfs().ok()??;
                match root.attr_value(gimli::DW_AT_language) {
                    Some(gimli::AttributeValue::Language(l)) => Some(l == gimli::DW_LANG_Rust),
                    _ => None,
                }
            })
            .unwrap_or(false)
    }

    /// The innermost function whose code range holds `addr`.
    pub fn function_at(&self, addr: u64) -> Option<&Function> {
        self.functions
            .iter()
            .filter(|f| (f.low..f.high).contains(&addr))
            .min_by_key(|f| f.high - f.low)
    }

    /// The functions a user's name means.
    pub fn functions_named(&self, name: &str) -> Vec<&Function> {
        self.functions.iter().filter(|f| f.is_named(name)).collect()
    }

    /// How many inlined calls begin at code offset `addr`: the innermost frames there that are
    /// at their first instruction, which a stop reports as their call site (as gdb does).
    pub fn inline_entries(&self, addr: u64) -> usize {
        let from = self.entries.partition_point(|&e| e < addr);
        self.entries[from..]
            .iter()
            .take_while(|&&e| e == addr)
            .count()
    }

    /// The inlined calls of the function a user's name means.
    pub fn inlined_named(&self, name: &str) -> Vec<&Function> {
        self.inlined.iter().filter(|f| f.is_named(name)).collect()
    }

    /// Where a breakpoint on function `f` goes: past its prologue (the first `prologue_end` row),
    /// else its second statement, else its entry.
    pub fn after_prologue(&self, f: &Function) -> u64 {
        let mut stmts = self.lines.stmts_in(f.low..f.high);
        let first = stmts.next();
        if let Some(r) = self.lines.stmts_in(f.low..f.high).find(|r| r.prologue_end) {
            return r.addr;
        }
        match (first, stmts.find(|r| Some(r.line) != first.map(|f| f.line))) {
            (_, Some(second)) => second.addr,
            (Some(first), None) => first.addr,
            _ => f.low,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::tidy_path;

    #[test]
    fn remapped_names_stay_absolute() {
        assert_eq!(
            tidy_path("wasisdk://v30.0/build/x/wasisdk://v30.0/src/crt1.c"),
            "wasisdk://v30.0/src/crt1.c"
        );
        assert_eq!(
            tidy_path("/rustc/abc/library/std/src/rt.rs"),
            "/rustc/abc/library/std/src/rt.rs"
        );
        assert_eq!(
            tidy_path("wasisdk://v30.0/src/a.c"),
            "wasisdk://v30.0/src/a.c"
        );
        assert_eq!(tidy_path("./build/x.c"), "./build/x.c");
    }
}
