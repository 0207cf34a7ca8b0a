"""The TinyVGA capture model on a 640x480@60 test-pattern generator of our own: exact pixels,
the measured timing and the sync polarity learnt from the signals, frames as numpy arrays and as
PNG files (read back with pygame's own decoder)."""
import os
from pathlib import Path

import numpy as np
import pytest
from amaranth.hdl import Cat, Module, Signal
from amaranth.lib import wiring
from amaranth.lib.wiring import Out

from ttsim import fast
from ttsim.registry import Design

H_VISIBLE, H_SYNC_START, H_SYNC_END, H_TOTAL = 640, 656, 752, 800
V_VISIBLE, V_SYNC_START, V_SYNC_END, V_TOTAL = 480, 490, 492, 525


class PatternGenerator(wiring.Component):
    """640x480@60 on the TinyVGA pinout: red from x, green from y, blue from x xor y.

    uo_out: R1 G1 B1 VSYNC R0 G0 B0 HSYNC (bits 0..7); syncs active low, or active high when
    `positive_sync`.
    """

    uo_out: Out(8)

    def __init__(self, positive_sync: bool = False):
        self.positive_sync = positive_sync
        super().__init__()

    def elaborate(self, platform):
        m = Module()
        x = Signal(range(H_TOTAL))
        y = Signal(range(V_TOTAL))
        with m.If(x == H_TOTAL - 1):
            m.d.sync += [x.eq(0), y.eq(0)]
            with m.If(y != V_TOTAL - 1):
                m.d.sync += y.eq(y + 1)
        with m.Else():
            m.d.sync += x.eq(x + 1)
        visible = (x < H_VISIBLE) & (y < V_VISIBLE)
        hsync = (x >= H_SYNC_START) & (x < H_SYNC_END)
        vsync = (y >= V_SYNC_START) & (y < V_SYNC_END)
        if not self.positive_sync:
            hsync, vsync = ~hsync, ~vsync
        red, green, blue = [Signal(2) for _ in range(3)]
        m.d.comb += [red.eq(x[5:7]), green.eq(y[5:7]), blue.eq((x ^ y)[4:6])]
        colour = [Signal(2) for _ in range(3)]
        for lit, value in zip(colour, (red, green, blue)):
            m.d.comb += lit.eq(value & visible.replicate(2))
        m.d.comb += self.uo_out.eq(Cat(colour[0][1], colour[1][1], colour[2][1], vsync,
                                       colour[0][0], colour[1][0], colour[2][0], hsync))
        return m


def expected_frame() -> np.ndarray:
    y, x = np.mgrid[0:480, 0:640]
    return (np.stack([(x >> 5) & 3, (y >> 5) & 3, ((x ^ y) >> 4) & 3], axis=-1) * 85
            ).astype(np.uint8)


def pattern_design(tmp_path) -> Design:
    return Design(name="fasttest_vga", folder=Path(tmp_path), title="VGA test pattern",
                  description="", author="", clock_hz=25_175_000, tiles="1x1", top="x:X",
                  tests=(), pins={}, sections={"fast": {"models": ["vga"]}})


@pytest.mark.parametrize("positive_sync", [False, True])
def test_frames_are_decoded_pixel_exact(tmp_path, positive_sync):
    with fast.Simulation(pattern_design(tmp_path), component=PatternGenerator(positive_sync)) as sim:
        sim.attach_vga()
        sim.reset()
        frames = [frame.copy() for frame in sim.vga_frames(2)]
        report = sim.vga_report()
    assert len(frames) == 2
    for frame in frames:
        assert frame.shape == (480, 640, 3)
        assert np.array_equal(frame, expected_frame())
    polarity = "positive" if positive_sync else "negative"
    assert report == {"frames": 2, "line_clocks": H_TOTAL, "frame_lines": V_TOTAL,
                      "hsync": polarity, "vsync": polarity}


def test_run_writes_png_files(tmp_path):
    os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")
    import pygame

    png_dir = tmp_path / "frames"
    result = fast.run(pattern_design(tmp_path), frames=2, png_dir=png_dir, keep_frames=True,
                      component=PatternGenerator())
    assert result.report["stop"] == "frames" and result.report["vga"]["frames"] == 2
    assert result.frames.shape == (2, 480, 640, 3)
    written = sorted(png_dir.glob("*.png"))
    assert [p.name for p in written] == ["frame_0000.png", "frame_0001.png"]
    image = pygame.image.load(str(written[1]))
    pixels = np.transpose(pygame.surfarray.array3d(image), (1, 0, 2))
    assert np.array_equal(pixels, expected_frame())
