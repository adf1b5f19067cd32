//! The code translation a debug session runs, the same in this process and behind a stub: the
//! interpreter's speed translation with an instruction starting at every statement, so a
//! breakpoint on any statement patches one instruction and a stopped program runs on at full
//! speed. A served program and its client translate alike, so their pcs agree.

use runtime_core::Module;
use runtime_core::limits::preset::linux_production;
use runtime_core::limits::{AsilLevel, DebugLevel, MIB};

use crate::dwarf::DwarfInfo;
use crate::error::Error;

/// Translates a module binary for debugging, with an instruction at each statement start of its
/// line table, read whatever a session's DWARF budget keeps, so both ends of a link agree.
pub fn translate(bytes: &[u8]) -> Result<Module, Error> {
    Ok(Module::new_with_boundaries(bytes, &statements(bytes)?)?)
}

/// The statement starts (module-file offsets) of a module binary's line table, read whatever a
/// session's DWARF budget keeps: where [`translate`] puts an instruction.
pub fn statements(bytes: &[u8]) -> Result<Vec<u32>, Error> {
    let (sections, code) = Module::sections(bytes)?;
    let mut limits = linux_production(64 * MIB, AsilLevel::QM, DebugLevel::FullDebug);
    limits.max_debug_sections = u64::MAX;
    limits.max_dwarf_section_size = u64::MAX;
    let dwarf = DwarfInfo::load(&sections, bytes, &limits)?;
    Ok(dwarf.lines.boundaries(code.map_or(0, |r| r.start as u64)))
}
