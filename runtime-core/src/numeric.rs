//! Numeric semantics the hardware does not give directly: NaN propagation for rounding and min/max,
//! and trapping float-to-int conversion.

use crate::error::Trap;

/// The arithmetic NaN with the payload of `x`: sets the quiet bit on the bits, since LLVM may fold
/// `x + 0.0` back to a signalling `x`.
fn quiet_f32(x: f32) -> f32 {
    f32::from_bits(x.to_bits() | 1 << 22)
}

/// The `f64` twin of [`quiet_f32`].
fn quiet_f64(x: f64) -> f64 {
    f64::from_bits(x.to_bits() | 1 << 51)
}

/// Rounding and square root that return an arithmetic NaN for a NaN input, as the spec asks.
macro_rules! float_unop {
    ($name:ident, $t:ty, $f:path, $quiet:ident) => {
        #[doc = concat!("`", stringify!($name), "` with spec NaN semantics.")]
        pub fn $name(x: $t) -> $t {
            if x.is_nan() { $quiet(x) } else { $f(x) }
        }
    };
}
float_unop!(f32_ceil, f32, libm::ceilf, quiet_f32);
float_unop!(f32_floor, f32, libm::floorf, quiet_f32);
float_unop!(f32_trunc, f32, libm::truncf, quiet_f32);
float_unop!(f32_nearest, f32, libm::rintf, quiet_f32);
float_unop!(f32_sqrt, f32, libm::sqrtf, quiet_f32);
float_unop!(f64_ceil, f64, libm::ceil, quiet_f64);
float_unop!(f64_floor, f64, libm::floor, quiet_f64);
float_unop!(f64_trunc, f64, libm::trunc, quiet_f64);
float_unop!(f64_nearest, f64, libm::rint, quiet_f64);
float_unop!(f64_sqrt, f64, libm::sqrt, quiet_f64);

macro_rules! float_minmax {
    ($min:ident, $max:ident, $t:ty, $quiet:ident) => {
        /// Wasm `min`: NaN if either is NaN, and -0 below +0.
        pub fn $min(a: $t, b: $t) -> $t {
            if a.is_nan() || b.is_nan() {
                $quiet(if a.is_nan() { a } else { b })
            } else if a == 0.0 && b == 0.0 {
                if a.is_sign_negative() { a } else { b }
            } else if a < b {
                a
            } else {
                b
            }
        }

        /// Wasm `max`: NaN if either is NaN, and +0 above -0.
        pub fn $max(a: $t, b: $t) -> $t {
            if a.is_nan() || b.is_nan() {
                $quiet(if a.is_nan() { a } else { b })
            } else if a == 0.0 && b == 0.0 {
                if a.is_sign_positive() { a } else { b }
            } else if a > b {
                a
            } else {
                b
            }
        }
    };
}
float_minmax!(f32_min, f32_max, f32, quiet_f32);
float_minmax!(f64_min, f64_max, f64, quiet_f64);

/// Why a trapping numeric instruction traps. A `Copy` error without payload: a `Result` carrying a
/// [`Trap`] (whose host variant owns a string) left the interpreter's loop carrying the unused
/// bytes of its last one from each instruction to the next, in registers every dispatch moved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// Integer division or remainder by zero.
    DivideByZero,
    /// Signed division overflow, or a float-to-int conversion out of range.
    Overflow,
    /// A float-to-int conversion of NaN.
    InvalidConversion,
}

impl From<Fault> for Trap {
    fn from(f: Fault) -> Trap {
        match f {
            Fault::DivideByZero => Trap::IntegerDivideByZero,
            Fault::Overflow => Trap::IntegerOverflow,
            Fault::InvalidConversion => Trap::InvalidConversionToInteger,
        }
    }
}

/// Trapping truncation: NaN is an invalid conversion, out of `[lo, hi)` (after truncation) an overflow.
macro_rules! trunc {
    ($name:ident, $from:ty, $to:ty, $trunc:path, $lo:expr, $hi:expr) => {
        #[doc = concat!("Trapping `", stringify!($to), ".trunc_", stringify!($from), "`.")]
        pub fn $name(x: $from) -> Result<$to, Fault> {
            if x.is_nan() {
                return Err(Fault::InvalidConversion);
            }
            let t = $trunc(x);
            if !($lo..$hi).contains(&t) {
                Err(Fault::Overflow)
            } else {
                Ok(t as $to)
            }
        }
    };
}
trunc!(
    i32_trunc_f32_s,
    f32,
    i32,
    libm::truncf,
    -2147483648.0f32,
    2147483648.0f32
);
trunc!(
    i32_trunc_f32_u,
    f32,
    u32,
    libm::truncf,
    -0.0f32,
    4294967296.0f32
);
trunc!(
    i32_trunc_f64_s,
    f64,
    i32,
    libm::trunc,
    -2147483648.0f64,
    2147483648.0f64
);
trunc!(
    i32_trunc_f64_u,
    f64,
    u32,
    libm::trunc,
    -0.0f64,
    4294967296.0f64
);
trunc!(
    i64_trunc_f32_s,
    f32,
    i64,
    libm::truncf,
    -9223372036854775808.0f32,
    9223372036854775808.0f32
);
trunc!(
    i64_trunc_f32_u,
    f32,
    u64,
    libm::truncf,
    -0.0f32,
    18446744073709551616.0f32
);
trunc!(
    i64_trunc_f64_s,
    f64,
    i64,
    libm::trunc,
    -9223372036854775808.0f64,
    9223372036854775808.0f64
);
trunc!(
    i64_trunc_f64_u,
    f64,
    u64,
    libm::trunc,
    -0.0f64,
    18446744073709551616.0f64
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn min_max_order_signed_zeros() {
        assert!(f32_min(0.0, -0.0).is_sign_negative());
        assert!(f64_max(-0.0, 0.0).is_sign_positive());
        assert!(f64_min(f64::NAN, 1.0).is_nan());
    }

    #[test]
    fn trunc_traps_at_the_edges() {
        assert_eq!(i32_trunc_f32_s(-2147483648.0), Ok(i32::MIN));
        assert_eq!(i32_trunc_f32_s(2147483648.0), Err(Fault::Overflow));
        assert_eq!(i32_trunc_f64_u(-0.9), Ok(0));
        assert_eq!(i32_trunc_f64_u(-1.0), Err(Fault::Overflow));
        assert_eq!(i64_trunc_f64_s(f64::NAN), Err(Fault::InvalidConversion));
        assert_eq!(
            Trap::from(Fault::InvalidConversion),
            Trap::InvalidConversionToInteger
        );
    }

    #[test]
    fn rounding_quiets_signalling_nan() {
        let snan = f32::from_bits(0x7fa0_0000);
        assert_eq!(f32_floor(snan).to_bits() & 0x0040_0000, 0x0040_0000);
        assert_eq!(f64_nearest(2.5), 2.0);
    }
}
