"""A gzip stream of zeros of any size, written directly in fixed-Huffman deflate (no compressing).

One literal zero, then back-references of length 258 at distance 1: 13 bits per 258 bytes, so a
1.5 GiB bomb is a 10 MB file produced in milliseconds instead of seconds of zlib work.
"""

from __future__ import annotations

import struct


class _Bits:
    """Deflate's bit order: values LSB first, Huffman codes MSB first."""

    def __init__(self) -> None:
        self.out = bytearray()
        self.acc = 0
        self.count = 0

    def value(self, value: int, width: int) -> None:
        self.acc |= value << self.count
        self.count += width
        while self.count >= 8:
            self.out.append(self.acc & 0xFF)
            self.acc >>= 8
            self.count -= 8

    def code(self, code: int, width: int) -> None:
        self.value(int(format(code, f"0{width}b")[::-1], 2), width)

    def flush(self) -> bytes:
        if self.count:
            self.out.append(self.acc & 0xFF)
            self.acc = self.count = 0
        return bytes(self.out)


def _match(bits: _Bits) -> None:
    bits.code(0b11000101, 8)  # length symbol 285 = 258 bytes
    bits.code(0b00000, 5)  # distance symbol 0 = 1 byte back


def zero_bomb(header: bytes, zeros: int) -> bytes:
    """gzip bytes that inflate to `header` + at least `zeros` zero bytes (rounded up).

    The CRC in the trailer is not computed (a reader that inflates everything finds out only at the
    end, which is what makes such a file a bomb)."""
    stored = _Bits()
    stored.value(0, 1)  # BFINAL = 0
    stored.value(0, 2)  # BTYPE = stored
    head = stored.flush() + struct.pack("<HH", len(header), len(header) ^ 0xFFFF) + header
    bits = _Bits()
    bits.value(1, 1)  # BFINAL
    bits.value(1, 2)  # BTYPE = fixed Huffman
    bits.code(0x30, 8)  # literal 0
    while bits.count:  # align the repeating unit: matches until the bit count is whole bytes
        _match(bits)
    start = len(bits.out)
    for _ in range(8):
        _match(bits)
    unit = bytes(bits.out[start:])  # 8 matches = 13 bytes, byte-aligned
    body = bytes(bits.out[:start])
    repeats = max(1, zeros // (258 * 8) + 1)
    tail = _Bits()
    tail.code(0, 7)  # end of block (symbol 256)
    deflate = head + body + unit * repeats + tail.flush()
    size = len(header) + 1 + 258 * 8 * repeats + 258 * _prefix_matches()
    return (
        b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"
        + deflate
        + struct.pack("<II", 0, size & 0xFFFFFFFF)
    )


def _prefix_matches() -> int:
    """Matches written before the stream is byte-aligned (3 header bits + 8 literal bits = 11)."""
    count, bits = 0, 11
    while bits % 8:
        bits += 13
        count += 1
    return count
