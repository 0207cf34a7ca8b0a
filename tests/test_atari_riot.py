"""Amaranth simulation tests of the RIOT 6532 (RAM, ports, PA7 edge detect, interval timer),
with expectations from the R6532 datasheet and the Stella Programmer's Guide."""
import pytest
from amaranth.sim import Simulator

from ttsim.designs.atari2600 import riot as R
from ttsim.designs.atari2600.riot import RIOT


def simulate(body, **pins):
    """Runs `body(bus)` against a RIOT with ce high (one clock = one CPU cycle)."""
    dut = RIOT()

    class Bus:
        def __init__(self, ctx):
            self.ctx = ctx

        async def write(self, address, value, ram=False):
            await self._cycle(address, ram, write=1, value=value)

        async def read(self, address, ram=False):
            return await self._cycle(address, ram, read=1)

        async def idle(self, cycles=1):
            for _ in range(cycles):
                await self._cycle(0, ram=True)

        def set_pins(self, **levels):
            for name, level in levels.items():
                self.ctx.set(getattr(dut, name), level)

        async def _cycle(self, address, ram, write=0, read=0, value=0):
            ctx = self.ctx
            ctx.set(dut.addr, address)
            ctx.set(dut.ram_select, ram)
            ctx.set(dut.write, write)
            ctx.set(dut.read, read)
            ctx.set(dut.data_in, value)
            data = ctx.get(dut.read_data)
            await ctx.tick()
            return data

    async def bench(ctx):
        ctx.set(dut.ce, 1)
        for name, level in pins.items():
            ctx.set(getattr(dut, name), level)
        await body(Bus(ctx))

    sim = Simulator(dut)
    sim.add_clock(1e-6)
    sim.add_testbench(bench)
    sim.run()


def test_ram_holds_128_bytes():
    seen = []

    async def body(bus):
        for address in range(R.RAM_BYTES):
            await bus.write(address, (address * 7 + 3) & 0xFF, ram=True)
        for address in range(R.RAM_BYTES):
            seen.append(await bus.read(address, ram=True))

    simulate(body)
    assert seen == [(address * 7 + 3) & 0xFF for address in range(R.RAM_BYTES)]


@pytest.mark.parametrize("register, interval", [(R.TIM1T, 1), (R.TIM8T, 8), (R.TIM64T, 64),
                                                (R.T1024T, 1024)])
def test_timer_counts_once_per_interval_then_once_per_cycle(register, interval):
    values = []

    async def body(bus):
        await bus.write(register, 3)
        for _ in range(3 * interval + 2):
            values.append(await bus.read(R.INTIM))

    simulate(body)
    # Stella: the cycle after writing 3 reads 2, then one less per interval; past 0 the timer
    # wraps to 0xFF and counts once per cycle. The read at -u = -2 ends that, reading
    # -u - ((u - 1) >> log2(interval)): 0xFE, or 0xFD with TIM1T.
    resumed = 0x100 - 2 - (1 if interval == 1 else 0)
    expected = [2] * interval + [1] * interval + [0] * interval + [0xFF, resumed]
    assert values == expected


def test_timer_flag_set_on_underflow_and_cleared_by_reading_intim():
    flags, counts = [], []

    async def body(bus):
        await bus.write(R.TIM8T, 1)                # reads 0 for the next 8 cycles
        flags.append(await bus.read(R.TIMINT))
        await bus.idle(7)
        flags.append(await bus.read(R.TIMINT))     # 0xFF: past 0, flag set
        counts.append(await bus.read(R.INTIM))     # at 0xFE: this read ends the fast count
        flags.append(await bus.read(R.TIMINT))
        for _ in range(8):                         # back to one step per 8 cycles, in phase
            counts.append(await bus.read(R.INTIM))

    simulate(body)
    assert [flag & 0x80 for flag in flags] == [0, 0x80, 0]
    # Then it steps on the 8-cycle grid of the write.
    assert counts == [0xFE] * 6 + [0xFD] * 3


def test_intim_after_underflow_steps_every_cycle():
    values = []

    async def body(bus):
        await bus.write(R.TIM64T, 0)               # already past 0: 0xFF on the next cycle
        for _ in range(4):
            values.append(await bus.read(R.TIMINT))  # does not end the fast count
        values.append(await bus.read(R.INTIM))

    simulate(body)
    assert [v & 0x80 for v in values[:4]] == [0x80] * 4
    # At 0xFF - 4 then: u = 5, and the INTIM read ending the fast count reads -u - (4 >> 6).
    assert values[4] == 0xFF - 4


def test_port_a_reads_the_pins_whatever_the_direction():
    values = []

    async def body(bus):
        values.append(await bus.read(R.SWCHA))
        await bus.write(R.SWACNT, 0xF0)             # high nibble output
        await bus.write(R.SWCHA, 0x5A)
        values.append(await bus.read(R.SWCHA))
        values.append(await bus.read(R.SWACNT))

    simulate(body, port_a_in=0xEC)
    # As in Stella: SWCHA reads the joystick pins; the direction register reads back.
    assert values == [0xEC, 0xEC, 0xF0]


def test_console_switches_on_port_b():
    values = []

    async def body(bus):
        values.append(await bus.read(R.SWCHB))
        bus.set_pins(port_b_in=0x0A)               # reset and select held, BW, difficulties B
        values.append(await bus.read(R.SWCHB))

    simulate(body, port_b_in=0x0B)
    assert values == [0x0B, 0x0A]


@pytest.mark.parametrize("control, edge_pin_levels, flagged", [
    (0x04, (1, 0), True),        # negative edge detect, PA7 falls
    (0x04, (0, 1), False),
    (0x05, (0, 1), True),        # positive edge detect, PA7 rises
    (0x05, (1, 0), False),
])
def test_pa7_edge_detect(control, edge_pin_levels, flagged):
    flags = []

    async def body(bus):
        bus.set_pins(port_a_in=edge_pin_levels[0] << 7)
        await bus.write(control, 0)
        await bus.idle(2)
        flags.append(await bus.read(R.TIMINT))     # clears a stale flag
        bus.set_pins(port_a_in=edge_pin_levels[1] << 7)
        await bus.idle(2)
        flags.append(await bus.read(R.TIMINT))
        flags.append(await bus.read(R.TIMINT))     # the first read cleared it

    simulate(body)
    assert bool(flags[1] & 0x40) == flagged
    assert flags[2] & 0x40 == 0
