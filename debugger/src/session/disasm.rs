//! The session's disassembly: the module's listing, printed once asked for, with the pc marked.

use crate::disasm::*;
use crate::error::Error;
use crate::report::{DisasmLine, Disassembly};
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
                .ok_or_else(|| Error::Usage("No function contains the program counter.".into()))?,
            Some(name) => *self
                .image
                .dwarf
                .functions_named(name)
                .first()
                .ok_or_else(|| Error::NoSymbol { name: name.into() })?,
        };
        let (range, function) = (func.low..func.high, func.name.clone());
        if self.image.listing.is_none() {
            self.image.listing = Some(Listing::new(&self.image.bytes, self.image.code_start)?);
        }
        let listing = self.image.listing.as_ref().ok_or(Error::NotRunning)?;
        let lines = listing
            .range(range)
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
            .collect();
        Ok(Disassembly { function, lines })
    }
}
