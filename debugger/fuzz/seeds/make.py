#!/usr/bin/env python3
"""Writes a seed for the `dwarf` fuzz target from a fixture's DWARF sections, in the target's input
format: per section one byte choosing it (its index in SECTIONS), two bytes of length, the bytes."""
import sys

SECTIONS = [".debug_abbrev", ".debug_addr", ".debug_aranges", ".debug_info", ".debug_line",
            ".debug_line_str", ".debug_loc", ".debug_loclists", ".debug_ranges", ".debug_rnglists",
            ".debug_str", ".debug_str_offsets"]

def leb(b, i):
    v = shift = 0
    while True:
        byte = b[i]; i += 1
        v |= (byte & 0x7f) << shift; shift += 7
        if byte < 0x80:
            return v, i

wasm, out = open(sys.argv[1], "rb").read(), bytearray()
i = 8
while i < len(wasm):
    sid = wasm[i]
    size, i = leb(wasm, i + 1)
    end = i + size
    if sid == 0:
        n, j = leb(wasm, i)
        name = wasm[j:j + n].decode()
        data = wasm[j + n:end]
        if name in SECTIONS and len(data) < 65536:
            out += bytes([SECTIONS.index(name)]) + len(data).to_bytes(2, "little") + data
    i = end
open(sys.argv[2], "wb").write(out)
