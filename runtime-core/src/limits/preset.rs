//! Built-in limits for each platform, following the wrt platform-limits design: memory is scaled by
//! the ASIL safety factor, a share is set aside for components and debugging, and the rest split
//! between linear memory and the runtime.

use super::{
    AsilLevel, DebugLevel, EmbeddedPlatform, KIB, MIB, PlatformId, PlatformLimits, SafetyDebugMode,
};

/// The share of memory (per mille) a platform grants at each ASIL: QM 100%, A 90%, B 70%, C 50%,
/// D 30%.
pub fn asil_safety_permille(asil: AsilLevel) -> u64 {
    match asil {
        AsilLevel::QM => 1000,
        AsilLevel::A => 900,
        AsilLevel::B => 700,
        AsilLevel::C => 500,
        AsilLevel::D => 300,
    }
}

/// The safety reserve, in percent of used memory, kept at each ASIL.
pub fn safety_reserve_for_asil(asil: AsilLevel) -> u64 {
    match asil {
        AsilLevel::QM => 0,
        AsilLevel::A => 5,
        AsilLevel::B => 10,
        AsilLevel::C => 15,
        AsilLevel::D => 20,
    }
}

/// Bytes set aside for debugging out of `memory`: none, 1% for line info, 2% for profiling, 5% for
/// full debugging.
pub fn debug_overhead_for(memory: u64, level: DebugLevel) -> u64 {
    match level {
        DebugLevel::None => 0,
        DebugLevel::LineInfo => memory / 100,
        DebugLevel::BasicProfile => memory / 50,
        DebugLevel::FullDebug => memory / 20,
    }
}

fn scale(memory: u64, asil: AsilLevel) -> u64 {
    u64::try_from(u128::from(memory) * u128::from(asil_safety_permille(asil)) / 1000)
        .unwrap_or(memory)
}

/// A Linux container of `container_memory` bytes: memory scaled by the ASIL factor, 10% for
/// components, debug overhead by level, 70% of the rest for linear memory, limits scaled by memory.
pub fn linux_production(
    container_memory: u64,
    asil: AsilLevel,
    debug_level: DebugLevel,
) -> PlatformLimits {
    let base = scale(container_memory, asil);
    let debug = debug_overhead_for(base, debug_level);
    let component = base / 10;
    let available = base - debug - component;
    let full = debug_level >= DebugLevel::FullDebug;
    let pick = |cond: bool, a: u64, b: u64| if cond { a } else { b };
    PlatformLimits {
        platform: PlatformId::Linux,
        asil_level: asil,
        debug_level,
        safety_debug_mode: SafetyDebugMode::Production,
        max_total_memory: container_memory,
        max_wasm_linear_memory: available * 7 / 10,
        max_stack_bytes: (8 * MIB).min(available / 10),
        max_functions: 1_000_000,
        max_function_locals: 50_000,
        max_globals: 1_000_000,
        max_table_elements: (container_memory / 64).min(10_000_000),
        max_open_files: 1024,
        max_block_nesting: 16_384,
        max_components: pick(container_memory > 512 * MIB, 256, 64),
        max_component_instances: pick(container_memory > 1024 * MIB, 1024, 256),
        max_component_types: pick(container_memory > 512 * MIB, 1024, 256),
        max_component_nesting: 16,
        max_resource_types: container_memory / MIB,
        max_resources_per_instance: pick(container_memory > 1024 * MIB, 65536, 16384),
        max_global_resources: container_memory / 1024,
        max_wit_input_buffer: pick(container_memory > 256 * MIB, 32768, 8192),
        max_wit_worlds: 8,
        max_wit_interfaces: 16,
        max_imports_per_component: 512,
        max_exports_per_component: 512,
        max_cross_component_calls: 10_000,
        max_debug_sections: pick(full, 64, 16),
        max_dwarf_section_size: pick(full, 64 * MIB, MIB).min(container_memory / 4),
        max_debug_symbols: container_memory / 1024,
        max_source_files: pick(container_memory > 256 * MIB, 1024, 256),
        max_breakpoints: pick(full, 10_000, 100),
        max_stack_traces: pick(full, 1000, 10),
        max_memory_inspectors: pick(full, 16, 1),
        max_variable_watches: pick(full, 1000, 100),
        max_component_metadata: 256,
        max_function_metadata: 256 * 64,
        max_type_metadata: 1024,
        max_source_breakpoints: pick(full, 5000, 500),
        max_debug_packet: pick(debug_level == DebugLevel::None, 0, 64 * KIB),
        estimated_component_overhead: component,
        estimated_debug_overhead: debug,
        safety_reserve_percentage: safety_reserve_for_asil(asil),
    }
}

/// A QNX safety partition: factor QM 1.0 to D 0.3, conservative component limits, 2 MiB stack, and
/// debugging (2% of the safe memory) only in development mode.
pub fn qnx_safety_critical(
    partition_memory: u64,
    asil: AsilLevel,
    mode: SafetyDebugMode,
) -> PlatformLimits {
    let safe = scale(partition_memory, asil);
    let dev = mode == SafetyDebugMode::Development;
    let debug = if dev { safe / 50 } else { 0 };
    let when = |v: u64| if dev { v } else { 0 };
    PlatformLimits {
        platform: PlatformId::Qnx,
        asil_level: asil,
        debug_level: if dev {
            DebugLevel::BasicProfile
        } else {
            DebugLevel::None
        },
        safety_debug_mode: mode,
        max_total_memory: partition_memory,
        max_wasm_linear_memory: safe * 6 / 10,
        max_stack_bytes: (2 * MIB).min(safe / 10),
        max_functions: 65_536,
        max_function_locals: 4096,
        max_globals: 4096,
        max_table_elements: 65_536,
        max_open_files: 256,
        max_block_nesting: 4096,
        max_components: 16,
        max_component_instances: 64,
        max_component_types: 256,
        max_component_nesting: 4,
        max_resource_types: 64,
        max_resources_per_instance: 1024,
        max_global_resources: 8192,
        max_wit_input_buffer: 4096,
        max_wit_worlds: 2,
        max_wit_interfaces: 4,
        max_imports_per_component: 32,
        max_exports_per_component: 32,
        max_cross_component_calls: 1000,
        max_debug_sections: when(8),
        max_dwarf_section_size: when(64 * 1024),
        max_debug_symbols: debug / 64,
        max_source_files: when(32),
        max_breakpoints: when(50),
        max_stack_traces: when(5),
        max_memory_inspectors: when(1),
        max_variable_watches: when(20),
        max_component_metadata: 16,
        max_function_metadata: 16 * 4,
        max_type_metadata: 256,
        max_source_breakpoints: when(20),
        max_debug_packet: when(16 * KIB),
        estimated_component_overhead: safe / 20,
        estimated_debug_overhead: debug,
        safety_reserve_percentage: 20,
    }
}

/// A microcontroller with `total_ram` bytes: at most 5% of RAM for debugging, an 8 KiB stack, minimal
/// component support, ASIL-B by default.
pub fn embedded_minimal(
    total_ram: u64,
    platform: EmbeddedPlatform,
    debug_enabled: bool,
) -> PlatformLimits {
    let debug = if debug_enabled { total_ram / 20 } else { 0 };
    let available = total_ram - debug;
    let when = |v: u64| if debug_enabled { v } else { 0 };
    PlatformLimits {
        platform: match platform {
            EmbeddedPlatform::Zephyr => PlatformId::Zephyr,
            EmbeddedPlatform::Tock => PlatformId::Tock,
        },
        asil_level: AsilLevel::B,
        debug_level: if debug_enabled {
            DebugLevel::BasicProfile
        } else {
            DebugLevel::None
        },
        safety_debug_mode: SafetyDebugMode::Production,
        max_total_memory: total_ram,
        max_wasm_linear_memory: available * 6 / 10,
        max_stack_bytes: 8192.min(available / 4),
        max_functions: 1024,
        max_function_locals: 256,
        max_globals: 256,
        max_table_elements: 1024,
        max_open_files: 8,
        max_block_nesting: 256,
        max_components: 4,
        max_component_instances: 8,
        max_component_types: 32,
        max_component_nesting: 2,
        max_resource_types: 16,
        max_resources_per_instance: 256,
        max_global_resources: 512,
        max_wit_input_buffer: 1024,
        max_wit_worlds: 1,
        max_wit_interfaces: 2,
        max_imports_per_component: 8,
        max_exports_per_component: 8,
        max_cross_component_calls: 100,
        max_debug_sections: when(2),
        max_dwarf_section_size: when(16 * 1024).min(debug),
        max_debug_symbols: debug / 32,
        max_source_files: when(8),
        max_breakpoints: when(10),
        max_stack_traces: when(1),
        max_memory_inspectors: when(1),
        max_variable_watches: when(5),
        max_component_metadata: 4,
        max_function_metadata: 4 * 2,
        max_type_metadata: 32,
        max_source_breakpoints: when(5),
        max_debug_packet: when(KIB),
        estimated_component_overhead: available / 10,
        estimated_debug_overhead: debug,
        safety_reserve_percentage: 10,
    }
}

/// A macOS development host: QM, development mode, Linux-like limits with full memory.
pub fn macos_development(memory: u64, debug_level: DebugLevel) -> PlatformLimits {
    PlatformLimits {
        platform: PlatformId::MacOs,
        safety_debug_mode: SafetyDebugMode::Development,
        ..linux_production(memory, AsilLevel::QM, debug_level)
    }
}

/// A VxWorks real-time process: QNX-like safety limits with a 1 MiB stack and room for more
/// components.
pub fn vxworks_rtp(memory: u64, asil: AsilLevel, mode: SafetyDebugMode) -> PlatformLimits {
    let qnx = qnx_safety_critical(memory, asil, mode);
    PlatformLimits {
        platform: PlatformId::VxWorks,
        max_stack_bytes: MIB.min(qnx.max_stack_bytes),
        max_components: 32,
        max_component_instances: 128,
        ..qnx
    }
}

/// Bare metal with `total_ram` bytes: no operating system, no debugging, a single component and a
/// 4 KiB stack.
pub fn bare_metal(total_ram: u64, asil: AsilLevel) -> PlatformLimits {
    let embedded = embedded_minimal(total_ram, EmbeddedPlatform::Zephyr, false);
    PlatformLimits {
        platform: PlatformId::BareMetal,
        asil_level: asil,
        max_stack_bytes: 4096.min(embedded.max_stack_bytes),
        max_components: 1,
        max_component_instances: 1,
        max_component_nesting: 1,
        safety_reserve_percentage: safety_reserve_for_asil(asil).max(10),
        ..embedded
    }
}

/// The preset for `platform` with the settings it takes: embedded targets enable debugging for any
/// level above `None`; QNX and VxWorks take the safety mode, Linux and macOS the debug level; all
/// are labelled with `asil`.
pub fn for_platform(
    platform: PlatformId,
    memory: u64,
    asil: AsilLevel,
    debug_level: DebugLevel,
    mode: SafetyDebugMode,
) -> PlatformLimits {
    let embedded = |p| {
        let mut l = embedded_minimal(memory, p, debug_level > DebugLevel::None);
        l.asil_level = asil;
        l
    };
    match platform {
        PlatformId::Linux => linux_production(memory, asil, debug_level),
        PlatformId::Qnx => qnx_safety_critical(memory, asil, mode),
        PlatformId::Zephyr => embedded(EmbeddedPlatform::Zephyr),
        PlatformId::Tock => embedded(EmbeddedPlatform::Tock),
        PlatformId::MacOs => PlatformLimits {
            asil_level: asil,
            safety_reserve_percentage: safety_reserve_for_asil(asil),
            ..macos_development(memory, debug_level)
        },
        PlatformId::VxWorks => vxworks_rtp(memory, asil, mode),
        PlatformId::BareMetal => bare_metal(memory, asil),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::limits::{GIB, KIB};

    #[test]
    fn linux_scales_with_memory_and_asil() {
        let big = linux_production(2 * GIB, AsilLevel::QM, DebugLevel::FullDebug);
        let small = linux_production(256 * MIB, AsilLevel::QM, DebugLevel::None);
        assert_eq!(big.max_components, 256);
        assert_eq!(small.max_components, 64);
        assert_eq!(big.max_breakpoints, 10_000);
        assert_eq!(small.max_breakpoints, 100);
        // 2 GiB, QM: 5% debug, 10% components, 70% of the remaining 85% for linear memory.
        assert_eq!(big.estimated_debug_overhead, 2 * GIB / 20);
        assert_eq!(big.estimated_component_overhead, 2 * GIB / 10);
        assert_eq!(
            big.max_wasm_linear_memory,
            (2 * GIB - 2 * GIB / 20 - 2 * GIB / 10) * 7 / 10
        );
        let d = linux_production(2 * GIB, AsilLevel::D, DebugLevel::None);
        assert_eq!(d.estimated_component_overhead, (2 * GIB * 3 / 10) / 10);
        assert_eq!(d.safety_reserve_percentage, 20);
        assert!(d.max_wasm_linear_memory < big.max_wasm_linear_memory / 3);
        big.check().unwrap();
        d.check().unwrap();
    }

    #[test]
    fn qnx_debug_only_in_development() {
        let prod = qnx_safety_critical(64 * MIB, AsilLevel::C, SafetyDebugMode::Production);
        let dev = qnx_safety_critical(64 * MIB, AsilLevel::C, SafetyDebugMode::Development);
        assert_eq!(prod.max_breakpoints, 0);
        assert_eq!(prod.estimated_debug_overhead, 0);
        assert_eq!(prod.debug_level, DebugLevel::None);
        assert_eq!(dev.max_breakpoints, 50);
        assert_eq!(dev.estimated_debug_overhead, 32 * MIB / 50);
        assert_eq!(dev.max_wasm_linear_memory, 32 * MIB * 6 / 10);
        for (asil, share) in [(AsilLevel::QM, 10), (AsilLevel::A, 9), (AsilLevel::D, 3)] {
            let l = qnx_safety_critical(100 * MIB, asil, SafetyDebugMode::Production);
            assert_eq!(l.max_wasm_linear_memory, 100 * MIB * share / 10 * 6 / 10);
        }
        prod.check().unwrap();
        dev.check().unwrap();
    }

    #[test]
    fn embedded_keeps_debug_within_five_percent() {
        let l = embedded_minimal(64 * KIB, EmbeddedPlatform::Zephyr, true);
        assert_eq!(l.platform, PlatformId::Zephyr);
        assert_eq!(l.asil_level, AsilLevel::B);
        assert!(l.estimated_debug_overhead * 20 <= 64 * KIB);
        assert_eq!(l.max_breakpoints, 10);
        assert_eq!(l.max_stack_bytes, 8192);
        let off = embedded_minimal(64 * KIB, EmbeddedPlatform::Tock, false);
        assert_eq!(off.platform, PlatformId::Tock);
        assert_eq!(off.max_debug_sections, 0);
        assert_eq!(off.estimated_debug_overhead, 0);
        l.check().unwrap();
        off.check().unwrap();
    }

    #[test]
    fn every_platform_has_a_consistent_preset() {
        for &p in PlatformId::ALL {
            for &asil in AsilLevel::ALL {
                for memory in [64 * KIB, 16 * MIB, 4 * GIB] {
                    let l = for_platform(
                        p,
                        memory,
                        asil,
                        DebugLevel::FullDebug,
                        SafetyDebugMode::Development,
                    );
                    assert_eq!(l.platform, p);
                    assert_eq!(l.asil_level, asil, "{p}");
                    l.check()
                        .unwrap_or_else(|e| panic!("{p} {asil} {memory}: {e}"));
                }
            }
        }
        let mac = macos_development(8 * GIB, DebugLevel::FullDebug);
        assert_eq!(mac.safety_debug_mode, SafetyDebugMode::Development);
        let vx = vxworks_rtp(64 * MIB, AsilLevel::B, SafetyDebugMode::Production);
        assert_eq!(vx.max_stack_bytes, MIB);
        let bare = bare_metal(32 * KIB, AsilLevel::D);
        assert_eq!(bare.max_breakpoints, 0);
        assert_eq!(bare.max_stack_bytes, 4096);
    }
}
