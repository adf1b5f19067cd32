//! ASIL rules: how much debug overhead and how complex a module each safety level accepts.
//!
//! ASIL-D allows no debug overhead, ASIL-C at most 1 MiB and ASIL-B at most 16 MiB; each level also
//! bounds the module's complexity ([`wasm_complexity`]) and component complexity
//! ([`component_complexity`]). QM and ASIL-A have no restrictions.

use alloc::format;
use alloc::vec::Vec;

use crate::limits::{AsilLevel, MIB};
use crate::requirements::{ComponentRequirements, ModuleRequirements};
use crate::violation::Violation;

/// The bounds one ASIL level sets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AsilRule {
    /// Most debug overhead in bytes.
    pub max_debug_overhead: u64,
    /// Highest [`wasm_complexity`].
    pub max_wasm_complexity: u64,
    /// Highest [`component_complexity`].
    pub max_component_complexity: u64,
}

/// The rule for `level`, `None` for levels without restrictions.
pub fn rule(level: AsilLevel) -> Option<AsilRule> {
    let r = |max_debug_overhead, max_wasm_complexity, max_component_complexity| AsilRule {
        max_debug_overhead,
        max_wasm_complexity,
        max_component_complexity,
    };
    match level {
        AsilLevel::D => Some(r(0, 2, 1)),
        AsilLevel::C => Some(r(MIB, 3, 2)),
        AsilLevel::B => Some(r(16 * MIB, 4, 3)),
        AsilLevel::QM | AsilLevel::A => None,
    }
}

/// Module complexity from 1 to 5, by defined functions and code bytes: up to 64 functions and
/// 64 KiB is 1, 1024 and 1 MiB is 2, 16384 and 16 MiB is 3, 65536 and 64 MiB is 4, beyond is 5.
pub fn wasm_complexity(req: &ModuleRequirements) -> u64 {
    const STEPS: [(u64, u64); 4] = [
        (64, 64 * 1024),
        (1024, MIB),
        (16384, 16 * MIB),
        (65536, 64 * MIB),
    ];
    STEPS
        .iter()
        .position(|&(f, c)| req.defined_functions <= f && req.code_bytes <= c)
        .map_or(5, |i| i as u64 + 1)
}

/// Component complexity from 0 (a core module) to 4, by components, nesting and instances: one
/// component nested at most 2 deep with 8 instances is 1, 4/3/32 is 2, 16/4/128 is 3, beyond is 4.
pub fn component_complexity(c: &ComponentRequirements) -> u64 {
    const STEPS: [(u64, u64, u64); 3] = [(1, 2, 8), (4, 3, 32), (16, 4, 128)];
    if c.components == 0 {
        return 0;
    }
    STEPS
        .iter()
        .position(|&(n, depth, inst)| {
            c.components <= n && c.max_nesting <= depth && c.instances <= inst
        })
        .map_or(4, |i| i as u64 + 1)
}

/// The ASIL rules `req` with `debug_overhead` breaks at `level`.
pub fn check(level: AsilLevel, debug_overhead: u64, req: &ModuleRequirements) -> Vec<Violation> {
    let Some(r) = rule(level) else {
        return Vec::new();
    };
    let name = format!("ASIL-{}", level.name().to_ascii_uppercase());
    [
        ("debug overhead", debug_overhead, r.max_debug_overhead),
        (
            "wasm complexity",
            wasm_complexity(req),
            r.max_wasm_complexity,
        ),
        (
            "component complexity",
            component_complexity(&req.components),
            r.max_component_complexity,
        ),
    ]
    .into_iter()
    .filter(|&(_, found, allowed)| found > allowed)
    .map(|(what, found, allowed)| Violation {
        rule: format!("{name} {what}"),
        found,
        allowed,
        offset: None,
    })
    .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_overhead_rules_by_level() {
        let req = ModuleRequirements::default();
        assert!(check(AsilLevel::D, 0, &req).is_empty());
        let v = check(AsilLevel::D, 1, &req);
        assert_eq!(v[0].rule, "ASIL-D debug overhead");
        assert!(check(AsilLevel::C, MIB, &req).is_empty());
        assert_eq!(check(AsilLevel::C, MIB + 1, &req)[0].allowed, MIB);
        assert!(check(AsilLevel::B, 16 * MIB, &req).is_empty());
        assert_eq!(check(AsilLevel::B, 16 * MIB + 1, &req).len(), 1);
        assert!(check(AsilLevel::A, u64::MAX, &req).is_empty());
        assert!(check(AsilLevel::QM, u64::MAX, &req).is_empty());
    }

    #[test]
    fn complexity_bounds() {
        let mut req = ModuleRequirements {
            defined_functions: 2000,
            code_bytes: 100_000,
            ..ModuleRequirements::default()
        };
        assert_eq!(wasm_complexity(&req), 3);
        assert_eq!(
            check(AsilLevel::D, 0, &req)[0].rule,
            "ASIL-D wasm complexity"
        );
        assert!(check(AsilLevel::C, 0, &req).is_empty());
        req.components = ComponentRequirements {
            components: 5,
            max_nesting: 2,
            instances: 3,
            ..ComponentRequirements::default()
        };
        assert_eq!(component_complexity(&req.components), 3);
        let v = check(AsilLevel::C, 0, &req);
        assert_eq!(v[0].rule, "ASIL-C component complexity");
        assert_eq!((v[0].found, v[0].allowed), (3, 2));
    }
}
