"""TT top of markov_art: Markov-chain colour cells on the TinyVGA PMOD."""
from amaranth.hdl import Array, Cat, Const, Module, Mux, Signal

from ttsim.tt import TinyTapeoutTop

from . import reference as ref
from .painter import MarkovPainter, VgaTiming


class MarkovArtTop(TinyTapeoutTop):
    """ui_in[4:0] and uio_in[7:0] are the 13-bit seed (bits 0..4 and 5..12), ui_in[5] picks
    32-pixel cells instead of 16-pixel ones, ui_in[7:6] one of the four built-in tables. Changes
    take effect at the next frame.

    uo_out drives the TinyVGA PMOD (R1 G1 B1 VSYNC R0 G0 B0 HSYNC on bits 0..7), registered, so
    colours and syncs change together one clock after the beam position. uio stays all inputs.
    """

    def elaborate_design(self, m: Module) -> None:
        m.submodules.timing = timing = VgaTiming()
        m.submodules.painter = painter = MarkovPainter()
        m.d.comb += [
            painter.x.eq(timing.x),
            painter.y.eq(timing.y),
            painter.active.eq(timing.active),
            painter.seed.eq(Cat(self.ui_in[:5], self.uio_in)),
            painter.cell_32.eq(self.ui_in[5]),
            painter.table.eq(self.ui_in[6:]),
            self.uio_out.eq(0),
            self.uio_oe.eq(0),
        ]
        palette = Array(Const(int(byte), 8) for byte in ref.PALETTE_BYTES)
        rgb = Mux(timing.active, palette[painter.colour], 0)
        # Syncs idle (high) while in reset.
        out = Signal(8, init=ref.tinyvga_byte(0, 0, 0, 1, 1))
        m.d.sync += out.eq(rgb | (timing.hsync_n << 7) | (timing.vsync_n << 3))
        m.d.comb += self.uo_out.eq(out)
