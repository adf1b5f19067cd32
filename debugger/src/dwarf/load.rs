//! Loading `.debug_*` sections from a module within the DWARF budget of the platform limits.

use std::rc::Rc;

use runtime_core::limits::preset::linux_production;
use runtime_core::limits::{AsilLevel, DebugLevel, MIB, PlatformLimits};
use runtime_core::module::CustomSection;

use super::DwarfInfo;
use crate::error::Error;

/// The DWARF sections read, by their Wasm custom-section names.
pub const SECTIONS: &[&str] = &[
    ".debug_abbrev",
    ".debug_addr",
    ".debug_aranges",
    ".debug_info",
    ".debug_line",
    ".debug_line_str",
    ".debug_loc",
    ".debug_loclists",
    ".debug_ranges",
    ".debug_rnglists",
    ".debug_str",
    ".debug_str_offsets",
];

/// A DWARF section the budget refused; the session goes on without it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refused {
    /// The section name.
    pub section: String,
    /// Why, naming the limit and the values.
    pub reason: String,
}

impl DwarfInfo {
    /// Loads all the DWARF of a module file, whatever a session's budget would keep: for what
    /// the host reads once of a module (statement starts, static data), not for a session.
    pub fn load_all(bytes: &[u8]) -> Result<DwarfInfo, Error> {
        let (sections, _) = runtime_core::Module::sections(bytes)?;
        let mut limits = linux_production(64 * MIB, AsilLevel::QM, DebugLevel::FullDebug);
        limits.max_debug_sections = u64::MAX;
        limits.max_dwarf_section_size = u64::MAX;
        DwarfInfo::load(&sections, bytes, &limits)
    }

    /// Loads the DWARF among a module's custom `sections` (in its file `bytes`) within `limits`:
    /// nothing at debug level none; sections past `max_debug_sections` or larger than
    /// `max_dwarf_section_size` are refused and listed in [`DwarfInfo::refused`].
    pub fn load(
        sections: &[CustomSection],
        bytes: &[u8],
        limits: &PlatformLimits,
    ) -> Result<DwarfInfo, Error> {
        let mut refused = Vec::new();
        let mut kept: Vec<(&str, Rc<[u8]>)> = Vec::new();
        if limits.debug_level > DebugLevel::None {
            for c in sections
                .iter()
                .filter(|c| SECTIONS.contains(&c.name.as_str()))
            {
                let size = c.range.len() as u64;
                let reason = if kept.len() as u64 >= limits.max_debug_sections {
                    Some(format!(
                        "limit `max_debug_sections` reached: {} allowed",
                        limits.max_debug_sections
                    ))
                } else if size > limits.max_dwarf_section_size {
                    Some(format!(
                        "limit `max_dwarf_section_size` exceeded: {size} bytes, {} allowed",
                        limits.max_dwarf_section_size
                    ))
                } else {
                    None
                };
                match (reason, bytes.get(c.range.clone())) {
                    (Some(reason), _) => refused.push(Refused {
                        section: c.name.clone(),
                        reason,
                    }),
                    (None, Some(data)) => kept.push((c.name.as_str(), Rc::from(data))),
                    (None, None) => refused.push(Refused {
                        section: c.name.clone(),
                        reason: "section range outside the module bytes".into(),
                    }),
                }
            }
        }
        DwarfInfo::from_sections(
            |id| {
                kept.iter()
                    .find(|(n, _)| *n == id.name())
                    .map(|(_, b)| b.clone())
            },
            refused,
        )
    }
}
