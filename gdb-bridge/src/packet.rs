//! Packets of the GDB remote protocol on the wire: framing, checksums, hex and escapes, shared by
//! the stub and the client (`no_std` + `alloc`).

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

/// The checksum of a packet body: the sum of its bytes modulo 256.
pub fn checksum(body: &[u8]) -> u8 {
    body.iter().fold(0u8, |s, &b| s.wrapping_add(b))
}

/// A packet as sent on the wire: `$body#xx`.
pub fn frame(body: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(body.len() + 4);
    out.push(b'$');
    out.extend_from_slice(body);
    out.extend_from_slice(&checksum_digits(body));
    out
}

/// What follows a packet's body on the wire: `#` and its checksum in two hex digits.
pub fn checksum_digits(body: &[u8]) -> [u8; 3] {
    let sum = checksum(body);
    let hex = |d: u8| b"0123456789abcdef"[usize::from(d)];
    [b'#', hex(sum >> 4), hex(sum & 0xf)]
}

/// Undoes the escapes (`}x`) and run-length encoding (`x*n`) of a reply body.
pub fn decode(body: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(body.len());
    let mut i = 0;
    while i < body.len() {
        match body[i] {
            b'}' if i + 1 < body.len() => {
                out.push(body[i + 1] ^ 0x20);
                i += 2;
            }
            b'*' if i + 1 < body.len() => {
                if let Some(&last) = out.last() {
                    let n = usize::from(body[i + 1]).saturating_sub(29);
                    out.extend(core::iter::repeat_n(last, n));
                }
                i += 2;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    out
}

/// Bytes as two lowercase hex digits each, as packets carry them.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Hex digits to bytes.
pub fn unhex(s: &[u8]) -> Option<Vec<u8>> {
    let digit = |c: u8| (c as char).to_digit(16).map(|d| d as u8);
    s.chunks(2)
        .map(|p| Some(digit(*p.first()?)? << 4 | digit(*p.get(1)?)?))
        .collect()
}
