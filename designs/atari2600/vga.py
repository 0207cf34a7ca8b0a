"""640x480 VGA from the TIA's NTSC lines, each shown twice, with a line buffer and no frame buffer.

One NTSC line (228 colour clocks) lasts exactly two VGA lines (2 x 800 clocks at 25.175 MHz), so
the core runs at 228 colour clocks per 1600 clocks (see `pacer.py`) and NTSC line n is drawn
into one half of a two-line buffer while the VGA beam shows line n-1 from the other half, twice.
Each TIA pixel is 4 VGA pixels wide and 2 lines high: the 160 pixels fill the 640 columns.

Vertically the VGA frame follows the game: at the start of the first line pair after the TIA's
VSYNC rises, the beam jumps to `RESYNC_LINE`, so that the game's line 0 (its VSYNC line) is VGA
lines 481-482 and its line `FIRST_SHOWN_LINE` is VGA line 0. A 262-line game therefore gets
524-line VGA frames (59.98 Hz); a game that never sets VSYNC gets free-running 525-line frames.
"""
from amaranth.hdl import Cat, Module, Mux, Signal
from amaranth.lib import memory, wiring
from amaranth.lib.wiring import In, Out

H_VISIBLE, H_FRONT, H_SYNC, H_TOTAL = 640, 16, 96, 800
V_VISIBLE, V_FRONT, V_SYNC, V_TOTAL = 480, 10, 2, 525
PIXEL_WIDTH = 4  # VGA pixels per TIA pixel
TIA_PIXELS = 160
CODE_BITS = 5  # the line buffer's colour codes (palette.SHOWN_COLOURS)
# The game line shown on VGA line 0: lines 22..261 fill the 480 lines, centring the 210 lines
# Stella shows (from line 37).
FIRST_SHOWN_LINE = 22
RESYNC_LINE = (-2 * FIRST_SHOWN_LINE) % V_TOTAL  # 481


class VgaBeam(wiring.Component):
    """The VGA beam: position, syncs, and the pairing of VGA lines into NTSC lines.

    resync: the TIA's VSYNC rose; the next line pair starts at line `RESYNC_LINE`.
    x, y: the beam position; active: inside the visible 640x480.
    hsync_n, vsync_n: the sync levels (negative pulses).
    pair_odd: parity of the line pair being shown (flips every 1600 clocks): the line buffer half
        that is being written is the other one.
    """

    resync: In(1)
    x: Out(range(H_TOTAL))
    y: Out(range(V_TOTAL))
    active: Out(1)
    hsync_n: Out(1)
    vsync_n: Out(1)
    pair_odd: Out(1)

    def elaborate(self, platform):
        m = Module()
        second_line = Signal()
        resync_pending = Signal()
        line_end = self.x == H_TOTAL - 1
        pair_end = line_end & second_line
        m.d.sync += self.x.eq(Mux(line_end, 0, self.x + 1))
        with m.If(self.resync):
            m.d.sync += resync_pending.eq(1)
        with m.If(line_end):
            m.d.sync += second_line.eq(~second_line)
            with m.If(pair_end & (self.resync | resync_pending)):
                m.d.sync += [self.y.eq(RESYNC_LINE), resync_pending.eq(0)]
            with m.Else():
                m.d.sync += self.y.eq(Mux(self.y == V_TOTAL - 1, 0, self.y + 1))
        with m.If(pair_end):
            m.d.sync += self.pair_odd.eq(~self.pair_odd)
        h_sync_start = H_VISIBLE + H_FRONT
        v_sync_start = V_VISIBLE + V_FRONT
        m.d.comb += [
            self.active.eq((self.x < H_VISIBLE) & (self.y < V_VISIBLE)),
            self.hsync_n.eq(~((self.x >= h_sync_start) & (self.x < h_sync_start + H_SYNC))),
            self.vsync_n.eq(~((self.y >= v_sync_start) & (self.y < v_sync_start + V_SYNC))),
        ]
        return m


class LineBuffer(wiring.Component):
    """Two NTSC lines of 5-bit colour codes (`palette.index`): one being drawn by the TIA, one
    being shown.

    write, write_half, write_x, write_code: store `write_code` as pixel `write_x` (0..159) of
        half `write_half` on this clock.
    read_half, read_x: the pixel to show; read_code: its colour code, one clock later.
    """

    write: In(1)
    write_half: In(1)
    write_x: In(range(TIA_PIXELS))
    write_code: In(CODE_BITS)
    read_half: In(1)
    read_x: In(range(TIA_PIXELS))
    read_code: Out(CODE_BITS)

    def elaborate(self, platform):
        m = Module()
        # Pixel x of half h is entry 2x + h: no adder in either address.
        m.submodules.pixels = pixels = memory.Memory(shape=CODE_BITS, depth=2 * TIA_PIXELS, init=[])
        writer = pixels.write_port()
        reader = pixels.read_port()
        m.d.comb += [
            writer.en.eq(self.write),
            writer.addr.eq(Cat(self.write_half, self.write_x)),
            writer.data.eq(self.write_code),
            reader.addr.eq(Cat(self.read_half, self.read_x)),
            self.read_code.eq(reader.data),
        ]
        return m


def tinyvga_byte(red: int, green: int, blue: int, hsync_n: int, vsync_n: int) -> int:
    """uo_out for 2-bit colour levels and sync levels (TinyVGA PMOD: R1 G1 B1 VSYNC R0 G0 B0
    HSYNC on bits 0..7)."""
    return ((red >> 1) | (green >> 1) << 1 | (blue >> 1) << 2 | vsync_n << 3
            | (red & 1) << 4 | (green & 1) << 5 | (blue & 1) << 6 | hsync_n << 7)


def tinyvga_levels(uo_out: int) -> tuple[int, int, int, int, int]:
    """(red, green, blue, hsync_n, vsync_n) from a TinyVGA uo_out byte."""
    bit = [(uo_out >> n) & 1 for n in range(8)]
    return (bit[0] << 1 | bit[4], bit[1] << 1 | bit[5], bit[2] << 1 | bit[6], bit[7], bit[3])

