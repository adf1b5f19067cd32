//! The functions DWARF describes: names and code ranges of every concrete `DW_TAG_subprogram`, for
//! breakpoints by name, frame names and the scope lookups of variables.

use gimli::{Dwarf, UnitOffset};

use super::{Damage, Reader, attr_text};
use crate::error::Error;

/// One function with code.
#[derive(Debug, Clone)]
pub struct Function {
    /// The source name (`scale`, `fib`).
    pub name: String,
    /// The demangled qualified name where there is a linkage name (`demo::fib`), else the name.
    pub qualified: String,
    /// Code range `[low, high)`.
    pub low: u64,
    /// End of the code range.
    pub high: u64,
    /// Index of its unit in the DWARF's list of units.
    pub unit: usize,
    /// Its DIE in that unit.
    pub die: UnitOffset,
}

impl Function {
    /// Whether a user's `name` means this function: the source name, the qualified name, or its
    /// trailing path (`Shape::area` for `demo::Shape::area`).
    pub fn is_named(&self, name: &str) -> bool {
        self.name == name
            || self.qualified == name
            || self
                .qualified
                .strip_suffix(name)
                .is_some_and(|p| p.ends_with("::"))
    }
}

/// Reads every concrete subprogram with a code range from the units, and every inlined call
/// (by its entry address) apart. A unit found malformed part way keeps the functions read
/// before; the rest of it goes in `damage`.
pub fn read(
    dwarf: &Dwarf<Reader>,
    units: &[gimli::Unit<Reader>],
    damage: &mut Vec<Damage>,
) -> (Vec<Function>, Vec<Function>) {
    let mut out = Vec::new();
    let mut inlined = Vec::new();
    for (u, unit) in units.iter().enumerate() {
        if let Err(e) = read_unit(dwarf, unit, u, &mut out, &mut inlined) {
            let at = unit.header.offset().0 as u64;
            let error = match e {
                Error::Dwarf { message, .. } => message,
                e => e.to_string(),
            };
            damage.push(Damage::new(".debug_info", at, error));
        }
    }
    out.sort_by_key(|f| f.low);
    (out, inlined)
}

/// The functions and inlined calls of unit `u`, added to `out` and `inlined` as they are read.
fn read_unit(
    dwarf: &Dwarf<Reader>,
    unit: &gimli::Unit<Reader>,
    u: usize,
    out: &mut Vec<Function>,
    inlined: &mut Vec<Function>,
) -> Result<(), Error> {
    let bad = |e: gimli::Error| Error::dwarf(".debug_info", e);
    {
        let mut entries = unit.entries();
        while let Some(die) = entries.next_dfs().map_err(bad)? {
            let list = match die.tag() {
                gimli::DW_TAG_subprogram => &mut *out,
                gimli::DW_TAG_inlined_subroutine => &mut *inlined,
                _ => continue,
            };
            let range = match pc_range(die)? {
                Some(r) => Some(r),
                None => first_range(dwarf, unit, die)?,
            };
            let Some((low, high)) = range else {
                continue;
            };
            let origin = origin_die(unit, die)?;
            let spec = origin.as_ref().unwrap_or(die);
            let name =
                attr_text(dwarf, unit, spec.attr_value(gimli::DW_AT_name)).unwrap_or_default();
            let linkage = attr_text(dwarf, unit, spec.attr_value(gimli::DW_AT_linkage_name));
            let qualified = linkage
                .map(|l| {
                    let d = addr2line::demangle_auto(l.into(), None).into_owned();
                    strip_hash(&d).to_string()
                })
                .unwrap_or_else(|| name.clone());
            list.push(Function {
                name,
                qualified,
                low,
                high,
                unit: u,
                die: die.offset(),
            });
        }
    }
    Ok(())
}

/// The first of a DIE's `DW_AT_ranges`, for scopes split over several ranges.
fn first_range(
    dwarf: &Dwarf<Reader>,
    unit: &gimli::Unit<Reader>,
    die: &gimli::DebuggingInformationEntry<Reader>,
) -> Result<Option<(u64, u64)>, Error> {
    let bad = |e: gimli::Error| Error::dwarf(".debug_ranges", e);
    let Some(attr) = die.attr_value(gimli::DW_AT_ranges) else {
        return Ok(None);
    };
    let Some(mut ranges) = dwarf.attr_ranges(unit, attr).map_err(bad)? else {
        return Ok(None);
    };
    while let Some(r) = ranges.next().map_err(bad)? {
        if r.begin != 0 && r.begin < 0xffff_fff0 && r.end > r.begin {
            return Ok(Some((r.begin, r.end)));
        }
    }
    Ok(None)
}

/// The `[low, high)` of a DIE with `DW_AT_low_pc`/`DW_AT_high_pc`, unless dropped by the linker.
pub fn pc_range(
    die: &gimli::DebuggingInformationEntry<Reader>,
) -> Result<Option<(u64, u64)>, Error> {
    let Some(gimli::AttributeValue::Addr(low)) = die.attr_value(gimli::DW_AT_low_pc) else {
        return Ok(None);
    };
    let high = match die.attr_value(gimli::DW_AT_high_pc) {
        Some(gimli::AttributeValue::Addr(h)) => h,
        Some(v) => match v.udata_value() {
            Some(n) => low + n,
            None => return Ok(None),
        },
        None => return Ok(None),
    };
    Ok((low != 0 && low < 0xffff_fff0 && high > low).then_some((low, high)))
}

/// The DIE a concrete DIE takes its name and type from (`DW_AT_specification` or
/// `DW_AT_abstract_origin` within the same unit).
pub fn origin_die(
    unit: &gimli::Unit<Reader>,
    die: &gimli::DebuggingInformationEntry<Reader>,
) -> Result<Option<gimli::DebuggingInformationEntry<Reader>>, Error> {
    for at in [gimli::DW_AT_specification, gimli::DW_AT_abstract_origin] {
        if let Some(gimli::AttributeValue::UnitRef(o)) = die.attr_value(at) {
            let origin = unit.entry(o).map_err(|e| Error::dwarf(".debug_info", e))?;
            return Ok(Some(origin));
        }
    }
    Ok(None)
}

/// A demangled Rust name without its `::h0123…` hash.
pub fn strip_hash(name: &str) -> &str {
    match name.rfind("::h") {
        Some(i) if name.len() > i + 3 && name[i + 3..].chars().all(|c| c.is_ascii_hexdigit()) => {
            &name[..i]
        }
        _ => name,
    }
}
