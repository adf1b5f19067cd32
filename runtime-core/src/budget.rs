//! The memory budget: what a module will use on a platform, part by part, checked against its limits.
//!
//! The runtime overhead is computed from the module's [`ModuleRequirements`] with the sizes of this
//! interpreter's own structures (translated code, function and table instances, globals), so the
//! prediction tracks what loading and instantiating really allocates.

use alloc::vec::Vec;
use core::mem::size_of;

use crate::asil;
use crate::limits::PlatformLimits;
use crate::requirements::ModuleRequirements;
pub use crate::violation::Violation;

/// Heap bytes per internal instruction: the instruction, its module offset and its operand stack
/// height.
pub const BYTES_PER_INSTRUCTION: u64 =
    (size_of::<crate::instr::Instr>() + 2 * size_of::<u32>()) as u64;

/// Heap bytes per defined function besides its code: the shared body and the function instance.
pub const BYTES_PER_FUNCTION: u64 =
    (size_of::<crate::module::FuncBody>() + 2 * size_of::<usize>() + 64) as u64;

/// Heap bytes per local slot of a translated body.
pub const BYTES_PER_LOCAL: u64 = size_of::<crate::value::ValType>() as u64;

/// Heap bytes per table element, element segment item and global.
pub const BYTES_PER_SLOT: u64 = 8;

/// Heap bytes per type, import and export: their names and signatures, mostly vector and string
/// headers, so counted in pointers (48 bytes on a 64-bit host, 24 on a 32-bit device).
pub const BYTES_PER_ENTITY: u64 = 6 * POINTER;

/// Heap bytes per imported function besides its entity: the host function linked to it (its
/// closure, its copy of the type and the linker's entry), 28 pointers (224 bytes on a 64-bit host).
pub const BYTES_PER_HOST_FUNCTION: u64 = 28 * POINTER;

/// Fixed heap bytes of one loaded module and its store and instance, mostly the headers of their
/// vectors and maps: 256 pointers (2 KiB on a 64-bit host).
pub const BASE_BYTES: u64 = 256 * POINTER;

/// Bytes of a pointer on the target the runtime is built for: what the fixed parts of the model
/// scale with (calibrated on x86-64, checked on a Cortex-M3).
const POINTER: u64 = size_of::<usize>() as u64;
/// Bytes per function name beside its text (its index and where it ends), when a `name` section
/// is present: every function is counted as named.
pub const BYTES_PER_NAME: u64 = 8;
/// Bytes per open block while a body is validated and translated: the translator's control entry
/// and the validator's.
pub const BYTES_PER_BLOCK: u64 = (crate::translate::CTRL_BYTES + 32) as u64;

/// One part of the budget, for reports.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Part {
    /// Its name: `linear_memory`, `stack`, ...
    pub name: &'static str,
    /// Bytes it takes.
    pub bytes: u64,
    /// The limit key it is checked against, if it has one of its own.
    pub limit_key: Option<&'static str>,
    /// That limit's value.
    pub limit: Option<u64>,
}

/// The predicted memory use of a module on a platform.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct MemoryBudget {
    /// Initial linear memory.
    pub linear_memory: u64,
    /// The interpreter stack the runtime reserves (`max_stack_bytes`).
    pub stack: u64,
    /// Component Model bookkeeping; zero for a core module.
    pub component_overhead: u64,
    /// What the debug infrastructure holds ([`debug_parts`]); zero without debugging.
    pub debug_overhead: u64,
    /// Of the debug overhead, what the stub holds only while it handles a packet: the request
    /// in flight ([`request_in_flight`]).
    pub debug_in_flight: u64,
    /// Translated code, instances, tables, globals and metadata.
    pub runtime_overhead: u64,
    /// The ASIL safety reserve: a percentage of the sum of the parts above.
    pub safety_reserve: u64,
}

/// Heap bytes a debug translation adds per instruction: the offset of the operator it executes.
pub const DEBUG_BYTES_PER_INSTRUCTION: u64 = size_of::<u32>() as u64;

/// Heap bytes a debug translation adds per statement start at most: one operand not yet written
/// there (most statements start with one, or none).
pub const DEBUG_BYTES_PER_STATEMENT: u64 = size_of::<(u32, u32, crate::module::Pending)>() as u64;

/// Fixed heap bytes of a debug session on the device besides its tables: the session, the
/// stopped program's state and the address map's header; 128 pointers (1 KiB on a 64-bit host).
pub const SESSION_BYTES: u64 = 128 * POINTER;

/// Heap bytes a debug session holds per function: its entry in the address-to-index map.
pub const SESSION_BYTES_PER_FUNCTION: u64 = size_of::<u32>() as u64;

/// Bytes a packet takes on the wire beyond its body: `$` before it, `#` and two checksum digits
/// after.
pub const PACKET_FRAMING: u64 = 4;

/// Bytes the debug stub holds from setup to the end of a session, for packets of at most
/// `packet` bytes: its state machine's packet buffer, the framer's packet (framing included)
/// and a reply's body.
pub fn bridge_buffers(packet: u64) -> u64 {
    sum([times(packet, 3), PACKET_FRAMING])
}

/// Bytes the debug stub holds only while it handles a packet: the request, framed, passed from
/// the framer to the stub.
pub fn request_in_flight(packet: u64) -> u64 {
    sum([packet, PACKET_FRAMING])
}

/// What the debug infrastructure of a served program holds under `l`, part by part (none when
/// the limits allow no debugging): the bounded tables of its debug level, the profile's
/// contexts from level `profile` up, the module file kept for the client's code and DWARF reads,
/// what the debug translation adds to the code ([`ModuleRequirements::statements`] known), the
/// session itself, and the stub's packet buffers, those it holds and the request in flight.
pub fn debug_parts(req: &ModuleRequirements, l: &PlatformLimits) -> Vec<Part> {
    if !l.debug_allowed() {
        return Vec::new();
    }
    let part = |name, bytes, key: Option<&'static str>| Part {
        name,
        bytes,
        limit_key: key,
        limit: key.and_then(|k| l.get(k)),
    };
    let [bps, traces, watches, inspectors] = crate::debug::tables(l);
    let profile = match l.debug_level >= crate::limits::DebugLevel::BasicProfile {
        true => crate::debug::profile::device_bytes(req.functions),
        false => 0,
    };
    alloc::vec![
        part("breakpoint_table", bps.2, Some(bps.0)),
        part("trace_table", traces.2, Some(traces.0)),
        part("watch_table", watches.2, Some(watches.0)),
        part("inspector_table", inspectors.2, Some(inspectors.0)),
        part("profile_table", profile, None),
        part("module_file", req.binary_bytes, None),
        part(
            "debug_translation",
            sum([
                times(req.instructions, DEBUG_BYTES_PER_INSTRUCTION),
                times(req.statements, DEBUG_BYTES_PER_STATEMENT)
            ]),
            None
        ),
        part(
            "session",
            sum([
                SESSION_BYTES,
                times(req.functions, SESSION_BYTES_PER_FUNCTION)
            ]),
            None
        ),
        part("bridge_buffers", bridge_buffers(l.max_debug_packet), None),
        part(
            "request_in_flight",
            request_in_flight(l.max_debug_packet),
            None
        ),
    ]
}

/// The heap bytes loading and instantiating `req` takes in this runtime, linear memory excluded:
/// what stays held ([`runtime_held`]) and what loading needs for a while ([`load_transient`]).
pub fn runtime_overhead(req: &ModuleRequirements) -> u64 {
    sum([runtime_held(req), load_transient(req)])
}

/// The bytes loading takes only while it runs: the control stacks of validation and translation,
/// as deep as the deepest nesting of blocks.
pub fn load_transient(req: &ModuleRequirements) -> u64 {
    times(req.max_block_nesting, BYTES_PER_BLOCK)
}

/// The heap bytes a loaded and instantiated `req` holds, linear memory excluded.
pub fn runtime_held(req: &ModuleRequirements) -> u64 {
    sum([
        BASE_BYTES,
        times(req.instructions, BYTES_PER_INSTRUCTION),
        times(req.defined_functions, BYTES_PER_FUNCTION),
        times(req.functions, 16),
        times(req.locals, BYTES_PER_LOCAL),
        times(
            sum([req.table_elements, req.element_items, req.globals]),
            BYTES_PER_SLOT,
        ),
        times(sum([req.types, req.imports_exports]), BYTES_PER_ENTITY),
        times(
            req.functions.saturating_sub(req.defined_functions),
            BYTES_PER_HOST_FUNCTION,
        ),
        req.data_bytes,
        req.names_bytes,
        times(
            if req.names_bytes > 0 {
                req.functions
            } else {
                0
            },
            BYTES_PER_NAME,
        ),
    ])
}

/// A sum that saturates: budget figures come from untrusted limits and modules, and a figure too
/// large to count must read as too large, never wrap into one that fits.
fn sum(parts: impl IntoIterator<Item = u64>) -> u64 {
    parts.into_iter().fold(0, u64::saturating_add)
}

/// `count * each`, saturating like [`sum`].
fn times(count: u64, each: u64) -> u64 {
    count.saturating_mul(each)
}

impl MemoryBudget {
    /// The budget of `req` under `limits`.
    pub fn new(req: &ModuleRequirements, limits: &PlatformLimits) -> MemoryBudget {
        let debug = debug_parts(req, limits);
        let debug_overhead = sum(debug.iter().map(|p| p.bytes));
        let debug_in_flight = debug
            .iter()
            .find(|p| p.name == "request_in_flight")
            .map_or(0, |p| p.bytes);
        let component_overhead = if req.components.components > 0 {
            limits.estimated_component_overhead
        } else {
            0
        };
        let mut b = MemoryBudget {
            linear_memory: req.linear_memory_bytes,
            stack: limits.max_stack_bytes,
            component_overhead,
            debug_overhead,
            debug_in_flight,
            runtime_overhead: runtime_overhead(req),
            safety_reserve: 0,
        };
        b.safety_reserve = u64::try_from(
            u128::from(b.used()) * u128::from(limits.safety_reserve_percentage) / 100,
        )
        .unwrap_or(u64::MAX);
        b
    }

    /// The heap bytes the runtime holds once `req` is loaded and instantiated and its thread's
    /// stack reserved, debug overhead excluded: what a run measures after setup.
    pub fn runtime_held(&self, req: &ModuleRequirements) -> u64 {
        sum([runtime_held(req), self.linear_memory, self.stack])
    }

    /// [`MemoryBudget::runtime_held`] and the debug overhead but the request in flight: what a
    /// served program holds after its session is set up (`wrt-dbg budget` and the board measure
    /// it).
    pub fn held(&self, req: &ModuleRequirements) -> u64 {
        self.serving(req).saturating_sub(self.debug_in_flight)
    }

    /// [`MemoryBudget::runtime_held`] and the whole debug overhead: the most a served program
    /// holds while its client talks to it (the board's heap high-water mark).
    pub fn serving(&self, req: &ModuleRequirements) -> u64 {
        sum([self.runtime_held(req), self.debug_overhead])
    }

    /// The parts before the reserve.
    pub fn used(&self) -> u64 {
        sum([
            self.linear_memory,
            self.stack,
            self.component_overhead,
            self.debug_overhead,
            self.runtime_overhead,
        ])
    }

    /// Everything, reserve included.
    pub fn total(&self) -> u64 {
        sum([self.used(), self.safety_reserve])
    }

    /// Every limit and ASIL rule this budget breaks; empty when the module fits.
    pub fn violations(&self, req: &ModuleRequirements, l: &PlatformLimits) -> Vec<Violation> {
        let mut out: Vec<Violation> = self
            .parts(l)
            .into_iter()
            .filter_map(|p| match (p.limit_key, p.limit) {
                (Some(key), Some(limit)) if p.bytes > limit => Some(Violation {
                    rule: key.into(),
                    found: p.bytes,
                    allowed: limit,
                    offset: None,
                }),
                _ => None,
            })
            .collect();
        if req.max_frame_bytes > l.max_stack_bytes {
            out.push(Violation {
                rule: "max_stack_bytes (largest frame)".into(),
                found: req.max_frame_bytes,
                allowed: l.max_stack_bytes,
                offset: None,
            });
        }
        out.extend(asil::check(l.asil_level, self.debug_overhead, req));
        out
    }

    /// Each part with the limit it is checked against, the total last.
    pub fn parts(&self, l: &PlatformLimits) -> Vec<Part> {
        let part = |name, bytes, key: Option<&'static str>| Part {
            name,
            bytes,
            limit_key: key,
            limit: key.and_then(|k| l.get(k)),
        };
        alloc::vec![
            part(
                "linear_memory",
                self.linear_memory,
                Some("max_wasm_linear_memory")
            ),
            part("stack", self.stack, Some("max_stack_bytes")),
            part(
                "component_overhead",
                self.component_overhead,
                Some("estimated_component_overhead")
            ),
            part(
                "debug_overhead",
                self.debug_overhead,
                Some("estimated_debug_overhead")
            ),
            part("runtime_overhead", self.runtime_overhead, None),
            part("safety_reserve", self.safety_reserve, None),
            part("total", self.total(), Some("max_total_memory")),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::limits::preset::embedded_minimal;
    use crate::limits::{EmbeddedPlatform, KIB};

    #[test]
    fn a_served_program_holds_the_stubs_buffers_and_peaks_with_a_request_in_flight() {
        let req = ModuleRequirements::default();
        let debugging = embedded_minimal(64 * KIB, EmbeddedPlatform::Zephyr, true);
        let budget = MemoryBudget::new(&req, &debugging);
        let parts = debug_parts(&req, &debugging);
        let bytes = |name| parts.iter().find(|p| p.name == name).unwrap().bytes;
        assert_eq!(bytes("bridge_buffers"), 3 * 1024 + 4);
        assert_eq!(bytes("request_in_flight"), 1024 + 4);
        assert_eq!(budget.serving(&req) - budget.held(&req), 1024 + 4);
        let running = embedded_minimal(64 * KIB, EmbeddedPlatform::Zephyr, false);
        let budget = MemoryBudget::new(&req, &running);
        assert_eq!(budget.serving(&req), budget.held(&req));
        assert_eq!(budget.debug_overhead, 0);
    }
}
