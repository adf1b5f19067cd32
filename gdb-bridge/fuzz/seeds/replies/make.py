#!/usr/bin/env python3
"""Writes the seed of the `replies` fuzz target: what a stub would answer, packet by packet, to the
requests the target makes (call stack, locals, stack values, a global, a memory read, a breakpoint,
a watchpoint, a step, a run to a return breakpoint, a continue to the exit, monitor budget).

Also writes handshake.bin beside OUT.bin: an `H` (the target then fuzzes the handshake) and a stub
announcing a module of 2^64-1 bytes, which once made `attach` allocate without bound.

And the seeds of what issue 44 hardened: beside OUT.bin, stubs whose call stack points outside the
module or is not whole PCs, whose values are too long, whose stop replies take every form gdb reads,
whose memory map comes in parts; one level up (the `packets` target), clients sending packets the
stub once acked and never answered, kills and detaches of other processes, values that do not exist,
failures in either ack mode, and a client gone while the program runs.

Usage: make.py FIXTURE.wasm OUT.bin"""
import os
import struct
import sys


def leb(b, i):
    n = shift = 0
    while True:
        n |= (b[i] & 0x7F) << shift
        shift += 7
        i += 1
        if b[i - 1] < 0x80:
            return n, i


def code_start(wasm):
    i = 8
    while i < len(wasm):
        sid = wasm[i]
        size, j = leb(wasm, i + 1)
        if sid == 10:
            return j
        i = j + size
    raise SystemExit("no code section")


def packet(body):
    return b"$" + body + b"#" + b"%02x" % (sum(body) % 256)


def call_stack(*offsets):
    pcs = b"".join(struct.pack("<Q", 0x4000000000000000 | o) for o in offsets)
    return packet(pcs.hex().encode())


wasm = open(sys.argv[1], "rb").read()
start = code_start(wasm)
inner, outer = start + 60, start + 20
value = packet(struct.pack("<I", 42).hex().encode())
replies = [
    call_stack(inner, outer),
    value, value, value, value,  # locals and stack values of two frames
    value,  # the global
    packet(bytes(range(64))),  # the memory read (binary)
    packet(b"OK"),  # Z0
    packet(b"OK"),  # Z2
    packet(b"T05thread:p01.01;"), call_stack(inner + 2, outer),  # the step
    packet(b"OK"), packet(b"T05swbreak:;thread:p01.01;"), call_stack(outer), packet(b"OK"),
    packet(b"T05watch:1000;thread:p01.01;"), call_stack(outer),
    packet(b"W00"),
    packet(b"O" + b"budget\n".hex().encode()), packet(b"OK"),
]
open(sys.argv[2], "wb").write(b"".join(replies))

huge_map = b'l<memory-map><memory type="rom" start="0x4000000000000000" length="0xffffffffffffffff"/></memory-map>'
handshake = b"H" + packet(b"OK") + packet(b"") + packet(huge_map)
open(os.path.join(os.path.dirname(sys.argv[2]), "handshake.bin"), "wb").write(handshake)

here = os.path.dirname(os.path.abspath(sys.argv[2]))
packets_dir = os.path.dirname(here)


def write(directory, name, packets):
    open(os.path.join(directory, name), "wb").write(b"".join(packets))


def replaced(old, new):
    return [new if r == packet(old) else r for r in replies]


bad_pcs = [packet(b"ffffffffffffffff")] + replies[1:]
write(here, "call-stack-outside-the-module.bin", bad_pcs)
write(here, "call-stack-not-whole-pcs.bin", [packet(b"0011223344")] + replies[1:])
write(here, "value-too-long.bin", replaced(b"2a000000", packet(b"2a00000000000000ff")))
forms = replies
for old, new in [
    (b"T05thread:p01.01;", b"S05"),
    (b"T05swbreak:;thread:p01.01;", b"T05thread:02;00:1234;reason:breakpoint;;"),
    (b"T05watch:1000;thread:p01.01;", b"T05watch:zz;"),
    (b"W00", b"W00;process:1"),
]:
    forms = [packet(new) if r == packet(old) else r for r in forms]
write(here, "stop-reply-forms.bin", forms)
write(here, "exit-by-signal.bin", replaced(b"W00", packet(b"X09;process:1")))
xml = b'<memory-map><memory type="rom" start="0x4000000000000000" length="0x20"/></memory-map>'
parts = [packet(b"m" + xml[:30]), packet(b"m" + xml[30:60]), packet(b"l" + xml[60:])]
write(here, "handshake-map-in-parts.bin", [b"H", packet(b"OK"), packet(b"")] + parts)
write(here, "handshake-map-empty-part.bin", [b"H", packet(b"OK"), packet(b""), packet(b"m")])

write(packets_dir, "unanswered-packets.bin", [packet(b) for b in [
    b"QStartNoAckMode", b"Z0,123456789012345678901,1", b"z0,123456789012345678901,1", b"G00",
    b"G", b"Hg-1", b"Hgzz", b"Hc99", b"vKill;99", b"D;99", b"vKill;zz", b"qWasmCallStack:2",
    b"qWasmStackValue:0;99999", b"qWasmLocal:18446744073709551615;0", b"qWasmGlobal:0;99999",
    b"p1", b"T-1", b"?", b"k",
]])
write(packets_dir, "failures-in-either-ack-mode.bin", [packet(b) for b in [
    b"mzz", b"G00", b"Hg-1", b"QStartNoAckMode", b"G00", b"qHostInfo",
]] + [b"+-"])
write(packets_dir, "client-gone-while-running.bin", [
    packet(b"QStartNoAckMode"), packet(b"vCont;c:p1.-1"),
])
