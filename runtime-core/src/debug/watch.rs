//! Watchpoints on linear memory and memory inspectors: address ranges the debugger keeps an eye on.

use super::table::Table;
// The interpreter's watch test, also named here for `exec::dispatch`, which imports it from here.
pub(crate) use crate::exec::overlaps;

/// Which accesses a watchpoint stops on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum WatchKind {
    /// Stores that change the watched bytes (`watch`).
    Write,
    /// Loads (`rwatch`).
    Read,
    /// Loads and stores (`awatch`).
    Access,
}

/// The first of `watches` (address, length, kind) that an access of `len` bytes at `addr` (a
/// store when `write`) trips, as the memory-access hook sees it.
pub fn tripped(
    watches: &[(u64, u64, WatchKind)],
    addr: u64,
    len: u64,
    write: bool,
) -> Option<usize> {
    watches
        .iter()
        .position(|&(a, n, kind)| kind.stops(write) && overlaps((a, a + n), addr, len))
}

/// The bytes from the first of `watches` that a store (`write`) or a load trips to past the
/// last (empty, first past end, where none does).
fn watched_span(watches: &[(u64, u64, WatchKind)], write: bool) -> (u64, u64) {
    let stopping = watches.iter().filter(|w| w.2.stops(write));
    let first = stopping.clone().map(|w| w.0).min().unwrap_or(u64::MAX);
    let end = stopping.map(|w| w.0 + w.1).max().unwrap_or(0);
    (first, end)
}

/// The spans of the watches a load trips and of those a store trips: an access outside its span
/// trips none, a test cheap enough for the interpreter's loop ([`crate::Hook::watched`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Spans([(u64, u64); 2]);

impl Spans {
    /// The spans of `watches` (address, length, kind).
    pub fn new(watches: &[(u64, u64, WatchKind)]) -> Spans {
        Spans([false, true].map(|write| watched_span(watches, write)))
    }

    /// The span of the watches a store (`write`) or a load trips.
    pub fn of(&self, write: bool) -> (u64, u64) {
        self.0[usize::from(write)]
    }
}

impl WatchKind {
    /// Whether a watch of this kind stops a store (`write`) or a load.
    fn stops(self, write: bool) -> bool {
        match self {
            WatchKind::Write => write,
            WatchKind::Read => !write,
            WatchKind::Access => true,
        }
    }
}

/// Most bytes one watchpoint covers, so its old value fits without allocating.
pub const MAX_WATCH_LEN: u32 = 8;

/// One watchpoint: a range of linear memory and its last seen value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Watch {
    /// Memory address of the first byte.
    pub addr: u32,
    /// Bytes watched, 1 to [`MAX_WATCH_LEN`].
    pub len: u32,
    /// Which accesses stop.
    pub kind: WatchKind,
    /// The watched bytes when last checked.
    pub old: [u8; MAX_WATCH_LEN as usize],
}

/// A memory region shown on every stop (`x`, `display`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Inspector {
    /// Memory address of the first byte.
    pub addr: u32,
    /// Bytes shown.
    pub len: u32,
}

/// The watch table, sized by `max_variable_watches`.
pub type Watches = Table<Watch>;

/// The inspector table, sized by `max_memory_inspectors`.
pub type Inspectors = Table<Inspector>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_span_covers_only_the_watches_the_access_could_trip() {
        let watches = [
            (16, 4, WatchKind::Write),
            (64, 8, WatchKind::Read),
            (40, 2, WatchKind::Access),
        ];
        assert_eq!(watched_span(&watches, true), (16, 42));
        assert_eq!(watched_span(&watches, false), (40, 72));
        let writes = &watches[..1];
        // No load trips a write watch: its span is empty and starts past all of memory, so the
        // loop's bounds check covers every load.
        let none = Spans::new(writes).of(false);
        assert!(none.0 >= 1 << 33 && !overlaps(none, 0, 1 << 33), "{none:?}");
        let spans = Spans::new(&watches);
        let near = |addr, len, write| overlaps(spans.of(write), addr, len);
        assert!(near(41, 4, true) && near(12, 5, true) && !near(12, 4, true));
        assert!(near(70, 4, false) && !near(16, 4, false));
        // An access in a span may still trip none; one outside trips none.
        assert_eq!(tripped(&watches, 30, 4, true), None);
        assert_eq!(tripped(&watches, 41, 4, true), Some(2));
        assert_eq!(tripped(&watches, 18, 1, false), None);
    }
}
