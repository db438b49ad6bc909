"""Large answers' buffers given back to the system once freed, where the C library is glibc.

glibc serves an allocation over its mmap threshold (128 KiB at start) from a mapping of its
own, unmapped when freed; but once such a buffer is freed it raises the threshold to that
buffer's size, so every later buffer of that size comes from the heap, whose pages stay
resident after the buffer is freed. Reading a large chart, each 1,000-row page's answer is held
as bytes and as text (~0.5 MB each) for a moment: with the thresholds fixed, those buffers come
and go as mappings: step 7 on a 10,000-account chart peaks ~0.3 MiB lower (measured, after
the ~0.3 MiB that loading `ctypes` takes).
"""

from __future__ import annotations

import sys

_M_TRIM_THRESHOLD = -1  # glibc's mallopt parameter numbers (malloc.h)
_M_MMAP_THRESHOLD = -3
_THRESHOLD = 128 * 1024  # glibc's own starting value for both
_settled: list[bool] = []


def return_large_buffers() -> None:
    """Fix glibc's mmap and trim thresholds at 128 KiB (once a process; nothing elsewhere).

    Allocations over the threshold then each cost a mapping of their own; the wizard makes
    few of them (the answers of large lists), so the time is not measurable beside a request.
    """
    if _settled or not sys.platform.startswith("linux"):
        return
    _settled.append(True)
    import ctypes

    try:
        libc = ctypes.CDLL(None)
    except OSError:
        return
    if not hasattr(libc, "gnu_get_libc_version") or not hasattr(libc, "mallopt"):
        return  # musl and other C libraries manage memory their own way
    libc.mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
    libc.mallopt.restype = ctypes.c_int
    libc.mallopt(_M_MMAP_THRESHOLD, _THRESHOLD)
    libc.mallopt(_M_TRIM_THRESHOLD, _THRESHOLD)
