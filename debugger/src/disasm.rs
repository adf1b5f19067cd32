//! Disassembly: the module's code printed as WebAssembly text by `wasmprinter`, one line per
//! instruction with its code offset.

use crate::error::Error;
use crate::report::{DisasmLine, Disassembly};
use crate::session::Session;

/// The printed code of a module: (code offset, text) of every instruction line, by offset.
#[derive(Debug, Default)]
pub struct Listing {
    lines: Vec<(u64, String)>,
}

impl Listing {
    /// Prints the code of a module file whose code section contents start at `code_start`.
    pub fn new(bytes: &[u8], code_start: u64) -> Result<Listing, Error> {
        let code_only = without_trailing_customs(bytes);
        let mut storage = String::new();
        let printed = wasmprinter::Config::new()
            .offsets_and_lines(&code_only, &mut storage)
            .map_err(|e| Error::Usage(format!("cannot print the module: {e}")))?;
        let lines = printed
            .filter_map(|(off, text)| {
                let off = off.filter(|&o| o >= code_start)?;
                Some((off - code_start, text.trim_end().to_string()))
            })
            .collect();
        Ok(Listing { lines })
    }

    /// The lines of code offsets `range`.
    pub fn range(&self, range: std::ops::Range<u64>) -> &[(u64, String)] {
        let a = self.lines.partition_point(|l| l.0 < range.start);
        let b = self.lines.partition_point(|l| l.0 < range.end);
        &self.lines[a..b]
    }
}

impl Session {
    /// The code of the selected frame's function, or of the function named.
    pub(crate) fn disassemble(&mut self, name: Option<&str>) -> Result<Disassembly, Error> {
        let pc = self.selected_frame().ok().map(|f| f.addr);
        let func = match name {
            None => self
                .dwarf
                .function_at(pc.ok_or(Error::NotRunning)?)
                .ok_or_else(|| Error::Usage("No function contains the program counter.".into()))?,
            Some(name) => *self
                .dwarf
                .functions_named(name)
                .first()
                .ok_or_else(|| Error::NoSymbol { name: name.into() })?,
        };
        let (range, function) = (func.low..func.high, func.name.clone());
        if self.listing.is_none() {
            self.listing = Some(Listing::new(&self.bytes, self.code_start)?);
        }
        let listing = self.listing.as_ref().ok_or(Error::NotRunning)?;
        let lines = listing
            .range(range)
            .iter()
            .map(|(off, text)| DisasmLine {
                offset: *off,
                text: text.trim().to_string(),
                current: Some(*off) == pc,
                line: self
                    .dwarf
                    .lines
                    .row_at(*off)
                    .map(|r| r.line)
                    .filter(|&l| l != 0),
            })
            .collect();
        Ok(Disassembly { function, lines })
    }
}

/// The module without the custom sections after its code section (DWARF, names), which would
/// only be printed as bytes; every offset up to the code's end stays the same.
fn without_trailing_customs(bytes: &[u8]) -> Vec<u8> {
    let mut out = bytes[..bytes.len().min(8)].to_vec();
    let mut at = 8;
    let mut seen_code = false;
    while at < bytes.len() {
        let id = bytes[at];
        let (size, len) = leb(&bytes[at + 1..]);
        let end = (at + 1 + len)
            .saturating_add(size as usize)
            .min(bytes.len());
        if !(seen_code && id == 0) {
            out.extend_from_slice(&bytes[at..end]);
        }
        seen_code |= id == 10;
        at = end.max(at + 1);
    }
    out
}

/// An unsigned LEB128 and its length in bytes.
fn leb(b: &[u8]) -> (u64, usize) {
    let mut v = 0u64;
    for (i, &byte) in b.iter().enumerate().take(10) {
        v |= ((byte & 0x7f) as u64) << (7 * i);
        if byte & 0x80 == 0 {
            return (v, i + 1);
        }
    }
    (v, b.len())
}
