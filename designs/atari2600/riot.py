"""The RIOT (MOS 6532) of the Atari 2600: 128 bytes of RAM, two I/O ports and the interval timer.

It runs at the CPU clock: `ce` marks the `sync` clocks on which a CPU cycle ends (tie it high when
the domain is the CPU clock, or to the TIA's `cpu_ce` in the colour-clock domain).

On the 2600, port A carries the joysticks (SWCHA: bits 7..4 player 0 right/left/down/up, bits 3..0
player 1, 0 = pushed) and port B the console switches (SWCHB: bit 0 reset, 1 select, 3 colour/BW,
6 and 7 the difficulties; 0 = pressed for reset and select).

The golden model is the Stella emulator inside ale-py, so the timer counts as Stella counts it,
SWCHA and SWCHB read the pins whatever the direction registers say, and the power-on state is
Stella's: RAM filled from its random generator, and the timer started at TIM64T with a random
value (see `stella_power_on`).
"""
from amaranth.hdl import Cat, Const, Module, Mux, Signal
from amaranth.lib import memory, wiring
from amaranth.lib.wiring import In, Out

RAM_BYTES = 128
# Register addresses (A4..A0) with RS (the 2600's A9) high.
SWCHA, SWACNT, SWCHB, SWBCNT = 0x00, 0x01, 0x02, 0x03
INTIM, TIMINT = 0x04, 0x05
TIM1T, TIM8T, TIM64T, T1024T = 0x14, 0x15, 0x16, 0x17
# Log2 of the timer intervals, selected by A1..A0 of a timer write.
INTERVAL_SHIFTS = (0, 3, 6, 10)
POWER_ON_SHIFT = 6
# ale-py seeds Stella's system random generator (a Mersenne Twister, MT19937) with this.
STELLA_SYSTEM_SEED = 4753849
# Stella's RIOT draws 128 RAM bytes, then a timer value at each system reset; ale-py resets the
# system three times before a game starts: after the RIOT's own power-on reset, before and after
# the 60 frames it runs to detect the TV format, and when the environment is reset.
STELLA_RESETS_BEFORE_GAME = 4


def _mt19937(seed, count):
    """The first `count` 32-bit outputs of the MT19937 generator (C++ std::mt19937) from `seed`."""
    state = [seed & 0xFFFFFFFF]
    for i in range(1, 624):
        state.append((1812433253 * (state[-1] ^ (state[-1] >> 30)) + i) & 0xFFFFFFFF)
    outputs, index = [], 624
    while len(outputs) < count:
        if index == 624:
            for i in range(624):
                y = (state[i] & 0x80000000) | (state[(i + 1) % 624] & 0x7FFFFFFF)
                state[i] = state[(i + 397) % 624] ^ (y >> 1) ^ (0x9908B0DF if y & 1 else 0)
            index = 0
        y = state[index]
        index += 1
        y ^= y >> 11
        y ^= (y << 7) & 0x9D2C5680
        y ^= (y << 15) & 0xEFC60000
        outputs.append(y ^ (y >> 18))
    return outputs


def stella_power_on():
    """(RAM bytes, timer value at each of ale-py's system resets) of Stella's RIOT in ale-py."""
    draws = _mt19937(STELLA_SYSTEM_SEED, RAM_BYTES + STELLA_RESETS_BEFORE_GAME)
    ram = [value & 0xFF for value in draws[:RAM_BYTES]]
    timers = [25 + value % 75 for value in draws[RAM_BYTES:]]
    return ram, timers


POWER_ON_RAM, POWER_ON_TIMERS = stella_power_on()


class RIOT(wiring.Component):
    """MOS 6532 RAM-I/O-timer.

    ce: a CPU cycle ends on this clock; everything below acts only then.
    ram_select: the chip's RS pin inverted (1 = the access is to RAM; the 2600 wires RS to A9).
    addr: A6..A0 (RAM address, or register select on A4..A0).
    data_in: byte written; write: the cycle is a write; read: the cycle is a read (reads of INTIM
        and the interrupt flags have side effects).
    read_data: the byte at `addr` (combinational).
    port_a_in, port_b_in: the levels on the port pins from outside (joysticks, console switches).
    port_a_out, port_b_out: output registers; port_a_dir, port_b_dir: data direction (1 = output).
    irq_n: the interrupt output (timer, PA7 edge), 0 = asserted; not connected on the 2600.
    power_on_timer: the timer's value after reset (counting at TIM64T's rate, as if written just
        before the first cycle); by default the one Stella has when an ale-py game starts.
    """

    ce: In(1)
    ram_select: In(1)
    addr: In(7)
    data_in: In(8)
    write: In(1)
    read: In(1)
    read_data: Out(8)

    port_a_in: In(8, init=0xFF)
    port_b_in: In(8, init=0xFF)
    port_a_out: Out(8)
    port_b_out: Out(8)
    port_a_dir: Out(8)
    port_b_dir: Out(8)
    irq_n: Out(1)
    power_on_timer: In(8, init=POWER_ON_TIMERS[-1])

    def elaborate(self, platform):
        m = Module()
        m.submodules.ram = ram = memory.Memory(shape=8, depth=RAM_BYTES, init=POWER_ON_RAM)
        ram_read = ram.read_port(domain="comb")
        ram_write = ram.write_port()
        m.d.comb += [
            ram_read.addr.eq(self.addr),
            ram_write.addr.eq(self.addr),
            ram_write.data.eq(self.data_in),
            ram_write.en.eq(self.ce & self.write & self.ram_select),
        ]

        cycle_write = self.ce & self.write & ~self.ram_select
        cycle_read = self.ce & self.read & ~self.ram_select
        register = self.addr[:5]
        timer_area = self.addr[2]

        # Ports: reads return the pins (the joysticks and console switches), whatever the data
        # direction registers say, as in Stella.
        port_a, port_b = self.port_a_in, self.port_b_in
        io_registers = ((SWCHA, self.port_a_out), (SWACNT, self.port_a_dir),
                        (SWCHB, self.port_b_out), (SWBCNT, self.port_b_dir))
        for address, target in io_registers:
            with m.If(cycle_write & ~timer_area & (register[:2] == address)):
                m.d.sync += target.eq(self.data_in)

        # PA7 edge detector: A0 of the control write picks the edge (1 = rising), A1 enables IRQ.
        pa7_previous = Signal()
        pa7_flag = Signal()
        pa7_rising_edge, pa7_irq_enabled = Signal(), Signal()
        pa7 = port_a[7]
        with m.If(self.ce):
            m.d.sync += pa7_previous.eq(pa7)
            edge = Mux(pa7_rising_edge, pa7 & ~pa7_previous, ~pa7 & pa7_previous)
            with m.If(edge):
                m.d.sync += pa7_flag.eq(1)
        with m.If(cycle_write & timer_area & ~self.addr[4]):
            m.d.sync += [pa7_rising_edge.eq(self.addr[0]), pa7_irq_enabled.eq(self.addr[1])]

        # Interval timer, as Stella counts it: a write of T reads T - 1 on the next cycle and one
        # less every interval after that; past 0 (0xFF and below) it counts once per cycle, until
        # an INTIM read at 0xFE or below puts it back to once per interval (in the interval's
        # original phase, after a jump, below). The flag (TIMINT bit 7) shows "past 0, not yet
        # read".
        intim = Signal(8)
        shift = Signal(4)
        prescale = Signal(10)
        expired = Signal()       # INTIM has passed 0
        beyond = Signal()        # ... and has counted on below 0xFF
        resumed = Signal()       # an INTIM read since then put it back to its interval
        started = Signal()       # the power-on value has been loaded
        timer_irq_enabled = Signal()
        interval_mask = Signal(10)
        m.d.comb += interval_mask.eq((Const(1, 11) << shift) - 1)
        timer_flag = expired & ~resumed
        # The read that ends the fast count, when the counter holds -u (u cycles into it), gives
        # Stella's -u - ((u - 1) >> shift) (its "read after interrupt" offset), and the timer
        # counts on from there.
        resume_value = Signal(8)
        m.d.comb += resume_value.eq(intim - ((~intim)[:8] >> shift))
        reading_intim = cycle_read & timer_area & ~self.addr[0]
        reading_flags = cycle_read & timer_area & self.addr[0]
        with m.If(~started):
            m.d.sync += [started.eq(1), intim.eq(self.power_on_timer - 1),
                         shift.eq(POWER_ON_SHIFT), prescale.eq((1 << POWER_ON_SHIFT) - 1),
                         expired.eq(self.power_on_timer == 0)]
        with m.If(cycle_write & timer_area & self.addr[4]):
            new_shift = Mux(self.addr[1], Mux(self.addr[0], 10, 6), Mux(self.addr[0], 3, 0))
            m.d.sync += [started.eq(1), intim.eq(self.data_in - 1), shift.eq(new_shift),
                         prescale.eq((Const(1, 11) << new_shift) - 1),
                         expired.eq(self.data_in == 0), beyond.eq(0), resumed.eq(0),
                         timer_irq_enabled.eq(self.addr[3])]
        with m.Elif(self.ce & started):
            interval_step = prescale == 0
            m.d.sync += prescale.eq(Mux(interval_step, interval_mask, prescale - 1))
            resuming = reading_intim & expired & beyond & ~resumed
            # The read that resumes the interval already sees the resumed count.
            with m.If(interval_step | (timer_flag & ~resuming)):
                m.d.sync += intim.eq(intim - 1)
                with m.If(intim == 0):
                    m.d.sync += expired.eq(1)
                with m.If(expired):
                    m.d.sync += beyond.eq(1)
            with m.If(reading_intim):
                m.d.sync += timer_irq_enabled.eq(self.addr[3])
                with m.If(resuming):
                    m.d.sync += [resumed.eq(1), intim.eq(resume_value - interval_step)]
        with m.If(reading_flags):
            m.d.sync += pa7_flag.eq(0)

        m.d.comb += self.irq_n.eq(~((timer_flag & timer_irq_enabled)
                                    | (pa7_flag & pa7_irq_enabled)))

        with m.If(self.ram_select):
            m.d.comb += self.read_data.eq(ram_read.data)
        with m.Elif(~timer_area):
            with m.Switch(register[:2]):
                with m.Case(SWCHA):
                    m.d.comb += self.read_data.eq(port_a)
                with m.Case(SWACNT):
                    m.d.comb += self.read_data.eq(self.port_a_dir)
                with m.Case(SWCHB):
                    m.d.comb += self.read_data.eq(port_b)
                with m.Case(SWBCNT):
                    m.d.comb += self.read_data.eq(self.port_b_dir)
        with m.Elif(~self.addr[0]):
            m.d.comb += self.read_data.eq(Mux(expired & beyond & ~resumed, resume_value, intim))
        with m.Else():
            m.d.comb += self.read_data.eq(Cat(Const(0, 6), pa7_flag, timer_flag))
        return m
