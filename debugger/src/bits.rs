//! Raw bits read as a value of their Wasm type, for the operand stack and globals that
//! `info wasm` shows.

use runtime_core::ValType;

/// Raw bits as a value of type `ty` reads them: integers signed with their hex, floats as floats.
pub(crate) fn typed(raw: u64, ty: ValType) -> String {
    match ty {
        ValType::I32 => format!("{} ({:#x})", raw as u32 as i32, raw as u32),
        ValType::I64 => format!("{} ({raw:#x})", raw as i64),
        ValType::F32 => format!("{}", f32::from_bits(raw as u32)),
        ValType::F64 => format!("{}", f64::from_bits(raw)),
        _ => format!("{raw:#x}"),
    }
}

#[cfg(test)]
mod tests {
    use runtime_core::ValType;

    #[test]
    fn raw_bits_read_as_their_type() {
        assert_eq!(super::typed(0xffff_fff0, ValType::I32), "-16 (0xfffffff0)");
        assert_eq!(super::typed(5, ValType::I64), "5 (0x5)");
        assert_eq!(super::typed(1.5f32.to_bits() as u64, ValType::F32), "1.5");
        assert_eq!(super::typed(0.25f64.to_bits(), ValType::F64), "0.25");
    }
}
