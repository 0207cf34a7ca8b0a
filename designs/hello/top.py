"""TT top of `hello`: a hex counter on the demo board's seven-segment display."""
from amaranth.hdl import Module

from ttsim.tt import TinyTapeoutTop

from .counter import HexCounter, SevenSegment


class HelloTop(TinyTapeoutTop):
    """ui_in[0] counts down, ui_in[3:1] sets the speed, ui_in[4] holds the count.

    uo_out[6:0] drive the seven segments a..g, uo_out[7] (the decimal point) is lit while counting
    down. The digit is also on uio_out[3:0] (driven; uio[7:4] stay inputs).
    """

    def elaborate_design(self, m: Module) -> None:
        m.submodules.counter = counter = HexCounter()
        m.submodules.display = display = SevenSegment()
        m.d.comb += [
            counter.down.eq(self.ui_in[0]),
            counter.speed.eq(self.ui_in[1:4]),
            counter.hold.eq(self.ui_in[4]),
            display.digit.eq(counter.digit),
            self.uo_out.eq(display.segments | (self.ui_in[0] << 7)),
            self.uio_out.eq(counter.digit),
            self.uio_oe.eq(0x0F),
        ]
