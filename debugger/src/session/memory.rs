//! The session's memory examination (`x`): units of a size and format, or C strings.

use crate::dwarf::{Place, Shape, Ty, WasmState};
use crate::error::Error;
use crate::report::{Bytes, MemoryBlock, MemoryUnit};
use crate::request::MAX_READ;
use crate::session::Session;
use crate::value::{Format, Printer, Value, c_string};

impl Session {
    /// `len` bytes of linear memory at `addr`; more than [`MAX_READ`] is refused by name.
    pub(crate) fn read_bytes(&self, addr: u64, len: u64) -> Result<Bytes, Error> {
        if len > MAX_READ {
            return Err(Error::TooLarge {
                what: "a memory read",
                unit: "bytes",
                asked: len,
                max: MAX_READ,
            });
        }
        let bytes = self.read_memory(addr, len as usize)?;
        Ok(Bytes { addr, bytes })
    }

    /// Writes `bytes` to linear memory at `addr` in the running program, all or none.
    pub(crate) fn write_memory(&mut self, addr: u64, bytes: &[u8]) -> Result<(), Error> {
        self.process
            .target
            .as_mut()
            .ok_or(Error::NotRunning)?
            .write_memory(addr, bytes)
    }

    /// Linear memory as `x/NFU` shows it: `count` units of `unit` bytes (4, or 1 for chars), or
    /// `count` C strings.
    pub(crate) fn examine(
        &self,
        expr: &str,
        count: u32,
        format: Format,
        unit: Option<u64>,
    ) -> Result<MemoryBlock, Error> {
        let v = self.evaluate(expr)?;
        let view = self.view(self.inspect.selected)?;
        let p = Printer {
            dwarf: &self.image.dwarf,
            state: &view.state,
            format: if format == Format::Natural {
                Format::Hex
            } else {
                format
            },
        };
        let addr = match (&v.place, self.image.dwarf.shape(&v.ty)?) {
            (Place::Memory(a), Shape::Array { .. }) => *a,
            _ => p.integer(&v)?.0,
        };
        let mut units = Vec::new();
        if format == Format::Str {
            let mut at = addr;
            for _ in 0..count {
                let (s, cut) = p.c_str(at)?;
                units.push(MemoryUnit {
                    addr: at,
                    value: c_string(&s, cut),
                });
                at += s.len() as u64 + 1;
            }
            return Ok(MemoryBlock {
                addr,
                unit: 0,
                units,
            });
        }
        let size = unit.unwrap_or(if format == Format::Char { 1 } else { 4 });
        let bytes = view.state.memory(addr, (count as u64 * size) as usize)?;
        for (i, chunk) in bytes.chunks(size as usize).enumerate() {
            let ty = Ty::Int {
                signed: p.format == Format::Decimal,
                size: size as u8,
            };
            let value = Value {
                ty,
                place: Place::Bytes(chunk.to_vec()),
            };
            units.push(MemoryUnit {
                addr: addr + i as u64 * size,
                value: p.show(&value, 0),
            });
        }
        Ok(MemoryBlock {
            addr,
            unit: size,
            units,
        })
    }
}
