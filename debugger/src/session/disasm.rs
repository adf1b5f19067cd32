//! The session's disassembly: the module's listing, printed once asked for, with the pc marked.

use crate::disasm::*;
use crate::error::Error;
use crate::report::{DisasmLine, Disassembly};
use crate::request::MAX_INSTRUCTIONS;
use crate::session::Session;

impl Session {
    /// The code of the selected frame's function, or of the function named.
    pub(crate) fn disassemble(&mut self, name: Option<&str>) -> Result<Disassembly, Error> {
        let pc = self.selected_frame().ok().map(|f| f.addr);
        let func = match name {
            None => self
                .image
                .dwarf
                .function_at(pc.ok_or(Error::NotRunning)?)
                .ok_or_else(|| {
                    Error::NotFound("No function contains the program counter.".into())
                })?,
            Some(name) => *self
                .image
                .dwarf
                .functions_named(name)
                .first()
                .ok_or_else(|| Error::NoSymbol { name: name.into() })?,
        };
        let (range, function) = (func.low..func.high, func.name.clone());
        let lines = self.listing()?.range(range).to_vec();
        Ok(Disassembly {
            function,
            lines: self.disasm_lines(&lines, pc),
        })
    }

    /// `count` instructions from the one `offset` instructions away from code offset `addr`,
    /// across functions; named after the function the first is in.
    pub(crate) fn disassemble_at(
        &mut self,
        addr: u64,
        offset: i64,
        count: u64,
    ) -> Result<Disassembly, Error> {
        if count > MAX_INSTRUCTIONS {
            return Err(Error::TooLarge {
                what: "a disassembly",
                unit: "instructions",
                asked: count,
                max: MAX_INSTRUCTIONS,
            });
        }
        let pc = self.selected_frame().ok().map(|f| f.addr);
        let lines = self.listing()?.around(addr, offset, count).to_vec();
        let function = lines
            .first()
            .and_then(|(off, _)| self.image.dwarf.function_at(*off))
            .map_or_else(String::new, |f| f.name.clone());
        Ok(Disassembly {
            function,
            lines: self.disasm_lines(&lines, pc),
        })
    }

    /// The module's code printed, printed on first use.
    fn listing(&mut self) -> Result<&Listing, Error> {
        let listing = match self.image.listing.take() {
            Some(l) => l,
            None => Listing::new(&self.image.bytes, self.image.code_start)?,
        };
        Ok(self.image.listing.insert(listing))
    }

    /// Listing lines as reported, the one at `pc` marked current.
    fn disasm_lines(&self, lines: &[(u64, String)], pc: Option<u64>) -> Vec<DisasmLine> {
        lines
            .iter()
            .map(|(off, text)| DisasmLine {
                offset: *off,
                text: text.trim().to_string(),
                current: Some(*off) == pc,
                line: self
                    .image
                    .dwarf
                    .lines
                    .row_at(*off)
                    .map(|r| r.line)
                    .filter(|&l| l != 0),
            })
            .collect()
    }
}
