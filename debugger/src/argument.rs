//! The number arguments of commands (counts, breakpoint numbers, frame levels, offsets), read
//! as C writes integers and checked against their bounds.

use crate::error::Error;
use crate::expr::BadLiteral;

/// Parses a number argument of a command (a count, a breakpoint number, a frame level) as C
/// writes an integer (`42`, `0x2a`, `052`, `-1`), within `min..=max`: one that is no integer, or
/// out of range, is refused naming the text and the bound it passes, never truncated.
pub fn integer(s: &str, min: i128, max: i128) -> Result<i128, Error> {
    let s = s.trim();
    if s.is_empty() {
        return Err(Error::Usage("Argument required (a number).".into()));
    }
    let (negative, digits) = match s.strip_prefix('-') {
        Some(d) => (true, d.trim_start()),
        None => (false, s.strip_prefix('+').unwrap_or(s).trim_start()),
    };
    let magnitude = match crate::expr::literal(digits) {
        Ok(l) => i128::from(l.value),
        // Past 64 bits: past every bound.
        Err(BadLiteral::TooLarge) => i128::from(u64::MAX) + 1,
        Err(BadLiteral::Invalid) => return Err(Error::Usage(format!("`{s}` is not a number"))),
    };
    let n = if negative { -magnitude } else { magnitude };
    if n > max {
        Err(Error::Usage(format!("`{s}` is too large: at most {max}")))
    } else if n < min {
        Err(Error::Usage(format!("`{s}` is too small: at least {min}")))
    } else {
        Ok(n)
    }
}

/// A number argument from 0 to `u32::MAX` (breakpoint and display numbers, step counts).
pub fn number(s: &str) -> Result<u32, Error> {
    integer(s, 0, u32::MAX.into()).map(|n| n as u32)
}
