//! The packet pre-filter in front of `gdbstub`: packets answered here before it sees them. Binary
//! reads (`x`), which it does not know; the stop query `?` after an interrupt, which it answers as
//! a trap; and packets it would take on trust, checked here first: memory reads whose numbers do
//! not fit, writes whose data is not the length they say, watchpoints of lengths the target
//! refuses, resumes, thread selections, call stacks, kills and detaches of threads or processes
//! that are not ours, and locals, globals and operand stack values that do not exist (its Wasm
//! extension can only answer those with made-up data or an empty reply, which means "not
//! supported"). And our own extension, which LLDB's lacks: `QWasmLocal:FRAME;INDEX;HEX` writes a
//! local (8 bytes little-endian, the low 4 for a 32-bit one).

use alloc::vec::Vec;

use runtime_core::debug::MAX_WATCH_LEN;

use crate::packet::unhex;
use crate::target::WasmTarget;

/// `E01`: a packet that does not parse.
const MALFORMED: &[u8] = b"E01";
/// `E03` (`ESRCH`): no such thread.
const NO_THREAD: &[u8] = b"E03";
/// `E16` (`EINVAL`): a length the target does not take.
const BAD_LENGTH: &[u8] = b"E16";
/// `E02` (`ENOENT`): no such local, global or operand stack value.
const NO_VALUE: &[u8] = b"E02";

/// Whether a packet body (between `$` and `#`) is looked at here before `gdbstub` sees it (`k`
/// only to be noted: its answer comes once the stub has ended the session).
pub fn wants(body: &[u8]) -> bool {
    body == b"k"
        || matches!(body.first(), Some(b'x' | b'?' | b'm' | b'M' | b'X' | b'H'))
        || [
            &b"Z2,"[..],
            b"Z3,",
            b"Z4,",
            b"vCont;",
            b"vKill",
            b"D;",
            b"qWasm",
            b"QWasmLocal:",
        ]
        .iter()
        .any(|p| body.starts_with(p))
}

/// What answers a kill packet once the stub has ended the session: `k` wants the exit status
/// (LLDB waits for one), `vKill` an `OK`; nothing for any other packet.
pub fn kill_reply(body: &[u8]) -> &'static [u8] {
    match body {
        b"k" => b"X09",
        _ if body.starts_with(b"vKill") => b"OK",
        _ => b"",
    }
}

/// Whether `body` is answered here, its reply body then written into `reply`, which it replaces
/// (the stub's reply buffer, whose capacity is the packet size); `false` passes it on to
/// `gdbstub`. `interrupted` says whether the last stop was the client's Ctrl-C; a binary read's
/// reply is held to half the packet size (escapes may double it).
pub fn answer(
    target: &mut WasmTarget,
    body: &[u8],
    interrupted: bool,
    reply: &mut Vec<u8>,
) -> bool {
    let most = reply.capacity() / 2;
    reply.clear();
    let text = core::str::from_utf8(body).ok();
    let refusal = match body.first() {
        Some(b'x') => {
            binary_read(target, &body[1..], most, reply);
            return true;
        }
        Some(b'?') if interrupted => Some(&b"T02thread:01;"[..]),
        Some(b'm') => text.and_then(|t| refuse(address_and_length(&t[1..]).is_none(), MALFORMED)),
        Some(b'M') => text.and_then(|t| refuse(!hex_write_fits(&t[1..]), MALFORMED)),
        Some(b'X') => refuse(!binary_write_fits(&body[1..]), MALFORMED),
        Some(b'Z') => text.and_then(|t| {
            let length = t.splitn(3, ',').nth(2).map(|k| u64::from_str_radix(k, 16));
            refuse(
                !matches!(length, Some(Ok(n)) if (1..=u64::from(MAX_WATCH_LEN)).contains(&n)),
                BAD_LENGTH,
            )
        }),
        Some(b'v') if body.starts_with(b"vCont") => {
            text.and_then(|t| refuse(!threads_exist(&t["vCont".len()..]), NO_THREAD))
        }
        // `vKill;PID` and `D;PID`: the stub would end or leave our process whatever PID says.
        Some(b'v' | b'D') => text
            .and_then(|t| t.split_once(';'))
            .and_then(|(_, pid)| refuse(!ours(pid), NO_THREAD)),
        Some(b'H') => text
            .and_then(|t| t.get(2..))
            .and_then(|thread| refuse(!our_thread(thread), NO_THREAD)),
        Some(b'q') if body.starts_with(b"qWasmCallStack:") => {
            text.and_then(|t| refuse(!our_thread(&t["qWasmCallStack:".len()..]), NO_THREAD))
        }
        Some(b'q') => text.and_then(|t| refuse(!value_exists(target, t), NO_VALUE)),
        Some(b'Q') => Some(
            match text.and_then(|t| local_write(&t["QWasmLocal:".len()..])) {
                Some((frame, index, raw)) => match target.set_local(frame, index, raw) {
                    Some(()) => &b"OK"[..],
                    None => NO_VALUE,
                },
                None => MALFORMED,
            },
        ),
        _ => None,
    };
    refusal.inspect(|r| reply.extend_from_slice(r)).is_some()
}

fn refuse(bad: bool, reply: &'static [u8]) -> Option<&'static [u8]> {
    bad.then_some(reply)
}

/// `ADDR,LENGTH` in hex, both fitting 64 bits.
fn address_and_length(args: &str) -> Option<(u64, u64)> {
    let (a, n) = args.split_once(',')?;
    Some((
        u64::from_str_radix(a, 16).ok()?,
        u64::from_str_radix(n, 16).ok()?,
    ))
}

/// `ADDR,LENGTH:HEX` with exactly LENGTH bytes of hex.
fn hex_write_fits(args: &str) -> bool {
    let Some((at, data)) = args.split_once(':') else {
        return false;
    };
    address_and_length(at).is_some_and(|(_, n)| {
        data.len() % 2 == 0
            && data.bytes().all(|b| b.is_ascii_hexdigit())
            && data.len() as u64 / 2 == n
    })
}

/// `ADDR,LENGTH:BINARY` with exactly LENGTH bytes once `}` escapes are undone.
fn binary_write_fits(args: &[u8]) -> bool {
    let Some(colon) = args.iter().position(|&b| b == b':') else {
        return false;
    };
    let at = core::str::from_utf8(&args[..colon]).ok();
    let data = &args[colon + 1..];
    let escapes = data.iter().filter(|&&b| b == b'}').count();
    at.and_then(address_and_length)
        .is_some_and(|(_, n)| (data.len() - escapes) as u64 == n)
}

/// Whether a thread or process id (hex) is ours, or any (`-1`, `0`).
fn ours(id: &str) -> bool {
    matches!(id.trim_start_matches('0'), "1" | "-1" | "")
}

/// Whether a thread id (`p1.1`, `1`, or any of `-1` and `0`) names our one thread.
fn our_thread(thread: &str) -> bool {
    match thread.strip_prefix('p') {
        Some(pt) => pt.split_once('.').is_some_and(|(p, t)| ours(p) && ours(t)),
        None => ours(thread),
    }
}

/// Whether a value query (`qWasmLocal:FRAME;INDEX` and the like, in decimal) asks for a value
/// the program has; one that does not parse is left to `gdbstub`, which refuses it as malformed.
fn value_exists(target: &WasmTarget, query: &str) -> bool {
    let Some((name, args)) = query.split_once(':') else {
        return true;
    };
    let numbers = args
        .split_once(';')
        .and_then(|(f, i)| Some((f.parse::<usize>().ok()?, i.parse::<usize>().ok()?)));
    let Some((frame, index)) = numbers else {
        return true;
    };
    match name {
        "qWasmLocal" => target.local(frame, index).is_some(),
        "qWasmGlobal" => target.global(index).is_some(),
        "qWasmStackValue" => target.stack_value(frame, index).is_some(),
        _ => true,
    }
}

/// `FRAME;INDEX;HEX` of a local write: decimal numbers, then 8 bytes little-endian in hex.
fn local_write(args: &str) -> Option<(usize, usize, u64)> {
    let mut parts = args.splitn(3, ';');
    let frame = parts.next()?.parse().ok()?;
    let index = parts.next()?.parse().ok()?;
    let bytes: [u8; 8] = unhex(parts.next()?.as_bytes())?.try_into().ok()?;
    Some((frame, index, u64::from_le_bytes(bytes)))
}

/// Whether every action of a `vCont` names our one thread (`p1.1`, any of `-1`, or none).
fn threads_exist(actions: &str) -> bool {
    actions
        .split(';')
        .skip(1)
        .all(|action| action.split_once(':').is_none_or(|(_, t)| our_thread(t)))
}

/// Answers `x ADDR,LENGTH` into `body`: at most `most` bytes, escaped, `OK` for a zero-length
/// probe, or an error for an address outside the module and the memory.
fn binary_read(target: &WasmTarget, args: &[u8], most: usize, body: &mut Vec<u8>) {
    let parsed = core::str::from_utf8(args).ok().and_then(address_and_length);
    match parsed {
        Some((_, 0)) => body.extend_from_slice(b"OK"),
        Some((addr, len)) => {
            let len = usize::try_from(len).unwrap_or(usize::MAX);
            match target.read(addr, len.min(most)) {
                Some(bytes) if !bytes.is_empty() => {
                    for &b in bytes {
                        if matches!(b, b'#' | b'$' | b'}' | b'*') {
                            body.extend_from_slice(&[b'}', b ^ 0x20]);
                        } else {
                            body.push(b);
                        }
                    }
                }
                _ => body.extend_from_slice(b"E0e"),
            }
        }
        None => body.extend_from_slice(MALFORMED),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_must_carry_the_length_they_say() {
        assert!(hex_write_fits("11300,2:0102"));
        assert!(!hex_write_fits("11300,4:0102"));
        assert!(!hex_write_fits("11300,1:0"));
        assert!(!hex_write_fits("11300,1:zz"));
        assert!(binary_write_fits(b"11300,2:}\x03a"));
        assert!(!binary_write_fits(b"11300,4:ab"));
    }

    #[test]
    fn only_our_thread_resumes() {
        for ok in [
            ";c",
            ";c:p1.-1",
            ";s:p1.1",
            ";c:-1",
            ";s:1",
            ";c:p01.01",
            ";c:0",
        ] {
            assert!(threads_exist(ok), "{ok}");
        }
        for bad in [";c:p99.99", ";s:p1.2", ";c:2", ";c:p2.1"] {
            assert!(!threads_exist(bad), "{bad}");
        }
    }

    #[test]
    fn a_local_write_carries_two_numbers_and_eight_bytes() {
        assert_eq!(local_write("0;3;2a00000000000000"), Some((0, 3, 42)));
        assert_eq!(local_write("1;0;0000000000000080"), Some((1, 0, 1 << 63)));
        for bad in [
            "0;3;2a",
            "0;3",
            "x;3;2a00000000000000",
            "0;3;2a0000000000000g",
        ] {
            assert_eq!(local_write(bad), None, "{bad}");
        }
    }

    #[test]
    fn numbers_past_64_bits_are_malformed() {
        assert!(address_and_length("123456789012345678901,4").is_none());
        assert_eq!(address_and_length("10,4"), Some((16, 4)));
    }
}
