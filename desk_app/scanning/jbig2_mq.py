"""What the JBIG2 coder (scanning/jbig2.py) and its reader (scanning/jbig2_decode.py) share: the
compiler switch (numba when installed, else plain Python), the MQ coder's state tables (T.88
Annex E), the template-0 context windows, and the file format's constants. Pure; any thread."""

from __future__ import annotations

from collections.abc import Callable
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


def is_jbig2(data: bytes) -> bool:
    return data[:8] == _FILE_ID
