//! The session's debug budget: every bounded table's use against its limit, from every part.

use crate::report::{Budget, DamagedDwarf, MemoryPart, RefusedSection, TableUsage};
use crate::session::Session;

impl Session {
    /// Every bounded debug table's use, and what DWARF the budget refused.
    pub fn budget(&self) -> Budget {
        let l = self.limits();
        let source = TableUsage {
            table: "source breakpoints".into(),
            limit: "max_source_breakpoints".into(),
            used: self.points.breakpoints.len() as u64,
            capacity: l.max_source_breakpoints,
        };
        let tables = std::iter::once(source)
            .chain(self.debug.usage().iter().map(|t| TableUsage {
                table: t.what.into(),
                limit: t.limit.into(),
                used: t.used as u64,
                capacity: t.capacity as u64,
            }))
            .collect();
        Budget {
            platform: l.platform.to_string(),
            debug_level: l.debug_level.to_string(),
            tables,
            reserved_bytes: runtime_core::debug::reserved_bytes(l),
            refused_dwarf: self
                .image
                .dwarf
                .refused
                .iter()
                .map(|r| RefusedSection {
                    section: r.section.to_string(),
                    reason: r.reason.to_string(),
                })
                .collect(),
            damaged_dwarf: self
                .image
                .dwarf
                .damaged
                .iter()
                .map(|d| DamagedDwarf {
                    section: d.section.to_string(),
                    offset: d.offset,
                    error: d.error.clone(),
                })
                .collect(),
            remote: self.is_attached(),
            memory: self
                .image
                .memory
                .parts(l)
                .into_iter()
                .map(|p| MemoryPart {
                    part: p.name.into(),
                    bytes: p.bytes,
                    limit: p.limit_key.map(str::to_string),
                    allowed: p.limit,
                })
                .collect(),
        }
    }
}
