"""A small animated GIF writer (pygame cannot write GIFs): one global palette, LZW compression.

The palette is made from the first frame: its most common colours exactly (the viewer draws with a
few flat colours), then a 4x4x4 RGB cube for everything else (anti-aliased text edges, scaled
pictures). From the second frame on, pixels that did not change are written as the transparent
index, so a still background costs almost nothing: long runs of one index compress to a few LZW
codes. The LZW coder is compiled with numba.
"""
from __future__ import annotations

import struct
from pathlib import Path

import numpy as np
from numba import njit

CUBE_LEVELS = 4
CUBE_SIZE = CUBE_LEVELS ** 3
TRANSPARENT = 255
EXACT_COLOURS = TRANSPARENT - CUBE_SIZE  # palette slots 0..190 hold the first frame's colours
MIN_CODE_SIZE = 8
MAX_CODES = 4096


def _keys(rgb: np.ndarray) -> np.ndarray:
    rgb = rgb.astype(np.uint32)
    return (rgb[..., 0] << 16) | (rgb[..., 1] << 8) | rgb[..., 2]


class Palette:
    """The first frame's most common colours, then the colour cube, then the transparent slot."""

    def __init__(self, first_frame: np.ndarray):
        keys, counts = np.unique(_keys(first_frame), return_counts=True)
        common = np.sort(keys[np.argsort(counts)[::-1][:EXACT_COLOURS]])
        self.exact = common
        levels = np.arange(CUBE_LEVELS) * 255 // (CUBE_LEVELS - 1)
        cube = np.array([(r, g, b) for r in levels for g in levels for b in levels], dtype=np.uint8)
        exact_rgb = np.stack([(common >> 16) & 255, (common >> 8) & 255, common & 255], axis=-1)
        table = np.zeros((256, 3), dtype=np.uint8)
        table[:len(common)] = exact_rgb
        table[EXACT_COLOURS:EXACT_COLOURS + CUBE_SIZE] = cube
        self.rgb = table

    def indices(self, rgb: np.ndarray) -> np.ndarray:
        """Palette indices (uint8) of an (..., 3) uint8 RGB array."""
        keys = _keys(rgb)
        slot = np.minimum(np.searchsorted(self.exact, keys), len(self.exact) - 1)
        cube = (rgb.astype(np.uint16) * (CUBE_LEVELS - 1) + 127) // 255
        cube_index = EXACT_COLOURS + (cube[..., 0] * CUBE_LEVELS + cube[..., 1]) * CUBE_LEVELS \
            + cube[..., 2]
        return np.where(self.exact[slot] == keys, slot, cube_index).astype(np.uint8)


@njit(cache=True)
def _put(out, size, bits, nbits, code, width):  # pragma: no cover - compiled
    """Appends `code`, `width` bits wide, to the bit buffer (`bits`, holding `nbits`) and moves its
    whole bytes to out[size:]; returns the new (size, bits, nbits)."""
    bits |= code << nbits
    nbits += width
    while nbits >= 8:
        out[size] = bits & 0xFF
        size += 1
        bits >>= 8
        nbits -= 8
    return size, bits, nbits


@njit(cache=True)
def _lzw(pixels, out):  # pragma: no cover - compiled
    """GIF LZW codes of `pixels` (uint8, 8-bit code size) packed LSB first into `out`; returns the
    number of bytes written. `table[prefix * 256 + pixel]` is the code of prefix+pixel, or 0."""
    clear, stop = 256, 257
    table = np.zeros(MAX_CODES * 256, dtype=np.int16)
    next_code, width = 258, 9
    # Start with a clear code, as decoders expect.
    size, bits, nbits = _put(out, 0, 0, 0, clear, width)
    prefix = -1
    for i in range(len(pixels)):
        pixel = pixels[i]
        if prefix < 0:
            prefix = pixel
            continue
        code = table[prefix * 256 + pixel]
        if code:
            prefix = code
            continue
        size, bits, nbits = _put(out, size, bits, nbits, prefix, width)
        if next_code < MAX_CODES:
            table[prefix * 256 + pixel] = next_code
            if next_code == (1 << width) and width < 12:
                width += 1
            next_code += 1
        else:
            size, bits, nbits = _put(out, size, bits, nbits, clear, width)
            table[:] = 0
            next_code, width = 258, 9
        prefix = pixel
    if prefix >= 0:
        size, bits, nbits = _put(out, size, bits, nbits, prefix, width)
    size, bits, nbits = _put(out, size, bits, nbits, stop, width)
    if nbits:  # the last, partly filled byte
        out[size] = bits & 0xFF
        size += 1
    return size


def lzw_data(indices: np.ndarray) -> bytes:
    """The image data of a frame: code size, then the LZW stream in sub-blocks of up to 255."""
    pixels = np.ascontiguousarray(indices).ravel()
    out = np.empty(len(pixels) * 2 + 16, dtype=np.uint8)
    stream = out[:_lzw(pixels, out)].tobytes()
    blocks = b"".join(bytes([len(stream[i:i + 255])]) + stream[i:i + 255]
                      for i in range(0, len(stream), 255))
    return bytes([MIN_CODE_SIZE]) + blocks + b"\0"


class GifWriter:
    """Writes frames (H, W, 3 RGB arrays) to an animated GIF that loops forever."""

    def __init__(self, path: str | Path, width: int, height: int, fps: float = 10.0):
        self.path = Path(path)
        self.size = (width, height)
        self.delay = max(2, round(100 / fps))  # hundredths of a second
        self.palette: Palette | None = None
        self._previous: np.ndarray | None = None
        self._file = self.path.open("wb")

    def add(self, rgb: np.ndarray) -> None:
        if rgb.shape != (self.size[1], self.size[0], 3):
            raise ValueError(f"frame of shape {rgb.shape}, expected "
                             f"{(self.size[1], self.size[0], 3)}")
        if self.palette is None:
            self.palette = Palette(rgb)
            self._file.write(b"GIF89a" + struct.pack("<HHBBB", *self.size, 0xF7, 0, 0)
                             + self.palette.rgb.tobytes())
            self._file.write(b"\x21\xff\x0bNETSCAPE2.0\x03\x01\x00\x00\x00")
        indices = self.palette.indices(rgb)
        frame = indices
        if self._previous is not None:
            frame = np.where(indices == self._previous, np.uint8(TRANSPARENT), indices)
        self._previous = indices
        # Graphic control: keep the previous frame under this one (disposal 1), transparency on.
        self._file.write(struct.pack("<BBBBHBB", 0x21, 0xF9, 4, 0x05, self.delay, TRANSPARENT, 0))
        self._file.write(struct.pack("<BHHHHB", 0x2C, 0, 0, *self.size, 0))
        self._file.write(lzw_data(frame))

    def close(self) -> None:
        self._file.write(b"\x3b")
        self._file.close()

    def __enter__(self) -> GifWriter:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
