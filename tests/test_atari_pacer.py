"""ClockGate's registered reset (the TT top's core clock): the gated domain behaves as with the
plain gate, whose reset is the sync domain's, on every clock but one: a reset asserted mid-run
reaches it one clock later (the gate opens at once, and that clock still counts)."""
from amaranth.hdl import ClockDomain, Module, Signal
from amaranth.lib import wiring
from amaranth.lib.wiring import In, Out
from amaranth.sim import Simulator

from ttsim.designs.atari2600.pacer import ClockGate

RESETS = ((0, 3), (40, 44), (61, 63))  # (first clock, clock released) of each reset
CLOCKS = 100


class GatedCounter(wiring.Component):
    """A counter on a gated clock that ticks on every third clock; reset_pin resets the sync
    domain through a flip-flop, as the TT top's rst_n does."""

    reset_pin: In(1)
    count: Out(8)

    def __init__(self, registered_reset: bool):
        self.registered_reset = registered_reset
        super().__init__()

    def elaborate(self, platform):
        m = Module()
        m.domains.sync = sync = ClockDomain(local=True)
        m.domains.gated = ClockDomain(local=True)
        reset = Signal(init=1, reset_less=True)
        m.d.sync += reset.eq(self.reset_pin)
        m.d.comb += sync.rst.eq(reset)
        phase = Signal(2)
        m.d.sync += phase.eq(phase + 1)
        m.submodules.gate = gate = ClockGate("gated", registered_reset=self.registered_reset)
        m.d.comb += gate.enable.eq(phase == 2)
        if self.registered_reset:
            m.d.comb += gate.reset_next.eq(self.reset_pin)
        m.d.gated += self.count.eq(self.count + 1)
        return m


def counts(registered_reset: bool) -> list[int]:
    dut = GatedCounter(registered_reset)
    sim = Simulator(dut)
    sim.add_clock(1e-6, domain="sync")
    seen = []

    async def bench(ctx):
        for clock in range(CLOCKS):
            ctx.set(dut.reset_pin, any(start <= clock < end for start, end in RESETS))
            await ctx.tick("sync")
            seen.append(ctx.get(dut.count))

    sim.add_testbench(bench)
    sim.run()
    return seen


def test_registered_reset_matches_the_plain_gate_outside_a_reset():
    plain, registered = counts(False), counts(True)
    assert max(plain) > 5  # the gated counter runs between the resets
    late = {start + 1 for start, _ in RESETS[1:]}  # the first clock of a mid-run reset
    for clock, (expected, got) in enumerate(zip(plain, registered)):
        if clock not in late:
            assert got == expected, f"clock {clock}: {got} != {expected}"


def test_registered_reset_holds_the_gated_domain_in_reset():
    registered = counts(True)
    for start, end in RESETS:
        # From power-up, or from a mid-run reset's second clock, to the clock it is released on.
        first = 0 if start == 0 else start + 2
        assert all(value == 0 for value in registered[first:end + 1]), registered[first:end + 1]
        assert registered[end + 4] == 1  # and counts again from there
