"""A hex digit counter with a selectable speed, and a seven-segment decoder for it."""
from amaranth.hdl import Array, Const, Module, Mux, Signal
from amaranth.lib import wiring
from amaranth.lib.wiring import In, Out

# Segments a..g on bits 0..6, lit when 1 (the TT demo board's common-cathode display).
HEX_SEGMENTS = (
    0x3F, 0x06, 0x5B, 0x4F, 0x66, 0x6D, 0x7D, 0x07,
    0x7F, 0x6F, 0x77, 0x7C, 0x39, 0x5E, 0x79, 0x71,
)

PRESCALE_BITS = 22
MIN_SHIFT = 8


def step_period(speed: int) -> int:
    """Clock cycles between two steps of the digit at a given speed setting (0..7)."""
    return 1 << (MIN_SHIFT + 2 * speed)


class SevenSegment(wiring.Component):
    """Combinational hex to seven-segment decoder.

    digit: the value 0..15 to show.
    segments: segments a..g on bits 0..6, 1 = lit.
    """

    digit: In(4)
    segments: Out(7)

    def elaborate(self, platform):
        m = Module()
        table = Array(Const(pattern, 7) for pattern in HEX_SEGMENTS)
        m.d.comb += self.segments.eq(table[self.digit])
        return m


class HexCounter(wiring.Component):
    """A digit that steps once every `step_period(speed)` cycles, up or down.

    speed: 0 (a step every 256 cycles) to 7 (every 2**22 cycles, about 0.4 s at 10 MHz).
    down: count down instead of up.
    hold: freeze the digit and the prescaler.
    digit: the current value.
    """

    speed: In(3)
    down: In(1)
    hold: In(1)
    digit: Out(4)

    def elaborate(self, platform):
        m = Module()
        prescale = Signal(PRESCALE_BITS)
        # The step comes when the low MIN_SHIFT + 2*speed bits of the prescaler are all ones.
        mask = Signal(PRESCALE_BITS)
        m.d.comb += mask.eq((Const(1, PRESCALE_BITS + 1) << (MIN_SHIFT + 2 * self.speed)) - 1)
        step = (prescale & mask) == mask
        with m.If(~self.hold):
            m.d.sync += prescale.eq(prescale + 1)
            with m.If(step):
                # Truncated to 4 bits, so 15 + 1 wraps to 0 and 0 - 1 to 15.
                m.d.sync += self.digit.eq(Mux(self.down, self.digit - 1, self.digit + 1))
        return m
