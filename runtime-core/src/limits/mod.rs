//! Platform limits: what a deployment target allows a module, its components and the debugger to use.
//!
//! [`PlatformLimits`] holds every limit as a named number, so configuration files, environment
//! variables and error messages all speak of the same keys ([`PlatformLimits::KEYS`]). Presets for each
//! platform live in [`preset`]; discovery of the running host in `discover` and layered configuration
//! in `config` (both with the `std` feature). The values naming a deployment ([`PlatformId`],
//! [`AsilLevel`], [`DebugLevel`], [`SafetyDebugMode`]) are defined apart, below the errors that
//! name them, and re-exported and parsed here.

use alloc::string::ToString;
use core::fmt;
use core::str::FromStr;

use serde::{Deserialize, Serialize};

pub use crate::deployment::{AsilLevel, DebugLevel, EmbeddedPlatform, PlatformId, SafetyDebugMode};
use crate::error::Error;

#[cfg(feature = "std")]
pub mod config;
#[cfg(feature = "std")]
pub mod discover;
pub mod preset;

/// One KiB.
pub const KIB: u64 = 1024;
/// One MiB.
pub const MIB: u64 = 1024 * KIB;
/// One GiB.
pub const GIB: u64 = 1024 * MIB;

/// Parses each named value from its word, in any case; an unknown word is an [`Error::Config`]
/// for the value's key, listing the words.
macro_rules! parse_by_name {
    ($($name:ident),+) => {
        $(impl FromStr for $name {
            type Err = Error;
            fn from_str(s: &str) -> Result<Self, Error> {
                let lower = s.to_ascii_lowercase();
                $name::ALL.iter().copied().find(|v| v.name() == lower).ok_or_else(|| Error::Config {
                    key: $name::KEY.into(),
                    message: alloc::format!(
                        "unknown value `{s}`, expected one of: {}",
                        $name::ALL.iter().map(|v| v.name()).collect::<alloc::vec::Vec<_>>().join(", ")
                    ),
                })
            }
        })+
    };
}

parse_by_name!(
    PlatformId,
    AsilLevel,
    DebugLevel,
    SafetyDebugMode,
    EmbeddedPlatform
);

/// Declares [`PlatformLimits`] with its numeric limits listed once, so the struct, the key list and
/// access by key cannot drift apart.
macro_rules! platform_limits {
    ($($(#[doc = $doc:literal])* $field:ident,)+) => {
        /// Every limit a platform imposes: memory, Component Model, debug infrastructure and safety.
        ///
        /// Sizes are bytes, other numbers are counts. A key of [`PlatformLimits::KEYS`] is the field name.
        #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
        #[serde(deny_unknown_fields)]
        pub struct PlatformLimits {
            /// The platform these limits describe.
            pub platform: PlatformId,
            /// The safety level the deployment is certified to.
            pub asil_level: AsilLevel,
            /// The debug support configured.
            pub debug_level: DebugLevel,
            /// Production or development.
            pub safety_debug_mode: SafetyDebugMode,
            $($(#[doc = $doc])* pub $field: u64,)+
        }

        impl PlatformLimits {
            /// Limits nothing breaks: every numeric limit `u64::MAX`, full debug support, in
            /// development. What [`crate::Module::new`] admits a module under.
            pub fn unbounded() -> PlatformLimits {
                PlatformLimits {
                    platform: PlatformId::Linux,
                    asil_level: AsilLevel::QM,
                    debug_level: DebugLevel::FullDebug,
                    safety_debug_mode: SafetyDebugMode::Development,
                    $($field: u64::MAX,)+
                }
            }

            /// The names of the numeric limits, as configuration keys.
            pub const KEYS: &[&str] = &[$(stringify!($field)),+];

            /// The numeric limit named `key`.
            pub fn get(&self, key: &str) -> Option<u64> {
                match key {
                    $(stringify!($field) => Some(self.$field),)+
                    _ => None,
                }
            }

            /// Sets the numeric limit named `key`; an unknown key is an error naming it.
            pub fn set(&mut self, key: &str, value: u64) -> Result<(), Error> {
                match key {
                    $(stringify!($field) => self.$field = value,)+
                    _ => return Err(Error::Config { key: key.to_string(), message: "unknown limit".into() }),
                }
                Ok(())
            }
        }
    };
}

platform_limits! {
    /// All memory the runtime may use, in bytes.
    max_total_memory,
    /// Most bytes of Wasm linear memory.
    max_wasm_linear_memory,
    /// Most bytes of interpreter stack (frames, locals, operands).
    max_stack_bytes,
    /// Most functions a module may define and import (beyond the design: bounds translation).
    max_functions,
    /// Most locals one function may declare (beyond the design: bounds a frame).
    max_function_locals,
    /// Most globals (beyond the design).
    max_globals,
    /// Most elements a table may hold (beyond the design: bounds `table.grow`).
    max_table_elements,
    /// Deepest nesting of blocks, loops and ifs in one function (beyond the design: bounds the
    /// control stacks of validation and translation).
    max_block_nesting,
    /// Most file descriptors a WASI guest holds open, stdio and preopens included (beyond the design).
    max_open_files,
    /// Most components, nested ones included.
    max_components,
    /// Most component and core instances.
    max_component_instances,
    /// Most component types.
    max_component_types,
    /// Deepest nesting of components and modules inside components.
    max_component_nesting,
    /// Most resource types.
    max_resource_types,
    /// Most live resources per instance.
    max_resources_per_instance,
    /// Most live resources in all.
    max_global_resources,
    /// Largest WIT input buffer, in bytes.
    max_wit_input_buffer,
    /// Most WIT worlds.
    max_wit_worlds,
    /// Most WIT interfaces.
    max_wit_interfaces,
    /// Most imports per component.
    max_imports_per_component,
    /// Most exports per component.
    max_exports_per_component,
    /// Most calls across components.
    max_cross_component_calls,
    /// Most debug custom sections (`.debug_*`, `name`).
    max_debug_sections,
    /// Largest single DWARF section, in bytes.
    max_dwarf_section_size,
    /// Most debug symbols.
    max_debug_symbols,
    /// Most source files in line tables.
    max_source_files,
    /// Most breakpoints.
    max_breakpoints,
    /// Most captured stack traces.
    max_stack_traces,
    /// Most memory inspectors.
    max_memory_inspectors,
    /// Most variable watches.
    max_variable_watches,
    /// Most component metadata records.
    max_component_metadata,
    /// Most function metadata records.
    max_function_metadata,
    /// Most type metadata records.
    max_type_metadata,
    /// Most source-level breakpoints.
    max_source_breakpoints,
    /// Largest GDB remote-protocol packet the debug stub takes or sends, in bytes: it sizes the
    /// stub's buffers (`bridge_buffers` in the budget).
    max_debug_packet,
    /// Bytes set aside for Component Model bookkeeping.
    estimated_component_overhead,
    /// Bytes set aside for the debug infrastructure.
    estimated_debug_overhead,
    /// Percent of the used memory held back as a safety reserve.
    safety_reserve_percentage,
}

impl PlatformLimits {
    /// Rejects impossible limits: a memory part above the total, a percentage above 100, or debug
    /// overhead where debugging is off. The error names the key.
    pub fn check(&self) -> Result<(), Error> {
        let bad = |key: &str, message: alloc::string::String| {
            Err(Error::Config {
                key: key.to_string(),
                message,
            })
        };
        if self.max_total_memory == 0 {
            return bad("max_total_memory", "must be above 0".into());
        }
        for key in [
            "max_wasm_linear_memory",
            "max_stack_bytes",
            "max_wit_input_buffer",
            "max_dwarf_section_size",
            "estimated_component_overhead",
            "estimated_debug_overhead",
        ] {
            let v = self.get(key).expect("a key of PlatformLimits");
            if v > self.max_total_memory {
                return bad(
                    key,
                    alloc::format!(
                        "{v} bytes is above max_total_memory ({} bytes)",
                        self.max_total_memory
                    ),
                );
            }
        }
        if self.safety_reserve_percentage > 100 {
            return bad(
                "safety_reserve_percentage",
                alloc::format!("{}% is above 100%", self.safety_reserve_percentage),
            );
        }
        Ok(())
    }

    /// The platform, safety level, debug level and mode, then every limit by key, one a line.
    pub fn report(&self) -> alloc::string::String {
        let mut out = alloc::string::String::new();
        let _ = self.write_report(&mut out);
        out
    }

    /// Writes [`PlatformLimits::report`] line by line to `out`, holding no copy of it (a
    /// device's stub sends each line as it comes).
    pub fn write_report(&self, out: &mut dyn fmt::Write) -> fmt::Result {
        write!(
            out,
            "platform {}  asil {}  debug level {}  mode {}",
            self.platform, self.asil_level, self.debug_level, self.safety_debug_mode
        )?;
        for k in Self::KEYS {
            write!(out, "\n{k:<28} {}", self.get(k).unwrap_or(0))?;
        }
        Ok(())
    }

    /// Whether a debugger may attach: debugging is configured, and an ASIL-D deployment in production
    /// refuses it outright.
    pub fn debug_allowed(&self) -> bool {
        self.debug_level > DebugLevel::None
            && !(self.asil_level == AsilLevel::D
                && self.safety_debug_mode == SafetyDebugMode::Production)
    }
}
