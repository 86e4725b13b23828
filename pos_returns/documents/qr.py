"""A QR code's module matrix, fast: byte mode, error correction level M, mask 0 (ISO/IEC 18004).

The roll receipt prints its signed statement (about 190 characters) as a QR code. ReportLab's encoder
(``reportlab.graphics.barcode.qrencoder``) took about 4.5 ms of a 10 ms receipt: it recomputes the
Reed-Solomon generator polynomials and the function patterns for every code, and walks the matrix module by
module. What does not depend on the text is computed here once per version and kept: the function patterns
(finders, timing, alignment, format and version information) with the data modules' places in their zigzag
order and mask 0 already applied, and, per number of error correction codewords, the generator polynomial
multiplied by every byte. A code is then its codewords (Reed-Solomon on Python integers, a shift and an XOR a
byte) poured into the kept places: about 0.3 ms.

The matrix is the one ReportLab's encoder makes for the same text with ``makeImpl(False, 0)`` (byte mode,
level M, mask 0), module for module (tests/test_qr_matrix.py compares them over every version); the roll has
drawn mask 0 since the QR code was added (trying all eight masks cost ~6x the whole PDF).
"""

from __future__ import annotations

from functools import lru_cache
from operator import itemgetter
from typing import Callable

# level M, per version 1..40 (index 0 unused): error correction codewords per block, and the number of blocks
_ECC_PER_BLOCK = (0, 10, 16, 26, 18, 24, 16, 18, 22, 22, 26, 30, 22, 22, 24, 24, 28, 28, 26, 26, 26, 26, 28, 28, 28,
                  28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28)
_BLOCKS = (0, 1, 1, 1, 2, 2, 4, 4, 4, 5, 5, 5, 8, 9, 9, 10, 10, 11, 13, 14, 16, 17, 17, 18, 20, 21, 23, 25, 26, 28, 29,
           31, 33, 35, 37, 38, 40, 43, 45, 47, 49)
_LEVEL_M = 0b00  # the format information's two bits for level M
MAX_VERSION = 40

# GF(256) with the QR code's polynomial x^8 + x^4 + x^3 + x^2 + 1
_EXP = [0] * 512
_LOG = [0] * 256
_x = 1
for _i in range(255):
    _EXP[_i] = _x
    _LOG[_x] = _i
    _x <<= 1
    if _x & 0x100:
        _x ^= 0x11D
for _i in range(255, 512):
    _EXP[_i] = _EXP[_i - 255]
del _x, _i
_BITS = tuple(bytes((b >> (7 - i)) & 1 for i in range(8)) for b in range(256))  # a byte as eight 0/1 bytes


class QrTooLong(ValueError):
    """The text does not fit in a version 40 code at level M."""


def _raw_modules(version: int) -> int:
    """Modules left for data (and remainder bits) once the function patterns are placed."""
    n = (16 * version + 128) * version + 64
    if version >= 2:
        align = version // 7 + 2
        n -= (25 * align - 10) * align - 55
        if version >= 7:
            n -= 36
    return n


def data_capacity(version: int) -> int:
    """Data codewords of a version at level M."""
    return _raw_modules(version) // 8 - _ECC_PER_BLOCK[version] * _BLOCKS[version]


def version_for(length: int) -> int:
    """The smallest version whose byte-mode segment holds ``length`` bytes."""
    for version in range(1, MAX_VERSION + 1):
        count_bits = 8 if version < 10 else 16
        if 4 + count_bits + 8 * length <= data_capacity(version) * 8:
            return version
    raise QrTooLong(f"{length} bytes do not fit in a QR code at level M")


def _alignment_positions(version: int) -> list[int]:
    if version == 1:
        return []
    count = version // 7 + 2
    size = version * 4 + 17
    step = 26 if version == 32 else (version * 4 + count * 2 + 1) // (count * 2 - 2) * 2
    return [6] + [size - 7 - i * step for i in range(count - 2, -1, -1)]


def _bch(value: int, poly: int, bits: int) -> int:
    rem = value
    for _ in range(bits):
        rem = (rem << 1) ^ ((rem >> (bits - 1)) * poly)
    return value << bits | rem


@lru_cache(maxsize=MAX_VERSION)
def _template(version: int) -> tuple[bytes, Callable[[bytes], tuple[int, ...]], int, int]:
    """What a version's codes share: (the function modules, then one byte a data module in placement order with
    mask 0 applied, as the source of) a gather that picks each module of the flat size*size matrix from the
    function modules and the data bits; mask 0 of the data modules as one integer, and their number."""
    size = version * 4 + 17
    dark = bytearray(size * size)
    used = bytearray(size * size)

    def put(r: int, c: int, on: bool) -> None:
        dark[r * size + c] = 1 if on else 0
        used[r * size + c] = 1

    for i in range(size):  # timing patterns (finders and alignments overwrite their ends)
        put(6, i, i % 2 == 0)
        put(i, 6, i % 2 == 0)
    for fr, fc in ((3, 3), (3, size - 4), (size - 4, 3)):  # finders with their separators
        for dr in range(-4, 5):
            for dc in range(-4, 5):
                r, c = fr + dr, fc + dc
                if 0 <= r < size and 0 <= c < size:
                    d = max(abs(dr), abs(dc))
                    put(r, c, d not in (2, 4))
    align = _alignment_positions(version)
    last = len(align) - 1
    for i, ar in enumerate(align):
        for j, ac in enumerate(align):
            if (i, j) in ((0, 0), (0, last), (last, 0)):
                continue  # under a finder
            for dr in range(-2, 3):
                for dc in range(-2, 3):
                    put(ar + dr, ac + dc, max(abs(dr), abs(dc)) != 1)
    fmt = _bch(_LEVEL_M << 3 | 0, 0x537, 10) ^ 0x5412  # level M, mask 0
    for i in range(6):
        put(i, 8, (fmt >> i) & 1)
    put(7, 8, (fmt >> 6) & 1)
    put(8, 8, (fmt >> 7) & 1)
    put(8, 7, (fmt >> 8) & 1)
    for i in range(9, 15):
        put(8, 14 - i, (fmt >> i) & 1)
    for i in range(8):
        put(8, size - 1 - i, (fmt >> i) & 1)
    for i in range(8, 15):
        put(size - 15 + i, 8, (fmt >> i) & 1)
    put(size - 8, 8, True)  # the dark module
    if version >= 7:
        info = _bch(version, 0x1F25, 12)
        for i in range(18):
            bit = (info >> i) & 1
            a, b = size - 11 + i % 3, i // 3
            put(a, b, bit)
            put(b, a, bit)
    places, mask = [], []
    for right in range(size - 1, 0, -2):  # two columns at a time, right to left, upwards then downwards
        if right <= 6:
            right -= 1  # the vertical timing pattern's column is skipped
        upward = ((right + 1) & 2) == 0
        for vert in range(size):
            r = size - 1 - vert if upward else vert
            for c in (right, right - 1):
                k = r * size + c
                if not used[k]:
                    places.append(k)
                    mask.append(1 if (r + c) % 2 == 0 else 0)
    source_of = list(range(size * size))  # a function module: itself
    for n, k in enumerate(places):
        source_of[k] = size * size + n  # a data module: its bit, after the function modules
    gather = itemgetter(*source_of)
    return bytes(dark), gather, int.from_bytes(bytes(mask), "big"), len(places)


@lru_cache(maxsize=32)
def _ecc_table(degree: int) -> tuple[int, ...]:
    """For each byte f, f times the generator polynomial of ``degree`` as a ``degree``-byte integer."""
    gen = [1]  # coefficients, highest power first: prod (x - a^i) for i < degree
    for i in range(degree):
        nxt = [0] * (len(gen) + 1)
        for j, g in enumerate(gen):
            nxt[j] ^= g
            if g:
                nxt[j + 1] ^= _EXP[_LOG[g] + i]
        gen = nxt
    coeffs = gen[1:]  # the leading 1 shifts out
    table = [0]
    for f in range(1, 256):
        lf = _LOG[f]
        value = 0
        for g in coeffs:
            value = value << 8 | (_EXP[lf + _LOG[g]] if g else 0)
        table.append(value)
    return tuple(table)


def _ecc(data: bytes, degree: int) -> bytes:
    table = _ecc_table(degree)
    top = 8 * (degree - 1)
    full = (1 << 8 * degree) - 1
    rem = 0
    for byte in data:
        rem = ((rem << 8) & full) ^ table[(rem >> top) ^ byte]
    return rem.to_bytes(degree, "big")


def _codewords(data: bytes, version: int) -> bytes:
    capacity = data_capacity(version)
    count_bits = 8 if version < 10 else 16
    bits = 4 + count_bits + 8 * len(data)
    stream = (0b0100 << count_bits | len(data)) << 8 * len(data) | int.from_bytes(data, "big")
    pad = min(4, capacity * 8 - bits)  # terminator
    stream <<= pad
    bits += pad
    if bits % 8:
        stream <<= 8 - bits % 8
        bits += 8 - bits % 8
    out = stream.to_bytes(bits // 8, "big") + bytes((0xEC, 0x11)) * capacity
    out = out[:capacity]
    blocks = _BLOCKS[version]
    degree = _ECC_PER_BLOCK[version]
    total = _raw_modules(version) // 8
    short_len = total // blocks - degree  # data codewords of a short block
    shorts = blocks - total % blocks
    datas, eccs, at = [], [], 0
    for b in range(blocks):
        n = short_len + (0 if b < shorts else 1)
        block = out[at:at + n]
        at += n
        datas.append(block)
        eccs.append(_ecc(block, degree))
    inter = bytearray()
    for i in range(short_len + 1):
        for b, block in enumerate(datas):
            if i < len(block):
                inter.append(block[i])
    for i in range(degree):
        for e in eccs:
            inter.append(e[i])
    return bytes(inter)


def qr_matrix(text: str) -> tuple[bytes, ...]:
    """The rows of a QR code of ``text`` (UTF-8, byte mode, level M, mask 0): one byte a module, 1 dark."""
    data = text.encode("utf-8")
    version = version_for(len(data))
    size = version * 4 + 17
    dark, gather, mask, count = _template(version)
    bits = b"".join(_BITS[w] for w in _codewords(data, version)).ljust(count, b"\0")  # remainder bits are 0
    masked = (int.from_bytes(bits, "big") ^ mask).to_bytes(count, "big")
    flat = bytes(gather(dark + masked))
    return tuple(flat[r * size:(r + 1) * size] for r in range(size))
