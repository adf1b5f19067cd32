//! Firmware for qemu's mps2-an385 (Cortex-M3) held to 64 KiB of RAM: the wrt runtime runs the
//! Wasm module embedded at build time (`WRT_MODULE`), or with the `debug` feature serves it to a
//! debugger on UART0. The program's output goes to UART1, its exit code ends qemu through
//! semihosting, and the RAM it took is printed through semihosting too. Every byte of RAM the
//! firmware uses (data, bss, the heap the runtime allocates from, the stack) is in the 64 KiB.
#![no_std]
#![no_main]

extern crate alloc;

#[cfg(feature = "debug")]
mod debug;
mod exit;
mod footprint;
mod load;
#[cfg(not(feature = "debug"))]
mod run;
mod uart;
mod wasi;

use core::mem::MaybeUninit;

use cortex_m_rt::entry;
use runtime_core::limits::preset::embedded_minimal;
use runtime_core::limits::{DebugLevel, EmbeddedPlatform};

use crate::footprint::Counting;

/// The module to run, in flash.
static MODULE: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/module.wasm"));

/// RAM the board has.
const RAM: u64 = 64 * 1024;
/// The heap: the runtime's store (linear memory included), translated code and tables.
const HEAP_BYTES: usize = 44 * 1024;

#[global_allocator]
static HEAP: Counting = Counting::empty();

#[entry]
fn main() -> ! {
    static mut HEAP_MEM: [MaybeUninit<u8>; HEAP_BYTES] = [MaybeUninit::uninit(); HEAP_BYTES];
    footprint::paint_stack();
    // SAFETY: `entry` makes `HEAP_MEM` a `&'static mut` that nothing else holds, and the heap
    // is initialised once, before anything allocates.
    unsafe { HEAP.init(HEAP_MEM.as_mut_ptr() as usize, HEAP_BYTES) }
    uart::UART0.enable();
    uart::UART1.enable();
    let debugging = cfg!(feature = "debug");
    let mut limits = embedded_minimal(RAM, EmbeddedPlatform::Zephyr, debugging);
    if debugging {
        // Source-level debugging with watchpoints. Its overhead (8.6 KB for the fixture: tables,
        // profile, module file, debug translation, 1 KiB packet buffers) is past the preset's
        // 5% of RAM, so the firmware reserves 15% for it.
        limits.debug_level = DebugLevel::FullDebug;
        limits.estimated_debug_overhead = RAM * 15 / 100;
    }
    let statements = runtime_core::Module::recorded_statements(MODULE).map_or(0, |s| s.len());
    let predicted = footprint::predict(
        MODULE,
        &limits,
        if debugging { statements as u64 } else { 0 },
    );
    HEAP.reset_peak();
    let (code, parts) = match load::load(MODULE, &limits) {
        Ok(loaded) => {
            #[cfg(feature = "debug")]
            let ended = debug::serve(loaded, MODULE, &limits);
            #[cfg(not(feature = "debug"))]
            let ended = run::run(loaded);
            ended.unwrap_or_else(|(e, parts)| (fail("debug", &e), parts))
        }
        Err(e) => (fail("load", &e), footprint::Parts::default()),
    };
    footprint::print(&HEAP, HEAP_BYTES, MODULE, &parts, predicted);
    exit::with(code)
}

/// Reports what failed on UART1: exit status 134.
pub fn fail(what: &str, e: &dyn core::fmt::Display) -> i32 {
    use core::fmt::Write;
    let mut line = alloc::string::String::new();
    let _ = writeln!(line, "wrt: {what}: {e}");
    uart::UART1.write_all(line.as_bytes());
    134
}

#[panic_handler]
fn panic(info: &core::panic::PanicInfo<'_>) -> ! {
    fail("panic", info);
    exit::with(101)
}
