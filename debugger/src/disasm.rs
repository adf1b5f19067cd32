//! Disassembly: the module's code printed as WebAssembly text by `wasmprinter`, one line per
//! instruction with its code offset.

use crate::error::Error;

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
            .map_err(|e| Error::Module(format!("cannot print the module: {e}")))?;
        let lines = printed
            .filter_map(|(off, text)| {
                let off = off.filter(|&o| o >= code_start)?;
                Some((off - code_start, text.trim_end().to_string()))
            })
            .collect();
        Ok(Listing { lines })
    }

    /// `count` lines from the one `offset` lines after (negative: before) the first at or past
    /// code offset `addr`, as many of them as the code has.
    pub fn around(&self, addr: u64, offset: i64, count: u64) -> &[(u64, String)] {
        let at = self.lines.partition_point(|l| l.0 < addr) as i64;
        let clamp = |i: i64| i.clamp(0, self.lines.len() as i64) as usize;
        let start = clamp(at.saturating_add(offset));
        let end = clamp((start as i64).saturating_add(i64::try_from(count).unwrap_or(i64::MAX)));
        &self.lines[start..end]
    }

    /// The lines of code offsets `range`.
    pub fn range(&self, range: std::ops::Range<u64>) -> &[(u64, String)] {
        let a = self.lines.partition_point(|l| l.0 < range.start);
        let b = self.lines.partition_point(|l| l.0 < range.end);
        &self.lines[a..b]
    }
}

/// The module without the custom sections after its code section (DWARF, names), which would
/// only be printed as bytes; every offset up to the code's end stays the same.
pub(crate) fn without_trailing_customs(bytes: &[u8]) -> Vec<u8> {
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
pub(crate) fn leb(b: &[u8]) -> (u64, usize) {
    let mut v = 0u64;
    for (i, &byte) in b.iter().enumerate().take(10) {
        v |= ((byte & 0x7f) as u64) << (7 * i);
        if byte & 0x80 == 0 {
            return (v, i + 1);
        }
    }
    (v, b.len())
}
