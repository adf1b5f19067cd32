//! DWARF of a Wasm module, loaded from its `.debug_*` custom sections within the DWARF budget, and
//! the address queries on it. Addresses are Wasm code offsets: bytes from the start of the code
//! section's contents, as clang, rustc and LLDB use them.

mod load;

use std::borrow::Cow;
use std::rc::Rc;

use gimli::{EndianRcSlice, LittleEndian};

pub use load::{Refused, SECTIONS};

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
    context: addr2line::Context<Reader>,
    /// Sections present but refused by the budget, with why.
    pub refused: Vec<Refused>,
}

impl std::fmt::Debug for DwarfInfo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DwarfInfo")
            .field("refused", &self.refused)
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

fn loc(l: addr2line::Location<'_>) -> SourceLoc {
    SourceLoc {
        file: l.file.map(|f| tidy_path(f).to_string()),
        line: l.line.unwrap_or(0),
        column: l.column.unwrap_or(0),
    }
}

impl DwarfInfo {
    /// The innermost-first frames at code offset `addr`; empty when no DWARF covers it.
    pub fn frames(&self, addr: u64) -> Result<Vec<SourceFrame>, Error> {
        let mut iter = self
            .context
            .find_frames(addr)
            .skip_all_loads()
            .map_err(|e| Error::dwarf(".debug_info", e))?;
        let mut out = Vec::new();
        while let Some(frame) = iter.next().map_err(|e| Error::dwarf(".debug_info", e))? {
            let name = |f: &addr2line::FunctionName<Reader>, demangle: bool| {
                let n = if demangle { f.demangle() } else { f.raw_name() };
                n.ok().map(Cow::into_owned)
            };
            out.push(SourceFrame {
                function: frame.function.as_ref().and_then(|f| name(f, false)),
                display: frame.function.as_ref().and_then(|f| name(f, true)),
                loc: frame.location.map(loc),
            });
        }
        Ok(out)
    }

    /// The source position of code offset `addr`, innermost.
    pub fn location(&self, addr: u64) -> Result<Option<SourceLoc>, Error> {
        let l = self
            .context
            .find_location(addr)
            .map_err(|e| Error::dwarf(".debug_line", e))?;
        Ok(l.map(loc))
    }

    /// Builds the lookup context from section bytes; `None` sections are absent or refused.
    fn from_sections(
        mut section: impl FnMut(gimli::SectionId) -> Option<Rc<[u8]>>,
        refused: Vec<Refused>,
    ) -> Result<DwarfInfo, Error> {
        let dwarf = gimli::Dwarf::load(|id| {
            let bytes = section(id).unwrap_or_else(|| Rc::from(&[][..]));
            Ok::<_, gimli::Error>(EndianRcSlice::new(bytes, LittleEndian))
        })
        .map_err(|e| Error::dwarf("sections", e))?;
        let context =
            addr2line::Context::from_dwarf(dwarf).map_err(|e| Error::dwarf(".debug_info", e))?;
        Ok(DwarfInfo { context, refused })
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
