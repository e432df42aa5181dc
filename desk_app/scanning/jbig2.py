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
from pathlib import Path

import numpy as np

from desk_app.scanning import jbig2_decode, jbig2_mq
from desk_app.scanning.jbig2_decode import decode
from desk_app.scanning.jbig2_mq import (
    _AT_PIXELS,
    _COMPILED,
    _END_OF_FILE,
    _END_OF_PAGE,
    _FILE_ID,
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
    compiled,
    is_jbig2,
)

__all__ = ["compiled", "decode", "encode", "generic_region_data", "is_jbig2", "ready", "warm_up"]

_warm_here = False  # the coder ran in this process: its machine code is loaded


def _ready_marker() -> Path:
    """A file the warm-up leaves once numba's on-disk cache holds this coder, named for what the
    cache depends on (numba, Python, the coder's three module files) so a stale one never
    counts."""
    import numba  # type: ignore[import-not-found, unused-ignore]
    from platformdirs import user_cache_dir

    key = f"{numba.__version__}|{sys.version}"
    for module in (__file__, jbig2_decode.__file__, jbig2_mq.__file__):
        source = Path(module).resolve()
        stat = source.stat()
        key += f"|{source}|{stat.st_size}|{stat.st_mtime_ns}"
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
