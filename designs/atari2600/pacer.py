"""The core's colour clock: 228 colour clocks per 1600 TT clocks, evenly spread, with catch-up.

A fractional counter earns one colour clock every 1600/228 (7.02) clocks. The core takes an earned
colour clock at once unless it is held (waiting for a cartridge byte from the flash); held colour
clocks are owed and paid back one per clock, so the core catches up with the VGA beam as soon as
the flash lets it. While nothing holds it, the core runs exactly on the evenly spread schedule.

`ClockGate` turns the enable into the core's clock: the core's flip-flops see a clock edge only on
the TT clocks it takes, which is what an enable on every flip-flop would do, but a simulator
(Verilator in the fast path) then runs the core's clocked logic only on those clocks, which makes
the TT top's fast path markedly faster (see the README's figures).
"""
from amaranth.hdl import ClockDomain, ClockSignal, Module, Mux, ResetSignal, Signal
from amaranth.lib import wiring
from amaranth.lib.wiring import In, Out

COLOUR_CLOCKS_PER_LINE = 228
CLOCKS_PER_LINE = 1600  # two VGA lines
OWED_BITS = 11  # up to 2047 colour clocks owed: far more than the line buffer tolerates


class ColourClockPacer(wiring.Component):
    """hold: the core cannot take a colour clock now.
    enable: the core advances one colour clock on this clock.
    owed: colour clocks earned and not yet taken (0 or 1 while the core keeps up).
    """

    hold: In(1)
    enable: Out(1)
    owed: Out(OWED_BITS)

    def elaborate(self, platform):
        m = Module()
        phase = Signal(range(CLOCKS_PER_LINE))
        wrapped = phase >= CLOCKS_PER_LINE - COLOUR_CLOCKS_PER_LINE
        m.d.sync += phase.eq(Mux(wrapped, phase + COLOUR_CLOCKS_PER_LINE - CLOCKS_PER_LINE,
                                 phase + COLOUR_CLOCKS_PER_LINE))
        m.d.comb += self.enable.eq((self.owed != 0) & ~self.hold)
        m.d.sync += self.owed.eq(self.owed + wrapped - self.enable)
        return m


class ClockGate(wiring.Component):
    """Clocks the domain `domain` (which the parent defines) from `sync` on the clocks where
    `enable` is high, and on every clock while `sync` is in reset, so that the gated domain resets with it.

    A flip-flop on the falling clock edge holds the enable steady while the clock is high, so
    the gated clock has no glitches (a flip-flop clock gate: the enable must settle within half a
    clock). The gated domain's reset is `sync`'s, unless `registered_reset` is set:

    reset_next (with `registered_reset` only): the value `sync`'s reset takes at the next clock
    edge (its flip-flop's input). The gated domain's reset is then a flip-flop of that domain
    sampling it: while `sync` is in reset the gated domain is clocked on every clock, so its reset
    matches `sync`'s from power-up and when reset is released (a reset asserted while the gated
    domain runs reaches it one clock later). No signal of `sync` then feeds every flip-flop of the
    gated domain, so a simulator (Verilator) runs the gated logic only on its own clock edges
    (the TT top's fast path runs about a tenth faster).
    """

    def __init__(self, domain: str, registered_reset: bool = False):
        self.domain = domain
        self.registered_reset = registered_reset
        members = {"enable": In(1)}
        if registered_reset:
            members["reset_next"] = In(1)
        super().__init__(members)

    def elaborate(self, platform):
        m = Module()
        m.domains.gate = ClockDomain("gate", clk_edge="neg", reset_less=True, local=True)
        gate_open = Signal()
        m.d.gate += gate_open.eq(self.enable | ResetSignal("sync"))
        m.d.comb += [
            ClockSignal("gate").eq(ClockSignal("sync")),
            ClockSignal(self.domain).eq(ClockSignal("sync") & gate_open),
        ]
        if self.registered_reset:
            reset = Signal(init=1, reset_less=True)
            m.d[self.domain] += reset.eq(self.reset_next)
            m.d.comb += ResetSignal(self.domain).eq(reset)
        else:
            m.d.comb += ResetSignal(self.domain).eq(ResetSignal("sync"))
        return m
