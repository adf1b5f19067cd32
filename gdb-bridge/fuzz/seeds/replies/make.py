#!/usr/bin/env python3
"""Writes the seed of the `replies` fuzz target: what a stub would answer, packet by packet, to the
requests the target makes (call stack, locals, stack values, a global, a memory read, a breakpoint,
a watchpoint, a step, a run to a return breakpoint, a continue to the exit, monitor budget).

Also writes handshake.bin beside OUT.bin: an `H` (the target then fuzzes the handshake) and a stub
announcing a module of 2^64-1 bytes, which once made `attach` allocate without bound.

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
