//! What the firmware holds of the board's RAM, measured: the heap by a counting allocator around
//! its fixed region, the stack by painting it at boot and finding the deepest word touched, and
//! the rest from the linker's symbols. Printed through semihosting (not a UART) as the program
//! ends, beside the budget's prediction for the same module and limits.

use core::alloc::{GlobalAlloc, Layout};
use core::sync::atomic::{AtomicUsize, Ordering};

use cortex_m_semihosting::heprintln;
use embedded_alloc::LlffHeap;
use runtime_core::budget::MemoryBudget;
use runtime_core::limits::PlatformLimits;
use runtime_core::validate::validate_bytes;

/// The heap, counting the bytes held and their high-water mark.
pub struct Counting {
    heap: LlffHeap,
    held: AtomicUsize,
    peak: AtomicUsize,
}

impl Counting {
    /// An empty heap; [`Counting::init`] gives it its region.
    pub const fn empty() -> Counting {
        Counting {
            heap: LlffHeap::empty(),
            held: AtomicUsize::new(0),
            peak: AtomicUsize::new(0),
        }
    }

    /// Gives the heap `size` bytes at `start`.
    ///
    /// # Safety
    /// Once, before anything allocates, with a region nothing else uses.
    pub unsafe fn init(&self, start: usize, size: usize) {
        // SAFETY: as this function's contract says.
        unsafe { self.heap.init(start, size) }
    }

    /// Bytes held now.
    pub fn held(&self) -> usize {
        self.held.load(Ordering::Relaxed)
    }

    /// The most bytes held at once since the last [`Counting::reset_peak`].
    pub fn peak(&self) -> usize {
        self.peak.load(Ordering::Relaxed)
    }

    /// Starts the high-water mark again from what is held now.
    pub fn reset_peak(&self) {
        self.peak.store(self.held(), Ordering::Relaxed);
    }
}

// SAFETY: every call goes to `LlffHeap`, a sound allocator, unchanged; only counts are added.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller keeps `GlobalAlloc::alloc`'s contract, which is passed on.
        let p = unsafe { self.heap.alloc(layout) };
        if !p.is_null() {
            let now = self.held.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
            self.peak.fetch_max(now, Ordering::Relaxed);
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: as for `alloc`.
        unsafe { self.heap.dealloc(ptr, layout) };
        self.held.fetch_sub(layout.size(), Ordering::Relaxed);
    }
}

/// The pattern painted over the free stack.
const PAINT: u32 = 0xC0DE_57AC;

unsafe extern "C" {
    static mut _stack_end: u32;
    static _stack_start: u32;
    static __stext: u32;
    static __etext: u32;
    static __srodata: u32;
    static __erodata: u32;
    static __sdata: u32;
    static __edata: u32;
    static __sbss: u32;
    static __ebss: u32;
}

fn addr(symbol: *const u32) -> usize {
    symbol as usize
}

/// Paints the stack below the current frame, so [`stack_peak`] can find how deep it went.
pub fn paint_stack() {
    let bottom = addr(&raw const _stack_end);
    // A margin below the current stack pointer: this function's own frame.
    let top = cortex_m::register::msp::read() as usize - 64;
    let mut at = bottom;
    while at < top {
        // SAFETY: [bottom, top) lies between the end of `.uninit` and the live stack: RAM no one
        // uses yet, word-aligned (the linker script asserts `_stack_end % 4 == 0`).
        unsafe { core::ptr::write_volatile(at as *mut u32, PAINT) };
        at += 4;
    }
}

/// The most stack bytes used since [`paint_stack`].
pub fn stack_peak() -> usize {
    let (bottom, top) = (addr(&raw const _stack_end), addr(&raw const _stack_start));
    let mut at = bottom;
    // SAFETY: reads of the painted region, inside RAM, word-aligned.
    while at < top && unsafe { core::ptr::read_volatile(at as *const u32) } == PAINT {
        at += 4;
    }
    top - at
}

/// What a setup held, by part (heap bytes each step added).
#[derive(Default)]
pub struct Parts {
    /// The translated module.
    pub module: usize,
    /// The instance: linear memory, tables, globals, and the thread's value stack.
    pub instance: usize,
    /// Of the instance, linear memory.
    pub linear_memory: usize,
    /// The debug session: breakpoint, watch and trace tables, the profile, the module file and
    /// the stub's packet buffers.
    pub session: usize,
    /// Of the session, the stub's packet buffers.
    pub bridge: usize,
}

impl Parts {
    fn total(&self) -> usize {
        self.module + self.instance + self.session
    }
}

/// The budget's prediction for `bytes` under `limits`, as `wrt-dbg budget` makes it: what
/// setup holds (the runtime's held bytes, linear memory, the value stack and the debug
/// overhead) and the most serving holds (a request in flight besides). Made apart (the
/// validation it takes is freed before anything is loaded).
pub fn predict(bytes: &[u8], limits: &PlatformLimits, statements: u64) -> Option<(u64, u64)> {
    let mut req = validate_bytes(bytes, limits).ok()?;
    req.statements = statements;
    let budget = MemoryBudget::new(&req, limits);
    Some((budget.held(&req), budget.serving(&req)))
}

/// Prints the footprint as `footprint KEY=VALUE ...` lines (tests/embedded/run-qemu makes a
/// table of them): flash, RAM by part, and the budget's prediction beside what setup held.
pub fn print(
    heap: &Counting,
    heap_size: usize,
    module: &[u8],
    parts: &Parts,
    predicted: Option<(u64, u64)>,
) {
    let span = |a: *const u32, b: *const u32| addr(b) - addr(a);
    let data = span(&raw const __sdata, &raw const __edata);
    let bss = span(&raw const __sbss, &raw const __ebss);
    let stack = addr(&raw const _stack_start) - addr(&raw const _stack_end);
    let text = span(&raw const __stext, &raw const __etext);
    let rodata = span(&raw const __srodata, &raw const __erodata);
    heprintln!(
        "footprint flash_text={} flash_rodata={} module_flash={}",
        text,
        rodata,
        module.len()
    );
    heprintln!(
        "footprint data={} bss={} heap_region={} stack_region={}",
        data,
        bss,
        heap_size,
        stack
    );
    heprintln!(
        "footprint heap_peak={} stack_peak={}",
        heap.peak(),
        stack_peak()
    );
    heprintln!(
        "footprint setup={} module={} instance={} linear_memory={} session={} bridge={}",
        parts.total(),
        parts.module,
        parts.instance,
        parts.linear_memory,
        parts.session,
        parts.bridge
    );
    if let Some((setup, peak)) = predicted {
        heprintln!(
            "footprint predicted={} measured={} predicted_peak={}",
            setup,
            parts.total(),
            peak
        );
    }
}
