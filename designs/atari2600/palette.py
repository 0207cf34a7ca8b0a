"""The Atari's NTSC palette: RGB for PNGs and the viewer, and TinyVGA's 2 bits per channel.

A colour value (COLUxx) is hue in bits 7..4 and luminance in bits 3..1; bit 0 is unused. The RGB
values are Stella's published NTSC palette (so ale-py's getScreenRGB), one row per hue, luminance
0..7 from left to right; tests/test_atari_run.py checks them against ale-py.

On the TT top each channel is rounded to the nearest of TinyVGA's four levels (0, 85, 170, 255),
which leaves 34 different colours; the two that the fewest colour values map to are shown as their
nearest neighbours, so that the line buffer needs 5 bits a pixel: `index` gives a colour value's
entry in `SHOWN_COLOURS`.
"""
from collections import Counter

import numpy as np

_NTSC_ROWS = (
    "000000 4a4a4a 6f6f6f 8e8e8e aaaaaa c0c0c0 d6d6d6 ececec",   # 0: grey
    "484800 69690f 86861d a2a22a bbbb35 d2d240 e8e84a fcfc54",   # 1: gold
    "7c2c00 904811 a26221 b47a30 c3903d d2a44a dfb755 ecc860",   # 2: orange
    "901c00 a33915 b55328 c66c3a d5824a e39759 f0aa67 fcbc74",   # 3: red-orange
    "940000 a71a1a b83232 c84848 d65c5c e46f6f f08080 fc9090",   # 4: pink
    "840064 97197a a8308f b846a2 c659b3 d46cc3 e07cd2 ec8ce0",   # 5: purple
    "500084 68199a 7d30ad 9246c0 a459d0 b56ce0 c57cee d48cfc",   # 6: blue-purple
    "140090 331aa3 4e32b5 6848c6 7f5cd5 956fe3 a980f0 bc90fc",   # 7: blue
    "000094 181aa7 2d32b8 4248c8 545cd6 656fe4 7580f0 8490fc",   # 8: blue
    "001c88 183b9d 2d57b0 4272c2 548ad2 65a0e1 75b5ef 84c8fc",   # 9: light blue
    "003064 185080 2d6d98 4288b0 54a0c5 65b7d9 75cceb 84e0fc",   # A: turquoise
    "004030 18624e 2d8169 429e82 54b899 65d1ae 75e7c2 84fcd4",   # B: green-blue
    "004400 1a661a 328432 48a048 5cba5c 6fd26f 80e880 90fc90",   # C: green
    "143c00 355f18 527e2d 6e9c42 87b754 9ed065 b4e775 c8fc84",   # D: yellow-green
    "303800 505916 6d762b 88923e a0ab4f b7c25f ccd86e e0ec7c",   # E: orange-green
    "482c00 694d14 866a26 a28638 bb9f47 d2b656 e8cc63 fce070",   # F: light orange
)

# NTSC_RGB[value >> 1] is the (r, g, b) of colour value `value`.
NTSC_RGB = np.array([list(bytes.fromhex(colour)) for row in _NTSC_ROWS for colour in row.split()],
                    dtype=np.uint8)


def to_rgb(colours: np.ndarray) -> np.ndarray:
    """RGB (uint8, a trailing axis of 3) of an array of TIA colour values."""
    return NTSC_RGB[np.asarray(colours, dtype=np.uint8) >> 1]


LINE_BUFFER_COLOURS = 32


def two_bits(level: int) -> int:
    """An 8-bit channel level rounded to the nearest of TinyVGA's four levels."""
    return (level * 3 + 127) // 255


# The (red, green, blue) levels, 2 bits each, of each colour value 0..255 (bit 0 is not used).
TINYVGA = tuple(tuple(two_bits(int(level)) for level in NTSC_RGB[value >> 1])
                for value in range(256))


def _distance(a, b) -> int:
    return sum((x - y) ** 2 for x, y in zip(a, b))


_uses = Counter(TINYVGA)
SHOWN_COLOURS = tuple(sorted(sorted(_uses, key=lambda colour: (-_uses[colour], colour))
                             [:LINE_BUFFER_COLOURS]))
# What the TT top shows for each colour value.
SHOWN = tuple(min(SHOWN_COLOURS, key=lambda kept: (_distance(colour, kept), kept))
              for colour in TINYVGA)


def index(value: int) -> int:
    """The line buffer's 5-bit code of a TIA colour value."""
    return SHOWN_COLOURS.index(SHOWN[value])


def tinyvga_bits(colour: tuple[int, int, int]) -> int:
    """The TinyVGA colour pins of (red, green, blue) levels as 6 bits: R1 G1 B1 R0 G0 B0 (uo_out
    bits 0-2 and 4-6)."""
    red, green, blue = colour
    return (red >> 1 | (green >> 1) << 1 | (blue >> 1) << 2
            | (red & 1) << 3 | (green & 1) << 4 | (blue & 1) << 5)
