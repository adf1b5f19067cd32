//! Values as the embedding API sees them, and their untyped 64-bit encoding on the value stack.

use wasmparser::ValType as WpValType;

/// A Wasm value type (SIMD excepted).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ValType {
    /// 32-bit integer.
    I32,
    /// 64-bit integer.
    I64,
    /// 32-bit float.
    F32,
    /// 64-bit float.
    F64,
    /// Nullable function reference.
    FuncRef,
    /// Nullable host reference.
    ExternRef,
    /// 128-bit vector (decoded but not executed yet).
    V128,
}

impl From<WpValType> for ValType {
    fn from(t: WpValType) -> Self {
        match t {
            WpValType::I32 => ValType::I32,
            WpValType::I64 => ValType::I64,
            WpValType::F32 => ValType::F32,
            WpValType::F64 => ValType::F64,
            WpValType::V128 => ValType::V128,
            WpValType::Ref(r) if r.is_func_ref() => ValType::FuncRef,
            WpValType::Ref(_) => ValType::ExternRef,
        }
    }
}

impl core::fmt::Display for ValType {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(match self {
            ValType::I32 => "i32",
            ValType::I64 => "i64",
            ValType::F32 => "f32",
            ValType::F64 => "f64",
            ValType::FuncRef => "funcref",
            ValType::ExternRef => "externref",
            ValType::V128 => "v128",
        })
    }
}

/// A typed Wasm value. Floats are kept as bits so NaN payloads survive the trip.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Val {
    /// 32-bit integer.
    I32(i32),
    /// 64-bit integer.
    I64(i64),
    /// 32-bit float, as its bits.
    F32(u32),
    /// 64-bit float, as its bits.
    F64(u64),
    /// Function reference: a store function address, or null.
    FuncRef(Option<u32>),
    /// Host reference: an opaque host value, or null.
    ExternRef(Option<u32>),
}

impl Val {
    /// The value's type.
    pub fn ty(&self) -> ValType {
        match self {
            Val::I32(_) => ValType::I32,
            Val::I64(_) => ValType::I64,
            Val::F32(_) => ValType::F32,
            Val::F64(_) => ValType::F64,
            Val::FuncRef(_) => ValType::FuncRef,
            Val::ExternRef(_) => ValType::ExternRef,
        }
    }

    /// The zero (or null) value of a type.
    pub fn default_of(ty: ValType) -> Val {
        Val::from_raw(ty, 0)
    }

    /// The untyped stack encoding: integers zero-extended, floats as bits, refs as address + 1 (0 = null).
    pub fn to_raw(self) -> u64 {
        match self {
            Val::I32(v) => v as u32 as u64,
            Val::I64(v) => v as u64,
            Val::F32(v) => v as u64,
            Val::F64(v) => v,
            Val::FuncRef(r) | Val::ExternRef(r) => r.map_or(0, |a| a as u64 + 1),
        }
    }

    /// Decodes a raw stack slot of a known type.
    pub fn from_raw(ty: ValType, raw: u64) -> Val {
        let r = if raw == 0 {
            None
        } else {
            Some((raw - 1) as u32)
        };
        match ty {
            ValType::I32 => Val::I32(raw as u32 as i32),
            ValType::I64 => Val::I64(raw as i64),
            ValType::F32 => Val::F32(raw as u32),
            ValType::F64 | ValType::V128 => Val::F64(raw),
            ValType::FuncRef => Val::FuncRef(r),
            ValType::ExternRef => Val::ExternRef(r),
        }
    }
}

impl core::fmt::Display for Val {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Val::I32(v) => write!(f, "{v}"),
            Val::I64(v) => write!(f, "{v}"),
            Val::F32(v) => write!(f, "{}", f32::from_bits(*v)),
            Val::F64(v) => write!(f, "{}", f64::from_bits(*v)),
            Val::FuncRef(None) | Val::ExternRef(None) => f.write_str("null"),
            Val::FuncRef(Some(a)) => write!(f, "func@{a}"),
            Val::ExternRef(Some(a)) => write!(f, "extern@{a}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_round_trip_keeps_every_value() {
        for v in [
            Val::I32(-1),
            Val::I64(i64::MIN),
            Val::F32(0x7fa0_0000),
            Val::F64(0xfff8_0000_0000_0001),
            Val::FuncRef(None),
            Val::FuncRef(Some(0)),
            Val::ExternRef(Some(u32::MAX - 1)),
        ] {
            assert_eq!(Val::from_raw(v.ty(), v.to_raw()), v);
        }
    }
}
