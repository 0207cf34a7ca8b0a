"""The TIA's two audio channels as one PWM pin (for the TT Audio PMOD's low-pass filter)."""
from amaranth.hdl import Module, Signal
from amaranth.lib import wiring
from amaranth.lib.wiring import In, Out

LEVEL_BITS = 5  # the sum of two 4-bit channels: 0..30


class AudioPwm(wiring.Component):
    """First-order delta-sigma modulation of audio0 + audio1 at the full clock rate: `pwm` is
    high on (audio0 + audio1) of every 32 clocks, spread as evenly as a 5-bit accumulator allows.
    """

    audio0: In(4)
    audio1: In(4)
    pwm: Out(1)

    def elaborate(self, platform):
        m = Module()
        accumulator = Signal(LEVEL_BITS + 1)
        m.d.sync += accumulator.eq(accumulator[:LEVEL_BITS] + self.audio0 + self.audio1)
        m.d.comb += self.pwm.eq(accumulator[LEVEL_BITS])
        return m
