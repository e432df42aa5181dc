"""Reading back the JBIG2 files ``scanning/jbig2.py`` writes. Stored pages are read by the
viewer, OCR and rotation: this decodes one generic region, template 0, default adaptive pixels,
MQ coded, optionally TPGDON, and refuses anything else with ``ValueError``; jbig2dec and PDF
readers read any JBIG2, this reads ours. Pure; any thread."""

from __future__ import annotations

import struct

import numpy as np

from desk_app.scanning.jbig2_mq import (
    _AT_PIXELS,
    _COMPILED,
    _END_OF_FILE,
    _END_OF_PAGE,
    _IMMEDIATE_LOSSLESS_GENERIC,
    _PAD_LEFT,
    _PAD_RIGHT,
    _PAD_TOP,
    _PAGE_INFORMATION,
    _S_AFTER_LPS,
    _S_AFTER_MPS,
    _S_QE,
    _SEQUENTIAL_ONE_PAGE,
    _SLTP_CONTEXT,
    _jit,
    _windows,
    is_jbig2,
)


@_jit
def _decode_bit(
    cx: int, a: int, c: int, ct: int, bp: int, state: np.ndarray, data: np.ndarray,
) -> tuple[int, int, int, int, int]:
    """DECODE of one decision (T.88 E.3.2 - E.3.5) with C held as in Figure E.15 (C high
    word compared with Qe << 16). Returns the bit and the new A, C, CT, byte position."""
    s = state[cx]
    qe = _S_QE[s]
    m = s & 1
    a -= qe
    if (c >> 16) < qe:
        # LPS_EXCHANGE
        if a < qe:
            d = m
            state[cx] = _S_AFTER_MPS[s]
        else:
            d = 1 - m
            state[cx] = _S_AFTER_LPS[s]
        a = qe
    else:
        c -= qe << 16
        if a & 0x8000:
            return m, a, c, ct, bp
        # MPS_EXCHANGE
        if a < qe:
            d = 1 - m
            state[cx] = _S_AFTER_LPS[s]
        else:
            d = m
            state[cx] = _S_AFTER_MPS[s]
    while True:  # RENORMD (E.3.3) with BYTEIN (E.3.4)
        if ct == 0:
            c, ct, bp = _byte_in(c, bp, data)
        a <<= 1
        c = (c << 1) & 0xFFFFFFFF
        ct -= 1
        if a & 0x8000:
            return d, a, c, ct, bp


@_jit
def _byte_in(c: int, bp: int, data: np.ndarray) -> tuple[int, int, int]:
    """BYTEIN (E.3.4): after 0xFF, a byte above 0x8F is a marker (the end): feed 1 bits."""
    if data[bp] == 0xFF:
        if data[bp + 1] > 0x8F:
            return c + 0xFF00, 8, bp
        bp += 1
        return c + (data[bp] << 9), 7, bp
    bp += 1
    return c + (data[bp] << 8), 8, bp


@_jit
def _decode_region(data: np.ndarray, height: int, width: int, tpgdon: bool, padded: np.ndarray) -> None:
    """Generic region decoding (T.88 6.2.5.7, template 0) into ``padded`` (same layout as
    the encoder's). ``data`` ends with two 0xFF 0xAC pairs so reading never runs past it."""
    state = np.zeros(65536, dtype=np.uint8)
    # INITDEC (E.3.5)
    bp = 0
    c = data[0] << 16
    c, ct, bp = _byte_in(c, bp, data)
    c <<= 7
    ct -= 7
    a = 0x8000
    ltp = 0
    for y in range(height):
        py = y + _PAD_TOP
        above = padded[py - 1]
        row = padded[py]
        if tpgdon:
            sltp, a, c, ct, bp = _decode_bit(_SLTP_CONTEXT, a, c, ct, bp, state, data)
            ltp ^= sltp
            if ltp:
                row[:] = above
                continue
        two_up = padded[py - 2]
        x = 0
        while x < width:
            r2, r1, r0 = _windows(two_up, above, row, x)
            while x < width:
                cx = (r2 << 11) | (r1 << 4) | r0
                if cx == 0 and state[0] & 1 == 0:
                    end = x + 1  # positions that stay in context 0 while white pixels are decoded
                    while end < width and two_up[end + 6] == 0 and above[end + 7] == 0:
                        end += 1
                    x, a, c, ct, bp = _decode_white_run(x, end, a, c, ct, bp, state, data, row)
                    break  # windows restart after the run
                bit, a, c, ct, bp = _decode_bit(cx, a, c, ct, bp, state, data)
                row[x + _PAD_LEFT] = bit
                r2 = ((r2 << 1) | two_up[x + 7]) & 0x1F
                r1 = ((r1 << 1) | above[x + 8]) & 0x7F
                r0 = ((r0 << 1) | bit) & 0xF
                x += 1


@_jit
def _decode_white_run(
    x: int, end: int, a: int, c: int, ct: int, bp: int,
    state: np.ndarray, data: np.ndarray, row: np.ndarray,
) -> tuple[int, int, int, int, int]:
    """Pixels ``x`` .. ``end`` - 1 of a row under white paper, all in context 0 while they
    decode white (MPS white): the decisions that need no renormalisation (C high word at or
    above Qe, A stays at or above 0x8000) are taken at once, the others one by one; a black
    pixel ends the run (written to ``row``). Returns the next x and the coder's state."""
    while x < end:
        qe = _S_QE[state[0]]
        k = min(end - x, (a - 0x8000) // qe, (c >> 16) // qe)
        a -= k * qe
        c -= (k * qe) << 16
        x += k
        if x == end:
            break
        bit, a, c, ct, bp = _decode_bit(0, a, c, ct, bp, state, data)
        x += 1
        if bit:
            row[x - 1 + _PAD_LEFT] = 1
            break
        if state[0] & 1:
            break
    return x, a, c, ct, bp


def decode(data: bytes) -> np.ndarray:
    """The page of a file written by ``encode``: a bool array, True = black."""
    if not is_jbig2(data) or data[8:13] != _SEQUENTIAL_ONE_PAGE:
        raise ValueError("not a one-page sequential JBIG2 file")
    pos, region = 13, None
    width = height = 0
    while pos + 11 <= len(data):
        number, kind, refs, page, length = struct.unpack_from(">IBBBI", data, pos)
        pos += 11
        body = data[pos:pos + length]
        if refs or len(body) != length:
            raise ValueError(f"JBIG2 segment {number}: referred-to segments or truncated data")
        pos += length
        if kind == _PAGE_INFORMATION and length >= 8:
            width, height = struct.unpack_from(">II", body)
        elif kind == _IMMEDIATE_LOSSLESS_GENERIC:
            region = body
        elif kind == _END_OF_FILE:
            break
        elif kind != _END_OF_PAGE:
            raise ValueError(f"JBIG2 segment type {kind} is not read here (only generic regions)")
    if region is None or len(region) < 26:
        raise ValueError("no generic region in the JBIG2 file")
    r_width, r_height, x, y, _ = struct.unpack_from(">IIIIB", region)
    flags = region[17]
    if (r_width, r_height, x, y) != (width, height, 0, 0) or flags & ~0x08 or region[18:26] != _AT_PIXELS:
        raise ValueError("JBIG2 region not in the form this encoder writes (whole page, template 0, arithmetic)")
    if not 0 < width * height <= 200_000_000:
        raise ValueError(f"JBIG2 page size {width}x{height} out of range")
    # int64: numba would mix unsigned bytes and the signed register into floats.
    coded = np.frombuffer(region[26:] + b"\xff\xac\xff\xac", dtype=np.uint8).astype(np.int64)
    dtype = np.uint8 if _COMPILED else np.int64
    padded = np.zeros((height + _PAD_TOP, width + _PAD_LEFT + _PAD_RIGHT), dtype=dtype)
    _decode_region(coded, height, width, bool(flags & 0x08), padded)
    return padded[_PAD_TOP:, _PAD_LEFT:_PAD_LEFT + width] != 0
