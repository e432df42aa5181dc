"""Lossless JBIG2 encoder for a bilevel page: one immediate lossless generic region (ITU-T T.88
6.2 and 7.4.6), arithmetic-coded with the MQ coder (T.88 Annex E) and the 16-pixel template 0 at
its default adaptive pixels; typical prediction (TPGDON, rows that repeat the row above) is
optional and off: on text pages it changes the size by under 0.3 % either way.
Never symbol coding: every pixel is coded as it is, so the decoded page is the input bit for bit.

The output is a standalone JBIG2 file in sequential organisation (T.88 Annex D.1: file header,
page information, the region, end of page, end of file), the shape that ``jbig2dec`` reads and
that img2pdf embeds as a /JBIG2Decode image (it drops the file header and the end segments, as
the PDF specification asks for the embedded organisation).

The coder is one loop over every pixel, sequential by nature (each pixel updates the state of its
context). With numba it is compiled (``nogil``: a worker thread does not hold the UI thread) and
codes an A4 page at 300 dpi in a few hundred milliseconds; without numba the same loop runs as
plain Python, ~100x slower, good for small images and tests only (``compiled()`` tells which).
Measured against CCITT G4 in ``bench/bench_jbig2.py``; ``docs/scanning.md``, "Below the G4 floor".

Pure functions; any thread.
"""

from __future__ import annotations

import hashlib
import math
import struct
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar, cast

import numpy as np

_F = TypeVar("_F", bound=Callable[..., Any])

try:  # optional extra `desk-app[jbig2]`
    from numba import config as _numba_config  # type: ignore[import-not-found, unused-ignore]
    from numba import njit as _njit  # type: ignore[import-not-found, unused-ignore]

    # NUMBA_DISABLE_JIT=1 runs the loops as Python: then they need the plain-Python arrays too.
    _COMPILED = not getattr(_numba_config, "DISABLE_JIT", False)  # set from the environment
except ImportError:  # pragma: no cover - exercised where numba is absent
    _COMPILED = False


def _jit(func: _F) -> _F:
    if not _COMPILED:
        return func
    try:  # machine code cached beside the module: compiled once per install, not per process
        return cast(_F, _njit(cache=True, nogil=True)(func))
    except RuntimeError:  # no writable cache location (a frozen build): compiled per process
        return cast(_F, _njit(nogil=True)(func))


def compiled() -> bool:
    """True when the coder runs compiled (numba); False: plain Python, too slow for whole pages."""
    return _COMPILED


_warm_here = False  # the coder ran in this process: its machine code is loaded


def _ready_marker() -> Path:
    """A file the warm-up leaves once numba's on-disk cache holds this coder, named for what the
    cache depends on (numba, Python, this module's file) so a stale one never counts."""
    import numba  # type: ignore[import-not-found, unused-ignore]
    from platformdirs import user_cache_dir

    source = Path(__file__).resolve()
    stat = source.stat()
    key = f"{numba.__version__}|{sys.version}|{source}|{stat.st_size}|{stat.st_mtime_ns}"
    digest = hashlib.sha256(key.encode()).hexdigest()[:16]
    return Path(user_cache_dir("desk-app", appauthor=False)) / f"jbig2-compiled-{digest}"


def ready() -> bool:
    """The compiled coder can encode a page now without compiling first: it ran in this process,
    or the start-up warm-up (a separate process) left it in numba's cache. Until then pages are
    stored as G4: a compile here would take 10-35 s and hold the interpreter lock (the UI would
    stutter) on the first scan after an install, e.g. the set-up wizard's test scan."""
    if not _COMPILED:
        return False
    if _warm_here:
        return True
    try:
        return _ready_marker().exists()
    except OSError:
        return False


def warm_up() -> bool:
    """Compile the coder (or load it from numba's cache) on a tiny page, so the first scanned
    page of the day does not wait for it: 10-35 s right after an install, ~1 s later. False
    when the coder is not compiled (nothing to warm)."""
    global _warm_here
    if not _COMPILED:
        return False
    page = np.zeros((8, 8), dtype=bool)
    page[2:6, 2:6] = True
    if not np.array_equal(decode(encode(page, 200)), page):
        raise RuntimeError("JBIG2 coder does not read back what it wrote")
    _warm_here = True
    try:
        marker = _ready_marker()
        marker.parent.mkdir(parents=True, exist_ok=True)
        marker.touch()
    except OSError:  # no writable cache folder: this process still encodes JBIG2
        pass
    return True


# T.88 Table E.1: probability estimate Qe of each state, the next state after an MPS and after
# an LPS, and whether an LPS in that state swaps the meaning of MPS.
_QE = np.array([
    0x5601, 0x3401, 0x1801, 0x0AC1, 0x0521, 0x0221, 0x5601, 0x5401, 0x4801, 0x3801, 0x3001, 0x2401,
    0x1C01, 0x1601, 0x5601, 0x5401, 0x5101, 0x4801, 0x3801, 0x3401, 0x3001, 0x2801, 0x2401, 0x2201,
    0x1C01, 0x1801, 0x1601, 0x1401, 0x1201, 0x1101, 0x0AC1, 0x09C1, 0x08A1, 0x0521, 0x0441, 0x02A1,
    0x0221, 0x0141, 0x0111, 0x0085, 0x0049, 0x0025, 0x0015, 0x0009, 0x0005, 0x0001, 0x5601,
], dtype=np.int64)
_NMPS = np.array([
    1, 2, 3, 4, 5, 38, 7, 8, 9, 10, 11, 12, 13, 29, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24,
    25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 45, 45, 46,
], dtype=np.uint8)
_NLPS = np.array([
    1, 6, 9, 12, 29, 33, 6, 14, 14, 14, 17, 18, 20, 21, 14, 14, 15, 16, 17, 18, 19, 19, 20, 21,
    22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 46,
], dtype=np.uint8)
_SWITCH = np.zeros(47, dtype=np.uint8)
_SWITCH[[0, 6, 14]] = 1
# The same per context state s = 2 * index + MPS (one byte per context, one table look-up per
# step): its Qe, and the state after coding its MPS or its LPS.
_S_QE = np.repeat(_QE, 2)
_S_AFTER_MPS = (np.repeat(_NMPS, 2) * 2 + np.tile(np.array([0, 1], np.uint8), 47)).astype(np.uint8)
_S_AFTER_LPS = (np.repeat(_NLPS, 2) * 2 + (np.tile(np.array([0, 1], np.uint8), 47) ^ np.repeat(_SWITCH, 2))).astype(np.uint8)

# Template 0 context with the default adaptive pixels A1 (3,-1), A2 (-3,-1), A3 (2,-2),
# A4 (-2,-2), numbered as T.88 6.2.5.3 numbers them (row y-2 in the high bits, the pixel just
# left of the current one in bit 0). The numbering matters only for the typical-prediction bit,
# which T.88 6.2.5.7 codes in the fixed context 0x9B25 of the same table.
_AT_PIXELS = bytes([3, 0xFF, 0xFD, 0xFF, 2, 0xFE, 0xFE, 0xFE])  # (x, y) signed bytes, A1..A4
_SLTP_CONTEXT = 0x9B25
_PAD_TOP, _PAD_LEFT, _PAD_RIGHT = 2, 4, 4

# Segment types (T.88 7.3) and the file header (D.4).
_PAGE_INFORMATION, _IMMEDIATE_LOSSLESS_GENERIC, _END_OF_PAGE, _END_OF_FILE = 48, 39, 49, 51
_FILE_ID = b"\x97JB2\r\n\x1a\n"
_SEQUENTIAL_ONE_PAGE = b"\x01\x00\x00\x00\x01"  # organisation: sequential, number of pages: 1


@_jit
def _byte_out(c: int, bp: int, out: np.ndarray) -> tuple[int, int, int]:
    """BYTEOUT (T.88 E.2.8): hand out the next byte of C; a carry out of C goes into the byte
    already written (``out[bp]``, the standard's B), and after a 0xFF byte only 7 bits are
    written (bit stuffing: no marker can appear inside the data). Returns C, CT and BP."""
    if out[bp] == 0xFF:
        out[bp + 1] = c >> 20
        return c & 0xFFFFF, 7, bp + 1
    if c >= 0x8000000:
        out[bp] += 1
        if out[bp] == 0xFF:
            c &= 0x7FFFFFF
            out[bp + 1] = c >> 20
            return c & 0xFFFFF, 7, bp + 1
    out[bp + 1] = (c >> 19) & 0xFF
    return c & 0x7FFFF, 8, bp + 1


@_jit
def _renormalise(a: int, c: int, ct: int, bp: int, out: np.ndarray) -> tuple[int, int, int, int]:
    """RENORME (T.88 E.2.6): double A and C until A is at least 0x8000, a byte out every 8."""
    while True:
        a <<= 1
        c <<= 1
        ct -= 1
        if ct == 0:
            c, ct, bp = _byte_out(c, bp, out)
        if a & 0x8000:
            return a, c, ct, bp


@_jit
def _code(cx: int, bit: int, a: int, c: int, ct: int, bp: int, state: np.ndarray, out: np.ndarray) -> tuple[int, int, int, int]:
    """ENCODE of one decision in context ``cx`` (T.88 E.2.2 - E.2.5: CODEMPS, CODELPS with
    conditional exchange); returns the coder's new A, C, CT and byte position."""
    s = state[cx]
    qe = _S_QE[s]
    a -= qe
    if bit == (s & 1):
        if a & 0x8000:
            return a, c + qe, ct, bp
        if a < qe:
            a = qe
        else:
            c += qe
        state[cx] = _S_AFTER_MPS[s]
    else:
        if a < qe:
            c += qe
        else:
            a = qe
        state[cx] = _S_AFTER_LPS[s]
    return _renormalise(a, c, ct, bp, out)


@_jit
def _windows(two_up: np.ndarray, above: np.ndarray, row: np.ndarray, x: int) -> tuple[int, int, int]:
    """The context's three row windows at ``x``: row y-2 over x-2..x+2, row y-1 over
    x-3..x+3, row y over x-4..x-1 (padded columns x+2..x+6, x+1..x+7, x..x+3). Moving one
    pixel right shifts each window by one; they are rebuilt only after a skipped white run."""
    r2 = 0
    for k in range(x + 2, x + 7):
        r2 = (r2 << 1) | two_up[k]
    r1 = 0
    for k in range(x + 1, x + 8):
        r1 = (r1 << 1) | above[k]
    r0 = 0
    for k in range(x, x + 4):
        r0 = (r0 << 1) | row[k]
    return r2, r1, r0


@_jit
def _code_white_run(
    n: int, a: int, c: int, ct: int, bp: int, state: np.ndarray, out: np.ndarray,
) -> tuple[int, int, int, int]:
    """``n`` MPS decisions (white, MPS white) in context 0. Between two renormalisations each
    one only takes Qe off A and adds it to C, so those are done as one multiplication; the one
    that brings A under 0x8000 goes through ``_code``. Most of a page is paper: this is where
    the time goes otherwise."""
    while n > 0:
        qe = _S_QE[state[0]]
        quiet = (a - 0x8000) // qe  # decisions that leave A >= 0x8000 (no renormalisation)
        if quiet >= n:
            return a - n * qe, c + n * qe, ct, bp
        a -= quiet * qe
        c += quiet * qe
        a, c, ct, bp = _code(0, 0, a, c, ct, bp, state, out)
        n -= quiet + 1
    return a, c, ct, bp


@_jit
def _encode_region(padded: np.ndarray, height: int, width: int, tpgdon: bool, out: np.ndarray) -> int:
    """Generic region encoding, the mirror of the decoding procedure of T.88 6.2.5.7 (MMR 0,
    template 0): every pixel in raster order in its context; with ``tpgdon`` each row starts
    with one bit saying whether it differs in typicality from the row before (LTP), and a row
    equal to the row above is not coded at all. ``padded`` is the page (1 = black) with zero
    rows above and zero columns either side, so every context pixel outside the page reads 0
    as the standard says. Returns the number of bytes in ``out``, or -1 when it is too small."""
    state = np.zeros(65536, dtype=np.uint8)  # every context: index 0, MPS 0
    a, c, ct, bp = 0x8000, 0, 12, 0  # INITENC (E.2.1); out[0] is the byte before the data
    out[0] = 0
    ltp = 0
    for y in range(height):
        # Room for the worst row: an LPS costs at most 15 doublings, 2 bytes.
        if bp + 2 * width + 32 > out.shape[0]:
            return -1
        py = y + _PAD_TOP
        above = padded[py - 1]
        row = padded[py]
        if tpgdon:
            same = 1
            for x in range(_PAD_LEFT, _PAD_LEFT + width):
                if row[x] != above[x]:
                    same = 0
                    break
            a, c, ct, bp = _code(_SLTP_CONTEXT, same ^ ltp, a, c, ct, bp, state, out)
            ltp = same
            if same:
                continue
        two_up = padded[py - 2]
        x = 0
        while x < width:
            r2, r1, r0 = _windows(two_up, above, row, x)
            while x < width:
                bit = row[x + _PAD_LEFT]
                cx = (r2 << 11) | (r1 << 4) | r0
                if cx == 0 and bit == 0 and state[0] & 1 == 0:
                    # White paper: a run of white pixels all in the all-white context, coded
                    # as many MPS decisions at once (same arithmetic as one by one).
                    n = 1
                    while (x + n < width and row[x + n + 4] == 0 and two_up[x + n + 6] == 0
                           and above[x + n + 7] == 0):
                        n += 1
                    a, c, ct, bp = _code_white_run(n, a, c, ct, bp, state, out)
                    x += n
                    break  # windows restart after the run
                a, c, ct, bp = _code(cx, bit, a, c, ct, bp, state, out)
                r2 = ((r2 << 1) | two_up[x + 7]) & 0x1F
                r1 = ((r1 << 1) | above[x + 8]) & 0x7F
                r0 = ((r0 << 1) | bit) & 0xF
                x += 1
    # FLUSH (E.2.9): SETBITS, two more bytes, then the 0xFF 0xAC end marker.
    temp = c + a
    c |= 0xFFFF
    if c >= temp:
        c -= 0x8000
    for _ in range(2):
        c <<= ct
        c, ct, bp = _byte_out(c, bp, out)
    if out[bp] != 0xFF:
        bp += 1
        out[bp] = 0xFF
    bp += 1
    out[bp] = 0xAC
    return bp + 1


def generic_region_data(ink: np.ndarray, *, tpgdon: bool = False) -> bytes:
    """The arithmetic-coded data of a generic region holding ``ink`` (2-D, nonzero = black),
    ending with the 0xFF 0xAC marker."""
    height, width = ink.shape
    # Plain Python would keep uint8 arithmetic on the context windows (NEP 50) and overflow.
    dtype = np.uint8 if _COMPILED else np.int64
    padded = np.zeros((height + _PAD_TOP, width + _PAD_LEFT + _PAD_RIGHT), dtype=dtype)
    padded[_PAD_TOP:, _PAD_LEFT:_PAD_LEFT + width] = ink != 0
    size = height * width // 16 + 1024
    while True:
        out = np.zeros(size, dtype=np.uint8)
        used = _encode_region(padded, height, width, tpgdon, out)
        if used > 0:
            return out[1:used].tobytes()  # out[0] stands before the data (BPST - 1)
        size *= 4


def _segment(number: int, kind: int, data: bytes) -> bytes:
    """Segment header (T.88 7.2): number, type (1-byte page association), no referred-to
    segments, page 1, data length."""
    return struct.pack(">IBBBI", number, kind, 0, 1, len(data)) + data


def encode(ink: np.ndarray, dpi: int, *, tpgdon: bool = False) -> bytes:
    """A standalone lossless JBIG2 file of one page (``ink``: 2-D, nonzero = black)."""
    height, width = ink.shape
    if height < 1 or width < 1:
        raise ValueError(f"empty bitmap {width}x{height}")
    # Pixels per metre, rounded up: readers that divide by 39.37 and truncate (img2pdf) get
    # the dpi back instead of one less.
    ppm = math.ceil(dpi * 10000 / 254)
    # Page flags: eventually lossless (bit 0), default pixel white, combination OR.
    page = struct.pack(">IIIIBH", width, height, ppm, ppm, 0x01, 0)
    region_info = struct.pack(">IIIIB", width, height, 0, 0, 0)  # whole page at 0, 0; OR
    flags = 0x08 if tpgdon else 0x00  # MMR 0, GBTEMPLATE 0, TPGDON
    region = region_info + bytes([flags]) + _AT_PIXELS + generic_region_data(ink, tpgdon=tpgdon)
    return b"".join((
        _FILE_ID, _SEQUENTIAL_ONE_PAGE,
        _segment(0, _PAGE_INFORMATION, page),
        _segment(1, _IMMEDIATE_LOSSLESS_GENERIC, region),
        _segment(2, _END_OF_PAGE, b""),
        _segment(3, _END_OF_FILE, b""),
    ))


def is_jbig2(data: bytes) -> bool:
    return data[:8] == _FILE_ID


# Reading back. Stored pages are read by the viewer, OCR and rotation: this decodes the files
# ``encode`` writes (one generic region, template 0, default adaptive pixels, MQ coded,
# optionally TPGDON) and refuses anything else with ``ValueError``; jbig2dec and PDF readers
# read any JBIG2, this reads ours.


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
