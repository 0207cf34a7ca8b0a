"""markov_art: VGA timing, and whole frames compared with the reference model clock for clock.

Sampling uo_out from Python on each of a frame's 420,000 clocks would be slow, so a watcher records
only uo_out's changes (a few per cell) with their times, and `capture` turns them back into the
value after every clock. Frames are then compared with `reference.stream`, blanking and syncs
included, so every pixel of every captured frame is checked.
"""
import itertools
import os

import cocotb
import numpy as np
from cocotb.simtime import get_sim_time
from cocotb.triggers import Timer

from ttsim.designs.markov_art import reference as ref
from ttsim.paths import BUILD_DIR
from ttsim.tb.tt import clock_period_ps, start

# The VGA numbers, spelled out here from the 640x480@60 standard rather than taken from the model.
LINE_CLOCKS, FRAME_LINES = 800, 525
HSYNC_CLOCKS, H_FRONT_PORCH, H_BACK_PORCH, H_VISIBLE = 96, 16, 48, 640
VSYNC_LINES, V_FRONT_PORCH, V_BACK_PORCH, V_VISIBLE = 2, 10, 33, 480
HSYNC_BIT, VSYNC_BIT = 0x80, 0x08
RGB_BITS = 0xFF & ~(HSYNC_BIT | VSYNC_BIT)


class OutputRecorder:
    """Records (time in ps, uo_out) at every change of uo_out from the moment it is started."""

    def __init__(self, dut):
        self.dut = dut
        self.times = [get_sim_time("ps")]
        self.values = [int(dut.uo_out.value)]
        cocotb.start_soon(self._watch())

    async def _watch(self):
        while True:
            await self.dut.uo_out.value_change
            self.times.append(get_sim_time("ps"))
            self.values.append(int(self.dut.uo_out.value))

    def per_clock(self, first_edge_ps: float, period_ps: float, clocks: int) -> np.ndarray:
        """uo_out after each of `clocks` rising edges, the first at `first_edge_ps`."""
        edges = first_edge_ps + period_ps * np.arange(clocks)
        # A change made by an edge carries that edge's time: take the last change at or before it.
        latest = np.searchsorted(np.array(self.times), edges + period_ps / 4, side="right") - 1
        return np.array(self.values, dtype=np.uint8)[latest]


async def capture(dut, settings: ref.Settings, clocks: int, changes=()) -> np.ndarray:
    """Resets the design with `settings` on the inputs, runs `clocks` clocks and returns uo_out
    after each. `changes` are (clock, Settings) pairs: new inputs from that clock on."""
    await start(dut, ui_in=settings.ui_in, uio_in=settings.uio_in)
    period_ps = clock_period_ps(dut)
    # `start` returns at the falling edge that releases reset; the first clock is half a period on.
    first_edge = get_sim_time("ps") + period_ps / 2
    recorder = OutputRecorder(dut)
    elapsed = 0
    for clock, new in sorted(changes, key=lambda change: change[0]):
        await Timer(round((clock - elapsed) * period_ps), unit="ps")
        dut.ui_in.value = new.ui_in
        dut.uio_in.value = new.uio_in
        elapsed = clock
    await Timer(round((clocks - elapsed) * period_ps), unit="ps")
    return recorder.per_clock(first_edge, period_ps, clocks)


def falling_edges(levels: np.ndarray) -> np.ndarray:
    """Indices where a 0/1 sequence goes from 1 to 0."""
    return np.flatnonzero((levels[:-1] == 1) & (levels[1:] == 0)) + 1


def rising_edges(levels: np.ndarray) -> np.ndarray:
    return np.flatnonzero((levels[:-1] == 0) & (levels[1:] == 1)) + 1


def assert_stream_equal(got: np.ndarray, expected: np.ndarray) -> None:
    """Equal clock for clock; on a mismatch, says where in the frame the first one is."""
    mismatches = np.flatnonzero(got != expected)
    if mismatches.size:
        first = mismatches[0]
        line, clock = divmod(first - (FRAME_LINES - V_VISIBLE) * LINE_CLOCKS, LINE_CLOCKS)
        raise AssertionError(
            f"{mismatches.size} of {got.size} clocks differ; the first at clock {first} "
            f"(frame {line // FRAME_LINES}, line {line % FRAME_LINES}, x {clock}): "
            f"uo_out {got[first]:#04x}, expected {expected[first]:#04x}")


def frame_start(number: int) -> int:
    """Clock (from reset) of the first visible pixel of frame `number`."""
    return ((FRAME_LINES - V_VISIBLE) + number * FRAME_LINES) * LINE_CLOCKS


def tinyvga_rgb(picture: np.ndarray) -> np.ndarray:
    """uo_out bytes -> 8-bit RGB, decoding the TinyVGA bits (R1 G1 B1 on 0..2, R0 G0 B0 on 4..6)."""
    high = np.stack([(picture >> bit) & 1 for bit in (0, 1, 2)], axis=-1)
    low = np.stack([(picture >> bit) & 1 for bit in (4, 5, 6)], axis=-1)
    return ((high * 2 + low) * 85).astype(np.uint8)


def save_png(picture: np.ndarray, name: str) -> None:
    """Writes a captured picture to build/markov_art/captured/NAME for people to look at."""
    os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
    os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")
    import pygame

    folder = BUILD_DIR / "markov_art" / "captured"
    folder.mkdir(parents=True, exist_ok=True)
    surface = pygame.surfarray.make_surface(tinyvga_rgb(picture).transpose(1, 0, 2))
    pygame.image.save(surface, str(folder / name))


def frame_pictures(stream: np.ndarray) -> list[np.ndarray]:
    """The visible 480x640 uo_out bytes of each whole frame in a stream from reset."""
    lead_in = (FRAME_LINES - V_VISIBLE) * LINE_CLOCKS
    whole = (stream.size - lead_in) // (FRAME_LINES * LINE_CLOCKS)
    frames = stream[lead_in:lead_in + whole * FRAME_LINES * LINE_CLOCKS]
    frames = frames.reshape(whole, FRAME_LINES, LINE_CLOCKS)
    return [frame[:V_VISIBLE, :H_VISIBLE] for frame in frames]


@cocotb.test()
async def vga_timing_is_exact(dut):
    """Sync periods, pulse widths, polarity and porches, measured from the syncs alone."""
    # A bit over one frame from reset: two vsync pulses and every line of one frame between them.
    clocks = (FRAME_LINES - V_VISIBLE + FRAME_LINES) * LINE_CLOCKS + 4 * LINE_CLOCKS
    out = await capture(dut, ref.Settings(seed=0x1234, cell_px=16, table=0), clocks)
    hsync = (out & HSYNC_BIT) >> 7
    vsync = (out & VSYNC_BIT) >> 3

    h_falls, h_rises = falling_edges(hsync), rising_edges(hsync)
    assert len(h_falls) > FRAME_LINES
    assert set(np.diff(h_falls)) == {LINE_CLOCKS}, "hsync period"
    widths = {h_rises[h_rises > fall][0] - fall for fall in h_falls if fall < h_rises[-1]}
    assert widths == {HSYNC_CLOCKS}, "hsync pulse width (active low)"

    v_falls, v_rises = falling_edges(vsync), rising_edges(vsync)
    assert len(v_falls) == 2 and v_falls[1] - v_falls[0] == FRAME_LINES * LINE_CLOCKS, \
        "vsync period"
    assert v_rises[0] - v_falls[0] == VSYNC_LINES * LINE_CLOCKS, "vsync pulse width (active low)"
    # Sync levels are high (inactive) most of the time: negative polarity.
    assert hsync.mean() > 0.8 and vsync.mean() > 0.99

    # The lines between the two vsync pulses, each from the end of the previous line's visible
    # part: front porch, hsync, back porch, then the visible pixels. Colour may only appear in
    # the visible pixels of the lines after the vertical back porch and before the front porch.
    line_starts = h_rises + H_BACK_PORCH
    line_starts = line_starts[(line_starts >= v_rises[0]) & (line_starts < v_falls[1])]
    lines = np.stack([out[s - H_BACK_PORCH - HSYNC_CLOCKS - H_FRONT_PORCH:s + H_VISIBLE]
                      for s in line_starts[:FRAME_LINES - VSYNC_LINES]])
    colour = (lines & RGB_BITS) != 0
    blank_before = H_FRONT_PORCH + HSYNC_CLOCKS + H_BACK_PORCH
    assert not colour[:, :blank_before].any(), "colour outside the visible part of a line"
    visible_rows = (np.arange(len(lines)) >= V_BACK_PORCH) & \
        (np.arange(len(lines)) < V_BACK_PORCH + V_VISIBLE)
    assert not colour[~visible_rows].any(), "colour on a blank line"
    picture = colour[visible_rows, blank_before:]
    # The picture reaches every edge of the visible area (white ground, this seed).
    assert picture[0].any() and picture[-1].any() and picture[:, 0].any() and picture[:, -1].any()


@cocotb.test()
async def picture_is_stable_and_follows_the_seed(dut):
    """Two frames with one seed are the same picture; a seed set during the second frame gives
    the third frame a different picture, the model's for the new seed. Every clock of the three
    frames equals the model's (pixels, blanking, syncs)."""
    first = ref.Settings(seed=0x0ABC, cell_px=16, table=0)
    second = ref.Settings(seed=0x1F0E, cell_px=16, table=0)
    expected = ref.stream([first, first, second])
    got = await capture(dut, first, expected.size,
                        changes=[(frame_start(1) + 250 * LINE_CLOCKS, second)])
    pictures = frame_pictures(got)
    assert np.array_equal(pictures[0], pictures[1])
    assert not np.array_equal(pictures[1], pictures[2])
    assert_stream_equal(got, expected)


@cocotb.test()
async def every_table_and_cell_size_equals_the_model(dut):
    """Frames through the tables and cell sizes, each set in the middle of the frame before.

    Verilator runs all eight combinations; Icarus, 10 to 20 times slower, only the frame of 32-pixel
    cells with the second table (the test above covers 16-pixel cells and frames that follow
    other frames).
    """
    combinations = [ref.Settings(seed=0x0155 * (i + 1), cell_px=px, table=table)
                    for i, (table, px) in enumerate(itertools.product(range(len(ref.TABLES)),
                                                                      ref.CELL_SIZES))]
    if cocotb.SIM_NAME.lower().startswith("icarus"):
        combinations = [combinations[3]]
    expected = ref.stream(combinations)
    got = await capture(dut, combinations[0], expected.size,
                        changes=[(frame_start(i) + 300 * LINE_CLOCKS, settings)
                                 for i, settings in enumerate(combinations[1:])])
    for number, (settings, picture) in enumerate(zip(combinations, frame_pictures(got))):
        save_png(picture, f"{cocotb.SIM_NAME.split()[0].lower()}-frame{number}-"
                          f"{ref.TABLES[settings.table].name}-{settings.cell_px}px-"
                          f"seed{settings.seed:04x}.png")
    assert_stream_equal(got, expected)
