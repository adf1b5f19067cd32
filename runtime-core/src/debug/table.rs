//! A fixed-capacity slot table: allocated once when a debug session opens, never grown.

use alloc::vec::Vec;

use crate::error::Error;
use crate::limits::PlatformLimits;

/// Slots for at most `capacity` records, addressed by a 1-based id that stays valid until removed.
#[derive(Debug)]
pub struct Table<T> {
    slots: Vec<Option<T>>,
    limit: &'static str,
}

impl<T> Table<T> {
    /// A table of `capacity` slots, all allocated now; `limit` names the limit it is sized by. An
    /// allocation the host cannot give is an error naming that limit, not an abort.
    pub fn new(capacity: u64, limit: &'static str) -> Result<Self, Error> {
        let slots = allocate(capacity, limit, || None)?;
        Ok(Table { slots, limit })
    }

    /// The number of slots.
    pub fn capacity(&self) -> usize {
        self.slots.len()
    }

    /// Stores `record` in a free slot and returns its id; a full table is an error naming the limit,
    /// the platform and the debug level of `limits`.
    pub fn insert(&mut self, record: T, limits: &PlatformLimits) -> Result<u32, Error> {
        match self.slots.iter().position(Option::is_none) {
            Some(i) => {
                self.slots[i] = Some(record);
                Ok(i as u32 + 1)
            }
            None => Err(Error::DebugCapacity {
                limit: self.limit,
                allowed: self.slots.len() as u64,
                platform: limits.platform,
                debug_level: limits.debug_level,
            }),
        }
    }

    /// The record with `id`.
    pub fn get(&self, id: u32) -> Option<&T> {
        self.slots.get((id as usize).checked_sub(1)?)?.as_ref()
    }

    /// The record with `id`, mutably.
    pub fn get_mut(&mut self, id: u32) -> Option<&mut T> {
        self.slots.get_mut((id as usize).checked_sub(1)?)?.as_mut()
    }

    /// Removes and returns the record with `id`.
    pub fn remove(&mut self, id: u32) -> Option<T> {
        self.slots.get_mut((id as usize).checked_sub(1)?)?.take()
    }

    /// Empties every slot, keeping the allocation.
    pub fn clear(&mut self) {
        self.slots.iter_mut().for_each(|s| *s = None);
    }

    /// Records in use.
    pub fn len(&self) -> usize {
        self.slots.iter().filter(|s| s.is_some()).count()
    }

    /// Whether no slot is in use.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Every record with its id, in id order.
    pub fn iter(&self) -> impl Iterator<Item = (u32, &T)> {
        self.slots
            .iter()
            .enumerate()
            .filter_map(|(i, s)| Some((i as u32 + 1, s.as_ref()?)))
    }
}

/// `count` copies of `fill()`, allocated fallibly: a count the host cannot hold is
/// [`Error::Limit`] naming `limit`.
pub(crate) fn allocate<T>(
    count: u64,
    limit: &'static str,
    fill: impl FnMut() -> T,
) -> Result<Vec<T>, Error> {
    let refused = || Error::Limit {
        limit,
        asked: count,
        allowed: (isize::MAX as usize / size_of::<T>().max(1)) as u64,
    };
    let n = usize::try_from(count).map_err(|_| refused())?;
    let mut v = Vec::new();
    v.try_reserve_exact(n).map_err(|_| refused())?;
    v.resize_with(n, fill);
    Ok(v)
}
