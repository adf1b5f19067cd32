//! The units of a module's DWARF, each read on its own, so that a malformed one is skipped (and
//! said) while the others are kept; a unit whose line program alone is malformed is kept without
//! its lines.

use gimli::{
    AttributeValue, DebugAddrBase, DebugLocListsBase, DebugRngListsBase, DebugStrOffsetsBase,
    Dwarf, Unit, UnitHeader,
};

use super::{Damage, Reader};

/// Every unit that can be read, in section order; what cannot goes in `damage`.
pub(super) fn read(dwarf: &Dwarf<Reader>, damage: &mut Vec<Damage>) -> Vec<Unit<Reader>> {
    let mut units = Vec::new();
    let mut headers = dwarf.units();
    let mut next = 0;
    loop {
        let header = match headers.next() {
            Ok(Some(header)) => header,
            Ok(None) => break,
            // A unit whose length cannot be read hides where the next one starts.
            Err(e) => {
                damage.push(Damage::new(".debug_info", next, e));
                break;
            }
        };
        let at = header.offset().0 as u64;
        next = at + header.length_including_self() as u64;
        match unit(dwarf, header, damage) {
            Ok(unit) => units.push(unit),
            Err(d) => damage.push(d),
        }
    }
    units
}

/// Unit `header` as `gimli::Unit::new` reads it, except that a malformed line program or low
/// address is left out (and said in `damage`) instead of refusing the unit; its abbreviations
/// and root entry must be readable.
fn unit(
    dwarf: &Dwarf<Reader>,
    header: UnitHeader<Reader>,
    damage: &mut Vec<Damage>,
) -> Result<Unit<Reader>, Damage> {
    let at = header.offset().0 as u64;
    let abbreviations = dwarf
        .abbreviations(&header)
        .map_err(|e| Damage::new(".debug_abbrev", header.debug_abbrev_offset().0 as u64, e))?;
    let (encoding, file) = (header.encoding(), dwarf.file_type);
    let mut unit = Unit {
        abbreviations,
        name: None,
        comp_dir: None,
        low_pc: 0,
        str_offsets_base: DebugStrOffsetsBase::default_for_encoding_and_file(encoding, file),
        addr_base: DebugAddrBase(0),
        loclists_base: DebugLocListsBase::default_for_encoding_and_file(encoding, file),
        rnglists_base: DebugRngListsBase::default_for_encoding_and_file(encoding, file),
        line_program: None,
        dwo_id: None,
        header,
    };
    let root = unit
        .entries()
        .next_dfs()
        .and_then(|e| e.cloned().ok_or(gimli::Error::MissingUnitDie))
        .map_err(|e| Damage::new(".debug_info", at, e))?;
    let (mut name, mut comp_dir, mut lines, mut low_pc) = (None, None, None, None);
    for attr in root.attrs() {
        match (attr.name(), attr.value()) {
            (gimli::DW_AT_name, v) => name = Some(v),
            (gimli::DW_AT_comp_dir, v) => comp_dir = Some(v),
            (gimli::DW_AT_low_pc, v) => low_pc = Some(v),
            (gimli::DW_AT_stmt_list, AttributeValue::DebugLineRef(o)) => lines = Some(o),
            (gimli::DW_AT_str_offsets_base, AttributeValue::DebugStrOffsetsBase(b)) => {
                unit.str_offsets_base = b
            }
            (
                gimli::DW_AT_addr_base | gimli::DW_AT_GNU_addr_base,
                AttributeValue::DebugAddrBase(b),
            ) => unit.addr_base = b,
            (gimli::DW_AT_loclists_base, AttributeValue::DebugLocListsBase(b)) => {
                unit.loclists_base = b
            }
            (
                gimli::DW_AT_rnglists_base | gimli::DW_AT_GNU_ranges_base,
                AttributeValue::DebugRngListsBase(b),
            ) => unit.rnglists_base = b,
            _ => {}
        }
    }
    unit.name = name.and_then(|v| dwarf.attr_string(&unit, v).ok());
    unit.comp_dir = comp_dir.and_then(|v| dwarf.attr_string(&unit, v).ok());
    if let Some(offset) = lines {
        let size = unit.header.address_size();
        match dwarf
            .debug_line
            .program(offset, size, unit.comp_dir.clone(), unit.name.clone())
        {
            Ok(program) => unit.line_program = Some(program),
            Err(e) => damage.push(Damage::new(".debug_line", offset.0 as u64, e)),
        }
    }
    if let Some(v) = low_pc {
        match dwarf.attr_address(&unit, v) {
            Ok(addr) => unit.low_pc = addr.unwrap_or(0),
            Err(e) => damage.push(Damage::new(".debug_addr", unit.addr_base.0 as u64, e)),
        }
    }
    Ok(unit)
}
