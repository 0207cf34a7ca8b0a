"""The RIOT (MOS 6532) of the Atari 2600: 128 bytes of RAM, two I/O ports and the interval timer.

It runs at the CPU clock: `ce` marks the `sync` clocks on which a CPU cycle ends (tie it high when
the domain is the CPU clock, or to the TIA's `cpu_ce` in the colour-clock domain).

On the 2600, port A carries the joysticks (SWCHA: bits 7..4 player 0 right/left/down/up, bits 3..0
player 1, 0 = pushed) and port B the console switches (SWCHB: bit 0 reset, 1 select, 3 colour/BW,
6 and 7 the difficulties; 0 = pressed for reset and select).
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
POWER_ON_INTIM = 0xFF


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

    def elaborate(self, platform):
        m = Module()
        m.submodules.ram = ram = memory.Memory(shape=8, depth=RAM_BYTES, init=[])
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

        # Ports: pins set as outputs read back the output register.
        port_a = (self.port_a_out & self.port_a_dir) | (self.port_a_in & ~self.port_a_dir)
        port_b = (self.port_b_out & self.port_b_dir) | (self.port_b_in & ~self.port_b_dir)
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

        # Interval timer: INTIM counts down once per interval; after it passes 0 the flag is set
        # and it counts once per cycle until the timer is read or written again.
        # Power-on state: counting in 1024-cycle steps from a value far from 0 (as Stella starts
        # it; programs that wait for the timer before ever setting it must not hang).
        intim = Signal(8, init=POWER_ON_INTIM)
        shift = Signal(4, init=INTERVAL_SHIFTS[-1])
        prescale = Signal(10, init=(1 << INTERVAL_SHIFTS[-1]) - 1)
        timer_flag = Signal()
        timer_irq_enabled = Signal()
        interval_mask = Signal(10)
        m.d.comb += interval_mask.eq((Const(1, 11) << shift) - 1)
        reading_intim = cycle_read & timer_area & ~self.addr[0]
        reading_flags = cycle_read & timer_area & self.addr[0]
        with m.If(cycle_write & timer_area & self.addr[4]):
            # The first decrement comes on the cycle after the write.
            new_shift = Mux(self.addr[1], Mux(self.addr[0], 10, 6), Mux(self.addr[0], 3, 0))
            m.d.sync += [intim.eq(self.data_in), shift.eq(new_shift), prescale.eq(0),
                         timer_flag.eq(0), timer_irq_enabled.eq(self.addr[3])]
        with m.Elif(self.ce):
            decrement = (prescale == 0) | timer_flag
            with m.If(decrement):
                m.d.sync += [intim.eq(intim - 1), prescale.eq(interval_mask)]
                with m.If(intim == 0):
                    m.d.sync += timer_flag.eq(1)
            with m.Else():
                m.d.sync += prescale.eq(prescale - 1)
            with m.If(reading_intim):
                m.d.sync += timer_irq_enabled.eq(self.addr[3])
                # Reading INTIM clears the flag (unless it is set on this very cycle): the timer
                # returns to its interval.
                with m.If(~(decrement & (intim == 0))):
                    m.d.sync += timer_flag.eq(0)
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
            m.d.comb += self.read_data.eq(intim)
        with m.Else():
            m.d.comb += self.read_data.eq(Cat(Const(0, 6), pa7_flag, timer_flag))
        return m
