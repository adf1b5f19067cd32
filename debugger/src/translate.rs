//! The code translation a debug session runs, the same in this process and behind a stub: the
//! interpreter's speed translation with an instruction starting at every statement, so a
//! breakpoint on any statement patches one instruction and a stopped program runs on at full
//! speed. A served program and its client translate alike, so their pcs agree.

use runtime_core::Module;
use runtime_core::admit::{Admitted, admit};
use runtime_core::limits::PlatformLimits;
use runtime_core::module::{STATEMENTS_SECTION, Translation};

use crate::dwarf::DwarfInfo;
use crate::error::Error;

/// Admits a module binary for debugging under `limits` (validated, measured and translated in
/// one pass), with an instruction at each statement start of its line table, read whatever a
/// session's DWARF budget keeps, so both ends of a link agree.
pub fn translate(bytes: &[u8], limits: &PlatformLimits) -> Result<Admitted, Error> {
    Ok(admit(
        bytes,
        limits,
        Translation::Boundaries(&statements(bytes)?),
    )?)
}

/// The statement starts (module-file offsets) of a module binary's line table, read whatever a
/// session's DWARF budget keeps: where [`translate`] puts an instruction. A module `wrt-dbg pack`
/// recorded them in ([`runtime_core::module::STATEMENTS_SECTION`]) gives those, so a device
/// that keeps no DWARF and the host that keeps it translate alike.
pub fn statements(bytes: &[u8]) -> Result<Vec<u32>, Error> {
    let (customs, code) = Module::sections(bytes)?;
    if customs.iter().any(|c| c.name == STATEMENTS_SECTION) {
        return Ok(Module::recorded_statements(bytes)?);
    }
    let dwarf = DwarfInfo::load_all(bytes)?;
    Ok(dwarf.lines.boundaries(code.map_or(0, |r| r.start as u64)))
}
