"""Reference model of markov_art: the Markov chain, its tables, the LFSR and the VGA stream.

The design and its tests both read the tables from here; the tests compare the design's output with
`stream`, clock for clock.

The chain. In 1968 a computer analysed artworks, counted how unit colour planes follow their
neighbours, and drew a new pattern from those transition probabilities: a fourth-order Markov chain
over five colours, each cell conditioned on the cells already drawn to its left, above, above-left
and above-right. The full table has 5**4 = 625 contexts of 5 probabilities each, far too much for a
1x2 tile. So each table here is a *mixture transition distribution* (Raftery, 1985), the usual
compact form of a high-order chain:

    P(next = k | left, above, above_left, above_right) = sum over neighbours n of  w[n] * T[colour(n)][k]

Four neighbour weights w (in eighths) and one 5x5 transition matrix T (in sixteenths) replace the
625x5 table. Drawing from it takes two random numbers: 3 bits pick a neighbour with probability
w[n], 4 bits then pick the next colour from that neighbour's row of T. Cells outside the picture
(left of the first column, above the first row, right of the last column) count as colour 0.
Unlike the 1968 tables, which were estimated from artworks, the four built-in tables are set by
hand, each for a recognisable texture.

The random source is a 16-bit Galois LFSR stepped once per visible pixel clock; the draw of a cell
uses the state at the cell's first pixel. Each cell row starts from the state the previous row ended
with (the state after `cols * cell_px` = 640 steps), and the first row from the seed, so every frame
draws the same picture until the seed changes.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

NEIGHBOURS = ("left", "above", "above_left", "above_right")
COLOURS = 5
OUTSIDE = 0  # the colour that cells outside the picture count as
WEIGHT_ONE = 8  # neighbour weights are in eighths: 3 random bits
ROW_ONE = 16  # transition probabilities are in sixteenths: 4 random bits

# Palette as (red, green, blue), 2 bits each: the TinyVGA PMOD's colour depth.
PALETTE = (
    (3, 3, 3),  # 0 white: the ground
    (3, 0, 0),  # 1 red
    (0, 1, 3),  # 2 blue
    (3, 3, 0),  # 3 yellow
    (0, 0, 0),  # 4 black
)


@dataclass(frozen=True)
class Table:
    """One built-in chain: neighbour weights (eighths) and transition rows (sixteenths).

    rows[c][k] is how many sixteenths of the draws that follow a neighbour of colour c give colour k.
    """

    name: str
    weights: dict
    rows: tuple

    def __post_init__(self):
        assert set(self.weights) == set(NEIGHBOURS) and sum(self.weights.values()) == WEIGHT_ONE
        assert len(self.rows) == COLOURS
        assert all(len(row) == COLOURS and sum(row) == ROW_ONE for row in self.rows)

    @property
    def neighbour_slots(self) -> tuple[int, ...]:
        """The neighbour (index into NEIGHBOURS) each 3-bit random value picks."""
        return tuple(n for n, name in enumerate(NEIGHBOURS) for _ in range(self.weights[name]))

    @property
    def colour_slots(self) -> tuple[tuple[int, ...], ...]:
        """For each neighbour colour, the next colour each 4-bit random value picks."""
        return tuple(tuple(k for k, count in enumerate(row) for _ in range(count))
                     for row in self.rows)

    def probabilities(self, context) -> np.ndarray:
        """P(next colour) for a context (left, above, above_left, above_right)."""
        mixed = sum(self.weights[name] * np.array(self.rows[colour], dtype=float)
                    for name, colour in zip(NEIGHBOURS, context))
        return mixed / (WEIGHT_ONE * ROW_ONE)


def _rotations(stay: int, spread: tuple[int, ...], shift: int = 0) -> tuple:
    """A 5x5 matrix whose row c puts `stay` on colour c+shift and `spread` on the colours after."""
    rows = []
    for colour in range(COLOURS):
        row = [0] * COLOURS
        for offset, count in enumerate((stay, *spread)):
            row[(colour + shift + offset) % COLOURS] = count
        rows.append(tuple(row))
    return tuple(rows)


TABLES = (
    # Patchwork: a cell mostly repeats its left or upper neighbour, so patches grow and mingle.
    Table("patchwork", {"left": 3, "above": 3, "above_left": 1, "above_right": 1},
          _rotations(13, (1, 1, 0, 1))),
    # Rain: colours run down the picture and seldom change.
    Table("rain", {"left": 0, "above": 7, "above_left": 0, "above_right": 1},
          _rotations(15, (1, 0, 0, 0))),
    # Steps: the above-right cell's colour, advanced by one, gives bands of changing colour that
    # fall to the left.
    Table("steps", {"left": 1, "above": 0, "above_left": 0, "above_right": 7},
          _rotations(14, (1, 0, 0, 1), shift=1)),
    # Weave: left and upper neighbours each push the colour two steps on; where they agree the
    # colours settle into a diagonal lattice, where they disagree it frays.
    Table("weave", {"left": 4, "above": 4, "above_left": 0, "above_right": 0},
          _rotations(14, (1, 0, 1, 0), shift=2)),
)

CELL_SIZES = (16, 32)  # pixels; ui_in[5] picks one

# 640x480 at 60 Hz (25.175 MHz pixel clock); both syncs are active low.
H_VISIBLE, H_FRONT, H_SYNC, H_BACK = 640, 16, 96, 48
V_VISIBLE, V_FRONT, V_SYNC, V_BACK = 480, 10, 2, 33
H_TOTAL = H_VISIBLE + H_FRONT + H_SYNC + H_BACK
V_TOTAL = V_VISIBLE + V_FRONT + V_SYNC + V_BACK
FRAME_CLOCKS = H_TOTAL * V_TOTAL

# After reset the counters start at the first line of vertical blanking, so the seed is loaded
# before the first visible line and the very first frame is already the right picture.
RESET_LINE = V_VISIBLE

LFSR_BITS = 16
LFSR_TAPS = 0xB400  # x^16 + x^14 + x^13 + x^11 + 1, maximal length
SEED_BITS = 13
SEED_SCRAMBLE = 0xACE1  # odd, and seeds are shifted left by 3: the state is never zero


def seed_state(seed: int) -> int:
    """The LFSR state a 13-bit seed starts each frame with."""
    assert 0 <= seed < 1 << SEED_BITS
    return (seed << 3) ^ SEED_SCRAMBLE


def lfsr_step(state: int) -> int:
    """One right-shifting Galois LFSR step."""
    return (state >> 1) ^ (LFSR_TAPS if state & 1 else 0)


def lfsr_advance(state: int, steps: int) -> int:
    for _ in range(steps):
        state = lfsr_step(state)
    return state


def draw(table: Table, state: int, context) -> int:
    """The next colour for a context, from the LFSR state at the cell's first pixel.

    State bits 0..2 pick the neighbour to follow, bits 3..6 the colour from its row.
    """
    neighbour = table.neighbour_slots[state & 0b111]
    return table.colour_slots[context[neighbour]][(state >> 3) & 0b1111]


def cells(table: Table, seed: int, cols: int, rows: int, cell_px: int) -> np.ndarray:
    """The rows x cols grid of colours the chain draws (cell_px LFSR steps per cell)."""
    grid = np.zeros((rows, cols), dtype=np.uint8)
    row_state = seed_state(seed)
    for r in range(rows):
        state = row_state
        above_row = grid[r - 1]
        for c in range(cols):
            context = (
                grid[r, c - 1] if c else OUTSIDE,
                above_row[c] if r else OUTSIDE,
                above_row[c - 1] if r and c else OUTSIDE,
                above_row[c + 1] if r and c + 1 < cols else OUTSIDE,
            )
            grid[r, c] = draw(table, state, context)
            state = lfsr_advance(state, cell_px)
        row_state = state
    return grid


@dataclass(frozen=True)
class Settings:
    """What ui_in (and uio_in) select: the seed, the cell size and the table."""

    seed: int = 0
    cell_px: int = 16
    table: int = 0

    @classmethod
    def from_inputs(cls, ui_in: int, uio_in: int = 0) -> Settings:
        return cls(seed=(ui_in & 0x1F) | (uio_in << 5), cell_px=CELL_SIZES[(ui_in >> 5) & 1],
                   table=ui_in >> 6)

    @property
    def ui_in(self) -> int:
        return (self.seed & 0x1F) | (CELL_SIZES.index(self.cell_px) << 5) | (self.table << 6)

    @property
    def uio_in(self) -> int:
        return self.seed >> 5


def picture(settings: Settings) -> np.ndarray:
    """The 480x640 picture as colour indices."""
    px = settings.cell_px
    grid = cells(TABLES[settings.table], settings.seed, H_VISIBLE // px, V_VISIBLE // px, px)
    return np.repeat(np.repeat(grid, px, axis=0), px, axis=1)


def tinyvga_byte(red: int, green: int, blue: int, hsync_n: int, vsync_n: int) -> int:
    """uo_out on the TinyVGA PMOD: [0]=R1 [1]=G1 [2]=B1 [3]=VSYNC [4]=R0 [5]=G0 [6]=B0 [7]=HSYNC."""
    return ((red >> 1) | (green >> 1) << 1 | (blue >> 1) << 2 | vsync_n << 3
            | (red & 1) << 4 | (green & 1) << 5 | (blue & 1) << 6 | hsync_n << 7)


PALETTE_BYTES = np.array([tinyvga_byte(*rgb, 0, 0) for rgb in PALETTE], dtype=np.uint8)
PALETTE_RGB = np.array([[round(level * 255 / 3) for level in rgb] for rgb in PALETTE],
                       dtype=np.uint8)


def sync_bytes() -> np.ndarray:
    """The V_TOTAL x H_TOTAL sync bits of uo_out (HSYNC on bit 7, VSYNC on bit 3; low = pulse)."""
    x = np.arange(H_TOTAL)
    y = np.arange(V_TOTAL)
    hsync_n = ~((x >= H_VISIBLE + H_FRONT) & (x < H_VISIBLE + H_FRONT + H_SYNC))
    vsync_n = ~((y >= V_VISIBLE + V_FRONT) & (y < V_VISIBLE + V_FRONT + V_SYNC))
    return (hsync_n[None, :].astype(np.uint8) << 7) | (vsync_n[:, None].astype(np.uint8) << 3)


def frame_bytes(settings: Settings) -> np.ndarray:
    """uo_out for every (line, clock) of a frame, lines and clocks counted from the first visible
    pixel: the V_TOTAL x H_TOTAL bytes the design outputs, blanking and syncs included."""
    out = sync_bytes()
    out[:V_VISIBLE, :H_VISIBLE] |= PALETTE_BYTES[picture(settings)]
    return out


def stream(frames: list[Settings]) -> np.ndarray:
    """uo_out after each clock from reset on, for consecutive frames with the given settings.

    Element i is the value after the (i+1)-th rising edge out of reset. The design registers its
    outputs, so that value shows the counters' position at that edge; the counters start at line
    RESET_LINE, so the stream begins with the vertical blanking before the first frame.
    """
    lead_in = sync_bytes()[RESET_LINE:].ravel()
    return np.concatenate([lead_in] + [frame_bytes(s).ravel() for s in frames])
