//! Bounds-checked access to guest linear memory for WASI calls; a bad pointer is `EFAULT`, never a panic.

use std::prelude::rust_2024::*;

use super::errno::{Errno, FAULT};

/// A view of the caller's linear memory.
pub struct GuestMem<'a>(pub &'a mut [u8]);

impl GuestMem<'_> {
    /// The `len` bytes at `ptr`.
    pub fn slice(&mut self, ptr: u32, len: u32) -> Result<&mut [u8], Errno> {
        let start = ptr as usize;
        let end = start.checked_add(len as usize).ok_or(FAULT)?;
        self.0.get_mut(start..end).ok_or(FAULT)
    }

    /// Reads a little-endian `u32`.
    pub fn u32(&mut self, ptr: u32) -> Result<u32, Errno> {
        Ok(u32::from_le_bytes(
            self.slice(ptr, 4)?.try_into().map_err(|_| FAULT)?,
        ))
    }

    /// Reads a little-endian `u64`.
    pub fn u64(&mut self, ptr: u32) -> Result<u64, Errno> {
        Ok(u64::from_le_bytes(
            self.slice(ptr, 8)?.try_into().map_err(|_| FAULT)?,
        ))
    }

    /// Writes bytes at `ptr`.
    pub fn write(&mut self, ptr: u32, bytes: &[u8]) -> Result<(), Errno> {
        self.slice(ptr, bytes.len() as u32)?.copy_from_slice(bytes);
        Ok(())
    }

    /// Writes a little-endian `u32`.
    pub fn set_u32(&mut self, ptr: u32, v: u32) -> Result<(), Errno> {
        self.write(ptr, &v.to_le_bytes())
    }

    /// Writes a little-endian `u64`.
    pub fn set_u64(&mut self, ptr: u32, v: u64) -> Result<(), Errno> {
        self.write(ptr, &v.to_le_bytes())
    }

    /// A guest string (UTF-8 checked).
    pub fn str(&mut self, ptr: u32, len: u32) -> Result<String, Errno> {
        String::from_utf8(self.slice(ptr, len)?.to_vec()).map_err(|_| super::errno::ILSEQ)
    }

    /// The `(ptr, len)` pairs of an iovec array.
    pub fn iovecs(&mut self, iovs: u32, count: u32) -> Result<Vec<(u32, u32)>, Errno> {
        (0..count)
            .map(|i| {
                let at = iovs
                    .checked_add(i.checked_mul(8).ok_or(FAULT)?)
                    .ok_or(FAULT)?;
                Ok((self.u32(at)?, self.u32(at + 4)?))
            })
            .collect()
    }

    /// Writes a list of NUL-terminated strings and the pointer table to them (argv/environ layout).
    pub fn write_strings(
        &mut self,
        table: u32,
        mut buf: u32,
        items: &[String],
    ) -> Result<(), Errno> {
        for (i, s) in items.iter().enumerate() {
            self.set_u32(table + 4 * i as u32, buf)?;
            self.write(buf, s.as_bytes())?;
            self.write(buf + s.len() as u32, &[0])?;
            buf += s.len() as u32 + 1;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn out_of_range_pointers_fault() {
        let mut bytes = [0u8; 8];
        let mut m = GuestMem(&mut bytes);
        assert_eq!(m.u32(6), Err(FAULT));
        assert_eq!(m.slice(u32::MAX, 2).unwrap_err(), FAULT);
        m.set_u32(4, 7).unwrap();
        assert_eq!(m.u32(4), Ok(7));
    }
}
