"""The whole Atari 2600 for simulation: 6507 CPU, TIA, RIOT and a cartridge.

One `sync` clock is one colour clock; the CPU (the project's CPU6502 core with 13 address lines)
makes one bus cycle every third clock, on the TIA's `cpu_ce`. The 6507's address space:

    A12 = 1                 cartridge ($1000-$1FFF)
    A12 = 0, A7 = 0         TIA (writes A5..A0, reads A3..A0)
    A12 = 0, A7 = 1, A9 = 0 RIOT RAM ($80-$FF)
    A12 = 0, A7 = 1, A9 = 1 RIOT ports and timer ($280-$29F)

The TIA drives only data bits 7..6 on a read; bits 5..0 keep the last byte the bus carried.
"""
from amaranth.hdl import Cat, EnableInserter, Module, Mux, Signal, unsigned
from amaranth.lib import wiring
from amaranth.lib.wiring import In, Out

from ttsim.designs.cpu6502.cpu import CPU6502

from .cartridge import Cartridge
from .riot import RIOT
from .tia import PADDLE_NEVER, TIA

ADDRESS_BITS = 13
# SWCHB with nothing pressed: reset and select up, colour, both difficulties B (the unused bits
# 2, 4 and 5 read 1, as in Stella).
SWITCHES_IDLE = 0x3F


class Atari2600(wiring.Component):
    """An Atari 2600 with one cartridge.

    joystick_n: SWCHA pins (bits 7..4 player 0 right/left/down/up, 3..0 player 1), 0 = pushed.
    switches_n: SWCHB pins (bit 0 reset, 1 select: 0 = pressed; bit 3 colour; 6, 7 difficulty).
    fire_n: the fire buttons of players 0 and 1 (INPT4, INPT5), 0 = pressed.
    paddle_delay: the four paddles' charge times in CPU cycles (see `TIA`); PADDLE_NEVER = none.
    hmove_blanks: whether HMOVE blanks 8 pixels (see `TIA`).
    colour, hcount, hsync, hblank, vsync, vblank: the TIA's video for this colour clock
        (see `TIA`); audio0, audio1, audio_tick: its audio.
    pc: the CPU's program counter (for tests and traces); cpu_ce: a CPU cycle ends this clock.
    """

    joystick_n: In(8, init=0xFF)
    switches_n: In(8, init=SWITCHES_IDLE)
    fire_n: In(2, init=0b11)
    paddle_delay: In(unsigned(16), init=PADDLE_NEVER).array(4)
    hmove_blanks: In(1, init=1)

    colour: Out(8)
    hcount: Out(8)
    hsync: Out(1)
    hblank: Out(1)
    vsync: Out(1)
    vblank: Out(1)
    audio0: Out(4)
    audio1: Out(4)
    audio_tick: Out(1)
    pc: Out(16)
    cpu_ce: Out(1)

    def __init__(self, rom: bytes, scheme: str | None = None):
        self.cartridge = Cartridge(rom, scheme)
        super().__init__()

    def elaborate(self, platform):
        m = Module()
        m.submodules.tia = tia = TIA()
        m.submodules.riot = riot = RIOT()
        m.submodules.cartridge = cartridge = self.cartridge
        cpu = CPU6502(address_bits=ADDRESS_BITS, interrupts=False)
        m.submodules.cpu = EnableInserter({"sync": tia.cpu_ce})(cpu)

        addr, reading = cpu.addr, cpu.rw
        cartridge_selected = addr[12]
        tia_selected = ~addr[12] & ~addr[7]
        riot_selected = ~addr[12] & addr[7]
        cycle_end = tia.cpu_ce

        last_bus = Signal(8)
        read_data = Signal(8)
        with m.If(cartridge_selected):
            m.d.comb += read_data.eq(cartridge.read_data)
        with m.Elif(tia_selected):
            m.d.comb += read_data.eq(Cat(last_bus[:6], tia.read_data[6:]))
        with m.Else():
            m.d.comb += read_data.eq(riot.read_data)
        bus = Mux(reading, read_data, cpu.data_out)
        with m.If(cycle_end):
            m.d.sync += last_bus.eq(bus)

        m.d.comb += [
            cpu.data_in.eq(read_data),
            cpu.rdy.eq(tia.rdy),

            tia.addr.eq(addr[:6]),
            tia.data_in.eq(cpu.data_out),
            tia.write.eq(cycle_end & tia_selected & ~reading),
            tia.fire0_n.eq(self.fire_n[0]),
            tia.fire1_n.eq(self.fire_n[1]),
            tia.hmove_blanks.eq(self.hmove_blanks),
            *(tia_delay.eq(delay) for tia_delay, delay in zip(tia.paddle_delay, self.paddle_delay)),

            riot.ce.eq(cycle_end),
            riot.ram_select.eq(~addr[9]),
            riot.addr.eq(addr[:7]),
            riot.data_in.eq(cpu.data_out),
            riot.write.eq(riot_selected & ~reading),
            riot.read.eq(riot_selected & reading),
            riot.port_a_in.eq(self.joystick_n),
            riot.port_b_in.eq(self.switches_n),

            cartridge.addr.eq(addr),
            cartridge.access.eq(cycle_end),
            cartridge.write.eq(~reading),
            cartridge.data_bus.eq(bus),

            self.colour.eq(tia.colour),
            self.hcount.eq(tia.hcount),
            self.hsync.eq(tia.hsync),
            self.hblank.eq(tia.hblank),
            self.vsync.eq(tia.vsync),
            self.vblank.eq(tia.vblank),
            self.audio0.eq(tia.audio0),
            self.audio1.eq(tia.audio1),
            self.audio_tick.eq(tia.audio_tick),
            self.pc.eq(cpu.pc),
            self.cpu_ce.eq(cycle_end),
        ]
        return m
